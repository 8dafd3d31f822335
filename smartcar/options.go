package smartcar

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Option configures a Client; pass options to NewClient or FromEnv. An option given a
// value it cannot take reports it, and NewClient returns every such error at once.
type Option func(*config) error

// config is what the options set.
type config struct {
	httpcore.Settings
	vehicleURL, managementURL, tokenURL string
	unitSystem                          UnitSystem
	commandTimeout                      time.Duration
}

func defaultConfig() config {
	return config{
		Settings: httpcore.Settings{
			MaxRetries: DefaultMaxRetries,
			MaxWait:    DefaultMaxWait,
			Timeout:    DefaultTimeout,
			MaxBody:    DefaultMaxResponseBody,
			Clock:      telematics.SystemClock,
		},
		vehicleURL:     DefaultVehicleAPIURL,
		managementURL:  DefaultManagementAPIURL,
		tokenURL:       DefaultTokenURL,
		commandTimeout: DefaultCommandTimeout,
	}
}

// newConfig applies opts to the defaults and checks the credentials: every mistake
// comes back in one error matching telematics.ErrInvalidInput.
func newConfig(clientID, clientSecret string, opts []Option) (config, error) {
	cfg := defaultConfig()
	errs := httpcore.Apply(&cfg, opts)
	errs = append(errs, httpcore.CheckCredentials(clientID, clientSecret, EnvClientID, EnvClientSecret))
	return cfg, httpcore.Invalid(Provider, errs...)
}

// WithVehicleAPIURL sets the Vehicle API root (default DefaultVehicleAPIURL), an
// absolute http(s) URL.
func WithVehicleAPIURL(u string) Option {
	return func(c *config) error { return httpcore.SetURL(&c.vehicleURL, "vehicle API URL", u) }
}

// WithManagementAPIURL sets the Management API root (default DefaultManagementAPIURL),
// an absolute http(s) URL.
func WithManagementAPIURL(u string) Option {
	return func(c *config) error { return httpcore.SetURL(&c.managementURL, "management API URL", u) }
}

// WithTokenURL sets the token endpoint (default DefaultTokenURL), an absolute http(s)
// URL.
func WithTokenURL(u string) Option {
	return func(c *config) error { return httpcore.SetURL(&c.tokenURL, "token URL", u) }
}

// WithHTTPClient sends every request, token requests included, through hc; nil is an
// error. Its Timeout, if any, bounds each attempt on top of WithTimeout and
// WithCommandTimeout: leave it zero or above DefaultCommandTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error { return c.SetHTTPClient(hc) }
}

// WithLogger logs one debug line per attempt and token request, with credentials
// redacted. Nothing is logged by default or with a nil logger.
func WithLogger(l *slog.Logger) Option { return func(c *config) error { return c.SetLogger(l) } }

// WithUnitSystem sends SC-Unit-System with every request, asking for signal values in
// metric or imperial units; without it Smartcar answers in metric. Smartcar documents
// the header for its API and its own SDKs send it to v3, but that v3 honours it and
// which unit spellings an imperial answer uses are not documented ([U] in
// docs/evidence.md): read each value's Unit rather than assuming one.
func WithUnitSystem(u UnitSystem) Option {
	return func(c *config) error {
		switch u {
		case Metric, Imperial:
			c.unitSystem = u
			return nil
		}
		return fmt.Errorf("unit system %q is neither %q nor %q", u, Metric, Imperial)
	}
}

// WithUserAgent prefixes the User-Agent with the application's own name and version,
// for example "dispatch/2.1". A line break is an error.
func WithUserAgent(ua string) Option {
	return func(c *config) error { return c.SetUserAgent(ua) }
}

// WithMaxRetries sets how often a failed read (GET, HEAD, PUT, DELETE) is repeated after
// network errors, 5xx and rate-limit rejections (default DefaultMaxRetries; 0 turns
// retries off; a negative count is an error). Commands are never repeated once they may
// have reached Smartcar. A refused token is renewed and the call replayed once in any
// case.
func WithMaxRetries(n int) Option {
	return func(c *config) error { return c.SetMaxRetries(n) }
}

// WithMaxWait sets the longest a call waits for a rate limit: for the client-side
// limiter (WithAppRateLimit, WithBudget, WithRateLimiter), or for a wait the server
// asked for (default DefaultMaxWait). A longer wait is returned at once as a
// *telematics.RateLimitError. Zero never waits: a call that would have to wait for a
// rate limit fails at once with a *telematics.RateLimitError, which tells when to try
// again; with a shared budget (WithSharedBudget) that includes its waits, even the
// short one for another client's probe of a new window. A negative wait is an error.
func WithMaxWait(d time.Duration) Option { return func(c *config) error { return c.SetMaxWait(d) } }

// WithTimeout bounds each attempt of every call that is not a command, body included
// (default DefaultTimeout); WithRequestTimeout changes it for one call. It must be
// positive.
func WithTimeout(d time.Duration) Option { return func(c *config) error { return c.SetTimeout(d) } }

// WithCommandTimeout bounds each attempt of a command and of any other write to the
// Vehicle API (default DefaultCommandTimeout, the 310 s of Smartcar's own SDKs: a
// long-running command holds the connection until the vehicle answers). It must be
// positive.
func WithCommandTimeout(d time.Duration) Option {
	return func(c *config) error { return httpcore.SetPositive(&c.commandTimeout, "command timeout", d) }
}

// WithMaxResponseBody bounds the body of a successful answer to n bytes (default
// DefaultMaxResponseBody). A longer body fails the call with
// telematics.ErrResponseTooLarge, unread past the limit, and reading it never allocates
// more than about 1.125 times n, however long or endless it is. n must be positive.
func WithMaxResponseBody(n int64) Option {
	return func(c *config) error { return c.SetMaxBody(n) }
}

// WithClock sets the clock used for token expiry, backoff and rate-limit waits (default
// the system clock; nil is an error). Tests share one manual clock between the client
// and a fake server.
func WithClock(clock telematics.Clock) Option {
	return func(c *config) error { return c.SetClock(clock) }
}

// WithAppRateLimit paces requests on the client side to Smartcar's documented
// application budget (AppRateLimitBurst requests, one more every AppRateLimitInterval),
// shared by every goroutine using the client and by both APIs, so that a fleet of
// concurrent readers never trips the application's 429. A request whose turn is further
// away than the maximum wait is not sent and fails with a *telematics.RateLimitError.
// It is WithRateLimiter with that bucket.
func WithAppRateLimit() Option {
	return WithRateLimiter(rate.NewLimiter(rate.Every(AppRateLimitInterval), AppRateLimitBurst))
}

// WithRateLimiter paces requests with lim instead, for a budget negotiated with
// Smartcar. Share one limiter between clients of the same application. Its tokens are
// taken at the client's clock. WithAppRateLimit, WithBudget and WithRateLimiter set the
// same limiter: the last one given wins, and WithRateLimiter(nil) removes it.
func WithRateLimiter(lim *rate.Limiter) Option {
	return func(c *config) error { return c.SetRateLimiter(lim) }
}

// WithBudget paces requests evenly on the client side so that they never outrun n
// requests per period: one request every per/n, without a burst. Both must be positive.
// It sets the same limiter as WithRateLimiter: the last one given wins.
func WithBudget(n int, per time.Duration) Option {
	return func(c *config) error { return c.SetBudget(n, per) }
}

// WithSharedBudget shares the application's request budget with every other client of
// the same credential, in this process or another, through b (for example a
// github.com/fleetkit/fleetkit-go/redisbudget.Store): each request of either API waits
// for b's grant, and every response's budget headers are reported to b. b knows the
// budget by Provider and client ID, never the secret, with the documented application
// budget: AppRateLimitBurst requests per AppRateLimitBurst × AppRateLimitInterval (the
// bucket's full refill). When b's store fails or is slow, requests pace locally as
// without it, with one warning logged per outage, until it answers again. Nil (the
// default) paces in this client only.
//
// With WithMaxWait(0) a call never waits for b either: when b says to wait, the call
// fails at once with a *telematics.RateLimitError whose RetryAfter is b's wait, nothing
// sent. That includes the few milliseconds while another client probes a window
// nobody has seen yet (the first request of a window, see package redisbudget): give
// such a client a maximum wait of a second or two to ride over probes, or retry after
// RetryAfter.
func WithSharedBudget(b telematics.SharedBudget) Option {
	return func(c *config) error { return c.SetSharedBudget(b) }
}

// RequestOption configures one call; every method takes them as its last arguments. An
// option given a value it cannot take fails the call with telematics.ErrInvalidInput
// before anything is sent. The mycartracks package's RequestOption is built on the same
// per-call options, with the same WithHeader, WithResponse and WithRequestTimeout.
type RequestOption func(*httpcore.CallOptions)

// headerUserID is the header WithUserID sets.
const headerUserID = "SC-User-Id"

// WithUserID scopes the call to the vehicle owner (the sc-user-id header): the user id
// Smartcar Connect returned when the owner connected the vehicle. Signal and command
// calls require it and fail with ErrUserIDRequired without sending anything when it is
// missing.
func WithUserID(id string) RequestOption {
	return func(o *httpcore.CallOptions) { o.SetProviderHeader(headerUserID, strings.TrimSpace(id)) }
}

// WithResponse stores what the call learned of the HTTP exchange in r (status, headers,
// request id, attempts), also when the call fails. For an iterator it is the last page's.
func WithResponse(r *telematics.Response) RequestOption {
	return RequestOption(httpcore.WithResponse(r))
}

// WithHeader adds a header to the call. Headers the client sets itself are refused with
// telematics.ErrInvalidInput before anything is sent: Authorization (the application
// token), SC-User-Id (use WithUserID), User-Agent (use WithUserAgent), Accept,
// Content-Type, Content-Length and Host; so are a line break and an empty name.
// Commands and other writes also refuse Idempotency-Key (see CommandsService).
func WithHeader(key, value string) RequestOption {
	return RequestOption(httpcore.WithHeader(key, value))
}

// reservedHeaders are the headers of Smartcar that WithHeader refuses beyond those every
// client sets (Authorization, User-Agent, Accept, Content-Type, Content-Length).
var reservedHeaders = map[string]string{
	"Sc-User-Id": "use WithUserID",
	"Host":       "set the API URLs with WithVehicleAPIURL or WithManagementAPIURL",
}

// WithRequestTimeout bounds each attempt of this call instead of the client's timeout
// or command timeout. It must be positive.
func WithRequestTimeout(d time.Duration) RequestOption {
	return RequestOption(httpcore.WithRequestTimeout(d))
}
