package ratelimit

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// maxHint bounds every wait read from a header; anything longer is treated as garbage.
const maxHint = 366 * 24 * time.Hour

// epochThreshold separates "seconds until reset" from "Unix time of reset".
const epochThreshold = 1_000_000_000

var (
	limitHeaders     = []string{"X-Rate-Limit-Limit", "X-RateLimit-Limit", "RateLimit-Limit"}
	remainingHeaders = []string{"X-Rate-Limit-Remaining", "X-RateLimit-Remaining", "RateLimit-Remaining"}
	resetHeaders     = []string{"X-Rate-Limit-Reset", "X-RateLimit-Reset", "RateLimit-Reset"}
)

// ParseRate reads the budget headers of a response received at now. ok is false when the
// response carried none.
func ParseRate(h http.Header, now time.Time) (r telematics.Rate, ok bool) {
	r = telematics.UnknownRate
	if v, found := firstInt(h, limitHeaders); found {
		r.Limit = v
	}
	if v, found := firstInt(h, remainingHeaders); found {
		r.Remaining = v
	}
	if d, found := ResetAfter(h, now); found {
		r.Reset = now.Add(d)
	}
	return r, r.Known()
}

// ResetAfter returns how long until the budget window ends, from the first reset header
// present.
func ResetAfter(h http.Header, now time.Time) (time.Duration, bool) {
	for _, name := range resetHeaders {
		v := h.Get(name)
		if v == "" {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !plausible(f, maxEpochSeconds) {
			continue
		}
		if f >= epochThreshold {
			at := time.Unix(int64(f), 0)
			if at.Before(now) {
				return 0, true
			}
			return bounded(at.Sub(now))
		}
		return bounded(time.Duration(f * float64(time.Second)))
	}
	return 0, false
}

// RetryAfter returns the wait asked for by Retry-After-Ms or Retry-After (delta seconds or
// an HTTP date), whichever is present and valid, preferring the more precise one.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && plausible(f, float64(maxHint/time.Millisecond)) {
			if d, ok := bounded(time.Duration(f * float64(time.Millisecond))); ok {
				return d, true
			}
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if !plausible(f, maxHint.Seconds()) {
			return 0, false
		}
		return bounded(time.Duration(f * float64(time.Second)))
	}
	if at, err := http.ParseTime(v); err == nil {
		if !at.After(now) {
			return 0, true
		}
		return bounded(at.Sub(now))
	}
	return 0, false
}

// Hint returns the server's wait hint for a failed response: Retry-After-Ms or
// Retry-After, and, when the response is a rate-limit rejection, the budget reset too.
// The longest valid hint wins. ok is false when the server gave none.
func Hint(h http.Header, now time.Time, rateLimited bool) (time.Duration, bool) {
	d, ok := RetryAfter(h, now)
	if rateLimited {
		if r, found := ResetAfter(h, now); found {
			if !ok || r > d {
				d = r
			}
			ok = true
		}
	}
	return d, ok
}

// maxEpochSeconds bounds a reset given as a Unix time: the year 9999.
const maxEpochSeconds = 253402300799

// plausible reports whether a header number is finite, not negative and at most limit, so
// that converting it to a Duration cannot overflow (whose result would depend on the
// platform).
func plausible(f, limit float64) bool {
	return !math.IsNaN(f) && f >= 0 && f <= limit
}

func bounded(d time.Duration) (time.Duration, bool) {
	if d < 0 || d > maxHint {
		return 0, false
	}
	return d, true
}

func firstInt(h http.Header, names []string) (int, bool) {
	for _, name := range names {
		v := strings.TrimSpace(h.Get(name))
		if v == "" {
			continue
		}
		// The IETF draft allows parameters after the value ("100;w=60").
		if i := strings.IndexByte(v, ';'); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			continue
		}
		return n, true
	}
	return 0, false
}
