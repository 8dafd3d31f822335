package smartcar_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestNewClientValidates(t *testing.T) {
	const secret = "a-secret-that-must-not-leak"
	for _, tc := range []struct {
		name     string
		id, sec  string
		opts     []smartcar.Option
		contains string
	}{
		{"no id", "", secret, nil, "client ID and client secret are required"},
		{"no secret", "client_x", " ", nil, "client ID and client secret are required"},
		{"relative vehicle URL", "client_x", secret, []smartcar.Option{smartcar.WithVehicleAPIURL("/v3")}, "vehicle API URL"},
		{"ftp management URL", "client_x", secret, []smartcar.Option{smartcar.WithManagementAPIURL("ftp://x/v3")}, "management API URL"},
		{"bad token URL", "client_x", secret, []smartcar.Option{smartcar.WithTokenURL("iam.smartcar.com")}, "token URL"},
		{"token URL with credentials", "client_x", secret, []smartcar.Option{smartcar.WithTokenURL("https://user:" + secret + "@%zz")}, "token URL"},
		{"unit system", "client_x", secret, []smartcar.Option{smartcar.WithUnitSystem("kelvin")}, "unit system"},
		{"negative retries", "client_x", secret, []smartcar.Option{smartcar.WithMaxRetries(-1)}, "maximum retries -1 is negative"},
		{"max wait", "client_x", secret, []smartcar.Option{smartcar.WithMaxWait(-time.Second)}, "maximum wait"},
		{"timeout", "client_x", secret, []smartcar.Option{smartcar.WithTimeout(-time.Second)}, "timeout -1s is not positive"},
		{"command timeout", "client_x", secret, []smartcar.Option{smartcar.WithCommandTimeout(0)}, "command timeout"},
		{"nil HTTP client", "client_x", secret, []smartcar.Option{smartcar.WithHTTPClient(nil)}, "nil HTTP client"},
		{"nil clock", "client_x", secret, []smartcar.Option{smartcar.WithClock(nil)}, "nil clock"},
		{"empty budget", "client_x", secret, []smartcar.Option{smartcar.WithBudget(0, time.Minute)}, "budget 0 per 1m0s"},
		{"user agent", "client_x", secret, []smartcar.Option{smartcar.WithUserAgent("app\r\nX-Evil: 1")}, "line break"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := smartcar.NewClient(tc.id, tc.sec, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, telematics.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.contains)
			assert.NotContains(t, err.Error(), secret)
		})
	}
}

// NewClient reports every invalid option at once, not only the first.
func TestNewClientJoinsEveryOptionError(t *testing.T) {
	_, err := smartcar.NewClient("", "secret", smartcar.WithMaxWait(-time.Second), smartcar.WithTimeout(0),
		smartcar.WithHTTPClient(nil), smartcar.WithUnitSystem("kelvin"))
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
	for _, want := range []string{"maximum wait -1s", "timeout 0s", "nil HTTP client", `unit system "kelvin"`, "client ID and client secret are required"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "\n", "one line")
}

func TestNewClientDefaults(t *testing.T) {
	c, err := smartcar.NewClient("client_x", "secret", nil)
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, smartcar.DefaultVehicleAPIURL, c.VehicleAPIURL())
	assert.Equal(t, smartcar.DefaultManagementAPIURL, c.ManagementAPIURL())
	for _, svc := range []any{c.Connections, c.Users, c.Vehicles, c.Signals, c.Commands, c.Subscriptions} {
		assert.NotNil(t, svc)
	}
}

func TestFromEnv(t *testing.T) {
	fake := smartcartest.NewServer()
	defer fake.Close()
	t.Setenv(smartcar.EnvClientID, fake.ClientID)
	t.Setenv(smartcar.EnvClientSecret, fake.ClientSecret)
	t.Setenv(smartcar.EnvVehicleAPIURL, fake.VehicleAPIURL)
	t.Setenv(smartcar.EnvManagementAPIURL, fake.ManagementAPIURL)
	t.Setenv(smartcar.EnvTokenURL, fake.TokenURL)
	t.Setenv(smartcar.EnvUnitSystem, " Imperial ")
	c, err := smartcar.FromEnv()
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, fake.VehicleAPIURL, c.VehicleAPIURL())
	assert.Equal(t, fake.ManagementAPIURL, c.ManagementAPIURL())
	_, err = c.Signals.Get(context.Background(), smartcartest.VehicleModel3, smartcar.SignalOdometerTraveledDistance, alice())
	require.NoError(t, err)
	_, err = c.Subscriptions.Get(context.Background(), smartcartest.SubscriptionOne)
	require.NoError(t, err)
	reqs := fake.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "imperial", reqs[0].UnitSystem, "SC-Unit-System from the environment, trimmed and in lower case")
	assert.Equal(t, "management", reqs[1].API)
	assert.Equal(t, "imperial", reqs[1].UnitSystem)

	// Options given to FromEnv win over the environment.
	c2, err := smartcar.FromEnv(smartcar.WithUnitSystem(smartcar.Metric))
	require.NoError(t, err)
	defer c2.Close()
	_, err = c2.Signals.Get(context.Background(), smartcartest.VehicleModel3, smartcar.SignalOdometerTraveledDistance, alice())
	require.NoError(t, err)
	reqs = fake.Requests()
	assert.Equal(t, "metric", reqs[len(reqs)-1].UnitSystem)

	// Values are trimmed, as a .env file or a copy from the Dashboard leaves them.
	t.Setenv(smartcar.EnvClientID, " "+fake.ClientID+"\n")
	t.Setenv(smartcar.EnvClientSecret, "\t"+fake.ClientSecret+" ")
	t.Setenv(smartcar.EnvVehicleAPIURL, " "+fake.VehicleAPIURL+" ")
	t.Setenv(smartcar.EnvManagementAPIURL, fake.ManagementAPIURL+"\n")
	t.Setenv(smartcar.EnvTokenURL, " "+fake.TokenURL)
	c3, err := smartcar.FromEnv()
	require.NoError(t, err)
	defer c3.Close()
	assert.Equal(t, fake.VehicleAPIURL, c3.VehicleAPIURL())
	assert.Equal(t, fake.ManagementAPIURL, c3.ManagementAPIURL())
	_, err = c3.Vehicles.Get(context.Background(), smartcartest.VehicleModel3)
	require.NoError(t, err, "the trimmed credentials and token URL work")
	t.Setenv(smartcar.EnvVehicleAPIURL, "  ")
	c4, err := smartcar.FromEnv()
	require.NoError(t, err)
	defer c4.Close()
	assert.Equal(t, smartcar.DefaultVehicleAPIURL, c4.VehicleAPIURL(), "blank counts as unset")

	t.Setenv(smartcar.EnvUnitSystem, "furlongs")
	_, err = smartcar.FromEnv()
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)

	for _, blank := range []string{"", "  "} {
		t.Setenv(smartcar.EnvClientSecret, blank)
		_, err = smartcar.FromEnv()
		assert.ErrorIs(t, err, telematics.ErrInvalidInput)
		assert.Contains(t, err.Error(), "SMARTCAR_CLIENT_SECRET")
	}
}

// One application token, requested with the credentials in the form body, serves both
// APIs and concurrent callers.
func TestOneTokenForBothAPIs(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
			assert.NoError(t, err)
		}()
		go func() {
			defer wg.Done()
			_, err := e.client.Subscriptions.Get(ctx, smartcartest.SubscriptionOne)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, e.srv.Stats().Grants)
	assert.True(t, e.srv.TokenSentInBody())
	for _, r := range e.srv.Requests() {
		assert.True(t, r.Authorized, r.Path)
	}
}

func TestTokenRenewedBeforeExpiry(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
	require.NoError(t, err)
	e.clock.Advance(58 * time.Minute)
	_, err = e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
	require.NoError(t, err)
	assert.Equal(t, 1, e.srv.Stats().Grants, "still fresh")
	e.clock.Advance(90 * time.Second) // within a minute of the hour: renewed before it expires
	_, err = e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
	require.NoError(t, err)
	assert.Equal(t, 2, e.srv.Stats().Grants)
	for _, r := range e.srv.Requests() {
		assert.True(t, r.Authorized)
	}
}

func TestRevokedTokenIsReplacedOnce(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
	require.NoError(t, err)
	e.srv.RevokeTokens()
	var resp telematics.Response
	_, err = e.client.Signals.Get(ctx, smartcartest.VehicleModel3, smartcar.SignalClosureIsLocked, alice(), smartcar.WithResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, 2, e.srv.Stats().Grants)
	reqs := e.srv.Requests()
	require.Len(t, reqs, 3)
	assert.False(t, reqs[1].Authorized)
	assert.True(t, reqs[2].Authorized)
}

func TestWrongCredentials(t *testing.T) {
	fake := smartcartest.NewServer()
	defer fake.Close()
	c, err := smartcar.NewClient(fake.ClientID, "not-the-secret-123", fake.ClientOptions()...)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Vehicles.Get(context.Background(), smartcartest.VehicleModel3)
	assert.ErrorIs(t, err, telematics.ErrUnauthorized)
	var ae *telematics.AuthError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "invalid_client", ae.Code)
	assert.NotContains(t, err.Error(), "not-the-secret-123")
	assert.Zero(t, fake.CountRequests("", ""), "no API request without a token")
}

func TestTokenEndpointFailureIsRetried(t *testing.T) {
	e := newFake(t, nil)
	e.srv.FailTokenRequests(502, 503)
	_, err := e.client.Vehicles.Get(context.Background(), smartcartest.VehicleModel3)
	require.NoError(t, err)
	assert.Equal(t, 3, e.srv.Stats().TokenRequests)
}

func TestClosedClientSendsNothing(t *testing.T) {
	ctx := context.Background()
	t.Run("before any token", func(t *testing.T) {
		e := newFake(t, nil)
		e.client.Close()
		_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
		assert.ErrorIs(t, err, telematics.ErrClientClosed)
		assert.Zero(t, e.srv.CountRequests("", ""))
		e.client.Close() // twice is harmless
	})
	t.Run("holding a valid token", func(t *testing.T) {
		e := newFake(t, nil)
		_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
		require.NoError(t, err)
		before := e.srv.CountRequests("", "")
		e.client.Close()
		_, err = e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
		assert.ErrorIs(t, err, telematics.ErrClientClosed)
		assert.NotErrorIs(t, err, telematics.ErrUnavailable, "not worth retrying")
		_, err = e.client.Subscriptions.List(ctx, nil)
		assert.ErrorIs(t, err, telematics.ErrClientClosed, "the Management API too")
		_, err = e.client.Do(ctx, smartcar.VehicleAPI, http.MethodGet, "/vehicles", nil, nil, nil)
		assert.ErrorIs(t, err, telematics.ErrClientClosed)
		assert.Equal(t, before, e.srv.CountRequests("", ""), "nothing sent after Close")
	})
}

func TestHeadersAndResponse(t *testing.T) {
	e := newFake(t, nil, smartcar.WithUserAgent("dispatch/2.1"), smartcar.WithUnitSystem(smartcar.Metric))
	var resp telematics.Response
	_, err := e.client.Signals.List(context.Background(), smartcartest.VehicleCamry, bob(),
		smartcar.WithHeader("X-Trace", "t-1"), smartcar.WithResponse(&resp))
	require.NoError(t, err)
	reqs := e.srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.True(t, strings.HasPrefix(r.UserAgent, "dispatch/2.1 fleetkit-go/"), r.UserAgent)
	assert.Contains(t, r.UserAgent, "(smartcar)")
	assert.Equal(t, "metric", r.UnitSystem)
	assert.Equal(t, smartcartest.UserBob, r.UserID)
	assert.Equal(t, http.MethodGet, resp.Method)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, smartcartest.RequestID(1), resp.RequestID)
	assert.Equal(t, e.srv.VehicleAPIURL+"/vehicles/"+smartcartest.VehicleCamry+"/signals", resp.URL)
	assert.Equal(t, 1, resp.Attempts)

	// WithHeader reaches the server; a header with a line break is refused.
	_, err = e.client.Vehicles.Get(context.Background(), smartcartest.VehicleCamry, smartcar.WithHeader("X-Bad", "a\nb"))
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	_, err = e.client.Vehicles.Get(context.Background(), smartcartest.VehicleCamry, smartcar.WithUserID("u\r\n1"))
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	_, err = e.client.Vehicles.Get(context.Background(), smartcartest.VehicleCamry, smartcar.WithRequestTimeout(0))
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Equal(t, 1, e.srv.CountRequests("", ""))
}

// Headers the client sets itself cannot be replaced or doubled by WithHeader: the call
// fails before anything is sent.
func TestWithHeaderRefusesReservedHeaders(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	for _, key := range []string{"Authorization", "authorization", "SC-User-Id", "sc-user-id", "Content-Type", "User-Agent", "Accept", "Host", "Content-Length", " "} {
		t.Run(key, func(t *testing.T) {
			_, err := e.client.Signals.List(ctx, smartcartest.VehicleCamry, bob(), smartcar.WithHeader(key, "Bearer other-token"))
			assert.ErrorIs(t, err, telematics.ErrInvalidInput)
			assert.NotContains(t, err.Error(), "other-token")
		})
	}
	_, err := e.client.Signals.List(ctx, smartcartest.VehicleCamry, smartcar.WithHeader("SC-User-Id", smartcartest.UserBob))
	assert.ErrorContains(t, err, "WithUserID")
	assert.Zero(t, e.srv.CountRequests("", ""))
}

// deadlineRecorder is an HTTP transport that notes how long each request had left.
type deadlineRecorder struct {
	mu   sync.Mutex
	left map[string]time.Duration
	base http.RoundTripper
}

func (d *deadlineRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if dl, ok := r.Context().Deadline(); ok {
		d.mu.Lock()
		d.left[r.Method+" "+r.URL.Path] = time.Until(dl)
		d.mu.Unlock()
	}
	return d.base.RoundTrip(r)
}

// Commands get Smartcar's 310 s per attempt, reads a shorter default; both can change.
func TestTimeouts(t *testing.T) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	for _, tc := range []struct {
		name            string
		opts            []smartcar.Option
		reqOpts         []smartcar.RequestOption
		read, command   time.Duration
		readReqOverride bool
	}{
		{name: "defaults", read: smartcar.DefaultTimeout, command: smartcar.DefaultCommandTimeout},
		{name: "options", opts: []smartcar.Option{smartcar.WithTimeout(5 * time.Second), smartcar.WithCommandTimeout(20 * time.Minute)},
			read: 5 * time.Second, command: 20 * time.Minute},
		{name: "per call", reqOpts: []smartcar.RequestOption{smartcar.WithRequestTimeout(7 * time.Second)}, read: 7 * time.Second, command: 7 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &deadlineRecorder{left: map[string]time.Duration{}, base: tr}
			e := newFake(t, nil, append(tc.opts, smartcar.WithHTTPClient(&http.Client{Transport: rec}))...)
			ctx := context.Background()
			_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3, tc.reqOpts...)
			require.NoError(t, err)
			_, err = e.client.Commands.Lock(ctx, smartcartest.VehicleModel3, append(tc.reqOpts, alice())...)
			require.NoError(t, err)
			// A write through Do is timed like a command; a read through Do like a read.
			_, err = e.client.Do(ctx, smartcar.VehicleAPI, http.MethodPost, "/vehicles/"+smartcartest.VehicleModel3+"/charge-port/open", nil, nil, nil, tc.reqOpts...)
			assert.ErrorIs(t, err, telematics.ErrNotFound, "the fake has no such command")
			_, err = e.client.Do(ctx, smartcar.ManagementAPI, http.MethodGet, "/subscriptions", nil, nil, nil, tc.reqOpts...)
			require.NoError(t, err)
			read := rec.left["GET "+smartcartest.VehiclePrefix+"/vehicles/"+smartcartest.VehicleModel3]
			command := rec.left["POST "+smartcartest.VehiclePrefix+"/vehicles/"+smartcartest.VehicleModel3+"/commands/security/lock"]
			doWrite := rec.left["POST "+smartcartest.VehiclePrefix+"/vehicles/"+smartcartest.VehicleModel3+"/charge-port/open"]
			doRead := rec.left["GET "+smartcartest.ManagementPrefix+"/subscriptions"]
			assert.InDelta(t, tc.read.Seconds(), read.Seconds(), 2)
			assert.InDelta(t, tc.command.Seconds(), command.Seconds(), 2)
			assert.InDelta(t, tc.command.Seconds(), doWrite.Seconds(), 2)
			assert.InDelta(t, tc.read.Seconds(), doRead.Seconds(), 2)
		})
	}
	assert.GreaterOrEqual(t, smartcar.DefaultCommandTimeout, 310*time.Second)
}

// wrappedTransport stands for a tracing or metrics wrapper installed as
// http.DefaultTransport (otelhttp does this).
type wrappedTransport struct {
	base  http.RoundTripper
	mu    sync.Mutex
	calls int
}

func (w *wrappedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	w.calls++
	w.mu.Unlock()
	return w.base.RoundTrip(r)
}

// A wrapped http.DefaultTransport is used as it is, not asserted to be an
// *http.Transport. Not parallel: it replaces a global.
func TestNewClientWithWrappedDefaultTransport(t *testing.T) {
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	wrapped := &wrappedTransport{base: base}
	saved := http.DefaultTransport
	http.DefaultTransport = wrapped
	t.Cleanup(func() { http.DefaultTransport = saved })

	fake := smartcartest.NewServer()
	defer fake.Close()
	// Not fake.NewClient: its options carry the fake's own HTTP client.
	c, err := smartcar.NewClient(fake.ClientID, fake.ClientSecret, smartcar.WithVehicleAPIURL(fake.VehicleAPIURL),
		smartcar.WithManagementAPIURL(fake.ManagementAPIURL), smartcar.WithTokenURL(fake.TokenURL))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Vehicles.Get(context.Background(), smartcartest.VehicleModel3)
	require.NoError(t, err)
	wrapped.mu.Lock()
	defer wrapped.mu.Unlock()
	assert.Equal(t, 2, wrapped.calls, "the token and the API request went through the wrapper")
}
