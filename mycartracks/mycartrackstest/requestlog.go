package mycartrackstest

import (
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// LoggedRequest is one API request the server received, for assertions.
type LoggedRequest struct {
	// ID is the X-Request-Id the server answered with.
	ID string
	// Time is when the request arrived, on the server's clock.
	Time   time.Time
	Method string
	// Path is relative to Server.URL ("/tracks2", "/trackpoints/700001").
	Path  string
	Query url.Values
	// Header holds the request headers, Authorization removed.
	Header http.Header
	// Body is the request body (at most 1 MiB of it).
	Body []byte
	// Scopes are those of the presented token; nil when it was refused.
	Scopes []string
	// Status is the status the server answered (or began to, for FaultDropped).
	Status int
	// Fault is the fault injected into the response, NoFault for most.
	Fault FaultKind
}

// Stats counts what the server did.
type Stats struct {
	// Requests counts API requests, whatever their outcome.
	Requests int
	// Unauthorized counts API requests refused with 401.
	Unauthorized int
	// RateLimited counts API requests refused because the budget was spent.
	RateLimited int
	// Faults counts injected faults (server errors, dropped connections, malformed
	// bodies).
	Faults int
	// TokenRequests counts requests to the token endpoint, successful or not; Grants
	// counts the tokens it issued.
	TokenRequests, Grants int
}

type requestLog struct {
	mu      sync.Mutex
	entries []LoggedRequest
	stats   Stats
}

func (l *requestLog) add(e LoggedRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
	l.stats.Requests++
	switch {
	case e.Status == http.StatusUnauthorized:
		l.stats.Unauthorized++
	case e.Fault != NoFault:
		l.stats.Faults++
	}
}

func (l *requestLog) rateLimited() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.RateLimited++
}

// clone returns a copy of e that shares nothing with it.
func (e LoggedRequest) clone() LoggedRequest {
	c := e
	c.Query = make(url.Values, len(e.Query))
	for k, v := range e.Query {
		c.Query[k] = slices.Clone(v)
	}
	c.Header = e.Header.Clone()
	c.Body = slices.Clone(e.Body)
	c.Scopes = slices.Clone(e.Scopes)
	return c
}

// Requests returns the API requests received since the start or the last
// ResetRequests, oldest first, as copies. Token requests are not included (see Stats).
func (s *Server) Requests() []LoggedRequest {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]LoggedRequest, len(s.log.entries))
	for i, e := range s.log.entries {
		out[i] = e.clone()
	}
	return out
}

// ResetRequests empties the request log. Stats keep counting.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.entries = nil
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	s.log.mu.Lock()
	st := s.log.stats
	s.log.mu.Unlock()
	st.TokenRequests, st.Grants = s.oauth.Requests(), s.oauth.Grants()
	return st
}
