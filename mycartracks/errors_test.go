package mycartracks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestErrorBodyForms(t *testing.T) {
	huge := `{"error":"server_error","message":"` + strings.Repeat("x", 200<<10) + `"}`
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		code        string
		message     string // substring
		sentinel    error
		fields      []mycartracks.FieldError
	}{
		{"oauth form", 401, "", `{"error":"invalid_token","error_description":"the token expired"}`, "invalid_token", "the token expired", telematics.ErrUnauthorized, nil},
		{"message only", 404, "", `{"message":"track 42 not found"}`, "", "track 42 not found", telematics.ErrNotFound, nil},
		{"code and message", 409, "", `{"code":"conflict","message":"job already completed"}`, "conflict", "job already completed", telematics.ErrConflict, nil},
		{"numeric code", 400, "", `{"code":4001,"message":"bad limit"}`, "4001", "bad limit", telematics.ErrInvalidInput, nil},
		{"mycartracks validation", 400, "", `{"error":"invalid_request","message":"validation failed","errors":[{"field":"name","message":"is required"},{"field":"latitude","message":"must be in [-90, 90]"}]}`,
			"invalid_request", "validation failed", telematics.ErrInvalidInput,
			[]mycartracks.FieldError{{Field: "name", Message: "is required"}, {Field: "latitude", Message: "must be in [-90, 90]"}}},
		{"rfc 7807", 422, "application/problem+json", `{"type":"https://mycartracks.com/probs/range","title":"Out of range","status":422,"detail":"limit must be between 1 and 1000"}`,
			"https://mycartracks.com/probs/range", "limit must be between 1 and 1000", telematics.ErrInvalidInput, nil},
		{"rfc 7807 blank type", 400, "application/problem+json", `{"type":"about:blank","title":"Bad Request","status":400,"detail":"offset must not be negative"}`,
			"Bad Request", "offset must not be negative", telematics.ErrInvalidInput, nil},
		{"nested error object", 404, "", `{"error":{"code":"not_found","message":"no such geofence"}}`, "not_found", "no such geofence", telematics.ErrNotFound, nil},
		{"html", 502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>", "", "HTML error page: 502 Bad Gateway", telematics.ErrUnavailable, nil},
		{"html without title", 500, "text/html", "<html><body><p>Internal\n error</p></body></html>", "", "HTML error page: Internal error", telematics.ErrUnavailable, nil},
		{"plain text", 503, "text/plain", "upstream connect error", "", "upstream connect error", telematics.ErrUnavailable, nil},
		{"empty", 404, "", "", "", "", telematics.ErrNotFound, nil},
		{"not json despite the brace", 400, "", `{oops`, "", "{oops", telematics.ErrInvalidInput, nil},
		{"oversized", 500, "", huge, "", "…", telematics.ErrUnavailable, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newScripted(t, mycartracks.WithMaxRetries(0))
			s.handle("GET /tracks/{id}", func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			_, err := s.client.Tracks.Get(context.Background(), 42)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.sentinel)
			var apiErr *mycartracks.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Contains(t, apiErr.Message, tc.message)
			assert.LessOrEqual(t, len(apiErr.Message), 310, "messages are clipped")
			assert.LessOrEqual(t, len(apiErr.Body), 64<<10, "bodies are capped")
			assert.Equal(t, tc.fields, apiErr.Errors)
			assert.Equal(t, "req-1", apiErr.RequestID)
			assert.Equal(t, http.MethodGet, apiErr.Method)
			assert.Contains(t, err.Error(), "/services/rest/v3/tracks/42")
			assert.Regexp(t, `[(, ]request id req-1\)$`, err.Error(), "the last note of the one parenthesis")
			for _, fe := range tc.fields {
				assert.Contains(t, err.Error(), fe.Field+": "+fe.Message)
			}
		})
	}
}

// Every sentinel an API answer can match, and only that one.
func TestSentinelsByStatus(t *testing.T) {
	all := []error{telematics.ErrNotFound, telematics.ErrUnauthorized, telematics.ErrForbidden, telematics.ErrRateLimited,
		telematics.ErrNotSupported, telematics.ErrInvalidInput, telematics.ErrConflict, telematics.ErrUnavailable}
	tests := []struct {
		status    int
		remaining string
		code      string // the body's error code; "" sends none
		want      error
	}{
		{400, "10", "x", telematics.ErrInvalidInput},
		{401, "10", "x", telematics.ErrUnauthorized},
		{403, "10", "x", telematics.ErrForbidden},
		{403, "0", "x", telematics.ErrForbidden},
		{403, "0", "", telematics.ErrRateLimited},
		{403, "10", "", telematics.ErrForbidden},
		{403, "10", "rate_limit_exceeded", telematics.ErrRateLimited},
		{404, "10", "x", telematics.ErrNotFound},
		{409, "10", "x", telematics.ErrConflict},
		{422, "10", "x", telematics.ErrInvalidInput},
		{429, "10", "x", telematics.ErrRateLimited},
		{501, "10", "x", telematics.ErrNotSupported},
		{500, "10", "x", telematics.ErrUnavailable},
		{503, "10", "x", telematics.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status)+"/"+tc.remaining+"/"+tc.code, func(t *testing.T) {
			s := newScripted(t, mycartracks.WithMaxRetries(0), mycartracks.WithMaxWait(time.Minute))
			s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Rate-Limit-Remaining", tc.remaining)
				w.Header().Set("X-Rate-Limit-Reset", "3600")
				body := map[string]string{"message": "y"}
				if tc.code != "" {
					body["error"] = tc.code
				}
				writeJSON(w, tc.status, body)
			})
			_, err := s.client.Vehicles.List(context.Background(), nil)
			require.Error(t, err)
			for _, sentinel := range all {
				assert.Equal(t, sentinel == tc.want, errors.Is(err, sentinel), "%v", sentinel)
			}
			var apiErr *mycartracks.APIError
			require.ErrorAs(t, err, &apiErr)
		})
	}
}

func TestRateLimitedVersusPermission403(t *testing.T) {
	t.Run("exhausted budget", func(t *testing.T) {
		s := newScripted(t, mycartracks.WithMaxWait(10*time.Minute))
		var n atomic.Int32
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Reset", "890")
			writeJSON(w, 403, map[string]string{"error": "rate_limit_exceeded", "message": "Rate limit exceeded, retry after the reset window"})
		})
		_, err := s.client.Vehicles.List(context.Background(), nil)
		require.Error(t, err)
		assert.ErrorIs(t, err, telematics.ErrRateLimited)
		assert.NotErrorIs(t, err, telematics.ErrForbidden)
		var rl *telematics.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Greater(t, rl.RetryAfter, 14*time.Minute)
		var apiErr *mycartracks.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.True(t, apiErr.RateLimited())
		assert.Equal(t, "rate_limit_exceeded", apiErr.Code)
		assert.Equal(t, rl.RetryAfter, apiErr.RetryAfter, "the answer's error states the wait until the reset")
		assert.Equal(t, err.Error(), apiErr.Error(), "said once")
		assert.Regexp(t, `^mycartracks: GET \S+/vehicles: 403 Forbidden: rate_limit_exceeded: Rate limit exceeded, retry after the reset window \(retry after 14m50s, request id req-1\)$`, err.Error())
	})
	t.Run("exhausted budget is waited out by default", func(t *testing.T) {
		s := newScripted(t)
		var n atomic.Int32
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("X-Rate-Limit-Remaining", "0")
				w.Header().Set("X-Rate-Limit-Reset", "890")
				writeJSON(w, 403, map[string]string{"error": "rate_limit_exceeded", "message": "Rate limit exceeded"})
				return
			}
			writeJSON(w, 200, map[string]any{"data": []any{}})
		})
		_, err := s.client.Vehicles.List(context.Background(), nil)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, s.clock.Slept(), 890*time.Second)
	})
	t.Run("429 with Retry-After", func(t *testing.T) {
		s := newScripted(t, mycartracks.WithMaxRetries(0))
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.Header().Set("X-Rate-Limit-Reset", "20")
			writeJSON(w, 429, map[string]string{"error": "rate_limit_exceeded", "message": "slow down"})
		})
		_, err := s.client.Vehicles.List(context.Background(), nil)
		assert.ErrorIs(t, err, telematics.ErrRateLimited)
		var rl *telematics.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Equal(t, 30*time.Second, rl.RetryAfter)
	})
	t.Run("missing scope names it", func(t *testing.T) {
		s := newScripted(t, mycartracks.WithScopes("read", "write"))
		var n atomic.Int32
		s.handle("POST /jobs", func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("X-Rate-Limit-Remaining", "120")
			writeJSON(w, 403, map[string]string{"error": "insufficient_scope", "message": "this operation requires the write scope", "scope": "write"})
		})
		_, err := s.client.Jobs.Create(context.Background(), mycartracks.JobParams{Name: mycartracks.Ptr("x")})
		require.Error(t, err)
		assert.ErrorIs(t, err, telematics.ErrForbidden)
		assert.NotErrorIs(t, err, telematics.ErrRateLimited)
		var apiErr *mycartracks.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "write", apiErr.Scope)
		assert.Contains(t, err.Error(), `needs the "write" scope`)
		assert.EqualValues(t, 1, n.Load(), "a permission error is not retried")
	})
	// The last request of a window refused for a permission, not for the budget: one
	// request, no wait, ErrForbidden naming the scope when the body does.
	for _, tc := range []struct {
		name, code, scope string
	}{
		{"access denied", "access_denied", ""},
		{"insufficient scope", "insufficient_scope", "write"},
	} {
		t.Run(tc.name+" at zero remaining", func(t *testing.T) {
			s := newScripted(t, mycartracks.WithScopes("read", "write"))
			var n atomic.Int32
			s.handle("DELETE /jobs/{id}", func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("X-Rate-Limit-Remaining", "0")
				w.Header().Set("X-Rate-Limit-Reset", "890")
				body := map[string]string{"error": tc.code, "message": "job 7 is not yours to delete"}
				if tc.scope != "" {
					body["scope"] = tc.scope
				}
				writeJSON(w, 403, body)
			})
			before := s.clock.Now()
			err := s.client.Jobs.Delete(context.Background(), 7)
			require.Error(t, err)
			assert.ErrorIs(t, err, telematics.ErrForbidden)
			assert.NotErrorIs(t, err, telematics.ErrRateLimited)
			var rl *telematics.RateLimitError
			assert.False(t, errors.As(err, &rl), "not a rate-limit error")
			var apiErr *mycartracks.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.False(t, apiErr.RateLimited())
			assert.Equal(t, tc.scope, apiErr.Scope)
			assert.EqualValues(t, 1, n.Load(), "not retried")
			assert.Zero(t, s.clock.Now().Sub(before), "no wait")
		})
	}
	t.Run("rate-limit wordings", func(t *testing.T) {
		for _, tc := range []struct {
			body map[string]any
			want bool
		}{
			{map[string]any{"error": "RateLimitExceeded"}, true},
			{map[string]any{"code": "too-many-requests"}, true},
			{map[string]any{"error": "request_throttled", "message": "slow down"}, true},
			{map[string]any{"error": map[string]any{"code": "rate_limit", "message": "x"}}, true},
			{map[string]any{"code": 429}, true},
			{map[string]any{"message": "Rate limit exceeded"}, true},
			{map[string]any{"message": "Access is denied"}, false},
			{map[string]any{"error": "access_denied", "message": "over the rate limit for this vehicle"}, false},
		} {
			s := newScripted(t, mycartracks.WithMaxRetries(0), mycartracks.WithMaxWait(time.Minute))
			s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Del("X-Rate-Limit-Remaining")
				w.Header().Del("X-Rate-Limit-Reset")
				writeJSON(w, 403, tc.body)
			})
			_, err := s.client.Vehicles.List(context.Background(), nil)
			var apiErr *mycartracks.APIError
			require.ErrorAs(t, err, &apiErr, "%v", tc.body)
			assert.Equal(t, tc.want, apiErr.RateLimited(), "%v", tc.body)
			assert.Equal(t, tc.want, errors.Is(err, telematics.ErrRateLimited), "%v", tc.body)
			assert.Equal(t, !tc.want, errors.Is(err, telematics.ErrForbidden), "%v", tc.body)
		}
	})
	t.Run("scope named only in the message", func(t *testing.T) {
		s := newScripted(t)
		s.handle("GET /users", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 403, map[string]string{"message": "Access denied: the read scope is required"})
		})
		_, err := s.client.Users.List(context.Background(), nil)
		var apiErr *mycartracks.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "read", apiErr.Scope)
		assert.ErrorIs(t, err, telematics.ErrForbidden)
	})
}

// The whole failing, retrying and renewing story with a debug logger: neither the client
// secret nor any access token appears in a log line or an error.
func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	logger, logBuf := testkit.DebugLogger()
	s := newScripted(t, mycartracks.WithLogger(logger), mycartracks.WithScopes("read", "write"))
	s.oauth.FailNext(502)
	var tokens testkit.TokenRecorder
	var n atomic.Int32
	s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
		tokens.Note(r)
		switch n.Add(1) {
		case 1:
			// The token echoed without its scheme, as OAuth servers word it.
			s.oauth.RevokeAll()
			writeJSON(w, 401, map[string]string{"error": "invalid_token", "error_description": "Invalid access token: " + r.Header.Get("Authorization")[7:]})
		case 2:
			writeJSON(w, 503, map[string]string{"message": "echo Bearer " + r.Header.Get("Authorization")[7:]})
		default:
			writeJSON(w, 500, map[string]string{"message": "secret is " + clientSecret, "error_description": r.Header.Get("Authorization")})
		}
	})
	var errs []error
	_, err := s.client.Vehicles.List(context.Background(), nil)
	errs = append(errs, err)
	// A second 401 echoing the token is the error the caller gets.
	s.handle("GET /groups-echo", func(w http.ResponseWriter, r *http.Request) {
		tokens.Note(r)
		writeJSON(w, 401, map[string]string{"error": "invalid_token", "error_description": "Invalid access token: " + r.Header.Get("Authorization")[7:]})
	})
	_, err = s.client.Do(context.Background(), http.MethodGet, "/groups-echo", nil, nil, nil)
	require.ErrorIs(t, err, telematics.ErrUnauthorized)
	assert.Contains(t, err.Error(), "Invalid access token: REDACTED")
	errs = append(errs, err)
	_, err = s.client.Do(context.Background(), http.MethodGet, "/vehicles", nil, nil, nil)
	errs = append(errs, err)

	// A token request refused for a bad secret.
	wrong, err := mycartracks.NewClient(clientID, "wrong-secret-value-99", mycartracks.WithBaseURL(s.srv.URL+basePath),
		mycartracks.WithTokenURL(s.srv.URL+"/oauth/token"), mycartracks.WithClock(s.clock), mycartracks.WithLogger(logger))
	require.NoError(t, err)
	defer wrong.Close()
	_, err = wrong.Vehicles.List(context.Background(), nil)
	assert.ErrorIs(t, err, telematics.ErrUnauthorized)
	errs = append(errs, err)

	require.Greater(t, len(tokens.Tokens()), 1, "tokens were issued")
	log := logBuf.String()
	require.Contains(t, log, "fleetkit request")
	texts := testkit.Texts{"log": log}
	for i, err := range errs {
		require.Error(t, err)
		texts.AddError(fmt.Sprint("error ", i), err)
	}
	testkit.AssertNoSecrets(t, texts, clientID, append([]string{clientSecret, "wrong-secret-value-99"}, tokens.Tokens()...)...)
}

// A write answered 500, 502 or 504 may have been applied upstream; a read, or another
// status, says nothing of the kind.
func TestMayHaveSucceeded(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(1), mycartrackstest.WithoutRateLimit()},
		mycartracks.WithScopes(mycartracks.ScopeRead, mycartracks.ScopeWrite), mycartracks.WithMaxRetries(0))
	for _, tc := range []struct {
		fault mycartrackstest.FaultKind
		want  bool
	}{
		{mycartrackstest.FaultInternalError, true},
		{mycartrackstest.FaultBadGateway, true},
		{mycartrackstest.FaultUnavailable, false},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			f.srv.FailNext(tc.fault)
			_, err := f.client.Jobs.Create(ctx, mycartracks.JobParams{Name: mycartracks.Ptr("Deliver")})
			var apiErr *mycartracks.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.want, apiErr.MayHaveSucceeded())
			assert.Equal(t, tc.want, telematics.MayHaveSucceeded(err))
			assert.Equal(t, tc.want, strings.Contains(err.Error(), "may have been applied"), err.Error())

			f.srv.FailNext(tc.fault)
			_, err = f.client.Jobs.List(ctx, nil)
			require.ErrorAs(t, err, &apiErr)
			assert.False(t, telematics.MayHaveSucceeded(err), "a read")
		})
	}
	t.Run("504 and client errors", func(t *testing.T) {
		s := newScripted(t, mycartracks.WithScopes(mycartracks.ScopeRead, mycartracks.ScopeWrite), mycartracks.WithMaxRetries(0))
		status := map[string]int{"/jobs": 504, "/geofences": 400, "/mapSharingLinks": 404}
		for path, code := range status {
			s.handle("POST "+path, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, code, map[string]string{"error": "x"}) })
		}
		s.handle("HEAD /vehicles", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(504) })
		_, err := s.client.Jobs.Create(ctx, mycartracks.JobParams{Name: mycartracks.Ptr("x")})
		assert.True(t, telematics.MayHaveSucceeded(err), "504")
		_, err = s.client.Geofences.Create(ctx, mycartracks.GeofenceParams{Name: mycartracks.Ptr("x")})
		assert.False(t, telematics.MayHaveSucceeded(err), "400")
		_, err = s.client.MapSharingLinks.Create(ctx, mycartracks.MapSharingLinkParams{VehicleIDs: []mycartracks.ID{1}})
		assert.False(t, telematics.MayHaveSucceeded(err), "404")
		_, err = s.client.Do(ctx, http.MethodHead, "/vehicles", nil, nil, nil)
		require.Error(t, err)
		assert.False(t, telematics.MayHaveSucceeded(err), "HEAD")
	})
}
