package redisbudget_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/redisbudget"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// key returns a budget key of its own for the test.
func key(t testing.TB, limit int, window time.Duration) telematics.BudgetKey {
	return telematics.BudgetKey{Provider: "mycartracks", ClientID: "client-" + t.Name(), Limit: limit, Window: window}
}

func rate(remaining int, resetIn time.Duration) telematics.Rate {
	return telematics.Rate{Limit: 150, Remaining: remaining, Reset: time.Now().Add(resetIn)}
}

// reserve asks once and fails the test on an error.
func reserve(t *testing.T, s *redisbudget.Store, k telematics.BudgetKey) time.Duration {
	t.Helper()
	d, err := s.Reserve(ctx(t), k)
	require.NoError(t, err)
	return d
}

func TestReserveProbesAnUnknownBudgetThenFollowsTheProvider(t *testing.T) {
	s, _ := newStore(t)
	k := key(t, 150, 15*time.Minute)

	assert.Zero(t, reserve(t, s, k), "the first request probes")
	d := reserve(t, s, k)
	assert.Positive(t, d, "the others wait for the probe's answer")
	assert.LessOrEqual(t, d, 10*time.Millisecond, "for a moment at a time")

	require.NoError(t, s.Observe(ctx(t), k, rate(2, 30*time.Second)))
	assert.Zero(t, reserve(t, s, k))
	assert.Zero(t, reserve(t, s, k))
	d = reserve(t, s, k)
	assert.InDelta(t, 30*time.Second, d, float64(time.Second), "the budget is spent until the reset the provider reported")

	// Reserving again when the wait is over is the caller's part; Release gives one back.
	require.NoError(t, s.Release(ctx(t), k))
	assert.Zero(t, reserve(t, s, k), "a released grant is granted again")
	assert.Positive(t, reserve(t, s, k))
}

func TestReleaseOfAProbeLetsAnotherProbe(t *testing.T) {
	s, _ := newStore(t)
	k := key(t, 150, 15*time.Minute)
	assert.Zero(t, reserve(t, s, k))
	assert.Positive(t, reserve(t, s, k))
	require.NoError(t, s.Release(ctx(t), k), "the probe was not sent")
	assert.Zero(t, reserve(t, s, k), "the next request probes at once")
}

func TestAProbeThatNeverAnswersHoldsTheOthersForItsLeaseOnly(t *testing.T) {
	s, _ := newStore(t, redisbudget.WithProbeLease(50*time.Millisecond))
	k := key(t, 150, 15*time.Minute)
	assert.Zero(t, reserve(t, s, k))
	start := time.Now()
	for {
		d := reserve(t, s, k)
		if d == 0 {
			break
		}
		require.Less(t, time.Since(start), 5*time.Second, "the lease never ended")
		// Waiting as the request loop does: the wait the store asked for.
		time.Sleep(d)
	}
	assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)
}

func TestObserveLowersTheCountAndExtendsASpentWindow(t *testing.T) {
	s, _ := newStore(t)
	k := key(t, 150, 15*time.Minute)
	reserve(t, s, k)
	require.NoError(t, s.Observe(ctx(t), k, rate(100, 10*time.Second)))

	require.NoError(t, s.Observe(ctx(t), k, rate(120, 10*time.Second)), "a higher count is a late answer")
	require.NoError(t, s.Observe(ctx(t), k, rate(1, 10*time.Second)), "someone else spends the budget too")
	assert.Zero(t, reserve(t, s, k))
	assert.InDelta(t, 10*time.Second, reserve(t, s, k), float64(time.Second))

	// The provider says spent until later than the window this store knows: everyone
	// waits for the provider's reset.
	k2 := key(t, 150, 15*time.Minute)
	k2.ClientID += "-2"
	reserve(t, s, k2)
	require.NoError(t, s.Observe(ctx(t), k2, rate(5, 10*time.Second)))
	require.NoError(t, s.Observe(ctx(t), k2, rate(0, 40*time.Second)))
	assert.InDelta(t, 40*time.Second, reserve(t, s, k2), float64(time.Second))
}

func TestWithoutBudgetHeadersThePublishedBudgetCounts(t *testing.T) {
	s, _ := newStore(t)
	k := key(t, 3, time.Minute)
	assert.Zero(t, reserve(t, s, k), "the probe")
	require.NoError(t, s.Observe(ctx(t), k, telematics.UnknownRate))
	assert.Zero(t, reserve(t, s, k))
	assert.Zero(t, reserve(t, s, k))
	assert.InDelta(t, time.Minute, reserve(t, s, k), float64(time.Second), "3 per minute, the probe included")

	// Neither headers nor a published budget: nothing to count.
	free := key(t, 0, 0)
	free.ClientID += "-free"
	reserve(t, s, free)
	require.NoError(t, s.Observe(ctx(t), free, telematics.UnknownRate))
	for range 10 {
		assert.Zero(t, reserve(t, s, free))
	}
}

func TestBudgetKeysExpireAndNameNoSecret(t *testing.T) {
	s, rdb := newStore(t, redisbudget.WithPrefix("test-expiry:"))
	k := key(t, 150, 15*time.Minute)
	reserve(t, s, k)
	name := "test-expiry:budget:mycartracks/" + k.ClientID
	ttl, err := rdb.PTTL(ctx(t), name).Result()
	require.NoError(t, err)
	assert.Positive(t, ttl, "a probe expires")
	assert.LessOrEqual(t, ttl, redisbudget.DefaultProbeLease+time.Second)

	require.NoError(t, s.Observe(ctx(t), k, rate(10, 5*time.Second)))
	ttl, err = rdb.PTTL(ctx(t), name).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, 4*time.Second)
	assert.LessOrEqual(t, ttl, 6*time.Second, "the window expires a moment after its reset")
}

// TestConcurrentReservationsNeverOvergrant: many goroutines on separate connections
// reserve from one window at once; exactly the remaining count is granted.
func TestConcurrentReservationsNeverOvergrant(t *testing.T) {
	s, _ := newStore(t)
	k := key(t, 150, 15*time.Minute)
	reserve(t, s, k)
	require.NoError(t, s.Observe(ctx(t), k, rate(25, time.Minute)))
	var mu sync.Mutex
	granted := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				d, err := s.Reserve(context.Background(), k)
				assert.NoError(t, err)
				if d == 0 {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 25, granted)
}

func TestClaimAndForget(t *testing.T) {
	s, rdb := newStore(t, redisbudget.WithPrefix("test-claim:"))
	id := "evt-" + t.Name()
	fresh, err := s.Claim(ctx(t), id, 0)
	require.NoError(t, err)
	assert.True(t, fresh)
	fresh, err = s.Claim(ctx(t), id, 0)
	require.NoError(t, err)
	assert.False(t, fresh, "a retry of the same event")

	ttl, err := rdb.PTTL(ctx(t), "test-claim:dedupe:"+id).Result()
	require.NoError(t, err)
	assert.InDelta(t, redisbudget.DefaultRetention, ttl, float64(time.Minute), "kept a week by default")

	require.NoError(t, s.Forget(ctx(t), id))
	fresh, err = s.Claim(ctx(t), id, time.Hour)
	require.NoError(t, err)
	assert.True(t, fresh, "forgotten: the next delivery is delivered")
	ttl, err = rdb.PTTL(ctx(t), "test-claim:dedupe:"+id).Result()
	require.NoError(t, err)
	assert.InDelta(t, time.Hour, ttl, float64(time.Minute))

	s2, _ := newStore(t, redisbudget.WithPrefix("test-claim:"), redisbudget.WithRetention(time.Minute))
	fresh, err = s2.Claim(ctx(t), id+"-2", -1)
	require.NoError(t, err)
	assert.True(t, fresh)
	ttl, err = rdb.PTTL(ctx(t), "test-claim:dedupe:"+id+"-2").Result()
	require.NoError(t, err)
	assert.InDelta(t, time.Minute, ttl, float64(time.Second))
}

// TestConcurrentClaimsOneWinner: replicas claiming one event at once; one delivers.
func TestConcurrentClaimsOneWinner(t *testing.T) {
	var wins sync.WaitGroup
	fresh := make(chan bool, 12)
	for range 3 {
		s, _ := newStore(t)
		wins.Go(func() {
			for range 4 {
				f, err := s.Claim(context.Background(), "evt-"+t.Name(), time.Minute)
				assert.NoError(t, err)
				fresh <- f
			}
		})
	}
	wins.Wait()
	close(fresh)
	n := 0
	for f := range fresh {
		if f {
			n++
		}
	}
	assert.Equal(t, 1, n)
}

func TestInvalidInput(t *testing.T) {
	_, err := redisbudget.New(nil)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.ErrorContains(t, err, "nil Redis client")

	rdb := newRedis(t)
	_, err = redisbudget.New(rdb, redisbudget.WithPrefix(" "), redisbudget.WithProbeLease(0), redisbudget.WithRetention(-time.Hour),
		redisbudget.WithTimeout(time.Microsecond))
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	for _, want := range []string{"empty key prefix", "probe lease 0s", "retention -1h0m0s", "timeout 1µs"} {
		assert.ErrorContains(t, err, want, "every invalid option is reported")
	}

	s, _ := newStore(t)
	bad := []telematics.BudgetKey{{ClientID: "id"}, {Provider: "mycartracks"}, {Provider: "mycartracks", ClientID: "id", Limit: -1}}
	for _, k := range bad {
		_, err := s.Reserve(ctx(t), k)
		assert.ErrorIs(t, err, telematics.ErrInvalidInput, "%+v", k)
		assert.ErrorIs(t, s.Release(ctx(t), k), telematics.ErrInvalidInput)
		assert.ErrorIs(t, s.Observe(ctx(t), k, telematics.UnknownRate), telematics.ErrInvalidInput)
	}
	_, err = s.Claim(ctx(t), "", time.Minute)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.ErrorIs(t, s.Forget(ctx(t), " "), telematics.ErrInvalidInput)
}

// TestUnreachableRedisFails: every method returns an error when nothing listens, within
// its context; the request loop then paces locally (and a webhook receiver delivers).
func TestUnreachableRedisFails(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer rdb.Close()
	s, err := redisbudget.New(rdb)
	require.NoError(t, err)
	k := key(t, 150, 15*time.Minute)
	calls := map[string]func(context.Context) error{
		"reserve": func(c context.Context) error { _, err := s.Reserve(c, k); return err },
		"release": func(c context.Context) error { return s.Release(c, k) },
		"observe": func(c context.Context) error { return s.Observe(c, k, rate(1, time.Minute)) },
		"claim":   func(c context.Context) error { _, err := s.Claim(c, "evt", time.Minute); return err },
		"forget":  func(c context.Context) error { return s.Forget(c, "evt") },
	}
	for name, call := range calls {
		c, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		err := call(c)
		cancel()
		assert.Error(t, err, name)
		assert.Contains(t, err.Error(), "redisbudget: "+name, name)
		assert.Less(t, time.Since(start), time.Second, "%s returned within its context", name)
	}
}
