package mycartracks_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
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
// a few bytes per point, not the page body again for every page.
func TestAllTrackpointsReusesThePageBuffer(t *testing.T) {
	const points = 200_000 // 20 pages
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(1),
		mycartrackstest.WithPointsPerTrack(points), mycartrackstest.WithoutRateLimit())
	defer srv.Close()
	c, err := mycartracks.NewClient(srv.ClientID, srv.ClientSecret, mycartracks.WithBaseURL(srv.URL),
		mycartracks.WithTokenURL(srv.TokenURL), mycartracks.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	defer c.Close()
	ctx := context.Background()
	track := srv.Fleet().Tracks()[0]

	count := func(opts *mycartracks.TrackpointListOptions) (n int, allocated uint64) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, err := range c.Tracks.AllTrackpoints(ctx, mycartracks.ID(track.ID), opts) {
			require.NoError(t, err)
			n++
		}
		runtime.ReadMemStats(&after)
		return n, after.TotalAlloc - before.TotalAlloc
	}
	n, reused := count(nil)
	require.Equal(t, points, n)
	t.Logf("%.1f bytes allocated per point", float64(reused)/points)
	// The fixed cost (the first page, the items slice, the fake server in this process) is
	// about 10 MB; each page body alone would be 140 bytes a point again.
	assert.Less(t, reused/points, uint64(100), "bytes allocated per point")

	// Points that keep their raw JSON hold the page's memory: every page gets its own.
	n, kept := count(&mycartracks.TrackpointListOptions{KeepRaw: true})
	require.Equal(t, points, n)
	assert.Greater(t, kept/points, reused/points+100, "bytes allocated per point with KeepRaw")

	// And their raw JSON survives the pages that follow.
	var raws []string
	var first []mycartracks.Trackpoint
	for tp, err := range c.Tracks.AllTrackpoints(ctx, mycartracks.ID(track.ID), &mycartracks.TrackpointListOptions{KeepRaw: true, Limit: 1000}) {
		require.NoError(t, err)
		if len(first) < 3 {
			first = append(first, tp)
			raws = append(raws, string(tp.Raw))
		}
	}
	for i, tp := range first {
		assert.Equal(t, raws[i], string(tp.Raw))
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
