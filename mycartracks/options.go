package mycartracks

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Defaults of a Client.
const (
	// DefaultBaseURL is the root of the MyCarTracks REST API v3.
	DefaultBaseURL = "https://mycartracks.com/services/rest/v3"
	// DefaultTokenURL is the OAuth2 token endpoint of MyCarTracks.
	DefaultTokenURL = "https://mycartracks.com/oauth/token"
	// DefaultMaxWait is the longest a call waits for the request budget to refill before
	// it gives up with a *telematics.RateLimitError. MyCarTracks allows 150 requests per
	// 15-minute window by default, so a long export regularly has to wait out the rest of
	// a window: the default covers a whole window plus a minute of margin. Lower it with
	// WithMaxWait for interactive code that prefers failing fast (WithMaxWait(0) never
	// waits).
	DefaultMaxWait = 16 * time.Minute
	// DefaultMaxRetries is how often a failed call that is safe to repeat is retried.
	DefaultMaxRetries = 4
	// DefaultTimeout bounds one attempt of a call, body included.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxResponseBody bounds the body of a successful answer: a trackpoint page of
	// the largest size is about 1.5 MB.
	DefaultMaxResponseBody = 32 << 20
	// RateWindow is the budget window of MyCarTracks (150 requests per 15 minutes by
	// default). A rate-limit rejection that says no request remains but not when the
	// window resets is retried once this long after it (and later calls wait too), or
	// fails at once with a *telematics.RateLimitError when the maximum wait is shorter.
	RateWindow = 15 * time.Minute
	// RateLimit is the number of requests MyCarTracks allows per RateWindow by default.
	RateLimit = 150
)

// Scopes a client may request.
const (
	// ScopeRead allows reading every resource.
	ScopeRead = "read"
	// ScopeWrite allows creating, updating and deleting jobs, geofences and map sharing
	// links. Request it only when the credentials are allowed to write.
	ScopeWrite = "write"
)

// Option configures a Client; pass options to NewClient or FromEnv. An option given a
// value it cannot take reports it, and NewClient returns every such error at once.
type Option func(*config) error

type config struct {
	httpcore.Settings
	baseURL  string
	tokenURL string
	scopes   []string
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
		baseURL:  DefaultBaseURL,
		tokenURL: DefaultTokenURL,
		scopes:   []string{ScopeRead},
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

// WithScopes sets the OAuth2 scopes requested with the token: ScopeRead (the default),
// or ScopeRead and ScopeWrite for clients that create, update or delete. A single
// argument may hold several scopes separated by spaces ("read write"). At least one
// scope is required, and only these two are known.
func WithScopes(scopes ...string) Option {
	return func(c *config) error {
		c.scopes = nil
		for _, s := range scopes {
			c.scopes = append(c.scopes, strings.Fields(s)...)
		}
		if len(c.scopes) == 0 {
			return errors.New("at least one scope is required")
		}
		for _, s := range c.scopes {
			if s != ScopeRead && s != ScopeWrite {
				return fmt.Errorf("unknown scope %q (MyCarTracks knows %q and %q)", s, ScopeRead, ScopeWrite)
			}
		}
		return nil
	}
}

// WithBaseURL sets the API root (default DefaultBaseURL), an absolute http(s) URL; a
// test points it at a fake server.
func WithBaseURL(u string) Option {
	return func(c *config) error { return httpcore.SetURL(&c.baseURL, "base URL", u) }
}

// WithTokenURL sets the OAuth2 token endpoint (default DefaultTokenURL), an absolute
// http(s) URL.
func WithTokenURL(u string) Option {
	return func(c *config) error { return httpcore.SetURL(&c.tokenURL, "token URL", u) }
}

// WithHTTPClient sets the HTTP client that sends API and token requests; nil is an
// error. Its Transport is used; the client's overall Timeout should be zero, since each
// attempt is bounded by WithTimeout instead.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error { return c.SetHTTPClient(hc) }
}

// WithLogger sets a structured logger receiving one debug line per attempt, with
// credentials redacted. Nothing is logged by default or with a nil logger.
func WithLogger(l *slog.Logger) Option { return func(c *config) error { return c.SetLogger(l) } }

// WithUserAgent prefixes the User-Agent header, for example "dispatch/2.1". A line
// break is an error.
func WithUserAgent(ua string) Option {
	return func(c *config) error { return c.SetUserAgent(ua) }
}

// WithMaxRetries sets how often a failed call that is safe to repeat (reads, PUT,
// DELETE) is retried after network errors, 5xx and rate-limit rejections (default
// DefaultMaxRetries; 0 turns retries off; a negative count is an error). A refused token
// is renewed and the call replayed once in any case.
func WithMaxRetries(n int) Option {
	return func(c *config) error { return c.SetMaxRetries(n) }
}

// WithMaxWait sets the longest a call waits for a rate limit: for the request budget to
// refill, for the client-side limiter (WithBudget, WithRateLimiter), or for a wait the
// server asked for (default DefaultMaxWait). A longer wait is returned at once as a
// *telematics.RateLimitError. Zero never waits: a call that would have to wait for a
// rate limit fails at once with a *telematics.RateLimitError, which tells when to try
// again; with a shared budget (WithSharedBudget) that includes its waits, even the
// short one for another client's probe of a new window. A negative wait is an error.
func WithMaxWait(d time.Duration) Option { return func(c *config) error { return c.SetMaxWait(d) } }

// WithTimeout bounds each attempt of a call, body included (default DefaultTimeout);
// WithRequestTimeout changes it for one call. It must be positive.
func WithTimeout(d time.Duration) Option { return func(c *config) error { return c.SetTimeout(d) } }

// WithMaxResponseBody bounds the body of a successful answer to n bytes (default
// DefaultMaxResponseBody). A longer body fails the call with
// telematics.ErrResponseTooLarge, unread past the limit, and reading it never allocates
// more than about 1.125 times n, however long or endless it is. n must be positive.
func WithMaxResponseBody(n int64) Option {
	return func(c *config) error { return c.SetMaxBody(n) }
}

// WithRateLimiter paces requests on the client side with lim, for example to share one
// budget between several clients of the same account. Its tokens are taken at the
// client's clock. The client paces on the budget headers of every response anyway.
// WithRateLimiter and WithBudget set the same limiter: the last one given wins, and
// WithRateLimiter(nil) removes it.
func WithRateLimiter(lim *rate.Limiter) Option {
	return func(c *config) error { return c.SetRateLimiter(lim) }
}

// WithBudget paces requests evenly on the client side so that they never outrun n
// requests per period: one request every per/n. Both must be positive. WithBudget and
// WithRateLimiter set the same limiter: the last one given wins.
func WithBudget(n int, per time.Duration) Option {
	return func(c *config) error { return c.SetBudget(n, per) }
}

// WithSharedBudget shares the request budget with every other client of the same
// credential, in this process or another, through b (for example a
// github.com/fleetkit/fleetkit-go/redisbudget.Store): each request waits for b's grant,
// and every response's budget headers are reported to b, so that when one client sees
// the budget spent, all of them wait for its reset. b knows the budget by Provider and
// client ID, never the secret, with RateLimit per RateWindow. When b's store fails or
// is slow, requests pace locally as without it, with one warning logged per outage,
// until it answers again. Nil (the default) paces in this client only.
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

// WithClock sets the clock used for waits, backoff and token expiry (default the system
// clock; nil is an error). Tests share one manual clock between the client and a fake
// server.
func WithClock(clock telematics.Clock) Option {
	return func(c *config) error { return c.SetClock(clock) }
}

func (c *config) hasScope(s string) bool {
	for _, have := range c.scopes {
		if have == s {
			return true
		}
	}
	return false
}
