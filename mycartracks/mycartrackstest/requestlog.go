package mycartrackstest

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/fakeapi"
)

// LoggedRequest is one API request the server received, for assertions.
type LoggedRequest struct {
	// ID is the X-Request-Id the server answered with (see RequestID).
	ID string
	// Time is when the request arrived, on the server's clock.
	Time   time.Time
	Method string
	// Path is relative to Server.BaseURL ("/tracks2", "/trackpoints/700001").
	Path  string
	Query url.Values
	// Header holds the request headers, Authorization removed.
	Header http.Header
	// Body is the request body (at most 1 MiB of it).
	Body []byte
	// Scopes are those of the presented token; nil when it was refused.
	Scopes []string
	// Status is the status the server answered (or began to, for FaultDropped); 0 while
	// the request is being served.
	Status int
	// Fault is the fault injected into the response, NoFault for most.
	Fault FaultKind
}

// Stats counts what the server did: API requests, those refused with 401, those refused
// because the budget was spent (RateLimited: 403 or 429, see WithRateLimitStatus), those
// answered with an injected fault (server errors, dropped connections, malformed
// bodies, scripted faults), token requests and the tokens granted. smartcartest.Stats
// is the same type.
type Stats = fakeapi.Stats

// RequestID returns the X-Request-Id the server gives its n-th API request (from 1): a
// UUID, counting so that tests can predict it ("00000000-0000-4000-8000-000000000001"),
// as smartcartest.RequestID.
func RequestID(n int) string { return fakeapi.RequestID(int64(n)) }

// Requests returns the API requests received since the start or the last ResetRequests,
// oldest first, as copies. Token requests are not included (see Stats).
func (s *Server) Requests() []LoggedRequest { return s.log.Requests() }

// CountRequests returns how many logged API requests had this method and path ("" matches
// any).
func (s *Server) CountRequests(method, path string) int { return s.log.CountRequests(method, path) }

// ResetRequests empties the request log. Stats keep counting.
func (s *Server) ResetRequests() { s.log.ResetRequests() }

// Stats returns the server's counters.
func (s *Server) Stats() Stats { return s.log.Stats(s.oauth) }

// clone returns a copy of e that shares nothing with it.
func (e LoggedRequest) clone() LoggedRequest {
	c := e
	c.Query, c.Header, c.Body = fakeapi.CloneRequest(e.Query, e.Header, e.Body)
	c.Scopes = slices.Clone(e.Scopes)
	return c
}

func (r LoggedRequest) route() (method, path string) { return r.Method, r.Path }
