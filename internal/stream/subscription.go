package stream

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Subscriber is what every live source's telematics.SubscriptionControl shares: the
// subscriber's channels in the source's hubs and its ending. A source embeds it, sets
// the channels and Release, calls EndWith, and adds its own State. The subscriber ends
// once — on Close, when its context ends, or when a hub disconnects it (HubClosed) —
// recording why (Err), closing each of its channels and then running Release.
type Subscriber struct {
	Events    *Sub[telematics.Event]
	Positions *Sub[telematics.Position]
	States    *Sub[telematics.StreamState]
	// Others are more channels of the subscriber (a provider's typed events), closed
	// with the others. Nil entries are not allowed.
	Others []interface{ Close() }
	// Release, when set, runs once the channels are closed: the source forgets the
	// subscriber.
	Release func()

	once    sync.Once
	mu      sync.Mutex
	err     error
	stopCtx func() bool
}

// EndWith ends the subscriber with ctx's error when ctx ends.
func (s *Subscriber) EndWith(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { s.End(ctx.Err()) })
	s.mu.Lock()
	s.stopCtx = stop
	s.mu.Unlock()
}

// HubClosed is the onClose callback to give Hub.Subscribe: a hub that ends the
// subscriber with a reason (Disconnect's telematics.ErrSlowSubscriber) ends it all.
func (s *Subscriber) HubClosed(err error) {
	if err != nil {
		s.End(err)
	}
}

// Channels returns the subscriber's hub channels (nil for the ones it has not), for
// telematics.NewSubscription.
func (s *Subscriber) Channels() (<-chan telematics.Event, <-chan telematics.Position, <-chan telematics.StreamState) {
	var evC <-chan telematics.Event
	var posC <-chan telematics.Position
	var stC <-chan telematics.StreamState
	if s.Events != nil {
		evC = s.Events.C()
	}
	if s.Positions != nil {
		posC = s.Positions.C()
	}
	if s.States != nil {
		stC = s.States.C()
	}
	return evC, posC, stC
}

// Err returns why the subscriber ended: nil for Close, the context's error, or the
// hub's reason.
func (s *Subscriber) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Dropped returns how many events and positions the overflow policies discarded.
func (s *Subscriber) Dropped() uint64 {
	var n uint64
	if s.Events != nil {
		n += s.Events.Dropped()
	}
	if s.Positions != nil {
		n += s.Positions.Dropped()
	}
	return n
}

// Close ends the subscriber without an error.
func (s *Subscriber) Close() { s.End(nil) }

// End ends the subscriber once: it records err, stops watching the context, closes the
// channels and runs Release.
func (s *Subscriber) End(err error) {
	s.once.Do(func() {
		s.mu.Lock()
		s.err = err
		stop := s.stopCtx
		s.mu.Unlock()
		if stop != nil {
			stop()
		}
		for _, c := range s.Others {
			c.Close()
		}
		if s.Events != nil {
			s.Events.Close()
		}
		if s.Positions != nil {
			s.Positions.Close()
		}
		if s.States != nil {
			s.States.Close()
		}
		if s.Release != nil {
			s.Release()
		}
	})
}

// subscription is the SubscriptionControl of one subscriber of a Session.
type subscription struct {
	Subscriber
	s *Session
}

// Subscribe adds a subscriber, which first receives the session's last known position
// of every vehicle as resync events, and starts the session if it is the first.
func (s *Session) Subscribe(ctx context.Context, sc telematics.SubscribeConfig) (*telematics.Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sub := &subscription{s: s}
	sub.Release = func() { s.release(sub) }
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

	onClose := sub.HubClosed
	s.pubMu.Lock()
	var evs []telematics.Event
	var poss []telematics.Position
	for _, p := range s.knownSortedLocked() {
		evs = append(evs, telematics.Event{Kind: telematics.EventResync, VehicleID: p.VehicleID, Position: p, Time: p.Time})
		poss = append(poss, p)
	}
	if sc.Events {
		sub.Events = s.events.Subscribe(sc.Buffer, sc.Overflow, sc.BlockTimeout, onClose, evs...)
	}
	if sc.Positions {
		sub.Positions = s.positions.Subscribe(sc.Buffer, sc.Overflow, sc.BlockTimeout, onClose, poss...)
	}
	sub.States = s.states.Subscribe(stateBuffer, telematics.DropOldest, 0, nil, state)
	s.pubMu.Unlock()

	if start {
		runCtx, cancel := context.WithCancel(context.Background())
		s.mu.Lock()
		s.cancel = cancel
		s.mu.Unlock()
		go s.run(runCtx)
	}
	sub.EndWith(ctx)
	evC, posC, stC := sub.Channels()
	return telematics.NewSubscription(evC, posC, stC, sub), nil
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
