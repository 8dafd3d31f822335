package mycartracks_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestModelsFromFixtures(t *testing.T) {
	s := newScripted(t, mycartracks.WithScopes("read write"))
	s.fixture("GET /vehicles", "vehicles.json")
	s.fixture("GET /vehicles/{id}", "vehicle_envelope.json")
	s.fixture("GET /tracks2", "tracks_v2.json")
	s.fixture("GET /vehicles/lastPositions", "last_positions.json")
	s.fixture("GET /jobs/{id}", "job.json")
	s.fixture("GET /geofences/{id}", "geofence.json")
	s.fixture("POST /mapSharingLinks", "map_sharing_link.json")
	s.fixture("GET /reports/summary", "report_summary.json")
	s.fixture("GET /reports/daily", "report_daily.json")
	s.fixture("GET /reports/{type}", "report_daily.json")
	ctx := context.Background()
	t0 := time.UnixMilli(1767261600000).UTC()

	t.Run("vehicles", func(t *testing.T) {
		page, err := s.client.Vehicles.List(ctx, &mycartracks.ListOptions{IncludeTotal: true})
		require.NoError(t, err)
		assert.Equal(t, 2, page.Total)
		require.Len(t, page.Items, 2)
		v := page.Items[0]
		assert.Equal(t, mycartracks.Vehicle{ID: 7, Name: "Van 7", Description: "Delivery van", LicensePlate: "BA-123XY",
			VIN: "WVWZZZ1JZXW000001", GroupIDs: []mycartracks.ID{1, 2}, Raw: v.Raw}, v)
		assert.Contains(t, string(v.Raw), `"odometer":12345`, "unknown fields stay reachable")
		assert.Equal(t, mycartracks.ID(8), page.Items[1].ID, "numeric string id")
		assert.Equal(t, []mycartracks.ID{3}, page.Items[1].GroupIDs)
		assert.Equal(t, telematics.Vehicle{ID: "7", Provider: "mycartracks", Name: "Van 7", Description: "Delivery van",
			VIN: "WVWZZZ1JZXW000001", LicensePlate: "BA-123XY"}, v.Telematics())

		one, err := s.client.Vehicles.Get(ctx, 7)
		require.NoError(t, err)
		assert.Equal(t, "Van 7", one.Name, "unwrapped from {\"data\":{...}}")
		assert.JSONEq(t, `{"id":7,"name":"Van 7","vin":"WVWZZZ1JZXW000001","groupIds":[]}`, string(one.Raw))
	})
	t.Run("tracks", func(t *testing.T) {
		page, err := s.client.Tracks.List(ctx, &mycartracks.TrackListOptions{ListOptions: mycartracks.ListOptions{IncludeTotal: true}})
		require.NoError(t, err)
		assert.Equal(t, 2, page.Total, "totalCount")
		tr := page.Items[0]
		assert.EqualValues(t, 501, tr.ID)
		assert.EqualValues(t, 7, tr.VehicleID, "carId")
		assert.Equal(t, t0, tr.StartTime)
		assert.Equal(t, t0.Add(time.Hour), tr.EndTime)
		assert.Equal(t, 80500.0, tr.TotalDistance.Metres())
		assert.Equal(t, time.Hour, tr.TotalTime)
		assert.Equal(t, 50*time.Minute, tr.MovingTime)
		assert.InDelta(t, 130.0, tr.MaxSpeed.KMH(), 1e-9)
		assert.InDelta(t, 80.5, tr.AvgSpeed.KMH(), 1e-9)
		tt := tr.Telematics()
		assert.Equal(t, telematics.Track{ID: "501", VehicleID: "7", Provider: "mycartracks", Name: "To Vienna", Category: "business",
			Start: t0, End: t0.Add(time.Hour), Distance: tr.TotalDistance, Duration: time.Hour, MovingDuration: 50 * time.Minute,
			MaxSpeed: tr.MaxSpeed, AvgSpeed: tr.AvgSpeed}, tt)

		b := page.Items[1]
		assert.EqualValues(t, 8, b.VehicleID, "vehicleId wins over carId")
		assert.Equal(t, time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), b.StartTime, "RFC 3339")
		assert.Equal(t, time.Date(2026, 1, 1, 12, 30, 0, 500_000_000, time.UTC), b.EndTime)
		assert.Equal(t, 12250.0, b.TotalDistance.Metres(), "numeric string")
		assert.Equal(t, 1800500*time.Millisecond, b.TotalTime)
		assert.Zero(t, b.MaxSpeed)
	})
	t.Run("last positions", func(t *testing.T) {
		page, err := s.client.Positions.Last(ctx, nil)
		require.NoError(t, err)
		require.Len(t, page.Items, 2)
		a := page.Items[0]
		assert.EqualValues(t, 7, a.VehicleID)
		assert.True(t, a.Online)
		assert.Equal(t, telematics.Position{VehicleID: "7", Provider: "mycartracks", Latitude: 48.1486, Longitude: 17.1077,
			Speed: telematics.KilometresPerHour(36), Heading: 90, Time: t0, Known: telematics.HasSpeed | telematics.HasHeading}, a.Position)
		b := page.Items[1]
		assert.EqualValues(t, 8, b.VehicleID, "carId as a string")
		assert.Equal(t, 50.08, b.Position.Latitude)
		assert.Equal(t, 14.42, b.Position.Longitude)
		assert.Equal(t, telematics.PositionFields(0), b.Position.Known, "no speed or heading sent")
		assert.Equal(t, time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC), b.Position.Time)
	})
	t.Run("job", func(t *testing.T) {
		j, err := s.client.Jobs.Get(ctx, 31)
		require.NoError(t, err)
		assert.Equal(t, mycartracks.Job{ID: 31, Name: "Deliver pallets", Status: mycartracks.JobInProgress, VehicleID: 7, DriverID: 4,
			Address: "Hlavna 1, Bratislava", Location: &mycartracks.GeoPoint{Latitude: 48.1486, Longitude: 17.1077},
			ScheduledAt: t0, Raw: j.Raw}, *j)
		assert.Contains(t, string(j.Raw), `"priority":"high"`)
	})
	t.Run("geofence", func(t *testing.T) {
		g, err := s.client.Geofences.Get(ctx, 12)
		require.NoError(t, err)
		assert.Equal(t, mycartracks.GeofencePolygon, g.Type)
		assert.Nil(t, g.Center)
		assert.Zero(t, g.Radius)
		assert.Equal(t, []mycartracks.GeoPoint{{Latitude: 48.1, Longitude: 17.1}, {Latitude: 48.2, Longitude: 17.1}, {Latitude: 48.2, Longitude: 17.2}}, g.Points)
	})
	t.Run("map sharing link", func(t *testing.T) {
		l, err := s.client.MapSharingLinks.Create(ctx, mycartracks.MapSharingLinkParams{VehicleIDs: []mycartracks.ID{7, 8}, ExpiresAt: t0.Add(24 * time.Hour)})
		require.NoError(t, err)
		assert.Equal(t, "https://mycartracks.com/share/abc", l.URL)
		assert.Equal(t, t0.Add(24*time.Hour), l.ExpiresAt)
		assert.Equal(t, []mycartracks.ID{7, 8}, l.VehicleIDs)
	})
	t.Run("reports", func(t *testing.T) {
		sum, err := s.client.Reports.Summary(ctx, nil)
		require.NoError(t, err)
		require.Len(t, sum, 1)
		assert.Equal(t, 345500.0, sum[0].Distance.Metres())
		assert.Equal(t, 5*time.Hour, sum[0].DrivingTime)
		assert.InDelta(t, 131.5, sum[0].MaxSpeed.KMH(), 1e-9)
		assert.Equal(t, 12, sum[0].Tracks)
		daily, err := s.client.Reports.Daily(ctx, nil)
		require.NoError(t, err)
		require.Len(t, daily, 2)
		assert.Equal(t, "2026-01-01", daily[0].Date)
		assert.Equal(t, 90*time.Minute, daily[0].DrivingTime)
		assert.EqualValues(t, 8, daily[1].VehicleID)
		rows, err := s.client.Reports.Rows(ctx, "fuel", nil)
		require.NoError(t, err)
		assert.Len(t, rows, 2)
	})
}

func TestRequestBodies(t *testing.T) {
	s := newScripted(t, mycartracks.WithScopes(mycartracks.ScopeRead, mycartracks.ScopeWrite))
	var mu sync.Mutex
	bodies := map[string]string{}
	for _, p := range []string{"POST /jobs", "PUT /jobs/{id}", "POST /geofences", "PUT /geofences/{id}", "POST /mapSharingLinks"} {
		s.handle(p, func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies[p] = string(b)
			mu.Unlock()
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			writeJSON(w, 200, map[string]any{"id": 1})
		})
	}
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	_, err := s.client.Jobs.Create(ctx, mycartracks.JobParams{Name: mycartracks.Ptr("Deliver"), VehicleID: mycartracks.Ptr[mycartracks.ID](7),
		Location: &mycartracks.GeoPoint{Latitude: 0, Longitude: 17.1}, ScheduledAt: &at})
	require.NoError(t, err)
	_, err = s.client.Jobs.Update(ctx, 3, mycartracks.JobParams{Status: mycartracks.Ptr(mycartracks.JobCompleted)})
	require.NoError(t, err)
	_, err = s.client.Geofences.Create(ctx, mycartracks.GeofenceParams{Name: mycartracks.Ptr("Depot"), Type: mycartracks.Ptr(mycartracks.GeofenceCircle),
		Center: &mycartracks.GeoPoint{Latitude: 48.1, Longitude: 17.1}, Radius: mycartracks.Ptr(telematics.Kilometres(1.5))})
	require.NoError(t, err)
	_, err = s.client.Geofences.Update(ctx, 4, mycartracks.GeofenceParams{Name: mycartracks.Ptr("Yard")})
	require.NoError(t, err)
	_, err = s.client.MapSharingLinks.Create(ctx, mycartracks.MapSharingLinkParams{VehicleIDs: []mycartracks.ID{7}, ExpiresAt: at})
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	assert.JSONEq(t, `{"name":"Deliver","vehicleId":7,"latitude":0,"longitude":17.1,"scheduledAt":1767261600000}`, bodies["POST /jobs"], "a zero latitude is sent")
	assert.JSONEq(t, `{"status":"completed"}`, bodies["PUT /jobs/{id}"], "a partial update sends only what is set")
	assert.JSONEq(t, `{"name":"Depot","type":"circle","center":{"latitude":48.1,"longitude":17.1},"radius":1500}`, bodies["POST /geofences"])
	assert.JSONEq(t, `{"name":"Yard"}`, bodies["PUT /geofences/{id}"])
	assert.JSONEq(t, `{"vehicleIds":[7],"expiresAt":1767261600000}`, bodies["POST /mapSharingLinks"])
}

func TestIDDecoding(t *testing.T) {
	for in, want := range map[string]mycartracks.ID{`7`: 7, `"8"`: 8, `null`: 0, `""`: 0, `-3`: -3} {
		var id mycartracks.ID
		require.NoError(t, json.Unmarshal([]byte(in), &id), in)
		assert.Equal(t, want, id, in)
	}
	for _, in := range []string{`1.5`, `"x"`, `true`, `"99999999999999999999"`} {
		var id mycartracks.ID
		assert.Error(t, json.Unmarshal([]byte(in), &id), in)
	}
	assert.Equal(t, "42", mycartracks.ID(42).String())
}

func TestTolerantDecodingRejectsWrongTypes(t *testing.T) {
	var tr mycartracks.Track
	assert.Error(t, json.Unmarshal([]byte(`{"id":1,"totalDistance":true}`), &tr))
	assert.Error(t, json.Unmarshal([]byte(`{"id":1,"startTime":"tomorrow"}`), &tr))
	var lp mycartracks.LastPosition
	assert.Error(t, json.Unmarshal([]byte(`{"vehicleId":1,"lat":"north"}`), &lp))
	require.NoError(t, json.Unmarshal([]byte(`{"data":{"vehicleId":1,"lat":"51.5","heading":null}}`), &lp))
	assert.Equal(t, 51.5, lp.Position.Latitude)
	assert.False(t, lp.Position.Has(telematics.HasHeading))
}
