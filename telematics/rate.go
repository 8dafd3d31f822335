package telematics

import (
	"strconv"
	"time"
)

// Rate is a snapshot of a provider's request budget, as its rate-limit headers last
// reported it.
type Rate struct {
	// Limit is the number of requests allowed per window (-1 when unknown).
	Limit int
	// Remaining is the number of requests left in the current window (-1 when unknown).
	Remaining int
	// Reset is when the current window ends (zero when unknown).
	Reset time.Time
}

// UnknownRate is the Rate of a provider that has not reported one.
var UnknownRate = Rate{Limit: -1, Remaining: -1}

// Known reports whether the provider reported a budget.
func (r Rate) Known() bool { return r.Limit >= 0 || r.Remaining >= 0 || !r.Reset.IsZero() }

// String formats the Rate for logs and tables.
func (r Rate) String() string {
	if !r.Known() {
		return "unknown"
	}
	s := strconv.Itoa(r.Remaining) + "/" + strconv.Itoa(r.Limit)
	if !r.Reset.IsZero() {
		s += " until " + r.Reset.UTC().Format(time.RFC3339)
	}
	return s
}

// Response is what a call learned from the provider's last HTTP answer, for callers that
// want more than the decoded result: the status, the headers, the request id to quote to
// the provider's support, the rate-limit budget and how many attempts the call took.
type Response struct {
	Method string
	// URL is the request URL with credentials removed.
	URL        string
	StatusCode int
	Header     map[string][]string
	// RequestID is the provider's identifier of the request, when it sent one.
	RequestID string
	Rate      Rate
	// RetryAfter is the wait the provider asked for (Retry-After and similar headers);
	// zero when it asked for none. When a rate limit stopped the call it is the wait the
	// call would have needed: until the budget the provider reported spent resets.
	RetryAfter time.Duration
	// Attempts counts the requests the call sent, including retries and the replay after
	// a refused token.
	Attempts int
}
