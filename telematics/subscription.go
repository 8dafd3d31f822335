package telematics

import (
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// EventKind says what a live [Event] reports.
type EventKind uint8

// The kinds of live events.
const (
	// EventUnknown is a frame the SDK could not decode or does not know; Raw holds it.
	EventUnknown EventKind = iota
	// EventPosition is a new fix of a vehicle.
	EventPosition
	// EventOffline says a vehicle stopped reporting; Position is its last fix, if sent.
	EventOffline
	// EventError is an error the provider reported on the stream (Code, Message).
	EventError
	// EventResync is a vehicle's last known position fetched over REST after a
	// (re)connection, so that no marker stays stale across a gap.
	EventResync
)

// String names the kind as the JSON and log output of the examples do.
func (k EventKind) String() string {
	switch k {
	case EventPosition:
		return "position"
	case EventOffline:
		return "offline"
	case EventError:
		return "error"
	case EventResync:
		return "resync"
	}
	return "unknown"
}

// Event is one live event of a [Subscription].
type Event struct {
	Kind EventKind
	// VehicleID is the provider's vehicle id ("" for stream-level events).
	VehicleID string
	// Position is the fix of a position or resync event and the last fix of an offline
	// event (zero when the provider sent none).
	Position Position
	// Time is the provider's time of the event: the fix time of a position, the time of
	// an offline event.
	Time time.Time
	// Code and Message describe an error event.
	Code, Message string
	// Raw is the frame as received (nil for resync events). It must not be modified.
	Raw json.RawMessage
}

// ConnState is the state of the upstream connection behind a [Subscription].
type ConnState uint8

// The connection states.
const (
	StateConnecting ConnState = iota
	StateConnected
	StateReconnecting
	StateClosed
)

// String names the state ("connecting", "connected", "reconnecting", "closed").
func (s ConnState) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateReconnecting:
		return "reconnecting"
	}
	return "closed"
}

// StreamState describes the upstream connection at one moment; it is a value, safe to
// keep.
type StreamState struct {
	Conn ConnState
	// Since is when Conn was entered.
	Since time.Time
	// LastMessage is when the last frame (heartbeats included) arrived.
	LastMessage time.Time
	// Reconnects counts the connections established after the first.
	Reconnects int
	// LastError is why the last connection or attempt ended (nil when none did).
	LastError error
	// Unknown counts frames passed on as unknown events (undecodable or of an unknown
	// type); Oversized counts frames over the read limit (each ends its connection);
	// Stale counts positions not published because they were not newer than the last
	// known one of their vehicle.
	Unknown, Oversized, Stale uint64
}

// Overflow is what a subscription does with an event when its buffer is full.
type Overflow uint8

// The overflow policies.
const (
	// DropOldest discards the oldest buffered event to make room (the default: the
	// newest fix matters most).
	DropOldest Overflow = iota
	// DropNewest discards the event that does not fit.
	DropNewest
	// Block waits up to the block timeout for the subscriber to make room, counted
	// from when the event was published, and drops (counted in Dropped) only an event
	// that could not be delivered within it. The wait happens in a delivery goroutine
	// of the subscriber's own, behind a queue that holds what is published within one
	// timeout, so the publisher and the other subscribers are never delayed.
	Block
	// Disconnect ends the subscription with ErrSlowSubscriber.
	Disconnect
)

// String names the policy.
func (o Overflow) String() string {
	switch o {
	case DropOldest:
		return "drop-oldest"
	case DropNewest:
		return "drop-newest"
	case Block:
		return "block"
	}
	return "disconnect"
}

// Defaults of a subscription.
const (
	DefaultSubscriptionBuffer = 256
	DefaultBlockTimeout       = time.Second
)

// ErrSlowSubscriber ends a subscription with the Disconnect policy whose buffer
// overflowed.
var ErrSlowSubscriber = errors.New("telematics: subscriber too slow, disconnected")

// SubscribeConfig is the configuration SubscribeOptions build; providers read it.
type SubscribeConfig struct {
	Buffer       int
	Overflow     Overflow
	BlockTimeout time.Duration
	// Events and Positions say which channels are fed (both by default).
	Events, Positions bool
	// Provider holds the provider-specific settings of a provider's own options (for
	// example mycartracks.WithHeartbeatInterval); only that provider reads them.
	Provider []any
}

// SubscribeOption configures a subscription.
type SubscribeOption func(*SubscribeConfig)

// WithBuffer sets how many events each channel of the subscription holds (default
// DefaultSubscriptionBuffer).
func WithBuffer(n int) SubscribeOption { return func(c *SubscribeConfig) { c.Buffer = n } }

// WithOverflow sets the overflow policy (default DropOldest).
func WithOverflow(o Overflow) SubscribeOption { return func(c *SubscribeConfig) { c.Overflow = o } }

// WithBlockTimeout sets the Block policy with the longest an event waits for room,
// counted from its publication, before it is dropped and counted in Dropped (default
// DefaultBlockTimeout). The wait never delays the other subscribers.
func WithBlockTimeout(d time.Duration) SubscribeOption {
	return func(c *SubscribeConfig) { c.Overflow, c.BlockTimeout = Block, d }
}

// EventsOnly feeds only Events: Positions returns nil, and no drop is counted for a
// channel the program does not read.
func EventsOnly() SubscribeOption {
	return func(c *SubscribeConfig) { c.Events, c.Positions = true, false }
}

// PositionsOnly feeds only Positions: Events returns nil.
func PositionsOnly() SubscribeOption {
	return func(c *SubscribeConfig) { c.Events, c.Positions = false, true }
}

// NewSubscribeConfig applies opts to the defaults.
func NewSubscribeConfig(opts ...SubscribeOption) SubscribeConfig {
	c := SubscribeConfig{Buffer: DefaultSubscriptionBuffer, Overflow: DropOldest, BlockTimeout: DefaultBlockTimeout, Events: true, Positions: true}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.Buffer < 1 {
		c.Buffer = 1
	}
	if c.BlockTimeout <= 0 {
		c.BlockTimeout = DefaultBlockTimeout
	}
	return c
}

// SubscriptionControl is the streaming core behind a Subscription; providers implement
// it, programs use the Subscription's methods.
type SubscriptionControl interface {
	State() StreamState
	Err() error
	Dropped() uint64
	Close()
}

// Subscription is a live feed of one provider: every live source (the MyCarTracks
// WebSocket stream, Smartcar webhooks and polling) returns it. Its channels are closed,
// exactly once and by the SDK, when the subscription ends: Close, the context given to
// Subscribe ending, the Disconnect policy, or a permanent upstream error; Err then says
// why. It is safe for concurrent use.
type Subscription struct {
	events    <-chan Event
	positions <-chan Position
	states    <-chan StreamState
	ctl       SubscriptionControl
	once      sync.Once
}

// NewSubscription is for providers: it wraps the channels a streaming core feeds.
func NewSubscription(events <-chan Event, positions <-chan Position, states <-chan StreamState, ctl SubscriptionControl) *Subscription {
	return &Subscription{events: events, positions: positions, states: states, ctl: ctl}
}

// Events returns the channel of every event (nil with PositionsOnly).
func (s *Subscription) Events() <-chan Event { return s.events }

// Positions returns the channel of fixes only, live and resync (nil with EventsOnly).
func (s *Subscription) Positions() <-chan Position { return s.positions }

// States returns the channel of connection state changes; when it is full the oldest
// change is dropped (State always has the current one).
func (s *Subscription) States() <-chan StreamState { return s.states }

// State returns the current state of the upstream connection.
func (s *Subscription) State() StreamState { return s.ctl.State() }

// Err returns why the subscription ended: nil while it runs and after Close, the
// context's error, ErrSlowSubscriber, or the upstream's permanent error.
func (s *Subscription) Err() error { return s.ctl.Err() }

// Dropped returns how many events and positions the overflow policy discarded.
func (s *Subscription) Dropped() uint64 { return s.ctl.Dropped() }

// Close ends the subscription and closes its channels; the upstream connection closes
// when its last subscription does. It may be called more than once.
func (s *Subscription) Close() { s.once.Do(s.ctl.Close) }
