// Package auth is the OAuth2 client-credentials token source every fleetkit provider
// uses. It exists because golang.org/x/oauth2's own sources cannot drop a token the
// provider has revoked and bind every later fetch to the context they were built with
// (see docs/evidence.md, "Dependencies"). This one:
//
//   - caches the token and renews it a margin before it expires, by an injectable clock;
//   - lets concurrent callers share one fetch, and a caller whose context ends stop
//     waiting without cancelling the fetch the others wait for;
//   - offers Invalidate(tok), a compare-and-clear, so that many requests refused with the
//     same token cause one new grant;
//   - fetches on its own context (never a request's) with its own HTTP timeout, and
//     retries token-endpoint 5xx and network failures with backoff;
//   - treats invalid_client, invalid_scope and unauthorized_client as permanent, and
//     reports every failure as a *telematics.AuthError that never holds the secret, nor
//     a token, in any encoding (see internal/redact);
//   - reads the token's lifetime itself (golang.org/x/oauth2 refuses a fractional
//     expires_in): a missing, zero, negative or unreadable expires_in counts as
//     DefaultLifetime, a longer one than MaxLifetime as MaxLifetime, so that no token is
//     ever taken as valid for ever, and a refused one is replaced through Invalidate.
package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"golang.org/x/oauth2"

	"github.com/fleetkit/fleetkit-go/internal/redact"
	"github.com/fleetkit/fleetkit-go/internal/textutil"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Style is how the client authenticates to the token endpoint.
type Style int

const (
	// InHeader sends the client id and secret as HTTP Basic credentials (MyCarTracks).
	InHeader Style = iota
	// InBody sends them as client_id and client_secret form fields (Smartcar).
	InBody
)

// Defaults.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultExpiryMargin = time.Minute
	DefaultMaxRetries   = 4
	DefaultMaxElapsed   = 30 * time.Second
	// DefaultLifetime is the lifetime of a token whose expires_in is missing, zero,
	// negative or unreadable: renewed after it (less the margin), and replaced earlier
	// when the provider refuses it.
	DefaultLifetime = time.Hour
	// MaxLifetime bounds the lifetime taken from expires_in.
	MaxLifetime = 24 * time.Hour
)

// maxTokenBody bounds the token endpoint's answer.
const maxTokenBody = 1 << 20

// ErrClosed is returned by Token after Close.
var ErrClosed = errors.New("token source closed")

// Config configures a Source.
type Config struct {
	// Provider names the provider in errors and logs.
	Provider               string
	ClientID, ClientSecret string
	TokenURL               string
	Scopes                 []string
	Style                  Style
	// HTTPClient sends token requests; its Transport is reused, its Timeout replaced by
	// Timeout. Nil: http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds one token request (default DefaultTimeout).
	Timeout time.Duration
	// ExpiryMargin is how long before expiry a token is renewed (default
	// DefaultExpiryMargin, at most a quarter of the token's lifetime).
	ExpiryMargin time.Duration
	// MaxRetries and MaxElapsed bound the retries of failed token requests (0: the
	// defaults; a negative MaxRetries turns retries off).
	MaxRetries int
	MaxElapsed time.Duration
	UserAgent  string
	Logger     *slog.Logger
	Clock      telematics.Clock
	// Redactor removes secrets from what the token endpoint answers; the Source adds
	// each token it is granted. Share it with the request loop so that both know every
	// secret (default: one of ClientID and ClientSecret).
	Redactor *redact.Redactor
}

// Source is a cached, shared, invalidatable client-credentials token source. Its zero
// value is not usable; call New. Close it to stop a fetch in progress.
type Source struct {
	cfg  Config
	hc   *http.Client
	log  *slog.Logger
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu       sync.Mutex
	tok      *oauth2.Token
	renewAt  time.Time // when the token is due for renewal
	inflight *flight
}

type flight struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// New validates cfg and returns a Source. No token is fetched until the first Token call.
func New(cfg Config) (*Source, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, fmt.Errorf("%s: %w: client ID and client secret are required", cfg.Provider, telematics.ErrInvalidInput)
	}
	if !strings.HasPrefix(cfg.TokenURL, "http://") && !strings.HasPrefix(cfg.TokenURL, "https://") {
		return nil, fmt.Errorf("%s: %w: token URL must be an http(s) URL", cfg.Provider, telematics.ErrInvalidInput)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ExpiryMargin <= 0 {
		cfg.ExpiryMargin = DefaultExpiryMargin
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.MaxElapsed <= 0 {
		cfg.MaxElapsed = DefaultMaxElapsed
	}
	if cfg.Clock == nil {
		cfg.Clock = telematics.SystemClock
	}
	if cfg.Redactor == nil {
		cfg.Redactor = redact.New(cfg.ClientID, cfg.ClientSecret)
	}
	var base http.RoundTripper = http.DefaultTransport
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		base = cfg.HTTPClient.Transport
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.Level(math.MaxInt)}))
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Source{
		cfg:  cfg,
		hc:   &http.Client{Timeout: cfg.Timeout, Transport: userAgent{base, cfg.UserAgent}},
		log:  log,
		ctx:  ctx,
		stop: stop,
	}, nil
}

// Token returns a valid token, fetching one when none is cached or the cached one is due
// for renewal. Concurrent callers share one fetch. When ctx ends first, Token returns
// ctx.Err() and the fetch goes on for the others.
func (s *Source) Token(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	if err := s.ctx.Err(); err != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("%s: %w", s.cfg.Provider, ErrClosed)
	}
	if s.tok != nil && s.cfg.Clock.Now().Before(s.renewAt) {
		t := s.tok
		s.mu.Unlock()
		return t, nil
	}
	f := s.inflight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.inflight = f
		s.wg.Add(1)
		go s.fetch(f)
	}
	s.mu.Unlock()

	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Invalidate drops tok from the cache if it is still the cached token, so that the next
// Token call fetches a new one. Call it when the provider refused tok; a token that was
// already replaced is left alone.
func (s *Source) Invalidate(tok *oauth2.Token) {
	if tok == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.tok.AccessToken == tok.AccessToken {
		s.tok = nil
		s.log.Debug("fleetkit token invalidated", slog.String("provider", s.cfg.Provider))
	}
}

// Close stops a fetch in progress and waits for it to end. Later Token calls fail.
func (s *Source) Close() {
	s.stop()
	s.wg.Wait()
}

func (s *Source) fetch(f *flight) {
	defer s.wg.Done()
	tok, renewAt, err := s.grant()
	s.mu.Lock()
	if err == nil {
		s.tok, s.renewAt = tok, renewAt
	}
	s.inflight = nil
	s.mu.Unlock()
	f.tok, f.err = tok, err
	close(f.done)
}

// grant requests a token, retrying failures that may be temporary.
func (s *Source) grant() (*oauth2.Token, time.Time, error) {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 200 * time.Millisecond
	bo.MaxInterval = 5 * time.Second
	bo.MaxElapsedTime = s.cfg.MaxElapsed
	bo.Clock = s.cfg.Clock
	bo.Reset()
	for attempt := 1; ; attempt++ {
		started := s.cfg.Clock.Now()
		ctx, cancel := context.WithTimeout(s.ctx, s.cfg.Timeout)
		tok, lifetime, err := s.request(ctx)
		cancel()
		if err == nil {
			s.cfg.Redactor.AddToken(tok.AccessToken)
			s.cfg.Redactor.AddToken(tok.RefreshToken)
			tok.Expiry = started.Add(lifetime)
			s.log.Debug("fleetkit token granted",
				slog.String("provider", s.cfg.Provider),
				slog.Int("attempt", attempt),
				slog.Duration("lifetime", lifetime))
			return tok, started.Add(lifetime - min(s.cfg.ExpiryMargin, lifetime/4)), nil
		}
		aerr := s.classify(err)
		wait := bo.NextBackOff()
		s.log.Debug("fleetkit token request failed",
			slog.String("provider", s.cfg.Provider),
			slog.Int("attempt", attempt),
			slog.Int("status", aerr.Status),
			slog.String("oauth_error", aerr.Code),
			slog.Bool("permanent", aerr.Permanent))
		if aerr.Permanent || s.ctx.Err() != nil || attempt > s.cfg.MaxRetries || wait == backoff.Stop {
			return nil, time.Time{}, aerr
		}
		if err := s.cfg.Clock.Sleep(s.ctx, wait); err != nil {
			return nil, time.Time{}, aerr
		}
	}
}

// request asks the token endpoint for a token once, with the client-credentials grant
// (RFC 6749 §4.4), and returns it with its lifetime.
func (s *Source) request(ctx context.Context) (*oauth2.Token, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(s.cfg.Scopes) > 0 {
		form.Set("scope", strings.Join(s.cfg.Scopes, " "))
	}
	if s.cfg.Style == InBody {
		form.Set("client_id", s.cfg.ClientID)
		form.Set("client_secret", s.cfg.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if s.cfg.Style == InHeader {
		// RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
		req.SetBasicAuth(url.QueryEscape(s.cfg.ClientID), url.QueryEscape(s.cfg.ClientSecret))
	}
	res, err := s.hc.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxTokenBody))
	if err != nil {
		return nil, 0, fmt.Errorf("reading the token response: %w", err)
	}
	fields, perr := parseTokenResponse(res.Header.Get("Content-Type"), body)
	code := fields.text("error")
	if res.StatusCode < 200 || res.StatusCode > 299 || code != "" {
		return nil, 0, &tokenError{status: res.StatusCode, code: code, description: fields.text("error_description")}
	}
	if perr != nil {
		return nil, 0, fmt.Errorf("unreadable token response (%s): %v", res.Header.Get("Content-Type"), perr)
	}
	tok := &oauth2.Token{
		AccessToken:  fields.text("access_token"),
		TokenType:    fields.text("token_type"),
		RefreshToken: fields.text("refresh_token"),
	}
	if tok.AccessToken == "" {
		return nil, 0, errors.New("token response without access_token")
	}
	return tok.WithExtra(map[string]any(fields)), lifetime(fields["expires_in"]), nil
}

// tokenFields is a token endpoint's answer, JSON or form-encoded.
type tokenFields map[string]any

// text returns a field as text: a string as is, another JSON value as encoded.
func (f tokenFields) text(key string) string {
	switch v := f[key].(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func parseTokenResponse(contentType string, body []byte) (tokenFields, error) {
	media, _, _ := mime.ParseMediaType(contentType)
	if media == "application/x-www-form-urlencoded" || media == "text/plain" {
		vals, err := url.ParseQuery(string(body))
		f := tokenFields{}
		for k := range vals {
			f[k] = vals.Get(k)
		}
		return f, err
	}
	var f tokenFields
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return tokenFields{}, err
	}
	return f, nil
}

// lifetime reads expires_in, a number or a numeric string of seconds, maybe fractional.
// Missing, zero, negative or unreadable is DefaultLifetime, a token never taken as
// valid for ever; anything above MaxLifetime (up to 1e308 seconds) is MaxLifetime.
func lifetime(v any) time.Duration {
	var text string
	switch v := v.(type) {
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
	}
	secs, err := strconv.ParseFloat(text, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange), math.IsNaN(secs), secs <= 0:
		return DefaultLifetime
	case secs >= MaxLifetime.Seconds():
		return MaxLifetime
	}
	return max(time.Duration(secs*float64(time.Second)), time.Millisecond)
}

// tokenError is an error answer of the token endpoint.
type tokenError struct {
	status            int
	code, description string
}

func (e *tokenError) Error() string {
	return fmt.Sprintf("token endpoint answered %d %s", e.status, e.code)
}

// permanentCodes are OAuth errors that retrying with the same credentials cannot fix.
var permanentCodes = map[string]bool{
	"invalid_client":         true,
	"invalid_scope":          true,
	"unauthorized_client":    true,
	"invalid_grant":          true,
	"invalid_request":        true,
	"unsupported_grant_type": true,
	"access_denied":          true,
}

func (s *Source) classify(err error) *telematics.AuthError {
	aerr := &telematics.AuthError{Provider: s.cfg.Provider}
	var te *tokenError
	if errors.As(err, &te) {
		aerr.Status = te.status
		// Redacted before clipped: a cut could leave part of a secret unrecognised.
		aerr.Code = textutil.Clip(s.redact(te.code), 100)
		aerr.Description = textutil.Clip(s.redact(te.description), 200)
		status := aerr.Status
		retryable := status == 0 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
		aerr.Permanent = permanentCodes[te.code] || !retryable
		return aerr
	}
	if errors.Is(err, context.Canceled) && s.ctx.Err() != nil {
		aerr.Err = ErrClosed
		aerr.Permanent = true
		return aerr
	}
	aerr.Err = errors.New(s.redact(err.Error()))
	return aerr
}

// redact removes the client secret, its Basic credentials and the tokens from text that
// came from the network or the token endpoint, in any encoding a misbehaving server
// might echo them in.
func (s *Source) redact(text string) string {
	return s.cfg.Redactor.String(text, s.cfg.ClientSecret)
}

type userAgent struct {
	base http.RoundTripper
	ua   string
}

func (u userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	if u.ua == "" {
		return u.base.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	r2.Header.Set("User-Agent", u.ua)
	return u.base.RoundTrip(r2)
}
