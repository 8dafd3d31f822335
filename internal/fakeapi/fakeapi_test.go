package fakeapi_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/fakeapi"
	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
)

func TestRequestID(t *testing.T) {
	assert.Equal(t, "00000000-0000-4000-8000-000000000001", fakeapi.RequestID(1))
	assert.Equal(t, "00000000-0000-4000-8000-123456789012", fakeapi.RequestID(123456789012))
}

type entry struct {
	id     string
	at     time.Time
	status int
	tags   []string
}

func cloneEntry(e entry) entry {
	e.tags = append([]string(nil), e.tags...)
	return e
}

func routeOf(e entry) (string, string) { return "GET", e.tags[0] }

func TestLog(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	l := fakeapi.NewLog(cloneEntry, routeOf)
	first := l.Add(now, func(t fakeapi.Ticket) entry { return entry{id: t.ID, at: t.Time, tags: []string{"a"}} })
	second := l.Add(now, func(t fakeapi.Ticket) entry { return entry{id: t.ID, tags: []string{"b"}} })
	assert.Equal(t, fakeapi.Ticket{N: 1, ID: fakeapi.RequestID(1), Time: at}, first)
	assert.EqualValues(t, 2, second.N)

	l.Update(first.N, func(e *entry) { e.status = 200 })
	l.Tally(func(st *fakeapi.Stats) { st.Faults++ })
	got := l.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, entry{id: fakeapi.RequestID(1), at: at, status: 200, tags: []string{"a"}}, got[0])
	assert.Equal(t, 2, l.CountRequests("", ""))
	assert.Equal(t, 1, l.CountRequests("GET", "b"))
	assert.Equal(t, 0, l.CountRequests("POST", ""))
	got[0].tags[0] = "changed"
	assert.Equal(t, "a", l.Requests()[0].tags[0], "copies")

	l.ResetRequests()
	assert.Empty(t, l.Requests())
	l.Update(second.N, func(e *entry) { t.Fatal("a reset entry is gone") })
	third := l.Add(now, func(t fakeapi.Ticket) entry { return entry{id: t.ID, tags: []string{"c"}} })
	assert.EqualValues(t, 3, third.N, "numbers go on after a reset")

	oauth := fakeoauth.New(fakeoauth.Config{ClientID: "id", ClientSecret: "secret"})
	assert.Equal(t, fakeapi.Stats{Requests: 3, Faults: 1}, l.Stats(oauth))
}

func TestLogOrderUnderConcurrency(t *testing.T) {
	var mu sync.Mutex
	clock := time.Unix(0, 0)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(time.Second); return clock }
	l := fakeapi.NewLog(cloneEntry, routeOf)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Add(now, func(t fakeapi.Ticket) entry { return entry{id: t.ID, at: t.Time, tags: []string{"x"}} })
		}()
	}
	wg.Wait()
	got := l.Requests()
	require.Len(t, got, 50)
	for i, e := range got {
		assert.Equal(t, fakeapi.RequestID(int64(i+1)), e.id)
		if i > 0 {
			assert.True(t, e.at.After(got[i-1].at), "the log is in the order of the times read")
		}
	}
}

func TestQueue(t *testing.T) {
	var q fakeapi.Queue[string]
	_, ok := q.Take(nil)
	assert.False(t, ok)
	q.Push("GET a", "POST b", "GET c")
	f, ok := q.Take(func(f string) bool { return strings.HasPrefix(f, "POST") })
	assert.True(t, ok)
	assert.Equal(t, "POST b", f)
	f, _ = q.Take(nil)
	assert.Equal(t, "GET a", f)
	f, _ = q.Take(nil)
	assert.Equal(t, "GET c", f)
	_, ok = q.Take(nil)
	assert.False(t, ok)
}

func TestCloneRequest(t *testing.T) {
	q, h, b := url.Values{"a": {"1"}}, http.Header{"X": {"y"}}, []byte("body")
	q2, h2, b2 := fakeapi.CloneRequest(q, h, b)
	q2["a"][0], h2["X"][0], b2[0] = "2", "z", 'B'
	assert.Equal(t, "1", q.Get("a"))
	assert.Equal(t, "y", h.Get("X"))
	assert.Equal(t, "body", string(b))
}

func TestReceive(t *testing.T) {
	oauth := fakeoauth.New(fakeoauth.Config{ClientID: "id", ClientSecret: "secret"})
	req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(`{"a":1}`))
	req.Header.Set("Authorization", "Bearer nope")
	req.Header.Set("User-Agent", "ua")
	a := fakeapi.Receive(req, oauth)
	assert.False(t, a.Authorized)
	assert.Equal(t, `{"a":1}`, string(a.Body))
	assert.NoError(t, a.BodyErr)
	assert.Empty(t, a.Header.Get("Authorization"))
	assert.Equal(t, "ua", a.Header.Get("User-Agent"))
	assert.Equal(t, "Bearer nope", req.Header.Get("Authorization"), "the request keeps its header")

	empty := fakeapi.Receive(httptest.NewRequest(http.MethodGet, "/x", nil), oauth)
	assert.Nil(t, empty.Body)

	big := fakeapi.Receive(httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(strings.Repeat("x", fakeapi.MaxBody+1))), oauth)
	assert.ErrorIs(t, big.BodyErr, fakeapi.ErrBodyTooLarge)
	assert.Len(t, big.Body, fakeapi.MaxBody)
}

func TestMustBeValid(t *testing.T) {
	assert.NotPanics(t, func() { fakeapi.MustBeValid("pkg", nil, nil) })
	assert.PanicsWithValue(t, "pkg: WithA: bad; WithB: worse", func() {
		fakeapi.MustBeValid("pkg", errors.New("WithA: bad"), nil, errors.New("WithB: worse"))
	})
}
