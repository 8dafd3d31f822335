package smartcartest_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// location reads a vehicle's location over plain HTTP: its body and oemUpdatedAt.
func (r *raw) location(vehicleID, userID string) (status int, lat, lon float64, updated int64) {
	r.t.Helper()
	status, _, m := r.call(http.MethodGet, r.s.VehicleAPIURL+"/vehicles/"+vehicleID+"/signals/location-preciselocation", userID, "")
	if status != http.StatusOK {
		return status, 0, 0, 0
	}
	b, _ := json.Marshal(m["data"])
	var sig struct {
		Attributes struct {
			Body struct{ Latitude, Longitude float64 }
		}
		Meta struct {
			OEMUpdatedAt int64 `json:"oemUpdatedAt"`
		}
	}
	require.NoError(r.t, json.Unmarshal(b, &sig))
	return status, sig.Attributes.Body.Latitude, sig.Attributes.Body.Longitude, sig.Meta.OEMUpdatedAt
}

func TestDriveMovesTheLocationAtEachReport(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	r := newRaw(t, smartcartest.WithClock(clock))
	assert.False(t, r.s.Drive("nope", 50, time.Minute))
	assert.False(t, r.s.Drive(smartcartest.VehicleCamry, 0, time.Minute))
	require.True(t, r.s.Drive(smartcartest.VehicleCamry, 60, time.Minute))
	_, lat0, lon0, t0 := r.location(smartcartest.VehicleCamry, smartcartest.UserBob)
	assert.InDelta(t, 40.7128, lat0, 1e-6, "it starts where it was")
	assert.InDelta(t, -74.0060, lon0, 1e-6)
	assert.Equal(t, clock.Now().UnixMilli(), t0)

	clock.Advance(30 * time.Second) // no new report yet
	_, lat, lon, at := r.location(smartcartest.VehicleCamry, smartcartest.UserBob)
	assert.Equal(t, []any{lat0, lon0, t0}, []any{lat, lon, at})
	clock.Advance(40 * time.Second) // a minute after the start: one kilometre driven
	_, lat, _, at = r.location(smartcartest.VehicleCamry, smartcartest.UserBob)
	assert.Equal(t, t0+time.Minute.Milliseconds(), at)
	assert.InDelta(t, 1000, (lat-lat0)*111195, 50, "north along the circle")
	s, ok := r.s.Signal(smartcartest.VehicleCamry, "location-preciselocation")
	require.True(t, ok)
	assert.Equal(t, t0+time.Minute.Milliseconds(), s.OEMUpdatedAt.UnixMilli())

	r.s.Park(smartcartest.VehicleCamry)
	clock.Advance(30 * time.Minute) // within the token's hour
	_, parked, _, pat := r.location(smartcartest.VehicleCamry, smartcartest.UserBob)
	assert.Equal(t, lat, parked, "parked where it was last reported")
	assert.Equal(t, at, pat)
}

func TestAddVehiclesAndSleepingReads(t *testing.T) {
	r := newRaw(t, smartcartest.WithSleepingReads())
	ids := r.s.AddVehicles("fleet-user", 3)
	require.Len(t, ids, 3)
	status, _, m := r.call(http.MethodGet, r.s.VehicleAPIURL+"/connections?filter[userId]=fleet-user", "", "")
	assert.Equal(t, 200, status)
	assert.Len(t, m["data"], 3)
	status, lat, _, _ := r.location(ids[1], "fleet-user")
	assert.Equal(t, 200, status)
	assert.NotZero(t, lat)
	assert.NotEqual(t, ids, r.s.AddVehicles("fleet-user", 3), "new ids each time")

	r.s.SetAsleep(ids[0], true)
	status, _, _, _ = r.location(ids[0], "fleet-user")
	assert.Equal(t, http.StatusConflict, status)
	status, _, m = r.call(http.MethodGet, r.s.VehicleAPIURL+"/vehicles/"+ids[0]+"/signals", "fleet-user", "")
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "ASLEEP", firstError(t, m)["code"])
	r.s.SetAsleep(ids[0], false)
	status, _, _, _ = r.location(ids[0], "fleet-user")
	assert.Equal(t, http.StatusOK, status)
}
