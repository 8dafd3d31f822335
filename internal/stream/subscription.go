package stream

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// subscription is the SubscriptionControl of one subscriber.
type subscription struct {
	s   *Session
	ev  *Sub[telematics.Event]
	pos *Sub[telematics.Position]
	st  *Sub[telematics.StreamState]

	once    sync.Once
	mu      sync.Mutex
	err     error
	stopCtx func() bool
}

// Subscribe adds a subscriber, which first receives the session's last known position
// of every vehicle as resync events, and starts the session if it is the first.
func (s *Session) Subscribe(ctx context.Context, sc telematics.SubscribeConfig) (*telematics.Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sub := &subscription{s: s}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	s.subs[sub] = struct{}{}
	start := !s.started
	s.started = true
	state := s.stateLocked()
	s.mu.Unlock()

	onClose := func(err error) {
		if err != nil {
			sub.end(err)
		}
	}
	s.pubMu.Lock()
	var evs []telematics.Event
	var poss []telematics.Position
	for _, p := range s.knownSortedLocked() {
		evs = append(evs, telematics.Event{Kind: telematics.EventResync, VehicleID: p.VehicleID, Position: p, Time: p.Time})
		poss = append(poss, p)
	}
	if sc.Events {
		sub.ev = s.events.Subscribe(sc.Buffer, sc.Overflow, sc.BlockTimeout, onClose, evs...)
	}
	if sc.Positions {
		sub.pos = s.positions.Subscribe(sc.Buffer, sc.Overflow, sc.BlockTimeout, onClose, poss...)
	}
	sub.st = s.states.Subscribe(stateBuffer, telematics.DropOldest, 0, nil, state)
	s.pubMu.Unlock()

	if start {
		runCtx, cancel := context.WithCancel(context.Background())
		s.mu.Lock()
		s.cancel = cancel
		s.mu.Unlock()
		go s.run(runCtx)
	}
	stop := context.AfterFunc(ctx, func() { sub.end(ctx.Err()) })
	sub.mu.Lock()
	sub.stopCtx = stop
	sub.mu.Unlock()

	var evC <-chan telematics.Event
	var posC <-chan telematics.Position
	if sub.ev != nil {
		evC = sub.ev.C()
	}
	if sub.pos != nil {
		posC = sub.pos.C()
	}
	return telematics.NewSubscription(evC, posC, sub.st.C(), sub), nil
}

func (s *Session) knownSortedLocked() []telematics.Position {
	out := make([]telematics.Position, 0, len(s.known))
	for _, p := range s.known {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b telematics.Position) int {
		if c := cmp.Compare(len(a.VehicleID), len(b.VehicleID)); c != 0 {
			return c
		}
		return cmp.Compare(a.VehicleID, b.VehicleID)
	})
	return out
}

func (sub *subscription) State() telematics.StreamState { return sub.s.State() }

func (sub *subscription) Err() error {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.err
}

func (sub *subscription) Dropped() uint64 {
	var n uint64
	if sub.ev != nil {
		n += sub.ev.Dropped()
	}
	if sub.pos != nil {
		n += sub.pos.Dropped()
	}
	return n
}

func (sub *subscription) Close() { sub.end(nil) }

// end closes the subscriber's channels once, records why and releases the session.
func (sub *subscription) end(err error) {
	sub.once.Do(func() {
		sub.mu.Lock()
		sub.err = err
		stop := sub.stopCtx
		sub.mu.Unlock()
		if stop != nil {
			stop()
		}
		if sub.ev != nil {
			sub.ev.Close()
		}
		if sub.pos != nil {
			sub.pos.Close()
		}
		sub.st.Close()
		sub.s.release(sub)
	})
}

// release forgets a subscription and stops the session after the last one.
func (s *Session) release(sub *subscription) {
	s.mu.Lock()
	delete(s.subs, sub)
	last := len(s.subs) == 0 && !s.closed
	if last {
		s.closed = true
	}
	cancel := s.cancel
	s.mu.Unlock()
	if last && cancel != nil {
		cancel()
		<-s.done
	}
}
