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
// than the delivery wait. Every event reaches the application exactly once, the sender
// gives none up, and no signal value or position older than one already delivered for
// its vehicle is ever presented as current. Both clocks are manual: the retries' 25 s
// waits take no time.
//
// The mix: one event in ten carries every signal of its vehicle (19–22, the typed
// decoders at work), one in twenty is a VEHICLE_ERROR (ERROR and RESOLVED), the rest
// the two signals of a webhook subscribed to the location and the state of charge
// (under -race each signal decoded costs). Each vehicle sends four events in a row,
// so the sender's swaps and the workers' concurrency reorder one vehicle's events. The
// sender keeps its connections open between deliveries, as Smartcar's does.
func TestWebhookScenario10k(t *testing.T) {
	const n, wait, workers = 10_000, 5 * time.Second, 8
	// Reading a body never times out here: the clock's jumps are for the delivery waits.
	r := newHookRig(t, smartcar.WithDeliveryWait(wait), smartcar.WithWebhookReadTimeout(time.Hour))
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	t.Cleanup(tr.CloseIdleConnections)
	r.sender = smartcartest.NewSender(r.url, testToken, smartcartest.WithSenderClock(r.sclock), smartcartest.WithSenderHTTPClient(&http.Client{Transport: tr}))
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents(), telematics.WithBuffer(16))
	require.NoError(t, err)
	ids := r.fleet.VehicleIDs()
	vehicleOf := func(i int) string { return ids[(i/4)%len(ids)] }
	at := func(i int) time.Time { return smartcartest.Epoch.Add(time.Duration(i) * time.Second) }
	events := make([]smartcartest.Event, n)
	kinds := map[string]int{}
	for i := 0; i < n; i += 10 {
		events[i] = r.state(t, vehicleOf(i), at(i))
		kinds["full"]++
	}
	for i := 5; i < n; i += 20 {
		state := "ERROR"
		if i%40 == 25 {
			state = "RESOLVED"
		}
		events[i], _ = r.fleet.VehicleErrorEvent("", vehicleOf(i), "VEHICLE_STATE", "ASLEEP", state)
		kinds["error"]++
	}
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
	for i := range events {
		if events[i].EventID == "" {
			events[i] = r.state(t, vehicleOf(i), at(i))
			kinds["two signals"]++
		}
	}

	// Positions: never older than the last one shown for the vehicle.
	posDone := make(chan struct{})
	var positions, backwards atomic.Int64
	go func() {
		defer close(posDone)
		last := map[string]time.Time{}
		for p := range sub.Positions() {
			positions.Add(1)
			if p.Time.Before(last[p.VehicleID]) {
				backwards.Add(1)
			}
			last[p.VehicleID] = p.Time
		}
	}()

	stallAt := map[int]bool{n / 3: true, 2 * n / 3: true}
	stalled := make(chan struct{})
	resume := make(chan struct{})
	got := map[string]int{}
	var stale, presentedOlder, signals int
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		type key struct {
			vehicle string
			code    smartcar.SignalCode
		}
		current := map[key]time.Time{}
		i := 0
		for ev := range sub.Webhooks() {
			got[ev.Envelope().EventID]++
			if st, ok := ev.(*smartcar.VehicleStateEvent); ok {
				for _, s := range st.Signals {
					signals++
					k := key{st.VehicleID, s.Code}
					switch {
					case s.Stale:
						stale++
					case s.OEMUpdatedAt.Before(current[k]):
						presentedOlder++ // an older value not marked stale
					default:
						current[k] = s.OEMUpdatedAt
					}
				}
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
		// The stalled consumer's buffer fills; a delivery waits; its wait runs out. (A
		// pending timer may be a body's read timer rather than a delivery's wait: the
		// clock moves on by waits until a delivery was refused.)
		require.Eventually(t, func() bool { return r.hclock.Timers() > 0 && len(sub.Webhooks()) == cap(sub.Webhooks()) }, 10*time.Second, time.Millisecond)
		require.Eventually(t, func() bool {
			if r.h.Stats().Unavailable > before {
				return true
			}
			r.hclock.Advance(wait)
			return false
		}, 10*time.Second, 5*time.Millisecond)
		resume <- struct{}{}
	}
	rep := <-reportC
	sub.Close()
	<-consumed
	<-posDone

	if !assert.Zero(t, rep.GaveUp(), "the sender gave up none") {
		for _, d := range rep.Deliveries {
			if d.GaveUp {
				for _, a := range d.Attempts {
					t.Logf("given up: %s %s attempt at %v: status %d, error %v, answer %q", d.Type, d.EventID, a.At.Sub(smartcartest.Epoch), a.Status, a.Err, d.Answer)
				}
			}
		}
		t.Logf("handler: %+v", r.h.Stats())
	}
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
	assert.Positive(t, stale, "reordered values were marked stale")
	assert.Zero(t, presentedOlder, "a value older than one delivered before was presented as current")
	assert.Positive(t, positions.Load())
	assert.Zero(t, backwards.Load(), "a position older than one shown before was published")
	t.Logf("%v events; %d deliveries, %d attempts, %d duplicates acknowledged, %d answered 503; %d signals, %d stale; %d positions",
		kinds, len(rep.Deliveries), rep.Attempts(), s.Duplicates, s.Unavailable, signals, stale, positions.Load())
}
