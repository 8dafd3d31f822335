package mycartrackstest

import (
	"context"
	"encoding/json"
	"slices"
)

// LiveConnections returns how many live WebSocket connections are open.
func (s *Server) LiveConnections() int {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// StreamsCreated returns how many streams were created.
func (s *Server) StreamsCreated() int {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.created
}

// DropLiveConnections cuts every open live connection without a close frame, as a
// network failure does.
func (s *Server) DropLiveConnections() {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		c.dropOnce.Do(func() { close(c.drop) })
		delete(l.conns, c) // no longer counted, nor sent to
	}
	l.notifyLocked()
}

// SilenceLiveConnections makes every open live connection go silent: no position, no
// heartbeat, until the client gives up on it. New connections are not silent.
func (s *Server) SilenceLiveConnections() {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		c.silent = true
	}
}

// SendLiveFrame sends a raw text frame to every open live connection: a malformed frame,
// an unknown type, a frame over the client's read limit.
func (s *Server) SendLiveFrame(frame []byte) {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	l.broadcastLocked(0, slices.Clone(frame))
}

// SendLiveError sends an error event (for example code "STREAM_EXPIRED") to every open
// live connection and then closes it normally, as an expired stream does.
func (s *Server) SendLiveError(code, message string) {
	frame, _ := json.Marshal(map[string]string{"type": "error", "code": code, "message": message})
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		if c.closing == nil {
			c.closing = frame
			c.dropOnce.Do(func() { close(c.drop) })
		}
	}
}

// RefuseStreams answers the next stream creations with these statuses, one each (401
// invalid_token, 403 forbidden, 5xx); the refused requests count against the budget.
func (s *Server) RefuseStreams(statuses ...int) {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refuseNext = append(l.refuseNext, statuses...)
}

// RefuseAllStreams answers every stream creation with status until it is called with 0.
func (s *Server) RefuseAllStreams(status int) {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refuseAll = status
}

func (l *liveSim) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// WaitLiveConnections waits until exactly n live connections are open (frames sent from
// then on reach them), or ctx ends.
func (s *Server) WaitLiveConnections(ctx context.Context, n int) error {
	l := s.live
	for {
		l.mu.Lock()
		got, changed := len(l.conns), l.changed
		l.mu.Unlock()
		if got == n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// StreamURLs returns the WebSocket URLs of every stream created, credentials included:
// for tests that check a client never shows them.
func (s *Server) StreamURLs() []string {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.urls)
}

// RejectLiveDials refuses the next n WebSocket handshakes with 401, valid URL or not.
func (s *Server) RejectLiveDials(n int) {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rejectDials += n
}
