package httpcore_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// A long MaxWait, as MyCarTracks uses to wait out its 15-minute windows.
func withLongMaxWait(c *httpcore.Config) {
	c.MaxWait = 16 * time.Minute
	c.Retry = httpcore.RetryPolicy{MaxRetries: 100, InitialInterval: 500 * time.Millisecond, MaxInterval: 10 * time.Second, MaxElapsedTime: time.Minute}
}

// MaxElapsedTime bounds the waits a server asks for too: a server answering every
// attempt with a Retry-After does not hold the call past it. Rate-limit waits are
// bounded by MaxWait, all of a call's together: the call lasts at most about
// MaxElapsedTime plus MaxWait, never an hour.
func TestTimeIsBoundedUnderServerHints(t *testing.T) {
	const maxWait, maxElapsed = 16 * time.Minute, time.Minute
	for _, tc := range []struct {
		name       string
		status     int
		retryAfter string
		attempts   int32 // 0: any number
		bound      time.Duration
	}{
		{"503 asking for 15 minutes", 503, "900", 1, 0},
		{"503 asking for 20 s", 503, "20", 3, maxElapsed},
		{"429 asking for 15 minutes", 429, "900", 2, maxWait + 2*time.Second},
		{"429 asking for 20 s", 429, "20", 0, maxWait + maxElapsed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withConfig(withLongMaxWait))
			var n atomic.Int32
			h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Retry-After", tc.retryAfter)
				writeJSON(w, tc.status, map[string]string{"message": "busy"})
			})
			_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
			require.Error(t, err)
			if tc.attempts > 0 {
				assert.Equal(t, tc.attempts, n.Load())
			}
			assert.LessOrEqual(t, h.clock.Slept(), tc.bound)
			hint, _ := strconv.Atoi(tc.retryAfter)
			var rl *telematics.RateLimitError
			if tc.status == 429 {
				require.ErrorAs(t, err, &rl)
				assert.Equal(t, time.Duration(hint)*time.Second, rl.RetryAfter)
				var apiErr *testAPIError
				require.ErrorAs(t, err, &apiErr, "the provider's error stays reachable")
			} else {
				assert.ErrorIs(t, err, telematics.ErrUnavailable)
				assert.NotErrorAs(t, err, &rl)
			}
		})
	}
}

// A retry after a rate-limit rejection is sent a margin past the reset, as pacing does,
// never at the instant the server's clock turns over.
func TestRetryAfterRateLimitWaitsTheMargin(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		headers map[string]string
		reset   time.Duration
	}{
		{"403 spent budget", 403, map[string]string{"X-Rate-Limit-Limit": "150", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "30"}, 30 * time.Second},
		{"429 with a reset", 429, map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "12"}, 12 * time.Second},
		{"429 retry-after", 429, map[string]string{"Retry-After": "10"}, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, withConfig(func(c *httpcore.Config) {
				c.Retry = httpcore.RetryPolicy{MaxRetries: 1, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond, MaxElapsedTime: time.Minute}
			}))
			rejectedAt := h.clock.Now()
			var mu sync.Mutex
			var times []time.Time
			h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				times = append(times, h.clock.Now())
				first := len(times) == 1
				mu.Unlock()
				if first {
					for k, v := range tc.headers {
						w.Header().Set(k, v)
					}
					writeJSON(w, tc.status, map[string]string{"message": "rate limit exceeded"})
					return
				}
				writeJSON(w, 200, listResponse{})
			})
			_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
			require.NoError(t, err)
			require.Len(t, times, 2)
			retried := times[1].Sub(rejectedAt)
			assert.GreaterOrEqual(t, retried, tc.reset+time.Second, "a margin past the reset")
			assert.LessOrEqual(t, retried, tc.reset+2*time.Second)
		})
	}
}

// A 403 saying no request remains but not when the window resets is not retried blindly
// every second: the call waits for the provider's window, or fails at once when that is
// longer than MaxWait. Other calls wait for the window too.
func TestSpentBudgetWithoutResetWaitsTheWindow(t *testing.T) {
	serve := func(h *harness, n *atomic.Int32, times *[]time.Duration) {
		start := h.clock.Now()
		var mu sync.Mutex
		h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			*times = append(*times, h.clock.Now().Sub(start))
			mu.Unlock()
			w.Header().Set("X-Rate-Limit-Limit", "150")
			if n.Add(1) == 1 {
				w.Header().Set("X-Rate-Limit-Remaining", "0")
				writeJSON(w, 403, map[string]string{"message": "rate limit exceeded"})
				return
			}
			w.Header().Set("X-Rate-Limit-Remaining", "149")
			writeJSON(w, 200, listResponse{})
		})
	}

	t.Run("waits the window", func(t *testing.T) {
		h := newHarness(t, withConfig(func(c *httpcore.Config) {
			withLongMaxWait(c)
			c.RateWindow = 15 * time.Minute
		}))
		var n atomic.Int32
		var times []time.Duration
		serve(h, &n, &times)
		resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
		require.NoError(t, err)
		assert.Equal(t, 2, resp.Attempts, "one retry, not one a second")
		require.Len(t, times, 2)
		assert.GreaterOrEqual(t, times[1], 15*time.Minute+time.Second)
		assert.Less(t, times[1], 15*time.Minute+2*time.Second)
	})

	t.Run("default window", func(t *testing.T) {
		h := newHarness(t)
		var n atomic.Int32
		var times []time.Duration
		serve(h, &n, &times)
		_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
		require.NoError(t, err)
		require.Len(t, times, 2)
		assert.GreaterOrEqual(t, times[1], httpcore.DefaultRateWindow+time.Second)
	})

	t.Run("window beyond MaxWait", func(t *testing.T) {
		h := newHarness(t, withConfig(func(c *httpcore.Config) { c.RateWindow = 15 * time.Minute }))
		var n atomic.Int32
		var times []time.Duration
		serve(h, &n, &times)
		resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
		var rl *telematics.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Equal(t, 15*time.Minute, rl.RetryAfter)
		assert.Equal(t, h.clock.Now().Add(15*time.Minute), rl.ResetAt)
		assert.Equal(t, 1, resp.Attempts)
		assert.Empty(t, h.clock.Sleeps())

		// The next call is not sent into the spent window either.
		_, err = h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
		require.ErrorAs(t, err, &rl)
		assert.EqualValues(t, 1, n.Load())
	})
}

// Waiting for a reported reset is not retrying: a window of five minutes is waited out
// within a MaxElapsedTime of one.
func TestBudgetWaitDoesNotUseUpRetryTime(t *testing.T) {
	h := newHarness(t, withConfig(withLongMaxWait))
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Rate-Limit-Limit", "150")
		if n.Add(1) == 1 {
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Reset", "300")
			writeJSON(w, 403, map[string]string{"message": "rate limit exceeded"})
			return
		}
		w.Header().Set("X-Rate-Limit-Remaining", "149")
		writeJSON(w, 200, listResponse{})
	})
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.GreaterOrEqual(t, h.clock.Slept(), 5*time.Minute+time.Second)
}
