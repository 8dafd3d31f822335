package mycartrackstest_test

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

type trackJSON struct {
	ID            int64   `json:"id"`
	VehicleID     int64   `json:"vehicleId"`
	Name          string  `json:"name"`
	Category      string  `json:"category"`
	StartTime     int64   `json:"startTime"`
	EndTime       int64   `json:"endTime"`
	TotalDistance float64 `json:"totalDistance"`
	TotalTime     int64   `json:"totalTime"`
	MovingTime    int64   `json:"movingTime"`
	MaxSpeed      float64 `json:"maxSpeed"`
	AvgSpeed      float64 `json:"avgSpeed"`
}

func TestTracks(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(3), mycartrackstest.WithTracksPerVehicle(6))
	tok := token(t, srv, "read")
	fleet := srv.Fleet()

	var list struct{ Data []trackJSON }
	getOK(t, srv, tok, "/tracks2", &list)
	want := fleet.Tracks()
	require.Len(t, list.Data, len(want))
	for i, tr := range list.Data {
		assert.Equal(t, want[i].ID, tr.ID)
		assert.Equal(t, want[i].VehicleID, tr.VehicleID)
		assert.Equal(t, want[i].Start.UnixMilli(), tr.StartTime)
		assert.Equal(t, want[i].End.UnixMilli(), tr.EndTime)
		assert.Contains(t, []string{"business", "private"}, tr.Category)
		assert.NotEmpty(t, tr.Name)
		assert.Less(t, tr.EndTime, fleet.Start.UnixMilli(), "tracks lie before the fleet start")

		sum, ok := srv.TrackSummary(tr.ID)
		require.True(t, ok)
		assert.Equal(t, sum.Distance, tr.TotalDistance)
		assert.Equal(t, sum.TotalTime.Milliseconds(), tr.TotalTime)
		assert.Equal(t, sum.MovingTime.Milliseconds(), tr.MovingTime)
		assert.Equal(t, sum.MaxSpeed, tr.MaxSpeed)
		assert.Equal(t, sum.AvgSpeed, tr.AvgSpeed)
		assert.Equal(t, tr.EndTime-tr.StartTime, tr.TotalTime)
		assert.LessOrEqual(t, tr.MovingTime, tr.TotalTime)
		assert.Positive(t, tr.TotalDistance)
		assert.InDelta(t, tr.TotalDistance/(float64(tr.MovingTime)/3.6e6), tr.AvgSpeed, 0.1)

		var one trackJSON
		getOK(t, srv, tok, fmt.Sprintf("/tracks/%d", tr.ID), &one)
		assert.Equal(t, tr, one)
	}

	res := get(t, srv, tok, "/tracks/42")
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, errorBody{Error: "not_found", Message: "track 42 not found"}, res.apiError(t))
}

func TestTracksOfAVehicleDoNotOverlap(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(4), mycartrackstest.WithTracksPerVehicle(25))
	for _, v := range srv.Fleet().Vehicles {
		require.Len(t, v.Tracks, 25)
		for i := 1; i < len(v.Tracks); i++ {
			prev, cur := v.Tracks[i-1], v.Tracks[i]
			assert.True(t, prev.End.Before(cur.Start), "vehicle %d: track %d ends %v after %d starts %v", v.ID, prev.ID, prev.End, cur.ID, cur.Start)
			// A vehicle parks where its previous track ended.
			last, _ := srv.Trackpoint(prev.ID, prev.Points-1)
			first, _ := srv.Trackpoint(cur.ID, 0)
			assert.Equal(t, [2]float64{last.Latitude, last.Longitude}, [2]float64{first.Latitude, first.Longitude})
		}
		span := v.Tracks[len(v.Tracks)-1].End.Sub(v.Tracks[0].Start)
		assert.Greater(t, span, 24*time.Hour, "tracks are spread over days")
	}
}

// TestTrackSummariesMatchPoints checks the summary against the points themselves: the
// distance within 1% of a haversine sum computed here.
func TestTrackSummariesMatchPoints(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(8), mycartrackstest.WithTracksPerVehicle(2),
		mycartrackstest.WithPointsPerTrack(600))
	for _, tr := range srv.Fleet().Tracks() {
		sum, _ := srv.TrackSummary(tr.ID)
		var metres, maxSpeed float64
		prev, _ := srv.Trackpoint(tr.ID, 0)
		for i := 1; i < tr.Points; i++ {
			p, _ := srv.Trackpoint(tr.ID, i)
			metres += haversine(prev.Latitude, prev.Longitude, p.Latitude, p.Longitude)
			maxSpeed = math.Max(maxSpeed, p.Speed)
			prev = p
		}
		assert.InEpsilon(t, metres/1000, sum.Distance, 0.01, "track %d", tr.ID)
		assert.Equal(t, maxSpeed, sum.MaxSpeed)
		assert.LessOrEqual(t, sum.MaxSpeed, 130.0)
		assert.Equal(t, tr.End.Sub(tr.Start), sum.TotalTime)
	}
	_, ok := srv.TrackSummary(1)
	assert.False(t, ok)
}

func TestTrackFilters(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(5), mycartrackstest.WithTracksPerVehicle(8),
		mycartrackstest.WithPointsPerTrack(10))
	tok := token(t, srv, "read")
	fleet := srv.Fleet()
	all := fleet.Tracks()

	idsOf := func(tracks []mycartrackstest.Track) []int64 {
		var ids []int64
		for _, tr := range tracks {
			ids = append(ids, tr.ID)
		}
		return ids
	}
	query := func(q string) []int64 {
		var p page
		getOK(t, srv, tok, "/tracks2?limit=1000&"+q, &p)
		return p.ids("id")
	}

	v := fleet.Vehicles[2]
	assert.Equal(t, idsOf(v.Tracks), query(fmt.Sprintf("vehicleId=%d", v.ID)))
	assert.Empty(t, query("vehicleId=4242"))

	from, to := all[5].Start, all[17].Start
	assert.Equal(t, idsOf(all[5:17]), query(fmt.Sprintf("from=%d&to=%d", from.UnixMilli(), to.UnixMilli())),
		"from is inclusive, to exclusive")
	assert.Equal(t, idsOf(all[5:]), query(fmt.Sprintf("from=%d", from.UnixMilli())))
	assert.Equal(t, idsOf(all[:17]), query(fmt.Sprintf("to=%d", to.UnixMilli())))
	assert.Empty(t, query(fmt.Sprintf("from=%d&to=%d", to.UnixMilli(), from.UnixMilli())))

	var mine []mycartrackstest.Track
	for _, tr := range all[5:17] {
		if tr.VehicleID == v.ID {
			mine = append(mine, tr)
		}
	}
	assert.Equal(t, idsOf(mine), query(fmt.Sprintf("vehicleId=%d&from=%d&to=%d", v.ID, from.UnixMilli(), to.UnixMilli())))

	var p page
	getOK(t, srv, tok, fmt.Sprintf("/tracks2?vehicleId=%d&includeTotal=true&limit=3", v.ID), &p)
	assert.Equal(t, 8, *p.Total, "the total counts the filtered tracks")
	assert.Len(t, p.Data, 3)
}

func TestTrackSortAndFields(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(4), mycartrackstest.WithTracksPerVehicle(6),
		mycartrackstest.WithPointsPerTrack(50))
	tok := token(t, srv, "read")

	var list struct{ Data []trackJSON }
	getOK(t, srv, tok, "/tracks2?sort=-startTime", &list)
	assert.True(t, slices.IsSortedFunc(list.Data, func(a, b trackJSON) int { return int(b.StartTime - a.StartTime) }))

	getOK(t, srv, tok, "/tracks2?sort=vehicleId,-startTime", &list)
	assert.True(t, slices.IsSortedFunc(list.Data, func(a, b trackJSON) int {
		if a.VehicleID != b.VehicleID {
			return int(a.VehicleID - b.VehicleID)
		}
		return int(b.StartTime - a.StartTime)
	}))

	getOK(t, srv, tok, "/tracks2?sort=-totalDistance", &list)
	assert.True(t, slices.IsSortedFunc(list.Data, func(a, b trackJSON) int {
		return cmpFloat(b.TotalDistance, a.TotalDistance)
	}))

	getOK(t, srv, tok, "/tracks2?sort=category,id", &list)
	assert.True(t, slices.IsSortedFunc(list.Data, func(a, b trackJSON) int {
		if a.Category != b.Category {
			return cmpString(a.Category, b.Category)
		}
		return int(a.ID - b.ID)
	}))

	var p page
	getOK(t, srv, tok, "/tracks2?fields=id,totalDistance,vehicleId&limit=2", &p)
	for _, item := range p.Data {
		assert.Equal(t, []string{"id", "totalDistance", "vehicleId"}, keys(item))
	}
	var one map[string]any
	getOK(t, srv, tok, "/tracks/700001?fields=startTime,endTime", &one)
	assert.Equal(t, []string{"endTime", "startTime"}, keys(one))
}

func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371000.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
