package fakeapi

import (
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
)

// Stats counts what a fake server did.
type Stats struct {
	// Requests counts API requests, whatever their outcome.
	Requests int
	// Unauthorized counts API requests refused with 401.
	Unauthorized int
	// RateLimited counts API requests refused for a rate limit (which ones each fake
	// says in its Stats).
	RateLimited int
	// Faults counts injected faults.
	Faults int
	// TokenRequests counts requests to the token endpoint, successful or not; Grants
	// counts the tokens it issued.
	TokenRequests, Grants int
}

// Ticket is what Log.Add gave a request: its number, its request id and its time.
type Ticket struct {
	N    int64
	ID   string
	Time time.Time
}

// Log is a fake's request log of entries E, with its counters. Its methods are safe for
// concurrent use.
type Log[E any] struct {
	clone func(E) E
	route func(E) (method, path string)

	mu      sync.Mutex
	seq     int64
	entries []numbered[E]
	stats   Stats
}

type numbered[E any] struct {
	n int64
	e E
}

// NewLog returns an empty log. clone copies an entry, so that a caller of Requests
// shares nothing with the log; route returns an entry's method and path, for
// CountRequests.
func NewLog[E any](clone func(E) E, route func(E) (method, path string)) *Log[E] {
	return &Log[E]{clone: clone, route: route}
}

// Add numbers a request, reads now for its time, and logs the entry that entry builds
// from the ticket, all in one step: the log is in the order of the numbers and of the
// times read. It counts the request in Stats.Requests.
func (l *Log[E]) Add(now func() time.Time, entry func(Ticket) E) Ticket {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	t := Ticket{N: l.seq, ID: RequestID(l.seq), Time: now()}
	l.entries = append(l.entries, numbered[E]{t.N, entry(t)})
	l.stats.Requests++
	return t
}

// Update changes the entry of request n, if it is still in the log (ResetRequests may
// have emptied it).
func (l *Log[E]) Update(n int64, f func(*E)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.entries) - 1; i >= 0; i-- {
		if l.entries[i].n == n {
			f(&l.entries[i].e)
			return
		}
	}
}

// Tally changes the counters.
func (l *Log[E]) Tally(f func(*Stats)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(&l.stats)
}

// Requests returns copies of the logged entries, oldest first.
func (l *Log[E]) Requests() []E {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]E, len(l.entries))
	for i, e := range l.entries {
		out[i] = l.clone(e.e)
	}
	return out
}

// CountRequests returns how many logged entries have this method and path ("" matches
// any).
func (l *Log[E]) CountRequests(method, path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.entries {
		m, p := l.route(e.e)
		if (method == "" || m == method) && (path == "" || p == path) {
			n++
		}
	}
	return n
}

// ResetRequests empties the log; the counters and the request numbers go on.
func (l *Log[E]) ResetRequests() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
}

// Stats returns the counters, with the token endpoint's from oauth.
func (l *Log[E]) Stats(oauth *fakeoauth.Server) Stats {
	l.mu.Lock()
	st := l.stats
	l.mu.Unlock()
	st.TokenRequests, st.Grants = oauth.Requests(), oauth.Grants()
	return st
}
