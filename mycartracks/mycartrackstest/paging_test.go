package mycartrackstest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

func TestPagingEdgeCases(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(4), mycartrackstest.WithTracksPerVehicle(5),
		mycartrackstest.WithPointsPerTrack(20))
	tok := token(t, srv, "read")
	var all []int64
	for _, tr := range srv.Fleet().Tracks() {
		all = append(all, tr.ID)
	}
	require.Len(t, all, 20)

	tests := []struct {
		query string
		want  []int64
		total int // -1: no total key
	}{
		{"", all, -1},
		{"?limit=5", all[:5], -1},
		{"?offset=15&limit=5", all[15:], -1},
		{"?offset=20&limit=5", nil, -1},
		{"?offset=14&limit=7&includeTotal=true", all[14:], 20},
		{"?offset=100&includeTotal=true", nil, 20},
		{"?limit=1000&includeTotal=false", all, -1},
		{"?limit=1&offset=19&includeTotal=1", all[19:], 20},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var p page
			res := getOK(t, srv, tok, "/tracks2"+tt.query, &p)
			assert.Equal(t, len(tt.want), len(p.Data))
			if len(tt.want) > 0 {
				assert.Equal(t, tt.want, p.ids("id"))
			} else {
				assert.Contains(t, string(res.body), `"data":[]`, "an empty page is an empty array, not null")
			}
			if tt.total < 0 {
				assert.Nil(t, p.Total)
			} else {
				require.NotNil(t, p.Total)
				assert.Equal(t, tt.total, *p.Total)
			}
		})
	}
}

func TestPagingWalksEveryItemOnce(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(7), mycartrackstest.WithTracksPerVehicle(9),
		mycartrackstest.WithPointsPerTrack(10))
	tok := token(t, srv, "read")
	var want []int64
	for _, tr := range srv.Fleet().Tracks() {
		want = append(want, tr.ID)
	}
	for _, limit := range []int{1, 7, 9, 63, 64, 100} {
		var got []int64
		for offset := 0; ; offset += limit {
			var p page
			getOK(t, srv, tok, fmt.Sprintf("/tracks2?offset=%d&limit=%d", offset, limit), &p)
			got = append(got, p.ids("id")...)
			if len(p.Data) < limit {
				break
			}
		}
		assert.Equal(t, want, got, "limit %d", limit)
	}
}

func TestEmptyLists(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(0))
	tok := token(t, srv, "read")
	for _, path := range []string{"/vehicles", "/vehicleGroups", "/tracks2", "/vehicles/lastPositions"} {
		var p page
		res := getOK(t, srv, tok, path+"?includeTotal=true", &p)
		assert.JSONEq(t, `{"data":[],"total":0}`, string(res.body), path)
	}
}

func TestInvalidListParameters(t *testing.T) {
	srv := newServer(t)
	tok := token(t, srv, "read")
	tests := []struct{ path, message string }{
		{"/vehicles?limit=0", "limit must be between 1 and 1000"},
		{"/vehicles?limit=1001", "limit must be between 1 and 1000"},
		{"/vehicles?limit=-5", "limit must be between 1 and 1000"},
		{"/vehicles?limit=ten", "limit must be between 1 and 1000"},
		{"/vehicles?limit=", "limit must be between 1 and 1000"},
		{"/tracks2?limit=10000", "limit must be between 1 and 1000"},
		{"/tracks2?offset=-1", "offset must be a non-negative integer"},
		{"/tracks2?offset=1.5", "offset must be a non-negative integer"},
		{"/tracks2?includeTotal=maybe", "includeTotal must be true or false"},
		{"/tracks2?sort=speed", `unknown sort field "speed" for track`},
		{"/vehicles?sort=groupIds", `vehicle cannot be sorted by "groupIds"`},
		{"/vehicles?fields=id,colour", `unknown field "colour" for vehicle`},
		{"/vehicles/1001?fields=colour", `unknown field "colour" for vehicle`},
		{"/tracks2?vehicleId=abc", "vehicleId must be an integer"},
		{"/tracks2?from=yesterday", "from must be an integer"},
		{"/tracks2?to=2026-01-01T00:00:00Z", "to must be an integer"},
		{"/vehicles/lastPositions?vehicleIds=1,x", "vehicleIds must be comma-separated integers"},
		{"/vehicles/lastPositions?groupIds=501,,502", "groupIds must be comma-separated integers"},
		{"/vehicles/abc", `vehicle id must be an integer, got "abc"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := get(t, srv, tok, tt.path)
			require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
			e := res.apiError(t)
			assert.Equal(t, "invalid_request", e.Error)
			assert.Equal(t, tt.message, e.Message)
		})
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	srv := newServer(t)
	tok := token(t, srv, "read write")
	for _, path := range []string{"/", "/nothing", "/vehicles/1001/extra", "/tracks", "/vehicles/", "/tracks2/"} {
		res := get(t, srv, tok, path)
		assert.Equal(t, http.StatusNotFound, res.status, path)
		assert.Equal(t, "not_found", res.apiError(t).Error, path)
		assert.NotEmpty(t, res.header.Get("X-Rate-Limit-Limit"), path)
	}
	res := do(t, srv, tok, http.MethodPost, "/vehicles", `{}`)
	assert.Equal(t, http.StatusMethodNotAllowed, res.status)
	assert.Equal(t, "GET", res.header.Get("Allow"))
	assert.Equal(t, "method_not_allowed", res.apiError(t).Error)

	outside, err := srv.Client().Get(srv.URL + "/elsewhere")
	require.NoError(t, err)
	outside.Body.Close()
	assert.Equal(t, http.StatusNotFound, outside.StatusCode)
}
