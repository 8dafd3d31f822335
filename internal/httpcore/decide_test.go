package httpcore

import (
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/internal/ratelimit"
)

// Each verdict of the retry policy and the reason it gives.
func TestDecide(t *testing.T) {
	// get is a GET answered with status, with one retry left out of four and time to
	// spare; the cases change what they are about.
	get := func(status int) situation {
		return situation{answered: true, status: status, sent: true, canRepeat: true, canReplay: true,
			retries: 3, policy: DefaultRetry(), backoff: 2 * time.Second, elapsed: 10 * time.Second,
			maxWait: time.Minute}
	}
	with := func(s situation, f func(*situation)) situation { f(&s); return s }
	post := func(s *situation) { s.canRepeat = false }

	for _, tc := range []struct {
		name string
		in   situation
		want verdict
	}{
		{"401 replayed once with a new token", get(401),
			verdict{action: replay, reason: "replaying with a new token"}},
		{"401 after the replay", with(get(401), func(s *situation) { s.canReplay = false }),
			verdict{action: giveUp, reason: "giving up: the status is not worth retrying"}},
		{"503 retried after the backoff", get(503),
			verdict{action: retry, reason: "retrying", wait: 2 * time.Second}},
		{"a network failure before sending is retried, even for a POST", with(get(0), func(s *situation) { s.answered, s.sent = false, false; post(s) }),
			verdict{action: retry, reason: "retrying", wait: 2 * time.Second}},
		{"a network failure after sending a POST", with(get(0), func(s *situation) { s.answered = false; post(s) }),
			verdict{action: giveUp, reason: "giving up: the request may have reached the provider and is not safe to repeat"}},
		{"an oversized answer", with(get(200), func(s *situation) { s.answered, s.tooLarge = false, true }),
			verdict{action: giveUp, reason: "giving up: the answer is too large"}},
		{"a POST answered 502", with(get(502), post),
			verdict{action: giveUp, reason: "giving up: the call is not safe to repeat"}},
		{"404", get(404),
			verdict{action: giveUp, reason: "giving up: the status is not worth retrying"}},
		{"the provider refuses retries", with(get(502), func(s *situation) { s.refusesRetry = true }),
			verdict{action: giveUp, reason: "giving up: the provider's error says retrying cannot help"}},
		{"no retries left", with(get(500), func(s *situation) { s.retries = 4 }),
			verdict{action: giveUp, reason: "giving up: no retries left"}},
		{"retry time spent", with(get(500), func(s *situation) { s.backoff = backoff.Stop }),
			verdict{action: giveUp, reason: "giving up: the retry time is spent"}},
		{"a 503 asking for longer than the maximum wait", with(get(503), func(s *situation) { s.hint = 2 * time.Minute }),
			verdict{action: giveUp, reason: "giving up: the wait asked for is longer than the maximum wait"}},
		{"a 503's Retry-After, jittered", with(get(503), func(s *situation) { s.hint, s.jitter = 5*time.Second, 300*time.Millisecond }),
			verdict{action: retry, reason: "retrying after the wait asked for", wait: 5300 * time.Millisecond}},
		{"a 503's Retry-After past the retry time", with(get(503), func(s *situation) { s.hint, s.elapsed = 30*time.Second, 45*time.Second }),
			verdict{action: giveUp, reason: "giving up: the wait asked for would pass the retry time"}},
		{"429 waited out past its reset, outside the retry time", with(get(429), func(s *situation) {
			s.rateLimited, s.hint, s.jitter, s.elapsed = true, 30*time.Second, time.Second, 59*time.Second
		}), verdict{action: retry, reason: "retrying after the rate limit's wait", rateWait: true,
			wait: 31*time.Second + ratelimit.Margin, exclude: 29*time.Second + ratelimit.Margin}},
		{"a spent budget's reset is not jittered", with(get(403), func(s *situation) {
			s.rateLimited, s.hint, s.budget, s.jitter = true, 20*time.Second, true, time.Second
		}), verdict{action: retry, reason: "retrying after the rate limit's wait", rateWait: true,
			wait: 20*time.Second + ratelimit.Margin, exclude: 18*time.Second + ratelimit.Margin}},
		{"a rate limit without a hint backs off", with(get(429), func(s *situation) { s.rateLimited = true }),
			verdict{action: retry, reason: "retrying", wait: 2 * time.Second}},
		{"a rate limit beyond what is left of the maximum wait", with(get(429), func(s *situation) {
			s.rateLimited, s.hint, s.rateWaited = true, 40*time.Second, 30*time.Second
		}), verdict{action: stopRateLimited, reason: "rate limited beyond the maximum wait"}},
		{"a rate limit beyond the maximum wait, on a POST too", with(get(429), func(s *situation) {
			s.rateLimited, s.hint = true, time.Hour
			post(s)
		}), verdict{action: stopRateLimited, reason: "rate limited beyond the maximum wait"}},
		{"a rate limit with no retries left", with(get(429), func(s *situation) { s.rateLimited, s.retries = true, 4 }),
			verdict{action: stopRateLimited, reason: "giving up: no retries left"}},
		{"a rate limit the provider refuses to retry", with(get(429), func(s *situation) { s.rateLimited, s.refusesRetry = true, true }),
			verdict{action: stopRateLimited, reason: "giving up: the provider's error says retrying cannot help"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, decide(tc.in))
		})
	}
}

func TestActionString(t *testing.T) {
	for a, want := range map[action]string{retry: "retry", giveUp: "give up", stopRateLimited: "rate-limit error", replay: "replay", 0: "unknown"} {
		assert.Equal(t, want, a.String())
	}
}
