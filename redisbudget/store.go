package redisbudget

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Defaults of a Store.
const (
	// DefaultPrefix starts every key the Store writes.
	DefaultPrefix = "fleetkit:"
	// DefaultProbeLease is how long the request that probes a budget nobody knows holds
	// the others back before another may probe (see the package documentation).
	DefaultProbeLease = 2 * time.Second
	// DefaultRetention is how long Claim remembers an event id when it is given no
	// retention: a week, longer than Smartcar retries a webhook delivery.
	DefaultRetention = 7 * 24 * time.Hour
	// DefaultTimeout bounds every call to Redis: a Redis slower than that is treated as
	// unreachable (the request paces locally, the webhook is delivered). A webhook
	// receiver must answer Smartcar within 15 s, its consumers included.
	DefaultTimeout = time.Second
)

// probePoll is the longest wait Reserve asks for while another request probes: the
// probe's answer comes back in one request's time.
const probePoll = 10 * time.Millisecond

// Store is a request budget (telematics.SharedBudget) and a webhook dedupe store
// (telematics.DedupeStore) shared through Redis. It is safe for concurrent use; every
// method is one round trip and returns when its context is done or its timeout
// (WithTimeout) has passed, whichever comes first (with a client whose
// ContextTimeoutEnabled is set, see New).
type Store struct {
	rdb       redis.UniversalClient
	prefix    string
	lease     time.Duration
	retention time.Duration
	timeout   time.Duration
}

var (
	_ telematics.SharedBudget = (*Store)(nil)
	_ telematics.DedupeStore  = (*Store)(nil)
)

// Option configures a Store.
type Option func(*Store) error

// WithPrefix sets the prefix of every key the Store writes (default DefaultPrefix), to
// keep several applications apart in one Redis database. It must not be empty.
func WithPrefix(p string) Option {
	return func(s *Store) error {
		if strings.TrimSpace(p) == "" {
			return errors.New("empty key prefix")
		}
		s.prefix = p
		return nil
	}
}

// WithProbeLease sets how long a probing request holds the others back (default
// DefaultProbeLease): about the longest a request takes. It must be at least a
// millisecond.
func WithProbeLease(d time.Duration) Option {
	return durationOption("probe lease", d, func(s *Store) *time.Duration { return &s.lease })
}

// WithRetention sets how long Claim remembers an id when it is given no retention
// (default DefaultRetention). It must be at least a millisecond.
func WithRetention(d time.Duration) Option {
	return durationOption("retention", d, func(s *Store) *time.Duration { return &s.retention })
}

// WithTimeout bounds every call to Redis (default DefaultTimeout), whatever the
// caller's context: the SDK bounds its budget calls more tightly anyway, but a webhook
// receiver's Claim has only its request's context, and a Redis that stopped answering
// must not hold a delivery for go-redis's read timeout. It must be at least a
// millisecond.
func WithTimeout(d time.Duration) Option {
	return durationOption("timeout", d, func(s *Store) *time.Duration { return &s.timeout })
}

// durationOption sets the Store's duration field, named what, to d, which must be at
// least a millisecond.
func durationOption(what string, d time.Duration, field func(*Store) *time.Duration) Option {
	return func(s *Store) error {
		if d < time.Millisecond {
			return fmt.Errorf("%s %s is shorter than a millisecond", what, d)
		}
		*field(s) = d
		return nil
	}
}

// New returns a Store on rdb, which the caller keeps and closes. Build rdb with
// ContextTimeoutEnabled set, so that a slow Redis cannot hold a request past the short
// bound fleetkit gives each budget call; without it go-redis waits for its own read
// timeout. A nil client or an invalid option is an error matching
// telematics.ErrInvalidInput.
func New(rdb redis.UniversalClient, opts ...Option) (*Store, error) {
	s := &Store{rdb: rdb, prefix: DefaultPrefix, lease: DefaultProbeLease, retention: DefaultRetention, timeout: DefaultTimeout}
	var errs []error
	if rdb == nil {
		errs = append(errs, errors.New("nil Redis client"))
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(s); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("redisbudget: %w: %w", telematics.ErrInvalidInput, errors.Join(errs...))
	}
	return s, nil
}

// bound returns ctx bounded by the Store's timeout; a ctx that ends sooner (the SDK
// bounds its budget calls more tightly) is used as it is.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= s.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

// budgetKey is where the budget of key lives.
func (s *Store) budgetKey(op string, key telematics.BudgetKey) (string, error) {
	if strings.TrimSpace(key.Provider) == "" || strings.TrimSpace(key.ClientID) == "" {
		return "", fmt.Errorf("redisbudget: %s: %w: the budget key needs a provider and a client ID", op, telematics.ErrInvalidInput)
	}
	if key.Limit < 0 || key.Window < 0 {
		return "", fmt.Errorf("redisbudget: %s %s: %w: negative limit %d or window %s", op, key, telematics.ErrInvalidInput, key.Limit, key.Window)
	}
	return s.prefix + "budget:" + key.String(), nil
}

// Reserve asks for one request of key's budget in one round trip: zero when it may be
// sent now (the grant is taken), or how long to wait before asking again.
func (s *Store) Reserve(ctx context.Context, key telematics.BudgetKey) (time.Duration, error) {
	k, err := s.budgetKey("reserve", key)
	if err != nil {
		return 0, err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ms, err := reserveScript.Run(ctx, s.rdb, []string{k}, s.lease.Milliseconds(), probePoll.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("redisbudget: reserve %s: %w", key, err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Release gives back a grant whose request was never sent.
func (s *Store) Release(ctx context.Context, key telematics.BudgetKey) error {
	k, err := s.budgetKey("release", key)
	if err != nil {
		return err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if err := releaseScript.Run(ctx, s.rdb, []string{k}).Err(); err != nil {
		return fmt.Errorf("redisbudget: release %s: %w", key, err)
	}
	return nil
}

// Observe records the budget a response reported (see the package documentation for
// what it changes).
func (s *Store) Observe(ctx context.Context, key telematics.BudgetKey, r telematics.Rate) error {
	k, err := s.budgetKey("observe", key)
	if err != nil {
		return err
	}
	remaining, resetIn := int64(-1), int64(-1)
	if r.Remaining >= 0 {
		remaining = int64(r.Remaining)
	}
	if !r.Reset.IsZero() {
		// The time left is measured here and added to the Redis server's clock, so
		// that processes whose clocks disagree agree on the reset.
		resetIn = max(time.Until(r.Reset).Milliseconds(), 0)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	err = observeScript.Run(ctx, s.rdb, []string{k}, key.Limit, key.Window.Milliseconds(), remaining, resetIn).Err()
	if err != nil {
		return fmt.Errorf("redisbudget: observe %s: %w", key, err)
	}
	return nil
}

// Claim records id for retention (DefaultRetention, or WithRetention's, when it is not
// positive) with SET NX PX, and reports whether it was new.
func (s *Store) Claim(ctx context.Context, id string, retention time.Duration) (bool, error) {
	if strings.TrimSpace(id) == "" {
		return false, fmt.Errorf("redisbudget: claim: %w: empty event id", telematics.ErrInvalidInput)
	}
	if retention <= 0 {
		retention = s.retention
	}
	retention = max(retention, time.Millisecond)
	ctx, cancel := s.bound(ctx)
	defer cancel()
	fresh, err := s.rdb.SetNX(ctx, s.prefix+"dedupe:"+id, 1, retention).Result()
	if err != nil {
		return false, fmt.Errorf("redisbudget: claim: %w", err)
	}
	return fresh, nil
}

// Forget removes id, so that the provider's next delivery of it is fresh.
func (s *Store) Forget(ctx context.Context, id string) error {
	if strings.TrimSpace(id) == "" {
		return fmt.Errorf("redisbudget: forget: %w: empty event id", telematics.ErrInvalidInput)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if err := s.rdb.Del(ctx, s.prefix+"dedupe:"+id).Err(); err != nil {
		return fmt.Errorf("redisbudget: forget: %w", err)
	}
	return nil
}
