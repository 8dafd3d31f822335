package smartcar

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Option configures a Client.
type Option func(*config)

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("smartcar: %w: "+format, append([]any{telematics.ErrInvalidInput}, args...)...))
}

// WithVehicleAPIURL sets the Vehicle API root (default DefaultVehicleAPIURL).
func WithVehicleAPIURL(u string) Option { return func(c *config) { c.vehicleURL = u } }

// WithManagementAPIURL sets the Management API root (default DefaultManagementAPIURL).
func WithManagementAPIURL(u string) Option { return func(c *config) { c.managementURL = u } }

// WithTokenURL sets the token endpoint (default DefaultTokenURL).
func WithTokenURL(u string) Option { return func(c *config) { c.tokenURL = u } }

// WithHTTPClient sends every request, token requests included, through hc. Its
// Timeout, if any, bounds each attempt on top of the read and command timeouts: leave it
// zero or above DefaultCommandTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) {
		if hc == nil {
			c.fail("nil HTTP client")
			return
		}
		c.httpClient = hc
	}
}

// WithLogger logs one debug line per attempt and token request, with credentials
// redacted. Nothing is logged by default.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithUnitSystem sends SC-Unit-System with every request, asking for signal values in
// metric or imperial units; without it Smartcar answers in metric. Smartcar documents
// the header for its API and its own SDKs send it to v3, but that v3 honours it and
// which unit spellings an imperial answer uses are not documented ([U] in the
// reference): read each value's Unit rather than assuming one.
func WithUnitSystem(u UnitSystem) Option {
	return func(c *config) {
		switch u {
		case Metric, Imperial:
			c.unitSystem = u
		default:
			c.fail("unit system %q is neither %q nor %q", u, Metric, Imperial)
		}
	}
}

// WithUserAgent prefixes the User-Agent with the application's own name and version.
func WithUserAgent(ua string) Option {
	return func(c *config) {
		if strings.ContainsAny(ua, "\r\n") {
			c.fail("user agent contains a line break")
			return
		}
		c.userAgent = ua
	}
}

// WithMaxRetries bounds how often a failed read is repeated (default 4; 0 turns
// retries off). Commands are never repeated once they may have reached Smartcar.
func WithMaxRetries(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.fail("negative retry count %d", n)
			return
		}
		c.maxRetries, c.retriesSet = n, true
	}
}

// WithMaxWait bounds how long a call waits for a rate limit (a Retry-After, the
// client-side limiter). A longer wait is returned at once as a
// *telematics.RateLimitError. Default 60 s.
func WithMaxWait(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.fail("maximum wait %s is not positive", d)
			return
		}
		c.maxWait = d
	}
}

// WithReadTimeout bounds one attempt of every call that is not a command (default
// DefaultReadTimeout).
func WithReadTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.fail("read timeout %s is not positive", d)
			return
		}
		c.readTimeout = d
	}
}

// WithCommandTimeout bounds one command (default DefaultCommandTimeout, the 310 s of
// Smartcar's own SDKs: a long-running command holds the connection until the vehicle
// answers).
func WithCommandTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.fail("command timeout %s is not positive", d)
			return
		}
		c.commandTimeout = d
	}
}

// WithMaxResponseBody bounds the body of a successful answer to n bytes (default
// DefaultMaxResponseBody). A longer body fails the call with
// telematics.ErrResponseTooLarge, unread past the limit, and reading it never allocates
// more than about 1.125 times n, however long or endless it is. n must be positive.
func WithMaxResponseBody(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			c.fail("maximum response body %d is not positive", n)
			return
		}
		c.maxBody = n
	}
}

// WithClock sets the clock used for token expiry, backoff and rate-limit waits (tests).
func WithClock(clock telematics.Clock) Option {
	return func(c *config) {
		if clock == nil {
			c.fail("nil clock")
			return
		}
		c.clock = clock
	}
}

// WithAppRateLimit paces requests on the client side to Smartcar's documented
// application budget (AppRateLimitBurst requests, one more every AppRateLimitInterval),
// shared by every goroutine using the client and by both APIs, so that a fleet of
// concurrent readers never trips the application's 429. A request whose turn is further
// away than the maximum wait is not sent and fails with a *telematics.RateLimitError.
func WithAppRateLimit() Option {
	return WithRateLimiter(rate.NewLimiter(rate.Every(AppRateLimitInterval), AppRateLimitBurst))
}

// WithRateLimiter paces requests with lim instead, for a budget negotiated with
// Smartcar. Share one limiter between clients of the same application.
func WithRateLimiter(lim *rate.Limiter) Option {
	return func(c *config) {
		if lim == nil {
			c.fail("nil rate limiter")
			return
		}
		c.limiter = lim
	}
}

// RequestOption configures one call.
type RequestOption func(*callOptions)

type callOptions struct {
	userID   string
	header   http.Header
	response *telematics.Response
	timeout  time.Duration
	err      error
}

// WithUserID scopes the call to the vehicle owner (the sc-user-id header): the user id
// Smartcar Connect returned when the owner connected the vehicle. Signal and command
// calls require it and fail with ErrUserIDRequired without sending anything when it is
// missing.
func WithUserID(id string) RequestOption {
	return func(o *callOptions) {
		if strings.ContainsAny(id, "\r\n") {
			o.err = invalidf("user id contains a line break")
			return
		}
		o.userID = strings.TrimSpace(id)
	}
}

// WithResponse stores what the call learned of the HTTP exchange in r (status, headers,
// request id, attempts), also when the call fails. For an iterator it is the last page's.
func WithResponse(r *telematics.Response) RequestOption {
	return func(o *callOptions) { o.response = r }
}

// WithHeader adds a header to the call. Headers the client sets itself are refused with
// telematics.ErrInvalidInput before anything is sent: Authorization (the application
// token), SC-User-Id (use WithUserID), User-Agent (use WithUserAgent), Accept,
// Content-Type, Content-Length and Host. Commands and other writes also refuse
// Idempotency-Key (see CommandsService).
func WithHeader(key, value string) RequestOption {
	return func(o *callOptions) {
		if strings.ContainsAny(key+value, "\r\n") {
			o.err = invalidf("header %q contains a line break", key)
			return
		}
		key = http.CanonicalHeaderKey(strings.TrimSpace(key))
		if key == "" {
			o.err = invalidf("empty header name")
			return
		}
		if why, reserved := reservedHeaders[key]; reserved {
			o.err = invalidf("the %s header cannot be set with WithHeader: %s", key, why)
			return
		}
		if o.header == nil {
			o.header = http.Header{}
		}
		o.header.Add(key, value)
	}
}

// reservedHeaders are the headers the client sets, with what to do instead.
var reservedHeaders = map[string]string{
	"Authorization":  "the client sends its application token",
	"Sc-User-Id":     "use WithUserID",
	"User-Agent":     "use WithUserAgent",
	"Accept":         "the client always asks for JSON",
	"Content-Type":   "the client always sends JSON",
	"Content-Length": "the client computes it",
	"Host":           "set the API URLs with WithVehicleAPIURL or WithManagementAPIURL",
}

// WithRequestTimeout bounds each attempt of this call instead of the client's read or
// command timeout.
func WithRequestTimeout(d time.Duration) RequestOption {
	return func(o *callOptions) {
		if d <= 0 {
			o.err = invalidf("request timeout %s is not positive", d)
			return
		}
		o.timeout = d
	}
}
