package mycartracks_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestWithMaxResponseBody(t *testing.T) {
	for _, n := range []int64{0, -1} {
		_, err := mycartracks.NewClient(clientID, clientSecret, mycartracks.WithMaxResponseBody(n))
		assert.ErrorIs(t, err, telematics.ErrInvalidInput, n)
		assert.ErrorContains(t, err, "maximum response body")
	}

	s := newScripted(t, mycartracks.WithMaxResponseBody(1000))
	s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[{"id":1,"name":"` + strings.Repeat("x", 2000) + `"}]}`))
	})
	_, err := s.client.Vehicles.List(context.Background(), nil)
	require.ErrorIs(t, err, telematics.ErrResponseTooLarge)
	assert.ErrorContains(t, err, "1000")

	// The default is far above a page of the largest size.
	_, err = s.newClient().Vehicles.List(context.Background(), nil)
	require.NoError(t, err)
}

// AllTrackpoints reads every page into the body buffer of the first: a long track costs
// a few bytes per point, not the page body again for every page. The pages are built
// before the count, so that the server in this process allocates next to nothing.
func TestAllTrackpointsReusesThePageBuffer(t *testing.T) {
	const pageSize, pages = mycartracks.MaxTrackpointPageSize, 20
	const points = pageSize * pages
	var bodies [pages + 1][]byte
	for p := range bodies {
		var b strings.Builder
		b.WriteString(`{"data":[`)
		for i := range pageSize {
			if p == pages {
				break // the empty page after the last
			}
			if i > 0 {
				b.WriteByte(',')
			}
			n := p*pageSize + i
			fmt.Fprintf(&b, `{"id":%d,"time":%d,"latitude":%.6f,"longitude":%.6f,"altitude":%.1f,"speed":%.1f,"bearing":%d,"accuracy":%d}`,
				1_000_000+n, 1767261600000+int64(n)*1000, 48.1+float64(n)*1e-6, 17.1+float64(n)*1e-6, 140+float64(n%50)/10, float64(n%1300)/10, n%360, 3+n%10)
		}
		b.WriteString(`]}`)
		bodies[p] = []byte(b.String())
	}
	s := newScripted(t)
	s.handle("GET /trackpoints/{id}", func(w http.ResponseWriter, r *http.Request) {
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		body := bodies[min(offset/pageSize, pages)]
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
	ctx := context.Background()
	count := func(opts *mycartracks.TrackpointListOptions) (n int, allocated uint64) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, err := range s.client.Tracks.AllTrackpoints(ctx, 7, opts) {
			require.NoError(t, err)
			n++
		}
		runtime.ReadMemStats(&after)
		return n, after.TotalAlloc - before.TotalAlloc
	}
	n, reused := count(nil)
	require.Equal(t, points, n)
	t.Logf("%.1f bytes allocated per point", float64(reused)/points)
	// A page body is about 140 bytes a point; the items of one page, read once, and the
	// body buffer, grown once, cost about 25 bytes a point over 20 pages.
	assert.Less(t, reused/points, uint64(50), "bytes allocated per point")

	// Points that keep their raw JSON hold the page's memory: every page gets its own.
	n, kept := count(&mycartracks.TrackpointListOptions{KeepRaw: true})
	require.Equal(t, points, n)
	assert.Greater(t, kept/points, reused/points+100, "bytes allocated per point with KeepRaw")

	// And their raw JSON survives the pages that follow.
	var first []mycartracks.Trackpoint
	for tp, err := range s.client.Tracks.AllTrackpoints(ctx, 7, &mycartracks.TrackpointListOptions{KeepRaw: true}) {
		require.NoError(t, err)
		if len(first) < 3 {
			first = append(first, tp)
		}
	}
	for i, tp := range first {
		assert.Equal(t, fmt.Sprintf(`"id":%d`, 1_000_000+i), strings.Split(string(tp.Raw), ",")[0][1:])
	}
}

// Do hands back new memory for a raw body each call, also when given a slice with
// capacity: a caller may keep the bodies of earlier calls.
func TestDoRawBodyIsNewMemory(t *testing.T) {
	s := newScripted(t)
	var n int
	s.handle("GET /vehicles/7/odometer", func(w http.ResponseWriter, r *http.Request) {
		n++
		_, _ = w.Write([]byte(`{"data":{"value":` + strings.Repeat("1", n) + `}}`))
	})
	var raw []byte
	var kept []string
	var keptRaw [][]byte
	for range 3 {
		_, err := s.client.Do(context.Background(), http.MethodGet, "/vehicles/7/odometer", nil, nil, &raw)
		require.NoError(t, err)
		kept = append(kept, string(raw))
		keptRaw = append(keptRaw, raw)
	}
	for i := range kept {
		assert.Equal(t, kept[i], string(keptRaw[i]), "an earlier body was overwritten")
	}
}
