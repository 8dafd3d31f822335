package smartcar_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// hookRig is a webhook handler on a loopback server under a base path, the fake fleet
// and a fake sender, with a manual clock each for the handler and the sender.
type hookRig struct {
	h      *smartcar.WebhookHandler
	url    string
	hclock *clocktest.Clock
	sclock *clocktest.Clock
	fleet  *smartcartest.Server
	sender *smartcartest.Sender
	logs   *testkit.LockedBuffer
}

func newHookRig(t *testing.T, opts ...smartcar.WebhookOption) *hookRig {
	t.Helper()
	r := &hookRig{hclock: clocktest.New(epoch), sclock: clocktest.New(epoch)}
	logger, logs := testkit.DebugLogger()
	r.logs = logs
	h, err := smartcar.NewWebhookHandler(testToken, append([]smartcar.WebhookOption{smartcar.WithWebhookClock(r.hclock), smartcar.WithWebhookLogger(logger)}, opts...)...)
	require.NoError(t, err)
	r.h = h
	mux := http.NewServeMux()
	mux.Handle("/hooks/smartcar", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	r.url = srv.URL + "/hooks/smartcar"
	r.fleet = smartcartest.NewServer()
	t.Cleanup(r.fleet.Close)
	r.sender = smartcartest.NewSender(r.url, testToken, smartcartest.WithSenderClock(r.sclock))
	return r
}

func (r *hookRig) state(t *testing.T, vehicle string, at time.Time) smartcartest.Event {
	t.Helper()
	ev, ok := r.fleet.VehicleStateEvent("", vehicle, at)
	require.True(t, ok)
	return ev
}

func (r *hookRig) post(t *testing.T, body []byte, sig string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.url, bytes.NewReader(body))
	require.NoError(t, err)
	if sig != "" {
		req.Header.Set(smartcar.SignatureHeader, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func statuses(d *smartcartest.Delivery) []int {
	out := make([]int, len(d.Attempts))
	for i, a := range d.Attempts {
		out[i] = a.Status
	}
	return out
}

func TestWebhookVerify(t *testing.T) {
	r := newHookRig(t)
	ok, err := r.sender.Verify(context.Background())
	require.NoError(t, err)
	assert.True(t, ok, "the signed challenge is answered with HMAC(token, challenge)")

	// The documented payloads: v4 and the legacy 2.0 form, signed and unsigned.
	for name, want := range map[string]string{"verify_v4.json": "3fafe9b46234b30357f0cc8eb698f5adf3c227732ff717f0097e7634e769687f", "verify_v2.json": "15c20b9d4263983ecabc893165a8f5f8ddaba347398ab097f08d83b094c5db18"} {
		body := webhookFixture(t, name)
		for _, sig := range []string{knownSignatures[name], ""} {
			status, answer := r.post(t, body, sig)
			assert.Equal(t, http.StatusOK, status)
			assert.JSONEq(t, `{"challenge":"`+want+`"}`, answer)
		}
	}
	assert.EqualValues(t, 5, r.h.Stats().Challenges)

	// An unsigned challenge that could be an event body would sign it: refused.
	forged := []byte(`{"eventId":"v","eventType":"VERIFY","data":{"challenge":"{\"eventId\":\"evil\",\"eventType\":\"VEHICLE_STATE\"}"}}`)
	status, _ := r.post(t, forged, "")
	assert.Equal(t, http.StatusUnauthorized, status)
	// A VERIFY signed with another token is refused.
	status, _ = r.post(t, webhookFixture(t, "verify_v4.json"), smartcartest.Sign("other", webhookFixture(t, "verify_v4.json")))
	assert.Equal(t, http.StatusUnauthorized, status)

	strict := newHookRig(t, smartcar.WithSignedVerifyOnly())
	status, _ = strict.post(t, webhookFixture(t, "verify_v4.json"), "")
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = strict.post(t, webhookFixture(t, "verify_v4.json"), knownSignatures["verify_v4.json"])
	assert.Equal(t, http.StatusOK, status)
}

// Valid events reach the typed channel, the provider-neutral channels and callbacks.
func TestWebhookDeliversEvents(t *testing.T) {
	r := newHookRig(t)
	ctx := context.Background()
	typed, err := r.h.Subscribe(ctx, smartcar.WebhookEvents())
	require.NoError(t, err)
	defer typed.Close()
	neutral, err := r.h.Subscribe(ctx)
	require.NoError(t, err)
	defer neutral.Close()
	assert.Nil(t, typed.Events())
	assert.Nil(t, neutral.Webhooks())
	var got []smartcar.WebhookEvent
	var mu sync.Mutex
	r.h.HandleFunc(func(ctx context.Context, ev smartcar.WebhookEvent) error {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		return nil
	})

	st := r.state(t, smartcartest.VehicleModel3, smartcartest.Epoch)
	d := r.sender.Deliver(ctx, st, smartcartest.Signed)
	assert.True(t, d.Acknowledged)
	errEv, _ := r.fleet.VehicleErrorEvent("", smartcartest.VehicleCamry, "VEHICLE_STATE", "ASLEEP", "ERROR")
	assert.True(t, r.sender.Deliver(ctx, errEv, smartcartest.Signed).Acknowledged)
	body := webhookFixture(t, "vehicle_state_v4.json")
	status, _ := r.post(t, body, knownSignatures["vehicle_state_v4.json"])
	assert.Equal(t, http.StatusOK, status)

	ev := (<-typed.Webhooks()).(*smartcar.VehicleStateEvent)
	assert.Equal(t, st.EventID, ev.EventID)
	assert.Equal(t, smartcartest.VehicleModel3, ev.VehicleID)
	soc, _ := ev.Signal(smartcar.SignalTractionBatteryStateOfCharge)
	assert.Equal(t, smartcar.UnitValue{Value: 72, Unit: "percent"}, soc.Value)
	verr := (<-typed.Webhooks()).(*smartcar.VehicleErrorEvent)
	assert.Equal(t, smartcar.ErrorCode("ASLEEP"), verr.Errors[0].Code)
	fixture := (<-typed.Webhooks()).(*smartcar.VehicleStateEvent)
	assert.Equal(t, body, []byte(fixture.Raw), "Raw is the signed body")

	e1 := <-neutral.Events()
	assert.Equal(t, telematics.EventPosition, e1.Kind)
	assert.Equal(t, 37.7749, e1.Position.Latitude)
	assert.Equal(t, "smartcar", e1.Position.Provider)
	e2 := <-neutral.Events()
	assert.Equal(t, telematics.EventError, e2.Kind)
	assert.Equal(t, "VEHICLE_STATE:ASLEEP", e2.Code)
	assert.Equal(t, telematics.EventPosition, (<-neutral.Events()).Kind)
	p := <-neutral.Positions()
	assert.Equal(t, smartcartest.VehicleModel3, p.VehicleID)
	assert.Equal(t, smartcartest.Epoch, p.Time)
	assert.Equal(t, smartcartest.VehicleModel3, (<-typed.Positions()).VehicleID)
	mu.Lock()
	assert.Len(t, got, 3)
	mu.Unlock()
	assert.EqualValues(t, 3, r.h.Stats().Delivered)
	assert.Equal(t, telematics.StateConnected, neutral.State().Conn)
}

// Refused deliveries: status, counter, nothing delivered, no secret in the answer or
// the log.
func TestWebhookRefusals(t *testing.T) {
	r := newHookRig(t, smartcar.WithMaxWebhookBody(64<<10), smartcar.WithPreviousManagementTokens(rotatedToken))
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents())
	require.NoError(t, err)
	defer sub.Close()
	sender := smartcartest.NewSender(r.url, testToken, smartcartest.WithSenderClock(r.sclock), smartcartest.WithRetrySchedule(), smartcartest.WithOversize(64<<10+1))
	st := r.state(t, smartcartest.VehicleF150, time.Time{})
	for _, tt := range []struct {
		mode   smartcartest.Mode
		status int
	}{
		{smartcartest.Tampered, http.StatusUnauthorized},
		{smartcartest.WrongToken, http.StatusUnauthorized},
		{smartcartest.Unsigned, http.StatusUnauthorized},
		{smartcartest.Oversized, http.StatusRequestEntityTooLarge},
	} {
		d := sender.Deliver(context.Background(), st, tt.mode)
		assert.Equal(t, []int{tt.status}, statuses(d), "mode %d", tt.mode)
		assert.True(t, d.GaveUp)
		testkit.AssertNoSecrets(t, map[string]string{"answer": string(d.Answer)}, "", testToken, rotatedToken, smartcartest.Sign(testToken, st.Body))
	}
	// Malformed JSON, correctly signed: 400.
	bad := []byte(`{"eventId":"x","eventType":"VEHICLE_STATE",`)
	status, answer := r.post(t, bad, smartcartest.Sign(testToken, bad))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, answer, "malformed event")
	// Not a POST.
	resp, err := http.Get(r.url)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	// The rotated token is accepted.
	status, _ = r.post(t, webhookFixture(t, "vehicle_state_v4.json"), rotatedSignature)
	assert.Equal(t, http.StatusOK, status)

	s := r.h.Stats()
	assert.EqualValues(t, 3, s.Unauthorized)
	assert.EqualValues(t, 1, s.TooLarge)
	assert.EqualValues(t, 1, s.Malformed)
	assert.EqualValues(t, 1, s.BadMethod)
	assert.EqualValues(t, 1, s.Delivered)
	ev := <-sub.Webhooks()
	assert.Equal(t, "bead8cd7-1b8e-4e8a-9f0c-3d2e1f0a9b8c", ev.Envelope().EventID, "only the rotated-token delivery got through")
	select {
	case ev := <-sub.Webhooks():
		t.Fatalf("refused delivery %s was delivered", ev.Envelope().EventID)
	default:
	}
	assert.Contains(t, r.logs.String(), "smartcar webhook refused")
	testkit.AssertNoSecrets(t, map[string]string{"log": r.logs.String()}, "", testToken, rotatedToken, smartcartest.Sign(testToken, st.Body), rotatedSignature)
}

// A body that trickles in is cut off at the read timeout (on the handler's clock): 408.
func TestWebhookSlowBody(t *testing.T) {
	r := newHookRig(t, smartcar.WithWebhookReadTimeout(2*time.Second))
	sub, err := r.h.Subscribe(context.Background())
	require.NoError(t, err)
	defer sub.Close()
	sender := smartcartest.NewSender(r.url, testToken, smartcartest.WithSenderClock(r.sclock), smartcartest.WithRetrySchedule())
	done := make(chan *smartcartest.Delivery)
	go func() {
		done <- sender.Deliver(context.Background(), r.state(t, smartcartest.VehicleBolt, time.Time{}), smartcartest.Slowloris)
	}()
	require.Eventually(t, func() bool { return r.hclock.Timers() == 1 }, 5*time.Second, time.Millisecond, "the read timer runs")
	r.hclock.Advance(2 * time.Second)
	d := <-done
	assert.True(t, d.GaveUp)
	if d.Attempts[0].Err == nil {
		assert.Equal(t, http.StatusRequestTimeout, d.Attempts[0].Status)
	}
	assert.EqualValues(t, 1, r.h.Stats().SlowBodies)
	assert.Zero(t, r.h.Stats().Delivered)
}

// A duplicate eventId is acknowledged and not delivered again, also after the
// retention of a short-lived store's sibling expired only for the other ids.
func TestWebhookDuplicates(t *testing.T) {
	store := smartcar.NewMemoryDedupeStore()
	r := newHookRig(t, smartcar.WithDedupeStore(store))
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents())
	require.NoError(t, err)
	defer sub.Close()
	st := r.state(t, smartcartest.VehicleModel3, time.Time{})
	for i := 0; i < 3; i++ {
		assert.True(t, r.sender.Deliver(context.Background(), st, smartcartest.Signed).Acknowledged)
	}
	assert.Equal(t, st.EventID, (<-sub.Webhooks()).Envelope().EventID)
	select {
	case <-sub.Webhooks():
		t.Fatal("a duplicate was delivered")
	default:
	}
	assert.EqualValues(t, 2, r.h.Stats().Duplicates)
	assert.Equal(t, 1, store.Len())
}

// Deliveries out of order: the older value is delivered, marked stale, and its location
// is not presented as the current position.
func TestWebhookReordered(t *testing.T) {
	r := newHookRig(t)
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents())
	require.NoError(t, err)
	defer sub.Close()
	newer := r.state(t, smartcartest.VehicleID4, smartcartest.Epoch.Add(time.Minute))
	older := r.state(t, smartcartest.VehicleID4, smartcartest.Epoch)
	require.True(t, r.sender.Deliver(context.Background(), newer, smartcartest.Signed).Acknowledged)
	require.True(t, r.sender.Deliver(context.Background(), older, smartcartest.Signed).Acknowledged)
	first := (<-sub.Webhooks()).(*smartcar.VehicleStateEvent)
	second := (<-sub.Webhooks()).(*smartcar.VehicleStateEvent)
	assert.Equal(t, older.EventID, second.EventID)
	for _, s := range first.Signals {
		assert.False(t, s.Stale, s.Code)
	}
	loc, _ := second.Signal(smartcar.SignalLocationPreciseLocation)
	assert.True(t, loc.Stale)
	assert.Empty(t, second.Positions())
	assert.Equal(t, smartcartest.Epoch.Add(time.Minute), (<-sub.Positions()).Time)
	select {
	case p := <-sub.Positions():
		t.Fatalf("stale position published: %v", p.Time)
	default:
	}
	assert.NotZero(t, r.h.Stats().StaleSignals)
}

// A consumer that does not make room within the delivery wait gets the event on
// Smartcar's retry: 503, then 200 after 25 s on the sender's clock; nothing lost,
// nothing twice.
func TestWebhookSlowConsumer(t *testing.T) {
	r := newHookRig(t, smartcar.WithDeliveryWait(5*time.Second))
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents(), telematics.WithBuffer(1))
	require.NoError(t, err)
	defer sub.Close()
	first := r.state(t, smartcartest.VehicleModel3, time.Time{})
	require.True(t, r.sender.Deliver(context.Background(), first, smartcartest.Signed).Acknowledged)
	second := r.state(t, smartcartest.VehicleID4, time.Time{})
	done := make(chan *smartcartest.Delivery)
	go func() { done <- r.sender.Deliver(context.Background(), second, smartcartest.Signed) }()
	require.Eventually(t, func() bool { return r.hclock.Timers() == 1 }, 5*time.Second, time.Millisecond, "the delivery waits")
	r.hclock.Advance(5 * time.Second) // the consumer stalled for the whole wait
	require.Eventually(t, func() bool { return r.h.Stats().Unavailable == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, first.EventID, (<-sub.Webhooks()).Envelope().EventID) // the consumer resumes
	d := <-done
	assert.Equal(t, []int{http.StatusServiceUnavailable, http.StatusOK}, statuses(d))
	assert.Equal(t, []time.Duration{25 * time.Second}, r.sclock.Sleeps())
	assert.Equal(t, second.EventID, (<-sub.Webhooks()).Envelope().EventID)
	select {
	case ev := <-sub.Webhooks():
		t.Fatalf("delivered twice: %s", ev.Envelope().EventID)
	default:
	}
}

// A callback that fails gets the event again on the retry; a subscription that took
// it the first time does not get it twice.
func TestWebhookCallbackRefusesThenAccepts(t *testing.T) {
	r := newHookRig(t)
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents())
	require.NoError(t, err)
	defer sub.Close()
	calls := 0
	r.h.HandleFunc(func(ctx context.Context, ev smartcar.WebhookEvent) error {
		calls++
		if calls == 1 {
			return errors.New("database unavailable")
		}
		return nil
	})
	st := r.state(t, smartcartest.VehicleCamry, time.Time{})
	d := r.sender.Deliver(context.Background(), st, smartcartest.Signed)
	assert.Equal(t, []int{http.StatusServiceUnavailable, http.StatusOK}, statuses(d))
	require.Len(t, d.Attempts, 2)
	assert.Equal(t, 2, calls)
	assert.Equal(t, st.EventID, (<-sub.Webhooks()).Envelope().EventID)
	select {
	case <-sub.Webhooks():
		t.Fatal("the subscription got the event twice")
	default:
	}
}

// With no consumer at all the event is refused (503) so that it is not lost.
func TestWebhookNoConsumer(t *testing.T) {
	r := newHookRig(t)
	sender := smartcartest.NewSender(r.url, testToken, smartcartest.WithSenderClock(r.sclock), smartcartest.WithRetrySchedule())
	d := sender.Deliver(context.Background(), r.state(t, smartcartest.VehicleModel3, time.Time{}), smartcartest.Signed)
	assert.Equal(t, []int{http.StatusServiceUnavailable}, statuses(d))
	assert.Contains(t, string(d.Answer), "no consumer")
	// After Close: 503 and Subscribe fails.
	r.h.Close()
	d = sender.Deliver(context.Background(), r.state(t, smartcartest.VehicleModel3, time.Time{}), smartcartest.Signed)
	assert.Equal(t, []int{http.StatusServiceUnavailable}, statuses(d))
	_, err := r.h.Subscribe(context.Background())
	assert.ErrorIs(t, err, telematics.ErrClientClosed)
}

// Concurrent deliveries (and duplicates of them) under -race: each delivered once.
func TestWebhookConcurrentDeliveries(t *testing.T) {
	r := newHookRig(t)
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents(), telematics.WithBuffer(8))
	require.NoError(t, err)
	var events []smartcartest.Event
	for i := 0; i < 300; i++ {
		events = append(events, r.state(t, r.fleet.VehicleIDs()[i%5], smartcartest.Epoch.Add(time.Duration(i)*time.Second)))
	}
	got := map[string]int{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range sub.Webhooks() {
			got[ev.Envelope().EventID]++
		}
	}()
	rep := r.sender.DeliverAll(context.Background(), events, smartcartest.Scenario{Workers: 8, Duplicates: 0.2, Reorder: 0.2, Seed: 1})
	sub.Close()
	<-done
	assert.Equal(t, len(events), rep.Acknowledged()-countDups(rep))
	assert.Zero(t, rep.GaveUp())
	assert.Len(t, got, len(events))
	for id, n := range got {
		require.Equal(t, 1, n, id)
	}
}

func countDups(r smartcartest.Report) int {
	seen := map[string]bool{}
	n := 0
	for _, d := range r.Deliveries {
		if seen[d.EventID] {
			n++
		}
		seen[d.EventID] = true
	}
	return n
}

func TestNewWebhookHandlerOptions(t *testing.T) {
	_, err := smartcar.NewWebhookHandler(" ", smartcar.WithMaxWebhookBody(0), smartcar.WithDeliveryWait(20*time.Second), smartcar.WithWebhookReadTimeout(-1),
		smartcar.WithDedupeStore(nil), smartcar.WithDedupeRetention(0), smartcar.WithWebhookClock(nil), smartcar.WithWebhookLogger(nil), smartcar.WithPreviousManagementTokens(""))
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
	for _, want := range []string{"Management Token is empty", "WithMaxWebhookBody(0)", "WithDeliveryWait(20s)", "WithWebhookReadTimeout(-1ns)", "WithDedupeStore", "WithDedupeRetention(0s)", "WithWebhookClock", "WithWebhookLogger", "WithPreviousManagementTokens"} {
		assert.Contains(t, err.Error(), want)
	}
}

// A subscription ends with its context, with the context's error.
func TestWebhookSubscriptionContext(t *testing.T) {
	r := newHookRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := r.h.Subscribe(ctx)
	require.NoError(t, err)
	cancel()
	for range sub.Events() {
	}
	assert.ErrorIs(t, sub.Err(), context.Canceled)
	_, err = r.h.Subscribe(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

// A consumer that leaves while a delivery waits for room in its channel did not take the
// event: with no other consumer it is answered 503 (Smartcar delivers it again), never
// acknowledged unread.
func TestWebhookConsumerLeavesDuringDelivery(t *testing.T) {
	for _, leave := range []string{"subscription closed", "context ended", "handler closed"} {
		t.Run(leave, func(t *testing.T) {
			r := newHookRig(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sub, err := r.h.Subscribe(ctx, smartcar.WebhookEvents(), telematics.WithBuffer(1))
			require.NoError(t, err)
			sender := smartcartest.NewSender(r.url, testToken, smartcartest.WithSenderClock(r.sclock), smartcartest.WithRetrySchedule())
			require.True(t, sender.Deliver(context.Background(), r.state(t, smartcartest.VehicleModel3, time.Time{}), smartcartest.Signed).Acknowledged)
			done := make(chan *smartcartest.Delivery)
			go func() {
				done <- sender.Deliver(context.Background(), r.state(t, smartcartest.VehicleID4, time.Time{}), smartcartest.Signed)
			}()
			require.Eventually(t, func() bool { return r.hclock.Timers() == 1 }, 5*time.Second, time.Millisecond, "the delivery waits")
			switch leave {
			case "subscription closed":
				sub.Close()
			case "context ended":
				cancel()
			case "handler closed":
				r.h.Close()
			}
			d := <-done
			assert.Equal(t, []int{http.StatusServiceUnavailable}, statuses(d), "not acknowledged: nobody took it")
			assert.EqualValues(t, 1, r.h.Stats().Delivered)
		})
	}
}

// A subscription to Positions alone accepts every event (it wants the locations only):
// a VEHICLE_ERROR is acknowledged, a location published.
func TestWebhookPositionsOnlySubscription(t *testing.T) {
	r := newHookRig(t)
	sub, err := r.h.Subscribe(context.Background(), telematics.PositionsOnly())
	require.NoError(t, err)
	defer sub.Close()
	assert.Nil(t, sub.Events())
	errEv, _ := r.fleet.VehicleErrorEvent("", smartcartest.VehicleCamry, "VEHICLE_STATE", "ASLEEP", "ERROR")
	assert.True(t, r.sender.Deliver(context.Background(), errEv, smartcartest.Signed).Acknowledged)
	assert.True(t, r.sender.Deliver(context.Background(), r.state(t, smartcartest.VehicleBolt, smartcartest.Epoch), smartcartest.Signed).Acknowledged)
	p := <-sub.Positions()
	assert.Equal(t, smartcartest.VehicleBolt, p.VehicleID)
	assert.Equal(t, smartcartest.Epoch, p.Time)
	sub.Close()
	// Without it, nothing consumes: 503.
	sender := smartcartest.NewSender(r.url, testToken, smartcartest.WithSenderClock(r.sclock), smartcartest.WithRetrySchedule())
	again, _ := r.fleet.VehicleErrorEvent("", smartcartest.VehicleCamry, "VEHICLE_STATE", "ASLEEP", "RESOLVED")
	assert.Equal(t, []int{http.StatusServiceUnavailable}, statuses(sender.Deliver(context.Background(), again, smartcartest.Signed)))
}

// VERIFY never waits for the consumers: with the only consumer stalled and a delivery
// waiting for room, a challenge is answered at once (the handler's clock does not
// move), and the defaults keep reading plus handing over under Smartcar's 15 s.
func TestWebhookVerifyWhileConsumerStalls(t *testing.T) {
	assert.Less(t, smartcar.DefaultWebhookReadTimeout+smartcar.DefaultWebhookDeliveryWait, 15*time.Second)
	r := newHookRig(t)
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents(), telematics.WithBuffer(1))
	require.NoError(t, err)
	defer sub.Close()
	require.True(t, r.sender.Deliver(context.Background(), r.state(t, smartcartest.VehicleModel3, time.Time{}), smartcartest.Signed).Acknowledged)
	done := make(chan *smartcartest.Delivery)
	go func() {
		done <- r.sender.Deliver(context.Background(), r.state(t, smartcartest.VehicleID4, time.Time{}), smartcartest.Signed)
	}()
	require.Eventually(t, func() bool { return r.hclock.Timers() == 1 }, 5*time.Second, time.Millisecond, "a delivery waits")
	start := r.hclock.Now()
	ok, err := r.sender.Verify(context.Background())
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, start, r.hclock.Now(), "answered without the clock moving")
	<-sub.Webhooks() // the consumer resumes: the waiting delivery goes through
	assert.Equal(t, []int{http.StatusOK}, statuses(<-done))
}

// The handler's own dedupe store keeps an eventId for seven days on the handler's clock,
// then forgets it; WithDedupeRetention changes the window.
func TestWebhookDedupeWindow(t *testing.T) {
	for _, tt := range []struct {
		opts   []smartcar.WebhookOption
		window time.Duration
	}{
		{nil, 7 * 24 * time.Hour},
		{[]smartcar.WebhookOption{smartcar.WithDedupeRetention(time.Hour)}, time.Hour},
	} {
		r := newHookRig(t, tt.opts...)
		sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents(), telematics.WithBuffer(4))
		require.NoError(t, err)
		st := r.state(t, smartcartest.VehicleModel3, time.Time{})
		require.True(t, r.sender.Deliver(context.Background(), st, smartcartest.Signed).Acknowledged)
		r.hclock.Advance(tt.window - time.Second)
		require.True(t, r.sender.Deliver(context.Background(), st, smartcartest.Signed).Acknowledged)
		assert.EqualValues(t, 1, r.h.Stats().Duplicates, "within %v", tt.window)
		r.hclock.Advance(time.Second)
		require.True(t, r.sender.Deliver(context.Background(), st, smartcartest.Signed).Acknowledged)
		assert.EqualValues(t, 2, r.h.Stats().Delivered, "after %v the id is forgotten", tt.window)
		assert.Len(t, sub.Webhooks(), 2)
		sub.Close()
	}
}
