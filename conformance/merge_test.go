package conformance_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// mergedFleet merges a MyCarTracks account of 3 vehicles, the Smartcar fake's 5 and a
// second MyCarTracks account of 2 vehicles whose ids are the first account's.
func mergedFleet(t *testing.T) (*telematics.MergedFleet, mycartrackstest.Fleet, mycartrackstest.Fleet) {
	mct := mycartrackstest.NewServer(mycartrackstest.WithVehicles(3), mycartrackstest.WithTracksPerVehicle(2), mycartrackstest.WithPointsPerTrack(40), mycartrackstest.WithoutRateLimit())
	t.Cleanup(mct.Close)
	mct2 := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2), mycartrackstest.WithTracksPerVehicle(3), mycartrackstest.WithPointsPerTrack(30), mycartrackstest.WithoutRateLimit())
	t.Cleanup(mct2.Close)
	sc := smartcartest.NewServer()
	t.Cleanup(sc.Close)
	var fleets []telematics.Fleet
	for _, mk := range []func() (telematics.Fleet, func(), error){
		func() (telematics.Fleet, func(), error) { c, err := mct.NewClient(); return fleetOf(c, err) },
		func() (telematics.Fleet, func(), error) {
			c, err := sc.NewClient()
			if err != nil {
				return nil, nil, err
			}
			return c.Fleet(""), c.Close, nil
		},
		func() (telematics.Fleet, func(), error) { c, err := mct2.NewClient(); return fleetOf(c, err) },
	} {
		f, closeFn, err := mk()
		require.NoError(t, err)
		t.Cleanup(closeFn)
		fleets = append(fleets, f)
	}
	m, ok := telematics.Merge(append(fleets, nil)...).(*telematics.MergedFleet)
	require.True(t, ok, "Merge returns a *MergedFleet")
	return m, mct.Fleet(), mct2.Fleet()
}

func fleetOf(c *mycartracks.Client, err error) (telematics.Fleet, func(), error) {
	if err != nil {
		return nil, nil, err
	}
	return c.Fleet(), c.Close, nil
}

func TestMergedFleetQualifiesAndRoutes(t *testing.T) {
	m, truth, truth2 := mergedFleet(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	assert.Equal(t, telematics.MergedProvider, m.Provider())
	assert.Equal(t, []string{"mycartracks", "smartcar", "mycartracks2"}, m.Qualifiers(), "a second fleet of a provider gets the qualifier provider2")
	assert.Equal(t, mycartracks.FleetCapabilities|smartcar.FleetCapabilities, m.Capabilities(), "the union")

	// The two MyCarTracks accounts have the same raw ids; the merged ids never collide.
	id1 := strconv.FormatInt(truth.Vehicles[0].ID, 10)
	require.Equal(t, id1, strconv.FormatInt(truth2.Vehicles[0].ID, 10), "the accounts' ids collide")
	seen := map[string]string{}
	for v, err := range m.Vehicles(ctx) {
		require.NoError(t, err)
		_, dup := seen[v.ID]
		assert.False(t, dup, "vehicle %s listed twice", v.ID)
		seen[v.ID] = v.Provider
	}
	assert.Len(t, seen, 3+5+2)
	assert.Equal(t, "mycartracks", seen["mycartracks:"+id1])
	assert.Equal(t, "mycartracks", seen["mycartracks2:"+id1], "Provider keeps the provider's name")
	assert.Equal(t, "smartcar", seen["smartcar:"+smartcartest.VehicleF150])

	// Last positions: of everyone, and of chosen vehicles across members.
	n := 0
	for p, err := range m.LastPositions(ctx) {
		require.NoError(t, err)
		assert.Contains(t, seen, p.VehicleID)
		n++
	}
	assert.Equal(t, 10, n)
	var got []string
	for p, err := range m.LastPositions(ctx, "smartcar:"+smartcartest.VehicleF150, "mycartracks2:"+id1) {
		require.NoError(t, err)
		got = append(got, p.VehicleID)
	}
	assert.Equal(t, []string{"smartcar:" + smartcartest.VehicleF150, "mycartracks2:" + id1}, got)

	// Tracks and their positions go to the member the id names.
	var tracks []telematics.Track
	for tr, err := range m.Tracks(ctx, "mycartracks2:"+id1, time.Time{}, time.Time{}) {
		require.NoError(t, err)
		tracks = append(tracks, tr)
	}
	require.Len(t, tracks, 3, "the second account's vehicle has 3 tracks")
	assert.Equal(t, "mycartracks2:"+strconv.FormatInt(truth2.Vehicles[0].Tracks[0].ID, 10), tracks[0].ID)
	assert.Equal(t, "mycartracks2:"+id1, tracks[0].VehicleID)
	points := 0
	for p, err := range m.TrackPositions(ctx, tracks[0]) {
		require.NoError(t, err)
		assert.Equal(t, "mycartracks2:"+id1, p.VehicleID)
		points++
	}
	assert.Equal(t, 30, points)

	sigs, err := m.Signals(ctx, "smartcar:"+smartcartest.VehicleF150, string(smartcar.SignalOdometerTraveledDistance))
	require.NoError(t, err)
	require.Len(t, sigs, 1)
	assert.Equal(t, "smartcar:"+smartcartest.VehicleF150, sigs[0].VehicleID)

	// What a member cannot do is its own ErrNotSupported.
	assert.ErrorIs(t, firstErr(m.Tracks(ctx, "smartcar:"+smartcartest.VehicleF150, time.Time{}, time.Time{})), telematics.ErrNotSupported)
	_, err = m.SendCommand(ctx, "mycartracks:"+id1, telematics.Command{Kind: telematics.CommandLock})
	assert.ErrorIs(t, err, telematics.ErrNotSupported)
	res, err := m.SendCommand(ctx, "smartcar:"+smartcartest.VehicleF150, telematics.Command{Kind: telematics.CommandLock})
	require.NoError(t, err)
	assert.Equal(t, "SUCCESS", res.Status)

	// Provider detail: the members' clients.
	mc, ok := mycartracks.ClientOf(m.Member("mycartracks2"))
	require.True(t, ok)
	v, err := mc.Vehicles.Get(ctx, mycartracks.ID(truth2.Vehicles[0].ID))
	require.NoError(t, err)
	assert.NotEmpty(t, v.Raw, "the provider's model keeps its JSON")
	_, ok = smartcar.ClientOf(m.Member("smartcar"))
	assert.True(t, ok)
	_, ok = smartcar.ClientOf(m.Member("mycartracks"))
	assert.False(t, ok)
	assert.Nil(t, m.Member("nope"))
}

func TestMergedFleetUnknownIDs(t *testing.T) {
	m, truth, _ := mergedFleet(t)
	ctx := context.Background()
	id1 := strconv.FormatInt(truth.Vehicles[0].ID, 10)
	for _, id := range []string{id1, "nope:" + id1, "mycartracks:999999", "smartcar:00000000-0000-4000-8000-000000000000"} {
		err := firstErr(m.LastPositions(ctx, id))
		require.ErrorIs(t, err, telematics.ErrNotFound, id)
		assert.Contains(t, err.Error(), strconv.Quote(namedID(id)), "the error names the vehicle")
		_, err = m.Signals(ctx, id)
		assert.Error(t, err)
		_, err = m.Live(ctx, []string{id})
		assert.Error(t, err)
	}
	err := firstErr(m.Tracks(ctx, id1, time.Time{}, time.Time{}))
	assert.ErrorIs(t, err, telematics.ErrInvalidInput, "an id without a qualifier")
	// A track whose id is not of the member its vehicle names.
	err = firstErr(m.TrackPositions(ctx, telematics.Track{ID: "smartcar:1", VehicleID: "mycartracks:" + id1}))
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
}

// namedID returns the part of a merged id a member's error names: the member's own id,
// or the whole id when the merged fleet refused it.
func namedID(id string) string {
	q, raw, ok := telematics.SplitID(id)
	if ok && (q == "mycartracks" || q == "smartcar") {
		return raw
	}
	return id
}

// TestMergedFleetLive merges the live positions of the members that stream into one
// subscription with qualified ids.
func TestMergedFleetLive(t *testing.T) {
	m, truth, truth2 := mergedFleet(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id1 := strconv.FormatInt(truth.Vehicles[1].ID, 10)
	id2 := strconv.FormatInt(truth2.Vehicles[1].ID, 10)
	want := map[string]bool{"mycartracks:" + id1: true, "mycartracks2:" + id2: true}
	sub, err := m.Live(ctx, []string{"mycartracks:" + id1, "mycartracks2:" + id2})
	require.NoError(t, err)
	got := map[string]bool{}
	for len(got) < len(want) {
		select {
		case p, ok := <-sub.Positions():
			require.True(t, ok, "ended: %v", sub.Err())
			assert.Contains(t, want, p.VehicleID)
			got[p.VehicleID] = true
		case e := <-sub.Events():
			if e.VehicleID != "" {
				assert.Contains(t, want, e.VehicleID)
				assert.Equal(t, e.VehicleID, e.Position.VehicleID)
			}
		case <-ctx.Done():
			t.Fatalf("live positions of %v only", got)
		}
	}
	sub.Close()
	for range sub.Positions() {
	}
	assert.NoError(t, sub.Err())
	assert.Equal(t, telematics.StateClosed, sub.State().Conn)

	// Every member that streams, when no id is given.
	all, err := m.Live(ctx, nil, telematics.PositionsOnly())
	require.NoError(t, err)
	defer all.Close()
	qualifiers := map[string]bool{}
	for len(qualifiers) < 2 {
		select {
		case p, ok := <-all.Positions():
			require.True(t, ok, "ended: %v", all.Err())
			q, _, _ := telematics.SplitID(p.VehicleID)
			require.Contains(t, []string{"mycartracks", "smartcar", "mycartracks2"}, q, p.VehicleID)
			qualifiers[q] = true
		case <-ctx.Done():
			t.Fatalf("live positions of %v only", qualifiers)
		}
	}
}
