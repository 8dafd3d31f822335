package ratelimit

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func telematicsRate(limit, remaining int, reset time.Time) telematics.Rate {
	return telematics.Rate{Limit: limit, Remaining: remaining, Reset: reset}
}

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want time.Duration
		ok   bool
	}{
		{"none", hdr(), 0, false},
		{"seconds", hdr("Retry-After", "120"), 2 * time.Minute, true},
		{"zero", hdr("Retry-After", "0"), 0, true},
		{"fraction", hdr("Retry-After", "1.5"), 1500 * time.Millisecond, true},
		{"spaces", hdr("Retry-After", "  30 "), 30 * time.Second, true},
		{"http date", hdr("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)), 90 * time.Second, true},
		{"rfc850 date", hdr("Retry-After", now.Add(time.Hour).Format(time.RFC850)), time.Hour, true},
		{"past date", hdr("Retry-After", now.Add(-time.Minute).Format(http.TimeFormat)), 0, true},
		{"negative", hdr("Retry-After", "-10"), 0, false},
		{"garbage", hdr("Retry-After", "later"), 0, false},
		{"nan", hdr("Retry-After", "NaN"), 0, false},
		{"inf", hdr("Retry-After", "+Inf"), 0, false},
		{"huge", hdr("Retry-After", "99999999999"), 0, false},
		{"a day", hdr("Retry-After", "86400"), 24 * time.Hour, true},
		{"overflowing", hdr("Retry-After", "1e300"), 0, false},
		{"ms overflowing", hdr("Retry-After-Ms", "1e19"), 0, false},
		{"ms", hdr("Retry-After-Ms", "250"), 250 * time.Millisecond, true},
		{"ms fraction", hdr("Retry-After-Ms", "0.5"), 500 * time.Microsecond, true},
		{"ms wins", hdr("Retry-After-Ms", "1500", "Retry-After", "2"), 1500 * time.Millisecond, true},
		{"bad ms falls back", hdr("Retry-After-Ms", "-3", "Retry-After", "2"), 2 * time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := RetryAfter(tc.h, now)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestResetAfterAndParseRate(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want time.Duration
		ok   bool
	}{
		{"mycartracks seconds", hdr("X-Rate-Limit-Reset", "900"), 15 * time.Minute, true},
		{"github epoch", hdr("X-RateLimit-Reset", "1795341600"), time.Unix(1795341600, 0).Sub(now), true},
		{"epoch in the past", hdr("X-RateLimit-Reset", "1700000000"), 0, true},
		{"ietf delta", hdr("RateLimit-Reset", "42"), 42 * time.Second, true},
		{"negative", hdr("X-Rate-Limit-Reset", "-1"), 0, false},
		{"beyond year 9999", hdr("X-Rate-Limit-Reset", "1e19"), 0, false},
		{"absurd", hdr("X-Rate-Limit-Reset", "1e300"), 0, false},
		{"nan", hdr("X-Rate-Limit-Reset", "NaN"), 0, false},
		{"garbage", hdr("X-Rate-Limit-Reset", "soon"), 0, false},
		{"first valid wins", hdr("X-Rate-Limit-Reset", "x", "RateLimit-Reset", "5"), 5 * time.Second, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ResetAfter(tc.h, now)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}

	r, ok := ParseRate(hdr("X-Rate-Limit-Limit", "150", "X-Rate-Limit-Remaining", "149", "X-Rate-Limit-Reset", "900"), now)
	assert.True(t, ok)
	assert.Equal(t, 150, r.Limit)
	assert.Equal(t, 149, r.Remaining)
	assert.Equal(t, now.Add(900*time.Second), r.Reset)

	r, ok = ParseRate(hdr("RateLimit-Limit", "100;w=60", "RateLimit-Remaining", "0"), now)
	assert.True(t, ok)
	assert.Equal(t, 100, r.Limit)
	assert.Equal(t, 0, r.Remaining)
	assert.True(t, r.Reset.IsZero())

	r, ok = ParseRate(hdr("X-Rate-Limit-Remaining", "-4"), now)
	assert.False(t, ok)
	assert.Equal(t, -1, r.Remaining)
}

func TestHint(t *testing.T) {
	h := hdr("Retry-After", "3", "X-Rate-Limit-Reset", "60")
	d, ok := Hint(h, now, false)
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, d, "the reset is no hint for a failure that is not a rate limit")
	d, ok = Hint(h, now, true)
	assert.True(t, ok)
	assert.Equal(t, time.Minute, d)
	_, ok = Hint(hdr("X-Rate-Limit-Reset", "60"), now, false)
	assert.False(t, ok)
}

func TestPacer(t *testing.T) {
	p := NewPacer()
	assert.Zero(t, p.Reserve(now), "an unknown budget never waits")

	p.Observe(telematicsRate(150, 2, now.Add(time.Minute)))
	assert.Zero(t, p.Reserve(now))
	assert.Zero(t, p.Reserve(now))
	assert.Equal(t, time.Minute+Margin, p.Reserve(now), "the local count reached zero")

	// A late response of the same window cannot raise the count again.
	p.Observe(telematicsRate(150, 1, now.Add(time.Minute+time.Second)))
	assert.Equal(t, 0, p.Rate().Remaining)

	// After the reset the budget is unknown until the next response.
	assert.Zero(t, p.Reserve(now.Add(2*time.Minute)))
	assert.Equal(t, -1, p.Rate().Remaining)

	// A new window replaces the old.
	p.Observe(telematicsRate(150, 0, now.Add(20*time.Minute)))
	p.Observe(telematicsRate(150, 149, now.Add(35*time.Minute)))
	assert.Equal(t, 149, p.Rate().Remaining)

	p.Observe(telematicsRate(-1, -1, time.Time{}))
	assert.Equal(t, 149, p.Rate().Remaining, "an unknown rate changes nothing")
}
