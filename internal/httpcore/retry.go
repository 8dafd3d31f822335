package httpcore

import (
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// RetryPolicy bounds the retries of one call. The zero value means DefaultRetry(); use
// NoRetry() to turn retries off.
type RetryPolicy struct {
	// MaxRetries is how many times a failed attempt may be repeated (0: never).
	MaxRetries int
	// InitialInterval and MaxInterval shape the exponential backoff.
	InitialInterval time.Duration
	MaxInterval     time.Duration
	// MaxElapsedTime bounds the time spent retrying one call, the waits the server asked
	// for (a 503's Retry-After) included: a retry whose wait would pass it is not made.
	// Waiting for a rate limit is not retrying and is not counted: Config.MaxWait bounds
	// those waits of a call together.
	MaxElapsedTime time.Duration
}

// DefaultRetry is 4 retries, 500 ms growing to at most 10 s, within one minute.
func DefaultRetry() RetryPolicy {
	return RetryPolicy{MaxRetries: 4, InitialInterval: 500 * time.Millisecond, MaxInterval: 10 * time.Second, MaxElapsedTime: time.Minute}
}

// NoRetry turns retries off; a 401 is still replayed once with a new token.
func NoRetry() RetryPolicy {
	p := DefaultRetry()
	p.MaxRetries = 0
	return p
}

// callBackOff is a fresh exponential backoff for one call. Its clock runs slow by the
// waits for rate limits, so those do not use up MaxElapsedTime.
type callBackOff struct {
	*backoff.ExponentialBackOff
	clock *excludingClock
}

type excludingClock struct {
	base     telematics.Clock
	excluded time.Duration
}

func (c *excludingClock) Now() time.Time { return c.base.Now().Add(-c.excluded) }

func (p RetryPolicy) newBackOff(clock telematics.Clock) *callBackOff {
	ec := &excludingClock{base: clock}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = p.InitialInterval
	b.MaxInterval = p.MaxInterval
	b.MaxElapsedTime = p.MaxElapsedTime
	b.Clock = ec
	b.Reset()
	return &callBackOff{ExponentialBackOff: b, clock: ec}
}

// exclude removes d from the elapsed time of the call.
func (b *callBackOff) exclude(d time.Duration) { b.clock.excluded += d }
