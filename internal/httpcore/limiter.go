package httpcore

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Limiter paces requests on the client side with a token bucket (a provider's published
// budget). One bucket may serve several Clients, as a provider with two APIs under one
// budget needs. It reads the clock and takes a token under one lock: a *rate.Limiter
// given times out of order counts the time between them twice, which a clock that
// jumps ahead during another request's wait (telematics/clocktest) would provoke.
type Limiter struct {
	mu   sync.Mutex
	lim  *rate.Limiter
	refs int // guarded by limiters.mu
}

// limiters holds the Limiter of each *rate.Limiter in use, so that clients built apart
// around one bucket (two APIs, two clients of one application) share its lock too. An
// entry lives while a Client uses it: Client.Close releases it, so that building and
// closing clients leaves nothing behind.
var limiters = struct {
	mu sync.Mutex
	m  map[*rate.Limiter]*Limiter
}{m: map[*rate.Limiter]*Limiter{}}

// NewLimiter returns a Limiter around lim. Clients given Limiters of the same lim share
// one. Its tokens are taken at the Clock's time of the Client using it.
func NewLimiter(lim *rate.Limiter) *Limiter {
	if lim == nil {
		return nil
	}
	return &Limiter{lim: lim}
}

// acquire returns the Limiter every Client pacing with l's bucket shares, counting one
// more Client using it.
func (l *Limiter) acquire() *Limiter {
	limiters.mu.Lock()
	defer limiters.mu.Unlock()
	shared := limiters.m[l.lim]
	if shared == nil {
		shared = l
		limiters.m[l.lim] = l
	}
	shared.refs++
	return shared
}

// release drops a Client's use of l, and l itself with the last one.
func (l *Limiter) release() {
	limiters.mu.Lock()
	defer limiters.mu.Unlock()
	l.refs--
	if l.refs <= 0 && limiters.m[l.lim] == l {
		delete(limiters.m, l.lim)
	}
}

// reserve takes a token at the clock's current time and says how long to wait for it.
func (l *Limiter) reserve(clock telematics.Clock) (r *rate.Reservation, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := clock.Now()
	r = l.lim.ReserveN(now, 1)
	if !r.OK() {
		return r, 0
	}
	return r, r.DelayFrom(now)
}

// cancel gives back a token whose request was not sent.
func (l *Limiter) cancel(r *rate.Reservation, clock telematics.Clock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r.CancelAt(clock.Now())
}
