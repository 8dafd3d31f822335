// Package httpcore is the one request loop every fleetkit provider call goes through.
//
// A provider builds a Client once from a Config (base URL, token source, error decoder,
// limits) and calls Do for every endpoint. Do joins the path onto the base URL, encodes
// the query and JSON body, sets Authorization, User-Agent and Accept, and then:
//
//   - waits for the client-side limiter and, when the provider's last reported budget is
//     spent, for its window to reset (never longer than MaxWait); with a shared budget
//     (Config.Budget) it waits for the budget's grant instead of the latter, gives the
//     grant back when the request is not sent, reports every response's budget to it,
//     and paces locally while its store fails;
//   - on 401 invalidates the token, fetches a new one and replays the request once;
//   - retries network failures, 408, 425, 429, 500, 502, 503, 504 and responses the
//     provider's error decoder marks as rate limited, with exponential backoff whose floor
//     is the server's Retry-After / reset hint, but only for calls that are safe to repeat
//     (GET, HEAD, PUT, DELETE, or a request marked Idempotent); a request that never left
//     the machine is always safe to repeat;
//   - gives up when the next wait would pass RetryPolicy.MaxElapsedTime, a 503's
//     Retry-After included; a rate-limit rejection is waited out like pacing instead,
//     until a margin past its reset (RateWindow when it reports a spent budget but no
//     reset), all the rate-limit waits of a call together bounded by MaxWait;
//   - returns a rate-limit wait that would go past MaxWait at once as a
//     *telematics.RateLimitError;
//   - decodes 2xx JSON bodies into the caller's value, and other statuses into the
//     provider's typed error through Config.DecodeError, reading at most MaxErrorBody
//     bytes of them;
//   - removes the client's secrets and tokens from error bodies and logged errors in any
//     encoding a server may echo them in (internal/redact);
//   - logs one debug line per attempt with credentials redacted, with the verdict on a
//     failed attempt and its reason;
//   - refuses, before sending, a call after Close (telematics.ErrClientClosed) and an
//     Idempotency-Key on a call it does not repeat.
//
// The files follow a call: client.go builds the Client and the request, loop.go runs the
// attempts (loop.run), pace.go waits for budgets, decide.go is the retry policy as one
// pure function (decide) returning a verdict and its reason, body.go reads bounded
// bodies, and errortext.go holds what both providers' errors share: the message format
// (ErrorText), the MayHaveSucceeded rule and Malformed.
package httpcore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/fleetkit/fleetkit-go/internal/ratelimit"
	"github.com/fleetkit/fleetkit-go/internal/redact"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Version is the SDK version sent in the User-Agent.
const Version = "0.1.0"

// Defaults of a Config.
const (
	DefaultMaxWait      = 60 * time.Second
	DefaultMaxErrorBody = 64 << 10
	// DefaultMaxBody bounds a success body: far above the largest page a provider sends
	// (a MyCarTracks trackpoint page of the largest size is about 1.5 MB), far below what
	// would hurt a process that reads several lists at once.
	DefaultMaxBody = 32 << 20
	DefaultTimeout = 60 * time.Second
	// DefaultRateWindow is how long a spent budget is assumed to last when the provider
	// says none is left but not when it resets.
	DefaultRateWindow = time.Minute
)

// TokenSource supplies bearer tokens and drops one the provider refused.
// *auth.Source implements it.
type TokenSource interface {
	Token(ctx context.Context) (*oauth2.Token, error)
	Invalidate(tok *oauth2.Token)
}

// ErrorDecoder turns a non-2xx response into the provider's typed error. body holds at
// most MaxErrorBody bytes. The error it returns should match the telematics sentinels;
// the loop treats one matching telematics.ErrRateLimited as a rate-limit rejection
// whatever its status (MyCarTracks answers an exhausted budget with 403). An error with a
// Retryable() bool method that returns false is never retried, whatever its status (a
// vehicle maker's rate limit answered 502, a rate limit without a Retry-After).
type ErrorDecoder func(resp *telematics.Response, body []byte) error

// Config configures a Client. Provider, BaseURL and DecodeError are required.
type Config struct {
	// Provider names the provider in the User-Agent, errors and logs ("mycartracks").
	Provider string
	// BaseURL is the API root; request paths are joined onto it, so it may carry a path
	// prefix ("https://mycartracks.com/services/rest/v3").
	BaseURL string
	// HTTPClient sends requests (default: a client with http.DefaultTransport and no
	// overall timeout; each attempt is bounded by Timeout instead).
	HTTPClient *http.Client
	// Tokens supplies bearer tokens; nil sends no Authorization header.
	Tokens TokenSource
	// UserAgent is prefixed to "fleetkit-go/<version> (<provider>)".
	UserAgent string
	// Header holds headers sent with every request (for example a unit system).
	Header http.Header
	// Logger receives one debug line per attempt; nil logs nothing.
	Logger *slog.Logger
	// Clock measures and waits (default telematics.SystemClock).
	Clock telematics.Clock
	// Retry bounds retries (default DefaultRetry()).
	Retry RetryPolicy
	// MaxWait is the longest a call waits for rate limits, all its waits together (the
	// client-side limiter, a spent budget, the Retry-After of a rate-limit rejection): a
	// wait that would go past it is returned as a *telematics.RateLimitError instead
	// (default DefaultMaxWait). A call thus lasts at most about MaxWait plus the retry
	// policy's MaxElapsedTime, plus the attempts themselves. NoWait never waits.
	MaxWait time.Duration
	// Limiter, when set, paces requests on the client side (a provider's published
	// budget). Its tokens are taken at the Clock's time.
	Limiter *Limiter
	// RateWindow is how long the budget is assumed to stay spent after a rate-limit
	// rejection that reports no requests remaining (X-Rate-Limit-Remaining: 0) but
	// neither a reset nor a Retry-After: the provider's budget window (default
	// DefaultRateWindow). The call waits for it like for a reported reset, or fails at
	// once with a *telematics.RateLimitError when it is longer than MaxWait.
	RateWindow time.Duration
	// Timeout bounds one attempt, body included (default DefaultTimeout); a Request may
	// set its own.
	Timeout time.Duration
	// MaxBody bounds a success body (default DefaultMaxBody; a Request may set its own);
	// a longer one fails the call with telematics.ErrResponseTooLarge, and reading it
	// never allocates more than about 1.125 times MaxBody, however long or endless it is.
	// MaxErrorBody bounds an error body (default DefaultMaxErrorBody).
	MaxBody      int64
	MaxErrorBody int64
	// DecodeError builds the provider's error from a non-2xx response.
	DecodeError ErrorDecoder
	// Redactor removes the client's secrets, in any encoding, from error bodies before
	// DecodeError sees them and from logged errors; the token of each attempt is removed
	// too. Share the token source's, which learns every token granted (default: one that
	// knows no fixed secret).
	Redactor *redact.Redactor
	// Budget, when set, is the request budget the client shares with every other client
	// of its credential (other processes included): each request waits for its grant
	// instead of the pacer's, and every response's budget headers are reported to it.
	// When its store fails or is slower than BudgetTimeout, requests pace locally (the
	// Limiter and the pacer) until it answers again, asked every BudgetRetry. Nil paces
	// in-process only, the default.
	Budget telematics.SharedBudget
	// BudgetKey names the credential in Budget: the provider, the client ID (never the
	// secret) and the provider's published budget.
	BudgetKey telematics.BudgetKey
	// BudgetTimeout bounds each call to Budget (default DefaultBudgetTimeout);
	// BudgetRetry is how long requests pace locally after it failed (default
	// DefaultBudgetRetry).
	BudgetTimeout, BudgetRetry time.Duration
	// shared is the shared budget's state when Settings.Core made it for several
	// Clients of one provider client (both Smartcar APIs), so that they live through
	// an outage of its store together: one warning, one retry.
	shared *shared
}

// Client sends requests for one provider API. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   *url.URL
	hc     *http.Client
	ua     string
	log    *slog.Logger
	pacer  *ratelimit.Pacer
	shared *shared // nil without a Config.Budget
	closed atomic.Bool
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Provider == "" {
		return nil, errors.New("httpcore: Provider is required")
	}
	if cfg.DecodeError == nil {
		return nil, errors.New("httpcore: DecodeError is required")
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("%s: %w: base URL %q is not an absolute http(s) URL", cfg.Provider, telematics.ErrInvalidInput, RedactURLString(cfg.BaseURL))
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	base.RawPath = ""
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Clock == nil {
		cfg.Clock = telematics.SystemClock
	}
	if cfg.Retry == (RetryPolicy{}) {
		cfg.Retry = DefaultRetry()
	}
	switch {
	case cfg.MaxWait == 0:
		cfg.MaxWait = DefaultMaxWait
	case cfg.MaxWait < 0: // NoWait
		cfg.MaxWait = 0
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = DefaultRateWindow
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxErrorBody <= 0 {
		cfg.MaxErrorBody = DefaultMaxErrorBody
	}
	if cfg.Redactor == nil {
		cfg.Redactor = redact.New("", "")
	}
	ua := "fleetkit-go/" + Version + " (" + cfg.Provider + ")"
	if cfg.UserAgent != "" {
		ua = cfg.UserAgent + " " + ua
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.Level(math.MaxInt)}))
	}
	if cfg.Limiter != nil {
		cfg.Limiter = cfg.Limiter.acquire()
	}
	c := &Client{cfg: cfg, base: base, hc: cfg.HTTPClient, ua: ua, log: log, pacer: ratelimit.NewPacer(), shared: cfg.shared}
	if c.shared == nil && cfg.Budget != nil {
		c.shared = newShared(cfg, log)
	}
	return c, nil
}

// Close releases what the Client holds beyond its own memory: its share of a Limiter.
// It closes no connection (the HTTP client may be the caller's) and may be called more
// than once. Do then fails with telematics.ErrClientClosed without sending anything.
func (c *Client) Close() {
	if c.closed.Swap(true) || c.cfg.Limiter == nil {
		return
	}
	c.cfg.Limiter.release()
}

// Rate returns the provider's budget as its last response reported it.
func (c *Client) Rate() telematics.Rate { return c.pacer.Rate() }

// BaseURL returns the API root requests are sent to.
func (c *Client) BaseURL() string { return c.base.String() }

// Request is one API call.
type Request struct {
	Method string
	// Path is joined onto the base URL. It may also be an absolute URL on the base URL's
	// host (a "next" link); any other host is refused so that the token never leaves the
	// provider. Build paths with Path to escape identifiers.
	Path  string
	Query url.Values
	// Body is encoded as JSON; nil sends no body. A json.RawMessage is sent as is.
	Body any
	// Header holds headers for this call only.
	Header http.Header
	// Idempotent marks a POST or PATCH as safe to repeat, so that it is retried like a GET.
	Idempotent bool
	// Timeout bounds each attempt of this call instead of Config.Timeout.
	Timeout time.Duration
	// MaxBody bounds the success body of this call instead of Config.MaxBody, for an
	// endpoint that knows how large its answers can be.
	MaxBody int64
}

// Do sends req and decodes a 2xx JSON body into out (nil discards it). A *[]byte
// receives the raw body, read into the slice's capacity when it has some, so that a
// caller reading many pages can hand the same buffer back each time; pass a nil slice
// when the previous contents are still referenced. It returns what it learned of the
// last response even when it fails.
func (c *Client) Do(ctx context.Context, req *Request, out any) (*telematics.Response, error) {
	u, err := c.resolve(req)
	if err != nil {
		return nil, err
	}
	l := &loop{c: c, req: req, url: u, redacted: RedactURL(u), canRepeat: req.Idempotent || safeMethod(req.Method)}
	if c.closed.Load() {
		return nil, fmt.Errorf("%s: %s %s: %w (request not sent)", c.cfg.Provider, req.Method, l.redacted, telematics.ErrClientClosed)
	}
	if h := replayHeader(req.Header); h != "" && !l.canRepeat {
		// net/http sends a request carrying it again on a dropped connection: a call the
		// SDK must not repeat (a vehicle command) would reach the provider twice.
		return nil, fmt.Errorf("%s: %s %s: %w: the %s header makes net/http send the request again when a connection drops, "+
			"and this call is not safe to repeat: the provider may not deduplicate it; the SDK never repeats such a call, so read the state before trying again (request not sent)",
			c.cfg.Provider, req.Method, l.redacted, telematics.ErrInvalidInput, h)
	}
	if req.Body != nil {
		if raw, ok := req.Body.(json.RawMessage); ok {
			l.body = raw
		} else if l.body, err = json.Marshal(req.Body); err != nil {
			return nil, fmt.Errorf("%s: %w: encoding request body: %v", c.cfg.Provider, telematics.ErrInvalidInput, err)
		}
	}
	if raw, ok := out.(*[]byte); ok && raw != nil {
		l.buf = (*raw)[:0]
	}
	return l.run(ctx, out)
}

// replayHeader returns the header of h that makes net/http treat a request as safe to
// send again on a new connection, or "".
func replayHeader(h http.Header) string {
	for _, name := range []string{"Idempotency-Key", "X-Idempotency-Key"} {
		if _, ok := h[name]; ok {
			return name
		}
	}
	return ""
}

// resolve builds the request URL from the base URL, the path and the query.
func (c *Client) resolve(req *Request) (*url.URL, error) {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	var u *url.URL
	if strings.HasPrefix(req.Path, "http://") || strings.HasPrefix(req.Path, "https://") {
		abs, err := url.Parse(req.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: malformed URL: %v", c.cfg.Provider, telematics.ErrInvalidInput, err)
		}
		if abs.Scheme != c.base.Scheme || abs.Host != c.base.Host {
			return nil, fmt.Errorf("%s: %w: refusing to send credentials to %s (not the API host)", c.cfg.Provider, telematics.ErrInvalidInput, abs.Host)
		}
		u = abs
	} else {
		p, q, _ := strings.Cut(req.Path, "?")
		rel, err := url.Parse(p)
		if err != nil || rel.Scheme != "" || rel.Host != "" {
			return nil, fmt.Errorf("%s: %w: malformed path %q", c.cfg.Provider, telematics.ErrInvalidInput, req.Path)
		}
		u = &url.URL{Scheme: c.base.Scheme, Host: c.base.Host, User: c.base.User, RawQuery: c.base.RawQuery}
		u.Path = c.base.Path + "/" + strings.TrimPrefix(rel.Path, "/")
		u.RawPath = c.base.EscapedPath() + "/" + strings.TrimPrefix(rel.EscapedPath(), "/")
		if q != "" {
			u.RawQuery = joinQuery(u.RawQuery, q)
		}
	}
	if len(req.Query) > 0 {
		u.RawQuery = joinQuery(u.RawQuery, req.Query.Encode())
	}
	return u, nil
}

func joinQuery(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "&" + b
}

// Path formats a path, escaping each argument as one path segment. It refuses empty or
// blank, "." and ".." segments, which would address another resource than the caller
// meant.
func Path(format string, args ...string) (string, error) {
	esc := make([]any, len(args))
	for i, a := range args {
		if strings.TrimSpace(a) == "" || a == "." || a == ".." {
			return "", fmt.Errorf("%w: %q is not a valid identifier (request not sent)", telematics.ErrInvalidInput, a)
		}
		esc[i] = url.PathEscape(a)
	}
	return fmt.Sprintf(format, esc...), nil
}
