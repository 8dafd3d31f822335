package mycartracks_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

var liveEpoch = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// waitFor bounds how long a test waits for something the client does on its own.
const waitFor = 20 * time.Second

type liveRig struct {
	srv    *mycartrackstest.Server
	clock  *clocktest.Clock
	client *mycartracks.Client
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newLiveRig(t *testing.T, opts ...mycartrackstest.Option) *liveRig {
	t.Helper()
	clock := clocktest.New(liveEpoch)
	srv := mycartrackstest.NewServer(append([]mycartrackstest.Option{mycartrackstest.WithClock(clock), mycartrackstest.WithVehicles(4)}, opts...)...)
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	client, err := mycartracks.NewClient(srv.ClientID, srv.ClientSecret,
		mycartracks.WithBaseURL(srv.BaseURL), mycartracks.WithTokenURL(srv.TokenURL), mycartracks.WithClock(clock),
		mycartracks.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	t.Cleanup(client.Close)
	return &liveRig{srv: srv, clock: clock, client: client, logs: logs}
}

func (r *liveRig) waitConns(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	require.NoError(t, r.srv.WaitLiveConnections(ctx, n))
}

// reporting returns the ids of the vehicles the fake moves.
func (r *liveRig) reporting() map[string]mycartrackstest.Trackpoint {
	out := map[string]mycartrackstest.Trackpoint{}
	for id, p := range r.srv.LivePositions() {
		out[strconv.FormatInt(id, 10)] = p
	}
	return out
}

// waitState reads state changes until one satisfies ok.
func waitState(t *testing.T, sub *telematics.Subscription, what string, ok func(telematics.StreamState) bool) telematics.StreamState {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case st, open := <-sub.States():
			if !open {
				t.Fatalf("states closed while waiting for %s (err %v)", what, sub.Err())
			}
			if ok(st) {
				return st
			}
		case <-deadline:
			t.Fatalf("no state %s; last %+v", what, sub.State())
		}
	}
}

func connected(n int) func(telematics.StreamState) bool {
	return func(st telematics.StreamState) bool {
		return st.Conn == telematics.StateConnected && st.Reconnects >= n
	}
}

// nextEvent returns the next event satisfying ok.
func nextEvent(t *testing.T, sub *telematics.Subscription, what string, ok func(telematics.Event) bool) telematics.Event {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case ev, open := <-sub.Events():
			if !open {
				t.Fatalf("events closed while waiting for %s (err %v)", what, sub.Err())
			}
			if ok(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no event %s", what)
		}
	}
}

func kind(k telematics.EventKind) func(telematics.Event) bool {
	return func(ev telematics.Event) bool { return ev.Kind == k }
}

func TestLiveResyncThenPositions(t *testing.T) {
	r := newLiveRig(t)
	sub, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{})
	require.NoError(t, err)
	defer sub.Close()
	want := r.reporting()
	resynced := map[string]bool{}
	for len(resynced) < len(want) {
		ev := nextEvent(t, sub, "resync", kind(telematics.EventResync))
		resynced[ev.VehicleID] = true
		assert.Equal(t, want[ev.VehicleID].Latitude, ev.Position.Latitude)
	}
	waitState(t, sub, "connected", connected(0))
	r.waitConns(t, 1)
	r.clock.Advance(time.Second)
	r.srv.LiveTick()
	moved := map[string]bool{}
	for len(moved) < len(want) {
		ev := nextEvent(t, sub, "position", kind(telematics.EventPosition))
		moved[ev.VehicleID] = true
		assert.Equal(t, r.clock.Now().UnixMilli(), ev.Time.UnixMilli(), "the provider's time")
		assert.True(t, ev.Position.Has(telematics.HasSpeed))
		assert.NotEmpty(t, ev.Raw)
	}
	assert.Equal(t, 1, r.srv.StreamsCreated())
}

// TestLiveStartResyncsEachVehicleOnce: the snapshot before the first connection and
// the resync once it is up must not hand a subscriber every vehicle twice.
func TestLiveStartResyncsEachVehicleOnce(t *testing.T) {
	r := newLiveRig(t)
	sub, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{})
	require.NoError(t, err)
	defer sub.Close()
	want := r.reporting()
	waitState(t, sub, "connected", connected(0))
	r.waitConns(t, 1)
	r.clock.Advance(time.Second)
	r.srv.LiveTick()
	resyncs := map[string]int{}
	moved := map[string]bool{}
	for len(moved) < len(want) {
		select {
		case ev := <-sub.Events():
			switch ev.Kind {
			case telematics.EventResync:
				resyncs[ev.VehicleID]++
			case telematics.EventPosition:
				moved[ev.VehicleID] = true
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("positions of %d of %d vehicles after the tick", len(moved), len(want))
		}
	}
	for id := range want {
		assert.Equal(t, 1, resyncs[id], "resync events of vehicle %s", id)
	}
}

func TestLiveReconnects(t *testing.T) {
	cases := []struct {
		name  string
		fault func(r *liveRig)
		check func(t *testing.T, r *liveRig, sub *telematics.Subscription)
	}{
		{name: "drop", fault: func(r *liveRig) { r.srv.DropLiveConnections() }},
		{name: "silence", fault: func(r *liveRig) {
			r.srv.SilenceLiveConnections()
			r.clock.Advance(46 * time.Second) // 3 heartbeat intervals of 15 s
		}, check: func(t *testing.T, r *liveRig, sub *telematics.Subscription) {
			assert.Contains(t, sub.State().LastError.Error(), "liveness")
		}},
		{name: "error event", fault: func(r *liveRig) { r.srv.SendLiveError("STREAM_EXPIRED", "the stream expired") }, check: func(t *testing.T, r *liveRig, sub *telematics.Subscription) {
			ev := nextEvent(t, sub, "error", kind(telematics.EventError))
			assert.Equal(t, "STREAM_EXPIRED", ev.Code)
		}},
		{name: "401 on stream creation", fault: func(r *liveRig) {
			r.srv.RefuseStreams(401)
			r.srv.DropLiveConnections()
		}, check: func(t *testing.T, r *liveRig, sub *telematics.Subscription) {
			assert.Equal(t, 2, r.srv.Grants(), "exactly one new grant")
		}},
		{name: "5xx on stream creation", fault: func(r *liveRig) {
			r.srv.RefuseStreams(503, 502)
			r.srv.DropLiveConnections()
		}},
		{name: "dial refused", fault: func(r *liveRig) {
			r.srv.RejectLiveDials(2)
			r.srv.DropLiveConnections()
		}},
		{name: "oversized frame", fault: func(r *liveRig) {
			r.srv.SendLiveFrame([]byte(`{"type":"position","pad":"` + strings.Repeat("x", 1<<20) + `"}`))
		}, check: func(t *testing.T, r *liveRig, sub *telematics.Subscription) {
			assert.EqualValues(t, 1, sub.State().Oversized)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newLiveRig(t)
			sub, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{})
			require.NoError(t, err)
			defer sub.Close()
			waitState(t, sub, "connected", connected(0))
			r.waitConns(t, 1)
			tc.fault(r)
			if tc.check != nil && tc.name == "error event" {
				tc.check(t, r, sub)
			}
			waitState(t, sub, "reconnected", connected(1))
			// The resync after the reconnection: one per vehicle.
			for range r.reporting() {
				nextEvent(t, sub, "resync", kind(telematics.EventResync))
			}
			if tc.check != nil && tc.name != "error event" {
				tc.check(t, r, sub)
			}
			// Live again.
			r.waitConns(t, 1)
			r.clock.Advance(time.Second)
			r.srv.LiveTick()
			nextEvent(t, sub, "position", kind(telematics.EventPosition))
			assert.NoError(t, sub.Err())
		})
	}
}

func TestLiveMalformedFramesSurvive(t *testing.T) {
	r := newLiveRig(t)
	sub, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{})
	require.NoError(t, err)
	defer sub.Close()
	waitState(t, sub, "connected", connected(0))
	r.waitConns(t, 1)
	r.srv.SendLiveFrame([]byte(`{"type":"position","vehicleId":`))
	r.srv.SendLiveFrame([]byte(`{"type":"geofenceEnter","vehicleId":7}`))
	r.srv.SendLiveFrame([]byte(`not json`))
	for i := 0; i < 3; i++ {
		ev := nextEvent(t, sub, "unknown", kind(telematics.EventUnknown))
		assert.NotEmpty(t, ev.Raw)
	}
	r.clock.Advance(time.Second)
	r.srv.LiveTick()
	nextEvent(t, sub, "position on the same connection", kind(telematics.EventPosition))
	st := sub.State()
	assert.EqualValues(t, 3, st.Unknown)
	assert.Equal(t, 0, st.Reconnects)
	assert.Equal(t, 1, r.srv.StreamsCreated())
}

func TestLivePermanentErrors(t *testing.T) {
	for _, status := range []int{401, 403} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			r := newLiveRig(t)
			if status == 401 {
				r.srv.RefuseStreams(401, 401) // the replay with a new token is refused too
			} else {
				r.srv.RefuseStreams(403)
			}
			sub, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{})
			require.NoError(t, err)
			defer sub.Close()
			for range sub.Events() {
			}
			want := telematics.ErrUnauthorized
			if status == 403 {
				want = telematics.ErrForbidden
			}
			require.ErrorIs(t, sub.Err(), want)
			assert.Equal(t, telematics.StateClosed, sub.State().Conn)
		})
	}
}

func TestLiveSharesOneConnection(t *testing.T) {
	r := newLiveRig(t)
	var subs []*telematics.Subscription
	for i := 0; i < 5; i++ {
		sub, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{}, telematics.EventsOnly())
		require.NoError(t, err)
		defer sub.Close()
		subs = append(subs, sub)
	}
	waitState(t, subs[0], "connected", connected(0))
	r.waitConns(t, 1)
	r.clock.Advance(time.Second)
	r.srv.LiveTick()
	for _, sub := range subs {
		nextEvent(t, sub, "position", kind(telematics.EventPosition))
		assert.Nil(t, sub.Positions())
	}
	assert.Equal(t, 1, r.srv.StreamsCreated())
	assert.Equal(t, 1, r.srv.LiveConnections())
}

func TestLiveCloseAndCancelEndEverything(t *testing.T) {
	r := newLiveRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := r.client.Live.Subscribe(ctx, mycartracks.LiveFilter{VehicleIDs: []mycartracks.ID{1}})
	require.NoError(t, err)
	other, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{})
	require.NoError(t, err)
	waitState(t, sub, "connected", connected(0))
	waitState(t, other, "connected", connected(0))
	r.waitConns(t, 2)
	cancel()
	for range sub.Events() {
	}
	for range sub.Positions() {
	}
	assert.ErrorIs(t, sub.Err(), context.Canceled)
	r.waitConns(t, 1)
	r.client.Close()
	for range other.Events() {
	}
	assert.NoError(t, other.Err())
	r.waitConns(t, 0)
	_, err = r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{})
	assert.ErrorIs(t, err, telematics.ErrClientClosed)
}

func TestLiveStreamURLsNeverShown(t *testing.T) {
	r := newLiveRig(t)
	r.srv.RejectLiveDials(1)
	sub, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{})
	require.NoError(t, err)
	defer sub.Close()
	st := waitState(t, sub, "a refused dial", func(st telematics.StreamState) bool { return st.LastError != nil })
	dialErr := st.LastError
	waitState(t, sub, "connected", connected(0))
	r.waitConns(t, 1)
	r.srv.DropLiveConnections()
	waitState(t, sub, "reconnected", connected(1))
	urls := r.srv.StreamURLs()
	require.GreaterOrEqual(t, len(urls), 3)
	logs := r.logs.String()
	assert.Contains(t, dialErr.Error(), "status 401")
	for _, u := range urls {
		tok := u[strings.Index(u, "token=")+len("token="):]
		id := u[strings.LastIndex(u, "/")+1 : strings.Index(u, "?")]
		for _, secret := range []string{tok, id} {
			assert.NotContains(t, logs, secret)
			assert.NotContains(t, dialErr.Error(), secret)
		}
	}
	assert.Regexp(t, regexp.MustCompile(`url="ws://127\.0\.0\.1:\d+/live/REDACTED\?token=REDACTED`), logs)
}

// TestLiveReconnectStormStaysInBudget: the upstream refuses streams for 20 minutes of
// fake time; the reconnect loop never spends the 150-request budget of a window.
func TestLiveReconnectStormStaysInBudget(t *testing.T) {
	r := newLiveRig(t)
	r.srv.RefuseAllStreams(503)
	sub, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{})
	require.NoError(t, err)
	defer sub.Close()
	end := liveEpoch.Add(20 * time.Minute)
	waitState(t, sub, "20 minutes of refusals", func(telematics.StreamState) bool { return r.clock.Now().After(end) })
	r.srv.RefuseAllStreams(0)
	waitState(t, sub, "connected", connected(0))
	stats := r.srv.Stats()
	assert.Zero(t, stats.RateLimited, "no request refused for the budget")
	windows := map[int64]int{}
	for _, req := range r.srv.Requests() {
		windows[int64(req.Time.Sub(liveEpoch)/(15*time.Minute))]++
	}
	for w, n := range windows {
		assert.LessOrEqual(t, n, 150, "window %d", w)
	}
	t.Logf("%d requests over %v of refusals: %v per 15-minute window", stats.Requests, r.clock.Now().Sub(liveEpoch).Round(time.Second), windows)
	assert.Less(t, stats.Requests, 100, "backoff keeps a storm well inside the budget")
}

// TestLiveScenarioDropsEveryTwoSeconds: the fake drops the connection every 2 s for
// 30 s of fake time while the vehicles move; the subscriber ends with the fake's final
// position of every vehicle, and no vehicle's position ever goes back in time.
func TestLiveScenarioDropsEveryTwoSeconds(t *testing.T) {
	r := newLiveRig(t)
	sub, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{}, telematics.PositionsOnly(), telematics.WithBuffer(1<<14))
	require.NoError(t, err)
	defer sub.Close()
	last := map[string]telematics.Position{}
	drain := func() {
		for {
			select {
			case p := <-sub.Positions():
				if prev, ok := last[p.VehicleID]; ok {
					require.False(t, p.Time.Before(prev.Time), "vehicle %s went back in time", p.VehicleID)
				}
				last[p.VehicleID] = p
			default:
				return
			}
		}
	}
	waitState(t, sub, "connected", connected(0))
	r.waitConns(t, 1)
	// 120 steps of 250 ms: 30 s of the fake's own time (the client's backoff sleeps
	// advance the shared clock further).
	drops := 0
	for step := 1; step <= 120; step++ {
		r.clock.Advance(250 * time.Millisecond)
		r.srv.LiveTick()
		if step%8 == 0 {
			// Every 2 s: drop, and let the client come back (its backoff runs on the
			// same clock) while the vehicles keep moving.
			r.srv.DropLiveConnections()
			drops++
			waitState(t, sub, "reconnected", connected(drops))
			r.waitConns(t, 1)
		}
		drain()
	}
	// Settle: once connected after the last drop, one more move reaches the subscriber.
	r.waitConns(t, 1)
	r.clock.Advance(250 * time.Millisecond)
	r.srv.LiveTick()
	want := r.reporting()
	deadline := time.After(waitFor)
	for {
		done := true
		for id, p := range want {
			if got := last[id]; !got.Time.Equal(p.Time) || got.Latitude != p.Latitude || got.Longitude != p.Longitude {
				done = false
			}
		}
		if done {
			break
		}
		select {
		case p := <-sub.Positions():
			if prev, ok := last[p.VehicleID]; ok {
				require.False(t, p.Time.Before(prev.Time), "vehicle %s went back in time", p.VehicleID)
			}
			last[p.VehicleID] = p
		case <-deadline:
			t.Fatalf("final positions differ: got %v, want %v", last, want)
		}
	}
	st := sub.State()
	assert.Equal(t, drops, st.Reconnects, "reconnected after every drop")
	assert.Equal(t, 15, drops)
	t.Logf("%d reconnections, %d stale positions skipped, %d streams created", st.Reconnects, st.Stale, r.srv.StreamsCreated())
}

// TestLiveConnectionOptions: WithHeartbeatInterval, WithReadLimit and
// WithReconnectBackoff reach the connection, and subscriptions with other settings get
// their own connection.
func TestLiveConnectionOptions(t *testing.T) {
	r := newLiveRig(t)
	sub, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{},
		mycartracks.WithHeartbeatInterval(time.Second), mycartracks.WithReadLimit(512),
		mycartracks.WithReconnectBackoff(10*time.Millisecond, 20*time.Millisecond))
	require.NoError(t, err)
	defer sub.Close()
	waitState(t, sub, "connected", connected(0))
	other, err := r.client.Live.Subscribe(context.Background(), mycartracks.LiveFilter{})
	require.NoError(t, err)
	defer other.Close()
	waitState(t, other, "connected", connected(0))
	r.waitConns(t, 2)
	assert.Equal(t, 2, r.srv.StreamsCreated(), "other settings, another connection")

	// A 1 KiB frame is over the 512-byte limit of the first only.
	r.srv.SendLiveFrame([]byte(`{"type":"geofenceEnter","pad":"` + strings.Repeat("x", 1024) + `"}`))
	waitState(t, sub, "reconnected after the oversized frame", connected(1))
	assert.EqualValues(t, 1, sub.State().Oversized)
	nextEvent(t, other, "the frame as an unknown event", kind(telematics.EventUnknown))
	r.waitConns(t, 2)

	// Three seconds of silence end the first connection (heartbeat 1 s), not the other's
	// (default 15 s).
	r.srv.SilenceLiveConnections()
	r.clock.Advance(3 * time.Second)
	waitState(t, sub, "reconnected after the silence", connected(2))
	assert.Contains(t, sub.State().LastError.Error(), "liveness")
	assert.Equal(t, 0, other.State().Reconnects)
}
