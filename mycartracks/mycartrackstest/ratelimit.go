package mycartrackstest

import (
	"sync"
	"time"
)

// budget is the fixed-window rate limit. Windows are aligned to the server's start.
type budget struct {
	limit  int
	window time.Duration
	off    bool
	start  time.Time

	mu      sync.Mutex
	current int64 // index of the window used counts requests for
	used    int
}

// quota is what one request learned from the budget.
type quota struct {
	enabled   bool
	allowed   bool
	limit     int
	remaining int
	reset     int64 // whole seconds until the window ends, rounded up
}

// take counts one request at now.
func (b *budget) take(now time.Time) quota {
	if b.off {
		return quota{allowed: true}
	}
	elapsed := max(now.Sub(b.start), 0)
	index := int64(elapsed / b.window)
	untilEnd := time.Duration(index+1)*b.window - elapsed

	b.mu.Lock()
	defer b.mu.Unlock()
	if index != b.current {
		b.current, b.used = index, 0
	}
	b.used++
	return quota{
		enabled:   true,
		allowed:   b.used <= b.limit,
		limit:     b.limit,
		remaining: max(b.limit-b.used, 0),
		reset:     int64((untilEnd + time.Second - 1) / time.Second),
	}
}
