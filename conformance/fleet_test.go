package conformance_test

import (
	"context"
	"encoding/json"
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

// fleetCase is one provider's fleet, built on its fake, with what the fake holds.
type fleetCase struct {
	fleet telematics.Fleet
	// caps are the capabilities the provider documents.
	caps telematics.Capabilities
	// vehicles are the ids of every vehicle of the fleet; known is one of them, with
	// tracks when the provider has tracks.
	vehicles []string
	known    string
	// unknown are ids of vehicles the fleet does not have.
	unknown []string
	// tracks of known, when the provider has tracks: their ids and point counts, oldest
	// first.
	tracks []fakeTrack
	// signal is a signal code the known vehicle reports, when the provider has signals.
	signal string
	// lockState reads whether the known vehicle is locked, when the provider takes
	// commands.
	lockState func() bool
}

// The capabilities each provider documents (README "One API for every provider", the
// adapters' doc comments), written out here rather than read from the packages, so that
// a change of either is a failing test.
const (
	documentedMyCarTracks = telematics.CanListVehicles | telematics.CanReadLastPositions | telematics.CanListTracks |
		telematics.CanReadTrackPositions | telematics.CanStreamLive
	documentedSmartcar = telematics.CanListVehicles | telematics.CanReadLastPositions | telematics.CanReadSignals |
		telematics.CanStreamLive | telematics.CanSendCommands
)

type fakeTrack struct {
	id         string
	start, end time.Time
	points     int
}

func myCarTracksCase(t *testing.T) fleetCase {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(3), mycartrackstest.WithTracksPerVehicle(4),
		mycartrackstest.WithPointsPerTrack(120), mycartrackstest.WithoutRateLimit())
	t.Cleanup(srv.Close)
	c, err := srv.NewClient()
	require.NoError(t, err)
	t.Cleanup(c.Close)
	truth := srv.Fleet()
	fc := fleetCase{
		fleet: c.Fleet(), caps: documentedMyCarTracks,
		unknown: []string{"999999", "not-a-number"},
	}
	for _, v := range truth.Vehicles {
		fc.vehicles = append(fc.vehicles, strconv.FormatInt(v.ID, 10))
	}
	v := truth.Vehicles[1]
	fc.known = strconv.FormatInt(v.ID, 10)
	for _, tr := range v.Tracks {
		fc.tracks = append(fc.tracks, fakeTrack{strconv.FormatInt(tr.ID, 10), tr.Start, tr.End, tr.Points})
	}
	return fc
}

func smartcarCase(userID string) func(t *testing.T) fleetCase {
	return func(t *testing.T) fleetCase {
		srv := smartcartest.NewServer()
		t.Cleanup(srv.Close)
		c, err := srv.NewClient()
		require.NoError(t, err)
		t.Cleanup(c.Close)
		fc := fleetCase{
			fleet: c.Fleet(userID), caps: documentedSmartcar,
			vehicles: []string{smartcartest.VehicleModel3, smartcartest.VehicleID4, smartcartest.VehicleCamry, smartcartest.VehicleF150, smartcartest.VehicleBolt},
			known:    smartcartest.VehicleF150, unknown: []string{"00000000-0000-4000-8000-000000000000"},
			signal: string(smartcar.SignalOdometerTraveledDistance),
			lockState: func() bool {
				s, _ := srv.Signal(smartcartest.VehicleF150, string(smartcar.SignalClosureIsLocked))
				var v struct{ Value bool }
				return json.Unmarshal(s.Body, &v) == nil && v.Value
			},
		}
		if userID == smartcartest.UserBob {
			fc.vehicles = []string{smartcartest.VehicleCamry, smartcartest.VehicleF150}
			// Alice's car is not in Bob's fleet.
			fc.unknown = append(fc.unknown, smartcartest.VehicleModel3)
		}
		return fc
	}
}

var fleetCases = []struct {
	name  string
	build func(t *testing.T) fleetCase
}{
	{"mycartracks", myCarTracksCase},
	{"smartcar", smartcarCase("")},
	{"smartcar-bob", smartcarCase(smartcartest.UserBob)},
}

// TestFleetConformance runs the same scenarios through the capability interfaces on each
// provider's fleet: what a provider does is the same everywhere, and what it cannot do is
// an error matching telematics.ErrNotSupported exactly where its Capabilities say.
func TestFleetConformance(t *testing.T) {
	scenarios := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, fc fleetCase)
	}{
		{"capabilities", scenarioCapabilities},
		{"vehicles", scenarioVehicles},
		{"last positions", scenarioLastPositions},
		{"unknown vehicles", scenarioUnknownVehicles},
		{"tracks", scenarioTracks},
		{"track positions", scenarioTrackPositions},
		{"signals", scenarioSignals},
		{"live", scenarioLive},
		{"commands", scenarioCommands},
	}
	for _, fcase := range fleetCases {
		for _, sc := range scenarios {
			t.Run(fcase.name+"/"+sc.name, func(t *testing.T) {
				fc := fcase.build(t)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				sc.run(t, ctx, fc)
			})
		}
	}
}

func scenarioCapabilities(t *testing.T, ctx context.Context, fc fleetCase) {
	assert.Equal(t, fc.caps, fc.fleet.Capabilities())
	assert.True(t, fc.caps.Has(telematics.CanListVehicles|telematics.CanReadLastPositions), "every provider lists vehicles and positions")
}

// unsupported asserts that err is exactly the documented refusal of a capability the
// fleet lacks.
func unsupported(t *testing.T, fc fleetCase, c telematics.Capabilities, err error) bool {
	t.Helper()
	if fc.caps.Has(c) {
		return false
	}
	require.ErrorIs(t, err, telematics.ErrNotSupported)
	assert.Contains(t, err.Error(), fc.fleet.Provider())
	return true
}

func scenarioVehicles(t *testing.T, ctx context.Context, fc fleetCase) {
	var ids []string
	for v, err := range fc.fleet.Vehicles(ctx) {
		require.NoError(t, err)
		assert.Equal(t, fc.fleet.Provider(), v.Provider)
		ids = append(ids, v.ID)
	}
	assert.ElementsMatch(t, fc.vehicles, ids)

	// Breaking out of the loop stops it.
	n := 0
	for range fc.fleet.Vehicles(ctx) {
		n++
		break
	}
	assert.Equal(t, 1, n)
}

func scenarioLastPositions(t *testing.T, ctx context.Context, fc fleetCase) {
	var all []string
	for p, err := range fc.fleet.LastPositions(ctx) {
		require.NoError(t, err)
		assert.True(t, p.Valid(), "a position %+v", p)
		assert.False(t, p.Time.IsZero(), "a position has its time")
		assert.Equal(t, fc.fleet.Provider(), p.Provider)
		all = append(all, p.VehicleID)
	}
	assert.ElementsMatch(t, fc.vehicles, all, "every simulated vehicle has a position")

	var one []telematics.Position
	for p, err := range fc.fleet.LastPositions(ctx, fc.known) {
		require.NoError(t, err)
		one = append(one, p)
	}
	require.Len(t, one, 1)
	assert.Equal(t, fc.known, one[0].VehicleID)
}

// scenarioUnknownVehicles: every call about a vehicle the fleet does not have fails
// with ErrNotFound naming it, unless the capability is missing altogether.
func scenarioUnknownVehicles(t *testing.T, ctx context.Context, fc fleetCase) {
	for _, id := range fc.unknown {
		checks := []struct {
			name string
			cap  telematics.Capabilities
			call func() error
		}{
			{"LastPositions", telematics.CanReadLastPositions, func() error { return firstErr(fc.fleet.LastPositions(ctx, id)) }},
			{"Tracks", telematics.CanListTracks, func() error { return firstErr(fc.fleet.Tracks(ctx, id, time.Time{}, time.Time{})) }},
			{"Signals", telematics.CanReadSignals, func() error { _, err := fc.fleet.Signals(ctx, id); return err }},
			{"Live", telematics.CanStreamLive, func() error {
				sub, err := fc.fleet.Live(ctx, []string{id})
				if sub != nil {
					sub.Close()
				}
				return err
			}},
			{"SendCommand", telematics.CanSendCommands, func() error {
				_, err := fc.fleet.SendCommand(ctx, id, telematics.Command{Kind: telematics.CommandLock})
				return err
			}},
		}
		for _, c := range checks {
			err := c.call()
			if unsupported(t, fc, c.cap, err) {
				continue
			}
			require.ErrorIs(t, err, telematics.ErrNotFound, "%s(%q)", c.name, id)
			assert.Contains(t, err.Error(), strconv.Quote(id), "%s names the vehicle", c.name)
		}
	}
}

func firstErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

func scenarioTracks(t *testing.T, ctx context.Context, fc fleetCase) {
	err := firstErr(fc.fleet.Tracks(ctx, fc.known, time.Time{}, time.Time{}))
	if unsupported(t, fc, telematics.CanListTracks, err) {
		return
	}
	require.NoError(t, err)
	var got []string
	for tr, err := range fc.fleet.Tracks(ctx, fc.known, time.Time{}, time.Time{}) {
		require.NoError(t, err)
		assert.Equal(t, fc.known, tr.VehicleID)
		assert.Equal(t, fc.fleet.Provider(), tr.Provider)
		assert.Positive(t, tr.Distance.Metres())
		got = append(got, tr.ID)
	}
	var want []string
	for _, tr := range fc.tracks {
		want = append(want, tr.id)
	}
	assert.Equal(t, want, got, "every track, oldest first")

	// [from, to) keeps the tracks that started in it.
	from, to := fc.tracks[1].start, fc.tracks[3].start
	got = got[:0]
	for tr, err := range fc.fleet.Tracks(ctx, fc.known, from, to) {
		require.NoError(t, err)
		got = append(got, tr.ID)
	}
	assert.Equal(t, want[1:3], got)
}

func scenarioTrackPositions(t *testing.T, ctx context.Context, fc fleetCase) {
	tr := telematics.Track{ID: "1", VehicleID: fc.known, Provider: fc.fleet.Provider()}
	if len(fc.tracks) > 0 {
		tr.ID = fc.tracks[0].id
	}
	err := firstErr(fc.fleet.TrackPositions(ctx, tr))
	if unsupported(t, fc, telematics.CanReadTrackPositions, err) {
		return
	}
	require.NoError(t, err)
	n := 0
	var last time.Time
	for p, err := range fc.fleet.TrackPositions(ctx, tr) {
		require.NoError(t, err)
		assert.Equal(t, fc.known, p.VehicleID)
		assert.False(t, p.Time.Before(last), "in time order")
		last = p.Time
		n++
	}
	assert.Equal(t, fc.tracks[0].points, n)

	// A track of another provider is refused before anything is sent.
	err = firstErr(fc.fleet.TrackPositions(ctx, telematics.Track{ID: tr.ID, Provider: "other"}))
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
}

func scenarioSignals(t *testing.T, ctx context.Context, fc fleetCase) {
	all, err := fc.fleet.Signals(ctx, fc.known)
	if unsupported(t, fc, telematics.CanReadSignals, err) {
		return
	}
	require.NoError(t, err)
	assert.Greater(t, len(all), 5)
	some, err := fc.fleet.Signals(ctx, fc.known, fc.signal, "no-such-signal")
	require.NoError(t, err)
	require.Len(t, some, 1, "only the codes asked for; one the vehicle lacks is left out")
	s := some[0]
	assert.Equal(t, fc.signal, s.Code)
	assert.Equal(t, fc.known, s.VehicleID)
	assert.True(t, s.OK())
	d, ok := s.Value.Distance()
	assert.True(t, ok)
	assert.Positive(t, d.Kilometres())
}

func scenarioLive(t *testing.T, ctx context.Context, fc fleetCase) {
	sub, err := fc.fleet.Live(ctx, []string{fc.known}, telematics.PositionsOnly())
	if unsupported(t, fc, telematics.CanStreamLive, err) {
		assert.Nil(t, sub)
		return
	}
	require.NoError(t, err)
	defer sub.Close()
	select {
	case p, ok := <-sub.Positions():
		require.True(t, ok, "the subscription ended: %v", sub.Err())
		assert.Equal(t, fc.known, p.VehicleID)
		assert.True(t, p.Valid())
	case <-ctx.Done():
		t.Fatal("no live position")
	}

	// Every vehicle, when none is given; a provider's own options (here the Smartcar
	// poller's pace) are ignored by the others.
	all, err := fc.fleet.Live(ctx, nil, telematics.PositionsOnly(),
		smartcar.WithPollInterval(100*time.Millisecond), smartcar.WithPollBudget(100, time.Second))
	require.NoError(t, err)
	defer all.Close()
	seen := map[string]bool{}
	for len(seen) < 2 {
		select {
		case p, ok := <-all.Positions():
			require.True(t, ok, "the subscription ended: %v", all.Err())
			assert.Contains(t, fc.vehicles, p.VehicleID)
			seen[p.VehicleID] = true
		case <-ctx.Done():
			t.Fatalf("live positions of %v only", seen)
		}
	}
}

func scenarioCommands(t *testing.T, ctx context.Context, fc fleetCase) {
	res, err := fc.fleet.SendCommand(ctx, fc.known, telematics.Command{Kind: telematics.CommandLock})
	if unsupported(t, fc, telematics.CanSendCommands, err) {
		return
	}
	require.NoError(t, err)
	assert.Equal(t, "SUCCESS", res.Status)
	assert.False(t, res.Pending)
	assert.NotEmpty(t, res.RequestID)
	assert.True(t, fc.lockState(), "the vehicle is locked")

	_, err = fc.fleet.SendCommand(ctx, fc.known, telematics.Command{Kind: "fly"})
	assert.ErrorIs(t, err, telematics.ErrNotSupported, "a command the provider does not know")
	_, err = fc.fleet.SendCommand(ctx, fc.known, telematics.Command{Kind: telematics.CommandSetChargeLimit, ChargeLimit: 20})
	assert.ErrorIs(t, err, telematics.ErrInvalidInput, "a charge limit out of range is refused")
}

// TestFleetCapabilitiesDocumented: the capabilities the adapters report are those their
// documentation lists, and no more.
func TestFleetCapabilitiesDocumented(t *testing.T) {
	all := []telematics.Capabilities{telematics.CanListVehicles, telematics.CanReadLastPositions, telematics.CanListTracks,
		telematics.CanReadTrackPositions, telematics.CanReadSignals, telematics.CanStreamLive, telematics.CanSendCommands}
	var mct, sc []telematics.Capabilities
	for _, c := range all {
		if mycartracks.FleetCapabilities.Has(c) {
			mct = append(mct, c)
		}
		if smartcar.FleetCapabilities.Has(c) {
			sc = append(sc, c)
		}
	}
	assert.Equal(t, []telematics.Capabilities{telematics.CanListVehicles, telematics.CanReadLastPositions, telematics.CanListTracks,
		telematics.CanReadTrackPositions, telematics.CanStreamLive}, mct)
	assert.Equal(t, []telematics.Capabilities{telematics.CanListVehicles, telematics.CanReadLastPositions, telematics.CanReadSignals,
		telematics.CanStreamLive, telematics.CanSendCommands}, sc)
	assert.Equal(t, documentedMyCarTracks, mycartracks.FleetCapabilities)
	assert.Equal(t, documentedSmartcar, smartcar.FleetCapabilities)
}
