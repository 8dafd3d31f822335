package smartcar_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// An error nested under "error" ({"error":{"type","code","description"}}) keeps its
// classification: type, code, sentinels, retryability, helpers.
func TestNestedErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fault     smartcartest.Fault
		is        []error
		retryable bool
		check     func(t *testing.T, err error)
	}{
		{name: "429 RATE_LIMIT:SMARTCAR_API", retryable: true,
			fault: smartcartest.Fault{Status: 429, Type: "RATE_LIMIT", Code: "SMARTCAR_API", Detail: "budget spent"},
			is:    []error{telematics.ErrRateLimited}},
		{name: "429 RATE_LIMIT:VEHICLE without Retry-After", fault: smartcartest.RateLimited(0),
			is: []error{telematics.ErrRateLimited}},
		{name: "502 UPSTREAM:RATE_LIMIT", fault: smartcartest.UpstreamRateLimit(), is: []error{telematics.ErrUnavailable},
			check: func(t *testing.T, err error) { assert.True(t, smartcar.IsRateLimited(err)) }},
		{name: "404 RESOURCE_NOT_FOUND:PATH", retryable: true,
			fault: smartcartest.Fault{Status: 404, Type: "RESOURCE_NOT_FOUND", Code: "PATH", Detail: "no such path"},
			is:    []error{telematics.ErrNotFound}},
		{name: "404 VEHICLE_NOT_FOUND without a type", retryable: true,
			fault: smartcartest.Fault{Status: 404, Code: "VEHICLE_NOT_FOUND", Detail: "no such vehicle"},
			is:    []error{telematics.ErrNotFound}},
		{name: "409 VEHICLE_STATE:ASLEEP", fault: smartcartest.Asleep(), retryable: true,
			is: []error{telematics.ErrConflict, telematics.ErrVehicleUnreachable},
			check: func(t *testing.T, err error) {
				assert.True(t, smartcar.IsVehicleAsleep(err))
				var apiErr *smartcar.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, smartcar.ResolutionRetryLater, apiErr.Resolution)
			}},
		{name: "400 CONNECTED_SERVICES_ACCOUNT:AUTHENTICATION_FAILED", retryable: true,
			fault: smartcartest.Fault{Status: 400, Type: "CONNECTED_SERVICES_ACCOUNT", Code: "AUTHENTICATION_FAILED", Detail: "log in again"},
			is:    []error{telematics.ErrForbidden},
			check: func(t *testing.T, err error) { assert.True(t, smartcar.NeedsReauthentication(err)) }},
		{name: "403 PERMISSION", fault: smartcartest.PermissionDenied(), retryable: true, is: []error{telematics.ErrForbidden},
			check: func(t *testing.T, err error) { assert.True(t, smartcar.NeedsReauthentication(err)) }},
		{name: "430 BILLING", fault: smartcartest.BillingLimit(), is: []error{smartcar.ErrBilling}},
		{name: "BILLING under 503", fault: smartcartest.BillingLimit().WithStatus(503), is: []error{smartcar.ErrBilling}},
		{name: "501 COMPATIBILITY", fault: smartcartest.NotCapable(), retryable: true, is: []error{telematics.ErrNotSupported}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newFake(t, nil, smartcar.WithMaxRetries(0))
			e.srv.FailNext(tc.fault.InForm(smartcartest.FormNested))
			_, err := e.client.Vehicles.Get(context.Background(), smartcartest.VehicleModel3)
			require.Error(t, err)
			var apiErr *smartcar.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, smartcar.ErrorType(tc.fault.Type), apiErr.Type)
			assert.Equal(t, smartcar.ErrorCode(tc.fault.Code), apiErr.Code)
			assert.Equal(t, tc.fault.Detail, apiErr.Message)
			require.Len(t, apiErr.Errors, 1)
			assert.Equal(t, tc.fault.Detail, apiErr.Errors[0].Description)
			assert.Equal(t, tc.retryable, apiErr.Retryable())
			for _, s := range allSentinels {
				want := false
				for _, w := range tc.is {
					want = want || w == s
				}
				assert.Equal(t, want, errors.Is(err, s), "%v", s)
			}
			// The nested form classifies as the JSON:API form does.
			e2 := newFake(t, nil, smartcar.WithMaxRetries(0))
			e2.srv.FailNext(tc.fault)
			_, err2 := e2.client.Vehicles.Get(context.Background(), smartcartest.VehicleModel3)
			var apiErr2 *smartcar.APIError
			require.ErrorAs(t, err2, &apiErr2)
			assert.Equal(t, apiErr2.Type, apiErr.Type)
			assert.Equal(t, apiErr2.Code, apiErr.Code)
			assert.Equal(t, apiErr2.Resolution, apiErr.Resolution)
			assert.Equal(t, apiErr2.Retryable(), apiErr.Retryable())
			if tc.check != nil {
				tc.check(t, err)
			}
		})
	}
}

// The classification decides what the client does: the application's nested 429
// SMARTCAR_API is retried with backoff, the vehicle maker's nested 502 RATE_LIMIT is not.
func TestNestedErrorRetries(t *testing.T) {
	ctx := context.Background()
	e := newFake(t, nil)
	e.srv.FailNext(smartcartest.Fault{Status: http.StatusTooManyRequests, Type: "RATE_LIMIT", Code: "SMARTCAR_API",
		Detail: "budget spent", Form: smartcartest.FormNested})
	_, err := e.client.Signals.List(ctx, smartcartest.VehicleModel3, alice())
	require.NoError(t, err)
	assert.Equal(t, 2, e.srv.CountRequests("", ""))
	assert.Positive(t, e.clock.Slept())

	e = newFake(t, nil)
	e.srv.FailNext(smartcartest.UpstreamRateLimit().InForm(smartcartest.FormNested))
	_, err = e.client.Signals.List(ctx, smartcartest.VehicleModel3, alice())
	assert.ErrorIs(t, err, telematics.ErrUnavailable)
	assert.True(t, smartcar.IsRateLimited(err))
	assert.Equal(t, 1, e.srv.CountRequests("", ""), "exactly one request")
	assert.Zero(t, e.clock.Slept())

	e = newFake(t, nil)
	e.srv.FailNext(smartcartest.RateLimited(20 * time.Second).InForm(smartcartest.FormNested))
	_, err = e.client.Signals.List(ctx, smartcartest.VehicleModel3, alice())
	require.NoError(t, err, "a vehicle's 429 with Retry-After is waited out")
	assert.GreaterOrEqual(t, e.clock.Slept(), 20*time.Second)
}

// The nested form's other fields: a message instead of a description, the request id,
// the resolution; an object with only a message stays a message.
func TestNestedErrorFields(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		typ        smartcar.ErrorType
		code       smartcar.ErrorCode
		message    string
		resolution smartcar.ResolutionType
		reqID      string
	}{
		{name: "message", body: `{"error":{"type":"RATE_LIMIT","code":"SMARTCAR_API","message":"slow down","requestId":"rq-1"}}`,
			typ: "RATE_LIMIT", code: "SMARTCAR_API", message: "slow down", reqID: "rq-1"},
		{name: "resolution and meta request id", body: `{"error":{"type":"VEHICLE_STATE","code":"ASLEEP","detail":"zzz","resolution":{"type":"RETRY_LATER"},"meta":{"requestId":"rq-2"}}}`,
			typ: "VEHICLE_STATE", code: "ASLEEP", message: "zzz", resolution: "RETRY_LATER", reqID: "rq-2"},
		{name: "description beside the object", body: `{"error":{"code":"VEHICLE_NOT_FOUND"},"error_description":"gone"}`,
			code: "VEHICLE_NOT_FOUND", message: "gone"},
		{name: "message only", body: `{"error":{"message":"token expired"}}`, message: "token expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newScripted(t, smartcar.WithMaxRetries(0))
			f.handle("GET /v3/vehicles/{id}", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusConflict)
				_, _ = w.Write([]byte(tc.body))
			})
			_, err := f.client.Vehicles.Get(context.Background(), "v")
			var apiErr *smartcar.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.typ, apiErr.Type)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, tc.resolution, apiErr.Resolution)
			assert.Equal(t, tc.reqID, apiErr.RequestID)
		})
	}
}
