package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/coder/websocket"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// resync fetches the last positions and publishes them as resync events. With
// onlyNewer, a vehicle whose known position is as new is left out: the first
// connection's resync follows the snapshot taken just before it, and repeating every
// vehicle would hand each subscriber its initial positions twice.
func (s *Session) resync(ctx context.Context, onlyNewer bool) error {
	ps, err := s.cfg.Provider.LastPositions(ctx)
	if err != nil {
		return fmt.Errorf("%s: live stream: resync: %w", s.cfg.Name, err)
	}
	for i := range ps {
		if onlyNewer && !s.newer(ps[i]) {
			continue
		}
		ev := telematics.Event{Kind: telematics.EventResync, VehicleID: ps[i].VehicleID, Position: ps[i], Time: ps[i].Time}
		s.publish(&ev)
	}
	return nil
}

// newer reports whether p is newer than the known position of its vehicle, or the
// vehicle has none.
func (s *Session) newer(p telematics.Position) bool {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	k, ok := s.known[p.VehicleID]
	return !ok || p.Time.After(k.Time)
}

type backoffClock struct{ c telematics.Clock }

func (b backoffClock) Now() time.Time { return b.c.Now() }

// run is the reconnect loop: snapshot, then connect, read, and reconnect with backoff
// until ctx ends or an error is permanent.
func (s *Session) run(ctx context.Context) {
	var err error
	if s.cfg.Source != nil {
		if err = s.cfg.Source.Run(ctx, s); ctx.Err() != nil {
			err = nil
		}
	} else {
		err = s.loop(ctx)
	}
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
			sub.End(err)
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

	if err := s.resync(ctx, false); err != nil {
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
	if err := s.resync(ctx, !reconnect); err != nil {
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
