package conformance_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

func exportFake(t *testing.T) (telematics.Fleet, mycartrackstest.Fleet) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2), mycartrackstest.WithTracksPerVehicle(4),
		mycartrackstest.WithPointsPerTrack(100), mycartrackstest.WithoutRateLimit())
	t.Cleanup(srv.Close)
	c, err := srv.NewClient()
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c.Fleet(), srv.Fleet()
}

// TestExportTracksThroughTheNeutralAPI exports a vehicle's tracks in a range as GPX from
// a fleet, with progress on a manual clock.
func TestExportTracksThroughTheNeutralAPI(t *testing.T) {
	fleet, truth := exportFake(t)
	ctx := context.Background()
	v := truth.Vehicles[1]
	vehicle := strconv.FormatInt(v.ID, 10)
	from, to := v.Tracks[1].Start, v.Tracks[3].Start // tracks 1 and 2

	clock := clocktest.New(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	var reports []export.Progress
	var out bytes.Buffer
	st, err := export.Tracks(ctx, &out, export.GPX, fleet, vehicle, from, to,
		export.WithName("two tracks"), export.WithClock(clock), export.WithProgressEvery(50),
		export.WithProgress(func(p export.Progress) {
			reports = append(reports, p)
			clock.Advance(10 * time.Second)
		}))
	require.NoError(t, err)
	assert.Equal(t, export.Stats{Tracks: 2, Points: 200}, st)

	var doc struct {
		Tracks []struct {
			Name   string `xml:"name"`
			Points []struct {
				Lat float64 `xml:"lat,attr"`
			} `xml:"trkseg>trkpt"`
		} `xml:"trk"`
	}
	require.NoError(t, xml.Unmarshal(out.Bytes(), &doc))
	require.Len(t, doc.Tracks, 2)
	assert.Len(t, doc.Tracks[0].Points, 100)
	assert.Len(t, doc.Tracks[1].Points, 100)

	// Reports at 50 and 100 points of each track, after each track, and when done.
	require.Len(t, reports, 2*3+1)
	for i, p := range reports {
		assert.Equal(t, vehicle, p.VehicleID)
		assert.Equal(t, 2, p.TotalTracks)
		assert.Equal(t, time.Duration(i)*10*time.Second, p.Elapsed, "report %d", i)
		if i > 0 {
			assert.InDelta(t, float64(p.Points)/p.Elapsed.Seconds(), p.Rate, 1e-9)
			assert.GreaterOrEqual(t, p.Points, reports[i-1].Points)
		}
	}
	first := reports[2] // after the first track
	assert.Equal(t, 1, first.Tracks)
	assert.Equal(t, 100, first.Points)
	assert.Positive(t, first.Remaining, "an estimate once a track is done")
	mid := reports[3] // 50 points into the second track
	assert.Equal(t, 50, mid.TrackPoints)
	assert.Less(t, mid.Remaining, first.Remaining+mid.Elapsed, "the estimate takes the part of the track done")
	last := reports[len(reports)-1]
	assert.True(t, last.Done)
	assert.Equal(t, 2, last.Tracks)
	assert.Equal(t, 200, last.Points)
	assert.Zero(t, last.Remaining)
}

func TestExportTracksCSVFromAMergedFleet(t *testing.T) {
	fleet, truth := exportFake(t)
	merged := telematics.Merge(fleet)
	v := truth.Vehicles[0]
	var out bytes.Buffer
	st, err := export.Tracks(context.Background(), &out, export.CSV, merged, "mycartracks:"+strconv.FormatInt(v.ID, 10), time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 4, st.Tracks)
	rows, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 1+400)
	assert.Equal(t, "mycartracks:"+strconv.FormatInt(v.ID, 10), rows[1][0], "vehicle ids as the merged fleet gives them")
}

// TestExportTracksFailsBeforeWriting: an unknown vehicle, a provider without tracks and
// an empty range are errors, and nothing is written.
func TestExportTracksFailsBeforeWriting(t *testing.T) {
	fleet, truth := exportFake(t)
	sc := smartcartest.NewServer()
	defer sc.Close()
	scClient, err := sc.NewClient()
	require.NoError(t, err)
	defer scClient.Close()
	known := strconv.FormatInt(truth.Vehicles[0].ID, 10)
	now := time.Now()

	tests := []struct {
		name    string
		src     export.TrackSource
		vehicle string
		from    time.Time
		to      time.Time
		want    error
	}{
		{"unknown vehicle", fleet, "999999", time.Time{}, time.Time{}, telematics.ErrNotFound},
		{"not a vehicle id", fleet, "van-7", time.Time{}, time.Time{}, telematics.ErrNotFound},
		{"provider without tracks", scClient.Fleet(""), smartcartest.VehicleF150, time.Time{}, time.Time{}, telematics.ErrNotSupported},
		{"empty range", fleet, known, now, now, telematics.ErrInvalidInput},
		{"no source", nil, known, time.Time{}, time.Time{}, telematics.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			called := false
			_, err := export.Tracks(context.Background(), &out, export.GeoJSON, tt.src, tt.vehicle, tt.from, tt.to,
				export.WithProgress(func(export.Progress) { called = true }))
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), strconv.Quote(tt.vehicle), "the error names the vehicle")
			assert.Zero(t, out.Len(), "nothing is written")
			assert.False(t, called)
		})
	}
}
