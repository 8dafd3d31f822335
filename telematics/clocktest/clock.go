// Package clocktest provides a telematics.Clock for tests that must not sleep.
//
// Give the same *Clock to a fake server (mycartrackstest.WithClock,
// smartcartest.WithClock) and to the client under test (mycartracks.WithClock,
// smartcar.WithClock): when the client waits for a rate-limit window to reset or backs
// off before a retry, Sleep advances the shared time at once, so the fake sees the window
// pass and the test runs at full speed with no real sleep.
//
//	clock := clocktest.New(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
//	srv := mycartrackstest.NewServer(mycartrackstest.WithClock(clock))
//	client, _ := mycartracks.NewClient(srv.ClientID, srv.ClientSecret,
//		mycartracks.WithBaseURL(srv.BaseURL), mycartracks.WithTokenURL(srv.TokenURL),
//		mycartracks.WithClock(clock))
//
// (srv.NewClient() does the same: the fake's client options include its clock.)
package clocktest

import (
	"context"
	"sync"
	"time"
)

// Clock is a manual clock. Sleep does not block: it advances the clock by the duration
// asked for and returns, so code that waits for a rate-limit window or a backoff runs at
// full speed while every component that shares the clock (a fake server's budget window,
// a token's expiry) sees the time pass. Safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	timers []*timer // pending AfterFunc calls (timers.go)
}

// New returns a clock set to start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the clock by d (when d > 0) and records d, unless ctx is already done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	if d > 0 {
		c.now = c.now.Add(d)
	}
	c.fireLocked()
	return nil
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.fireLocked()
}

// Sleeps returns the durations Sleep was called with, in order.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Slept returns the sum of all sleeps.
func (c *Clock) Slept() time.Duration {
	var total time.Duration
	for _, d := range c.Sleeps() {
		total += d
	}
	return total
}
