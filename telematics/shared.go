package telematics

import (
	"context"
	"time"
)

// SharedBudget is a provider's request budget shared by every client that uses one
// credential, across goroutines, processes and machines. The request loop consults it
// before every request and informs it after every response. A nil SharedBudget means
// the client's own in-process pacing, the default.
//
// Implementations are keyed by what they are given in Key (a provider name and a
// client ID, never a secret) and must be safe for concurrent use. Every method must
// return when its context is done: the client bounds each call with a short timeout. A
// method that cannot reach its store returns an error; the client then falls back to
// its local pacing (and the provider's headers) until the store answers again.
type SharedBudget interface {
	// Reserve asks for one request of key. It returns a zero wait when the request may
	// be sent now (the reservation is then taken), or how long to wait before asking
	// again. The client waits, under its context, and asks again.
	Reserve(ctx context.Context, key BudgetKey) (wait time.Duration, err error)
	// Release gives back a reservation whose request was never sent.
	Release(ctx context.Context, key BudgetKey) error
	// Observe records the budget the provider reported in a response, so that when one
	// process sees it spent, every process waits for its reset. The client calls it
	// after every response, with UnknownRate when the response reported no budget.
	// r.Reset is on the wall clock (time.Now's), also when the client runs on another
	// clock, so that a store can tell how long until the reset.
	Observe(ctx context.Context, key BudgetKey, r Rate) error
}

// BudgetKey says whose budget a [SharedBudget] call is about and what the client knows
// of it.
type BudgetKey struct {
	// Provider and ClientID identify the credential ("mycartracks", the OAuth client ID).
	Provider, ClientID string
	// Limit and Window are the provider's published budget (150 per 15 minutes for
	// MyCarTracks), or what the program configured; zero when unknown.
	Limit  int
	Window time.Duration
}

// String is "provider/clientID", the form stores use in their keys.
func (k BudgetKey) String() string { return k.Provider + "/" + k.ClientID }

// DedupeStore remembers which events were already delivered, so that a provider's
// retry of an event (a Smartcar webhook redelivered with the same eventId) is
// acknowledged but not delivered twice, across replicas when the store is shared.
//
// Implementations must be safe for concurrent use.
type DedupeStore interface {
	// Claim records id for retention and reports whether it was new. An error means
	// the store could not tell; the receiver then delivers (at least once stays the
	// guarantee).
	Claim(ctx context.Context, id string, retention time.Duration) (fresh bool, err error)
	// Forget removes id, so that an event whose delivery failed after it was claimed is
	// delivered when the provider retries it.
	Forget(ctx context.Context, id string) error
}
