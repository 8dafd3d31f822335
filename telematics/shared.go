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
// client ID, never a secret) and must be safe for concurrent use. A method that cannot
// reach its store returns an error; the client then falls back to its local pacing for
// that request.
type SharedBudget interface {
	// Reserve asks for one request of key. It returns a zero wait when the request may
	// be sent now (the reservation is then taken), or how long to wait before asking
	// again. The client waits, under its context, and asks again.
	Reserve(ctx context.Context, key BudgetKey) (wait time.Duration, err error)
	// Release gives back a reservation whose request was never sent.
	Release(ctx context.Context, key BudgetKey) error
	// Observe records the budget the provider reported in a response, so that when one
	// process sees it spent, every process waits for its reset.
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
