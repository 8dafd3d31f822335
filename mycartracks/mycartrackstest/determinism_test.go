package mycartrackstest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// responses records what a fixed sequence of requests answers, headers that vary
// with time left out.
func responses(t *testing.T, srv *mycartrackstest.Server) []string {
	t.Helper()
	tok := token(t, srv, "read")
	var out []string
	for _, path := range []string{
		"/vehicles", "/vehicles/1002", "/vehicleGroups", "/vehicles/lastPositions", "/tracks2?includeTotal=true",
		"/tracks2?sort=-totalDistance&limit=5", "/tracks/700004", "/trackpoints/700007?limit=10000",
		"/reports/summary", "/reports/daily", "/users", "/drivers", "/teams", "/jobs", "/geofences",
		"/mapSharingLinks", "/nothing", "/tracks2?limit=0",
	} {
		res := get(t, srv, tok, path)
		out = append(out, fmt.Sprintf("%s %d %s %s", path, res.status, res.header.Get("X-Request-Id"), res.body))
	}
	return out
}

func TestSameOptionsServeSameBytes(t *testing.T) {
	opts := []mycartrackstest.Option{mycartrackstest.WithSeed(42), mycartrackstest.WithVehicles(4),
		mycartrackstest.WithTracksPerVehicle(3), mycartrackstest.WithPointsPerTrack(300)}
	a := responses(t, newServer(t, opts...))
	// Another server on another clock: generated data does not depend on the clock.
	clock := clocktest.New(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC))
	b := responses(t, newServer(t, append(opts, mycartrackstest.WithClock(clock))...))
	require.Len(t, b, len(a))
	for i := range a {
		assert.Equal(t, a[i], b[i])
	}

	c := responses(t, newServer(t, append(opts, mycartrackstest.WithSeed(43))...))
	assert.NotEqual(t, a[0], c[0], "another seed, another fleet")

	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	moved := newServer(t, append(opts, mycartrackstest.WithFleetStart(start))...)
	for _, tr := range moved.Fleet().Tracks() {
		assert.True(t, tr.End.Before(start))
		assert.True(t, tr.End.After(start.Add(-30*24*time.Hour)))
	}
}

// TestGeneratedDataIsStable pins values that integrators' golden files depend on. They
// come from integer arithmetic only, so they are the same on every platform; a change
// here changes every integrator's fixtures.
func TestGeneratedDataIsStable(t *testing.T) {
	srv := newServer(t)
	f := srv.Fleet()
	require.Len(t, f.Vehicles, mycartrackstest.DefaultVehicles)
	assert.Equal(t, mycartrackstest.DefaultFleetStart, f.Start)
	assert.Equal(t, "Škoda Octavia Combi B-VP 4050", f.Vehicles[0].Name)
	assert.Equal(t, "Peugeot Partner JN-381-BX", f.Vehicles[1].Name)
	assert.Equal(t, []int64{501, 506}, f.Vehicles[0].GroupIDs)
	first := f.Tracks()[0]
	assert.Equal(t, int64(700021), first.ID)
	assert.Equal(t, time.Date(2026, 2, 25, 7, 0, 15, 0, time.UTC), first.Start)
	assert.Equal(t, 200, first.Points)
}

func TestFleetIsACopy(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(2))
	f := srv.Fleet()
	f.Vehicles[0].GroupIDs[0] = 0
	f.Groups[0].VehicleIDs[0] = 0
	assert.Equal(t, []int64{501, 503}, srv.Fleet().Vehicles[0].GroupIDs)
	assert.Equal(t, []int64{1001}, srv.Fleet().Groups[0].VehicleIDs)
	assert.Equal(t, []int64{1001, 1002}, srv.Fleet().VehicleIDs())
}
