package smartcartest

import (
	"fmt"
	"net"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

type config struct {
	clock         telematics.Clock
	clientID      string
	clientSecret  string
	tokenLifetime time.Duration
	appBurst      int
	appEvery      time.Duration
	unwrapped     bool
	legacyPaging  bool
	errorForm     ErrorForm
	rfc3339Times  bool
	appRetryAfter bool
	sleepingReads bool
	listener      net.Listener
}

// Option configures a Server.
type Option func(*config)

func defaultConfig() config {
	return config{clock: telematics.SystemClock, clientID: DefaultClientID, clientSecret: DefaultClientSecret, tokenLifetime: time.Hour}
}

// validate returns an error for every invalid option.
func (c *config) validate() []error {
	var errs []error
	check := func(bad bool, format string, args ...any) {
		if bad {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.clock == nil, "WithClock: the clock must not be nil")
	check(c.clientID == "" || c.clientSecret == "", "WithCredentials: the client id and secret must not be empty")
	check(c.tokenLifetime <= 0, "WithTokenLifetime(%v): must be positive", c.tokenLifetime)
	check(c.appBurst < 0 || (c.appBurst > 0 && c.appEvery <= 0) || (c.appBurst == 0 && c.appEvery != 0),
		"WithAppRateLimit(%d, %v): the burst and the interval must be positive", c.appBurst, c.appEvery)
	check(c.errorForm < FormDefault || c.errorForm > FormNested, "WithErrorForm(%d): not an ErrorForm", int(c.errorForm))
	return errs
}

// WithClock makes the server keep time by clock: token expiry, Retry-After windows, the
// application bucket and every timestamp it writes. Share the clock with the client
// under test.
func WithClock(clock telematics.Clock) Option { return func(c *config) { c.clock = clock } }

// WithCredentials sets the credentials the token endpoint accepts.
func WithCredentials(clientID, clientSecret string) Option {
	return func(c *config) { c.clientID, c.clientSecret = clientID, clientSecret }
}

// WithTokenLifetime sets the lifetime of issued tokens (default one hour, as Smartcar's).
func WithTokenLifetime(d time.Duration) Option { return func(c *config) { c.tokenLifetime = d } }

// WithAppRateLimit enforces an application-wide token bucket on both APIs: burst
// requests, one more every interval. Smartcar's documented default is 120 and 30 s
// (2 per minute). Requests beyond it get 429 RATE_LIMIT:SMARTCAR_API, without
// Retry-After: Smartcar documents the header on a vehicle's limit and exponential
// backoff for the application's ([C]; that none is sent is our reading, [I]). Off by
// default.
//
// Both must be positive.
func WithAppRateLimit(burst int, every time.Duration) Option {
	return func(c *config) { c.appBurst, c.appEvery = burst, every }
}

// WithAppRetryAfter makes the application bucket's 429 carry a Retry-After with the
// time until its next token: not documented by Smartcar ([U]), a variant for testing
// clients that honour the header.
func WithAppRetryAfter() Option { return func(c *config) { c.appRetryAfter = true } }

// WithErrorForm selects the shape of the server's error bodies: FormJSONAPI, the v3
// form Smartcar documents (the default), or FormFlat, the form Smartcar's official SDKs
// parse (type, code, description, docURL, statusCode, requestId, resolution), so that
// those SDKs can be tested against the fake. A Fault with its own form keeps it.
func WithErrorForm(form ErrorForm) Option { return func(c *config) { c.errorForm = form } }

// WithRFC3339SignalTimes writes the signal times (meta.retrievedAt, meta.oemUpdatedAt,
// and meta.ingestedAt) as RFC 3339 strings, as v3 responses captured in mid-2026 do
// ([R]), instead of the epoch milliseconds of the signal specification ([C]).
func WithRFC3339SignalTimes() Option { return func(c *config) { c.rfc3339Times = true } }

// WithListener serves on l instead of a new listener on a loopback port: an address
// chosen by the caller (package sandbox serves the fake to any client this way). URL is
// "http://" + l.Addr(); Close closes l.
func WithListener(l net.Listener) Option { return func(c *config) { c.listener = l } }

// WithSleepingReads makes a vehicle put to sleep (SetAsleep) refuse signal reads too,
// with 409 VEHICLE_STATE:ASLEEP, as it refuses commands. Whether v3 reads of a sleeping
// vehicle fail or answer from Smartcar's store is not documented ([U]); the option is
// for testing clients that must back off from a vehicle that keeps failing.
func WithSleepingReads() Option { return func(c *config) { c.sleepingReads = true } }

// WithUnwrappedSignals answers GET /vehicles/{id}/signals/{code} with the bare signal
// object instead of a {"data": ...} document; Smartcar's examples show both.
func WithUnwrappedSignals() Option { return func(c *config) { c.unwrapped = true } }

// WithLegacyPaging uses the older spelling of page metadata: meta.page instead of
// meta.pageNumber and links.previous instead of links.prev.
func WithLegacyPaging() Option { return func(c *config) { c.legacyPaging = true } }
