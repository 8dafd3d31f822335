package telematics

import "time"

// TimerClock is a Clock that can also call a function later. Code that must react to
// time passing without a goroutine sleeping (a stream's liveness watchdog, a subscriber's
// block timeout) uses it through AfterFunc; telematics/clocktest.Clock implements it.
type TimerClock interface {
	Clock
	// AfterFunc calls f in its own goroutine once d has passed on the clock; stop
	// cancels the call and reports whether it did.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// AfterFunc calls f once d has passed on clock: through the clock's own AfterFunc when
// it is a TimerClock, otherwise on the system timer.
func AfterFunc(clock Clock, d time.Duration, f func()) (stop func() bool) {
	if tc, ok := clock.(TimerClock); ok {
		return tc.AfterFunc(d, f)
	}
	return time.AfterFunc(d, f).Stop
}
