package smartcar_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

var allSentinels = []error{
	telematics.ErrNotFound, telematics.ErrUnauthorized, telematics.ErrForbidden, telematics.ErrRateLimited,
	telematics.ErrNotSupported, telematics.ErrInvalidInput, telematics.ErrConflict, telematics.ErrUnavailable,
	telematics.ErrVehicleUnreachable, smartcar.ErrBilling,
}

// Every documented type and status maps to exactly the sentinels its kind means.
func TestAPIErrorSentinels(t *testing.T) {
	for _, tc := range []struct {
		status int
		typ    smartcar.ErrorType
		code   smartcar.ErrorCode
		want   []error
	}{
		{401, smartcar.ErrorTypeAuthentication, "", []error{telematics.ErrUnauthorized}},
		{403, smartcar.ErrorTypePermission, "", []error{telematics.ErrForbidden}},
		{400, smartcar.ErrorTypeValidation, smartcar.CodeParameter, []error{telematics.ErrInvalidInput}},
		{404, smartcar.ErrorTypeResourceNotFound, smartcar.CodePath, []error{telematics.ErrNotFound}},
		{400, smartcar.ErrorTypeConnectedServicesAccount, smartcar.CodeAccountIssue, []error{telematics.ErrForbidden}},
		{409, smartcar.ErrorTypeVehicleState, smartcar.CodeAsleep, []error{telematics.ErrConflict, telematics.ErrVehicleUnreachable}},
		{409, smartcar.ErrorTypeVehicleState, smartcar.CodeUnreachable, []error{telematics.ErrConflict, telematics.ErrVehicleUnreachable}},
		{409, smartcar.ErrorTypeVehicleState, smartcar.CodeVehicleOfflineForService, []error{telematics.ErrConflict, telematics.ErrVehicleUnreachable}},
		{409, smartcar.ErrorTypeVehicleState, smartcar.CodeDoorOpen, []error{telematics.ErrConflict}},
		{429, smartcar.ErrorTypeRateLimit, smartcar.CodeVehicle, []error{telematics.ErrRateLimited}},
		{429, smartcar.ErrorTypeRateLimit, smartcar.CodeSmartcarAPI, []error{telematics.ErrRateLimited}},
		{430, smartcar.ErrorTypeBilling, smartcar.CodeVehicleRequestLimit, []error{smartcar.ErrBilling}},
		{500, smartcar.ErrorTypeServer, smartcar.CodeInternal, []error{telematics.ErrUnavailable}},
		{501, smartcar.ErrorTypeCompatibility, smartcar.CodeVehicleNotCapable, []error{telematics.ErrNotSupported}},
		{502, smartcar.ErrorTypeUpstream, smartcar.CodeRateLimit, []error{telematics.ErrUnavailable}},
		// No type: the status decides.
		{400, "", "bad_request", []error{telematics.ErrInvalidInput}},
		{401, "", "invalid_token", []error{telematics.ErrUnauthorized}},
		{404, "", "", []error{telematics.ErrNotFound}},
		{409, "", "CONFLICT", []error{telematics.ErrConflict}},
		{429, "", "", []error{telematics.ErrRateLimited}},
		{430, "", "", []error{smartcar.ErrBilling}},
		{501, "", "", []error{telematics.ErrNotSupported}},
		{503, "", "", []error{telematics.ErrUnavailable}},
		{504, "", "", []error{telematics.ErrUnavailable}},
		{418, "", "", nil},
		// An unknown type falls back to the status.
		{409, "SOMETHING_NEW", "", []error{telematics.ErrConflict}},
	} {
		t.Run(fmt.Sprintf("%d %s %s", tc.status, tc.typ, tc.code), func(t *testing.T) {
			err := error(&smartcar.APIError{StatusCode: tc.status, Type: tc.typ, Code: tc.code})
			for _, s := range allSentinels {
				want := false
				for _, w := range tc.want {
					want = want || w == s
				}
				assert.Equal(t, want, errors.Is(err, s), "%v", s)
			}
			assert.False(t, errors.Is(err, smartcar.ErrAlreadySubscribed))
			// A signal's error of the same type matches the same sentinels.
			if tc.typ != "" && tc.typ != "SOMETHING_NEW" {
				d := error(&smartcar.ErrorDetail{Type: tc.typ, Code: tc.code})
				for _, s := range allSentinels {
					assert.Equal(t, errors.Is(err, s), errors.Is(d, s), "%v", s)
				}
			}
		})
	}
}

func TestMayHaveSucceeded(t *testing.T) {
	for _, tc := range []struct {
		method string
		status int
		typ    smartcar.ErrorType
		code   smartcar.ErrorCode
		want   bool
	}{
		{"POST", 500, "", "", true},
		{"POST", 502, smartcar.ErrorTypeUpstream, smartcar.CodeNoResponse, true},
		{"POST", 504, "", "", true},
		{"DELETE", 500, "", "", true},
		{"POST", 502, smartcar.ErrorTypeUpstream, smartcar.CodeRateLimit, false},
		{"POST", 501, "", "", false},
		{"POST", 503, "", "", false},
		{"POST", 400, "", "", false},
		{"POST", 409, smartcar.ErrorTypeVehicleState, smartcar.CodeAsleep, false},
		{"POST", 429, "", "", false},
		{"POST", 430, "", "", false},
		{"GET", 500, "", "", false},
		{"", 500, "", "", false},
	} {
		err := &smartcar.APIError{Method: tc.method, StatusCode: tc.status, Type: tc.typ, Code: tc.code}
		assert.Equal(t, tc.want, telematics.MayHaveSucceeded(err), "%s %d %s", tc.method, tc.status, tc.code)
	}
}

func TestAPIErrorRetryable(t *testing.T) {
	for _, tc := range []struct {
		status     int
		typ        smartcar.ErrorType
		code       smartcar.ErrorCode
		retryAfter time.Duration
		want       bool
	}{
		{502, smartcar.ErrorTypeUpstream, smartcar.CodeRateLimit, 0, false},
		{502, smartcar.ErrorTypeUpstream, smartcar.CodeRateLimit, time.Minute, false},
		{502, smartcar.ErrorTypeUpstream, smartcar.CodeNoResponse, 0, true},
		{429, smartcar.ErrorTypeRateLimit, smartcar.CodeVehicle, 0, false},
		{429, smartcar.ErrorTypeRateLimit, smartcar.CodeVehicle, 30 * time.Second, true},
		{429, "", "", 0, false},
		{429, smartcar.ErrorTypeRateLimit, smartcar.CodeSmartcarAPI, 0, true},
		{430, smartcar.ErrorTypeBilling, smartcar.CodeVehicleRequestLimit, 0, false},
		{430, "", "", 0, false},
		{503, smartcar.ErrorTypeBilling, "", 0, false},
		{500, smartcar.ErrorTypeServer, smartcar.CodeInternal, 0, true},
		{409, smartcar.ErrorTypeVehicleState, smartcar.CodeAsleep, 0, true},
	} {
		e := &smartcar.APIError{StatusCode: tc.status, Type: tc.typ, Code: tc.code, RetryAfter: tc.retryAfter}
		assert.Equal(t, tc.want, e.Retryable(), "%d %s:%s retry after %s", tc.status, tc.typ, tc.code, tc.retryAfter)
	}
}

func TestAPIErrorString(t *testing.T) {
	err := &smartcar.APIError{
		StatusCode: 409, Method: "POST", URL: "https://vehicle.api.smartcar.com/v3/vehicles/v1/commands/security/lock",
		Type: "VEHICLE_STATE", Code: "ASLEEP", Message: "The vehicle\n is asleep.", Resolution: "RETRY_LATER",
		RequestID: "req-9", RetryAfter: 30 * time.Second,
	}
	assert.Equal(t, "smartcar: POST https://vehicle.api.smartcar.com/v3/vehicles/v1/commands/security/lock: 409 Conflict: VEHICLE_STATE:ASLEEP: "+
		"The vehicle is asleep. (resolution: RETRY_LATER, retry after 30s, request id req-9)", err.Error())
	assert.Equal(t, "smartcar: 430 Billing Limit", (&smartcar.APIError{StatusCode: 430}).Error())
	assert.Equal(t, "smartcar: 599: PARAMETER", (&smartcar.APIError{StatusCode: 599, Code: "PARAMETER"}).Error())
	long := &smartcar.APIError{StatusCode: 400, Message: strings.Repeat("é", 400)}
	assert.Less(t, len(long.Error()), 400)
	assert.True(t, strings.HasSuffix(long.Error(), "…"))
	d := &smartcar.ErrorDetail{Title: "Unknown", Resolution: "REAUTHENTICATE", Type: "PERMISSION"}
	assert.Equal(t, "smartcar: PERMISSION: Unknown (resolution: REAUTHENTICATE)", d.Error())
	assert.Equal(t, "Unknown", d.Message())
	assert.Equal(t, "", (&smartcar.ErrorDetail{}).Message())
}

func TestErrorHelpers(t *testing.T) {
	apiErr := func(typ smartcar.ErrorType, code smartcar.ErrorCode, res smartcar.ResolutionType) error {
		return fmt.Errorf("wrapped: %w", &smartcar.APIError{Type: typ, Code: code, Resolution: res})
	}
	assert.True(t, smartcar.NeedsReauthentication(apiErr("", "", smartcar.ResolutionReauthenticate)))
	assert.True(t, smartcar.NeedsReauthentication(apiErr(smartcar.ErrorTypePermission, "", "")))
	assert.True(t, smartcar.NeedsReauthentication(apiErr(smartcar.ErrorTypeConnectedServicesAccount, smartcar.CodeAuthenticationFailed, "")))
	assert.False(t, smartcar.NeedsReauthentication(apiErr(smartcar.ErrorTypeConnectedServicesAccount, smartcar.CodeSubscription, "")))
	assert.False(t, smartcar.NeedsReauthentication(apiErr(smartcar.ErrorTypeVehicleState, smartcar.CodeAsleep, smartcar.ResolutionRetryLater)))
	assert.True(t, smartcar.IsVehicleAsleep(apiErr(smartcar.ErrorTypeVehicleState, smartcar.CodeAsleep, "")))
	assert.False(t, smartcar.IsVehicleAsleep(apiErr(smartcar.ErrorTypeVehicleState, smartcar.CodeUnreachable, "")))
	assert.True(t, smartcar.IsVehicleUnreachable(apiErr(smartcar.ErrorTypeVehicleState, smartcar.CodeUnreachable, "")))
	assert.True(t, smartcar.IsNotCapable(apiErr(smartcar.ErrorTypeCompatibility, smartcar.CodeMakeNotCompatible, "")))
	assert.True(t, smartcar.IsRateLimited(apiErr(smartcar.ErrorTypeUpstream, smartcar.CodeRateLimit, "")))
	assert.True(t, smartcar.IsRateLimited(&telematics.RateLimitError{Provider: "smartcar"}))
	assert.False(t, smartcar.IsRateLimited(apiErr(smartcar.ErrorTypeUpstream, smartcar.CodeNoResponse, "")))
	for _, f := range []func(error) bool{smartcar.IsRateLimited, smartcar.NeedsReauthentication, smartcar.IsVehicleAsleep,
		smartcar.IsVehicleUnreachable, smartcar.IsNotCapable} {
		assert.False(t, f(nil))
		assert.False(t, f(errors.New("other")))
	}
}

// Error bodies of every shape decode without failing, and what cannot be decoded is
// kept as text.
func TestErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		header  []string
		body    string
		typ     smartcar.ErrorType
		code    smartcar.ErrorCode
		message string
		entries []smartcar.ErrorDetail
		reqID   string
	}{
		{name: "html", status: 502, body: "<html><body>Bad gateway</body></html>", message: "<html><body>Bad gateway</body></html>"},
		{name: "empty", status: 503},
		{name: "not an object", status: 400, body: `["a"]`, message: `["a"]`},
		{name: "message only", status: 400, body: `{"message":"bad input"}`, message: "bad input"},
		{name: "numeric status and resolution string", status: 409,
			body: `{"errors":[{"status":409,"type":"VEHICLE_STATE","code":"IN_MOTION","resolution":"RETRY_LATER","meta":{"requestId":"body-id"}}]}`,
			typ:  "VEHICLE_STATE", code: "IN_MOTION",
			entries: []smartcar.ErrorDetail{{Status: 409, Type: "VEHICLE_STATE", Code: "IN_MOTION", Resolution: "RETRY_LATER"}}, reqID: "body-id"},
		{name: "two entries", status: 400,
			body: `{"errors":[{"status":"400","type":"VALIDATION","code":"PARAMETER","detail":"first"},{"status":"400","title":"second"}]}`,
			typ:  "VALIDATION", code: "PARAMETER", message: "first",
			entries: []smartcar.ErrorDetail{{Status: 400, Type: "VALIDATION", Code: "PARAMETER", Detail: "first"}, {Status: 400, Title: "second"}}},
		{name: "header id wins", status: 409, header: []string{"SC-Request-Id", "hdr-id"}, body: `{"type":"VEHICLE_STATE","code":"IN_MOTION","requestId":"body-id"}`,
			typ: "VEHICLE_STATE", code: "IN_MOTION", entries: []smartcar.ErrorDetail{{Type: "VEHICLE_STATE", Code: "IN_MOTION"}}, reqID: "hdr-id"},
		{name: "fields of odd types", status: 400, body: `{"type":{"x":1},"code":42,"detail":{"message":"m"},"resolution":{"type":null,"url":"https://r"},"docURL":null}`,
			code: "42", message: "m", entries: []smartcar.ErrorDetail{{Code: "42", Detail: "m", ResolutionURL: "https://r"}}},
		{name: "message beside an entry", status: 400, body: `{"errors":[{"title":"Bad Request"}],"message":"the real reason"}`,
			message: "the real reason", entries: []smartcar.ErrorDetail{{Title: "Bad Request", Detail: "the real reason"}}},
		{name: "oauth error object", status: 401, body: `{"error":{"message":"token expired"}}`, message: "token expired",
			entries: []smartcar.ErrorDetail{{Detail: "token expired"}}},
		{name: "truncated JSON", status: 500, body: `{"errors":[{"status":"500"`, message: `{"errors":[{"status":"500"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newScripted(t, smartcar.WithMaxRetries(0))
			f.handle("DELETE /v3/users/{id}", func(w http.ResponseWriter, r *http.Request) {
				for i := 0; i+1 < len(tc.header); i += 2 {
					w.Header().Set(tc.header[i], tc.header[i+1])
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			err := f.client.Users.Delete(context.Background(), "u")
			var apiErr *smartcar.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.typ, apiErr.Type)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, tc.entries, apiErr.Errors)
			assert.Equal(t, tc.reqID, apiErr.RequestID)
			assert.Equal(t, tc.body, string(apiErr.Body))
			assert.Equal(t, tc.status, apiErr.Response.StatusCode)
		})
	}
}

// An error body is read up to a cap, and the error stays short.
func TestErrorBodyCapped(t *testing.T) {
	f := newScripted(t, smartcar.WithMaxRetries(0))
	f.handle("GET /v3/vehicles/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"errors":[{"status":"400","detail":"` + strings.Repeat("x", 200<<10) + `"}]}`))
	})
	_, err := f.client.Vehicles.Get(context.Background(), "v")
	var apiErr *smartcar.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Body), 64<<10)
	assert.Less(t, len(err.Error()), 600)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
}

// A cancelled context ends a call that waits for Smartcar.
func TestCancelledCall(t *testing.T) {
	f := newScripted(t, smartcar.WithMaxRetries(0))
	block := make(chan struct{})
	f.handle("GET /v3/vehicles/{id}/signals", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := f.client.Signals.List(ctx, "v", smartcar.WithUserID("u")); done <- err }()
	cancel()
	err := <-done
	close(block)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, telematics.ErrUnavailable)
}

// The Error of a signal that succeeded is a nil *ErrorDetail; the helpers and errors.Is
// accept it.
func TestNilErrorDetail(t *testing.T) {
	var ok smartcar.Signal
	require.NoError(t, json.Unmarshal([]byte(`{"code":"closure-islocked","status":{"value":"SUCCESS"},"body":{"value":true}}`), &ok))
	require.Nil(t, ok.Error)
	for _, f := range []func(error) bool{smartcar.IsRateLimited, smartcar.NeedsReauthentication, smartcar.IsVehicleAsleep,
		smartcar.IsVehicleUnreachable, smartcar.IsNotCapable} {
		assert.False(t, f(ok.Error))
	}
	for _, s := range allSentinels {
		assert.False(t, errors.Is(ok.Error, s))
	}
	assert.Equal(t, "", ok.Error.Message())
	assert.Equal(t, "smartcar: no error", ok.Error.Error())
	assert.False(t, ok.NeedsPermission())
	assert.Nil(t, ok.Telematics().Error)
}
