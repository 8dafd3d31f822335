package mycartrackstest_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

func TestRequestLog(t *testing.T) {
	srv, clock := newClockedServer(t, mycartrackstest.WithBudget(4, time.Hour), mycartrackstest.WithTokenLifetime(2*time.Hour))
	tok := token(t, srv, "read write")

	first := get(t, srv, tok, "/tracks2?offset=10&limit=5")
	clock.Advance(time.Second)
	get(t, srv, "", "/vehicles")
	srv.FailNext(mycartrackstest.FaultUnavailable)
	get(t, srv, tok, "/vehicles/1001")
	do(t, srv, tok, http.MethodPost, "/jobs", `{"name":"logged"}`)
	get(t, srv, tok, "/vehicles") // over the budget

	log := srv.Requests()
	require.Len(t, log, 5)
	assert.Equal(t, mycartrackstest.LoggedRequest{
		ID: first.header.Get("X-Request-Id"), Time: epoch, Method: "GET", Path: "/tracks2",
		Query: url.Values{"offset": {"10"}, "limit": {"5"}}, Header: log[0].Header,
		Scopes: []string{"read", "write"}, Status: 200, Fault: mycartrackstest.NoFault,
	}, log[0])
	assert.Equal(t, mycartrackstest.RequestID(1), log[0].ID)
	assert.Equal(t, "00000000-0000-4000-8000-000000000001", log[0].ID, "a UUID, as smartcartest's")
	assert.Empty(t, log[0].Header.Get("Authorization"))
	assert.NotEmpty(t, log[0].Header.Get("User-Agent"))

	assert.Equal(t, epoch.Add(time.Second), log[1].Time)
	assert.Equal(t, http.StatusUnauthorized, log[1].Status)
	assert.Nil(t, log[1].Scopes)

	assert.Equal(t, http.StatusServiceUnavailable, log[2].Status)
	assert.Equal(t, mycartrackstest.FaultUnavailable, log[2].Fault)

	assert.Equal(t, "POST", log[3].Method)
	assert.Equal(t, `{"name":"logged"}`, string(log[3].Body))
	assert.Equal(t, http.StatusCreated, log[3].Status)

	assert.Equal(t, http.StatusForbidden, log[4].Status)

	assert.Equal(t, mycartrackstest.Stats{
		Requests: 5, Unauthorized: 1, RateLimited: 1, Faults: 1, TokenRequests: 1, Grants: 1,
	}, srv.Stats())

	log[0].Query.Set("offset", "99")
	log[0].Header.Set("User-Agent", "changed")
	log[0].Scopes[0] = "admin"
	log[3].Body[0] = '['
	again := srv.Requests()
	assert.Equal(t, "10", again[0].Query.Get("offset"), "the log is returned by copy")
	assert.NotEqual(t, "changed", again[0].Header.Get("User-Agent"))
	assert.Equal(t, []string{"read", "write"}, again[0].Scopes)
	assert.Equal(t, `{"name":"logged"}`, string(again[3].Body))
	clock.Advance(time.Hour)
	assert.Equal(t, http.StatusCreated, do(t, srv, tok, http.MethodPost, "/jobs", `{"name":"again"}`).status,
		"the token's scopes are not the log's")

	srv.ResetRequests()
	assert.Empty(t, srv.Requests())
	assert.Equal(t, 6, srv.Stats().Requests, "stats keep counting")
}
