package mycartrackstest_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

func budgetOf(t *testing.T, res result) (limit, remaining, reset int) {
	t.Helper()
	atoi := func(name string) int {
		v := res.header.Get(name)
		require.NotEmpty(t, v, "%s missing", name)
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		return n
	}
	return atoi("X-Rate-Limit-Limit"), atoi("X-Rate-Limit-Remaining"), atoi("X-Rate-Limit-Reset")
}

func TestRateLimitDefaults(t *testing.T) {
	srv, clock := newClockedServer(t)
	tok := token(t, srv, "read write")

	res := get(t, srv, tok, "/vehicles")
	limit, remaining, reset := budgetOf(t, res)
	assert.Equal(t, [3]int{150, 149, 900}, [3]int{limit, remaining, reset})

	clock.Advance(90*time.Second + time.Millisecond)
	// Every kind of answer carries the budget and counts against it.
	for i, path := range []string{"/vehicles", "/nothing", "/tracks/1", "/tracks2?limit=0"} {
		res := get(t, srv, "", path)
		_, remaining, reset := budgetOf(t, res)
		assert.Equal(t, 148-i, remaining, path)
		assert.Equal(t, 810, reset, "whole seconds until the window ends, rounded up")
		assert.NotEmpty(t, res.header.Get("X-Request-Id"))
	}
	res = do(t, srv, token(t, srv, "read"), http.MethodPost, "/jobs", `{"name":"x"}`)
	_, remaining, _ = budgetOf(t, res)
	assert.Equal(t, 144, remaining)
}

func TestRateLimitExhaustionAndReset(t *testing.T) {
	srv, clock := newClockedServer(t, mycartrackstest.WithBudget(3, time.Minute))
	tok := token(t, srv, "read")
	for want := 2; want >= 0; want-- {
		res := get(t, srv, tok, "/vehicles")
		require.Equal(t, http.StatusOK, res.status)
		_, remaining, _ := budgetOf(t, res)
		assert.Equal(t, want, remaining)
	}
	clock.Advance(20 * time.Second)
	for range 2 {
		res := get(t, srv, tok, "/vehicles")
		require.Equal(t, http.StatusForbidden, res.status)
		limit, remaining, reset := budgetOf(t, res)
		assert.Equal(t, [3]int{3, 0, 40}, [3]int{limit, remaining, reset})
		assert.Equal(t, errorBody{Error: "rate_limit_exceeded", Message: "Rate limit exceeded, retry after the reset window"}, res.apiError(t))
		assert.Empty(t, res.header.Get("Retry-After"))
	}
	assert.Equal(t, 2, srv.Stats().RateLimited)

	clock.Advance(40 * time.Second) // the next window starts
	res := get(t, srv, tok, "/vehicles")
	require.Equal(t, http.StatusOK, res.status)
	_, remaining, reset := budgetOf(t, res)
	assert.Equal(t, [2]int{2, 60}, [2]int{remaining, reset})

	// The window is fixed: a request late in it sees a short reset.
	clock.Advance(59*time.Second + 500*time.Millisecond)
	_, _, reset = budgetOf(t, get(t, srv, tok, "/vehicles"))
	assert.Equal(t, 1, reset)
	// Windows several lengths later start afresh too.
	clock.Advance(10 * time.Minute)
	_, remaining, _ = budgetOf(t, get(t, srv, tok, "/vehicles"))
	assert.Equal(t, 2, remaining)
}

func TestRateLimitWith429(t *testing.T) {
	srv, clock := newClockedServer(t, mycartrackstest.WithBudget(1, 15*time.Minute),
		mycartrackstest.WithRateLimitStatus(http.StatusTooManyRequests))
	tok := token(t, srv, "read")
	require.Equal(t, http.StatusOK, get(t, srv, tok, "/vehicles").status)
	clock.Advance(5 * time.Minute)
	res := get(t, srv, tok, "/vehicles")
	require.Equal(t, http.StatusTooManyRequests, res.status)
	assert.Equal(t, "600", res.header.Get("Retry-After"))
	_, remaining, reset := budgetOf(t, res)
	assert.Equal(t, [2]int{0, 600}, [2]int{remaining, reset})
	assert.Equal(t, "rate_limit_exceeded", res.apiError(t).Error)
}

func TestWithoutRateLimit(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithoutRateLimit())
	tok := token(t, srv, "read")
	for range 200 {
		res := get(t, srv, tok, "/vehicles?limit=1")
		require.Equal(t, http.StatusOK, res.status)
		assert.Empty(t, res.header.Get("X-Rate-Limit-Limit"))
		assert.Empty(t, res.header.Get("X-Rate-Limit-Remaining"))
		assert.Empty(t, res.header.Get("X-Rate-Limit-Reset"))
	}
	assert.Zero(t, srv.Stats().RateLimited)
}

func TestTokenEndpointIsNotRateLimited(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithBudget(1, time.Hour))
	for range 3 {
		token(t, srv, "read")
	}
	res := get(t, srv, token(t, srv, "read"), "/vehicles")
	_, remaining, _ := budgetOf(t, res)
	assert.Equal(t, 0, remaining)
	assert.Equal(t, http.StatusOK, res.status)
}
