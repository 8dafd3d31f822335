package httpcore

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Limiter paces requests on the client side with a token bucket (a provider's published
// budget). One Limiter may serve several Clients, as a provider with two APIs under one
// budget needs. It reads the clock and takes a token under one lock: a *rate.Limiter
// given times out of order counts the time between them twice, which a clock that
// jumps ahead during another request's wait (telematics/clocktest) would provoke.
type Limiter struct {
	mu  sync.Mutex
	lim *rate.Limiter
}

// limiters holds the one Limiter of each *rate.Limiter, so that clients built apart
// around one bucket (two APIs, two clients of one application) share its lock too.
var limiters sync.Map // *rate.Limiter → *Limiter

// NewLimiter returns the Limiter of lim: the same one for the same lim. Its tokens are
// taken at the Clock's time of the Client using it.
func NewLimiter(lim *rate.Limiter) *Limiter {
	if lim == nil {
		return nil
	}
	l, _ := limiters.LoadOrStore(lim, &Limiter{lim: lim})
	return l.(*Limiter)
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
