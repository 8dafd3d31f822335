package clocktest

import (
	"slices"
	"time"
)

// timer is a pending AfterFunc call.
type timer struct {
	at time.Time
	f  func()
}

// AfterFunc calls f in its own goroutine once the clock has been advanced (by Advance
// or Sleep) to d past now; stop cancels the call and reports whether it did. A d ≤ 0
// calls f at once. It makes *Clock a telematics.TimerClock.
func (c *Clock) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	t := &timer{f: f}
	c.mu.Lock()
	t.at = c.now.Add(d)
	c.timers = append(c.timers, t)
	c.fireLocked()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		i := slices.Index(c.timers, t)
		if i < 0 {
			return false
		}
		c.timers = slices.Delete(c.timers, i, i+1)
		return true
	}
}

// Timers returns how many AfterFunc calls are pending.
func (c *Clock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// fireLocked removes the timers that are due and starts their functions; it unlocks
// c.mu.
func (c *Clock) fireLocked() {
	var due []*timer
	c.timers = slices.DeleteFunc(c.timers, func(t *timer) bool {
		if t.at.After(c.now) {
			return false
		}
		due = append(due, t)
		return true
	})
	c.mu.Unlock()
	for _, t := range due {
		go t.f()
	}
}
