package mycartracks_test

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestModelsFromFixtures(t *testing.T) {
	s := newScripted(t, mycartracks.WithScopes("read write"))
	s.serve("GET /vehicles", http.StatusOK, "vehicles.json")
	s.serve("GET /vehicles/{id}", http.StatusOK, "vehicle_envelope.json")
	s.serve("GET /tracks2", http.StatusOK, "tracks_v2.json")
	s.serve("GET /vehicles/lastPositions", http.StatusOK, "last_positions.json")
	s.serve("GET /jobs/{id}", http.StatusOK, "job.json")
	s.serve("GET /geofences/{id}", http.StatusOK, "geofence.json")
	s.serve("POST /mapSharingLinks", http.StatusOK, "map_sharing_link.json")
	s.serve("GET /reports/summary", http.StatusOK, "report_summary.json")
	s.serve("GET /reports/daily", http.StatusOK, "report_daily.json")
	s.serve("GET /reports/{type}", http.StatusOK, "report_daily.json")
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

// Every model the fake server sends encodes back to the JSON it came from (the canonical
// wire form: the API's names and units), and decodes from that to the same value.
func TestModelsJSONRoundTripFromTheFake(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(3), mycartrackstest.WithTracksPerVehicle(2),
		mycartrackstest.WithPointsPerTrack(20), mycartrackstest.WithoutRateLimit()}, mycartracks.WithScopes(mycartracks.ScopeRead, mycartracks.ScopeWrite))
	c := f.client
	vehicle := mycartracks.ID(f.srv.Fleet().Vehicles[0].ID)
	_, err := c.MapSharingLinks.Create(ctx, mycartracks.MapSharingLinkParams{VehicleIDs: []mycartracks.ID{vehicle}, ExpiresAt: f.clock.Now().Add(time.Hour)})
	require.NoError(t, err)
	_, err = c.Geofences.Create(ctx, mycartracks.GeofenceParams{Name: mycartracks.Ptr("Yard"), Type: mycartracks.Ptr(mycartracks.GeofencePolygon),
		Points: []mycartracks.GeoPoint{{Latitude: 48.1, Longitude: 17.1}, {Latitude: 48.2, Longitude: 17.1}, {Latitude: 48.2, Longitude: 17.25}}})
	require.NoError(t, err)
	tracks, err := collect(t, c.Tracks.All(ctx, nil))
	require.NoError(t, err)
	points, err := c.Tracks.ListTrackpoints(ctx, tracks[0].ID, &mycartracks.TrackpointListOptions{KeepRaw: true})
	require.NoError(t, err)
	summary, err := c.Reports.Summary(ctx, nil)
	require.NoError(t, err)
	daily, err := c.Reports.Daily(ctx, nil)
	require.NoError(t, err)

	t.Run("Vehicle", func(t *testing.T) { roundTripAll(t, c.Vehicles.All(ctx, nil), rawOf[mycartracks.Vehicle]) })
	t.Run("VehicleGroup", func(t *testing.T) { roundTripAll(t, c.VehicleGroups.All(ctx, nil), rawOf[mycartracks.VehicleGroup]) })
	t.Run("Track", func(t *testing.T) { roundTrip(t, tracks, rawOf[mycartracks.Track]) })
	t.Run("Trackpoint", func(t *testing.T) { roundTrip(t, points.Items, rawOf[mycartracks.Trackpoint]) })
	t.Run("LastPosition", func(t *testing.T) { roundTripAll(t, c.Positions.AllLast(ctx, nil), rawOf[mycartracks.LastPosition]) })
	t.Run("SummaryRow", func(t *testing.T) { roundTrip(t, summary, rawOf[mycartracks.SummaryRow]) })
	t.Run("DailyRow", func(t *testing.T) { roundTrip(t, daily, rawOf[mycartracks.DailyRow]) })
	t.Run("User", func(t *testing.T) { roundTripAll(t, c.Users.All(ctx, nil), rawOf[mycartracks.User]) })
	t.Run("Driver", func(t *testing.T) { roundTripAll(t, c.Drivers.All(ctx, nil), rawOf[mycartracks.Driver]) })
	t.Run("Team", func(t *testing.T) { roundTripAll(t, c.Teams.All(ctx, nil), rawOf[mycartracks.Team]) })
	t.Run("Job", func(t *testing.T) { roundTripAll(t, c.Jobs.All(ctx, nil), rawOf[mycartracks.Job]) })
	t.Run("Geofence", func(t *testing.T) { roundTripAll(t, c.Geofences.All(ctx, nil), rawOf[mycartracks.Geofence]) })
	t.Run("MapSharingLink", func(t *testing.T) {
		roundTripAll(t, c.MapSharingLinks.All(ctx, nil), rawOf[mycartracks.MapSharingLink])
	})
}

// rawOf returns the Raw field of a model.
func rawOf[T any](v *T) *json.RawMessage {
	return reflect.ValueOf(v).Elem().FieldByName("Raw").Addr().Interface().(*json.RawMessage)
}

func roundTripAll[T any](t *testing.T, seq iter.Seq2[T, error], raw func(*T) *json.RawMessage) {
	t.Helper()
	items, err := collect(t, seq)
	require.NoError(t, err)
	roundTrip(t, items, raw)
}

// roundTrip checks that each item encodes to its Raw and decodes back to itself.
func roundTrip[T any](t *testing.T, items []T, raw func(*T) *json.RawMessage) {
	t.Helper()
	require.NotEmpty(t, items)
	for _, item := range items {
		b, err := json.Marshal(item)
		require.NoError(t, err)
		assert.JSONEq(t, string(*raw(&item)), string(b), "the canonical wire form")
		var back T
		require.NoError(t, json.Unmarshal(b, &back))
		*raw(&item), *raw(&back) = nil, nil
		assert.Equal(t, item, back)
	}
}

// Values built in Go, with SI values that do not convert exactly to the wire units,
// survive json.Marshal then json.Unmarshal unchanged (Raw aside).
func TestModelsJSONRoundTripFromGo(t *testing.T) {
	at := time.UnixMilli(1767261600123).UTC()
	pos := telematics.Position{Provider: "mycartracks", Latitude: 48.148598, Longitude: 17.107748, Altitude: telematics.Metres(151.7),
		Speed: telematics.MetresPerSecond(13.37), Heading: telematics.Degrees(359.9), Accuracy: telematics.Metres(4.2), Time: at,
		Known: telematics.HasAltitude | telematics.HasSpeed | telematics.HasHeading | telematics.HasAccuracy}
	lastPos := pos
	lastPos.VehicleID, lastPos.Altitude, lastPos.Accuracy, lastPos.Known = "7", 0, 0, telematics.HasSpeed|telematics.HasHeading
	for _, v := range []any{
		mycartracks.Track{ID: 1, VehicleID: 7, Name: "Morning run", Category: "business", StartTime: at, EndTime: at.Add(time.Hour),
			TotalDistance: telematics.Metres(12345.678), TotalTime: 1234567891, MovingTime: 59 * time.Minute,
			MaxSpeed: telematics.MetresPerSecond(33.3), AvgSpeed: telematics.KilometresPerHour(47.11)},
		mycartracks.Trackpoint{ID: 9, Position: pos},
		mycartracks.Trackpoint{ID: 10, Position: telematics.Position{Provider: "mycartracks", Latitude: 1, Longitude: 2, Time: at}},
		mycartracks.LastPosition{VehicleID: 7, VehicleName: "Van 7", Online: true, Position: lastPos},
		mycartracks.SummaryRow{VehicleID: 7, VehicleName: "Van 7", Tracks: 3, Distance: telematics.Metres(0.1), DrivingTime: 1500 * time.Microsecond,
			MaxSpeed: telematics.MetresPerSecond(0.3)},
		mycartracks.DailyRow{VehicleID: 7, Date: "2026-01-01", Tracks: 2, Distance: telematics.Kilometres(1e-3 / 3), DrivingTime: 7 * time.Hour},
		mycartracks.Job{ID: 3, Name: "Deliver", Status: mycartracks.JobCompleted, VehicleID: 7, DriverID: 2, Address: "Main St 1",
			Location: &mycartracks.GeoPoint{Latitude: 0, Longitude: 17.1}, ScheduledAt: at, CompletedAt: at.Add(time.Hour)},
		mycartracks.Job{ID: 4, Name: "Unplanned"},
		mycartracks.Geofence{ID: 5, Name: "Depot", Type: mycartracks.GeofenceCircle, Center: &mycartracks.GeoPoint{Latitude: 48.1, Longitude: 17.1},
			Radius: telematics.Metres(250.5)},
		mycartracks.Geofence{ID: 6, Name: "Yard", Type: mycartracks.GeofencePolygon, Points: []mycartracks.GeoPoint{{Latitude: 1, Longitude: 2}, {Latitude: 3, Longitude: 4}, {Latitude: 5, Longitude: 6}}},
		mycartracks.MapSharingLink{ID: 8, URL: "https://share.example/m/1", VehicleIDs: []mycartracks.ID{7}, ExpiresAt: at},
		mycartracks.Vehicle{ID: 7, Name: "Van 7", GroupIDs: []mycartracks.ID{1}},
		mycartracks.VehicleGroup{ID: 1, Name: "Vans", VehicleIDs: []mycartracks.ID{7}},
		mycartracks.User{ID: 1, Name: "Ann", Email: "ann@example.com"},
		mycartracks.Driver{ID: 2, Name: "Bo", Phone: "+421 900 000 000"},
		mycartracks.Team{ID: 3, Name: "North", MemberIDs: []mycartracks.ID{1, 2}},
	} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		back := reflect.New(reflect.TypeOf(v))
		require.NoError(t, json.Unmarshal(b, back.Interface()), "%T", v)
		back.Elem().FieldByName("Raw").SetBytes(nil)
		assert.Equal(t, v, back.Elem().Interface(), "%T: %s", v, b)
	}
}

// The wire form carries the API's units: the review case of 12.5 km read back as
// 12,500 km.
func TestTrackEncodesWireUnits(t *testing.T) {
	in := `{"id":1,"vehicleId":2,"name":"","category":"","startTime":1767261600000,"totalDistance":12.5,"totalTime":60000,"movingTime":30000,"maxSpeed":90,"avgSpeed":45.5}`
	var tr mycartracks.Track
	require.NoError(t, json.Unmarshal([]byte(in), &tr))
	b, err := json.Marshal(tr)
	require.NoError(t, err)
	assert.JSONEq(t, in, string(b))
	var back mycartracks.Track
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, 12.5, back.TotalDistance.Kilometres())
	assert.Equal(t, 90.0, back.MaxSpeed.KMH())
	assert.Equal(t, time.Minute, back.TotalTime)
}

// A single trackpoint decodes with json.Unmarshal like the points of a page, aliases
// included.
func TestTrackpointUnmarshalJSON(t *testing.T) {
	var tp mycartracks.Trackpoint
	in := `{"data":{"id":"5","time":"2026-01-01T10:00:00Z","lat":48.1,"lng":"17.1","heading":-90,"speed":36,"extra":[1,{"a":null}]}}`
	require.NoError(t, json.Unmarshal([]byte(in), &tp))
	assert.Equal(t, mycartracks.ID(5), tp.ID)
	assert.Equal(t, time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC), tp.Position.Time)
	assert.Equal(t, 48.1, tp.Position.Latitude)
	assert.Equal(t, 17.1, tp.Position.Longitude)
	assert.Equal(t, 270.0, tp.Position.Heading.Degrees())
	assert.InDelta(t, 10.0, tp.Position.Speed.MPS(), 1e-12)
	assert.Equal(t, telematics.HasSpeed|telematics.HasHeading, tp.Position.Known)
	assert.Equal(t, "mycartracks", tp.Position.Provider)
	assert.Contains(t, string(tp.Raw), `"extra"`)

	for _, bad := range []string{`{"id":1,"lat":"north"}`, `{"id":true}`, `[1]`, `{"id":1,"time":"tomorrow"}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &tp), bad)
	}
	assert.Error(t, tp.UnmarshalJSON([]byte(`{"id":1} {}`)), "data after the point")
}

// An absent id is "" in the provider-neutral types, wherever they come from.
func TestAbsentIDsAreEmptyInTelematics(t *testing.T) {
	var lp mycartracks.LastPosition
	require.NoError(t, json.Unmarshal([]byte(`{"vehicleName":"Van","latitude":48.1,"longitude":17.1}`), &lp))
	assert.Equal(t, "", lp.Position.VehicleID)
	require.NoError(t, json.Unmarshal([]byte(`{"carId":"7","latitude":48.1,"longitude":17.1}`), &lp))
	assert.Equal(t, "7", lp.Position.VehicleID)

	assert.Equal(t, telematics.Track{Provider: "mycartracks"}, mycartracks.Track{}.Telematics())
	assert.Equal(t, "3", mycartracks.Track{ID: 3}.Telematics().ID)
	assert.Equal(t, telematics.Vehicle{Provider: "mycartracks"}, mycartracks.Vehicle{}.Telematics())

	s := newScripted(t)
	s.serveList("GET /vehicles/lastPositions", listSpec{n: 2, total: -1, item: func(i int) map[string]any {
		if i == 0 {
			return map[string]any{"latitude": 48.1, "longitude": 17.1}
		}
		return map[string]any{"vehicleId": 9, "latitude": 48.1, "longitude": 17.1}
	}})
	s.serveList("GET /trackpoints/{id}", listSpec{n: 1, total: -1, maxLimit: mycartracks.MaxTrackpointPageSize,
		item: func(i int) map[string]any { return map[string]any{"id": 1, "latitude": 48.1, "longitude": 17.1} }})
	page, err := s.client.Positions.Last(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	assert.Equal(t, "", page.Items[0].Position.VehicleID)
	assert.Equal(t, "9", page.Items[1].Position.VehicleID)
	for p, err := range s.client.Tracks.Positions(context.Background(), mycartracks.Track{ID: 5}, nil) {
		require.NoError(t, err)
		assert.Equal(t, "", p.VehicleID)
	}
}
