package ratelimit

import (
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// sameWindow is how far two reset times may differ and still describe one window: providers
// send the reset in whole seconds counted from when each response left them.
const sameWindow = 2 * time.Second

// Margin is added to a wait for a window to reset, so that a request is not sent a moment
// before the provider's own clock turns over.
const Margin = time.Second

// Pacer keeps the last known budget of one client and tells each request whether it can
// be sent now. It is safe for concurrent use.
type Pacer struct {
	mu   sync.Mutex
	rate telematics.Rate
}

// NewPacer returns a Pacer that knows no budget yet.
func NewPacer() *Pacer { return &Pacer{rate: telematics.UnknownRate} }

// Rate returns the last known budget.
func (p *Pacer) Rate() telematics.Rate {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

// Observe records the budget a response reported. Within one window the lower remaining
// count wins, since responses of concurrent requests arrive out of order.
func (p *Pacer) Observe(r telematics.Rate) {
	if !r.Known() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.rate
	if cur.Remaining >= 0 && r.Remaining >= 0 && !cur.Reset.IsZero() && !r.Reset.IsZero() {
		if d := cur.Reset.Sub(r.Reset); d < sameWindow && d > -sameWindow && cur.Remaining < r.Remaining {
			r.Remaining = cur.Remaining
		}
	}
	p.rate = r
}

// Reserve takes one request from the known budget at now. It returns zero when the request
// may be sent, or how long to wait for the window to reset when the budget is spent.
// An unknown budget never makes a request wait.
func (p *Pacer) Reserve(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &p.rate
	if r.Remaining < 0 || r.Reset.IsZero() {
		return 0
	}
	if !now.Before(r.Reset) {
		// The window is over; the next response tells the new budget.
		r.Remaining, r.Reset = -1, time.Time{}
		return 0
	}
	if r.Remaining > 0 {
		r.Remaining--
		return 0
	}
	return r.Reset.Sub(now) + Margin
}
