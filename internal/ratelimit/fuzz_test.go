package ratelimit

import (
	"net/http"
	"testing"
	"time"
)

// FuzzHintHeaders: whatever a server sends, the parsers never panic, never return a
// negative wait, and never one beyond a year.
func FuzzHintHeaders(f *testing.F) {
	for _, s := range []string{"0", "120", "-1", "1.5", "NaN", "1e308", "99999999999999999999",
		"Sun, 06 Nov 1994 08:49:37 GMT", "Wed, 21 Oct 2026 07:28:00 GMT", "", " ", "100;w=60", "1795341600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		for _, name := range []string{"Retry-After", "Retry-After-Ms", "X-Rate-Limit-Reset", "RateLimit-Reset",
			"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining"} {
			h.Set(name, v)
		}
		check := func(d time.Duration, ok bool) {
			if d < 0 || d > maxHint || (!ok && d != 0) {
				t.Fatalf("%q gave %v, %v", v, d, ok)
			}
		}
		check(RetryAfter(h, now))
		check(ResetAfter(h, now))
		check(Hint(h, now, true))
		r, _ := ParseRate(h, now)
		if r.Limit < -1 || r.Remaining < -1 || (!r.Reset.IsZero() && r.Reset.Before(now)) {
			t.Fatalf("%q gave rate %+v", v, r)
		}
	})
}
