package mycartracks_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestNewClientValidatesEagerly(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		secret string
		opts   []mycartracks.Option
	}{
		{"no client id", "", clientSecret, nil},
		{"no secret", clientID, "", nil},
		{"unknown scope", clientID, clientSecret, []mycartracks.Option{mycartracks.WithScopes("read", "wirte")}},
		{"no scope", clientID, clientSecret, []mycartracks.Option{mycartracks.WithScopes()}},
		{"relative base URL", clientID, clientSecret, []mycartracks.Option{mycartracks.WithBaseURL("/services/rest/v3")}},
		{"token URL not http", clientID, clientSecret, []mycartracks.Option{mycartracks.WithTokenURL("ftp://x/token")}},
		{"negative retries", clientID, clientSecret, []mycartracks.Option{mycartracks.WithMaxRetries(-1)}},
		{"negative wait", clientID, clientSecret, []mycartracks.Option{mycartracks.WithMaxWait(-time.Second)}},
		{"negative timeout", clientID, clientSecret, []mycartracks.Option{mycartracks.WithTimeout(-time.Second)}},
		{"zero timeout", clientID, clientSecret, []mycartracks.Option{mycartracks.WithTimeout(0)}},
		{"empty budget", clientID, clientSecret, []mycartracks.Option{mycartracks.WithBudget(0, time.Minute)}},
		{"budget over no time", clientID, clientSecret, []mycartracks.Option{mycartracks.WithBudget(10, 0)}},
		{"empty budget replaced by a limiter", clientID, clientSecret, []mycartracks.Option{mycartracks.WithBudget(0, time.Minute),
			mycartracks.WithRateLimiter(rate.NewLimiter(rate.Inf, 1))}},
		{"blank secret", clientID, " \t", nil},
		{"nil HTTP client", clientID, clientSecret, []mycartracks.Option{mycartracks.WithHTTPClient(nil)}},
		{"nil clock", clientID, clientSecret, []mycartracks.Option{mycartracks.WithClock(nil)}},
		{"user agent with a line break", clientID, clientSecret, []mycartracks.Option{mycartracks.WithUserAgent("app\r\nX-Evil: 1")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := mycartracks.NewClient(tc.id, tc.secret, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, telematics.ErrInvalidInput)
			assert.NotContains(t, err.Error(), clientSecret)
		})
	}
	c, err := mycartracks.NewClient(clientID, clientSecret)
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, mycartracks.DefaultBaseURL, c.BaseURL())
	assert.Equal(t, telematics.UnknownRate, c.Rate())
	assert.GreaterOrEqual(t, mycartracks.DefaultMaxWait, 15*time.Minute+time.Second, "pacing can wait out a whole budget window")
}

// NewClient reports every invalid option at once, not only the first.
func TestNewClientJoinsEveryOptionError(t *testing.T) {
	_, err := mycartracks.NewClient("", clientSecret, mycartracks.WithMaxWait(-time.Second), mycartracks.WithTimeout(0),
		mycartracks.WithHTTPClient(nil), mycartracks.WithScopes("wirte"))
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
	for _, want := range []string{"maximum wait -1s", "timeout 0s", "nil HTTP client", `unknown scope "wirte"`, "client ID and client secret are required"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "\n", "one line")
}

func TestFromEnv(t *testing.T) {
	s := newScripted(t)
	var posted int
	s.handle("POST /jobs", func(w http.ResponseWriter, r *http.Request) {
		posted++
		writeJSON(w, 201, map[string]any{"id": 1, "name": "x"})
	})
	t.Setenv(mycartracks.EnvClientID, clientID)
	t.Setenv(mycartracks.EnvClientSecret, clientSecret)
	t.Setenv(mycartracks.EnvScope, "read write")
	t.Setenv(mycartracks.EnvBaseURL, "https://example.invalid/v3")
	t.Setenv(mycartracks.EnvTokenURL, s.srv.URL+"/oauth/token")

	c, err := mycartracks.FromEnv(mycartracks.WithClock(s.clock))
	require.NoError(t, err)
	assert.Equal(t, "https://example.invalid/v3", c.BaseURL())
	c.Close()

	// Options given to FromEnv override the environment.
	c, err = mycartracks.FromEnv(mycartracks.WithBaseURL(s.srv.URL+basePath), mycartracks.WithClock(s.clock))
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, s.srv.URL+basePath, c.BaseURL())
	_, err = c.Jobs.Create(context.Background(), mycartracks.JobParams{Name: mycartracks.Ptr("x")})
	require.NoError(t, err, "MYCARTRACKS_SCOPE granted write")
	assert.Equal(t, 1, posted)

	t.Setenv(mycartracks.EnvClientSecret, "")
	_, err = mycartracks.FromEnv()
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Contains(t, err.Error(), mycartracks.EnvClientSecret)
}

// The token request is the documented one: HTTP Basic client authentication and a form
// body with grant_type and the scopes.
func TestTokenRequestAsDocumented(t *testing.T) {
	for _, tc := range []struct {
		opts  []mycartracks.Option
		scope string
	}{
		{nil, "read"},
		{[]mycartracks.Option{mycartracks.WithScopes(mycartracks.ScopeRead, mycartracks.ScopeWrite)}, "read write"},
		{[]mycartracks.Option{mycartracks.WithScopes("read write")}, "read write"},
	} {
		t.Run(tc.scope, func(t *testing.T) {
			s := newScripted(t)
			var form url.Values
			var user, pass string
			var basic bool
			tokenSrv := http.NewServeMux()
			tokenSrv.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
				user, pass, basic = r.BasicAuth()
				require.NoError(t, r.ParseForm())
				form = r.PostForm
				assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
				s.oauth.ServeHTTP(w, r)
			})
			s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"data": []any{}}) })
			root := http.NewServeMux()
			root.Handle("/token", tokenSrv)
			wrapped := newLoopback(t, root)
			c := s.newClient(append(tc.opts, mycartracks.WithTokenURL(wrapped+"/token"))...)
			_, err := c.Vehicles.List(context.Background(), nil)
			require.NoError(t, err)
			assert.True(t, basic, "client credentials in HTTP Basic")
			assert.Equal(t, clientID, user)
			assert.Equal(t, clientSecret, pass)
			assert.Equal(t, "client_credentials", form.Get("grant_type"))
			assert.Equal(t, tc.scope, form.Get("scope"))
			assert.Empty(t, form.Get("client_secret"), "the secret is not in the body")
		})
	}
}

// A read-only client refuses every write before sending it: no token is fetched and no
// request reaches the server.
func TestWritesNeedTheWriteScope(t *testing.T) {
	s := newScripted(t)
	ctx := context.Background()
	c := s.client
	calls := map[string]func() error{
		"Jobs.Create": func() error {
			_, err := c.Jobs.Create(ctx, mycartracks.JobParams{Name: mycartracks.Ptr("x")})
			return err
		},
		"Jobs.Update": func() error { _, err := c.Jobs.Update(ctx, 1, mycartracks.JobParams{}); return err },
		"Jobs.Delete": func() error { return c.Jobs.Delete(ctx, 1) },
		"Geofences.Create": func() error {
			_, err := c.Geofences.Create(ctx, mycartracks.GeofenceParams{Name: mycartracks.Ptr("x")})
			return err
		},
		"Geofences.Update": func() error { _, err := c.Geofences.Update(ctx, 1, mycartracks.GeofenceParams{}); return err },
		"Geofences.Delete": func() error { return c.Geofences.Delete(ctx, 1) },
		"MapSharingLinks.Create": func() error {
			_, err := c.MapSharingLinks.Create(ctx, mycartracks.MapSharingLinkParams{VehicleIDs: []mycartracks.ID{1}})
			return err
		},
		"MapSharingLinks.Delete": func() error { return c.MapSharingLinks.Delete(ctx, 1) },
		"Client.Do": func() error {
			_, err := c.Do(ctx, http.MethodPost, "/vehicles/1/notes", nil, map[string]string{"x": "y"}, nil)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.Error(t, err)
			assert.ErrorIs(t, err, telematics.ErrForbidden)
			assert.NotErrorIs(t, err, telematics.ErrRateLimited)
			var se *mycartracks.ScopeError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, name, se.Operation)
			assert.Equal(t, "write", se.Scope)
			assert.Contains(t, err.Error(), `needs the "write" scope`)
			assert.Contains(t, err.Error(), "request not sent")
		})
	}
	assert.Zero(t, s.requests.Load(), "no request reached the server")
	assert.Zero(t, s.oauth.Requests(), "no token was even fetched")
}

func TestDoReachesUnmodelledEndpoints(t *testing.T) {
	s := newScripted(t, mycartracks.WithScopes("read", "write"))
	s.handle("GET /vehicles/{id}/odometer", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "7", r.PathValue("id"))
		assert.Equal(t, "km", r.URL.Query().Get("unit"))
		writeJSON(w, 200, map[string]any{"value": 12345.5})
	})
	s.handle("POST /vehicles/{id}/notes", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, map[string]any{"id": 3})
	})
	ctx := context.Background()
	var out struct {
		Value float64 `json:"value"`
	}
	resp, err := s.client.Do(ctx, "get", "/vehicles/7/odometer", url.Values{"unit": {"km"}}, nil, &out)
	require.NoError(t, err)
	assert.Equal(t, 12345.5, out.Value)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "req-1", resp.RequestID)
	assert.Equal(t, 149, resp.Rate.Remaining)
	assert.Equal(t, resp.Rate, s.client.Rate())

	var raw []byte
	resp, err = s.client.Do(ctx, http.MethodPost, "/vehicles/7/notes", nil, map[string]string{"text": "hi"}, &raw)
	require.NoError(t, err)
	assert.Equal(t, 201, resp.StatusCode)
	assert.JSONEq(t, `{"id":3}`, string(raw))

	_, err = s.client.Do(ctx, http.MethodGet, "/nope", nil, nil, nil)
	assert.ErrorIs(t, err, telematics.ErrNotFound)
}

func TestWithResponseAndHeader(t *testing.T) {
	s := newScripted(t)
	s.handle("GET /vehicles/{id}", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "yes", r.Header.Get("X-Trace"))
		if r.PathValue("id") == "404" {
			writeJSON(w, 404, map[string]string{"error": "not_found", "message": "vehicle 404 not found"})
			return
		}
		writeJSON(w, 200, map[string]any{"id": 7, "name": "Van 7"})
	})
	var resp telematics.Response
	v, err := s.client.Vehicles.Get(context.Background(), 7, mycartracks.WithResponse(&resp), mycartracks.WithHeader("X-Trace", "yes"))
	require.NoError(t, err)
	assert.Equal(t, "Van 7", v.Name)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 1, resp.Attempts)
	assert.True(t, strings.HasSuffix(resp.URL, "/services/rest/v3/vehicles/7"), resp.URL)

	_, err = s.client.Vehicles.Get(context.Background(), 404, mycartracks.WithResponse(&resp), mycartracks.WithHeader("X-Trace", "yes"))
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	assert.Equal(t, 404, resp.StatusCode, "filled in when the call fails")
}

func TestClosedClientFails(t *testing.T) {
	s := newScripted(t)
	s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"data": []any{}}) })
	ctx := context.Background()
	t.Run("before any token", func(t *testing.T) {
		c := s.newClient()
		c.Close()
		_, err := c.Vehicles.List(ctx, nil)
		assert.ErrorIs(t, err, telematics.ErrClientClosed)
		assert.Zero(t, s.requests.Load())
	})
	t.Run("holding a valid token", func(t *testing.T) {
		c := s.newClient()
		_, err := c.Vehicles.List(ctx, nil)
		require.NoError(t, err)
		before := s.requests.Load()
		c.Close()
		_, err = c.Vehicles.List(ctx, nil)
		assert.ErrorIs(t, err, telematics.ErrClientClosed)
		assert.NotErrorIs(t, err, telematics.ErrUnavailable, "not worth retrying")
		n, err := count(c.Vehicles.All(ctx, nil))
		assert.Zero(t, n)
		assert.ErrorIs(t, err, telematics.ErrClientClosed)
		_, err = c.Do(ctx, http.MethodGet, "/vehicles", nil, nil, nil)
		assert.ErrorIs(t, err, telematics.ErrClientClosed)
		assert.Equal(t, before, s.requests.Load(), "nothing sent after Close")
		c.Close() // twice is harmless
	})
}

func TestContextCancelled(t *testing.T) {
	s := newScripted(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.client.Vehicles.List(ctx, nil)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}

func TestClientSidePacingAndOptions(t *testing.T) {
	t.Run("budget", func(t *testing.T) {
		s := newScripted(t, mycartracks.WithBudget(2, time.Minute))
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"data": []any{}}) })
		for range 3 {
			_, err := s.client.Vehicles.List(context.Background(), nil)
			require.NoError(t, err)
		}
		assert.Equal(t, time.Minute, s.clock.Slept(), "one request every 30 s")
	})
	t.Run("limiter beyond the maximum wait", func(t *testing.T) {
		s := newScripted(t, mycartracks.WithRateLimiter(rate.NewLimiter(rate.Every(time.Hour), 1)), mycartracks.WithMaxWait(time.Minute))
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"data": []any{}}) })
		_, err := s.client.Vehicles.List(context.Background(), nil)
		require.NoError(t, err)
		_, err = s.client.Vehicles.List(context.Background(), nil)
		assert.ErrorIs(t, err, telematics.ErrRateLimited)
		assert.EqualValues(t, 1, s.requests.Load())
	})
	t.Run("user agent, retries and timeout", func(t *testing.T) {
		s := newScripted(t, mycartracks.WithUserAgent("dispatch/2.1"), mycartracks.WithMaxRetries(1), mycartracks.WithTimeout(50*time.Millisecond))
		var n int
		var mu sync.Mutex
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
			assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "dispatch/2.1 fleetkit-go/"), r.Header.Get("User-Agent"))
			mu.Lock()
			n++
			mu.Unlock()
			writeJSON(w, 503, map[string]string{"message": "busy"})
		})
		s.handle("GET /drivers", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		})
		_, err := s.client.Vehicles.List(context.Background(), nil)
		assert.ErrorIs(t, err, telematics.ErrUnavailable)
		mu.Lock()
		assert.Equal(t, 2, n, "one retry")
		mu.Unlock()
		start := time.Now()
		_, err = s.client.Drivers.List(context.Background(), nil)
		assert.ErrorIs(t, err, telematics.ErrUnavailable)
		assert.Less(t, time.Since(start), 1500*time.Millisecond, "each attempt is bounded by the timeout")
	})
}

// WithBudget and WithRateLimiter set the same limiter: the last one given wins.
func TestLimiterOptionsLastWins(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  []mycartracks.Option
		slept time.Duration
	}{
		{"budget then unlimited limiter", []mycartracks.Option{mycartracks.WithBudget(2, time.Minute), mycartracks.WithRateLimiter(rate.NewLimiter(rate.Inf, 1))}, 0},
		{"budget then no limiter", []mycartracks.Option{mycartracks.WithBudget(2, time.Minute), mycartracks.WithRateLimiter(nil)}, 0},
		{"slow limiter then budget", []mycartracks.Option{mycartracks.WithRateLimiter(rate.NewLimiter(rate.Every(10*time.Minute), 1)), mycartracks.WithBudget(2, time.Minute)}, time.Minute},
		{"budget then slow limiter", []mycartracks.Option{mycartracks.WithBudget(2, time.Minute), mycartracks.WithRateLimiter(rate.NewLimiter(rate.Every(10*time.Minute), 1))}, 20 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScripted(t, tc.opts...)
			s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"data": []any{}}) })
			for range 3 {
				_, err := s.client.Vehicles.List(context.Background(), nil)
				require.NoError(t, err)
			}
			assert.Equal(t, tc.slept, s.clock.Slept())
		})
	}
}

// WithMaxWait(0) never waits for a rate limit: each one fails the call at once with a
// *telematics.RateLimitError saying when to try again.
func TestMaxWaitZeroNeverWaits(t *testing.T) {
	ctx := context.Background()
	t.Run("budget spent", func(t *testing.T) {
		s := newScripted(t, mycartracks.WithMaxWait(0))
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Reset", "890")
			writeJSON(w, 200, map[string]any{"data": []any{}})
		})
		_, err := s.client.Vehicles.List(ctx, nil)
		require.NoError(t, err, "the last request of the window")
		_, err = s.client.Vehicles.List(ctx, nil)
		var rl *telematics.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.InDelta(t, 890, rl.RetryAfter.Seconds(), 2)
		assert.EqualValues(t, 1, s.requests.Load(), "not sent")
		assert.Zero(t, s.clock.Slept())
	})
	t.Run("rate-limit answer", func(t *testing.T) {
		s := newScripted(t, mycartracks.WithMaxWait(0))
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Del("X-Rate-Limit-Reset")
			w.Header().Set("Retry-After", "2")
			writeJSON(w, 429, map[string]string{"error": "rate_limit_exceeded"})
		})
		_, err := s.client.Vehicles.List(ctx, nil)
		var rl *telematics.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Equal(t, 2*time.Second, rl.RetryAfter)
		assert.EqualValues(t, 1, s.requests.Load(), "not retried")
		assert.Zero(t, s.clock.Slept())
	})
	t.Run("client-side budget", func(t *testing.T) {
		s := newScripted(t, mycartracks.WithMaxWait(0), mycartracks.WithBudget(1, time.Second))
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"data": []any{}}) })
		_, err := s.client.Vehicles.List(ctx, nil)
		require.NoError(t, err)
		_, err = s.client.Vehicles.List(ctx, nil)
		assert.ErrorIs(t, err, telematics.ErrRateLimited)
		assert.EqualValues(t, 1, s.requests.Load())
		assert.Zero(t, s.clock.Slept())
	})
	t.Run("the default waits", func(t *testing.T) {
		s := newScripted(t)
		var n atomic.Int32
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Del("X-Rate-Limit-Reset")
				w.Header().Set("Retry-After", "120")
				writeJSON(w, 429, map[string]string{"error": "rate_limit_exceeded"})
				return
			}
			writeJSON(w, 200, map[string]any{"data": []any{}})
		})
		_, err := s.client.Vehicles.List(ctx, nil)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, s.clock.Slept(), 2*time.Minute, "longer than the request loop's own default of a minute")
	})
}

// The per-call options: WithHeader reaches the server, headers the client sets and line
// breaks are refused before sending, WithRequestTimeout bounds the call's attempts, and
// the zero ID is never sent.
func TestRequestOptions(t *testing.T) {
	s := newScripted(t)
	var gotHeader string
	var left time.Duration
	s.handle("GET /vehicles/{id}", func(w http.ResponseWriter, r *http.Request) {
		gotHeader = r.Header.Get("X-Trace")
		writeJSON(w, 200, map[string]any{"id": 7, "name": "Van"})
	})
	ctx := context.Background()
	var resp telematics.Response
	_, err := s.client.Vehicles.Get(ctx, 7, mycartracks.WithHeader("X-Trace", "t-1"), mycartracks.WithResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, "t-1", gotHeader)
	assert.Equal(t, 200, resp.StatusCode)
	sent := s.requests.Load()

	for _, opt := range []mycartracks.RequestOption{
		mycartracks.WithHeader("Authorization", "Bearer other-token"),
		mycartracks.WithHeader("user-agent", "x"),
		mycartracks.WithHeader("Host", "evil.example.com"),
		mycartracks.WithHeader("X-Bad", "a\r\nb"),
		mycartracks.WithHeader(" ", "x"),
		mycartracks.WithRequestTimeout(0),
	} {
		_, err := s.client.Vehicles.Get(ctx, 7, opt)
		assert.ErrorIs(t, err, telematics.ErrInvalidInput)
		assert.NotContains(t, err.Error(), "other-token")
	}
	_, err = s.client.Vehicles.Get(ctx, 0)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Equal(t, sent, s.requests.Load(), "nothing sent")

	rec := &deadlineTransport{base: s.srv.Client().Transport, left: &left}
	c := s.newClient(mycartracks.WithHTTPClient(&http.Client{Transport: rec}))
	_, err = c.Vehicles.Get(ctx, 7, mycartracks.WithRequestTimeout(7*time.Second))
	require.NoError(t, err)
	assert.InDelta(t, 7, left.Seconds(), 1)
	_, err = c.Vehicles.Get(ctx, 7)
	require.NoError(t, err)
	assert.InDelta(t, mycartracks.DefaultTimeout.Seconds(), left.Seconds(), 1)
}

// deadlineTransport notes how long the last API request had left before its deadline.
type deadlineTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	left *time.Duration
}

func (d *deadlineTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if dl, ok := r.Context().Deadline(); ok && strings.Contains(r.URL.Path, "/vehicles/") {
		d.mu.Lock()
		*d.left = time.Until(dl)
		d.mu.Unlock()
	}
	return d.base.RoundTrip(r)
}
