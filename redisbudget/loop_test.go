package redisbudget_test

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/redisbudget"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// What the request loop does with a Redis budget, client by client in one process:
// what it sends, what it gives back, and when it refuses to send. The fake and Redis
// run on the real clock (the budget's time is the Redis server's); the clients run on
// manual clocks where their own time must not matter.

// budgetKey is the Redis key of a MyCarTracks credential's budget.
func budgetKey(clientID string) string {
	return redisbudget.DefaultPrefix + "budget:" + mycartracks.Provider + "/" + clientID
}

// budgetOf is the BudgetKey a MyCarTracks client uses.
func budgetOf(srv *mycartrackstest.Server) telematics.BudgetKey {
	return telematics.BudgetKey{Provider: mycartracks.Provider, ClientID: srv.ClientID, Limit: mycartracks.RateLimit, Window: mycartracks.RateWindow}
}

// rateLimited asserts that err is a rate limit the client refused to send for, and
// returns its wait.
func rateLimited(t *testing.T, err error) time.Duration {
	t.Helper()
	var rl *telematics.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.ErrorIs(t, err, telematics.ErrRateLimited)
	assert.Nil(t, rl.Err, "refused before sending, not by the provider")
	return rl.RetryAfter
}

// TestNoWaitWithASharedBudget: WithMaxWait(0) never waits, also for the shared budget:
// a call fails at once with a *telematics.RateLimitError, without sending, when the
// budget says to wait: for a few milliseconds while another client probes a window
// nobody has seen yet, for the reset once the window is spent.
func TestNoWaitWithASharedBudget(t *testing.T) {
	flush(t)
	srv := mycartrackstest.NewServer(mycartrackstest.WithBudget(3, time.Minute), mycartrackstest.WithVehicles(1))
	defer srv.Close()
	store, _ := newStore(t)
	client, err := srv.NewClient(mycartracks.WithSharedBudget(store), mycartracks.WithMaxWait(0))
	require.NoError(t, err)
	defer client.Close()

	// Another process probes the window: its request is on its way.
	d, err := store.Reserve(t.Context(), budgetOf(srv))
	require.NoError(t, err)
	require.Zero(t, d, "the other process probes")
	_, err = client.Vehicles.List(t.Context(), nil)
	wait := rateLimited(t, err)
	assert.Positive(t, wait)
	assert.LessOrEqual(t, wait, 10*time.Millisecond, "the probe's answer is a moment away")
	assert.Zero(t, srv.Stats().Requests, "nothing sent")

	// The probe was not sent after all: this client probes, and the answer makes the
	// window (3 requests, 2 left).
	require.NoError(t, store.Release(t.Context(), budgetOf(srv)))
	for range 3 {
		_, err = client.Vehicles.List(t.Context(), nil)
		require.NoError(t, err)
	}
	_, err = client.Vehicles.List(t.Context(), nil)
	wait = rateLimited(t, err)
	assert.Greater(t, wait, 50*time.Second, "spent until the fake's reset")
	assert.LessOrEqual(t, wait, time.Minute+time.Second)
	st := srv.Stats()
	assert.Equal(t, 3, st.Requests, "the refused call was not sent")
	assert.Zero(t, st.RateLimited)
}

// TestClientsOnSkewedClocksAgreeOnTheReset: two clients whose clocks are hours apart
// (manual clocks, an hour ahead and three hours behind) share the budget: the wait one
// learned is the other's, to the second, because a reset goes to the store as the
// time left until it, and the store measures it on the Redis server's clock.
func TestClientsOnSkewedClocksAgreeOnTheReset(t *testing.T) {
	flush(t)
	srv := mycartrackstest.NewServer(mycartrackstest.WithBudget(2, time.Minute), mycartrackstest.WithVehicles(1))
	defer srv.Close()
	store, _ := newStore(t)
	newClient := func(skew time.Duration) *mycartracks.Client {
		c, err := srv.NewClient(mycartracks.WithSharedBudget(store), mycartracks.WithMaxWait(0),
			mycartracks.WithClock(clocktest.New(time.Now().Add(skew))))
		require.NoError(t, err)
		t.Cleanup(c.Close)
		return c
	}
	ahead, behind := newClient(time.Hour), newClient(-3*time.Hour)
	for range 2 {
		_, err := ahead.Vehicles.List(t.Context(), nil)
		require.NoError(t, err)
	}
	_, err := ahead.Vehicles.List(t.Context(), nil)
	waitAhead := rateLimited(t, err)
	_, err = behind.Vehicles.List(t.Context(), nil)
	waitBehind := rateLimited(t, err)
	assert.Greater(t, waitAhead, 50*time.Second)
	assert.LessOrEqual(t, waitAhead, time.Minute+time.Second)
	assert.InDelta(t, waitAhead, waitBehind, float64(time.Second), "one reset for both, however wrong their clocks")
	st := srv.Stats()
	assert.Equal(t, 2, st.Requests)
	assert.Zero(t, st.RateLimited)
}

// TestOneRefusedProbeStopsEveryClient: something outside the shared budget (a client
// without it) spent the window; the first shared request of that window is refused,
// and its answer makes every client of the budget wait for the reset without sending:
// one 403 in all.
func TestOneRefusedProbeStopsEveryClient(t *testing.T) {
	flush(t)
	srv := mycartrackstest.NewServer(mycartrackstest.WithBudget(2, time.Minute), mycartrackstest.WithVehicles(1))
	defer srv.Close()
	outside, err := srv.NewClient(mycartracks.WithMaxWait(0))
	require.NoError(t, err)
	defer outside.Close()
	for range 2 {
		_, err := outside.Vehicles.List(t.Context(), nil)
		require.NoError(t, err)
	}
	store, _ := newStore(t)
	var clients []*mycartracks.Client
	for range 3 {
		c, err := srv.NewClient(mycartracks.WithSharedBudget(store), mycartracks.WithMaxWait(0))
		require.NoError(t, err)
		defer c.Close()
		clients = append(clients, c)
	}
	_, err = clients[0].Vehicles.List(t.Context(), nil)
	var rl *telematics.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.NotNil(t, rl.Err, "the probe was sent and refused")
	for _, c := range clients {
		_, err = c.Vehicles.List(t.Context(), nil)
		wait := rateLimited(t, err)
		assert.Greater(t, wait, 50*time.Second, "every client waits for the reset the refusal reported")
	}
	st := srv.Stats()
	assert.Equal(t, 3, st.Requests, "two outside, one probe")
	assert.Equal(t, 1, st.RateLimited)
}

// TestGrantsOfRequestsNeverSentAreGivenBack: a call whose token cannot be had, and a
// call whose server cannot be reached (retried twice), each took a grant before each
// attempt and gave it back: the window still has what the provider reported.
func TestGrantsOfRequestsNeverSentAreGivenBack(t *testing.T) {
	flush(t)
	srv := mycartrackstest.NewServer(mycartrackstest.WithBudget(5, time.Minute), mycartrackstest.WithVehicles(1))
	defer srv.Close()
	store, rdb := newStore(t)
	left := func() int {
		t.Helper()
		n, err := rdb.HGet(t.Context(), budgetKey(srv.ClientID), "left").Int()
		require.NoError(t, err)
		return n
	}
	client, err := srv.NewClient(mycartracks.WithSharedBudget(store))
	require.NoError(t, err)
	defer client.Close()
	_, err = client.Vehicles.List(t.Context(), nil)
	require.NoError(t, err)
	require.Equal(t, 4, left(), "the probe's answer made the window")

	badSecret, err := mycartracks.NewClient(srv.ClientID, "not-the-secret", mycartracks.WithBaseURL(srv.BaseURL),
		mycartracks.WithTokenURL(srv.TokenURL), mycartracks.WithSharedBudget(store), mycartracks.WithMaxRetries(0))
	require.NoError(t, err)
	defer badSecret.Close()
	_, err = badSecret.Vehicles.List(t.Context(), nil)
	require.ErrorIs(t, err, telematics.ErrUnauthorized)
	assert.Equal(t, 4, left(), "no token, nothing sent, the grant given back")

	// A port nobody listens on: the connection is refused before anything is sent.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String() + "/services/rest/v3"
	require.NoError(t, l.Close())
	clock := clocktest.New(time.Now()) // the retries' backoff, without sleeping
	unreachable, err := mycartracks.NewClient(srv.ClientID, srv.ClientSecret, mycartracks.WithBaseURL(closed),
		mycartracks.WithTokenURL(srv.TokenURL), mycartracks.WithSharedBudget(store), mycartracks.WithMaxRetries(2),
		mycartracks.WithClock(clock))
	require.NoError(t, err)
	defer unreachable.Close()
	_, err = unreachable.Vehicles.List(t.Context(), nil)
	var re *telematics.RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 3, re.Attempts)
	assert.False(t, re.Sent)
	assert.Equal(t, 4, left(), "three attempts, three grants given back")
	assert.Equal(t, 1, srv.Stats().Requests)
}
