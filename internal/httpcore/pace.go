package httpcore

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/ratelimit"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// waitTurn blocks until the client-side limiter and the provider's budget (the shared
// budget's, or the pacer's) allow a request.
func (l *loop) waitTurn(ctx context.Context) error {
	c := l.c
	if err := ctx.Err(); err != nil {
		return l.requestError(err, false)
	}
	if c.cfg.Limiter != nil {
		r, d := c.cfg.Limiter.reserve(c.cfg.Clock)
		if !r.OK() {
			return fmt.Errorf("%s: %w: client-side limiter allows no requests", c.cfg.Provider, telematics.ErrInvalidInput)
		}
		if d > 0 {
			if d > c.cfg.MaxWait-l.rateWaited {
				c.cfg.Limiter.cancel(r, c.cfg.Clock)
				return l.rateLimitError(d, nil)
			}
			l.rateWaited += d
			c.log.LogAttrs(ctx, slog.LevelDebug, "fleetkit pacing", slog.String("provider", c.cfg.Provider),
				slog.String("reason", "client-side limiter"), slog.Duration("wait", d))
			if err := c.cfg.Clock.Sleep(ctx, d); err != nil {
				c.cfg.Limiter.cancel(r, c.cfg.Clock)
				return l.requestError(err, false)
			}
		}
	}
	if c.shared != nil {
		// The shared budget holds what every client of the credential learned of the
		// provider's budget: it replaces the pacer, which knows this client's responses
		// only, unless its store is down.
		granted, err := l.waitShared(ctx)
		if granted || err != nil {
			return err
		}
	}
	for {
		d := c.pacer.Reserve(c.cfg.Clock.Now())
		if d <= 0 {
			return nil
		}
		if d-ratelimit.Margin > c.cfg.MaxWait-l.rateWaited {
			return l.rateLimitError(d-ratelimit.Margin, nil)
		}
		l.rateWaited += d
		c.log.LogAttrs(ctx, slog.LevelDebug, "fleetkit pacing", slog.String("provider", c.cfg.Provider),
			slog.String("reason", "budget spent until reset"), slog.Duration("wait", d))
		if err := c.cfg.Clock.Sleep(ctx, d); err != nil {
			return l.requestError(err, false)
		}
	}
}

// spentBudget says how long to wait for the budget a rate-limit rejection reported as
// spent: until the reset the pacer knows, or, when the response said no request remains
// but gave no reset and no hint (hint 0), for RateWindow, which the pacer then also
// holds so that other calls wait too.
func (c *Client) spentBudget(h http.Header, now time.Time, hint time.Duration) (time.Duration, bool) {
	if r := c.pacer.Rate(); r.Remaining == 0 && r.Reset.After(now) {
		return r.Reset.Sub(now), true
	}
	r, ok := ratelimit.ParseRate(h, now)
	if !ok || r.Remaining != 0 || !r.Reset.IsZero() || hint > 0 {
		return 0, false
	}
	r.Reset = now.Add(c.cfg.RateWindow)
	c.pacer.Observe(r)
	return c.cfg.RateWindow, true
}
