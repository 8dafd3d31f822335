package smartcar_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Do reaches endpoints the SDK does not model, on either API, with the token, the
// per-call options and the error decoding of every other call.
func TestDo(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	var doc struct {
		Data struct {
			Attributes struct {
				Make string `json:"make"`
			} `json:"attributes"`
		} `json:"data"`
	}
	var resp telematics.Response
	r, err := e.client.Do(ctx, smartcar.VehicleAPI, "get", "/vehicles/"+model3, nil, nil, &doc, alice(), smartcar.WithResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, "TESLA", doc.Data.Attributes.Make)
	assert.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, r.RequestID, resp.RequestID)
	last := e.srv.Requests()[0]
	assert.Equal(t, http.MethodGet, last.Method)
	assert.Equal(t, smartcartest.UserAlice, last.UserID)

	var raw []byte
	_, err = e.client.Do(ctx, smartcar.ManagementAPI, "", "/subscriptions", url.Values{"filter[vehicleId]": {model3}}, nil, &raw)
	require.NoError(t, err)
	assert.Contains(t, string(raw), smartcartest.SubscriptionOne)
	last = e.srv.Requests()[1]
	assert.Equal(t, "management", last.API)
	assert.Equal(t, model3, last.Query.Get("filter[vehicleId]"))

	_, err = e.client.Do(ctx, smartcar.VehicleAPI, http.MethodGet, "/vehicles/nope/charge-schedules", nil, nil, nil)
	var apiErr *smartcar.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, telematics.ErrNotFound)

	e.srv.ResetRequests()
	for _, tc := range []struct {
		name         string
		api          smartcar.API
		method, path string
		opts         []smartcar.RequestOption
	}{
		{"bad method", smartcar.VehicleAPI, "GE T", "/vehicles", nil},
		{"empty path", smartcar.VehicleAPI, "GET", " ", nil},
		{"unknown API", smartcar.API(7), "GET", "/vehicles", nil},
		{"other host", smartcar.VehicleAPI, "GET", "https://example.com/v3/vehicles", nil},
		{"idempotency key on a write", smartcar.VehicleAPI, "POST", "/vehicles/v/charge-schedules/weekly", []smartcar.RequestOption{smartcar.WithHeader("Idempotency-Key", "k")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.Do(ctx, tc.api, tc.method, tc.path, nil, nil, nil, tc.opts...)
			assert.ErrorIs(t, err, telematics.ErrInvalidInput)
		})
	}
	assert.Zero(t, e.srv.CountRequests("", ""), "nothing was sent")
}

// A write through Do is sent once: a 5xx leaves it open, and it is not repeated.
func TestDoWriteIsNotRepeated(t *testing.T) {
	f := newScripted(t)
	var calls atomic.Int32
	f.handle("POST /v3/vehicles/{id}/charge-schedules/weekly", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var body map[string]any
		assert.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		assert.Equal(t, "u", r.Header.Get("SC-User-Id"))
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(`{"errors":[{"status":"502","type":"UPSTREAM","code":"NO_RESPONSE"}]}`))
	})
	schedule := map[string]any{"data": map[string]any{"attributes": map[string]any{"monday": []any{}}}}
	_, err := f.client.Do(context.Background(), smartcar.VehicleAPI, http.MethodPost, "/vehicles/v/charge-schedules/weekly", nil, schedule, nil, smartcar.WithUserID("u"))
	assert.ErrorIs(t, err, telematics.ErrUnavailable)
	assert.True(t, telematics.MayHaveSucceeded(err))
	assert.Contains(t, err.Error(), "(the request may have been applied)")
	assert.Equal(t, int32(1), calls.Load())
}

// Rate reports the budget headers of the last response, when Smartcar sends any.
func TestRate(t *testing.T) {
	f := newScripted(t)
	assert.False(t, f.client.Rate().Known(), "nothing reported yet")
	f.handle("GET /mgmt/v3/subscriptions/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Rate-Limit-Limit", "120")
		w.Header().Set("X-Rate-Limit-Remaining", "119")
		_, _ = w.Write([]byte(`{"data":{"id":"s"}}`))
	})
	f.handle("GET /v3/vehicles/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Rate-Limit-Limit", "100")
		w.Header().Set("X-Rate-Limit-Remaining", "42")
		_, _ = w.Write([]byte(`{"data":{"id":"v"}}`))
	})
	_, err := f.client.Subscriptions.Get(context.Background(), "s")
	require.NoError(t, err)
	r := f.client.Rate()
	assert.Equal(t, 120, r.Limit, "the Management API's, while the Vehicle API reported none")
	assert.Equal(t, 119, r.Remaining)
	_, err = f.client.Vehicles.Get(context.Background(), "v")
	require.NoError(t, err)
	r = f.client.Rate()
	assert.Equal(t, 100, r.Limit)
	assert.Equal(t, 42, r.Remaining)
}
