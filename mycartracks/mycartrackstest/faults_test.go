package mycartrackstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

// outcome classifies what a plain client saw.
func outcome(t *testing.T, srv *mycartrackstest.Server, tok, path string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.BaseURL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := srv.Client().Do(req)
	if err != nil {
		return "error"
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	switch {
	case err != nil:
		return "dropped"
	case res.StatusCode != http.StatusOK:
		return fmt.Sprint(res.StatusCode)
	case !json.Valid(body):
		return "malformed"
	}
	return "ok"
}

func TestFaultsAreDeterministic(t *testing.T) {
	faults := mycartrackstest.Faults{ServerErrors: 0.2, Dropped: 0.1, Malformed: 0.1}
	run := func(seed int64) []string {
		srv := newServer(t, mycartrackstest.WithSeed(seed), mycartrackstest.WithFaults(faults), mycartrackstest.WithoutRateLimit())
		tok := token(t, srv, "read")
		var seen []string
		for i := range 120 {
			seen = append(seen, outcome(t, srv, tok, fmt.Sprintf("/vehicles?offset=%d", i%5)))
		}
		var kinds []string
		for _, r := range srv.Requests() {
			kinds = append(kinds, r.Fault.String())
		}
		assert.Len(t, kinds, 120)
		assert.Equal(t, len(kinds)-count(kinds, "none"), srv.Stats().Faults)
		return seen
	}
	first := run(7)
	assert.Equal(t, first, run(7), "the same seed meets the same faults")
	assert.NotEqual(t, first, run(8))
	for _, kind := range []string{"ok", "500", "502", "503", "dropped", "malformed"} {
		assert.Contains(t, first, kind)
	}
	share := float64(len(first)-count(first, "ok")) / float64(len(first))
	assert.InDelta(t, 0.4, share, 0.15)
}

func TestEachFaultKind(t *testing.T) {
	srv := newServer(t)
	tok := token(t, srv, "read write")

	t.Run("server errors", func(t *testing.T) {
		srv.FailNext(mycartrackstest.FaultInternalError, mycartrackstest.FaultBadGateway, mycartrackstest.FaultUnavailable)
		for _, want := range []struct {
			status      int
			contentType string
			code        string
		}{
			{500, "application/json", "internal_error"},
			{502, "text/html; charset=utf-8", ""},
			{503, "application/json", "service_unavailable"},
		} {
			res := get(t, srv, tok, "/vehicles")
			require.Equal(t, want.status, res.status)
			assert.Equal(t, want.contentType, res.header.Get("Content-Type"))
			_, remaining, _ := budgetOf(t, res)
			assert.Positive(t, remaining, "5xx answers carry the budget headers")
			assert.NotEmpty(t, res.header.Get("X-Request-Id"))
			if want.code != "" {
				assert.Equal(t, want.code, res.apiError(t).Error)
			} else {
				assert.False(t, json.Valid(res.body))
			}
		}
		assert.Equal(t, "ok", outcome(t, srv, tok, "/vehicles"), "scripted faults are used up")
	})

	t.Run("dropped", func(t *testing.T) {
		srv.FailNext(mycartrackstest.FaultDropped)
		req, err := http.NewRequest(http.MethodGet, srv.BaseURL+"/tracks2", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := srv.Client().Do(req)
		require.NoError(t, err, "the status line and headers arrive")
		defer res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.NotEmpty(t, res.Header.Get("X-Rate-Limit-Remaining"))
		body, err := io.ReadAll(res.Body)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.NotEmpty(t, body, "part of the body arrives")
		assert.Less(t, int64(len(body)), res.ContentLength)
	})

	t.Run("malformed", func(t *testing.T) {
		srv.FailNext(mycartrackstest.FaultMalformed)
		res := get(t, srv, tok, "/tracks/700001")
		assert.Equal(t, http.StatusOK, res.status)
		assert.Equal(t, "application/json", res.header.Get("Content-Type"))
		assert.False(t, json.Valid(res.body))
		assert.True(t, strings.HasPrefix(string(res.body), `{"id":700001`))

		srv.FailNext(mycartrackstest.FaultMalformed)
		res = get(t, srv, tok, "/tracks/1") // a 404 is turned into a broken 200 too
		assert.Equal(t, http.StatusOK, res.status)
		assert.False(t, json.Valid(res.body))
	})

	t.Run("writes", func(t *testing.T) {
		jobs := func() int {
			var p page
			getOK(t, srv, tok, "/jobs?includeTotal=true", &p)
			return *p.Total
		}
		before := jobs()
		srv.FailNext(mycartrackstest.FaultUnavailable)
		assert.Equal(t, 503, do(t, srv, tok, http.MethodPost, "/jobs", `{"name":"a"}`).status)
		assert.Equal(t, before, jobs(), "a server error happens before the write")

		srv.FailNext(mycartrackstest.FaultMalformed)
		assert.Equal(t, 200, do(t, srv, tok, http.MethodPost, "/jobs", `{"name":"b"}`).status)
		assert.Equal(t, before+1, jobs(), "a malformed answer follows the write")

		srv.FailNext(mycartrackstest.FaultDropped)
		req, err := http.NewRequest(http.MethodPost, srv.BaseURL+"/jobs", strings.NewReader(`{"name":"c"}`))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		if res, err := srv.Client().Do(req); err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
			assert.Error(t, err)
		}
		assert.Equal(t, before+2, jobs(), "a dropped answer follows the write")

		srv.FailNext(mycartrackstest.FaultDropped)
		req, err = http.NewRequest(http.MethodDelete, srv.BaseURL+"/jobs/5001", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		_, err = srv.Client().Do(req)
		assert.Error(t, err, "an empty answer is dropped before anything is sent")
		assert.Equal(t, http.StatusNotFound, get(t, srv, tok, "/jobs/5001").status)
	})

	t.Run("no fault for refused requests", func(t *testing.T) {
		srv.FailNext(mycartrackstest.FaultUnavailable)
		assert.Equal(t, http.StatusUnauthorized, get(t, srv, "", "/vehicles").status)
		assert.Equal(t, http.StatusServiceUnavailable, get(t, srv, tok, "/vehicles").status, "the fault waited for an authenticated request")
	})

	t.Run("NoFault in a script", func(t *testing.T) {
		srv.FailNext(mycartrackstest.NoFault, mycartrackstest.FaultInternalError)
		assert.Equal(t, "ok", outcome(t, srv, tok, "/vehicles"))
		assert.Equal(t, "500", outcome(t, srv, tok, "/vehicles"))
	})
}

func TestSetFaults(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithoutRateLimit())
	tok := token(t, srv, "read")
	assert.Equal(t, "ok", outcome(t, srv, tok, "/vehicles"))
	srv.SetFaults(mycartrackstest.Faults{Malformed: 1})
	assert.Equal(t, "malformed", outcome(t, srv, tok, "/vehicles"))
	srv.SetFaults(mycartrackstest.Faults{ServerErrors: 0.5})
	first := make([]string, 20)
	for i := range first {
		first[i] = outcome(t, srv, tok, "/vehicles")
	}
	srv.SetFaults(mycartrackstest.Faults{ServerErrors: 0.5})
	for i := range first {
		assert.Equal(t, first[i], outcome(t, srv, tok, "/vehicles"), "SetFaults restarts the sequence")
	}
	srv.SetFaults(mycartrackstest.Faults{})
	assert.Equal(t, "ok", outcome(t, srv, tok, "/vehicles"))

	for _, bad := range []mycartrackstest.Faults{{ServerErrors: -0.1}, {Dropped: 1.5}, {ServerErrors: 0.6, Malformed: 0.6}, {Latency: -time.Second}} {
		assert.Panics(t, func() { srv.SetFaults(bad) }, "%+v", bad)
		assert.Panics(t, func() { mycartrackstest.NewServer(mycartrackstest.WithFaults(bad)) }, "%+v", bad)
	}
}

func TestLatency(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithFaults(mycartrackstest.Faults{Latency: 30 * time.Millisecond}))
	tok := token(t, srv, "read")
	start := time.Now()
	res := get(t, srv, tok, "/vehicles")
	assert.Equal(t, http.StatusOK, res.status)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
}

func TestLatencyEndsWithTheRequest(t *testing.T) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithFaults(mycartrackstest.Faults{Latency: time.Hour}))
	tok := token(t, srv, "read")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.BaseURL+"/vehicles", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	_, err = srv.Client().Do(req)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	// A request still waiting when the server closes is cut short: Close returns.
	wrote := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(wrote) }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, srv.BaseURL+"/vehicles", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := srv.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	<-wrote
	srv.Close()
	<-done
}

func TestFaultKindString(t *testing.T) {
	names := map[mycartrackstest.FaultKind]string{
		mycartrackstest.NoFault: "none", mycartrackstest.FaultInternalError: "500", mycartrackstest.FaultBadGateway: "502",
		mycartrackstest.FaultUnavailable: "503", mycartrackstest.FaultDropped: "dropped", mycartrackstest.FaultMalformed: "malformed",
		mycartrackstest.FaultKind(42): "FaultKind(42)",
	}
	for k, want := range names {
		assert.Equal(t, want, k.String())
	}
}

func count(items []string, s string) int {
	n := 0
	for _, it := range items {
		if it == s {
			n++
		}
	}
	return n
}
