package stream

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Hub fans values out to subscribers. Each subscriber has its own bounded channel and
// overflow policy, so a slow one never delays the others; only the hub closes a
// subscriber's channel, exactly once, and it never sends after closing. It is safe for
// concurrent use.
type Hub[T any] struct {
	clock telematics.Clock

	mu     sync.Mutex
	subs   []*Sub[T]
	closed bool
}

// NewHub returns a hub whose Block timeouts run on clock (nil: the system clock).
func NewHub[T any](clock telematics.Clock) *Hub[T] {
	if clock == nil {
		clock = telematics.SystemClock
	}
	return &Hub[T]{clock: clock}
}

// Sub is one subscriber of a Hub.
type Sub[T any] struct {
	hub     *Hub[T]
	ch      chan T
	policy  telematics.Overflow
	dropped atomic.Uint64
	onClose func(error)
	closed  bool // under hub.mu
	blk     *blockQueue[T]
	// PublishWait's sends happen outside hub.mu: sendMu serialises them with the
	// closing of ch, and closing, closed first, makes a waiting send give up.
	sendMu  sync.Mutex
	closing chan struct{}
}

// blockQueue is the Block subscriber's queue in front of its channel, drained by a pump
// goroutine of its own that is the channel's only sender. Publish never waits on it:
// push always queues, stamping the value with a deadline of Publish time plus the block
// timeout, and the pump waits (on the hub's clock) until the value fits in the channel
// or its deadline passes, when it drops it (counted). So nothing is dropped unless the
// subscriber stays full for longer than the timeout, and the queue holds at most what
// is published within one timeout: a value older than that is dropped when reached
// without waiting.
type blockQueue[T any] struct {
	timeout time.Duration
	mu      sync.Mutex
	items   []blockItem[T] // ring, grows
	size    int            // the subscriber's buffer: the ring's size when idle
	head, n int
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

type blockItem[T any] struct {
	v        T
	deadline time.Time
}

// Subscribe adds a subscriber with a buffer of size buffer (at least 1) and the given
// policy; blockTimeout applies to Block: Publish queues for a Block subscriber without
// waiting, and its own pump goroutine waits for room until blockTimeout after Publish,
// then drops the value (counted), so a Block subscriber delays neither the publisher nor
// the others. initial values are delivered first, under the
// policy. onClose, when not nil, is called once with the reason when the hub ends the
// subscriber (nil for Close and Hub.Close, telematics.ErrSlowSubscriber for Disconnect).
// Subscribing to a closed hub returns a subscriber whose channel is closed.
func (h *Hub[T]) Subscribe(buffer int, policy telematics.Overflow, blockTimeout time.Duration, onClose func(error), initial ...T) *Sub[T] {
	buffer = max(buffer, 1)
	s := &Sub[T]{hub: h, ch: make(chan T, buffer), policy: policy, onClose: onClose, closing: make(chan struct{})}
	if policy == telematics.Block {
		if blockTimeout <= 0 {
			blockTimeout = telematics.DefaultBlockTimeout
		}
		s.blk = &blockQueue[T]{timeout: blockTimeout, size: buffer, items: make([]blockItem[T], buffer), wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
		go s.pump()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.closeLocked(nil)
		return s
	}
	h.subs = append(h.subs, s)
	for _, v := range initial {
		if s.closed {
			break
		}
		s.deliverLocked(v)
	}
	if s.closed {
		h.compactLocked()
	}
	return s
}

// C returns the subscriber's channel.
func (s *Sub[T]) C() <-chan T { return s.ch }

// Dropped returns how many values the policy discarded.
func (s *Sub[T]) Dropped() uint64 { return s.dropped.Load() }

// Close removes the subscriber and closes its channel; it may be called more than once.
func (s *Sub[T]) Close() {
	h := s.hub
	h.mu.Lock()
	if s.closed {
		h.mu.Unlock()
		return
	}
	s.closeLocked(nil)
	h.compactLocked()
	h.mu.Unlock()
}

// Len returns the number of subscribers.
func (h *Hub[T]) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Publish delivers v to every subscriber under its policy and returns how many took it
// into their buffer.
func (h *Hub[T]) Publish(v T) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, gone := 0, false
	for _, s := range h.subs {
		if s.deliverLocked(v) {
			n++
		}
		gone = gone || s.closed
	}
	if gone {
		h.compactLocked()
	}
	return n
}

// PublishWait delivers v to every subscriber that skip (when not nil) does not exclude,
// waiting as long as ctx allows for room in the channel of each whose buffer is full:
// unlike Publish it never drops, whatever the subscriber's policy (a Block subscriber
// takes v into its queue at once, where its block timeout applies). It returns the
// subscribers that took v and, when some did not before ctx ended, ctx's error; a
// subscriber closed meanwhile neither takes v nor makes an error. It is the publish of
// a source that must know its consumer accepted a value before acknowledging it
// upstream (a webhook delivery answered 2xx), and that skips on a retry the subscribers
// that took the value the first time.
//
// Subscribers are served one after the other; the publisher and other PublishWait calls
// are not delayed beyond ctx, and Publish never waits for PublishWait.
func (h *Hub[T]) PublishWait(ctx context.Context, v T, skip func(*Sub[T]) bool) ([]*Sub[T], error) {
	h.mu.Lock()
	subs := make([]*Sub[T], 0, len(h.subs))
	for _, s := range h.subs {
		if skip == nil || !skip(s) {
			subs = append(subs, s)
		}
	}
	now := h.clock.Now()
	h.mu.Unlock()
	took := subs[:0]
	var err error
	for _, s := range subs {
		ok, e := s.sendWait(ctx, v, now)
		if ok {
			took = append(took, s)
		} else if e != nil && err == nil {
			err = e
		}
	}
	return took, err
}

// sendWait is PublishWait's send to one subscriber.
func (s *Sub[T]) sendWait(ctx context.Context, v T, now time.Time) (bool, error) {
	if s.blk != nil {
		select {
		case <-s.closing:
			return false, nil
		default:
			return s.blk.push(v, now), nil
		}
	}
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	select {
	case <-s.closing:
		return false, nil
	default:
	}
	select {
	case s.ch <- v:
		return true, nil
	default:
	}
	select {
	case s.ch <- v:
		return true, nil
	case <-s.closing:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// Close ends every subscriber; later Subscribe calls get closed channels and Publish
// does nothing. It may be called more than once.
func (h *Hub[T]) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, s := range h.subs {
		s.closeLocked(nil)
	}
	h.subs = nil
}

func (h *Hub[T]) compactLocked() {
	kept := h.subs[:0]
	for _, s := range h.subs {
		if !s.closed {
			kept = append(kept, s)
		}
	}
	clear(h.subs[len(kept):])
	h.subs = kept
}

// deliverLocked hands v to the subscriber; h.mu is held.
func (s *Sub[T]) deliverLocked(v T) bool {
	switch s.policy {
	case telematics.DropNewest:
		select {
		case s.ch <- v:
			return true
		default:
			s.dropped.Add(1)
			return false
		}
	case telematics.Disconnect:
		select {
		case s.ch <- v:
			return true
		default:
			s.dropped.Add(1)
			s.closeLocked(telematics.ErrSlowSubscriber)
			return false
		}
	case telematics.Block:
		return s.blk.push(v, s.hub.clock.Now())
	default: // DropOldest
		for {
			select {
			case s.ch <- v:
				return true
			default:
			}
			select {
			case <-s.ch:
				s.dropped.Add(1)
			default:
			}
		}
	}
}

// closeLocked closes the channel (for Block, the pump does once it stopped) and calls
// onClose; h.mu is held.
func (s *Sub[T]) closeLocked(reason error) {
	if s.closed {
		return
	}
	s.closed = true
	close(s.closing)
	if s.blk != nil {
		close(s.blk.stop)
		<-s.blk.done
	} else {
		s.sendMu.Lock() // a PublishWait send in progress sees closing and returns
		close(s.ch)
		s.sendMu.Unlock()
	}
	if s.onClose != nil {
		go s.onClose(reason)
	}
}

// push queues v for the pump with its deadline; it never drops nor waits.
func (q *blockQueue[T]) push(v T, now time.Time) bool {
	q.mu.Lock()
	if q.n == len(q.items) {
		grown := make([]blockItem[T], 2*len(q.items))
		for i := 0; i < q.n; i++ {
			grown[i] = q.items[(q.head+i)%len(q.items)]
		}
		q.items, q.head = grown, 0
	}
	q.items[(q.head+q.n)%len(q.items)] = blockItem[T]{v: v, deadline: now.Add(q.timeout)}
	q.n++
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

func (q *blockQueue[T]) pop() (it blockItem[T], ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return it, false
	}
	it, q.items[q.head] = q.items[q.head], blockItem[T]{}
	q.head = (q.head + 1) % len(q.items)
	q.n--
	if q.n == 0 && len(q.items) > 4*q.size {
		q.items, q.head = make([]blockItem[T], q.size), 0 // give a burst's memory back
	}
	return it, true
}

// pump moves queued values into the channel in order, each waiting until its deadline
// for room; a value whose deadline passed is dropped (counted).
func (s *Sub[T]) pump() {
	q := s.blk
	defer close(q.done)
	defer close(s.ch)
	for {
		it, ok := q.pop()
		if !ok {
			select {
			case <-q.wake:
				continue
			case <-q.stop:
				return
			}
		}
		select {
		case s.ch <- it.v:
			continue
		default:
		}
		wait := it.deadline.Sub(s.hub.clock.Now())
		if wait <= 0 {
			s.dropped.Add(1)
			continue
		}
		expired := make(chan struct{})
		stop := telematics.AfterFunc(s.hub.clock, wait, func() { close(expired) })
		select {
		case s.ch <- it.v:
		case <-expired:
			s.dropped.Add(1)
		case <-q.stop:
			stop()
			return
		}
		stop()
	}
}
