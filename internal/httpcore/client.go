// Package httpcore is the one request loop every fleetkit provider call goes through.
//
// A provider builds a Client once from a Config (base URL, token source, error decoder,
// limits) and calls Do for every endpoint. Do joins the path onto the base URL, encodes
// the query and JSON body, sets Authorization, User-Agent and Accept, and then:
//
//   - waits for the client-side limiter and, when the provider's last reported budget is
//     spent, for its window to reset (never longer than MaxWait);
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
//   - logs one debug line per attempt with credentials redacted.
package httpcore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
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
}

// Client sends requests for one provider API. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   *url.URL
	hc     *http.Client
	ua     string
	log    *slog.Logger
	pacer  *ratelimit.Pacer
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
	return &Client{cfg: cfg, base: base, hc: cfg.HTTPClient, ua: ua, log: log, pacer: ratelimit.NewPacer()}, nil
}

// Close releases what the Client holds beyond its own memory: its share of a Limiter.
// It closes no connection (the HTTP client may be the caller's) and may be called more
// than once. Requests sent after Close are no longer paced by the Limiter's bucket
// together with the other Clients using it.
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
	var body []byte
	if req.Body != nil {
		if raw, ok := req.Body.(json.RawMessage); ok {
			body = raw
		} else if body, err = json.Marshal(req.Body); err != nil {
			return nil, fmt.Errorf("%s: %w: encoding request body: %v", c.cfg.Provider, telematics.ErrInvalidInput, err)
		}
	}
	if !req.Idempotent && !safeMethod(req.Method) {
		for _, h := range replayHeaders {
			if _, ok := req.Header[h]; ok {
				// net/http replays a request carrying it on a dropped connection: a call the
				// SDK must not repeat (a vehicle command) would reach the provider twice.
				return nil, fmt.Errorf("%s: %w: %s on a %s the SDK does not repeat; the provider may not deduplicate it", c.cfg.Provider, telematics.ErrInvalidInput, h, req.Method)
			}
		}
	}
	l := &loop{c: c, req: req, url: u, redacted: RedactURL(u), body: body}
	if raw, ok := out.(*[]byte); ok && raw != nil {
		l.buf = (*raw)[:0]
	}
	return l.run(ctx, out)
}

// requestIDHeaders are where the providers put their request id.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "SC-Request-Id"}

// errBadRequest marks a request that could not be built (an invalid method): retrying
// cannot help.
var errBadRequest = errors.New("request cannot be built")

// replayHeaders make net/http treat a request as safe to send again on a new connection.
var replayHeaders = []string{"Idempotency-Key", "X-Idempotency-Key"}

// loop is the state of one call across its attempts.
type loop struct {
	c        *Client
	req      *Request
	url      *url.URL
	redacted string
	body     []byte
	buf      []byte // where a success body is read: the capacity of a *[]byte out

	attempts   int
	replayed   bool          // the request was replayed after a 401
	rateWaited time.Duration // waited for rate limits so far, at most about MaxWait
	tok        *oauth2.Token // of the last attempt
	resp       *telematics.Response
}

// outcome is what one attempt produced.
type outcome struct {
	status int
	header http.Header
	body   []byte
	sent   bool // the request may have reached the server
	err    error
}

func (l *loop) run(ctx context.Context, out any) (*telematics.Response, error) {
	c := l.c
	canRepeat := l.req.Idempotent || safeMethod(l.req.Method)
	bo := c.cfg.Retry.newBackOff(c.cfg.Clock)
	retries := 0
	for {
		waitStart := c.cfg.Clock.Now()
		if err := c.waitTurn(ctx, l); err != nil {
			return l.resp, err
		}
		// Waiting for the budget is not retrying: it must not use up MaxElapsedTime, or a
		// retry that meets a spent budget would give up after the window reset.
		bo.exclude(c.cfg.Clock.Now().Sub(waitStart))
		tok, err := c.token(ctx)
		l.tok = tok
		if err != nil {
			if ctx.Err() != nil {
				return l.resp, l.requestError(ctx.Err(), false)
			}
			return l.resp, err
		}
		l.attempts++
		start := c.cfg.Clock.Now()
		o := l.attempt(ctx, tok)
		l.record(o, start)

		if o.err == nil && o.status >= 200 && o.status < 300 {
			c.logAttempt(ctx, l, o, start, 0, "")
			if err := l.decode(o, out); err != nil {
				return l.resp, err
			}
			return l.resp, nil
		}
		if ctx.Err() != nil {
			return l.resp, l.requestError(ctx.Err(), o.sent)
		}

		var failure error
		hint, rateLimited, budget := time.Duration(0), false, false
		retryable := false
		if errors.Is(o.err, errBadRequest) {
			return l.resp, fmt.Errorf("%s: %w: %v", c.cfg.Provider, telematics.ErrInvalidInput, o.err)
		}
		if o.err != nil {
			failure = l.requestError(o.err, o.sent)
			retryable = (canRepeat || !o.sent) && !errors.Is(o.err, telematics.ErrResponseTooLarge)
		} else {
			if o.status == http.StatusUnauthorized && c.cfg.Tokens != nil && !l.replayed {
				l.replayed = true
				c.cfg.Tokens.Invalidate(tok)
				c.logAttempt(ctx, l, o, start, 0, "replaying with a new token")
				continue
			}
			failure = c.cfg.DecodeError(l.resp, c.cfg.Redactor.Bytes(o.body, tokenSecrets(tok)...))
			rateLimited = o.status == http.StatusTooManyRequests || errors.Is(failure, telematics.ErrRateLimited)
			hint = l.resp.RetryAfter
			if rateLimited {
				now := c.cfg.Clock.Now()
				if h, ok := ratelimit.Hint(o.header, now, true); ok {
					hint = h
				}
				if d, ok := c.spentBudget(o.header, now, hint); ok {
					hint, budget = d, true
				}
			}
			retryable = canRepeat && (rateLimited || retryStatus(o.status))
			var r interface{ Retryable() bool }
			if errors.As(failure, &r) && !r.Retryable() {
				retryable = false
			}
			if rateLimited && hint > c.cfg.MaxWait-l.rateWaited {
				c.logAttempt(ctx, l, o, start, 0, "rate limited beyond the maximum wait")
				return l.resp, l.rateLimitError(hint, failure)
			}
		}

		next := bo.NextBackOff()
		giveUp := func(action string) (*telematics.Response, error) {
			c.logAttempt(ctx, l, o, start, 0, action)
			if rateLimited {
				return l.resp, l.rateLimitError(hint, failure)
			}
			return l.resp, failure
		}
		if !retryable || retries >= c.cfg.Retry.MaxRetries || next == backoff.Stop || hint > c.cfg.MaxWait {
			return giveUp("giving up")
		}
		wait := next
		switch {
		case rateLimited && hint > 0:
			// A rate limit is waited out as pacing does, until a margin past the reset. It
			// is bounded by MaxWait, for all the rate-limit waits of the call together,
			// and does not use up MaxElapsedTime: waiting for the budget is not retrying.
			floor := hint + ratelimit.Margin
			if !budget {
				floor += positiveJitter(hint)
			}
			if floor > wait {
				bo.exclude(floor - wait)
				wait = floor
			}
			l.rateWaited += wait
		case hint > 0:
			// Any other wait the server asks for (a 503's Retry-After) counts against
			// MaxElapsedTime like the backoff: a server asking for fifteen minutes on
			// every attempt must not hold the call for an hour.
			wait = max(wait, hint+positiveJitter(hint))
			if limit := c.cfg.Retry.MaxElapsedTime; limit > 0 && bo.GetElapsedTime()+wait > limit {
				return giveUp("giving up: the wait asked for would pass the retry time")
			}
		}
		retries++
		c.logAttempt(ctx, l, o, start, wait, "retrying")
		if err := c.cfg.Clock.Sleep(ctx, wait); err != nil {
			return l.resp, l.requestError(err, false)
		}
	}
}

// spentBudget says how long to wait for the budget a rate-limit rejection reported as
// spent: until the reset the pacer knows, or, when the response said no request remains
// but gave no reset and no hint (hint 0), for RateWindow, which the pacer then also
// holds so that other calls wait too.
func (c *Client) spentBudget(h http.Header, now time.Time, hint time.Duration) (time.Duration, bool) {
	if r := c.pacer.Rate(); r.Remaining == 0 && r.Reset.After(now) {
		return r.Reset.Sub(now), true
	}
	r, ok := ratelimit.ParseRate(h, now)
	if !ok || r.Remaining != 0 || !r.Reset.IsZero() || hint > 0 {
		return 0, false
	}
	r.Reset = now.Add(c.cfg.RateWindow)
	c.pacer.Observe(r)
	return c.cfg.RateWindow, true
}

// waitTurn blocks until the client-side limiter and the provider's budget allow a request.
func (c *Client) waitTurn(ctx context.Context, l *loop) error {
	if err := ctx.Err(); err != nil {
		return l.requestError(err, false)
	}
	if c.cfg.Limiter != nil {
		r, d := c.cfg.Limiter.reserve(c.cfg.Clock)
		if !r.OK() {
			return fmt.Errorf("%s: %w: client-side limiter allows no requests", c.cfg.Provider, telematics.ErrInvalidInput)
		}
		if d > 0 {
			if d > c.cfg.MaxWait-l.rateWaited {
				c.cfg.Limiter.cancel(r, c.cfg.Clock)
				return l.rateLimitError(d, nil)
			}
			l.rateWaited += d
			c.log.LogAttrs(ctx, slog.LevelDebug, "fleetkit pacing", slog.String("provider", c.cfg.Provider),
				slog.String("reason", "client-side limiter"), slog.Duration("wait", d))
			if err := c.cfg.Clock.Sleep(ctx, d); err != nil {
				c.cfg.Limiter.cancel(r, c.cfg.Clock)
				return l.requestError(err, false)
			}
		}
	}
	for {
		d := c.pacer.Reserve(c.cfg.Clock.Now())
		if d <= 0 {
			return nil
		}
		if d-ratelimit.Margin > c.cfg.MaxWait-l.rateWaited {
			return l.rateLimitError(d-ratelimit.Margin, nil)
		}
		l.rateWaited += d
		c.log.LogAttrs(ctx, slog.LevelDebug, "fleetkit pacing", slog.String("provider", c.cfg.Provider),
			slog.String("reason", "budget spent until reset"), slog.Duration("wait", d))
		if err := c.cfg.Clock.Sleep(ctx, d); err != nil {
			return l.requestError(err, false)
		}
	}
}

func (c *Client) token(ctx context.Context) (*oauth2.Token, error) {
	if c.cfg.Tokens == nil {
		return nil, nil
	}
	return c.cfg.Tokens.Token(ctx)
}

// attempt sends the request once and reads the response body.
func (l *loop) attempt(ctx context.Context, tok *oauth2.Token) (o outcome) {
	c := l.c
	timeout := c.cfg.Timeout
	if l.req.Timeout > 0 {
		timeout = l.req.Timeout
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var mu sync.Mutex
	var sent bool
	trace := &httptrace.ClientTrace{
		WroteHeaders: func() { mu.Lock(); sent = true; mu.Unlock() },
	}
	wasSent := func() bool { mu.Lock(); defer mu.Unlock(); return sent }

	var rd io.Reader
	if l.body != nil {
		rd = bytes.NewReader(l.body)
	}
	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(actx, trace), l.req.Method, l.url.String(), rd)
	if err != nil {
		return outcome{err: fmt.Errorf("%w: %v", errBadRequest, err)}
	}
	for k, vs := range c.cfg.Header {
		hreq.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range l.req.Header {
		hreq.Header[k] = append([]string(nil), vs...)
	}
	hreq.Header.Set("User-Agent", c.ua)
	hreq.Header.Set("Accept", "application/json")
	if l.body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	if tok != nil {
		hreq.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	}

	res, err := c.hc.Do(hreq)
	if err != nil {
		return outcome{err: unwrapURLError(err), sent: wasSent()}
	}
	defer res.Body.Close()
	o = outcome{status: res.StatusCode, header: res.Header, sent: true}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		limit := c.cfg.MaxBody
		if l.req.MaxBody > 0 {
			limit = l.req.MaxBody
		}
		o.body, o.err = readBody(res.Body, res.ContentLength, limit, l.buf)
	} else {
		// Read at most MaxErrorBody bytes and leave the rest unread: closing the body then
		// drops the connection instead of draining a huge or endless error page.
		o.body, o.err = io.ReadAll(io.LimitReader(res.Body, c.cfg.MaxErrorBody))
		if o.err != nil {
			o.err = nil // a truncated error page still has its status
		}
	}
	return o
}

// record stores what the attempt learned in the call's Response and the client's pacer.
func (l *loop) record(o outcome, start time.Time) {
	c := l.c
	if l.resp == nil {
		l.resp = &telematics.Response{Method: l.req.Method, URL: l.redacted, Rate: telematics.UnknownRate}
	}
	l.resp.Attempts = l.attempts
	if o.header == nil {
		return
	}
	now := c.cfg.Clock.Now()
	l.resp.StatusCode = o.status
	l.resp.Header = o.header
	l.resp.RequestID = ""
	for _, name := range requestIDHeaders {
		if v := o.header.Get(name); v != "" {
			l.resp.RequestID = v
			break
		}
	}
	l.resp.RetryAfter, _ = ratelimit.RetryAfter(o.header, now)
	if r, ok := ratelimit.ParseRate(o.header, now); ok {
		l.resp.Rate = r
		c.pacer.Observe(r)
	}
}

func (l *loop) decode(o outcome, out any) error {
	if out == nil || len(o.body) == 0 && o.status == http.StatusNoContent {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = o.body
		return nil
	}
	if len(bytes.TrimSpace(o.body)) == 0 {
		return l.requestError(fmt.Errorf("%w: empty body with status %d", telematics.ErrMalformedResponse, o.status), true)
	}
	if err := json.Unmarshal(o.body, out); err != nil {
		return l.requestError(fmt.Errorf("%w: %v", telematics.ErrMalformedResponse, err), true)
	}
	return nil
}

func (l *loop) requestError(err error, sent bool) error {
	return &telematics.RequestError{
		Provider: l.c.cfg.Provider,
		Method:   l.req.Method,
		URL:      l.redacted,
		Attempts: l.attempts,
		Sent:     sent,
		Err:      err,
	}
}

func (l *loop) rateLimitError(wait time.Duration, providerErr error) error {
	r := l.c.pacer.Rate()
	e := &telematics.RateLimitError{
		Provider:   l.c.cfg.Provider,
		RetryAfter: wait,
		Limit:      r.Limit,
		Remaining:  r.Remaining,
		ResetAt:    r.Reset,
		Err:        providerErr,
	}
	if e.ResetAt.IsZero() && wait > 0 {
		e.ResetAt = l.c.cfg.Clock.Now().Add(wait)
	}
	return e
}

func (c *Client) logAttempt(ctx context.Context, l *loop, o outcome, start time.Time, wait time.Duration, action string) {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("provider", c.cfg.Provider),
		slog.String("method", l.req.Method),
		slog.String("url", l.redacted),
		slog.Int("attempt", l.attempts),
		slog.Duration("duration", c.cfg.Clock.Now().Sub(start)),
	}
	if o.status != 0 {
		attrs = append(attrs, slog.Int("status", o.status))
	}
	if l.resp != nil && l.resp.RequestID != "" {
		attrs = append(attrs, slog.String("request_id", l.resp.RequestID))
	}
	if o.err != nil {
		attrs = append(attrs, slog.String("error", RedactString(c.cfg.Redactor.String(o.err.Error(), tokenSecrets(l.tok)...))))
	}
	if wait > 0 {
		attrs = append(attrs, slog.Duration("wait", wait))
	}
	if action != "" {
		attrs = append(attrs, slog.String("action", action))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "fleetkit request", attrs...)
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

// bodyChunk is the first size a body of unknown length is read into.
const bodyChunk = 32 << 10

// readBody reads a success body of at most limit bytes into buf's capacity, growing it
// as needed; size is the announced length (-1: unknown). A body announced longer than
// limit fails at once. One of unknown length grows by doubling while that stays below
// limit/16, and then into one buffer of limit bytes, so that reading costs at most about
// 1.125 times limit whatever arrives (io.ReadAll or a bytes.Buffer behind a LimitReader
// double past the limit and keep the old buffers: over three times the limit for an
// endless body). Past limit it stops reading and fails with
// telematics.ErrResponseTooLarge; closing the unread body then drops the connection.
func readBody(r io.Reader, size, limit int64, buf []byte) ([]byte, error) {
	if size > limit {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", telematics.ErrResponseTooLarge, size, limit)
	}
	switch {
	case size <= int64(cap(buf)):
	case cap(buf) > 0:
		// A buffer handed back page after page: leave room for the next page to be a
		// little longer.
		buf = make([]byte, 0, min(size+size/4, limit))
	default:
		buf = make([]byte, 0, size)
	}
	buf = buf[:0]
	for {
		end := cap(buf)
		if int64(end) > limit {
			end = int(limit)
		}
		if len(buf) == end {
			// Full: look for one more byte before making room for it, so that a body of
			// the announced or the reused size costs nothing more.
			b, err := readByte(r)
			if err == io.EOF {
				return buf, nil
			}
			if err != nil {
				return nil, err
			}
			if int64(len(buf)) >= limit {
				return nil, fmt.Errorf("%w: more than %d bytes", telematics.ErrResponseTooLarge, limit)
			}
			buf = append(grow(buf, limit), b)
			continue
		}
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readByte reads one byte, or fails with io.EOF at the end.
func readByte(r io.Reader) (byte, error) {
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		if n == 1 {
			return one[0], nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// grow returns buf with room for more, within limit (see readBody).
func grow(buf []byte, limit int64) []byte {
	next := int64(max(cap(buf)*2, bodyChunk))
	if next > limit/16 {
		next = limit
	}
	out := make([]byte, len(buf), next)
	copy(out, buf)
	return out
}

func safeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

func retryStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable,
		http.StatusGatewayTimeout:
		return true
	}
	return false
}

// tokenSecrets lists what a token holds that a server might echo.
func tokenSecrets(tok *oauth2.Token) []string {
	if tok == nil {
		return nil
	}
	return []string{tok.AccessToken, tok.RefreshToken}
}

// positiveJitter adds up to 10% (at most one second) to a server-given wait, so that
// clients told the same time do not return at the same instant, and never earlier.
func positiveJitter(d time.Duration) time.Duration {
	j := min(d/10, time.Second)
	if j <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(j) + 1))
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the unredacted URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			// Not %w: the caller's own context did not expire, the attempt did.
			return fmt.Errorf("attempt timed out: %v", ue.Err)
		}
		return ue.Err
	}
	return err
}

// StatusText formats a status for error messages: "404 Not Found".
func StatusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return strconv.Itoa(status) + " " + t
	}
	return strconv.Itoa(status)
}
