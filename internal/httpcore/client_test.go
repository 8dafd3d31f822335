package httpcore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/internal/auth"
	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/telematics"
)

type vehicle struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type listResponse struct {
	Data []vehicle `json:"data"`
}

func TestRequestShape(t *testing.T) {
	h := newHarness(t, withConfig(func(c *httpcore.Config) {
		c.UserAgent = "dispatch/2.1"
		c.Header = http.Header{"Sc-Unit-System": {"metric"}}
	}))
	h.mux.HandleFunc("POST /api/v3/vehicles/{id}/notes", func(w http.ResponseWriter, r *http.Request) {
		if !h.authed(w, r) {
			return
		}
		assert.Equal(t, "a b/c", r.PathValue("id"))
		assert.Equal(t, "/api/v3/vehicles/a%20b%2Fc/notes", r.URL.EscapedPath())
		assert.Equal(t, "10", r.URL.Query().Get("limit"))
		assert.Equal(t, "x y", r.URL.Query().Get("q"))
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, "metric", r.Header.Get("Sc-Unit-System"))
		assert.Equal(t, "yes", r.Header.Get("X-Per-Call"))
		assert.Equal(t, "dispatch/2.1 fleetkit-go/"+httpcore.Version+" (testprov)", r.Header.Get("User-Agent"))
		body, _ := io.ReadAll(r.Body)
		assert.JSONEq(t, `{"text":"hello"}`, string(body))
		w.Header().Set("X-Request-Id", "req-123")
		w.Header().Set("X-Rate-Limit-Limit", "150")
		w.Header().Set("X-Rate-Limit-Remaining", "149")
		w.Header().Set("X-Rate-Limit-Reset", "900")
		writeJSON(w, http.StatusCreated, vehicle{ID: 7, Name: "Van 7"})
	})
	p, err := httpcore.Path("/vehicles/%s/notes", "a b/c")
	require.NoError(t, err)
	var out vehicle
	resp, err := h.client.Do(context.Background(), &httpcore.Request{
		Method: http.MethodPost, Path: p,
		Query:  url.Values{"limit": {"10"}, "q": {"x y"}},
		Body:   map[string]string{"text": "hello"},
		Header: http.Header{"X-Per-Call": {"yes"}},
	}, &out)
	require.NoError(t, err)
	assert.Equal(t, vehicle{ID: 7, Name: "Van 7"}, out)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, "req-123", resp.RequestID)
	assert.Equal(t, 1, resp.Attempts)
	assert.Equal(t, 150, resp.Rate.Limit)
	assert.Equal(t, 149, resp.Rate.Remaining)
	assert.Equal(t, h.clock.Now().Add(900*time.Second), resp.Rate.Reset)
	assert.Equal(t, resp.Rate, h.client.Rate())
}

func TestPathRefusesTraversal(t *testing.T) {
	for _, id := range []string{"", " ", "\t", ".", ".."} {
		_, err := httpcore.Path("/vehicles/%s", id)
		assert.ErrorIs(t, err, telematics.ErrInvalidInput, "id %q", id)
	}
}

func TestAbsoluteURLOnlyToAPIHost(t *testing.T) {
	h := newHarness(t)
	h.mux.HandleFunc("GET /api/v3/page2", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "2", r.URL.Query().Get("page[number]"))
		writeJSON(w, 200, listResponse{Data: []vehicle{{ID: 2}}})
	})
	var out listResponse
	_, err := h.client.Do(context.Background(), &httpcore.Request{Path: h.srv.URL + basePath + "/page2?page%5Bnumber%5D=2"}, &out)
	require.NoError(t, err)
	assert.Len(t, out.Data, 1)

	_, err = h.client.Do(context.Background(), &httpcore.Request{Path: "https://evil.example.com/steal"}, &out)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Equal(t, 1, h.oauth.Grants())
}

func TestNewValidates(t *testing.T) {
	_, err := httpcore.New(httpcore.Config{Provider: "p", BaseURL: "not a url", DecodeError: decodeTestError})
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	_, err = httpcore.New(httpcore.Config{Provider: "p", BaseURL: "https://x"})
	assert.Error(t, err)
	_, err = httpcore.New(httpcore.Config{BaseURL: "https://x", DecodeError: decodeTestError})
	assert.Error(t, err)
}

func TestConcurrentFirstUseOneGrant(t *testing.T) {
	h := newHarness(t)
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		if h.authed(w, r) {
			writeJSON(w, 200, listResponse{})
		}
	})
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, h.oauth.Grants())
}

func TestExpiredTokenOneNewGrant(t *testing.T) {
	h := newHarness(t)
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		if h.authed(w, r) {
			writeJSON(w, 200, listResponse{})
		}
	})
	do := func() *telematics.Response {
		resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
		require.NoError(t, err)
		return resp
	}
	do()
	h.clock.Advance(2 * time.Hour) // the token has expired on both sides
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); assert.Equal(t, 1, do().Attempts) }()
	}
	wg.Wait()
	assert.Equal(t, 2, h.oauth.Grants())
}

// Twenty requests refused with the same revoked token cause exactly one new grant, and
// each is replayed once.
func TestConcurrent401sOneNewGrant(t *testing.T) {
	h := newHarness(t)
	const n = 20
	var refused atomic.Int32
	release := make(chan struct{})
	var requests atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if _, ok := h.oauth.Authenticate(r); !ok {
			// Hold every refusal until all n requests have been refused, so that all of
			// them carry the revoked token.
			if refused.Add(1) == n {
				close(release)
			}
			<-release
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
			return
		}
		writeJSON(w, 200, listResponse{})
	})
	_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.NoError(t, err)
	requests.Store(0)
	h.oauth.RevokeAll()

	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
			if assert.NoError(t, err) {
				assert.Equal(t, 2, resp.Attempts, "replayed once")
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 2, h.oauth.Grants(), "one grant at first use, one after the revocation")
	assert.EqualValues(t, 2*n, requests.Load())
}

func TestSecond401IsUnauthorized(t *testing.T) {
	h := newHarness(t)
	var requests atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "message": "token rejected"})
	})
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, telematics.ErrUnauthorized)
	var apiErr *testAPIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 401, apiErr.Status)
	assert.EqualValues(t, 2, requests.Load())
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, 2, h.oauth.Grants())
}

func Test5xxThenSuccess(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504, 408, 425} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			h := newHarness(t)
			var n atomic.Int32
			h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) <= 2 {
					writeJSON(w, status, map[string]string{"message": "try later"})
					return
				}
				writeJSON(w, 200, listResponse{Data: []vehicle{{ID: 1}}})
			})
			var out listResponse
			resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, &out)
			require.NoError(t, err)
			assert.Len(t, out.Data, 1)
			assert.Equal(t, 3, resp.Attempts)
			sleeps := h.clock.Sleeps()
			require.Len(t, sleeps, 2)
			for _, s := range sleeps {
				assert.Positive(t, s)
				assert.LessOrEqual(t, s, 10*time.Second)
			}
		})
	}
}

func TestRetriesAreBounded(t *testing.T) {
	h := newHarness(t, withConfig(func(c *httpcore.Config) {
		c.Retry = httpcore.RetryPolicy{MaxRetries: 3, InitialInterval: time.Second, MaxInterval: 5 * time.Second, MaxElapsedTime: time.Hour}
	}))
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 503, map[string]string{"message": "down"})
	})
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	assert.ErrorIs(t, err, telematics.ErrUnavailable)
	assert.EqualValues(t, 4, n.Load())
	assert.Equal(t, 4, resp.Attempts)

	// 4xx other than the retryable ones are never retried.
	h.mux.HandleFunc("GET /api/v3/missing", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 404, map[string]string{"message": "no such vehicle"})
	})
	n.Store(0)
	_, err = h.client.Do(context.Background(), &httpcore.Request{Path: "/missing"}, nil)
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	assert.EqualValues(t, 1, n.Load())
}

func TestMaxElapsedTimeStopsRetries(t *testing.T) {
	h := newHarness(t, withConfig(func(c *httpcore.Config) {
		c.Retry = httpcore.RetryPolicy{MaxRetries: 100, InitialInterval: 10 * time.Second, MaxInterval: 10 * time.Second, MaxElapsedTime: 35 * time.Second}
	}))
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 500, nil)
	})
	_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.Error(t, err)
	assert.LessOrEqual(t, n.Load(), int32(6))
	assert.GreaterOrEqual(t, n.Load(), int32(3))
}

// Each hint header form sets the floor of the wait before the retry.
func TestHintHeadersAreTheFloor(t *testing.T) {
	start := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		status  int
		headers map[string]string
		min     time.Duration // the wait is at least this (0: only backoff)
	}{
		{"retry-after seconds", 429, map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"retry-after fractional", 503, map[string]string{"Retry-After": "2.5"}, 2500 * time.Millisecond},
		{"retry-after date", 503, map[string]string{"Retry-After": start.Add(20 * time.Second).Format(http.TimeFormat)}, 20 * time.Second},
		{"retry-after past date", 503, map[string]string{"Retry-After": start.Add(-time.Hour).Format(http.TimeFormat)}, 0},
		{"retry-after-ms", 429, map[string]string{"Retry-After-Ms": "4500"}, 4500 * time.Millisecond},
		{"x-rate-limit-reset on 429", 429, map[string]string{"X-Rate-Limit-Reset": "12"}, 12 * time.Second},
		{"ratelimit-reset on 429", 429, map[string]string{"RateLimit-Reset": "9"}, 9 * time.Second},
		{"403 exhausted budget", 403, map[string]string{"X-Rate-Limit-Limit": "150", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "30"}, 30 * time.Second},
		{"reset ignored on 5xx", 500, map[string]string{"X-Rate-Limit-Reset": "50"}, 0},
		{"negative ignored", 429, map[string]string{"Retry-After": "-5"}, 0},
		{"garbage ignored", 429, map[string]string{"Retry-After": "soon", "Retry-After-Ms": "x"}, 0},
		{"longest hint wins", 429, map[string]string{"Retry-After": "3", "X-Rate-Limit-Reset": "8"}, 8 * time.Second},
	}
	// The waits themselves, measured on the harness clock.
	for _, tc := range tests {
		t.Run(tc.name+"/wait", func(t *testing.T) {
			h := newHarness(t, withConfig(func(c *httpcore.Config) {
				c.Retry = httpcore.RetryPolicy{MaxRetries: 1, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond, MaxElapsedTime: time.Minute}
			}))
			require.Equal(t, start, h.clock.Now())
			var n atomic.Int32
			h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					for k, v := range tc.headers {
						w.Header().Set(k, v)
					}
					writeJSON(w, tc.status, nil)
					return
				}
				writeJSON(w, 200, listResponse{})
			})
			resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
			require.NoError(t, err)
			assert.Equal(t, 2, resp.Attempts)
			var retryWait time.Duration
			for _, s := range h.clock.Sleeps() {
				retryWait += s
			}
			if tc.min == 0 {
				assert.Less(t, retryWait, 100*time.Millisecond, "only the backoff applies")
				return
			}
			assert.GreaterOrEqual(t, retryWait, tc.min, "never earlier than the server asked")
			assert.LessOrEqual(t, retryWait, tc.min+time.Second+ratelimitMargin, "jitter is bounded")
		})
	}
}

const ratelimitMargin = time.Second

func TestHintAboveCapReturnsAtOnce(t *testing.T) {
	h := newHarness(t)
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "86400")
		writeJSON(w, 429, map[string]string{"error": "rate_limit", "message": "vehicle rate limit"})
	})
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.Error(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.Empty(t, h.clock.Sleeps(), "a hint above the cap is not slept")
	var rl *telematics.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, 24*time.Hour, rl.RetryAfter)
	assert.Equal(t, h.clock.Now().Add(24*time.Hour), rl.ResetAt)
	assert.ErrorIs(t, err, telematics.ErrRateLimited)
	var apiErr *testAPIError
	require.ErrorAs(t, err, &apiErr, "the provider's error stays reachable")
	assert.Equal(t, 429, apiErr.Status)
	assert.Equal(t, 24*time.Hour, resp.RetryAfter)
}

func TestLongRetryAfterOn503IsReturned(t *testing.T) {
	h := newHarness(t)
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "3600")
		writeJSON(w, 503, nil)
	})
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	assert.ErrorIs(t, err, telematics.ErrUnavailable)
	assert.EqualValues(t, 1, n.Load())
	assert.Equal(t, time.Hour, resp.RetryAfter)
}

func TestPostNotRetriedUnlessIdempotent(t *testing.T) {
	h := newHarness(t)
	var n atomic.Int32
	h.mux.HandleFunc("POST /api/v3/jobs", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, 503, map[string]string{"message": "busy"})
			return
		}
		writeJSON(w, 201, vehicle{ID: 9})
	})
	_, err := h.client.Do(context.Background(), &httpcore.Request{Method: http.MethodPost, Path: "/jobs", Body: vehicle{Name: "x"}}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, telematics.ErrUnavailable)
	assert.EqualValues(t, 1, n.Load(), "a POST is not repeated")

	n.Store(0)
	var out vehicle
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Method: http.MethodPost, Path: "/jobs", Body: vehicle{Name: "x"}, Idempotent: true}, &out)
	require.NoError(t, err)
	assert.EqualValues(t, 9, out.ID)
	assert.Equal(t, 2, resp.Attempts)
}

// A POST whose connection breaks after it was written is not repeated, and its error
// says it may have succeeded.
func TestPostDroppedAfterWriteMayHaveSucceeded(t *testing.T) {
	h := newHarness(t)
	var n atomic.Int32
	h.mux.HandleFunc("POST /api/v3/commands/unlock", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.ReadAll(r.Body)
		hijackAndClose(t, w)
	})
	_, err := h.client.Do(context.Background(), &httpcore.Request{Method: http.MethodPost, Path: "/commands/unlock", Body: map[string]any{}}, nil)
	require.Error(t, err)
	assert.EqualValues(t, 1, n.Load())
	assert.True(t, telematics.MayHaveSucceeded(err))
	assert.Contains(t, err.Error(), "(the request may have been applied)")
	var re *telematics.RequestError
	require.ErrorAs(t, err, &re)
	assert.True(t, re.Sent)
}

// A GET whose connection breaks mid-response is retried.
func TestGetDroppedMidResponseIsRetried(t *testing.T) {
	h := newHarness(t)
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"data":[{"id":1,`))
			hijackAndClose(t, w)
			return
		}
		writeJSON(w, 200, listResponse{Data: []vehicle{{ID: 1}}})
	})
	var out listResponse
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, &out)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.Len(t, out.Data, 1)
}

// A request that never left the machine is safe to repeat, even a POST.
func TestConnectionRefusedPostIsRetried(t *testing.T) {
	h := newHarness(t)
	var refuse atomic.Bool
	refuse.Store(true)
	base := h.client.BaseURL()
	// A transport that refuses the first dial, as a server restarting would.
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if refuse.Swap(false) {
			return nil, errors.New("dial tcp: connection refused")
		}
		return dialer.DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	c, err := httpcore.New(httpcore.Config{Provider: "testprov", BaseURL: base, Tokens: h.tokens, Clock: h.clock,
		DecodeError: decodeTestError, HTTPClient: &http.Client{Transport: tr}})
	require.NoError(t, err)
	var n atomic.Int32
	h.mux.HandleFunc("POST /api/v3/jobs", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 201, vehicle{ID: 3})
	})
	resp, err := c.Do(context.Background(), &httpcore.Request{Method: http.MethodPost, Path: "/jobs", Body: vehicle{}}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.EqualValues(t, 1, n.Load())
}

func TestRateLimited403IsRetriedAfterReset(t *testing.T) {
	h := newHarness(t)
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Rate-Limit-Limit", "150")
		if n.Add(1) == 1 {
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Reset", "40")
			writeJSON(w, 403, map[string]string{"message": "rate limit exceeded"})
			return
		}
		w.Header().Set("X-Rate-Limit-Remaining", "149")
		w.Header().Set("X-Rate-Limit-Reset", "900")
		writeJSON(w, 200, listResponse{})
	})
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.GreaterOrEqual(t, h.clock.Slept(), 40*time.Second)

	// A 403 with budget left is a permission error and is not retried.
	h.mux.HandleFunc("GET /api/v3/secret", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("X-Rate-Limit-Remaining", "100")
		writeJSON(w, 403, map[string]string{"message": "insufficient scope"})
	})
	n.Store(0)
	_, err = h.client.Do(context.Background(), &httpcore.Request{Path: "/secret"}, nil)
	assert.ErrorIs(t, err, telematics.ErrForbidden)
	assert.NotErrorIs(t, err, telematics.ErrRateLimited)
	assert.EqualValues(t, 1, n.Load())
}

// When the last response said the budget is spent, the next request waits for the reset
// instead of being sent to a certain rejection.
func TestPacingWaitsForReset(t *testing.T) {
	h := newHarness(t)
	windowEnd := h.clock.Now().Add(30 * time.Second)
	var early atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		now := h.clock.Now()
		w.Header().Set("X-Rate-Limit-Limit", "2")
		if now.Before(windowEnd) {
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Reset", strconv.Itoa(int(windowEnd.Sub(now).Seconds())))
			if early.Add(1) > 1 {
				writeJSON(w, 403, map[string]string{"message": "rate limit exceeded"})
				return
			}
		} else {
			w.Header().Set("X-Rate-Limit-Remaining", "1")
			w.Header().Set("X-Rate-Limit-Reset", "30")
		}
		writeJSON(w, 200, listResponse{})
	})
	_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.NoError(t, err)
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, resp.Attempts, "no request was spent on a rejection")
	assert.EqualValues(t, 1, early.Load())
	assert.False(t, h.clock.Now().Before(windowEnd))
	require.Len(t, h.clock.Sleeps(), 1)
	assert.Equal(t, 30*time.Second+ratelimitMargin, h.clock.Sleeps()[0])
}

// A retry that first has to wait for the budget window to reset still gets its retries:
// the pacing wait does not count against the retry policy's MaxElapsedTime.
func TestPacingWaitDoesNotUseUpRetryTime(t *testing.T) {
	h := newHarness(t, withConfig(func(c *httpcore.Config) {
		c.MaxWait = 20 * time.Minute
		c.Retry = httpcore.RetryPolicy{MaxRetries: 4, InitialInterval: time.Second, MaxInterval: time.Second, MaxElapsedTime: time.Minute}
	}))
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Rate-Limit-Limit", "150")
		switch n.Add(1) {
		case 1:
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Reset", "600")
			writeJSON(w, 503, nil)
		case 2:
			w.Header().Set("X-Rate-Limit-Remaining", "149")
			w.Header().Set("X-Rate-Limit-Reset", "900")
			writeJSON(w, 503, nil)
		default:
			w.Header().Set("X-Rate-Limit-Remaining", "148")
			w.Header().Set("X-Rate-Limit-Reset", "899")
			writeJSON(w, 200, listResponse{})
		}
	})
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	assert.GreaterOrEqual(t, h.clock.Slept(), 600*time.Second)
}

func TestPacingBeyondMaxWaitIsNotSent(t *testing.T) {
	h := newHarness(t, withConfig(func(c *httpcore.Config) { c.MaxWait = 10 * time.Second }))
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("X-Rate-Limit-Limit", "150")
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		w.Header().Set("X-Rate-Limit-Reset", "600")
		writeJSON(w, 200, listResponse{})
	})
	_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.NoError(t, err)
	_, err = h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	var rl *telematics.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Nil(t, rl.Err, "the client refused to send")
	assert.Equal(t, 600*time.Second, rl.RetryAfter)
	assert.Equal(t, 0, rl.Remaining)
	assert.Equal(t, 150, rl.Limit)
	assert.Contains(t, err.Error(), "request not sent")
	assert.EqualValues(t, 1, n.Load())
}

func TestClientSideLimiter(t *testing.T) {
	lim := rate.NewLimiter(rate.Every(10*time.Second), 2)
	h := newHarness(t, withConfig(func(c *httpcore.Config) { c.Limiter = httpcore.NewLimiter(lim) }))
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, listResponse{}) })
	for range 5 {
		_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
		require.NoError(t, err)
	}
	// Two from the burst, then one every ten seconds of the injected clock.
	assert.Equal(t, 30*time.Second, h.clock.Slept())
}

func TestContextCancelDuringBackoffSleep(t *testing.T) {
	clock := newSignallingClock()
	h := newHarness(t, withClock(clock))
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, 503, nil)
	})
	assertCancelReturnsPromptly(t, h.client, clock, 30*time.Second, &httpcore.Request{Path: "/vehicles"})
}

func TestContextCancelDuringPacingWait(t *testing.T) {
	clock := newSignallingClock()
	h := newHarness(t, withClock(clock))
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Rate-Limit-Limit", "150")
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		w.Header().Set("X-Rate-Limit-Reset", "30")
		writeJSON(w, 200, listResponse{})
	})
	_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.NoError(t, err)
	assertCancelReturnsPromptly(t, h.client, clock, 30*time.Second, &httpcore.Request{Path: "/vehicles"})
}

// signallingClock is the real clock, telling the test when a wait begins.
type signallingClock struct {
	telematics.Clock
	sleeping chan time.Duration
}

func newSignallingClock() *signallingClock {
	return &signallingClock{Clock: telematics.SystemClock, sleeping: make(chan time.Duration, 16)}
}

func (c *signallingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.sleeping <- d
	return c.Clock.Sleep(ctx, d)
}

// assertCancelReturnsPromptly starts req, waits until the call is inside a wait of at
// least minWait, cancels it and checks that Do returns within 50 ms.
func assertCancelReturnsPromptly(t *testing.T, c *httpcore.Client, clock *signallingClock, minWait time.Duration, req *httpcore.Request) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { _, err := c.Do(ctx, req, nil); errc <- err }()
	select {
	case d := <-clock.sleeping:
		require.GreaterOrEqual(t, d, minWait, "the call is in the long wait")
	case err := <-errc:
		t.Fatalf("Do returned before waiting: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Do never started to wait")
	}
	cancelled := time.Now()
	cancel()
	select {
	case err := <-errc:
		assert.Less(t, time.Since(cancelled), 50*time.Millisecond)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, telematics.ErrUnavailable)
	case <-time.After(2 * time.Second):
		t.Fatal("Do did not return after cancel")
	}
}

func TestErrorBodyIsCapped(t *testing.T) {
	const capBytes = 1024
	h := newHarness(t, withConfig(func(c *httpcore.Config) { c.MaxErrorBody = capBytes }))
	var written atomic.Int64
	finished := make(chan struct{})
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		defer close(finished)
		w.WriteHeader(400)
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range 1024 { // 64 MiB: far more than socket buffers hold
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	var apiErr *testAPIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.Status)
	assert.LessOrEqual(t, len(apiErr.Message), 200)
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Fatal("the server kept writing: the client did not drop the connection")
	}
	assert.Less(t, written.Load(), int64(64<<20), "the client stopped reading at the cap")
}

func TestSuccessBodyTooLarge(t *testing.T) {
	h := newHarness(t, withConfig(func(c *httpcore.Config) { c.MaxBody = 100 }))
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"x": strings.Repeat("y", 500)})
	})
	var out map[string]string
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, &out)
	assert.ErrorIs(t, err, telematics.ErrResponseTooLarge)
	assert.Equal(t, 1, resp.Attempts, "an oversized body is not retried")
}

func TestMalformedJSON(t *testing.T) {
	h := newHarness(t)
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[{"id":1,"name":`))
	})
	h.mux.HandleFunc("GET /api/v3/empty", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	var out listResponse
	_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, &out)
	assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
	assert.NotErrorIs(t, err, telematics.ErrUnavailable)
	assert.Contains(t, err.Error(), "GET")
	_, err = h.client.Do(context.Background(), &httpcore.Request{Path: "/empty"}, &out)
	assert.ErrorIs(t, err, telematics.ErrMalformedResponse)

	var raw []byte
	_, err = h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, &raw)
	require.NoError(t, err)
	assert.Equal(t, `{"data":[{"id":1,"name":`, string(raw))
}

func TestAttemptTimeoutIsRetried(t *testing.T) {
	h := newHarness(t, withConfig(func(c *httpcore.Config) { c.Timeout = 100 * time.Millisecond }))
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done()
			return
		}
		writeJSON(w, 200, listResponse{})
	})
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
}

// The whole failing-and-retrying story with a debug logger: neither the client secret nor
// any token appears in the log or in any error.
func TestSecretsNeverLeak(t *testing.T) {
	logger, logBuf := testkit.DebugLogger()
	h := newHarness(t, func(_ *harness, c *httpcore.Config, a *auth.Config) { c.Logger, a.Logger = logger, logger })
	h.oauth.FailNext(502)
	var seen testkit.TokenRecorder
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		seen.Note(r)
		switch n.Add(1) {
		case 1:
			// Servers echo a refused token, with and without its scheme.
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			writeJSON(w, 401, map[string]string{"error": "invalid_token", "error_description": "Invalid access token: " + tok})
		case 2:
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, map[string]string{"message": "slow down"})
		case 3:
			writeJSON(w, 503, nil)
		default:
			writeJSON(w, 401, map[string]string{"error": "invalid_token", "message": "token " + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + " was revoked"})
		}
	})
	var errs []error
	_, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles", Query: url.Values{"access_token": {"query-token-value"}}}, nil)
	errs = append(errs, err)
	n.Store(100)
	_, err = h.client.Do(context.Background(), &httpcore.Request{Method: http.MethodPost, Path: "/vehicles"}, nil)
	errs = append(errs, err)

	require.NotEmpty(t, seen.Tokens(), "tokens were issued")
	log := logBuf.String()
	require.Contains(t, log, "fleetkit request")
	require.Contains(t, log, "retrying")
	texts := testkit.Texts{"log": log}
	for i, err := range errs {
		require.Error(t, err)
		texts.AddError(fmt.Sprint("error ", i), err)
	}
	testkit.AssertNoSecrets(t, texts, clientID, append([]string{clientSecret, "query-token-value"}, seen.Tokens()...)...)
	assert.Contains(t, log, "access_token=REDACTED")
}

func TestRedact(t *testing.T) {
	u, _ := url.Parse("wss://user:pw@stream.example.com/live?token=abc&vehicle=7&signature=zzz")
	r := httpcore.RedactURL(u)
	assert.NotContains(t, r, "abc")
	assert.NotContains(t, r, "zzz")
	assert.NotContains(t, r, "pw")
	assert.Contains(t, r, "vehicle=7")
	s := httpcore.RedactString(`Get "https://a:b@x/y?client_secret=s1&x=1": Authorization: Bearer tok.en-1 Basic dXNlcjpwYXNz`)
	for _, leak := range []string{"s1", "tok.en-1", "dXNlcjpwYXNz", "a:b"} {
		assert.NotContains(t, s, leak)
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{}`), &m))
}

var dialer net.Dialer

// hijackAndClose drops the connection without a (complete) response.
func hijackAndClose(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

// One bucket shared by two clients and many goroutines never lets a request out before
// its token, even on a manual clock that every waiting goroutine pushes forward.
func TestSharedLimiterUnderConcurrency(t *testing.T) {
	const burst, interval, perClient = 3, 10 * time.Second, 15
	lim := rate.NewLimiter(rate.Every(interval), burst)
	h := newHarness(t, withConfig(func(c *httpcore.Config) { c.Limiter = httpcore.NewLimiter(lim) }))
	start := h.clock.Now()
	var mu sync.Mutex
	var times []time.Time
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, h.clock.Now())
		mu.Unlock()
		writeJSON(w, 200, listResponse{})
	})
	second, err := httpcore.New(httpcore.Config{Provider: "testprov", BaseURL: h.client.BaseURL(), Tokens: h.tokens,
		Clock: h.clock, DecodeError: decodeTestError, Limiter: httpcore.NewLimiter(lim)})
	require.NoError(t, err)
	defer second.Close()

	var wg sync.WaitGroup
	for _, c := range []*httpcore.Client{h.client, second} {
		for range perClient {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
				assert.NoError(t, err)
			}()
		}
	}
	wg.Wait()
	require.Len(t, times, 2*perClient)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i, at := range times {
		earliest := start
		if i >= burst {
			earliest = start.Add(time.Duration(i-burst+1) * interval)
		}
		assert.False(t, at.Before(earliest), "request %d at %s, before its token at %s", i, at.Sub(start), earliest.Sub(start))
	}
}

func TestReplayHeadersRefusedOnCallsNotRepeated(t *testing.T) {
	h := newHarness(t)
	var n atomic.Int32
	h.mux.HandleFunc("/api/v3/commands/unlock", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 200, nil)
	})
	for _, hdr := range []string{"Idempotency-Key", "X-Idempotency-Key"} {
		_, err := h.client.Do(context.Background(), &httpcore.Request{Method: http.MethodPost, Path: "/commands/unlock",
			Header: http.Header{hdr: {"k-1"}}}, nil)
		assert.ErrorIs(t, err, telematics.ErrInvalidInput, hdr)
		assert.ErrorContains(t, err, hdr)
	}
	assert.Zero(t, n.Load(), "nothing was sent")

	// On calls the SDK itself may repeat, the header is the caller's business.
	_, err := h.client.Do(context.Background(), &httpcore.Request{Method: http.MethodPost, Path: "/commands/unlock",
		Idempotent: true, Header: http.Header{"Idempotency-Key": {"k-2"}}}, nil)
	require.NoError(t, err)
	_, err = h.client.Do(context.Background(), &httpcore.Request{Method: http.MethodPut, Path: "/commands/unlock",
		Header: http.Header{"Idempotency-Key": {"k-3"}}}, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 2, n.Load())
}

// notRetryable is a provider error that knows retrying cannot help.
type notRetryable struct{ *testAPIError }

func (notRetryable) Retryable() bool { return false }

func TestErrorCanRefuseRetry(t *testing.T) {
	h := newHarness(t, withConfig(func(c *httpcore.Config) {
		c.DecodeError = func(resp *telematics.Response, body []byte) error {
			err := decodeTestError(resp, body).(*testAPIError)
			if err.Code == "upstream_rate_limit" {
				return notRetryable{err}
			}
			return err
		}
	}))
	var n atomic.Int32
	h.mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 502, map[string]string{"error": "upstream_rate_limit", "message": "the maker limits this vehicle"})
	})
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
	assert.ErrorIs(t, err, telematics.ErrUnavailable)
	assert.EqualValues(t, 1, n.Load(), "not retried")
	assert.Equal(t, 1, resp.Attempts)
	assert.Empty(t, h.clock.Sleeps())
}

func TestInvalidMethodIsNotRetried(t *testing.T) {
	h := newHarness(t)
	_, err := h.client.Do(context.Background(), &httpcore.Request{Method: "BAD METHOD", Path: "/vehicles"}, nil)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Empty(t, h.clock.Sleeps(), "no backoff for a request that cannot be built")
}
