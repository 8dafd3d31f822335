package stream

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

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

// Source is a live source that is not a WebSocket stream, such as a poller: a Session
// given one runs it instead of dialling, and it publishes through the Session's Publish,
// SetState and Heard.
type Source interface {
	// Run publishes until ctx ends (then its error is ignored). An error it returns
	// otherwise is permanent: it ends the session and every subscription, whose Err
	// returns it.
	Run(ctx context.Context, s *Session) error
}

// Tracker is a memory of the newest position time per vehicle shared with another
// source of the same vehicles' positions (a webhook receiver beside a poller), so that
// neither publishes a position the other already delivered.
type Tracker interface {
	// Advance records t for vehicleID and reports true when t is newer than what was
	// recorded; it reports false, recording nothing, otherwise.
	Advance(vehicleID string, t time.Time) bool
}

// Config configures a Session. Name and either Provider or Source are required.
type Config struct {
	Provider Provider
	// Source, when set, replaces the WebSocket connection: the session runs it (see
	// Source) and the connection settings below are not used.
	Source Source
	// Tracker, when set, is consulted before a position event is published, after the
	// session's own check that the position is newer than its vehicle's last one; a
	// position it refuses is counted as stale.
	Tracker Tracker
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
		sub.End(err)
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

// Publish hands ev to the subscribers, as the WebSocket session does with a decoded
// frame: a position that is not newer than its vehicle's last known one (or that the
// Tracker refuses) is counted as stale and not published. It reports whether ev was
// published. It is for Sources.
func (s *Session) Publish(ev telematics.Event) bool { return s.publish(&ev) }

// SetState enters conn (StateConnected, StateReconnecting) and records err, when not
// nil, as the state's last error; entering StateConnected from StateReconnecting counts
// a reconnection. It is for Sources.
func (s *Session) SetState(conn telematics.ConnState, err error) {
	s.mu.Lock()
	reconnected := conn == telematics.StateConnected && s.state.Conn == telematics.StateReconnecting
	s.mu.Unlock()
	s.setState(conn, err, reconnected)
}

// Heard records that the source heard from the provider now (StreamState.LastMessage).
// It is for Sources.
func (s *Session) Heard() { s.lastMsg.Store(s.cfg.Clock.Now().UnixNano()) }

// Clock returns the session's clock.
func (s *Session) Clock() telematics.Clock { return s.cfg.Clock }

// publish hands an event to the hubs, never publishing a position that is not newer
// than the last known one of its vehicle.
func (s *Session) publish(ev *telematics.Event) bool {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	switch ev.Kind {
	case telematics.EventPosition:
		if k, ok := s.known[ev.VehicleID]; ok && !ev.Position.Time.After(k.Time) {
			s.stale.Add(1)
			return false
		}
		if s.cfg.Tracker != nil && !s.cfg.Tracker.Advance(ev.VehicleID, ev.Position.Time) {
			s.stale.Add(1)
			return false
		}
		s.known[ev.VehicleID] = ev.Position
		s.events.Publish(*ev)
		s.positions.Publish(ev.Position)
		return true
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
	return true
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

// Sessions holds running sessions by key, so that subscriptions with the same key (the
// same vehicles and settings) share one upstream; a session that ended with its last
// subscription is replaced by a new one. The zero value is ready to use; it is safe for
// concurrent use.
type Sessions struct {
	mu     sync.Mutex
	m      map[string]*Session
	closed bool
}

// Subscribe subscribes to the session of key, created with newSession when there is
// none. After Close it returns ErrClosed.
func (r *Sessions) Subscribe(ctx context.Context, key string, sc telematics.SubscribeConfig, newSession func() *Session) (*telematics.Subscription, error) {
	for {
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			return nil, ErrClosed
		}
		if r.m == nil {
			r.m = map[string]*Session{}
		}
		sess := r.m[key]
		if sess == nil {
			sess = newSession()
			r.m[key] = sess
		}
		r.mu.Unlock()
		sub, err := sess.Subscribe(ctx, sc)
		if errors.Is(err, ErrClosed) {
			// The session ended with its last subscriber: start a new one.
			r.mu.Lock()
			if r.m[key] == sess {
				delete(r.m, key)
			}
			r.mu.Unlock()
			continue
		}
		return sub, err
	}
}

// Close ends every session; later Subscribe calls return ErrClosed.
func (r *Sessions) Close() {
	r.mu.Lock()
	r.closed = true
	sessions := r.m
	r.m = nil
	r.mu.Unlock()
	for _, sess := range sessions {
		sess.Close()
	}
}
