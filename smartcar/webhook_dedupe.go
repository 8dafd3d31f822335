package smartcar

import (
	"context"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Defaults of the webhook receiver's deduplication.
const (
	// DefaultDedupeRetention is how long an eventId is remembered: Smartcar advises at
	// least seven days ([C], docs/evidence.md Smartcar §9).
	DefaultDedupeRetention = 7 * 24 * time.Hour
	// DefaultDedupeCapacity bounds the ids a MemoryDedupeStore holds; past it the oldest
	// is forgotten first.
	DefaultDedupeCapacity = 1 << 20
)

// MemoryDedupeStore is the in-process telematics.DedupeStore of the webhook handler: it
// remembers each claimed id for its retention, holds at most a bounded number of ids
// (forgetting the oldest claim first) and keeps time by an injectable clock. A
// deployment of several replicas plugs a shared store instead (WithDedupeStore). It is
// safe for concurrent use.
type MemoryDedupeStore struct {
	clock    telematics.Clock
	capacity int

	mu      sync.Mutex
	ids     map[string]dedupeEntry
	order   []dedupeRef // claims in order; an entry forgotten or reclaimed stays as a tombstone
	head    int
	seq     uint64
	evicted uint64
}

type dedupeEntry struct {
	expires time.Time
	seq     uint64
}

type dedupeRef struct {
	id  string
	seq uint64
}

// MemoryDedupeOption configures a MemoryDedupeStore.
type MemoryDedupeOption func(*MemoryDedupeStore)

// WithDedupeCapacity bounds how many ids the store holds (default
// DefaultDedupeCapacity; at least 1).
func WithDedupeCapacity(n int) MemoryDedupeOption {
	return func(s *MemoryDedupeStore) { s.capacity = max(n, 1) }
}

// WithDedupeClock sets the store's clock (default the system clock).
func WithDedupeClock(clock telematics.Clock) MemoryDedupeOption {
	return func(s *MemoryDedupeStore) {
		if clock != nil {
			s.clock = clock
		}
	}
}

// NewMemoryDedupeStore returns an empty store.
func NewMemoryDedupeStore(opts ...MemoryDedupeOption) *MemoryDedupeStore {
	s := &MemoryDedupeStore{clock: telematics.SystemClock, capacity: DefaultDedupeCapacity, ids: map[string]dedupeEntry{}}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

var _ telematics.DedupeStore = (*MemoryDedupeStore)(nil)

// Claim records id for retention (DefaultDedupeRetention when retention ≤ 0) and reports
// whether it was new: false when it was claimed before and its retention has not
// passed. It never fails.
func (s *MemoryDedupeStore) Claim(ctx context.Context, id string, retention time.Duration) (bool, error) {
	if retention <= 0 {
		retention = DefaultDedupeRetention
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.ids[id]; ok && now.Before(e.expires) {
		return false, nil
	}
	s.seq++
	s.ids[id] = dedupeEntry{expires: now.Add(retention), seq: s.seq}
	s.order = append(s.order, dedupeRef{id, s.seq})
	s.trimLocked(now)
	return true, nil
}

// Forget removes id, so that its next Claim is fresh.
func (s *MemoryDedupeStore) Forget(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ids, id)
	return nil
}

// Len returns how many ids the store holds (expired ones included until they are
// dropped).
func (s *MemoryDedupeStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// Evicted returns how many ids were forgotten before their retention passed because
// the store was full.
func (s *MemoryDedupeStore) Evicted() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.evicted
}

// trimLocked drops tombstones and expired ids from the front of the order, then the
// oldest ids while the store is over capacity, and compacts the order.
func (s *MemoryDedupeStore) trimLocked(now time.Time) {
	for s.head < len(s.order) {
		ref := s.order[s.head]
		e, ok := s.ids[ref.id]
		live := ok && e.seq == ref.seq
		switch {
		case !live:
		case !now.Before(e.expires):
			delete(s.ids, ref.id)
		case len(s.ids) > s.capacity:
			delete(s.ids, ref.id)
			s.evicted++
		default:
			s.compactLocked()
			return
		}
		s.order[s.head] = dedupeRef{}
		s.head++
	}
	s.compactLocked()
}

// compactLocked reclaims the order's dead prefix, and its tombstones once they
// outnumber the live ids.
func (s *MemoryDedupeStore) compactLocked() {
	if n := len(s.order) - s.head; s.head > 1024 && s.head > n {
		s.order = append(s.order[:0:0], s.order[s.head:]...)
		s.head = 0
	}
	if len(s.order)-s.head > 2*len(s.ids)+1024 {
		kept := make([]dedupeRef, 0, len(s.ids))
		for _, ref := range s.order[s.head:] {
			if e, ok := s.ids[ref.id]; ok && e.seq == ref.seq {
				kept = append(kept, ref)
			}
		}
		s.order, s.head = kept, 0
	}
}

// signalClock remembers, per vehicle and signal, the latest oemUpdatedAt delivered, so
// that a value older than one already delivered is marked stale instead of being
// presented as current. The webhook handler and the location poller share the rule. It
// is safe for concurrent use.
type signalClock struct {
	mu   sync.Mutex
	last map[signalKey]time.Time
}

type signalKey struct {
	vehicleID string
	code      SignalCode
}

func newSignalClock() *signalClock { return &signalClock{last: map[signalKey]time.Time{}} }

// observe reports whether a value of the signal timed at updated is stale: older than
// the latest observed for the vehicle and signal. A value that is not stale becomes the
// latest. A zero time is never stale and changes nothing; an equal time is not stale
// (the same value sent again).
func (c *signalClock) observe(vehicleID string, code SignalCode, updated time.Time) (stale bool) {
	if updated.IsZero() {
		return false
	}
	k := signalKey{vehicleID, code}
	c.mu.Lock()
	defer c.mu.Unlock()
	if last, ok := c.last[k]; ok && updated.Before(last) {
		return true
	}
	c.last[k] = updated
	return false
}

// latest returns the latest time observed for the vehicle and signal.
func (c *signalClock) latest(vehicleID string, code SignalCode) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.last[signalKey{vehicleID, code}]
	return t, ok
}
