package smartcar_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// With WithAppRateLimit the client paces itself to Smartcar's documented application
// budget (120, then 2 per minute), so the server's own bucket never refuses a request.
func TestAppRateLimitClientSide(t *testing.T) {
	e := newFake(t, []smartcartest.Option{smartcartest.WithAppRateLimit(smartcar.AppRateLimitBurst, smartcar.AppRateLimitInterval)},
		smartcar.WithAppRateLimit(), smartcar.WithMaxRetries(0))
	ctx := context.Background()
	for i := 0; i < 125; i++ {
		var resp telematics.Response
		_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3, smartcar.WithResponse(&resp))
		require.NoError(t, err, "request %d", i)
		require.Equal(t, 1, resp.Attempts)
	}
	// The burst went out at once; each of the five after it waited for one refill.
	assert.Equal(t, 5*smartcar.AppRateLimitInterval, e.clock.Slept())
	assert.Equal(t, 125, e.srv.CountRequests("", ""))
}

// A fleet of goroutines shares the one bucket, across both APIs: no request reaches the
// fake before its token, and the fake's own bucket refuses none.
func TestAppRateLimitSharedByGoroutines(t *testing.T) {
	e := newFake(t, []smartcartest.Option{smartcartest.WithAppRateLimit(smartcar.AppRateLimitBurst, smartcar.AppRateLimitInterval)},
		smartcar.WithAppRateLimit(), smartcar.WithMaxRetries(0), smartcar.WithMaxWait(24*time.Hour))
	ctx := context.Background()
	const goroutines, each = 20, 7
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				var err error
				if i%2 == 0 {
					_, err = e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
				} else {
					_, err = e.client.Subscriptions.Get(ctx, smartcartest.SubscriptionOne)
				}
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()

	reqs := e.srv.Requests()
	require.Len(t, reqs, goroutines*each, "no request was refused and retried")
	times := make([]time.Time, len(reqs))
	for i, r := range reqs {
		assert.Equal(t, http.StatusOK, r.Status, r.ID)
		times[i] = r.Time
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	// The bucket starts full at the clock's start: request k (from 0) may not arrive
	// before the (k-burst+1)-th refill.
	for k := smartcar.AppRateLimitBurst; k < len(times); k++ {
		token := epoch.Add(time.Duration(k-smartcar.AppRateLimitBurst+1) * smartcar.AppRateLimitInterval)
		assert.False(t, times[k].Before(token), "request %d at %s, its token at %s", k, times[k], token)
	}
	assert.Zero(t, e.srv.Stats().RateLimited)
	assert.Equal(t, vehiclesAndSubscriptions(reqs), [2]int{goroutines * 4, goroutines * 3}, "both APIs share the bucket")
}

func vehiclesAndSubscriptions(reqs []smartcartest.LoggedRequest) (n [2]int) {
	for _, r := range reqs {
		if r.API == "vehicle" {
			n[0]++
		} else {
			n[1]++
		}
	}
	return n
}

// Past the maximum wait the client does not queue: the call fails at once without
// sending anything.
func TestAppRateLimitBeyondMaxWait(t *testing.T) {
	e := newFake(t, nil, smartcar.WithAppRateLimit(), smartcar.WithMaxWait(10*time.Second))
	ctx := context.Background()
	for i := 0; i < smartcar.AppRateLimitBurst; i++ {
		_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
		require.NoError(t, err)
	}
	_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
	var rl *telematics.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Contains(t, err.Error(), "request not sent")
	assert.Equal(t, smartcar.AppRateLimitInterval, rl.RetryAfter)
	assert.Nil(t, rl.Err)
	assert.Equal(t, smartcar.AppRateLimitBurst, e.srv.CountRequests("", ""))
	assert.Zero(t, e.clock.Slept())
	// The refused call did not use up the refill: after it, one more request may go.
	e.clock.Advance(smartcar.AppRateLimitInterval)
	_, err = e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
	require.NoError(t, err)
}

// Without the client-side bucket, the server's 429 SMARTCAR_API is waited out.
func TestAppRateLimitServerSide(t *testing.T) {
	e := newFake(t, []smartcartest.Option{smartcartest.WithAppRateLimit(2, 30*time.Second), smartcartest.WithAppRetryAfter()})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
		require.NoError(t, err)
	}
	var resp telematics.Response
	_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3, smartcar.WithResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.GreaterOrEqual(t, e.clock.Slept(), 30*time.Second)
}

// A vehicle's 429 is waited out when its Retry-After is within the cap, and returned at
// once when it is not: a sleeping car is never hammered.
func TestVehicleRateLimit(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	e.srv.LimitVehicle(model3, 20*time.Second)
	var resp telematics.Response
	_, err := e.client.Signals.List(ctx, model3, alice(), smartcar.WithResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.GreaterOrEqual(t, e.clock.Slept(), 20*time.Second)
	assert.LessOrEqual(t, e.clock.Slept(), 23*time.Second)

	e.srv.ResetRequests()
	e.srv.LimitVehicle(model3, 2*time.Hour)
	slept := e.clock.Slept()
	_, err = e.client.Signals.List(ctx, model3, alice(), smartcar.WithResponse(&resp))
	var rl *telematics.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, 2*time.Hour, rl.RetryAfter)
	assert.Equal(t, e.clock.Now().Add(2*time.Hour), rl.ResetAt)
	var apiErr *smartcar.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, smartcar.ErrorTypeRateLimit, apiErr.Type)
	assert.Equal(t, smartcar.CodeVehicle, apiErr.Code)
	assert.True(t, smartcar.IsRateLimited(err))
	assert.Equal(t, 1, e.srv.CountRequests(http.MethodGet, ""), "returned at once")
	assert.Equal(t, slept, e.clock.Slept(), "without waiting")
	assert.Equal(t, 429, resp.StatusCode)
	assert.Equal(t, 2*time.Hour, resp.RetryAfter)

	// Other vehicles are not affected.
	_, err = e.client.Signals.List(ctx, smartcartest.VehicleID4, alice())
	assert.NoError(t, err)

	// A lower cap turns a short wait into an immediate error too.
	e2 := newFake(t, nil, smartcar.WithMaxWait(5*time.Second))
	e2.srv.LimitVehicle(model3, 20*time.Second)
	_, err = e2.client.Vehicles.Get(ctx, model3)
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, 20*time.Second, rl.RetryAfter)
	assert.Equal(t, 1, e2.srv.CountRequests("", ""))
}

func TestRetriesOnServerErrors(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	e.srv.FailNext(smartcartest.UpstreamError(), smartcartest.GatewayTimeout())
	var resp telematics.Response
	_, err := e.client.Signals.List(ctx, model3, alice(), smartcar.WithResponse(&resp))
	require.NoError(t, err, "reads are retried")
	assert.Equal(t, 3, resp.Attempts)

	e2 := newFake(t, nil, smartcar.WithMaxRetries(0))
	e2.srv.FailNext(smartcartest.ServerError())
	_, err = e2.client.Signals.List(ctx, model3, alice())
	assert.ErrorIs(t, err, telematics.ErrUnavailable)
	assert.False(t, telematics.MayHaveSucceeded(err), "a read never 'may have succeeded'")
	assert.Equal(t, 1, e2.srv.CountRequests("", ""))

	e3 := newFake(t, nil, smartcar.WithMaxRetries(1))
	e3.srv.FailNext(smartcartest.DropConnection(), smartcartest.DropConnection(), smartcartest.DropConnection())
	var resp3 telematics.Response
	_, err = e3.client.Vehicles.Get(ctx, model3, smartcar.WithResponse(&resp3))
	assert.ErrorIs(t, err, telematics.ErrUnavailable)
	// Two attempts by the SDK (one retry). net/http may itself replay a GET once when a
	// reused connection closes before answering (never a command), and only the first
	// attempt can find a reused connection: the token's. So two or three requests,
	// and the third fault is there for that replay.
	assert.Equal(t, 2, resp3.Attempts)
	n := e3.srv.CountRequests("", "")
	assert.GreaterOrEqual(t, n, 2)
	assert.LessOrEqual(t, n, 3)

	// Billing is never retried: the allowance resets monthly.
	e4 := newFake(t, nil)
	e4.srv.FailNext(smartcartest.BillingLimit())
	_, err = e4.client.Signals.List(ctx, model3, alice())
	assert.ErrorIs(t, err, smartcar.ErrBilling)
	assert.Equal(t, 1, e4.srv.CountRequests("", ""))
}

// Limits that retrying cannot lift soon are not retried: each retry of a vehicle read
// would count against the vehicle's monthly allowance. The fake answers each request, so
// net/http has no broken connection to replay the GET on: exactly one request.
func TestLimitsAreNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault smartcartest.Fault
		is    error
	}{
		{"502 UPSTREAM:RATE_LIMIT", smartcartest.UpstreamRateLimit(), telematics.ErrUnavailable},
		{"429 RATE_LIMIT:VEHICLE without Retry-After", smartcartest.RateLimited(0), telematics.ErrRateLimited},
		{"430 BILLING", smartcartest.BillingLimit(), smartcar.ErrBilling},
		{"BILLING under another status", smartcartest.BillingLimit().WithStatus(http.StatusServiceUnavailable), smartcar.ErrBilling},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newFake(t, nil)
			e.srv.FailNext(tc.fault)
			var resp telematics.Response
			_, err := e.client.Signals.List(context.Background(), model3, alice(), smartcar.WithResponse(&resp))
			assert.ErrorIs(t, err, tc.is)
			assert.True(t, smartcar.IsRateLimited(err) || errors.Is(err, smartcar.ErrBilling))
			var apiErr *smartcar.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.False(t, apiErr.Retryable())
			assert.Equal(t, 1, e.srv.CountRequests("", ""), "exactly one request")
			assert.Equal(t, 1, resp.Attempts)
			assert.Zero(t, e.clock.Slept())
		})
	}

	// The application's own 429 without Retry-After is retried with backoff, as Smartcar
	// recommends.
	e := newFake(t, nil)
	e.srv.FailNext(smartcartest.Fault{Status: http.StatusTooManyRequests, Type: "RATE_LIMIT", Code: "SMARTCAR_API", Detail: "budget spent"})
	_, err := e.client.Signals.List(context.Background(), model3, alice())
	require.NoError(t, err)
	assert.Equal(t, 2, e.srv.CountRequests("", ""))
	assert.Positive(t, e.clock.Slept())
}

// WithMaxWait(0) never waits, as in mycartracks: a call whose turn is not now fails at
// once with a *telematics.RateLimitError; WithBudget paces as in mycartracks, and
// WithRateLimiter(nil) removes the limiter.
func TestMaxWaitZeroNeverWaits(t *testing.T) {
	ctx := context.Background()
	e := newFake(t, nil, smartcar.WithMaxWait(0), smartcar.WithBudget(1, time.Second))
	_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
	require.NoError(t, err)
	_, err = e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
	var rl *telematics.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, time.Second, rl.RetryAfter)
	assert.Equal(t, 1, e.srv.CountRequests("", ""), "not sent")
	assert.Zero(t, e.clock.Slept())

	e = newFake(t, nil, smartcar.WithMaxWait(0), smartcar.WithBudget(1, time.Second), smartcar.WithRateLimiter(nil))
	for range 3 {
		_, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
		require.NoError(t, err)
	}
	assert.Zero(t, e.clock.Slept())
}
