package fakeapi

import "sync"

// Queue holds the faults a test scripted with a fake's FailNext, in order. Its methods
// are safe for concurrent use.
type Queue[F any] struct {
	mu     sync.Mutex
	faults []F
}

// Push appends faults to the queue.
func (q *Queue[F]) Push(faults ...F) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.faults = append(q.faults, faults...)
}

// Take removes and returns the first fault that match accepts (any fault when match
// is nil); ok is false when none does.
func (q *Queue[F]) Take(match func(F) bool) (F, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.faults {
		if match == nil || match(f) {
			q.faults = append(q.faults[:i:i], q.faults[i+1:]...)
			return f, true
		}
	}
	var none F
	return none, false
}
