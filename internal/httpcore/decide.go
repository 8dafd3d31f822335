package httpcore

import (
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/fleetkit/fleetkit-go/internal/ratelimit"
)

// action is what the loop does after a failed attempt.
type action int

const (
	// retry: wait verdict.wait, then send the request again.
	retry action = iota + 1
	// giveUp: return the attempt's error.
	giveUp
	// stopRateLimited: return a *telematics.RateLimitError wrapping the attempt's error.
	stopRateLimited
	// replay: drop the refused token and send the request again at once with a new one.
	replay
)

func (a action) String() string {
	switch a {
	case retry:
		return "retry"
	case giveUp:
		return "give up"
	case stopRateLimited:
		return "rate-limit error"
	case replay:
		return "replay"
	}
	return "unknown"
}

// verdict is the decision after a failed attempt and why it was taken; the reason is
// what the debug log says.
type verdict struct {
	action action
	reason string
	// wait is how long to wait before retrying.
	wait time.Duration
	// rateWait reports that wait is a rate-limit wait: it counts against MaxWait,
	// not against the retry policy's MaxElapsedTime.
	rateWait bool
	// exclude is the part of wait to keep out of the backoff's elapsed time: the
	// rate-limit wait beyond the backoff interval.
	exclude time.Duration
}

// situation is everything the retry decision depends on, gathered by the loop.
type situation struct {
	// What the attempt produced.
	answered bool // the provider answered with a status (else the request failed)
	status   int  // the status when answered
	sent     bool // the request may have reached the provider
	// tooLarge reports a success body over the limit: reading it again cannot help.
	tooLarge bool

	// What the decoded failure says.
	rateLimited bool // a 429, or an error matching telematics.ErrRateLimited
	// refusesRetry reports an error whose Retryable() says retrying cannot help.
	refusesRetry bool
	// hint is the wait the server asked for: Retry-After, or for a rate limit the reset
	// of the spent budget.
	hint time.Duration
	// budget reports that hint is the reset of a spent budget: an instant, not jittered.
	budget bool
	// jitter is the random spread added to a server-given wait (see positiveJitter).
	jitter time.Duration

	// What the call allows.
	canRepeat bool // the method is safe to repeat, or the request is marked idempotent
	canReplay bool // a 401 may be replayed with a new token: there is a token source
	// and the call has not replayed yet

	// Where the call stands.
	retries    int           // retries made so far
	policy     RetryPolicy   // MaxRetries and MaxElapsedTime
	backoff    time.Duration // the backoff's next interval, or backoff.Stop
	elapsed    time.Duration // the time retrying has used up (rate-limit waits excluded)
	maxWait    time.Duration // Config.MaxWait
	rateWaited time.Duration // what the call has waited for rate limits so far
}

// decide is the retry policy, a pure function of the situation after a failed attempt
// (stripe-go's shouldRetry is its model). In order:
//
//   - a 401 is replayed once with a new token;
//   - a rate limit whose wait would take the call's rate-limit waits past MaxWait stops
//     the call with a rate-limit error at once;
//   - a failure not worth retrying, or one past the retry policy's limits, gives up
//     (with a rate-limit error when it is a rate limit);
//   - a rate limit is waited out until a margin past its reset, like pacing;
//   - a wait the server asked for otherwise (a 503's Retry-After) is honoured when it
//     fits in MaxElapsedTime, and gives up when it does not;
//   - anything else is retried after the backoff interval.
func decide(s situation) verdict {
	if s.answered && s.status == http.StatusUnauthorized && s.canReplay {
		return verdict{action: replay, reason: "replaying with a new token"}
	}
	stop := giveUp
	if s.rateLimited {
		stop = stopRateLimited
	}
	if s.rateLimited && s.hint > s.maxWait-s.rateWaited {
		return verdict{action: stopRateLimited, reason: "rate limited beyond the maximum wait"}
	}
	if reason := notRetried(s); reason != "" {
		return verdict{action: stop, reason: "giving up: " + reason}
	}
	v := verdict{action: retry, reason: "retrying", wait: s.backoff}
	switch {
	case s.rateLimited && s.hint > 0:
		// A rate limit is waited out as pacing does, until a margin past the reset. It
		// is bounded by MaxWait, for all the rate-limit waits of the call together,
		// and does not use up MaxElapsedTime: waiting for the budget is not retrying.
		floor := s.hint + ratelimit.Margin
		if !s.budget {
			floor += s.jitter
		}
		if floor > v.wait {
			v.exclude = floor - v.wait
			v.wait = floor
		}
		v.rateWait = true
		v.reason = "retrying after the rate limit's wait"
	case s.hint > 0:
		// Any other wait the server asks for (a 503's Retry-After) counts against
		// MaxElapsedTime like the backoff: a server asking for fifteen minutes on
		// every attempt must not hold the call for an hour.
		v.wait = max(v.wait, s.hint+s.jitter)
		if limit := s.policy.MaxElapsedTime; limit > 0 && s.elapsed+v.wait > limit {
			return verdict{action: stop, reason: "giving up: the wait asked for would pass the retry time"}
		}
		v.reason = "retrying after the wait asked for"
	}
	return v
}

// notRetried says why a failure is not retried, or "" when it may be.
func notRetried(s situation) string {
	switch {
	case !s.answered && s.tooLarge:
		return "the answer is too large"
	case !s.answered && s.sent && !s.canRepeat:
		return "the request may have reached the provider and is not safe to repeat"
	case s.answered && !s.canRepeat:
		return "the call is not safe to repeat"
	case s.answered && !s.rateLimited && !retryStatus(s.status):
		return "the status is not worth retrying"
	case s.refusesRetry:
		return "the provider's error says retrying cannot help"
	case s.retries >= s.policy.MaxRetries:
		return "no retries left"
	case s.backoff == backoff.Stop:
		return "the retry time is spent"
	case s.hint > s.maxWait:
		return "the wait asked for is longer than the maximum wait"
	}
	return ""
}

func safeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

func retryStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable,
		http.StatusGatewayTimeout:
		return true
	}
	return false
}

// positiveJitter adds up to 10% (at most one second) to a server-given wait, so that
// clients told the same time do not return at the same instant, and never earlier.
func positiveJitter(d time.Duration) time.Duration {
	j := min(d/10, time.Second)
	if j <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(j) + 1))
}
