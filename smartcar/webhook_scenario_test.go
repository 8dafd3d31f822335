package smartcar_test

import (
	"context"
	"net/http"
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
//
// The events are those of a webhook subscribed to two signals (the location and the
// state of charge): the delivery machinery, not the decoding of every signal (which
// the decoding tests and BenchmarkWebhookVehicleState cover), is what 10,000 events
// test, and under -race each signal decoded costs. The sender keeps its connections
// open between deliveries, as Smartcar's does.
func TestWebhookScenario10k(t *testing.T) {
	const n, wait, workers = 10_000, 5 * time.Second, 8
	r := newHookRig(t, smartcar.WithDeliveryWait(wait))
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	t.Cleanup(tr.CloseIdleConnections)
	r.sender = smartcartest.NewSender(r.url, testToken, smartcartest.WithSenderClock(r.sclock), smartcartest.WithSenderHTTPClient(&http.Client{Transport: tr}))
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents(), telematics.WithBuffer(16))
	require.NoError(t, err)
	ids := r.fleet.VehicleIDs()
	for _, id := range ids {
		var keep []smartcartest.SignalState
		for _, code := range []string{"location-preciselocation", "tractionbattery-stateofcharge"} {
			if sig, ok := r.fleet.Signal(id, code); ok {
				keep = append(keep, sig)
			}
		}
		r.fleet.RemoveSignals(id)
		for _, sig := range keep {
			require.True(t, r.fleet.PutSignal(id, sig))
		}
	}
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
		reportC <- r.sender.DeliverAll(context.Background(), events, smartcartest.Scenario{Workers: workers, Duplicates: 0.05, Reorder: 0.05, Seed: 10})
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
