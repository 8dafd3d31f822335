package mycartrackstest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

func fieldsOf(e errorBody) map[string]string {
	out := map[string]string{}
	for _, fe := range e.Errors {
		out[fe.Field] = fe.Message
	}
	return out
}

func TestJobs(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(5))
	tok := token(t, srv, "read write")

	var seeded page
	getOK(t, srv, tok, "/jobs?includeTotal=true", &seeded)
	require.Len(t, seeded.Data, 5, "one job per vehicle")
	for _, j := range seeded.Data {
		assert.Contains(t, []any{"new", "assigned", "in_progress", "completed", "cancelled"}, j["status"])
	}

	res := do(t, srv, tok, http.MethodPost, "/jobs", map[string]any{
		"name": "Pick up pallets", "status": "assigned", "vehicleId": 1002, "driverId": 3002,
		"address": "Rue de Rivoli 7, Paris", "latitude": 48.86, "longitude": 2.35,
		"scheduledAt": 1772500000000, "ignored": true,
	})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var job map[string]any
	res.decode(t, &job)
	id := int64(job["id"].(float64))
	assert.Greater(t, id, seeded.ids("id")[4])
	assert.Equal(t, map[string]any{
		"id": job["id"], "name": "Pick up pallets", "status": "assigned", "vehicleId": 1002.0, "driverId": 3002.0,
		"address": "Rue de Rivoli 7, Paris", "latitude": 48.86, "longitude": 2.35, "scheduledAt": 1772500000000.0,
	}, job)

	var fetched map[string]any
	getOK(t, srv, tok, fmt.Sprintf("/jobs/%d", id), &fetched)
	assert.Equal(t, job, fetched)

	res = do(t, srv, tok, http.MethodPost, "/jobs", `{"name":"Minimal"}`)
	require.Equal(t, http.StatusCreated, res.status)
	var minimal map[string]any
	res.decode(t, &minimal)
	assert.Equal(t, []string{"id", "name", "status"}, keys(minimal))
	assert.Equal(t, "new", minimal["status"])
	assert.Equal(t, float64(id+1), minimal["id"], "ids increase")

	var p page
	getOK(t, srv, tok, "/jobs?vehicleId=1002", &p)
	assert.Len(t, p.Data, 2, "the seeded job and the new one")
	getOK(t, srv, tok, "/jobs?status=assigned&fields=id", &p)
	assert.Contains(t, p.ids("id"), id)
	getOK(t, srv, tok, "/jobs?sort=-id&limit=1", &p)
	assert.Equal(t, []int64{id + 1}, p.ids("id"))
	assert.Equal(t, http.StatusBadRequest, get(t, srv, tok, "/jobs?status=done").status)

	t.Run("partial update", func(t *testing.T) {
		res := do(t, srv, tok, http.MethodPut, fmt.Sprintf("/jobs/%d", id), `{"status":"completed","completedAt":1772503600000,"vehicleId":null}`)
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		var updated map[string]any
		res.decode(t, &updated)
		want := map[string]any{}
		for k, v := range job {
			want[k] = v
		}
		want["status"], want["completedAt"] = "completed", 1772503600000.0
		delete(want, "vehicleId")
		assert.Equal(t, want, updated)
		fetched = nil
		getOK(t, srv, tok, fmt.Sprintf("/jobs/%d", id), &fetched)
		assert.Equal(t, want, fetched)
	})

	t.Run("invalid update changes nothing", func(t *testing.T) {
		before := get(t, srv, tok, fmt.Sprintf("/jobs/%d", id)).body
		res := do(t, srv, tok, http.MethodPut, fmt.Sprintf("/jobs/%d", id), `{"name":"renamed","latitude":123}`)
		require.Equal(t, http.StatusBadRequest, res.status)
		assert.Equal(t, map[string]string{"latitude": "must be between -90 and 90"}, fieldsOf(res.apiError(t)))
		assert.Equal(t, before, get(t, srv, tok, fmt.Sprintf("/jobs/%d", id)).body)
	})

	t.Run("delete", func(t *testing.T) {
		res := do(t, srv, tok, http.MethodDelete, fmt.Sprintf("/jobs/%d", id), nil)
		require.Equal(t, http.StatusNoContent, res.status)
		assert.Empty(t, res.body)
		assert.Equal(t, http.StatusNotFound, get(t, srv, tok, fmt.Sprintf("/jobs/%d", id)).status)
		assert.Equal(t, http.StatusNotFound, do(t, srv, tok, http.MethodDelete, fmt.Sprintf("/jobs/%d", id), nil).status)
		res = do(t, srv, tok, http.MethodPost, "/jobs", `{"name":"After delete"}`)
		var next map[string]any
		res.decode(t, &next)
		assert.Equal(t, float64(id+2), next["id"], "ids are not reused")
	})

	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		res := do(t, srv, tok, method, "/jobs/99", map[string]any{"name": "x"})
		assert.Equal(t, http.StatusNotFound, res.status, method)
		assert.Equal(t, "job 99 not found", res.apiError(t).Message)
	}
}

func TestJobValidation(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(2))
	tok := token(t, srv, "read write")
	tests := []struct {
		body   string
		fields map[string]string // nil: not a validation error
	}{
		{`{}`, map[string]string{"name": "is required"}},
		{`{"name":"  "}`, map[string]string{"name": "is required"}},
		{`{"name":null}`, map[string]string{"name": "is required"}},
		{`{"name":7}`, map[string]string{"name": "must be a string"}},
		{`{"name":"x","status":"done"}`, map[string]string{"status": "must be one of new, assigned, in_progress, completed, cancelled"}},
		{`{"name":"x","status":null}`, map[string]string{"status": "must be one of new, assigned, in_progress, completed, cancelled"}},
		{`{"name":"x","latitude":90.5,"longitude":-180.5}`, map[string]string{
			"latitude": "must be between -90 and 90", "longitude": "must be between -180 and 180"}},
		{`{"name":"x","latitude":"52.5"}`, map[string]string{"latitude": "must be a number"}},
		{`{"name":"x","vehicleId":4242}`, map[string]string{"vehicleId": "vehicle 4242 does not exist"}},
		{`{"name":"x","vehicleId":"1001"}`, map[string]string{"vehicleId": "must be an integer"}},
		{`{"name":"x","driverId":1001}`, map[string]string{"driverId": "driver 1001 does not exist"}},
		{`{"name":"x","address":["a"]}`, map[string]string{"address": "must be a string"}},
		{`{"name":"x","scheduledAt":"2026-03-02T10:00:00Z"}`, map[string]string{"scheduledAt": "must be a time in epoch milliseconds"}},
		{`{"status":"new","vehicleId":1,"completedAt":1.5}`, map[string]string{
			"name": "is required", "vehicleId": "vehicle 1 does not exist", "completedAt": "must be a time in epoch milliseconds"}},
		{`not json`, nil},
		{`[{"name":"x"}]`, nil},
		{`null`, nil},
		{``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			res := do(t, srv, tok, http.MethodPost, "/jobs", tt.body)
			require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
			e := res.apiError(t)
			assert.Equal(t, "invalid_request", e.Error)
			if tt.fields == nil {
				assert.Equal(t, "the request body must be a JSON object", e.Message)
				return
			}
			assert.Equal(t, "validation failed", e.Message)
			assert.Equal(t, tt.fields, fieldsOf(e))
		})
	}
	var p page
	getOK(t, srv, tok, "/jobs?includeTotal=true", &p)
	assert.Equal(t, 2, *p.Total, "nothing invalid was stored")

	res := do(t, srv, tok, http.MethodPost, "/jobs", `{"name":"`+strings.Repeat("x", 1<<20)+`"}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.status)
}

func TestWritesNeedTheWriteScope(t *testing.T) {
	srv := newServer(t)
	tok := token(t, srv, "read")
	tests := []struct{ method, path, body string }{
		{http.MethodPost, "/jobs", `{"name":"x"}`},
		{http.MethodPut, "/jobs/5001", `{"name":"x"}`},
		{http.MethodDelete, "/jobs/5001", ``},
		{http.MethodPut, "/jobs/77", `{"name":"x"}`},
		{http.MethodPost, "/geofences", `{}`},
		{http.MethodPut, "/geofences/8001", `{}`},
		{http.MethodDelete, "/geofences/8001", ``},
		{http.MethodPost, "/mapSharingLinks", `{}`},
		{http.MethodDelete, "/mapSharingLinks/9001", ``},
	}
	before := get(t, srv, tok, "/jobs").body
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			res := do(t, srv, tok, tt.method, tt.path, body)
			require.Equal(t, http.StatusForbidden, res.status)
			assert.Equal(t, errorBody{Error: "insufficient_scope", Message: "this operation requires the write scope", Scope: "write"}, res.apiError(t))
			_, remaining, _ := budgetOf(t, res)
			assert.Positive(t, remaining, "a scope refusal is not a rate limit")
		})
	}
	assert.Equal(t, before, get(t, srv, tok, "/jobs").body)
	assert.Equal(t, http.StatusOK, get(t, srv, tok, "/jobs/5001").status, "reads need only read")
}

func TestGeofences(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(3))
	tok := token(t, srv, "read write")

	var seeded page
	getOK(t, srv, tok, "/geofences", &seeded)
	require.Len(t, seeded.Data, 4, "a depot per city and a low-emission zone")
	assert.Equal(t, []string{"center", "id", "name", "radius", "type"}, keys(seeded.Data[0]))
	assert.Equal(t, []string{"id", "name", "points", "type"}, keys(seeded.Data[3]))

	res := do(t, srv, tok, http.MethodPost, "/geofences", `{"name":"Yard","type":"circle","center":{"latitude":52.5,"longitude":13.4},"radius":120.5}`)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var circle map[string]any
	res.decode(t, &circle)
	id := int64(circle["id"].(float64))
	assert.Equal(t, map[string]any{"id": circle["id"], "name": "Yard", "type": "circle",
		"center": map[string]any{"latitude": 52.5, "longitude": 13.4}, "radius": 120.5}, circle)

	res = do(t, srv, tok, http.MethodPut, fmt.Sprintf("/geofences/%d", id),
		`{"type":"polygon","points":[{"latitude":1,"longitude":2},{"latitude":1,"longitude":3},{"latitude":2,"longitude":3}]}`)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var polygon map[string]any
	res.decode(t, &polygon)
	assert.Equal(t, map[string]any{"id": circle["id"], "name": "Yard", "type": "polygon", "points": []any{
		map[string]any{"latitude": 1.0, "longitude": 2.0}, map[string]any{"latitude": 1.0, "longitude": 3.0},
		map[string]any{"latitude": 2.0, "longitude": 3.0},
	}}, polygon, "a polygon drops the circle's center and radius")

	var fetched map[string]any
	getOK(t, srv, tok, fmt.Sprintf("/geofences/%d", id), &fetched)
	assert.Equal(t, polygon, fetched)
	var p page
	getOK(t, srv, tok, "/geofences?sort=-id&limit=1", &p)
	assert.Equal(t, polygon, p.Data[0])

	require.Equal(t, http.StatusNoContent, do(t, srv, tok, http.MethodDelete, fmt.Sprintf("/geofences/%d", id), nil).status)
	assert.Equal(t, http.StatusNotFound, get(t, srv, tok, fmt.Sprintf("/geofences/%d", id)).status)
	assert.Equal(t, http.StatusNotFound, do(t, srv, tok, http.MethodPut, fmt.Sprintf("/geofences/%d", id), `{}`).status)
}

func TestGeofenceValidation(t *testing.T) {
	srv := newServer(t)
	tok := token(t, srv, "read write")
	tests := []struct {
		body   string
		fields map[string]string
	}{
		{`{"type":"circle","center":{"latitude":1,"longitude":1},"radius":5}`, map[string]string{"name": "is required"}},
		{`{"name":"a"}`, map[string]string{"type": "must be circle or polygon"}},
		{`{"name":"a","type":"square"}`, map[string]string{"type": "must be circle or polygon"}},
		{`{"name":"a","type":"circle","radius":5}`, map[string]string{"center": "is required for a circle"}},
		{`{"name":"a","type":"circle","center":{"latitude":1,"longitude":1}}`, map[string]string{"radius": "must be greater than 0 for a circle"}},
		{`{"name":"a","type":"circle","center":{"latitude":1,"longitude":1},"radius":0}`, map[string]string{"radius": "must be greater than 0 for a circle"}},
		{`{"name":"a","type":"circle","center":{"latitude":1,"longitude":1},"radius":"5"}`, map[string]string{"radius": "must be a number"}},
		{`{"name":"a","type":"circle","center":{"latitude":95,"longitude":1},"radius":5}`, map[string]string{"center.latitude": "must be between -90 and 90"}},
		{`{"name":"a","type":"circle","center":{"latitude":1},"radius":5}`, map[string]string{"center": "must be an object with a numeric latitude and longitude"}},
		{`{"name":"a","type":"polygon","points":[{"latitude":1,"longitude":2},{"latitude":1,"longitude":3}]}`, map[string]string{"points": "a polygon needs at least 3 points"}},
		{`{"name":"a","type":"polygon"}`, map[string]string{"points": "a polygon needs at least 3 points"}},
		{`{"name":"a","type":"polygon","points":{"latitude":1}}`, map[string]string{"points": "must be an array of coordinates"}},
		{`{"name":"a","type":"polygon","points":[{"latitude":1,"longitude":2},null,{"latitude":1,"longitude":200}]}`, map[string]string{
			"points[1]": "must not be null", "points[2].longitude": "must be between -180 and 180"}},
		{`{"name":3,"type":"polygon","points":[]}`, map[string]string{"name": "must be a string"}},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			res := do(t, srv, tok, http.MethodPost, "/geofences", tt.body)
			require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
			assert.Equal(t, tt.fields, fieldsOf(res.apiError(t)))
		})
	}
	res := do(t, srv, tok, http.MethodPut, "/geofences/8001", `{"type":"polygon"}`)
	require.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, map[string]string{"points": "a polygon needs at least 3 points"}, fieldsOf(res.apiError(t)))
	var circle map[string]any
	getOK(t, srv, tok, "/geofences/8001", &circle)
	assert.Equal(t, "circle", circle["type"], "an invalid update changes nothing")
}

func TestMapSharingLinks(t *testing.T) {
	srv, clock := newClockedServer(t, mycartrackstest.WithVehicles(3))
	tok := token(t, srv, "read write")
	future := clock.Now().Add(24 * time.Hour).UnixMilli()

	res := get(t, srv, tok, "/mapSharingLinks?includeTotal=true")
	assert.JSONEq(t, `{"data":[],"total":0}`, string(res.body))

	res = do(t, srv, tok, http.MethodPost, "/mapSharingLinks", map[string]any{"vehicleIds": []int64{1003, 1001}, "expiresAt": future})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var l struct {
		ID         int64   `json:"id"`
		URL        string  `json:"url"`
		VehicleIDs []int64 `json:"vehicleIds"`
		ExpiresAt  int64   `json:"expiresAt"`
	}
	res.decode(t, &l)
	assert.True(t, strings.HasPrefix(l.URL, "https://share.mycartracks.test/m/"), l.URL)
	assert.Equal(t, []int64{1003, 1001}, l.VehicleIDs)
	assert.Equal(t, future, l.ExpiresAt)

	var p page
	getOK(t, srv, tok, "/mapSharingLinks", &p)
	assert.Equal(t, []int64{l.ID}, p.ids("id"))

	res = get(t, srv, tok, fmt.Sprintf("/mapSharingLinks/%d", l.ID))
	assert.Equal(t, http.StatusMethodNotAllowed, res.status)
	assert.Equal(t, "DELETE", res.header.Get("Allow"))

	require.Equal(t, http.StatusNoContent, do(t, srv, tok, http.MethodDelete, fmt.Sprintf("/mapSharingLinks/%d", l.ID), nil).status)
	assert.Equal(t, http.StatusNotFound, do(t, srv, tok, http.MethodDelete, fmt.Sprintf("/mapSharingLinks/%d", l.ID), nil).status)

	now := clock.Now().UnixMilli()
	tests := []struct {
		body   map[string]any
		fields map[string]string
	}{
		{map[string]any{"vehicleIds": []int64{}, "expiresAt": future}, map[string]string{"vehicleIds": "must not be empty"}},
		{map[string]any{"expiresAt": future}, map[string]string{"vehicleIds": "is required"}},
		{map[string]any{"vehicleIds": "1001", "expiresAt": future}, map[string]string{"vehicleIds": "must be an array of vehicle ids"}},
		{map[string]any{"vehicleIds": []int64{1001, 999}, "expiresAt": future}, map[string]string{"vehicleIds": "vehicle 999 does not exist"}},
		{map[string]any{"vehicleIds": []int64{1001}, "expiresAt": now}, map[string]string{"expiresAt": "must be in the future"}},
		{map[string]any{"vehicleIds": []int64{1001}}, map[string]string{"expiresAt": "is required"}},
		{map[string]any{"vehicleIds": []int64{1001}, "expiresAt": "tomorrow"}, map[string]string{"expiresAt": "must be a time in epoch milliseconds"}},
	}
	for _, tt := range tests {
		res := do(t, srv, tok, http.MethodPost, "/mapSharingLinks", tt.body)
		require.Equal(t, http.StatusBadRequest, res.status, "%v: %s", tt.body, res.body)
		assert.Equal(t, tt.fields, fieldsOf(res.apiError(t)), "%v", tt.body)
	}

	// "In the future" is judged on the server's clock.
	clock.Advance(48 * time.Hour)
	res = do(t, srv, token(t, srv, "read write"), http.MethodPost, "/mapSharingLinks", map[string]any{"vehicleIds": []int64{1001}, "expiresAt": future})
	require.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, map[string]string{"expiresAt": "must be in the future"}, fieldsOf(res.apiError(t)))
}
