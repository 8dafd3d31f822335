package smartcar_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

const pollUser = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"

// guard bounds, in real time, a wait for the poller: the poller itself runs on the
// manual clock and never sleeps.
const guard = 30 * time.Second

// locationReads returns the location reads the fake received, by vehicle, in order.
func locationReads(srv *smartcartest.Server) (all []smartcartest.LoggedRequest, byVehicle map[string][]smartcartest.LoggedRequest) {
	byVehicle = map[string][]smartcartest.LoggedRequest{}
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.Path, "/signals/location-preciselocation") {
			continue
		}
		id := strings.Split(r.Path, "/")[2]
		all = append(all, r)
		byVehicle[id] = append(byVehicle[id], r)
	}
	return all, byVehicle
}

// positions reads n positions from sub, failing the test when they do not come.
func positions(t *testing.T, sub *telematics.Subscription, n int) []telematics.Position {
	t.Helper()
	out := make([]telematics.Position, 0, n)
	timeout := time.After(guard)
	for len(out) < n {
		select {
		case p, ok := <-sub.Positions():
			require.True(t, ok, "the subscription ended after %d positions: %v", len(out), sub.Err())
			out = append(out, p)
		case <-timeout:
			require.FailNow(t, "positions did not come", "%d of %d", len(out), n)
		}
	}
	return out
}

// eventUntil reads events until one matches, failing the test when none comes.
func eventUntil(t *testing.T, sub *telematics.Subscription, match func(telematics.Event) bool) (seen []telematics.Event) {
	t.Helper()
	timeout := time.After(guard)
	for {
		select {
		case ev, ok := <-sub.Events():
			require.True(t, ok, "the subscription ended: %v", sub.Err())
			seen = append(seen, ev)
			if match(ev) {
				return seen
			}
		case <-timeout:
			require.FailNow(t, "the event did not come", "after %d events", len(seen))
		}
	}
}

func TestPollPositionsSpacesRequestsWithinTheBudgetFor500Vehicles(t *testing.T) {
	f := newFake(t, []smartcartest.Option{smartcartest.WithAppRateLimit(smartcar.AppRateLimitBurst, smartcar.AppRateLimitInterval)})
	ids := f.srv.AddVehicles(pollUser, 500)
	for _, id := range ids {
		require.True(t, f.srv.Drive(id, 40, time.Minute))
	}
	f.srv.ResetRequests()
	start := f.clock.Now()
	sub, err := f.client.PollPositions(context.Background(), ids, smartcar.WithPollUserID(pollUser), telematics.WithBuffer(1000), telematics.PositionsOnly())
	require.NoError(t, err)
	got := positions(t, sub, 600)
	sub.Close()
	// Close closes the channel once what was buffered before it is read.
	closed := time.After(guard)
	for open := true; open; {
		select {
		case _, open = <-sub.Positions():
		case <-closed:
			require.FailNow(t, "Close did not close the positions channel")
		}
	}

	// Smartcar's default budget refills 2 a minute; the poller takes half: one request a
	// minute, so 500 vehicles are read every 500 minutes, not every 30.
	all, byVehicle := locationReads(f.srv)
	require.GreaterOrEqual(t, len(all), 600)
	assert.Equal(t, start, all[0].Time, "the first vehicle is read at once")
	bucket := rate.NewLimiter(rate.Every(smartcar.AppRateLimitInterval), smartcar.AppRateLimitBurst)
	for i, r := range all {
		if i < len(got) {
			assert.Equal(t, http.StatusOK, r.Status) // the last may have been cut short by Close
		}
		assert.True(t, bucket.AllowN(r.Time, 1), "request %d outruns the application bucket", i)
		if i > 0 {
			assert.Equal(t, time.Minute, r.Time.Sub(all[i-1].Time), "requests are one minute apart, evenly")
		}
	}
	assert.Len(t, byVehicle, 500, "every vehicle is read in the first round")
	for id, reads := range byVehicle {
		for i := 1; i < len(reads); i++ {
			assert.Equal(t, 500*time.Minute, reads[i].Time.Sub(reads[i-1].Time), "vehicle %s is read once per period", id)
		}
	}
	assert.Zero(t, f.srv.Stats().RateLimited, "no request met a 429")

	seen := map[string][]telematics.Position{}
	for _, p := range got {
		assert.Equal(t, smartcar.Provider, p.Provider)
		seen[p.VehicleID] = append(seen[p.VehicleID], p)
	}
	assert.Len(t, seen, 500)
	for id, ps := range seen {
		if len(ps) == 2 {
			assert.True(t, ps[1].Time.After(ps[0].Time), "vehicle %s moved and its second fix is newer", id)
			assert.NotEqual(t, ps[0].Latitude, ps[1].Latitude)
		}
	}
}

func TestPollPositionsSpreadsAFewVehiclesOverTheInterval(t *testing.T) {
	f := newFake(t, nil, smartcar.WithBudget(10, time.Minute))
	ids := f.srv.AddVehicles(pollUser, 4)
	for _, id := range ids {
		f.srv.Drive(id, 30, time.Second)
	}
	f.srv.ResetRequests()
	// Half the client's budget of 10 a minute: one request every 12 s at most; the
	// interval of 10 minutes spreads four vehicles 2m30s apart.
	sub, err := f.client.PollPositions(context.Background(), ids, smartcar.WithPollUserID(pollUser), smartcar.WithPollInterval(10*time.Minute))
	require.NoError(t, err)
	positions(t, sub, 12)
	sub.Close()
	all, _ := locationReads(f.srv)
	for i := 1; i < 12; i++ {
		assert.Equal(t, 150*time.Second, all[i].Time.Sub(all[i-1].Time))
		if i >= 4 {
			assert.Equal(t, strings.Split(all[i-4].Path, "/")[2], strings.Split(all[i].Path, "/")[2], "the same order every round")
		}
	}
}

func TestPollPositionsHonoursAVehicleRetryAfter(t *testing.T) {
	f := newFake(t, nil)
	ids := f.srv.AddVehicles(pollUser, 3)
	for _, id := range ids {
		f.srv.Drive(id, 30, time.Second)
	}
	limited := ids[0]
	f.srv.LimitVehicle(limited, 2*time.Hour)
	f.srv.ResetRequests()
	start := f.clock.Now()
	sub, err := f.client.PollPositions(context.Background(), ids, smartcar.WithPollUserID(pollUser), smartcar.WithPollInterval(10*time.Minute))
	require.NoError(t, err)
	seen := eventUntil(t, sub, func(ev telematics.Event) bool {
		return ev.Kind == telematics.EventPosition && ev.VehicleID == limited
	})
	sub.Close() // the poller stops: the log is complete
	var errorEvents []telematics.Event
	others := 0
	for _, ev := range seen {
		switch {
		case ev.Kind == telematics.EventError:
			errorEvents = append(errorEvents, ev)
		case ev.Kind == telematics.EventPosition && ev.VehicleID != limited:
			others++
		}
	}
	require.Len(t, errorEvents, 1)
	assert.Equal(t, limited, errorEvents[0].VehicleID)
	assert.Equal(t, "RATE_LIMIT:VEHICLE", errorEvents[0].Code)
	testkit.AssertNoSecrets(t, map[string]string{"message": errorEvents[0].Message}, f.srv.ClientID, f.srv.ClientSecret)
	assert.GreaterOrEqual(t, others, 2*11, "the other vehicles kept their 10-minute turns meanwhile")

	_, byVehicle := locationReads(f.srv)
	reads := byVehicle[limited]
	// The poller may read once more between the event and Close taking effect (its clock
	// runs on): the first two reads are the refused one and the next, after Retry-After.
	require.GreaterOrEqual(t, len(reads), 2, "one refused read, then none until the Retry-After passed")
	assert.Equal(t, start, reads[0].Time)
	assert.Equal(t, http.StatusTooManyRequests, reads[0].Status)
	assert.GreaterOrEqual(t, reads[1].Time.Sub(reads[0].Time), 2*time.Hour)
	assert.Less(t, reads[1].Time.Sub(reads[0].Time), 2*time.Hour+10*time.Minute)
	assert.Equal(t, http.StatusOK, reads[1].Status)
	assert.Equal(t, 1, f.srv.Stats().RateLimited)
}

func TestPollPositionsBacksOffFromASleepingVehicle(t *testing.T) {
	f := newFake(t, []smartcartest.Option{smartcartest.WithSleepingReads()})
	ids := f.srv.AddVehicles(pollUser, 2)
	asleep, awake := ids[0], ids[1]
	f.srv.Drive(awake, 30, time.Second)
	f.srv.SetAsleep(asleep, true)
	f.srv.ResetRequests()
	start := f.clock.Now()
	sub, err := f.client.PollPositions(context.Background(), ids, smartcar.WithPollUserID(pollUser),
		smartcar.WithPollInterval(10*time.Minute), smartcar.WithPollMaxBackoff(2*time.Hour), telematics.WithBuffer(1000))
	require.NoError(t, err)
	defer sub.Close()

	// 24 hours of the awake vehicle's positions, one per 10 minutes.
	var offline []telematics.Event
	n := 0
	eventUntil(t, sub, func(ev telematics.Event) bool {
		switch {
		case ev.Kind == telematics.EventOffline:
			offline = append(offline, ev)
		case ev.Kind == telematics.EventPosition && ev.VehicleID == awake:
			n++
		}
		return n == 6*24
	})
	require.Len(t, offline, 1, "one offline event, not one per failed read")
	assert.Equal(t, asleep, offline[0].VehicleID)

	_, byVehicle := locationReads(f.srv)
	var reads []smartcartest.LoggedRequest
	for _, r := range byVehicle[asleep] {
		if r.Time.Before(start.Add(24 * time.Hour)) {
			reads = append(reads, r)
		}
	}
	// 20 min, 40 min, 80 min, then every 2 hours: 14 reads in a day instead of 144.
	assert.Len(t, reads, 14)
	want := []time.Duration{20 * time.Minute, 40 * time.Minute, 80 * time.Minute, 2 * time.Hour, 2 * time.Hour}
	for i := 1; i < len(reads) && i <= len(want); i++ {
		assert.Equal(t, http.StatusConflict, reads[i].Status)
		assert.Equal(t, want[i-1], reads[i].Time.Sub(reads[i-1].Time), "gap %d", i)
	}

	// Awake again, it is read within the longest backoff and reports its position.
	f.srv.SetAsleep(asleep, false)
	wake := f.clock.Now()
	eventUntil(t, sub, func(ev telematics.Event) bool {
		return ev.Kind == telematics.EventPosition && ev.VehicleID == asleep
	})
	assert.LessOrEqual(t, f.clock.Now().Sub(wake), 2*time.Hour+10*time.Minute)
}

func TestPollPositionsDeduplicatesWithASharedTracker(t *testing.T) {
	f := newFake(t, nil)
	ids := f.srv.AddVehicles(pollUser, 3)
	parked, fromWebhook, driving := ids[0], ids[1], ids[2]
	f.srv.Drive(driving, 30, time.Second)
	f.srv.Drive(fromWebhook, 30, time.Second)

	// Another source sharing the tracker (another poller, or the program itself for
	// positions that reach it another way) already recorded a fix of fromWebhook newer
	// than anything the poller will read for the next hours. (The webhook receiver does
	// not take a tracker: MergePositions deduplicates it with the poller.)
	tracker := smartcar.NewPositionTracker()
	assert.True(t, tracker.Advance(fromWebhook, f.clock.Now().Add(3*time.Hour)))
	assert.False(t, tracker.Advance(fromWebhook, f.clock.Now()), "an older fix is refused")

	start := f.clock.Now()
	sub, err := f.client.PollPositions(context.Background(), ids, smartcar.WithPollUserID(pollUser),
		smartcar.WithPollInterval(10*time.Minute), smartcar.WithPositionTracker(tracker))
	require.NoError(t, err)
	var got []telematics.Position
	eventUntil(t, sub, func(ev telematics.Event) bool {
		if ev.Kind == telematics.EventPosition {
			got = append(got, ev.Position)
		}
		return ev.VehicleID == fromWebhook && ev.Kind == telematics.EventPosition
	})
	counts := map[string]int{}
	for _, p := range got {
		counts[p.VehicleID]++
	}
	assert.Equal(t, 1, counts[parked], "a parked vehicle's unchanged fix is published once")
	assert.Equal(t, 1, counts[fromWebhook], "published only once newer than the webhook's")
	assert.Greater(t, counts[driving], 15)
	published := got[len(got)-1]
	assert.True(t, published.Time.After(start.Add(3*time.Hour)))
	last, ok := tracker.Last(fromWebhook)
	require.True(t, ok)
	assert.Equal(t, published.Time, last, "the poller advanced the shared tracker")
	st := sub.State()
	assert.Greater(t, st.Stale, uint64(30), "refused fixes are counted as stale")
	assert.Equal(t, telematics.StateConnected, st.Conn)
	assert.False(t, st.LastMessage.IsZero())
	sub.Close()
}

func TestPollPositionsSharesOnePollerAndEndsOnClose(t *testing.T) {
	f := newFake(t, nil)
	ids := f.srv.AddVehicles(pollUser, 2)
	for _, id := range ids {
		f.srv.Drive(id, 30, time.Second)
	}
	f.srv.ResetRequests()
	opts := []telematics.SubscribeOption{smartcar.WithPollUserID(pollUser), smartcar.WithPollInterval(10 * time.Minute)}
	a, err := f.client.PollPositions(context.Background(), ids, opts...)
	require.NoError(t, err)
	b, err := f.client.PollPositions(context.Background(), []string{ids[1], ids[0], ids[1]}, opts...)
	require.NoError(t, err)
	pa := positions(t, a, 6)
	positions(t, b, 4)
	all, _ := locationReads(f.srv)
	for i := 1; i < 6 && i < len(all); i++ {
		assert.Equal(t, 5*time.Minute, all[i].Time.Sub(all[i-1].Time), "one poller, not two")
	}
	assert.Equal(t, pa[0].VehicleID, ids[0])

	// The context of a subscription ends it; the client's Close ends the others.
	ctx, cancel := context.WithCancel(context.Background())
	c, err := f.client.PollPositions(ctx, ids, opts...)
	require.NoError(t, err)
	cancel()
	for range c.Positions() {
	}
	assert.ErrorIs(t, c.Err(), context.Canceled)

	a.Close()
	f.client.Close()
	for range b.Positions() {
	}
	assert.NoError(t, b.Err())
	_, err = f.client.PollPositions(context.Background(), ids, opts...)
	assert.ErrorIs(t, err, telematics.ErrClientClosed)
}

func TestPollPositionsEndsWhenTheCredentialsAreRefused(t *testing.T) {
	f := newFake(t, nil)
	f.srv.FailTokenRequests(http.StatusUnauthorized, http.StatusUnauthorized)
	sub, err := f.client.PollPositions(context.Background(), []string{smartcartest.VehicleModel3}, smartcar.WithPollUserID(smartcartest.UserAlice))
	require.NoError(t, err)
	for range sub.Events() {
	}
	assert.ErrorIs(t, sub.Err(), telematics.ErrUnauthorized)
	assert.Equal(t, telematics.StateClosed, sub.State().Conn)
	testkit.AssertNoSecrets(t, testkit.ErrorTexts(sub.Err()), f.srv.ClientID, f.srv.ClientSecret)
}

func TestPollPositionsPausesForTheApplicationBudget(t *testing.T) {
	f := newFake(t, []smartcartest.Option{smartcartest.WithAppRateLimit(2, time.Hour)}, smartcar.WithMaxRetries(0))
	ids := f.srv.AddVehicles(pollUser, 3)
	for _, id := range ids {
		f.srv.Drive(id, 30, time.Second)
	}
	sub, err := f.client.PollPositions(context.Background(), ids, smartcar.WithPollUserID(pollUser), smartcar.WithPollInterval(3*time.Minute))
	require.NoError(t, err)
	// Two reads pass, the third meets the application's 429: every request pauses,
	// the subscription says it is reconnecting, and the vehicle keeps its turn.
	var state telematics.StreamState
	timeout := time.After(guard)
	for state.Conn != telematics.StateReconnecting {
		select {
		case state = <-sub.States():
		case <-timeout:
			require.FailNow(t, "no reconnecting state")
		}
	}
	assert.ErrorIs(t, state.LastError, telematics.ErrRateLimited)
	got := positions(t, sub, 3)
	sub.Close()
	assert.Equal(t, ids[2], got[2].VehicleID, "the refused vehicle is read once the budget refills")
	all, byVehicle := locationReads(f.srv)
	reads := byVehicle[ids[2]]
	require.GreaterOrEqual(t, len(reads), 2)
	for i, r := range reads[:len(reads)-1] {
		assert.Equal(t, http.StatusTooManyRequests, r.Status)
		if i > 0 {
			assert.Greater(t, r.Time.Sub(reads[i-1].Time), reads[i-1].Time.Sub(all[1].Time), "the pause grows")
		}
	}
	assert.Equal(t, http.StatusOK, reads[len(reads)-1].Status)
	assert.Equal(t, ids[2], strings.Split(all[len(reads)+1].Path, "/")[2], "no other vehicle was read meanwhile")
}

func TestPollPositionsRefusesBadInput(t *testing.T) {
	f := newFake(t, nil)
	ctx := context.Background()
	v := []string{smartcartest.VehicleModel3}
	_, err := f.client.PollPositions(ctx, v)
	assert.ErrorIs(t, err, smartcar.ErrUserIDRequired)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	for _, opt := range []telematics.SubscribeOption{
		smartcar.WithPollInterval(0), smartcar.WithPollBudget(0, time.Minute), smartcar.WithPollBudget(1, -time.Minute), smartcar.WithPollMaxBackoff(-1),
	} {
		_, err = f.client.PollPositions(ctx, v, smartcar.WithPollUserID(smartcartest.UserAlice), opt)
		assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	}
	_, err = f.client.PollPositions(ctx, []string{" "}, smartcar.WithPollUserID(smartcartest.UserAlice))
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	_, err = f.client.PollPositions(ctx, nil, smartcar.WithPollUserID("nobody"))
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = f.client.PollPositions(cancelled, v, smartcar.WithPollUserID(smartcartest.UserAlice))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, f.srv.CountRequests(http.MethodGet, "/vehicles/"+smartcartest.VehicleModel3+"/signals/location-preciselocation"))
}

func TestPollPositionsOfEveryVehicleOfTheUser(t *testing.T) {
	f := newFake(t, nil)
	sub, err := f.client.PollPositions(context.Background(), nil, smartcar.WithPollUserID(smartcartest.UserAlice), smartcar.WithPollInterval(time.Minute))
	require.NoError(t, err)
	defer sub.Close()
	got := positions(t, sub, 2)
	ids := []string{got[0].VehicleID, got[1].VehicleID}
	assert.ElementsMatch(t, []string{smartcartest.VehicleModel3, smartcartest.VehicleID4}, ids)
	assert.Equal(t, 37.7749, map[string]float64{got[0].VehicleID: got[0].Latitude, got[1].VehicleID: got[1].Latitude}[smartcartest.VehicleModel3])
}

func TestPollPositionsReportsAVehicleItCannotRead(t *testing.T) {
	f := newFake(t, nil)
	// Bob's Camry read on Alice's behalf: 403 PERMISSION, an error event, and the
	// longest wait before the next read.
	sub, err := f.client.PollPositions(context.Background(), []string{smartcartest.VehicleModel3, smartcartest.VehicleCamry},
		smartcar.WithPollUserID(smartcartest.UserAlice), smartcar.WithPollInterval(time.Minute), smartcar.WithPollMaxBackoff(time.Hour))
	require.NoError(t, err)
	defer sub.Close()
	seen := eventUntil(t, sub, func(ev telematics.Event) bool { return ev.Kind == telematics.EventError })
	ev := seen[len(seen)-1]
	assert.Equal(t, smartcartest.VehicleCamry, ev.VehicleID)
	assert.Equal(t, "PERMISSION", ev.Code)
	assert.NoError(t, sub.Err())
}

// TestFleetLivePollsEachUsersVehicles: the fleet of the whole application polls each
// user's vehicles on that user's behalf, merged into one subscription; a fleet without
// vehicles gives a subscription that sends nothing and ends on Close.
func TestFleetLivePollsEachUsersVehicles(t *testing.T) {
	f := newFake(t, nil)
	sub, err := f.client.Fleet("").Live(context.Background(), nil, smartcar.WithPollInterval(5*time.Minute), telematics.PositionsOnly())
	require.NoError(t, err)
	got := map[string]bool{}
	for _, p := range positions(t, sub, 5) {
		got[p.VehicleID] = true
	}
	sub.Close()
	assert.Len(t, got, 5, "every vehicle of the three users")
	for _, r := range f.srv.Requests() {
		if strings.HasSuffix(r.Path, "/signals/location-preciselocation") {
			assert.NotEmpty(t, r.UserID)
			assert.NotEqual(t, http.StatusForbidden, r.Status, "each vehicle read on behalf of its owner")
		}
	}

	// On a fake of its own: a read the pollers above sent just before their Close may
	// reach the log of theirs after it.
	g := newFake(t, nil)
	g.srv.AddVehicles("nobody", 0)
	g.srv.ResetRequests()
	empty, err := g.client.Fleet("nobody").Live(context.Background(), nil)
	require.NoError(t, err)
	empty.Close()
	for range empty.Events() {
	}
	assert.NoError(t, empty.Err())
	reqs := g.srv.Requests()
	require.Len(t, reqs, 1, "one listing of the user's connections, then nothing: %+v", reqs)
	assert.Contains(t, reqs[0].Path, "/connections")
}

// TestPollPositionsCloseEndsEveryGoroutine: once Close returns, nothing the poller
// started runs any more (the client's idle HTTP connections aside), for one poller and
// for a fleet's pollers merged across users.
func TestPollPositionsCloseEndsEveryGoroutine(t *testing.T) {
	f := newFake(t, nil)
	ids := f.srv.AddVehicles(pollUser, 20)
	for _, id := range ids {
		f.srv.Drive(id, 30, time.Second)
	}
	idle := []goleak.Option{
		goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
	}

	sub, err := f.client.PollPositions(context.Background(), ids, smartcar.WithPollUserID(pollUser), smartcar.WithPollInterval(time.Minute))
	require.NoError(t, err)
	positions(t, sub, 30)
	sub.Close()
	goleak.VerifyNone(t, idle...)

	all, err := f.client.Fleet("").Live(context.Background(), nil, smartcar.WithPollInterval(time.Minute))
	require.NoError(t, err)
	positions(t, all, 30)
	all.Close()
	goleak.VerifyNone(t, idle...)
}

// TestMergePositionsDeliversEachFixOnce follows one vehicle through the poller and the
// webhook receiver merged with MergePositions: the fix both deliver comes once, a newer
// one by webhook comes next, on the positions channel and on the events channel alike.
func TestMergePositionsDeliversEachFixOnce(t *testing.T) {
	for _, only := range []struct {
		name string
		opt  telematics.SubscribeOption
	}{{"positions", telematics.PositionsOnly()}, {"events", telematics.EventsOnly()}} {
		t.Run(only.name, func(t *testing.T) {
			f := newFake(t, nil)
			id := f.srv.AddVehicles(pollUser, 1)[0] // parked: every read gives the same fix
			const token = "amt-merge-positions-test"
			h, err := smartcar.NewWebhookHandler(token)
			require.NoError(t, err)
			defer h.Close()
			hook := httptest.NewServer(h)
			defer hook.Close()
			ctx := context.Background()
			ws, err := h.Subscribe(ctx, only.opt)
			require.NoError(t, err)
			poll, err := f.client.PollPositions(ctx, []string{id}, smartcar.WithPollUserID(pollUser), smartcar.WithPollInterval(10*time.Minute), only.opt)
			require.NoError(t, err)
			merged := smartcar.MergePositions(poll, ws.Subscription)
			defer merged.Close()
			next := func() telematics.Position {
				t.Helper()
				select {
				case p, ok := <-merged.Positions():
					require.True(t, ok, "ended: %v", merged.Err())
					return p
				case ev, ok := <-merged.Events():
					require.True(t, ok, "ended: %v", merged.Err())
					require.Equal(t, telematics.EventPosition, ev.Kind)
					return ev.Position
				case <-time.After(guard):
					t.Fatal("no position")
				}
				return telematics.Position{}
			}

			first := next() // the poller's read
			assert.Equal(t, id, first.VehicleID)
			sender := smartcartest.NewSender(hook.URL, token, smartcartest.WithSenderHTTPClient(hook.Client()))
			same, ok := f.srv.VehicleStateEvent("", id, time.Time{})
			require.True(t, ok)
			newer, _ := f.srv.VehicleStateEvent("", id, first.Time.Add(time.Hour))
			for _, ev := range []smartcartest.Event{same, newer} {
				require.True(t, sender.Deliver(ctx, ev, smartcartest.Signed).Acknowledged)
			}
			got := next()
			assert.Equal(t, first.Time.Add(time.Hour), got.Time, "the fix the webhook repeated was left out; the newer one came")
			assert.Equal(t, id, got.VehicleID)
		})
	}
}
