package telematics

import (
	"sync"
	"time"
)

// mergedStateBuffer is the size of a merged subscription's States channel.
const mergedStateBuffer = 16

// MergeSubscriptions fans several subscriptions in to one, for a program that follows
// vehicles of several providers (a MyCarTracks stream, Smartcar webhooks and the Smartcar
// poller) on one channel. Nil subscriptions are left out.
//
// Events and Positions carry what every input sends, each in the order its input sent
// it; a channel is nil only when every input's is (EventsOnly, PositionsOnly). Each holds
// DefaultSubscriptionBuffer values; when the program falls behind, forwarding waits, so
// each input's own overflow policy decides what is dropped, and Dropped is the sum of the
// inputs'. States receives the combined state whenever an input's changes (the oldest
// is dropped when it is full): Conn is StateClosed once every input has closed, else
// StateReconnecting or StateConnecting while any input is, else StateConnected; the
// counters are sums, LastError joins the inputs' last errors.
//
// The merged subscription's channels close when every input's have closed, or on Close,
// which closes every input and returns once no goroutine of the merge is left. Err
// joins the errors of the inputs that ended with one, as soon as any has (the others may
// still run); it is nil when none did.
func MergeSubscriptions(subs ...*Subscription) *Subscription {
	return mergeSubscriptions(subs, nil)
}

// MergeSubscriptionsFunc merges subs as MergeSubscriptions does, forwarding a value only
// when keep returns true for it: keep receives each event with a nil Position, and each
// position with a nil Event, before it is forwarded, and may change it. keep is called
// by one goroutine per input, concurrently: it must be safe for concurrent use. A
// provider builds on it to deduplicate sources of the same positions
// (smartcar.MergePositions).
func MergeSubscriptionsFunc(keep func(*Event, *Position) bool, subs ...*Subscription) *Subscription {
	fixes := make([]func(*Event, *Position) bool, len(subs))
	for i := range fixes {
		fixes[i] = keep
	}
	return mergeSubscriptions(subs, fixes)
}

// mergeSubscriptions merges subs; fixes[i], when given, rewrites the values of subs[i]
// before they are forwarded (a merged fleet qualifies vehicle ids), and drops those it
// returns false for.
func mergeSubscriptions(subs []*Subscription, fixes []func(*Event, *Position) bool) *Subscription {
	m := &mergedSub{done: make(chan struct{}), finished: make(chan struct{})}
	var inputs []mergeInput
	for i, s := range subs {
		if s == nil {
			continue
		}
		in := mergeInput{sub: s}
		if i < len(fixes) {
			in.fix = fixes[i]
		}
		inputs = append(inputs, in)
	}
	for _, in := range inputs {
		m.subs = append(m.subs, in.sub)
		if in.sub.Events() != nil && m.events == nil {
			m.events = make(chan Event, DefaultSubscriptionBuffer)
		}
		if in.sub.Positions() != nil && m.positions == nil {
			m.positions = make(chan Position, DefaultSubscriptionBuffer)
		}
	}
	m.states = make(chan StreamState, mergedStateBuffer)
	m.wg.Add(len(inputs))
	for _, in := range inputs {
		go m.forward(in)
	}
	go func() {
		m.wg.Wait()
		m.publishState() // the last state, StateClosed once every input has ended
		if m.events != nil {
			close(m.events)
		}
		if m.positions != nil {
			close(m.positions)
		}
		close(m.states)
		close(m.finished)
	}()
	return NewSubscription(m.events, m.positions, m.states, m)
}

type mergeInput struct {
	sub *Subscription
	fix func(*Event, *Position) bool
}

// mergedSub is the SubscriptionControl of a merged subscription.
type mergedSub struct {
	subs      []*Subscription
	events    chan Event
	positions chan Position
	states    chan StreamState

	done      chan struct{} // closed by Close
	finished  chan struct{} // closed once the channels are
	closeOnce sync.Once
	wg        sync.WaitGroup
	stateMu   sync.Mutex
}

// forward copies one input to the merged channels until the input ends or Close.
func (m *mergedSub) forward(in mergeInput) {
	defer m.wg.Done()
	ev, pos, st := in.sub.Events(), in.sub.Positions(), in.sub.States()
	data := ev != nil || pos != nil
	for {
		if (data && ev == nil && pos == nil) || (!data && st == nil) {
			return
		}
		select {
		case e, ok := <-ev:
			if !ok {
				ev = nil
				continue
			}
			if in.fix != nil && !in.fix(&e, nil) {
				continue
			}
			select {
			case m.events <- e:
			case <-m.done:
				return
			}
		case p, ok := <-pos:
			if !ok {
				pos = nil
				continue
			}
			if in.fix != nil && !in.fix(nil, &p) {
				continue
			}
			select {
			case m.positions <- p:
			case <-m.done:
				return
			}
		case _, ok := <-st:
			if !ok {
				st = nil
				continue
			}
			m.publishState()
		case <-m.done:
			return
		}
	}
}

// publishState sends the combined state, dropping the oldest when the channel is full.
func (m *mergedSub) publishState() {
	s := m.State()
	m.stateMu.Lock()
	defer m.stateMu.Unlock()
	for {
		select {
		case m.states <- s:
			return
		default:
		}
		select {
		case <-m.states:
		default:
		}
	}
}

// State combines the inputs' states.
func (m *mergedSub) State() StreamState {
	if len(m.subs) == 0 {
		return StreamState{Conn: StateClosed}
	}
	var out StreamState
	var errs []error
	closed, connecting, reconnecting := 0, false, false
	for _, s := range m.subs {
		st := s.State()
		switch st.Conn {
		case StateClosed:
			closed++
		case StateConnecting:
			connecting = true
		case StateReconnecting:
			reconnecting = true
		}
		out.Since = later(out.Since, st.Since)
		out.LastMessage = later(out.LastMessage, st.LastMessage)
		out.Reconnects += st.Reconnects
		out.Unknown += st.Unknown
		out.Oversized += st.Oversized
		out.Stale += st.Stale
		if st.LastError != nil {
			errs = append(errs, st.LastError)
		}
	}
	switch {
	case closed == len(m.subs):
		out.Conn = StateClosed
	case reconnecting:
		out.Conn = StateReconnecting
	case connecting:
		out.Conn = StateConnecting
	default:
		out.Conn = StateConnected
	}
	out.LastError = errorsJoin(errs)
	return out
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Err joins the errors of the inputs that ended with one.
func (m *mergedSub) Err() error {
	var errs []error
	for _, s := range m.subs {
		if err := s.Err(); err != nil {
			errs = append(errs, err)
		}
	}
	return errorsJoin(errs)
}

// Dropped sums the inputs' drops.
func (m *mergedSub) Dropped() uint64 {
	var n uint64
	for _, s := range m.subs {
		n += s.Dropped()
	}
	return n
}

// Close closes every input and waits until the merged channels are closed.
func (m *mergedSub) Close() {
	m.closeOnce.Do(func() {
		close(m.done)
		for _, s := range m.subs {
			s.Close()
		}
	})
	<-m.finished
}
