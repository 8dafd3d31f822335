package mycartrackstest_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

type vehicleJSON struct {
	ID           int64   `json:"id"`
	Name         string  `json:"name"`
	Description  string  `json:"description"`
	LicensePlate string  `json:"licensePlate"`
	VIN          string  `json:"vin"`
	GroupIDs     []int64 `json:"groupIds"`
}

func TestVehicles(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(12))
	tok := token(t, srv, "read")
	fleet := srv.Fleet()

	var list struct {
		Data  []vehicleJSON `json:"data"`
		Total int           `json:"total"`
	}
	getOK(t, srv, tok, "/vehicles?includeTotal=true", &list)
	require.Len(t, list.Data, 12)
	assert.Equal(t, 12, list.Total)
	for i, v := range list.Data {
		want := fleet.Vehicles[i]
		assert.Equal(t, want.ID, v.ID)
		assert.Equal(t, want.Name, v.Name)
		assert.Equal(t, want.GroupIDs, v.GroupIDs)
		assert.NotEmpty(t, v.Description)
		assert.NotEmpty(t, v.LicensePlate)
		assert.Len(t, v.VIN, 17)

		var one vehicleJSON
		getOK(t, srv, tok, fmt.Sprintf("/vehicles/%d", v.ID), &one)
		assert.Equal(t, v, one, "a single vehicle is the bare object, as in the list")
	}

	res := get(t, srv, tok, "/vehicles/999999")
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, errorBody{Error: "not_found", Message: "vehicle 999999 not found"}, res.apiError(t))
}

func TestVehicleFieldsAndSort(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(9))
	tok := token(t, srv, "read")

	var p page
	getOK(t, srv, tok, "/vehicles?fields=name,%20id&limit=3", &p)
	require.Len(t, p.Data, 3)
	for _, item := range p.Data {
		assert.Len(t, item, 2)
		assert.Contains(t, item, "id")
		assert.Contains(t, item, "name")
	}

	var one map[string]any
	getOK(t, srv, tok, "/vehicles/1003?fields=vin", &one)
	assert.Equal(t, []string{"vin"}, keys(one))

	getOK(t, srv, tok, "/vehicles?sort=-id", &p)
	ids := p.ids("id")
	assert.True(t, slices.IsSortedFunc(ids, func(a, b int64) int { return int(b - a) }), "%v", ids)

	getOK(t, srv, tok, "/vehicles?sort=name&fields=id,name", &p)
	var names []string
	for _, item := range p.Data {
		names = append(names, item["name"].(string))
	}
	assert.True(t, slices.IsSorted(names), "%v", names)

	// Several vehicles share a description prefix; ties are broken by id.
	getOK(t, srv, tok, "/vehicles?sort=-description,id", &p)
	for i := 1; i < len(p.Data); i++ {
		a, b := p.Data[i-1], p.Data[i]
		if a["description"] == b["description"] {
			assert.Less(t, a["id"], b["id"])
		} else {
			assert.Greater(t, a["description"], b["description"])
		}
	}
}

func TestVehicleGroups(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(10))
	tok := token(t, srv, "read")
	fleet := srv.Fleet()

	var list struct {
		Data []struct {
			ID         int64   `json:"id"`
			Name       string  `json:"name"`
			VehicleIDs []int64 `json:"vehicleIds"`
		} `json:"data"`
	}
	getOK(t, srv, tok, "/vehicleGroups", &list)
	require.Len(t, list.Data, len(fleet.Groups))
	member := map[int64][]int64{}
	for i, g := range list.Data {
		assert.Equal(t, fleet.Groups[i].ID, g.ID)
		assert.Equal(t, fleet.Groups[i].VehicleIDs, g.VehicleIDs)
		for _, v := range g.VehicleIDs {
			member[v] = append(member[v], g.ID)
		}
		var one map[string]any
		getOK(t, srv, tok, fmt.Sprintf("/vehicleGroups/%d", g.ID), &one)
		assert.Equal(t, g.Name, one["name"])
	}
	for _, v := range fleet.Vehicles {
		assert.Equal(t, v.GroupIDs, member[v.ID], "vehicle %d", v.ID)
	}
	assert.Equal(t, http.StatusNotFound, get(t, srv, tok, "/vehicleGroups/1").status)
}

func TestLastPositions(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(10))
	tok := token(t, srv, "read")
	fleet := srv.Fleet()

	type lastPosition struct {
		VehicleID   int64   `json:"vehicleId"`
		VehicleName string  `json:"vehicleName"`
		Time        int64   `json:"time"`
		Latitude    float64 `json:"latitude"`
		Longitude   float64 `json:"longitude"`
		Speed       float64 `json:"speed"`
		Bearing     float64 `json:"bearing"`
		Online      bool    `json:"online"`
	}
	var list struct{ Data []lastPosition }
	getOK(t, srv, tok, "/vehicles/lastPositions", &list)
	require.Len(t, list.Data, 10)
	online := 0
	for i, lp := range list.Data {
		v := fleet.Vehicles[i]
		last := v.Tracks[len(v.Tracks)-1]
		p, ok := srv.Trackpoint(last.ID, last.Points-1)
		require.True(t, ok)
		assert.Equal(t, v.ID, lp.VehicleID)
		assert.Equal(t, v.Name, lp.VehicleName)
		assert.Equal(t, last.End.UnixMilli(), lp.Time)
		assert.Equal(t, p.Latitude, lp.Latitude)
		assert.Equal(t, p.Longitude, lp.Longitude)
		assert.Equal(t, p.Speed, lp.Speed)
		assert.Equal(t, p.Bearing, lp.Bearing)
		if lp.Online {
			online++
		}
	}
	assert.Positive(t, online, "some vehicles are online")
	assert.Less(t, online, 10, "some are not")

	vehiclesOf := func(query string) []int64 {
		var p page
		getOK(t, srv, tok, "/vehicles/lastPositions"+query, &p)
		return p.ids("vehicleId")
	}
	assert.Equal(t, []int64{1002, 1007}, vehiclesOf("?vehicleIds=1007,1002,424242"))
	refrigerated := fleet.Groups[len(fleet.Groups)-1]
	assert.Equal(t, refrigerated.VehicleIDs, vehiclesOf(fmt.Sprintf("?groupIds=%d", refrigerated.ID)))
	assert.Equal(t, []int64{1001, 1002, 1004, 1007, 1010}, vehiclesOf(fmt.Sprintf("?groupIds=%d&vehicleIds=1002", refrigerated.ID)),
		"vehicleIds and groupIds select the union")
	assert.Equal(t, []int64{1004, 1005}, vehiclesOf("?offset=3&limit=2"))
	assert.Empty(t, vehiclesOf("?vehicleIds=1"))
}

func TestLastPositionOfAVehicleWithoutTracks(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(0))
	tok := token(t, srv, "read")
	var list struct{ Data []map[string]any }
	getOK(t, srv, tok, "/vehicles/lastPositions", &list)
	require.Len(t, list.Data, 1)
	assert.Equal(t, []string{"online", "vehicleId", "vehicleName"}, keys(list.Data[0]))
	assert.Equal(t, false, list.Data[0]["online"])
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
