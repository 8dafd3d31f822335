package stream

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/coder/websocket"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Defaults of a Config.
const (
	// DefaultReadLimit bounds one frame (coder/websocket's own default is 32 KiB).
	DefaultReadLimit = 1 << 20
	// DefaultHeartbeat is the provider's heartbeat interval assumed when none is given.
	DefaultHeartbeat = 15 * time.Second
	// DefaultLiveness is how many heartbeat intervals of silence make a connection dead.
	DefaultLiveness       = 3
	DefaultInitialBackoff = 500 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	// DefaultHealthyAfter is how long a connection must last for the backoff to start
	// over after it ends.
	DefaultHealthyAfter = time.Minute
	// DefaultDialTimeout bounds one WebSocket handshake.
	DefaultDialTimeout = 30 * time.Second
	stateBuffer        = 16
)

// Stream is a stream the provider created: a WebSocket URL that carries its own
// short-lived credential.
type Stream struct {
	URL       string
	ExpiresAt time.Time
}

// Provider is what a provider supplies to a Session.
type Provider interface {
	// CreateStream creates a new stream through the provider's REST request loop (its
	// budget, pacing and token refresh). A stream URL may be single-use, so it is called
	// before every connection.
	CreateStream(ctx context.Context) (Stream, error)
	// LastPositions fetches the last known positions over REST.
	LastPositions(ctx context.Context) ([]telematics.Position, error)
	// Decode decodes one frame into ev. It reports heartbeat for a keep-alive frame;
	// an error or an ev.Kind of EventUnknown passes the frame on as an unknown event.
	Decode(frame []byte, ev *telematics.Event) (heartbeat bool, err error)
}

// Config configures a Session. Provider and Name are required.
type Config struct {
	Provider Provider
	// Name names the provider in errors and logs.
	Name string
	// HTTPClient dials the WebSocket (default http.DefaultClient); it must have no
	// Timeout (coder/websocket refuses one).
	HTTPClient *http.Client
	Clock      telematics.Clock
	Logger     *slog.Logger
	// ReadLimit bounds one frame (default DefaultReadLimit; -1: no limit).
	ReadLimit int64
	// Heartbeat is the provider's heartbeat interval; a connection with no frame for
	// Liveness intervals is dead.
	Heartbeat time.Duration
	Liveness  int
	// InitialBackoff and MaxBackoff bound the jittered exponential backoff between
	// connection attempts; HealthyAfter is how long a connection must last for the
	// backoff to start over.
	InitialBackoff, MaxBackoff, HealthyAfter time.Duration
	DialTimeout                              time.Duration
	// Permanent reports errors that end the session instead of a reconnection (default:
	// unauthorized, forbidden but not rate limited, invalid input).
	Permanent func(error) bool
	// RedactURL formats a stream URL for logs and errors without its credential.
	RedactURL func(string) string
}

// ErrClosed is the error of Subscribe on a closed session.
var ErrClosed = errors.New("stream: session closed")

// Session is one upstream connection shared by many subscriptions: it starts with the
// first Subscribe and ends when the last subscription ends, on Close, or on a permanent
// error.
type Session struct {
	cfg       Config
	events    *Hub[telematics.Event]
	positions *Hub[telematics.Position]
	states    *Hub[telematics.StreamState]

	// pubMu orders publishing and joining, and guards known.
	pubMu sync.Mutex
	known map[string]telematics.Position

	mu       sync.Mutex // guards the fields below
	state    telematics.StreamState
	subs     map[*subscription]struct{}
	started  bool
	closed   bool
	cancel   context.CancelFunc
	done     chan struct{}
	finalErr error

	lastMsg                   atomic.Int64 // UnixNano on cfg.Clock
	unknown, oversized, stale atomic.Uint64
}

// NewSession returns a session; it connects on the first Subscribe.
func NewSession(cfg Config) *Session {
	if cfg.Clock == nil {
		cfg.Clock = telematics.SystemClock
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.ReadLimit == 0 {
		cfg.ReadLimit = DefaultReadLimit
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.Liveness <= 0 {
		cfg.Liveness = DefaultLiveness
	}
	if cfg.InitialBackoff <= 0 {
		cfg.InitialBackoff = DefaultInitialBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.HealthyAfter <= 0 {
		cfg.HealthyAfter = DefaultHealthyAfter
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.Permanent == nil {
		cfg.Permanent = DefaultPermanent
	}
	if cfg.RedactURL == nil {
		cfg.RedactURL = func(string) string { return "REDACTED" }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(discard{})
	}
	return &Session{
		cfg:       cfg,
		events:    NewHub[telematics.Event](cfg.Clock),
		positions: NewHub[telematics.Position](cfg.Clock),
		states:    NewHub[telematics.StreamState](cfg.Clock),
		known:     make(map[string]telematics.Position),
		subs:      make(map[*subscription]struct{}),
		state:     telematics.StreamState{Conn: telematics.StateConnecting, Since: cfg.Clock.Now()},
		done:      make(chan struct{}),
	}
}

// DefaultPermanent reports the errors no reconnection can cure: refused credentials,
// a missing permission, an invalid request.
func DefaultPermanent(err error) bool {
	if errors.Is(err, telematics.ErrRateLimited) {
		return false
	}
	return errors.Is(err, telematics.ErrUnauthorized) || errors.Is(err, telematics.ErrForbidden) || errors.Is(err, telematics.ErrInvalidInput)
}

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

// Close ends the session and every subscription (their Err stays nil) and waits for
// its goroutines. It may be called more than once.
func (s *Session) Close() {
	s.shutdown(nil)
}

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

func (s *Session) shutdown(err error) {
	s.mu.Lock()
	s.closed = true
	subs := make([]*subscription, 0, len(s.subs))
	for sub := range s.subs {
		subs = append(subs, sub)
	}
	cancel, started := s.cancel, s.started
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if started {
		<-s.done
	}
	for _, sub := range subs {
		sub.end(err)
	}
}

// State returns the current connection state.
func (s *Session) State() telematics.StreamState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stateLocked()
}

func (s *Session) stateLocked() telematics.StreamState {
	st := s.state
	if ns := s.lastMsg.Load(); ns != 0 {
		st.LastMessage = time.Unix(0, ns).UTC()
	}
	st.Unknown, st.Oversized, st.Stale = s.unknown.Load(), s.oversized.Load(), s.stale.Load()
	return st
}

// setState enters conn, records err as the last error when not nil, and publishes the
// state.
func (s *Session) setState(conn telematics.ConnState, err error, reconnected bool) {
	s.mu.Lock()
	if s.state.Conn != conn {
		s.state.Since = s.cfg.Clock.Now()
	}
	s.state.Conn = conn
	if err != nil {
		s.state.LastError = err
	}
	if reconnected {
		s.state.Reconnects++
	}
	st := s.stateLocked()
	s.mu.Unlock()
	s.cfg.Logger.Debug("live stream state", "provider", s.cfg.Name, "state", conn.String(), "reconnects", st.Reconnects, "error", errString(err))
	s.states.Publish(st)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// publish hands an event to the hubs, never publishing a position that is not newer
// than the last known one of its vehicle.
func (s *Session) publish(ev *telematics.Event) {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	switch ev.Kind {
	case telematics.EventPosition:
		if k, ok := s.known[ev.VehicleID]; ok && !ev.Position.Time.After(k.Time) {
			s.stale.Add(1)
			return
		}
		s.known[ev.VehicleID] = ev.Position
		s.events.Publish(*ev)
		s.positions.Publish(ev.Position)
	case telematics.EventResync:
		if k, ok := s.known[ev.VehicleID]; ok && !ev.Position.Time.After(k.Time) {
			ev.Position, ev.Time = k, k.Time
		} else {
			s.known[ev.VehicleID] = ev.Position
		}
		s.events.Publish(*ev)
		s.positions.Publish(ev.Position)
	default:
		s.events.Publish(*ev)
	}
}

// Known returns the last known position of every vehicle, by vehicle id.
func (s *Session) Known() map[string]telematics.Position {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	out := make(map[string]telematics.Position, len(s.known))
	for k, v := range s.known {
		out[k] = v
	}
	return out
}

// resync fetches the last positions and publishes them as resync events.
func (s *Session) resync(ctx context.Context) error {
	ps, err := s.cfg.Provider.LastPositions(ctx)
	if err != nil {
		return fmt.Errorf("%s: live stream: resync: %w", s.cfg.Name, err)
	}
	for i := range ps {
		ev := telematics.Event{Kind: telematics.EventResync, VehicleID: ps[i].VehicleID, Position: ps[i], Time: ps[i].Time}
		s.publish(&ev)
	}
	return nil
}

type backoffClock struct{ c telematics.Clock }

func (b backoffClock) Now() time.Time { return b.c.Now() }

// run is the reconnect loop: snapshot, then connect, read, and reconnect with backoff
// until ctx ends or an error is permanent.
func (s *Session) run(ctx context.Context) {
	err := s.loop(ctx)
	s.setState(telematics.StateClosed, err, false)
	s.mu.Lock()
	s.finalErr = err
	subs := make([]*subscription, 0, len(s.subs))
	for sub := range s.subs {
		subs = append(subs, sub)
	}
	s.closed = true
	s.mu.Unlock()
	if err != nil {
		// Err is set before the channels close.
		for _, sub := range subs {
			sub.end(err)
		}
	}
	s.events.Close()
	s.positions.Close()
	s.states.Close()
	close(s.done)
}

// Err returns the permanent error that ended the session, if any.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finalErr
}

func (s *Session) loop(ctx context.Context) error {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = s.cfg.InitialBackoff
	bo.MaxInterval = s.cfg.MaxBackoff
	bo.Multiplier = 2
	bo.RandomizationFactor = 0.5
	bo.MaxElapsedTime = 0
	bo.Clock = backoffClock{s.cfg.Clock}
	bo.Reset()

	if err := s.resync(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		if s.cfg.Permanent(err) {
			return err
		}
		s.setState(telematics.StateConnecting, err, false)
	}
	connectedBefore := false
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return nil
		}
		if attempt > 0 {
			wait := bo.NextBackOff()
			var rl *telematics.RateLimitError
			if st := s.State(); errors.As(st.LastError, &rl) {
				wait = max(wait, rl.RetryAfter, rl.ResetAt.Sub(s.cfg.Clock.Now()))
			}
			if s.cfg.Clock.Sleep(ctx, wait) != nil {
				return nil
			}
		}
		connected, healthy, err := s.connect(ctx, connectedBefore)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && s.cfg.Permanent(err) {
			return err
		}
		connectedBefore = connectedBefore || connected
		if healthy {
			bo.Reset()
		}
		next := telematics.StateReconnecting
		if !connectedBefore {
			next = telematics.StateConnecting
		}
		s.cfg.Logger.Info("live stream connection ended", "provider", s.cfg.Name, "error", errString(err))
		s.setState(next, err, false)
	}
}

// connect creates a stream, dials it, resyncs and reads until the connection ends.
func (s *Session) connect(ctx context.Context, reconnect bool) (connected, healthy bool, err error) {
	st, err := s.cfg.Provider.CreateStream(ctx)
	if err != nil {
		return false, false, fmt.Errorf("%s: live stream: create: %w", s.cfg.Name, err)
	}
	dialCtx, cancel := context.WithTimeout(ctx, s.cfg.DialTimeout)
	conn, resp, err := websocket.Dial(dialCtx, st.URL, &websocket.DialOptions{HTTPClient: s.cfg.HTTPClient})
	cancel()
	if err != nil {
		return false, false, s.dialError(st.URL, resp, err)
	}
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	defer conn.CloseNow()
	conn.SetReadLimit(s.cfg.ReadLimit)
	now := s.cfg.Clock.Now()
	s.lastMsg.Store(now.UnixNano())
	// Resync once the connection is up, so that nothing that moves from now on is
	// missed; frames queue meanwhile and are read after it. Connected is published once
	// the markers are fresh.
	if err := s.resync(ctx); err != nil {
		if ctx.Err() != nil || s.cfg.Permanent(err) {
			return false, false, err
		}
		s.cfg.Logger.Warn("live stream resync failed", "provider", s.cfg.Name, "error", err.Error())
	}
	s.setState(telematics.StateConnected, nil, reconnect)
	s.cfg.Logger.Info("live stream connected", "provider", s.cfg.Name, "url", s.cfg.RedactURL(st.URL))
	err = s.read(ctx, conn)
	return true, s.cfg.Clock.Now().Sub(now) >= s.cfg.HealthyAfter, err
}

// dialError describes a failed handshake without the stream URL's credential.
func (s *Session) dialError(u string, resp *http.Response, err error) error {
	status := 0
	if resp != nil {
		status = resp.StatusCode
		if resp.Body != nil {
			resp.Body.Close()
		}
	}
	msg := redactText(err.Error(), u, s.cfg.RedactURL(u))
	if status != 0 {
		return &DialError{Provider: s.cfg.Name, URL: s.cfg.RedactURL(u), StatusCode: status, msg: msg}
	}
	return &DialError{Provider: s.cfg.Name, URL: s.cfg.RedactURL(u), msg: msg}
}

// DialError is a failed WebSocket handshake. It never holds the stream URL's credential.
type DialError struct {
	Provider   string
	URL        string // redacted
	StatusCode int    // 0 when the server did not answer
	msg        string
}

func (e *DialError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("%s: live stream: dial %s: status %d: %s", e.Provider, e.URL, e.StatusCode, e.msg)
	}
	return fmt.Sprintf("%s: live stream: dial %s: %s", e.Provider, e.URL, e.msg)
}

// Errors that end one connection.
var (
	// ErrSilent: no frame arrived within the liveness timeout.
	ErrSilent = errors.New("stream: no frame or heartbeat within the liveness timeout")
	// ErrOversized: a frame exceeded the read limit.
	ErrOversized = errors.New("stream: frame over the read limit")
)

// StreamError is an error event the provider sent; the connection ends with it.
type StreamError struct {
	Provider, Code, Message string
}

func (e *StreamError) Error() string {
	return fmt.Sprintf("%s: live stream: error event %s: %s", e.Provider, e.Code, e.Message)
}

// read runs the read loop and the liveness watchdog of one connection.
func (s *Session) read(ctx context.Context, conn *websocket.Conn) error {
	readCtx, cancelRead := context.WithCancelCause(context.Background())
	defer cancelRead(nil)
	clock := s.cfg.Clock
	timeout := s.cfg.Heartbeat * time.Duration(s.cfg.Liveness)

	var wdMu sync.Mutex
	var wdStop func() bool
	wdDone := false
	var arm func(time.Duration)
	check := func() {
		if readCtx.Err() != nil {
			return
		}
		idle := clock.Now().Sub(time.Unix(0, s.lastMsg.Load()))
		if idle >= timeout {
			cancelRead(ErrSilent)
			return
		}
		arm(timeout - idle)
	}
	arm = func(d time.Duration) {
		wdMu.Lock()
		defer wdMu.Unlock()
		if !wdDone {
			wdStop = telematics.AfterFunc(clock, d, check)
		}
	}
	arm(timeout - clock.Now().Sub(time.Unix(0, s.lastMsg.Load())))
	defer func() {
		wdMu.Lock()
		wdDone = true
		if wdStop != nil {
			wdStop()
		}
		wdMu.Unlock()
	}()

	// Ending the session closes the connection with a close handshake, which the read
	// below completes.
	var wg sync.WaitGroup
	ended := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
			_ = conn.Close(websocket.StatusNormalClosure, "client closing")
			cancelRead(ctx.Err())
		case <-ended:
		}
	}()
	defer wg.Wait()
	defer close(ended)

	var ev telematics.Event // reused: Decode fills it and publish copies it
	for {
		_, data, err := conn.Read(readCtx)
		if err != nil {
			if cause := context.Cause(readCtx); cause != nil {
				return cause
			}
			if errors.Is(err, websocket.ErrMessageTooBig) {
				s.oversized.Add(1)
				return fmt.Errorf("%w (%d bytes)", ErrOversized, s.cfg.ReadLimit)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%s: live stream: connection lost: %s", s.cfg.Name, redactText(err.Error(), "", ""))
		}
		s.lastMsg.Store(clock.Now().UnixNano())
		ev = telematics.Event{}
		heartbeat, derr := s.cfg.Provider.Decode(data, &ev)
		if heartbeat {
			continue
		}
		if derr != nil || ev.Kind == telematics.EventUnknown {
			s.unknown.Add(1)
			ev = telematics.Event{Kind: telematics.EventUnknown, Raw: data}
		}
		s.publish(&ev)
		if ev.Kind == telematics.EventError {
			return &StreamError{Provider: s.cfg.Name, Code: ev.Code, Message: ev.Message}
		}
	}
}

type discard struct{}

func (discard) Enabled(context.Context, slog.Level) bool  { return false }
func (discard) Handle(context.Context, slog.Record) error { return nil }
func (d discard) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discard) WithGroup(string) slog.Handler           { return d }
