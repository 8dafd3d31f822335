package smartcartest

import (
	"net/http"
	"net/url"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/fakeapi"
)

// RequestID returns the SC-Request-Id the server gives its n-th API request (from 1):
// a UUID, the form of the ids in Smartcar's examples ([C]), counting so that tests can
// predict it ("00000000-0000-4000-8000-000000000001"), as mycartrackstest.RequestID.
func RequestID(n int) string { return fakeapi.RequestID(int64(n)) }

// LoggedRequest is one API request the server received, for assertions.
type LoggedRequest struct {
	// ID is the SC-Request-Id the server answered with (see RequestID).
	ID string
	// Time is when the request arrived, on the server's clock.
	Time   time.Time
	Method string
	// API is "vehicle" or "management"; "" for a path under neither.
	API string
	// Path is relative to the API root ("/vehicles/{id}/signals"), without a trailing
	// slash; a path under neither API is kept whole.
	Path  string
	Query url.Values
	// Header holds the request headers, Authorization removed.
	Header http.Header
	// UserID is the sc-user-id header.
	UserID string
	// UnitSystem is the SC-Unit-System header.
	UnitSystem string
	UserAgent  string
	// Authorized reports whether the request carried a valid token.
	Authorized bool
	// Body is the request body (at most 1 MiB of it).
	Body []byte
	// Status is the status the server answered; 0 for a dropped connection and while
	// the request is being served.
	Status int
}

// Stats counts what the server did: API requests, those refused with 401, those
// answered 429 (the application bucket, a vehicle's limit or an injected fault:
// RateLimited), injected faults (FailNext), token requests and the tokens granted.
// mycartrackstest.Stats is the same type.
type Stats = fakeapi.Stats

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

// answered notes the status of logged request n and counts it.
func (s *Server) answered(n int64, status int) {
	s.log.Tally(func(st *fakeapi.Stats) {
		switch status {
		case http.StatusUnauthorized:
			st.Unauthorized++
		case http.StatusTooManyRequests:
			st.RateLimited++
		}
	})
	s.log.Update(n, func(e *LoggedRequest) { e.Status = status })
}

// clone returns a copy of r that shares nothing with it.
func (r LoggedRequest) clone() LoggedRequest {
	c := r
	c.Query, c.Header, c.Body = fakeapi.CloneRequest(r.Query, r.Header, r.Body)
	return c
}

func (r LoggedRequest) route() (method, path string) { return r.Method, r.Path }
