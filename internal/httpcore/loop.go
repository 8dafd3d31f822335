package httpcore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/fleetkit/fleetkit-go/internal/ratelimit"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// errBadRequest marks a request that could not be built (an invalid method): retrying
// cannot help.
var errBadRequest = errors.New("request cannot be built")

// requestIDHeaders are where the providers put their request id.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "SC-Request-Id"}

// loop is the state of one call across its attempts.
type loop struct {
	c         *Client
	req       *Request
	url       *url.URL
	redacted  string
	body      []byte
	buf       []byte // where a success body is read: the capacity of a *[]byte out
	canRepeat bool   // the call is safe to repeat (see safeMethod, Request.Idempotent)

	attempts   int
	retries    int
	replayed   bool          // the request was replayed after a 401
	rateWaited time.Duration // waited for rate limits so far, at most about MaxWait
	reserved   bool          // the shared budget granted the next attempt (see waitShared)
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

func (o *outcome) succeeded() bool { return o.err == nil && o.status >= 200 && o.status < 300 }

// failure is what a failed attempt means for the call.
type failure struct {
	err          error // what the call returns if it stops here
	rateLimited  bool
	refusesRetry bool
	hint         time.Duration // see situation.hint
	budget       bool
	body         []byte // the redacted error body, to decode again with the wait
}

// run sends the request until it succeeds or decide says to stop: wait for the
// budget, take a token, send, record, then succeed, or decide on the failure and act.
func (l *loop) run(ctx context.Context, out any) (*telematics.Response, error) {
	c := l.c
	bo := c.cfg.Retry.newBackOff(c.cfg.Clock)
	for {
		waitStart := c.cfg.Clock.Now()
		if err := l.waitTurn(ctx); err != nil {
			return l.resp, err
		}
		// Waiting for the budget is not retrying: it must not use up MaxElapsedTime, or a
		// retry that meets a spent budget would give up after the window reset.
		bo.exclude(c.cfg.Clock.Now().Sub(waitStart))
		if err := l.token(ctx); err != nil {
			l.releaseShared(ctx)
			return l.resp, err
		}
		l.attempts++
		start := c.cfg.Clock.Now()
		o := l.attempt(ctx, l.tok)
		if o.sent {
			l.reserved = false // the grant is spent: the provider counts the request
		} else {
			l.releaseShared(ctx)
		}
		l.record(ctx, o, start)
		if o.succeeded() {
			l.log(ctx, o, start, verdict{})
			return l.resp, l.decode(o, out)
		}
		if ctx.Err() != nil {
			return l.resp, l.requestError(ctx.Err(), o.sent)
		}
		if errors.Is(o.err, errBadRequest) {
			return l.resp, fmt.Errorf("%s: %w: %v", c.cfg.Provider, telematics.ErrInvalidInput, o.err)
		}
		f := l.failure(o)
		next := *bo.ExponentialBackOff // a copy: only a retry uses up its interval
		v := decide(l.situation(o, f, next.NextBackOff(), bo.GetElapsedTime()))
		l.log(ctx, o, start, v)
		switch v.action {
		case replay:
			l.replayed = true
			c.cfg.Tokens.Invalidate(l.tok)
			continue
		case giveUp:
			return l.resp, f.err
		case stopRateLimited:
			return l.resp, l.rateLimitError(f.hint, &f)
		}
		*bo.ExponentialBackOff = next
		bo.exclude(v.exclude)
		if v.rateWait {
			l.rateWaited += v.wait
		}
		l.retries++
		if err := c.cfg.Clock.Sleep(ctx, v.wait); err != nil {
			return l.resp, l.requestError(err, false)
		}
	}
}

// failure reads a failed attempt: the error to return, and for an answer what the
// provider's error and the headers say of rate limits and retrying. A 401 that will be
// replayed is not decoded.
func (l *loop) failure(o outcome) failure {
	c := l.c
	if o.err != nil {
		return failure{err: l.requestError(o.err, o.sent)}
	}
	if o.status == http.StatusUnauthorized && l.canReplay() {
		return failure{}
	}
	f := failure{body: c.cfg.Redactor.Bytes(o.body, tokenSecrets(l.tok)...)}
	f.err = c.cfg.DecodeError(l.resp, f.body)
	f.rateLimited = o.status == http.StatusTooManyRequests || errors.Is(f.err, telematics.ErrRateLimited)
	var r interface{ Retryable() bool }
	f.refusesRetry = errors.As(f.err, &r) && !r.Retryable()
	f.hint = l.resp.RetryAfter
	if f.rateLimited {
		now := c.cfg.Clock.Now()
		if h, ok := ratelimit.Hint(o.header, now, true); ok {
			f.hint = h
		}
		if d, ok := c.spentBudget(o.header, now, f.hint); ok {
			f.hint, f.budget = d, true
		}
	}
	return f
}

func (l *loop) canReplay() bool { return l.c.cfg.Tokens != nil && !l.replayed }

// situation gathers what decide needs; next is the backoff's next interval.
func (l *loop) situation(o outcome, f failure, next, elapsed time.Duration) situation {
	return situation{
		answered: o.err == nil, status: o.status, sent: o.sent,
		tooLarge:    errors.Is(o.err, telematics.ErrResponseTooLarge),
		rateLimited: f.rateLimited, refusesRetry: f.refusesRetry,
		hint: f.hint, budget: f.budget, jitter: positiveJitter(f.hint),
		canRepeat: l.canRepeat, canReplay: l.canReplay(),
		retries: l.retries, policy: l.c.cfg.Retry, backoff: next, elapsed: elapsed,
		maxWait: l.c.cfg.MaxWait, rateWaited: l.rateWaited,
	}
}

// token takes the token of the next attempt.
func (l *loop) token(ctx context.Context) error {
	l.tok = nil
	if l.c.cfg.Tokens == nil {
		return nil
	}
	tok, err := l.c.cfg.Tokens.Token(ctx)
	l.tok = tok
	if err != nil && ctx.Err() != nil {
		return l.requestError(ctx.Err(), false)
	}
	return err
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

// record stores what the attempt learned in the call's Response, the client's pacer and
// the shared budget.
func (l *loop) record(ctx context.Context, o outcome, start time.Time) {
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
	r, ok := ratelimit.ParseRate(o.header, now)
	if ok {
		l.resp.Rate = r
		c.pacer.Observe(r)
	}
	if c.shared != nil {
		l.observeShared(ctx, r)
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

// rateLimitError reports a rate limit that stopped the call: a wait longer than the
// call may still wait for, before sending (f nil) or after the provider's rejection f.
// The provider's error is decoded again from a Response whose RetryAfter is the wait,
// so that its message, which the RateLimitError's is, states the wait.
func (l *loop) rateLimitError(wait time.Duration, f *failure) error {
	c := l.c
	r := c.pacer.Rate()
	e := &telematics.RateLimitError{
		Provider:   c.cfg.Provider,
		Method:     l.req.Method,
		URL:        l.redacted,
		RetryAfter: wait,
		Limit:      r.Limit,
		Remaining:  r.Remaining,
		ResetAt:    r.Reset,
	}
	if f != nil {
		e.Err = f.err
		if wait != l.resp.RetryAfter && f.body != nil {
			l.resp.RetryAfter = wait
			e.Err = c.cfg.DecodeError(l.resp, f.body)
		}
	}
	if e.ResetAt.IsZero() && wait > 0 {
		e.ResetAt = c.cfg.Clock.Now().Add(wait)
	}
	return e
}

// log writes the debug line of an attempt, with the verdict on it when it failed.
func (l *loop) log(ctx context.Context, o outcome, start time.Time, v verdict) {
	c := l.c
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
	if v.action == retry {
		attrs = append(attrs, slog.Duration("wait", v.wait))
	}
	if v.action != 0 {
		attrs = append(attrs, slog.String("action", v.action.String()), slog.String("reason", v.reason))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "fleetkit request", attrs...)
}

// tokenSecrets lists what a token holds that a server might echo.
func tokenSecrets(tok *oauth2.Token) []string {
	if tok == nil {
		return nil
	}
	return []string{tok.AccessToken, tok.RefreshToken}
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
