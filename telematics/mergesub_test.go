package telematics_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// feed is a live source as a provider builds one with telematics.NewSubscription: a
// goroutine publishes a script of positions (each as an event and a position), then
// either ends the subscription (with endErr) or waits for Close.
type feed struct {
	ev     chan telematics.Event
	pos    chan telematics.Position
	st     chan telematics.StreamState
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	err    error
	closed bool
	drops  uint64
	state  telematics.StreamState
}

func newFeed(vehicle string, n int, end bool, endErr error, drops uint64) (*feed, *telematics.Subscription) {
	f := &feed{
		ev: make(chan telematics.Event), pos: make(chan telematics.Position), st: make(chan telematics.StreamState, 4),
		stop: make(chan struct{}), done: make(chan struct{}), drops: drops,
		state: telematics.StreamState{Conn: telematics.StateConnected, Reconnects: 1},
	}
	f.st <- f.state
	go func() {
		defer close(f.done)
		for i := range n {
			p := telematics.Position{VehicleID: vehicle, Latitude: float64(i), Longitude: 1}
			select {
			case f.ev <- telematics.Event{Kind: telematics.EventPosition, VehicleID: vehicle, Position: p}:
			case <-f.stop:
				return
			}
			select {
			case f.pos <- p:
			case <-f.stop:
				return
			}
		}
		if end {
			go f.end(endErr)
		}
	}()
	return f, telematics.NewSubscription(f.ev, f.pos, f.st, f)
}

// end stops the publisher and closes the channels once, as a provider's subscription
// does when its context ends or its upstream fails.
func (f *feed) end(err error) {
	f.once.Do(func() {
		close(f.stop)
		<-f.done
		f.mu.Lock()
		f.err, f.closed = err, true
		f.state.Conn = telematics.StateClosed
		f.mu.Unlock()
		close(f.ev)
		close(f.pos)
		close(f.st)
	})
}

func (f *feed) State() telematics.StreamState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

func (f *feed) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *feed) Dropped() uint64 { return f.drops }
func (f *feed) Close()          { f.end(nil) }

func (f *feed) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

func TestMergeSubscriptionsFansInEverything(t *testing.T) {
	const n = 200
	var subs []*telematics.Subscription
	for i := range 3 {
		_, s := newFeed(fmt.Sprintf("v%d", i), n, true, nil, uint64(i))
		subs = append(subs, s)
	}
	merged := telematics.MergeSubscriptions(append(subs, nil)...)
	defer merged.Close()

	next := map[string]float64{}
	events, positions := 0, 0
	evC, posC := merged.Events(), merged.Positions()
	for evC != nil || posC != nil {
		select {
		case e, ok := <-evC:
			if !ok {
				evC = nil
				continue
			}
			events++
			assert.Equal(t, telematics.EventPosition, e.Kind)
		case p, ok := <-posC:
			if !ok {
				posC = nil
				continue
			}
			positions++
			assert.Equal(t, next[p.VehicleID], p.Latitude, "positions of one input keep their order")
			next[p.VehicleID]++
		}
	}
	assert.Equal(t, 3*n, events)
	assert.Equal(t, 3*n, positions)
	assert.Equal(t, map[string]float64{"v0": n, "v1": n, "v2": n}, next)
	assert.NoError(t, merged.Err(), "every input ended without an error")
	assert.Equal(t, uint64(0+1+2), merged.Dropped(), "Dropped sums the inputs'")
	st := merged.State()
	assert.Equal(t, telematics.StateClosed, st.Conn)
	assert.Equal(t, 3, st.Reconnects, "counters are sums")

	var last telematics.StreamState
	for s := range merged.States() {
		last = s
	}
	assert.Equal(t, telematics.StateClosed, last.Conn, "the last state published is closed")
}

func TestMergeSubscriptionsCloseEndsEveryInput(t *testing.T) {
	// Inputs that never end by themselves, and a program that reads nothing: Close must
	// not wait for a reader.
	var feeds []*feed
	var subs []*telematics.Subscription
	for i := range 4 {
		f, s := newFeed(fmt.Sprintf("v%d", i), 1_000_000, false, nil, 0)
		feeds, subs = append(feeds, f), append(subs, s)
	}
	merged := telematics.MergeSubscriptions(subs...)
	// Let the forwarding fill the merged buffers.
	require.Eventually(t, func() bool { return len(merged.Events()) == telematics.DefaultSubscriptionBuffer }, 10*time.Second, time.Millisecond)

	merged.Close()
	merged.Close() // a second Close is harmless
	for i, f := range feeds {
		assert.True(t, f.isClosed(), "input %d closed", i)
	}
	n := 0
	for range merged.Events() {
		n++
	}
	for range merged.Positions() {
	}
	for range merged.States() {
	}
	assert.LessOrEqual(t, n, telematics.DefaultSubscriptionBuffer, "what was buffered can still be read, then the channel is closed")
	assert.NoError(t, merged.Err())
	assert.Equal(t, telematics.StateClosed, merged.State().Conn)
}

func TestMergeSubscriptionsErrOfOneInputWhileOthersRun(t *testing.T) {
	upstream := errors.New("upstream refused the credentials")
	_, failing := newFeed("a", 1, true, upstream, 0)
	running, other := newFeed("b", 1_000_000, false, nil, 0)
	merged := telematics.MergeSubscriptions(failing, other)
	defer merged.Close()

	// Read until the failing input is gone.
	require.Eventually(t, func() bool {
		for {
			select {
			case <-merged.Events():
				continue
			case <-merged.Positions():
				continue
			default:
			}
			return merged.Err() != nil
		}
	}, 10*time.Second, time.Millisecond)
	assert.ErrorIs(t, merged.Err(), upstream)
	assert.False(t, running.isClosed(), "the other input still runs")
	assert.NotEqual(t, telematics.StateClosed, merged.State().Conn, "not closed while an input runs")
}

func TestMergeSubscriptionsChannelsOfTheInputs(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		merged := telematics.MergeSubscriptions()
		var states []telematics.StreamState
		for s := range merged.States() {
			states = append(states, s)
		}
		assert.Equal(t, []telematics.StreamState{{Conn: telematics.StateClosed}}, states, "a merge of nothing is closed at once")
		assert.Nil(t, merged.Events())
		assert.Nil(t, merged.Positions())
		assert.Equal(t, telematics.StateClosed, merged.State().Conn)
		merged.Close()
	})
	t.Run("events only", func(t *testing.T) {
		f, _ := newFeed("a", 3, true, nil, 0)
		merged := telematics.MergeSubscriptions(telematics.NewSubscription(f.ev, nil, f.st, f))
		assert.Nil(t, merged.Positions(), "no input feeds positions")
		// The feed publishes an event then a position: read the event, then close.
		e := <-merged.Events()
		assert.Equal(t, "a", e.VehicleID)
		merged.Close()
		assert.True(t, f.isClosed())
	})
}

// TestMergeSubscriptionsFuncKeepsWhatKeepAccepts: keep sees every event and position of
// every input, may change it, and what it refuses is not forwarded.
func TestMergeSubscriptionsFuncKeepsWhatKeepAccepts(t *testing.T) {
	const n = 100
	_, a := newFeed("a", n, true, nil, 0)
	_, b := newFeed("b", n, true, nil, 0)
	var mu sync.Mutex
	offered := map[string]int{}
	merged := telematics.MergeSubscriptionsFunc(func(e *telematics.Event, p *telematics.Position) bool {
		mu.Lock()
		defer mu.Unlock()
		if e != nil {
			offered["event"]++
			e.VehicleID = "x-" + e.VehicleID
			return int(e.Position.Latitude)%2 == 0
		}
		offered["position"]++
		p.VehicleID = "x-" + p.VehicleID
		return int(p.Latitude)%2 == 1
	}, a, b)
	defer merged.Close()
	events, positions := 0, 0
	evC, posC := merged.Events(), merged.Positions()
	for evC != nil || posC != nil {
		select {
		case e, ok := <-evC:
			if !ok {
				evC = nil
				continue
			}
			events++
			assert.Equal(t, 0, int(e.Position.Latitude)%2, "refused events are not forwarded")
			assert.Contains(t, []string{"x-a", "x-b"}, e.VehicleID, "keep's changes are forwarded")
		case p, ok := <-posC:
			if !ok {
				posC = nil
				continue
			}
			positions++
			assert.Equal(t, 1, int(p.Latitude)%2)
			assert.Contains(t, []string{"x-a", "x-b"}, p.VehicleID)
		}
	}
	assert.Equal(t, n, events, "half of each input's events")
	assert.Equal(t, n, positions)
	assert.Equal(t, map[string]int{"event": 2 * n, "position": 2 * n}, offered, "keep saw everything")
	assert.NoError(t, merged.Err())
}
