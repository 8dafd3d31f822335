package smartcar_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// putLocation makes the fake hold a location of vehicle timed at (oemUpdatedAt).
func putLocation(t *testing.T, srv *smartcartest.Server, vehicle string, lat float64, at time.Time) {
	t.Helper()
	body := fmt.Appendf(nil, `{"latitude":%v,"longitude":-93.265,"heading":90,"direction":"E","locationType":"CURRENT"}`, lat)
	require.True(t, srv.PutSignal(vehicle, smartcartest.SignalState{Code: "location-preciselocation", Name: "PreciseLocation", Group: "Location",
		Body: body, OEMUpdatedAt: at, RetrievedAt: at}))
}

// positionAt reads positions from sub until one timed at, failing the test when it
// does not come.
func positionAt(t *testing.T, sub *telematics.Subscription, at time.Time) {
	t.Helper()
	timeout := time.After(guard)
	for {
		select {
		case p, ok := <-sub.Positions():
			require.True(t, ok, "the subscription ended: %v", sub.Err())
			if p.Time.Equal(at) {
				return
			}
		case <-timeout:
			require.FailNow(t, "the position did not come", "at %v", at)
		}
	}
}

// TestWebhookAndPollerShareAPositionTracker runs the webhook receiver (fed by the fake
// sender) and the poller (reading the fake on the manual clock) on one vehicle with one
// PositionTracker, and merges their subscriptions: each fix appears once on the merged
// Positions, whichever source delivered it first, and a fix older than one already
// published by either source never appears.
func TestWebhookAndPollerShareAPositionTracker(t *testing.T) {
	f := newFake(t, nil)
	vehicle := f.srv.AddVehicles(pollUser, 1)[0]
	tA, tB, tC, tD := epoch.Add(-time.Hour), epoch.Add(time.Hour), epoch.Add(2*time.Hour), epoch.Add(3*time.Hour)
	putLocation(t, f.srv, vehicle, 44.1, tA)

	tracker := smartcar.NewPositionTracker()
	h, err := smartcar.NewWebhookHandler(testToken, smartcar.WithWebhookClock(clocktest.New(epoch)), smartcar.WithWebhookPositionTracker(tracker))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/hooks/smartcar", h)
	hsrv := httptest.NewServer(mux)
	t.Cleanup(func() {
		h.Close()
		hsrv.Close()
	})
	sender := smartcartest.NewSender(hsrv.URL+"/hooks/smartcar", testToken, smartcartest.WithSenderClock(clocktest.New(epoch)))
	deliver := func(updated time.Time) {
		t.Helper()
		ev, ok := f.srv.VehicleStateEvent("", vehicle, updated)
		require.True(t, ok)
		d := sender.Deliver(context.Background(), ev, smartcartest.Signed)
		require.True(t, d.Acknowledged, "attempts %v", statuses(d))
	}

	ctx := context.Background()
	hsub, err := h.Subscribe(ctx, telematics.PositionsOnly())
	require.NoError(t, err)
	psub, err := f.client.PollPositions(ctx, []string{vehicle}, smartcar.WithPollUserID(pollUser),
		smartcar.WithPollInterval(time.Minute), smartcar.WithPositionTracker(tracker), telematics.PositionsOnly())
	require.NoError(t, err)
	merged := telematics.MergeSubscriptions(psub, hsub.Subscription)
	defer merged.Close()

	// The poller publishes A first; the webhook then delivers the same fix: not again.
	positionAt(t, merged, tA)
	deliver(time.Time{}) // as a read returns it now: A
	assert.EqualValues(t, 1, h.Stats().TrackedPositions, "the poller's fix is not published again")

	// The webhook delivers C, newer: published.
	deliver(tC)
	positionAt(t, merged, tC)

	// The poller reads B, newer than its own A but older than the webhook's C: refused.
	putLocation(t, f.srv, vehicle, 44.2, tB)
	_, before := locationReads(f.srv)
	n := len(before[vehicle])
	require.Eventually(t, func() bool {
		_, after := locationReads(f.srv)
		return len(after[vehicle]) >= n+2 // the read after the change is published or refused
	}, guard, time.Millisecond)
	last, ok := tracker.Last(vehicle)
	require.True(t, ok)
	assert.Equal(t, tC, last, "the poller did not advance past the webhook's fix")

	// The poller reads D, newer than everything: published. The webhook then delivers
	// D (as read) and B (older): neither is published.
	putLocation(t, f.srv, vehicle, 44.3, tD)
	positionAt(t, merged, tD)
	stale := h.Stats().StaleSignals
	deliver(time.Time{})
	assert.EqualValues(t, 2, h.Stats().TrackedPositions, "the same fix from the webhook is not published again")
	deliver(tB)
	assert.Greater(t, h.Stats().StaleSignals, stale, "an older location is marked stale")
	assert.EqualValues(t, 2, h.Stats().TrackedPositions)

	merged.Close()
	var rest []telematics.Position
	for p := range merged.Positions() {
		rest = append(rest, p)
	}
	assert.Empty(t, rest, "nothing else was published")
	assert.Equal(t, tD, func() time.Time { at, _ := tracker.Last(vehicle); return at }())
	assert.Equal(t, 4, sender.Report().Acknowledged())
}

func TestWithWebhookPositionTrackerRefusesNil(t *testing.T) {
	_, err := smartcar.NewWebhookHandler(testToken, smartcar.WithWebhookPositionTracker(nil))
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Contains(t, err.Error(), "WithWebhookPositionTracker")
}
