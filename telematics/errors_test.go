package telematics_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestSentinelForStatus(t *testing.T) {
	for status, want := range map[int]error{
		400: telematics.ErrInvalidInput, 422: telematics.ErrInvalidInput, 401: telematics.ErrUnauthorized,
		403: telematics.ErrForbidden, 404: telematics.ErrNotFound, 410: telematics.ErrNotFound,
		409: telematics.ErrConflict, 429: telematics.ErrRateLimited, 501: telematics.ErrNotSupported,
		500: telematics.ErrUnavailable, 503: telematics.ErrUnavailable, 430: nil, 200: nil,
	} {
		assert.Equal(t, want, telematics.SentinelForStatus(status), "status %d", status)
	}
}

func TestRateLimitError(t *testing.T) {
	inner := errors.New("provider said 429")
	e := &telematics.RateLimitError{Provider: "p", RetryAfter: 90 * time.Second, ResetAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Err: inner}
	wrapped := fmt.Errorf("listing: %w", e)
	assert.ErrorIs(t, wrapped, telematics.ErrRateLimited)
	assert.ErrorIs(t, wrapped, inner)
	assert.Equal(t, "provider said 429", e.Error(), "the provider's error says it once")
	refused := &telematics.RateLimitError{Provider: "p", Method: "GET", URL: "https://x/y", RetryAfter: 3 * time.Minute, ResetAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	assert.Equal(t, "p: GET https://x/y: rate limited, request not sent: the budget is spent (retry after 3m0s, budget resets at 2026-01-01T00:00:00Z)", refused.Error())
	assert.Equal(t, "p: rate limited, request not sent: the budget is spent", (&telematics.RateLimitError{Provider: "p"}).Error())
}

func TestRequestError(t *testing.T) {
	post := &telematics.RequestError{Provider: "p", Method: http.MethodPost, URL: "https://x/y", Attempts: 1, Sent: true, Err: errors.New("EOF")}
	assert.True(t, telematics.MayHaveSucceeded(fmt.Errorf("wrap: %w", post)))
	assert.Equal(t, "p: POST https://x/y: EOF (the request may have been applied)", post.Error())
	assert.ErrorIs(t, post, telematics.ErrUnavailable)

	del := &telematics.RequestError{Provider: "p", Method: http.MethodDelete, URL: "https://x/y", Attempts: 3, Sent: true, Err: errors.New("EOF")}
	assert.True(t, telematics.MayHaveSucceeded(del))
	assert.Equal(t, "p: DELETE https://x/y: EOF (after 3 attempts, the request may have been applied)", del.Error(), "one parenthesis")

	get := &telematics.RequestError{Provider: "p", Method: http.MethodGet, Attempts: 3, Sent: true, Err: errors.New("EOF")}
	assert.False(t, telematics.MayHaveSucceeded(get))
	assert.Contains(t, get.Error(), "after 3 attempts")

	notSent := &telematics.RequestError{Provider: "p", Method: http.MethodPost, Err: errors.New("refused")}
	assert.False(t, telematics.MayHaveSucceeded(notSent))
	assert.False(t, telematics.MayHaveSucceeded(errors.New("plain")))
	assert.False(t, telematics.MayHaveSucceeded(nil))

	cancelled := &telematics.RequestError{Provider: "p", Method: http.MethodGet, Err: context.Canceled}
	assert.ErrorIs(t, cancelled, context.Canceled)
	assert.NotErrorIs(t, cancelled, telematics.ErrUnavailable)
	malformed := &telematics.RequestError{Provider: "p", Method: http.MethodGet, Err: fmt.Errorf("%w: bad", telematics.ErrMalformedResponse)}
	assert.ErrorIs(t, malformed, telematics.ErrMalformedResponse)
	assert.NotErrorIs(t, malformed, telematics.ErrUnavailable)
}

func TestAuthError(t *testing.T) {
	scope := &telematics.AuthError{Provider: "mycartracks", Status: 400, Code: "invalid_scope", Description: "scope write not allowed", Permanent: true}
	assert.ErrorIs(t, scope, telematics.ErrUnauthorized)
	assert.ErrorIs(t, scope, telematics.ErrForbidden)
	assert.NotErrorIs(t, scope, telematics.ErrUnavailable)
	assert.Equal(t, "mycartracks: access token request failed (HTTP 400): invalid_scope (the credentials may not request this scope): scope write not allowed", scope.Error())

	down := &telematics.AuthError{Provider: "p", Status: 502, Err: errors.New("bad gateway")}
	assert.ErrorIs(t, down, telematics.ErrUnavailable)
	assert.NotErrorIs(t, down, telematics.ErrUnauthorized)
	assert.Contains(t, down.Error(), "bad gateway")
}

func TestRate(t *testing.T) {
	assert.False(t, telematics.UnknownRate.Known())
	assert.Equal(t, "unknown", telematics.UnknownRate.String())
	r := telematics.Rate{Limit: 150, Remaining: 3, Reset: time.Date(2026, 1, 1, 0, 15, 0, 0, time.UTC)}
	assert.Equal(t, "3/150 until 2026-01-01T00:15:00Z", r.String())
}

func TestSystemClock(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, telematics.SystemClock.Sleep(ctx, time.Hour), context.Canceled)
	assert.NoError(t, telematics.SystemClock.Sleep(context.Background(), time.Millisecond))
	assert.WithinDuration(t, time.Now(), telematics.SystemClock.Now(), time.Second)
}
