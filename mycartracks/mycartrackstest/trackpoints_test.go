package mycartrackstest_test

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

type pointJSON struct {
	ID        int64   `json:"id"`
	Time      int64   `json:"time"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Altitude  float64 `json:"altitude"`
	Speed     float64 `json:"speed"`
	Bearing   float64 `json:"bearing"`
	Accuracy  float64 `json:"accuracy"`
}

type pointPage struct {
	Data  []pointJSON `json:"data"`
	Total *int        `json:"total"`
}

func wirePoint(p mycartrackstest.Trackpoint) pointJSON {
	return pointJSON{p.ID, p.Time.UnixMilli(), p.Latitude, p.Longitude, p.Altitude, p.Speed, p.Bearing, p.Accuracy}
}

// cities are the centres the simulated fleet drives around.
var cities = [][2]float64{
	{52.5200, 13.4050}, {48.8566, 2.3522}, {40.4168, -3.7038}, {41.9028, 12.4964},
	{52.3676, 4.9041}, {48.2082, 16.3738}, {50.0755, 14.4378}, {38.7223, -9.1393},
}

func TestTrackpointsArePlausible(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(8), mycartrackstest.WithTracksPerVehicle(2),
		mycartrackstest.WithPointsPerTrack(400))
	tok := token(t, srv, "read")
	for _, tr := range srv.Fleet().Tracks() {
		var p pointPage
		getOK(t, srv, tok, fmt.Sprintf("/trackpoints/%d?limit=10000&includeTotal=true", tr.ID), &p)
		require.Len(t, p.Data, 400)
		assert.Equal(t, 400, *p.Total)
		assert.Equal(t, tr.Start.UnixMilli(), p.Data[0].Time)
		assert.Equal(t, tr.End.UnixMilli(), p.Data[399].Time)

		nearCity := false
		for _, c := range cities {
			if haversine(c[0], c[1], p.Data[0].Latitude, p.Data[0].Longitude) < 60_000 {
				nearCity = true
			}
		}
		assert.True(t, nearCity, "track %d starts at %v,%v", tr.ID, p.Data[0].Latitude, p.Data[0].Longitude)

		var turnsChecked int
		for i, pt := range p.Data {
			want, ok := srv.Trackpoint(tr.ID, i)
			require.True(t, ok)
			require.Equal(t, wirePoint(want), pt)
			assert.GreaterOrEqual(t, pt.Speed, 0.0)
			assert.LessOrEqual(t, pt.Speed, 130.0)
			assert.GreaterOrEqual(t, pt.Bearing, 0.0)
			assert.Less(t, pt.Bearing, 360.0)
			assert.GreaterOrEqual(t, pt.Accuracy, 3.0)
			assert.LessOrEqual(t, pt.Accuracy, 15.0)
			assert.Greater(t, pt.Altitude, -100.0)
			assert.Less(t, pt.Altitude, 1000.0)
			if i == 0 {
				continue
			}
			prev := p.Data[i-1]
			assert.Greater(t, pt.ID, prev.ID)
			step := pt.Time - prev.Time
			assert.True(t, step >= 2000 && step <= 5000, "time step %d ms", step)
			d := haversine(prev.Latitude, prev.Longitude, pt.Latitude, pt.Longitude)
			// The distance covered matches the speeds at both ends.
			fastest := math.Max(prev.Speed, pt.Speed) / 3.6 * float64(step) / 1000
			assert.LessOrEqual(t, d, fastest*1.15+1, "track %d point %d", tr.ID, i)
			if d > 20 {
				turnsChecked++
				assert.Less(t, angleBetween(prev.Bearing, initialBearing(prev, pt)), 30.0, "bearing follows the movement")
			}
		}
		assert.Positive(t, turnsChecked)
	}
}

func TestTrackpointsPaging(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(1),
		mycartrackstest.WithPointsPerTrack(250))
	tok := token(t, srv, "read")
	id := srv.Fleet().Vehicles[0].Tracks[0].ID
	path := fmt.Sprintf("/trackpoints/%d", id)

	var p pointPage
	getOK(t, srv, tok, path, &p)
	assert.Len(t, p.Data, 100, "the default limit is 100")
	assert.Nil(t, p.Total)

	var all []pointJSON
	for offset := 0; ; offset += 60 {
		getOK(t, srv, tok, fmt.Sprintf("%s?offset=%d&limit=60", path, offset), &p)
		all = append(all, p.Data...)
		if len(p.Data) < 60 {
			break
		}
	}
	require.Len(t, all, 250)
	for i, pt := range all {
		assert.Equal(t, int64(i), pt.ID-all[0].ID)
	}

	res := getOK(t, srv, tok, path+"?offset=250&includeTotal=true", &p)
	assert.JSONEq(t, `{"data":[],"total":250}`, string(res.body))

	getOK(t, srv, tok, path+"?sort=-time&limit=3", &p)
	assert.Equal(t, []pointJSON{all[249], all[248], all[247]}, p.Data)
	getOK(t, srv, tok, path+"?sort=-id&offset=248", &p)
	assert.Equal(t, []pointJSON{all[1], all[0]}, p.Data)
	getOK(t, srv, tok, path+"?sort=time,id&limit=1", &p)
	assert.Equal(t, all[:1], p.Data)

	var raw struct{ Data []map[string]any }
	getOK(t, srv, tok, path+"?fields=longitude,time,latitude&limit=2", &raw)
	assert.Equal(t, []string{"latitude", "longitude", "time"}, keys(raw.Data[0]))
	assert.Equal(t, float64(all[0].Time), raw.Data[0]["time"])

	for query, message := range map[string]string{
		"?limit=10001":    "limit must be between 1 and 10000",
		"?limit=0":        "limit must be between 1 and 10000",
		"?sort=speed":     "trackpoints can only be sorted by time or id",
		"?fields=heading": `unknown field "heading" for trackpoint`,
	} {
		res := get(t, srv, tok, path+query)
		require.Equal(t, http.StatusBadRequest, res.status, query)
		assert.Equal(t, message, res.apiError(t).Message, query)
	}
	getOK(t, srv, tok, path+"?limit=10000", &p)
	assert.Len(t, p.Data, 250)

	res = get(t, srv, tok, "/trackpoints/42")
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, errorBody{Error: "not_found", Message: "track 42 not found"}, res.apiError(t))
}

func TestTrackWithoutPoints(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(2),
		mycartrackstest.WithPointsPerTrack(0))
	tok := token(t, srv, "read")
	tr := srv.Fleet().Vehicles[0].Tracks[0]
	res := getOK(t, srv, tok, fmt.Sprintf("/trackpoints/%d?includeTotal=true", tr.ID), &pointPage{})
	assert.JSONEq(t, `{"data":[],"total":0}`, string(res.body))
	var one trackJSON
	getOK(t, srv, tok, fmt.Sprintf("/tracks/%d", tr.ID), &one)
	assert.Equal(t, one.StartTime, one.EndTime)
	assert.Zero(t, one.TotalDistance)
	assert.Zero(t, one.AvgSpeed)
}

// TestMillionPointTrack serves pages of a track far too large to store: only the pages
// asked for are computed.
func TestMillionPointTrack(t *testing.T) {
	const n = 1_000_000
	srv := newServer(t, mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(1),
		mycartrackstest.WithPointsPerTrack(n))
	tok := token(t, srv, "read")
	tr := srv.Fleet().Vehicles[0].Tracks[0]
	require.Equal(t, n, tr.Points)
	path := fmt.Sprintf("/trackpoints/%d", tr.ID)

	var first pointPage
	getOK(t, srv, tok, path+"?limit=10000", &first)
	require.Len(t, first.Data, 10000)
	assert.Equal(t, tr.Start.UnixMilli(), first.Data[0].Time)

	var last pointPage
	getOK(t, srv, tok, path+"?offset=999995&limit=10000&includeTotal=true", &last)
	require.Len(t, last.Data, 5)
	assert.Equal(t, n, *last.Total)
	assert.Equal(t, tr.End.UnixMilli(), last.Data[4].Time)
	assert.Equal(t, first.Data[0].ID+n-1, last.Data[4].ID)

	var middle pointPage
	getOK(t, srv, tok, path+"?offset=500000&limit=2", &middle)
	want, _ := srv.Trackpoint(tr.ID, 500000)
	assert.Equal(t, wirePoint(want), middle.Data[0])
	assert.Greater(t, tr.End.Sub(tr.Start), 20*24*time.Hour, "a million points of a few seconds each")

	// Reading the track's times does not need its summary.
	var times map[string]any
	getOK(t, srv, tok, fmt.Sprintf("/tracks/%d?fields=startTime,endTime", tr.ID), &times)
	assert.Equal(t, float64(tr.End.UnixMilli()), times["endTime"])
}

func initialBearing(a, b pointJSON) float64 {
	rad := math.Pi / 180
	y := math.Sin((b.Longitude-a.Longitude)*rad) * math.Cos(b.Latitude*rad)
	x := math.Cos(a.Latitude*rad)*math.Sin(b.Latitude*rad) - math.Sin(a.Latitude*rad)*math.Cos(b.Latitude*rad)*math.Cos((b.Longitude-a.Longitude)*rad)
	return math.Mod(math.Atan2(y, x)/rad+360, 360)
}

func angleBetween(a, b float64) float64 {
	d := math.Abs(a - b)
	return math.Min(d, 360-d)
}
