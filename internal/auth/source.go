// Package auth is the OAuth2 client-credentials token source every fleetkit provider
// uses. It exists because golang.org/x/oauth2's own sources cannot drop a token the
// provider has revoked and bind every later fetch to the context they were built with
// (see shared/reference/peers.md §4.2). This one:
//
//   - caches the token and renews it a margin before it expires, by an injectable clock;
//   - lets concurrent callers share one fetch, and a caller whose context ends stop
//     waiting without cancelling the fetch the others wait for;
//   - offers Invalidate(tok), a compare-and-clear, so that many requests refused with the
//     same token cause one new grant;
//   - fetches on its own context (never a request's) with its own HTTP timeout, and
//     retries token-endpoint 5xx and network failures with backoff;
//   - treats invalid_client, invalid_scope and unauthorized_client as permanent, and
//     reports every failure as a *telematics.AuthError that never holds the secret.
package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

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
)

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
}

// Source is a cached, shared, invalidatable client-credentials token source. Its zero
// value is not usable; call New. Close it to stop a fetch in progress.
type Source struct {
	cfg  Config
	cc   clientcredentials.Config
	hc   *http.Client
	log  *slog.Logger
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu       sync.Mutex
	tok      *oauth2.Token
	renewAt  time.Time // zero: the token does not expire on its own
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
	style := oauth2.AuthStyleInHeader
	if cfg.Style == InBody {
		style = oauth2.AuthStyleInParams
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
		cfg: cfg,
		cc: clientcredentials.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			TokenURL:     cfg.TokenURL,
			Scopes:       cfg.Scopes,
			AuthStyle:    style,
		},
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
	if s.tok != nil && (s.renewAt.IsZero() || s.cfg.Clock.Now().Before(s.renewAt)) {
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
		ctx, cancel := context.WithTimeout(context.WithValue(s.ctx, oauth2.HTTPClient, s.hc), s.cfg.Timeout)
		tok, err := s.cc.Token(ctx)
		cancel()
		if err == nil {
			renewAt := s.renewTime(started, tok)
			s.log.Debug("fleetkit token granted",
				slog.String("provider", s.cfg.Provider),
				slog.Int("attempt", attempt),
				slog.Duration("lifetime", lifetimeOf(tok)))
			return tok, renewAt, nil
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

// renewTime is when a token granted at start must be renewed: a margin before it
// expires, the margin being at most a quarter of the lifetime.
func (s *Source) renewTime(start time.Time, tok *oauth2.Token) time.Time {
	lifetime := lifetimeOf(tok)
	if lifetime <= 0 {
		return time.Time{}
	}
	margin := min(s.cfg.ExpiryMargin, lifetime/4)
	return start.Add(lifetime - margin)
}

// lifetimeOf reads expires_in from the token response. The clientcredentials package turns
// it into an Expiry on the system clock only; the injectable clock needs the duration.
func lifetimeOf(tok *oauth2.Token) time.Duration {
	switch v := tok.Extra("expires_in").(type) {
	case float64:
		return time.Duration(v * float64(time.Second))
	case string:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return time.Duration(n) * time.Second
		}
	}
	if !tok.Expiry.IsZero() {
		return time.Until(tok.Expiry)
	}
	return 0
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
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil {
			aerr.Status = re.Response.StatusCode
		}
		aerr.Code = s.redact(re.ErrorCode)
		aerr.Description = s.redact(textutil.Clip(re.ErrorDescription, 200))
		status := aerr.Status
		retryable := status == 0 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
		aerr.Permanent = permanentCodes[re.ErrorCode] || !retryable
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

// redact removes the client secret from text that came from the network or the token
// endpoint, should a misbehaving server echo it.
func (s *Source) redact(text string) string {
	if s.cfg.ClientSecret == "" {
		return text
	}
	return strings.ReplaceAll(text, s.cfg.ClientSecret, "REDACTED")
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
