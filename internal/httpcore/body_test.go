package httpcore_test

import (
	"bytes"
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// endless serves a 200 whose body never ends (2 GB of JSON-looking bytes, generated as
// they are written), with or without a Content-Length. It reports how much it wrote and
// closes finished when the client stopped reading.
func endless(announce bool, written *atomic.Int64, finished chan<- struct{}) http.HandlerFunc {
	const total = 2 << 30
	chunk := bytes.Repeat([]byte(`{"id":1},`), 64<<10/9)
	return func(w http.ResponseWriter, r *http.Request) {
		defer close(finished)
		w.Header().Set("Content-Type", "application/json")
		if announce {
			w.Header().Set("Content-Length", strconv.Itoa(total))
		}
		w.WriteHeader(http.StatusOK)
		for written.Load() < total {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

// An endless success body costs at most 1.25 times the cap in allocations, fails with
// ErrResponseTooLarge, and the client stops reading it.
func TestEndlessBodyStaysUnderTheCap(t *testing.T) {
	const capBytes = 64 << 20
	h := newHarness(t, withConfig(func(c *httpcore.Config) { c.MaxBody = capBytes }))
	var written atomic.Int64
	finished := make(chan struct{})
	h.mux.HandleFunc("GET /api/v3/points", endless(false, &written, finished))
	// A token first, so that its grant is not counted.
	_, err := h.tokens.Token(context.Background())
	require.NoError(t, err)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var raw []byte
	resp, err := h.client.Do(context.Background(), &httpcore.Request{Path: "/points"}, &raw)
	runtime.ReadMemStats(&after)

	require.ErrorIs(t, err, telematics.ErrResponseTooLarge)
	assert.ErrorContains(t, err, "more than 67108864 bytes")
	assert.Equal(t, 1, resp.Attempts, "an oversized body is not retried")
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %.1f MiB reading an endless body with a %d MiB cap", float64(allocated)/(1<<20), capBytes>>20)
	assert.LessOrEqual(t, allocated, uint64(capBytes*5/4), "reading never allocates more than 1.25 times the cap")
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("the server kept writing: the client did not drop the connection")
	}
	assert.Less(t, written.Load(), int64(capBytes+64<<20), "the client stopped reading at the cap")
}

// A body announced longer than the cap fails before any of it is read.
func TestAnnouncedOversizedBodyIsNotRead(t *testing.T) {
	h := newHarness(t, withConfig(func(c *httpcore.Config) { c.MaxBody = 1 << 20 }))
	var written atomic.Int64
	finished := make(chan struct{})
	h.mux.HandleFunc("GET /api/v3/points", endless(true, &written, finished))
	_, err := h.tokens.Token(context.Background())
	require.NoError(t, err)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = h.client.Do(context.Background(), &httpcore.Request{Path: "/points"}, nil)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, telematics.ErrResponseTooLarge)
	assert.ErrorContains(t, err, "2147483648 bytes (limit 1048576)")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("the server kept writing: the client did not drop the connection")
	}
}

// A request's own cap replaces the client's, below and above it.
func TestRequestMaxBody(t *testing.T) {
	h := newHarness(t, withConfig(func(c *httpcore.Config) { c.MaxBody = 1000 }))
	body := `{"data":"` + string(bytes.Repeat([]byte("x"), 2000)) + `"}`
	for _, chunked := range []bool{false, true} {
		name := "/api/v3/sized" + strconv.FormatBool(chunked)
		h.mux.HandleFunc("GET "+name, func(w http.ResponseWriter, r *http.Request) {
			if !chunked {
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			}
			w.WriteHeader(200)
			for i := 0; i < len(body); i += 100 {
				_, _ = w.Write([]byte(body[i:min(i+100, len(body))]))
				if chunked {
					w.(http.Flusher).Flush()
				}
			}
		})
		path := name[len("/api/v3"):]
		_, err := h.client.Do(context.Background(), &httpcore.Request{Path: path}, nil)
		assert.ErrorIs(t, err, telematics.ErrResponseTooLarge, path)
		var raw []byte
		_, err = h.client.Do(context.Background(), &httpcore.Request{Path: path, MaxBody: 1 << 20}, &raw)
		require.NoError(t, err, path)
		assert.Equal(t, body, string(raw))
		_, err = h.client.Do(context.Background(), &httpcore.Request{Path: path, MaxBody: int64(len(body))}, &raw)
		require.NoError(t, err, "a body of exactly the cap is accepted")
		_, err = h.client.Do(context.Background(), &httpcore.Request{Path: path, MaxBody: int64(len(body)) - 1}, &raw)
		assert.ErrorIs(t, err, telematics.ErrResponseTooLarge, "one byte over the cap is refused")
	}
}

// A *[]byte with capacity receives the body in that capacity: pages read one after the
// other allocate no new body.
func TestRawBodyReusesCapacity(t *testing.T) {
	h := newHarness(t)
	page := bytes.Repeat([]byte(`{"time":1700000000000,"latitude":52.1},`), 20_000)
	for _, chunked := range []bool{false, true} {
		name := "/api/v3/page" + strconv.FormatBool(chunked)
		h.mux.HandleFunc("GET "+name, func(w http.ResponseWriter, r *http.Request) {
			if !chunked {
				w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			}
			_, _ = w.Write(page)
		})
		path := name[len("/api/v3"):]
		var raw []byte
		_, err := h.client.Do(context.Background(), &httpcore.Request{Path: path}, &raw)
		require.NoError(t, err)
		require.Equal(t, page, raw)
		first := &raw[:1][0]
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range 5 {
			_, err = h.client.Do(context.Background(), &httpcore.Request{Path: path}, &raw)
			require.NoError(t, err)
		}
		runtime.ReadMemStats(&after)
		require.Equal(t, page, raw)
		assert.Same(t, first, &raw[:1][0], "the body was read into the same memory")
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(len(page)), "five pages cost less than one body")

		// A nil slice gets new memory.
		var fresh []byte
		_, err = h.client.Do(context.Background(), &httpcore.Request{Path: path}, &fresh)
		require.NoError(t, err)
		assert.Equal(t, page, fresh)
		assert.NotSame(t, first, &fresh[:1][0])
	}
}
