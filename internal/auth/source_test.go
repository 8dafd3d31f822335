package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/internal/auth"
	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	clientID     = "client-1.mycartracks.com"
	clientSecret = "s3cr3t-value-never-logged"
)

type env struct {
	oauth *fakeoauth.Server
	srv   *httptest.Server
	clock *clocktest.Clock
}

func newEnv(t *testing.T, cfg fakeoauth.Config) *env {
	t.Helper()
	clock := clocktest.New(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	if cfg.ClientID == "" {
		cfg.ClientID, cfg.ClientSecret = clientID, clientSecret
	}
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	o := fakeoauth.New(cfg)
	srv := httptest.NewServer(o)
	t.Cleanup(srv.Close)
	return &env{oauth: o, srv: srv, clock: clock}
}

func (e *env) source(t *testing.T, mod func(*auth.Config)) *auth.Source {
	t.Helper()
	cfg := auth.Config{
		Provider:     "test",
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     e.srv.URL + "/oauth/token",
		Clock:        e.clock,
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := auth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func TestNewValidates(t *testing.T) {
	_, err := auth.New(auth.Config{Provider: "p", ClientSecret: "x", TokenURL: "https://a/b"})
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	_, err = auth.New(auth.Config{Provider: "p", ClientID: "x", ClientSecret: "y", TokenURL: "ftp://a"})
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
}

func TestBasicAuthAndScopes(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{Auth: fakeoauth.AuthBasic, AllowedScopes: []string{"read", "write"}})
	s := e.source(t, func(c *auth.Config) { c.Scopes = []string{"read", "write"}; c.Style = auth.InHeader })
	tok, err := s.Token(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, tok.AccessToken)
	assert.Equal(t, fakeoauth.AuthBasic, e.oauth.LastClientAuth())
	assert.Equal(t, "read write", tok.Extra("scope"))
}

func TestBodyAuth(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{Auth: fakeoauth.AuthBody})
	s := e.source(t, func(c *auth.Config) { c.Style = auth.InBody })
	_, err := s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, fakeoauth.AuthBody, e.oauth.LastClientAuth())

	// The same endpoint refuses Basic credentials, as invalid_client.
	s2 := e.source(t, func(c *auth.Config) { c.Style = auth.InHeader })
	_, err = s2.Token(context.Background())
	var ae *telematics.AuthError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "invalid_client", ae.Code)
	assert.True(t, ae.Permanent)
	assert.ErrorIs(t, err, telematics.ErrUnauthorized)
}

func TestConcurrentFirstUseOneGrant(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{})
	s := e.source(t, nil)
	var wg sync.WaitGroup
	toks := make([]string, 50)
	for i := range toks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := s.Token(context.Background())
			if assert.NoError(t, err) {
				toks[i] = tok.AccessToken
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, e.oauth.Grants())
	for _, tok := range toks {
		assert.Equal(t, toks[0], tok)
	}
}

func TestRenewedBeforeExpiry(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{Lifetime: time.Hour})
	s := e.source(t, func(c *auth.Config) { c.ExpiryMargin = time.Minute })
	first, err := s.Token(context.Background())
	require.NoError(t, err)

	e.clock.Advance(58 * time.Minute)
	same, err := s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, first.AccessToken, same.AccessToken, "a token with more than the margin left is reused")
	assert.Equal(t, 1, e.oauth.Grants())

	e.clock.Advance(90 * time.Second) // inside the margin, before the real expiry
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := s.Token(context.Background())
			if assert.NoError(t, err) {
				assert.NotEqual(t, first.AccessToken, tok.AccessToken)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 2, e.oauth.Grants(), "expiry causes exactly one new grant")
}

func TestShortLifetimeMarginIsBounded(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{Lifetime: 20 * time.Second})
	s := e.source(t, nil) // default margin of one minute would exceed the lifetime
	_, err := s.Token(context.Background())
	require.NoError(t, err)
	e.clock.Advance(10 * time.Second)
	_, err = s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, e.oauth.Grants())
	e.clock.Advance(6 * time.Second) // past lifetime - lifetime/4
	_, err = s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, e.oauth.Grants())
}

func TestInvalidateIsCompareAndClear(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{})
	s := e.source(t, nil)
	old, err := s.Token(context.Background())
	require.NoError(t, err)

	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Invalidate(old)
			tok, err := s.Token(context.Background())
			if assert.NoError(t, err) {
				assert.NotEqual(t, old.AccessToken, tok.AccessToken)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 2, e.oauth.Grants(), "20 invalidations of one token cause one new grant")

	s.Invalidate(old) // stale: the cache holds a newer token
	_, err = s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, e.oauth.Grants())
	s.Invalidate(nil)
}

func TestTokenEndpoint5xxIsRetried(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{})
	e.oauth.FailNext(http.StatusBadGateway, http.StatusServiceUnavailable)
	s := e.source(t, nil)
	tok, err := s.Token(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, tok.AccessToken)
	assert.Equal(t, 3, e.oauth.Requests())
	assert.Equal(t, 1, e.oauth.Grants())
	assert.Len(t, e.clock.Sleeps(), 2, "one backoff sleep per failure")
}

func TestTokenEndpointKeepsFailing(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{})
	e.oauth.FailNext(502, 502, 502, 502, 502, 502, 502, 502)
	s := e.source(t, func(c *auth.Config) { c.MaxRetries = 2 })
	_, err := s.Token(context.Background())
	var ae *telematics.AuthError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusBadGateway, ae.Status)
	assert.False(t, ae.Permanent)
	assert.ErrorIs(t, err, telematics.ErrUnavailable)
	assert.NotErrorIs(t, err, telematics.ErrUnauthorized)
	assert.Equal(t, 3, e.oauth.Requests())
}

func TestInvalidScopeIsPermanent(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{AllowedScopes: []string{"read"}})
	s := e.source(t, func(c *auth.Config) { c.Scopes = []string{"read", "write"} })
	_, err := s.Token(context.Background())
	var ae *telematics.AuthError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "invalid_scope", ae.Code)
	assert.True(t, ae.Permanent)
	assert.Equal(t, 1, e.oauth.Requests(), "a permanent error is not retried")
	assert.ErrorIs(t, err, telematics.ErrForbidden)
	assert.ErrorIs(t, err, telematics.ErrUnauthorized)
	assert.Contains(t, err.Error(), "invalid_scope")
	assert.NotContains(t, err.Error(), clientSecret)
}

func TestNetworkErrorIsRetriedThenReported(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{})
	url := e.srv.URL
	e.srv.Close() // connection refused from now on
	s, err := auth.New(auth.Config{Provider: "test", ClientID: clientID, ClientSecret: clientSecret,
		TokenURL: url + "/oauth/token", Clock: e.clock, MaxRetries: 2})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Token(context.Background())
	var ae *telematics.AuthError
	require.ErrorAs(t, err, &ae)
	assert.False(t, ae.Permanent)
	assert.Len(t, e.clock.Sleeps(), 2)
	assert.NotContains(t, err.Error(), clientSecret)
}

// A caller whose context ends stops waiting at once; the fetch goes on for the others and
// is not bound to that context.
func TestCallerContextDoesNotCancelFetch(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	o := fakeoauth.New(fakeoauth.Config{ClientID: clientID, ClientSecret: clientSecret})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		o.ServeHTTP(w, r)
	}))
	defer srv.Close()
	s, err := auth.New(auth.Config{Provider: "test", ClientID: clientID, ClientSecret: clientSecret, TokenURL: srv.URL})
	require.NoError(t, err)
	defer s.Close()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := s.Token(ctx); done <- err }()
	<-arrived // the fetch is in flight
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Second):
		t.Fatal("Token did not return after its context was cancelled")
	}

	other := make(chan error, 1)
	go func() { _, err := s.Token(context.Background()); other <- err }()
	close(release)
	require.NoError(t, <-other)
	assert.Equal(t, 1, o.Grants(), "the second caller joined the fetch started by the first")
}

func TestCloseStopsFetch(t *testing.T) {
	block := make(chan struct{})
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	s, err := auth.New(auth.Config{Provider: "test", ClientID: clientID, ClientSecret: clientSecret, TokenURL: srv.URL})
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() { _, err := s.Token(context.Background()); errc <- err }()
	<-arrived // the fetch is in flight
	s.Close()
	err = <-errc
	require.Error(t, err)
	assert.ErrorIs(t, err, auth.ErrClosed, "the fetch in flight was stopped by Close")
	_, err = s.Token(context.Background())
	assert.ErrorIs(t, err, auth.ErrClosed)
}

func TestSecretNeverInErrors(t *testing.T) {
	// A misbehaving endpoint that echoes the secret in its error description.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		_, secret, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"bad secret ` + secret + `"}`))
	}))
	defer srv.Close()
	s, err := auth.New(auth.Config{Provider: "test", ClientID: clientID, ClientSecret: clientSecret, TokenURL: srv.URL})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Token(context.Background())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), clientSecret)
	assert.Contains(t, err.Error(), "REDACTED")
	for e := error(err); e != nil; e = errors.Unwrap(e) {
		assert.False(t, strings.Contains(e.Error(), clientSecret))
	}
}

func TestCloseWithCachedToken(t *testing.T) {
	e := newEnv(t, fakeoauth.Config{})
	s := e.source(t, nil)
	_, err := s.Token(context.Background())
	require.NoError(t, err)
	s.Close()
	_, err = s.Token(context.Background())
	assert.ErrorIs(t, err, auth.ErrClosed, "a cached token is not handed out after Close")
	assert.Equal(t, 1, e.oauth.Requests())
}
