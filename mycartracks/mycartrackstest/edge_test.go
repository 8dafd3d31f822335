package mycartrackstest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

func TestSortTiesAndAbsentValues(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(9), mycartrackstest.WithTracksPerVehicle(4),
		mycartrackstest.WithPointsPerTrack(10))
	tok := token(t, srv, "read write")

	// Ties are broken by id, ascending, whatever the direction of the sort.
	for _, query := range []string{"sort=category", "sort=-category"} {
		var list struct{ Data []trackJSON }
		getOK(t, srv, tok, "/tracks2?"+query, &list)
		desc := query[5] == '-'
		assert.True(t, slices.IsSortedFunc(list.Data, func(a, b trackJSON) int {
			if a.Category != b.Category {
				if desc {
					return cmpString(b.Category, a.Category)
				}
				return cmpString(a.Category, b.Category)
			}
			return int(a.ID - b.ID)
		}), query)
	}

	// Booleans: false first.
	var p page
	getOK(t, srv, tok, "/vehicles/lastPositions?sort=-online,vehicleId&fields=vehicleId,online", &p)
	var online []bool
	for _, item := range p.Data {
		online = append(online, item["online"].(bool))
	}
	assert.True(t, slices.IsSortedFunc(online, func(a, b bool) int {
		switch {
		case a == b:
			return 0
		case a:
			return -1
		}
		return 1
	}), "%v", online)
	assert.True(t, online[0])
	assert.False(t, online[len(online)-1])

	// An absent value sorts before any value.
	res := do(t, srv, tok, http.MethodPost, "/jobs", `{"name":"unassigned"}`)
	require.Equal(t, http.StatusCreated, res.status)
	var asc, desc, byLatitude page
	getOK(t, srv, tok, "/jobs?sort=vehicleId&fields=id,vehicleId", &asc)
	assert.NotContains(t, asc.Data[0], "vehicleId")
	assert.Contains(t, asc.Data[1], "vehicleId")
	getOK(t, srv, tok, "/jobs?sort=-vehicleId&fields=id,vehicleId", &desc)
	assert.NotContains(t, desc.Data[len(desc.Data)-1], "vehicleId")
	getOK(t, srv, tok, "/jobs?sort=-latitude,name", &byLatitude)
	assert.Len(t, byLatitude.Data, 10)
	assert.NotContains(t, byLatitude.Data[9], "latitude")
}

func TestStringsRoundTrip(t *testing.T) {
	srv := newServer(t)
	tok := token(t, srv, "read write")
	names := []string{
		"quotes \" and \\ backslashes", "tab\tnew\nline\rreturn", "control \x01\x1f", "Žluťoučký kůň 🚚",
		"<html> & 'single'", "\u2028 separators \u2029",
	}
	for _, name := range names {
		raw, _ := json.Marshal(map[string]string{"name": name, "address": name})
		res := do(t, srv, tok, http.MethodPost, "/jobs", string(raw))
		require.Equal(t, http.StatusCreated, res.status, "%q: %s", name, res.body)
		require.True(t, json.Valid(res.body), "%q: %s", name, res.body)
		var j struct{ ID int64 }
		res.decode(t, &j)
		var got struct{ Name, Address string }
		getOK(t, srv, tok, fmt.Sprintf("/jobs/%d", j.ID), &got)
		assert.Equal(t, name, got.Name)
		assert.Equal(t, name, got.Address)
	}
	var v struct{ Description string }
	getOK(t, srv, tok, "/vehicles/1003", &v)
	assert.Contains(t, v.Description, `"Blue"`)
}

func TestOtherMethods(t *testing.T) {
	srv := newServer(t)
	tok := token(t, srv, "read write")
	for _, method := range []string{http.MethodHead, http.MethodPatch, http.MethodOptions} {
		res := do(t, srv, tok, method, "/jobs/5001", nil)
		assert.Equal(t, http.StatusMethodNotAllowed, res.status, method)
		assert.Equal(t, "GET, PUT, DELETE", res.header.Get("Allow"), method)
	}
	res := do(t, srv, tok, http.MethodPost, "/jobs", nil)
	assert.Equal(t, http.StatusBadRequest, res.status, "a POST without a body")
}

func TestMalformedEmptyAnswer(t *testing.T) {
	srv := newServer(t)
	tok := token(t, srv, "read write")
	srv.FailNext(mycartrackstest.FaultMalformed)
	res := do(t, srv, tok, http.MethodDelete, "/jobs/5001", nil)
	assert.Equal(t, http.StatusOK, res.status, "a 204 turned into a broken 200")
	assert.Equal(t, "{", string(res.body))
	assert.Equal(t, http.StatusNotFound, get(t, srv, tok, "/jobs/5001").status, "the delete happened")
}
