package smartcar_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// TestWebhookScenario10k: the fake sender delivers 10,000 events with 5 % duplicates
// and 5 % reordering from 8 concurrent workers; the consumer stalls twice for longer
// than the delivery wait. Every event reaches the application exactly once and the
// sender gives none up. Both clocks are manual: the retries' 25 s waits take no time.
func TestWebhookScenario10k(t *testing.T) {
	const n, wait = 10_000, 5 * time.Second
	r := newHookRig(t, smartcar.WithDeliveryWait(wait))
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents(), telematics.WithBuffer(16))
	require.NoError(t, err)
	ids := r.fleet.VehicleIDs()
	events := make([]smartcartest.Event, n)
	for i := range events {
		events[i] = r.state(t, ids[i%len(ids)], smartcartest.Epoch.Add(time.Duration(i)*time.Second))
	}

	stallAt := map[int]bool{n / 3: true, 2 * n / 3: true}
	stalled := make(chan struct{})
	resume := make(chan struct{})
	got := map[string]int{}
	var stale atomic.Int64
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		i := 0
		for ev := range sub.Webhooks() {
			got[ev.Envelope().EventID]++
			if loc, ok := ev.(*smartcar.VehicleStateEvent).Signal(smartcar.SignalLocationPreciseLocation); ok && loc.Stale {
				stale.Add(1)
			}
			i++
			if stallAt[i] {
				stalled <- struct{}{}
				<-resume
			}
		}
	}()
	reportC := make(chan smartcartest.Report)
	go func() {
		reportC <- r.sender.DeliverAll(context.Background(), events, smartcartest.Scenario{Workers: 8, Duplicates: 0.05, Reorder: 0.05, Seed: 10})
	}()
	for range stallAt {
		<-stalled
		before := r.h.Stats().Unavailable
		// The stalled consumer's buffer fills; a delivery waits; its wait runs out.
		require.Eventually(t, func() bool { return r.hclock.Timers() > 0 && len(sub.Webhooks()) == cap(sub.Webhooks()) }, 10*time.Second, time.Millisecond)
		r.hclock.Advance(wait)
		require.Eventually(t, func() bool { return r.h.Stats().Unavailable > before }, 10*time.Second, time.Millisecond)
		resume <- struct{}{}
	}
	rep := <-reportC
	sub.Close()
	<-consumed

	assert.Zero(t, rep.GaveUp(), "the sender gave up none")
	assert.Equal(t, len(rep.Deliveries), rep.Acknowledged())
	dups := countDups(rep)
	assert.InDelta(t, n/20, dups, n/50, "about 5 %% duplicates")
	require.Len(t, got, n, "every event delivered")
	for id, c := range got {
		require.Equal(t, 1, c, "event %s delivered %d times", id, c)
	}
	s := r.h.Stats()
	assert.EqualValues(t, n, s.Delivered)
	assert.GreaterOrEqual(t, s.Unavailable, uint64(2), "the stalls were answered 503")
	assert.GreaterOrEqual(t, s.Duplicates, uint64(dups))
	assert.Greater(t, rep.Attempts(), len(rep.Deliveries), "the 503s were retried")
	assert.Positive(t, stale.Load(), "reordered locations were marked stale")
	t.Logf("%d deliveries, %d attempts, %d duplicates acknowledged, %d answered 503, %d stale locations", len(rep.Deliveries), rep.Attempts(), s.Duplicates, s.Unavailable, stale.Load())
}
