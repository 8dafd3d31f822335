package httpcore_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Every option runs and every error is kept, joined on one line under ErrInvalidInput.
func TestApplyAndInvalidJoinEveryError(t *testing.T) {
	var s httpcore.Settings
	errs := httpcore.Apply(&s, []func(*httpcore.Settings) error{
		func(s *httpcore.Settings) error { return s.SetMaxWait(-time.Second) },
		nil,
		func(s *httpcore.Settings) error { return s.SetMaxWait(0) },
		func(s *httpcore.Settings) error { return s.SetClock(nil) },
	})
	require.Len(t, errs, 2)
	err := httpcore.Invalid("p", errs...)
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.ErrorIs(t, err, errs[1])
	assert.Equal(t, "p: invalid input: maximum wait -1s is negative (0 never waits); nil clock", err.Error())
	assert.NoError(t, httpcore.Invalid("p"))
	assert.NoError(t, httpcore.Invalid("p", nil))
}

// The settings' zero values are explicit: no retries and no wait, not the defaults.
func TestSettingsCoreZeroMeansNone(t *testing.T) {
	s := httpcore.Settings{MaxRetries: 0, MaxWait: 0, Timeout: time.Second, MaxBody: 1}
	cfg := s.Core(httpcore.Config{Provider: "p"})
	assert.Equal(t, httpcore.NoRetry(), cfg.Retry)
	assert.Equal(t, httpcore.NoWait, cfg.MaxWait)
	assert.Equal(t, httpcore.Retries(3).MaxRetries, 3)
}

// NoWait fails a call that would wait for the limiter at once, sending nothing.
func TestNoWaitNeverWaits(t *testing.T) {
	lim := rate.NewLimiter(rate.Every(time.Minute), 1)
	h := newHarness(t, withConfig(func(c *httpcore.Config) {
		c.MaxWait = httpcore.NoWait
		c.Limiter = httpcore.NewLimiter(lim)
	}))
	sent := 0
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		sent++
		writeJSON(w, 200, listResponse{})
	})
	ctx := context.Background()
	_, err := h.client.Do(ctx, &httpcore.Request{Path: "/vehicles"}, nil)
	require.NoError(t, err)
	_, err = h.client.Do(ctx, &httpcore.Request{Path: "/vehicles"}, nil)
	var rl *telematics.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, time.Minute, rl.RetryAfter)
	assert.Equal(t, 1, sent)
	assert.Zero(t, h.clock.Slept())
}

// The per-call options: headers checked against the reserved ones (the provider's
// before the common ones), the provider's own header merged after the check, every
// error reported at once.
func TestApplyCallOptions(t *testing.T) {
	type opt func(*httpcore.CallOptions)
	reserved := map[string]string{"X-Own": "use WithOwn"}
	var resp telematics.Response
	co, err := httpcore.ApplyCallOptions("p", reserved, []opt{
		httpcore.WithHeader("x-trace", "1"), nil, httpcore.WithRequestTimeout(time.Second), httpcore.WithResponse(&resp),
		func(o *httpcore.CallOptions) { o.SetProviderHeader("X-Own", "me") },
	})
	require.NoError(t, err)
	assert.Equal(t, "1", co.Header.Get("X-Trace"))
	assert.Equal(t, "me", co.Header.Get("X-Own"))
	assert.Equal(t, time.Second, co.Timeout)
	co.Capture(&telematics.Response{StatusCode: 204})
	assert.Equal(t, 204, resp.StatusCode)

	_, err = httpcore.ApplyCallOptions("p", reserved, []opt{
		httpcore.WithHeader("x-own", "x"), httpcore.WithHeader("authorization", "Bearer t"), httpcore.WithRequestTimeout(0),
		func(o *httpcore.CallOptions) { o.SetProviderHeader("X-Own", "a\nb") },
	})
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Equal(t, "p: invalid input: request timeout 0s is not positive; the X-Own header contains a line break; "+
		"the Authorization header cannot be set with WithHeader: the client sends its access token; "+
		"the X-Own header cannot be set with WithHeader: use WithOwn (request not sent)", err.Error())
}

// A negative page position or size is refused, naming the caller's fields.
func TestCheckPaging(t *testing.T) {
	assert.NoError(t, httpcore.CheckPaging("p", "Offset", 0, "Limit", 0))
	err := httpcore.CheckPaging("p", "Offset", -1, "Limit", -2)
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Equal(t, "p: invalid input: Offset -1 is negative; Limit -2 is negative (request not sent)", err.Error())
}

// Without an HTTP client given, each client gets a private copy of the default transport.
func TestSettingsHTTP(t *testing.T) {
	var s httpcore.Settings
	hc, own := s.HTTP()
	require.NotNil(t, own)
	assert.Same(t, own, hc.Transport)
	assert.NotSame(t, http.DefaultTransport, own)
	given := &http.Client{}
	require.NoError(t, s.SetHTTPClient(given))
	hc, own = s.HTTP()
	assert.Same(t, given, hc)
	assert.Nil(t, own)
}
