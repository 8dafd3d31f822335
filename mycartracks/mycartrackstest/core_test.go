package mycartrackstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/auth"
	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// These tests drive the server with fleetkit's own request loop and token source on a
// shared manual clock: the server's headers must let a well-behaved client pace itself,
// retry and renew its token without ever being refused.

type coreError struct {
	status    int
	remaining int
	code      string
}

func (e *coreError) Error() string { return fmt.Sprintf("mycartracks: %d %s", e.status, e.code) }

func (e *coreError) Is(target error) bool {
	if e.status == http.StatusForbidden && e.code == "rate_limit_exceeded" {
		return target == telematics.ErrRateLimited
	}
	return target == telematics.SentinelForStatus(e.status)
}

func newCoreClient(t *testing.T, srv *mycartrackstest.Server, clock telematics.Clock, scopes ...string) *httpcore.Client {
	t.Helper()
	tokens, err := auth.New(auth.Config{
		Provider: "mycartracks", ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		TokenURL: srv.TokenURL, Scopes: scopes, Style: auth.InHeader, Clock: clock, HTTPClient: srv.Client(),
	})
	require.NoError(t, err)
	t.Cleanup(tokens.Close)
	c, err := httpcore.New(httpcore.Config{
		Provider: "mycartracks", BaseURL: srv.BaseURL, Tokens: tokens, Clock: clock, HTTPClient: srv.Client(),
		MaxWait: time.Hour,
		DecodeError: func(resp *telematics.Response, body []byte) error {
			var b struct{ Error string }
			_ = json.Unmarshal(body, &b)
			return &coreError{status: resp.StatusCode, remaining: resp.Rate.Remaining, code: b.Error}
		},
	})
	require.NoError(t, err)
	return c
}

func TestCoreClientPacesWithinTheBudget(t *testing.T) {
	clock := clocktest.New(epoch)
	srv := newServer(t, mycartrackstest.WithClock(clock), mycartrackstest.WithBudget(5, time.Minute))
	c := newCoreClient(t, srv, clock, "read")
	for i := range 23 {
		var p struct{ Data []json.RawMessage }
		_, err := c.Do(context.Background(), &httpcore.Request{Method: http.MethodGet, Path: "/tracks2",
			Query: map[string][]string{"offset": {fmt.Sprint(i)}, "limit": {"1"}}}, &p)
		require.NoError(t, err, "request %d", i)
		require.Len(t, p.Data, 1)
	}
	assert.Zero(t, srv.Stats().RateLimited, "the client never spent a request on a refusal")
	assert.Equal(t, 23, srv.Stats().Requests)
	assert.GreaterOrEqual(t, clock.Slept(), 4*time.Minute, "23 requests at 5 a minute span 5 windows")
	assert.Less(t, clock.Slept(), 5*time.Minute+10*time.Second)
}

func TestCoreClientGetsThroughFaults(t *testing.T) {
	clock := clocktest.New(epoch)
	srv := newServer(t, mycartrackstest.WithClock(clock))
	c := newCoreClient(t, srv, clock, "read", "write")
	ctx := context.Background()

	srv.FailNext(mycartrackstest.FaultUnavailable, mycartrackstest.FaultBadGateway, mycartrackstest.FaultDropped)
	var track map[string]any
	resp, err := c.Do(ctx, &httpcore.Request{Method: http.MethodGet, Path: "/tracks/700001"}, &track)
	require.NoError(t, err)
	assert.Equal(t, 4, resp.Attempts)
	assert.EqualValues(t, 700001, track["id"])

	srv.FailNext(mycartrackstest.FaultMalformed)
	_, err = c.Do(ctx, &httpcore.Request{Method: http.MethodGet, Path: "/tracks/700001"}, &track)
	assert.ErrorIs(t, err, telematics.ErrMalformedResponse)

	// A POST whose answer was lost may have succeeded: it is not retried, and it did.
	srv.FailNext(mycartrackstest.FaultDropped)
	_, err = c.Do(ctx, &httpcore.Request{Method: http.MethodPost, Path: "/jobs", Body: map[string]any{"name": "lost answer"}}, nil)
	require.Error(t, err)
	assert.True(t, telematics.MayHaveSucceeded(err), "%v", err)
	var jobs struct{ Data []struct{ Name string } }
	_, err = c.Do(ctx, &httpcore.Request{Method: http.MethodGet, Path: "/jobs", Query: map[string][]string{"sort": {"-id"}, "limit": {"1"}}}, &jobs)
	require.NoError(t, err)
	assert.Equal(t, "lost answer", jobs.Data[0].Name)

	_, err = c.Do(ctx, &httpcore.Request{Method: http.MethodGet, Path: "/tracks/1"}, nil)
	assert.ErrorIs(t, err, telematics.ErrNotFound)
}

func TestCoreClientRenewsRevokedAndExpiredTokens(t *testing.T) {
	clock := clocktest.New(epoch)
	srv := newServer(t, mycartrackstest.WithClock(clock), mycartrackstest.WithTokenLifetime(10*time.Minute))
	c := newCoreClient(t, srv, clock, "read")
	ctx := context.Background()
	get := func() error {
		_, err := c.Do(ctx, &httpcore.Request{Method: http.MethodGet, Path: "/vehicles"}, nil)
		return err
	}
	require.NoError(t, get())
	srv.RevokeTokens()
	require.NoError(t, get(), "a 401 is replayed once with a new token")
	assert.Equal(t, 2, srv.Grants())
	clock.Advance(time.Hour)
	require.NoError(t, get(), "an expired token is renewed")
	assert.Equal(t, 3, srv.Grants())
	assert.Equal(t, 1, srv.Stats().Unauthorized)

	var ce *coreError
	_, err := newCoreClient(t, srv, clock, "read").Do(ctx, &httpcore.Request{Method: http.MethodPost, Path: "/jobs", Body: map[string]any{"name": "x"}}, nil)
	require.True(t, errors.As(err, &ce), "%v", err)
	assert.Equal(t, "insufficient_scope", ce.code)
	assert.ErrorIs(t, err, telematics.ErrForbidden)
	assert.NotErrorIs(t, err, telematics.ErrRateLimited)
}
