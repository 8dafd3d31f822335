package redisbudget_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/redisbudget"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

const managementToken = "mgmt-token-for-the-webhook-tests"

// replicas are webhook receivers behind a round-robin load balancer, each with its own
// connection to Redis, counting what their consumers accepted.
type replicas struct {
	handlers []*smartcar.WebhookHandler
	logs     []*testkit.LockedBuffer // each replica's log
	lb       *httptest.Server
	next     atomic.Int64
	step     func(n int64) // runs before the n-th request reaches a replica, if set

	mu        sync.Mutex
	delivered map[string]int  // event id → deliveries accepted
	refuse    map[string]bool // event ids whose first delivery a consumer refuses
}

func newReplicas(t *testing.T, n int, refuse map[string]bool, opts ...redisbudget.Option) *replicas {
	t.Helper()
	r := &replicas{delivered: map[string]int{}, refuse: refuse}
	for range n {
		store, _ := newStore(t, opts...)
		logs := &testkit.LockedBuffer{}
		r.logs = append(r.logs, logs)
		h, err := smartcar.NewWebhookHandler(managementToken, smartcar.WithDedupeStore(store),
			smartcar.WithWebhookLogger(slog.New(slog.NewTextHandler(logs, nil))))
		require.NoError(t, err)
		h.HandleFunc(r.consume)
		t.Cleanup(h.Close)
		r.handlers = append(r.handlers, h)
	}
	r.lb = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		i := r.next.Add(1)
		if r.step != nil {
			r.step(i)
		}
		r.handlers[int(i)%len(r.handlers)].ServeHTTP(w, req)
	}))
	t.Cleanup(r.lb.Close)
	return r
}

// consume is every replica's consumer: it refuses the first delivery of the events in
// refuse (a consumer that is busy), so that Smartcar retries them, through the load
// balancer, on another replica.
func (r *replicas) consume(_ context.Context, ev smartcar.WebhookEvent) error {
	id := ev.Envelope().EventID
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuse[id] {
		delete(r.refuse, id)
		return errors.New("consumer busy")
	}
	r.delivered[id]++
	return nil
}

func (r *replicas) stats() smartcar.WebhookStats {
	var sum smartcar.WebhookStats
	for _, h := range r.handlers {
		s := h.Stats()
		sum.Delivered += s.Delivered
		sum.Duplicates += s.Duplicates
		sum.Unavailable += s.Unavailable
		sum.StoreErrors += s.StoreErrors
	}
	return sum
}

// webhookEvents builds n VEHICLE_STATE events, and marks every fifth one to be refused
// on its first delivery.
func webhookEvents(t *testing.T, n int) ([]smartcartest.Event, map[string]bool) {
	t.Helper()
	fake := smartcartest.NewServer()
	t.Cleanup(fake.Close)
	vehicles := fake.VehicleIDs()
	events := make([]smartcartest.Event, n)
	refuse := map[string]bool{}
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	for i := range events {
		ev, ok := fake.VehicleStateEvent("", vehicles[i%len(vehicles)], at.Add(time.Duration(i)*time.Second))
		require.True(t, ok)
		events[i] = ev
		if i%5 == 0 {
			refuse[ev.EventID] = true
		}
	}
	return events, refuse
}

// deliver sends the events to the replicas as Smartcar does: concurrently, some twice
// (an acknowledgement lost), some out of order, retrying refused deliveries (the
// schedule shortened to milliseconds: its length is not what is tested).
func deliver(t *testing.T, r *replicas, events []smartcartest.Event) smartcartest.Report {
	t.Helper()
	sender := smartcartest.NewSender(r.lb.URL, managementToken,
		smartcartest.WithRetrySchedule(time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	return sender.DeliverAll(ctx, events, smartcartest.Scenario{Workers: 6, Duplicates: 0.3, Reorder: 0.1, Seed: 13})
}

// TestWebhookReplicasDeliverEachEventOnce: 3 receivers behind a load balancer share
// their dedupe store through Redis: Smartcar's duplicates and retries land on other
// replicas than the first delivery, and every event is delivered exactly once in all.
func TestWebhookReplicasDeliverEachEventOnce(t *testing.T) {
	flush(t)
	events, refuse := webhookEvents(t, 150)
	// A Redis call that a loaded test machine stalls past the default second would count
	// as an outage and let a duplicate through: not what this test is about.
	r := newReplicas(t, 3, refuse, redisbudget.WithTimeout(10*time.Second))
	report := deliver(t, r, events)

	assert.Equal(t, len(report.Deliveries), report.Acknowledged(), "every delivery acknowledged in the end")
	assert.Zero(t, report.GaveUp())
	dups := len(report.Deliveries) - len(events)
	require.Positive(t, dups, "the scenario delivers some events twice")
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range events {
		assert.Equal(t, 1, r.delivered[ev.EventID], "event %s delivered once over the 3 replicas", ev.EventID)
	}
	st := r.stats()
	assert.EqualValues(t, len(events), st.Delivered)
	assert.EqualValues(t, dups, st.Duplicates, "each duplicate acknowledged without delivery, whichever replica got it")
	assert.EqualValues(t, 30, st.Unavailable, "each refused delivery answered 503, then retried")
	assert.Zero(t, st.StoreErrors)
	assert.Greater(t, report.Attempts(), len(report.Deliveries), "retries happened")
}

// TestWebhookReplicasLoseNothingWhenRedisStops: Redis stops in the middle of the
// deliveries and comes back empty: the replicas deliver what they cannot check rather
// than lose it. Every event is delivered at least once; the duplicates the outage let
// through are counted.
func TestWebhookReplicasLoseNothingWhenRedisStops(t *testing.T) {
	flush(t)
	keepRedisRunning(t)
	events, refuse := webhookEvents(t, 153)
	events, later := events[:150], events[150:] // sent after the outage
	for _, ev := range later {
		delete(refuse, ev.EventID)
	}
	r := newReplicas(t, 3, refuse)
	r.step = func(n int64) {
		switch n {
		case 60:
			assert.NoError(t, redisSrv.Stop())
		case 120:
			assert.NoError(t, redisSrv.Restart())
		}
	}
	report := deliver(t, r, events)

	assert.Equal(t, len(report.Deliveries), report.Acknowledged(), "every delivery acknowledged in the end")
	assert.Zero(t, report.GaveUp())
	r.mu.Lock()
	twice := 0
	for _, ev := range events {
		n := r.delivered[ev.EventID]
		assert.GreaterOrEqual(t, n, 1, "event %s lost", ev.EventID)
		twice += max(n-1, 0)
	}
	st := r.stats()
	t.Logf("%d events, %d deliveries, %d delivered again during the outage, %d store errors", len(events), len(report.Deliveries), twice, st.StoreErrors)
	assert.Positive(t, st.StoreErrors, "the outage was felt")
	assert.EqualValues(t, len(events)+twice, st.Delivered)

	r.mu.Unlock()

	// Once Redis is back, the replicas share their deduplication again: each of three
	// new events sent three times, one time to each replica, is delivered once.
	before := r.stats()
	sender := smartcartest.NewSender(r.lb.URL, managementToken)
	for _, ev := range later {
		for range len(r.handlers) {
			d := sender.Deliver(t.Context(), ev, smartcartest.Signed)
			require.True(t, d.Acknowledged)
		}
	}
	r.mu.Lock()
	for _, ev := range later {
		assert.Equal(t, 1, r.delivered[ev.EventID], "event %s delivered once over the 3 replicas", ev.EventID)
	}
	after := r.stats()
	assert.EqualValues(t, len(later), after.Delivered-before.Delivered)
	assert.EqualValues(t, 2*len(later), after.Duplicates-before.Duplicates)
	assert.Equal(t, before.StoreErrors, after.StoreErrors, "Redis answers again")

	// One warning per outage and replica, not one per event, and one line when Redis
	// answers again.
	warned := 0
	for i, logs := range r.logs {
		out := logs.String()
		down := strings.Count(out, "dedupe store unavailable")
		assert.LessOrEqual(t, down, 1, "replica %d: one warning for the outage:\n%s", i, out)
		assert.Equal(t, down, strings.Count(out, "dedupe store answers again"), "replica %d logs the recovery", i)
		warned += down
	}
	assert.Positive(t, warned, "the outage is logged")
}

// TestWebhookReceiverDoesNotWaitForASlowRedis: Redis holds every write (CLIENT PAUSE
// WRITE: it takes the claim and does not answer); the receiver delivers after the
// Store's short timeout, long before go-redis's read timeout or the end of the pause,
// and counts the store error. Smartcar wants an answer within 15 s, consumers included.
func TestWebhookReceiverDoesNotWaitForASlowRedis(t *testing.T) {
	flush(t)
	events, _ := webhookEvents(t, 1)
	r := newReplicas(t, 1, nil)
	pauser := newRedis(t)
	require.NoError(t, pauser.Do(t.Context(), "CLIENT", "PAUSE", 10000, "WRITE").Err())
	t.Cleanup(func() { _ = pauser.Do(context.Background(), "CLIENT", "UNPAUSE").Err() })
	paused := time.Now()

	d := smartcartest.NewSender(r.lb.URL, managementToken).Deliver(t.Context(), events[0], smartcartest.Signed)
	took := time.Since(paused)
	assert.True(t, d.Acknowledged)
	require.Len(t, d.Attempts, 1, "acknowledged at the first attempt")
	assert.GreaterOrEqual(t, took, redisbudget.DefaultTimeout, "the claim waited for Redis as long as the timeout")
	assert.Less(t, took, 4*time.Second, "not for go-redis's read timeout (5 s) nor the pause (10 s)")
	st := r.stats()
	assert.EqualValues(t, 1, st.Delivered)
	assert.EqualValues(t, 1, st.StoreErrors)
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Equal(t, 1, r.delivered[events[0].EventID])
}
