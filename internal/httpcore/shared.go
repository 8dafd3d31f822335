package httpcore

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/redact"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Defaults of a shared budget (Config.Budget).
const (
	// DefaultBudgetTimeout bounds each call to a shared budget's store: a store slower
	// than that is treated as unreachable, and the request paces locally instead.
	DefaultBudgetTimeout = 500 * time.Millisecond
	// DefaultBudgetRetry is how long a client paces locally after its shared budget's
	// store failed before it asks the store again.
	DefaultBudgetRetry = time.Second
)

// shared is a Client's use of a telematics.SharedBudget: the store, the key of the
// client's credential, and whether the store is down. While it is down, requests pace
// locally (the Limiter and the provider's headers, as without a shared budget) and one
// caller asks the store again every retry; the first failure of an outage logs one
// warning, the first success after it one info line.
type shared struct {
	store   telematics.SharedBudget
	key     telematics.BudgetKey
	timeout time.Duration
	retry   time.Duration
	log     *slog.Logger
	red     *redact.Redactor

	mu      sync.Mutex
	down    bool
	retryAt time.Time
}

// newShared returns the state of cfg's shared budget, logging to log.
func newShared(cfg Config, log *slog.Logger) *shared {
	s := &shared{store: cfg.Budget, key: cfg.BudgetKey, timeout: cfg.BudgetTimeout, retry: cfg.BudgetRetry, log: log, red: cfg.Redactor}
	if s.timeout <= 0 {
		s.timeout = DefaultBudgetTimeout
	}
	if s.retry <= 0 {
		s.retry = DefaultBudgetRetry
	}
	if s.red == nil {
		s.red = redact.New("", "")
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// usable reports whether the store may be asked at now: it is up, or it is down and
// due for another try, which this caller then makes (the others keep pacing locally).
func (s *shared) usable(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.down {
		return true
	}
	if now.Before(s.retryAt) {
		return false
	}
	s.retryAt = now.Add(s.retry)
	return true
}

// call runs one store operation bounded by the store timeout. A failure that is not the
// caller's own context ending marks the store down; a success marks it up.
func (s *shared) call(ctx context.Context, now func() time.Time, op func(ctx context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	err := op(cctx)
	cancel()
	if err != nil && callerDone(ctx) == nil {
		s.failed(ctx, now(), err)
	} else if err == nil {
		s.recovered(ctx)
	}
	return err
}

// callerDone returns ctx's error once it is done or its deadline has passed. A store
// call bounded by the caller's deadline (a socket deadline set to it) fails an instant
// before ctx's own timer marks ctx done: that failure is the caller's running out of
// time, not the store's.
func callerDone(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

func (s *shared) failed(ctx context.Context, now time.Time, err error) {
	s.mu.Lock()
	was := s.down
	s.down, s.retryAt = true, now.Add(s.retry)
	s.mu.Unlock()
	if !was {
		s.log.LogAttrs(ctx, slog.LevelWarn, "fleetkit shared budget unavailable: pacing locally until it answers again",
			slog.String("provider", s.key.Provider), slog.String("budget", s.key.String()),
			slog.String("error", RedactString(s.red.String(err.Error()))))
	}
}

func (s *shared) recovered(ctx context.Context) {
	s.mu.Lock()
	was := s.down
	s.down = false
	s.mu.Unlock()
	if was {
		s.log.LogAttrs(ctx, slog.LevelInfo, "fleetkit shared budget available again",
			slog.String("provider", s.key.Provider), slog.String("budget", s.key.String()))
	}
}

// waitShared waits for the shared budget to grant the request and takes the grant. It
// reports false, with no error, when the store is down, so that the request paces
// locally instead.
func (l *loop) waitShared(ctx context.Context) (bool, error) {
	c := l.c
	s := c.shared
	for {
		if !s.usable(c.cfg.Clock.Now()) {
			return false, nil
		}
		var d time.Duration
		err := s.call(ctx, c.cfg.Clock.Now, func(ctx context.Context) (err error) {
			d, err = s.store.Reserve(ctx, s.key)
			return err
		})
		if err != nil {
			if cerr := callerDone(ctx); cerr != nil {
				return false, l.requestError(cerr, false)
			}
			return false, nil
		}
		if d <= 0 {
			l.reserved = true
			return true, nil
		}
		if d > c.cfg.MaxWait-l.rateWaited {
			return false, l.rateLimitError(d, nil)
		}
		l.rateWaited += d
		c.log.LogAttrs(ctx, slog.LevelDebug, "fleetkit pacing", slog.String("provider", c.cfg.Provider),
			slog.String("reason", "shared budget"), slog.Duration("wait", d))
		if err := c.cfg.Clock.Sleep(ctx, d); err != nil {
			return false, l.requestError(err, false)
		}
	}
}

// releaseShared gives back the shared budget's grant of a request that was not sent,
// also when the call's context has ended.
func (l *loop) releaseShared(ctx context.Context) {
	if !l.reserved {
		return
	}
	l.reserved = false
	c := l.c
	if !c.shared.usable(c.cfg.Clock.Now()) {
		return
	}
	_ = c.shared.call(context.WithoutCancel(ctx), c.cfg.Clock.Now, func(ctx context.Context) error {
		return c.shared.store.Release(ctx, c.shared.key)
	})
}

// observeShared tells the shared budget what a response reported of the provider's
// budget (telematics.UnknownRate when it reported nothing). The reset is handed over on
// the wall clock, which a store compares with its own reference, also when the client
// runs on another clock.
func (l *loop) observeShared(ctx context.Context, r telematics.Rate) {
	c := l.c
	if !c.shared.usable(c.cfg.Clock.Now()) {
		return
	}
	if !r.Reset.IsZero() {
		r.Reset = time.Now().Add(r.Reset.Sub(c.cfg.Clock.Now()))
	}
	_ = c.shared.call(context.WithoutCancel(ctx), c.cfg.Clock.Now, func(ctx context.Context) error {
		return c.shared.store.Observe(ctx, c.shared.key, r)
	})
}
