package mycartracks_test

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// listRequests returns the API requests the fake logged for a path prefix, with their
// queries.
func listRequests(f *fake, prefix string) []url.Values {
	var out []url.Values
	for _, r := range f.srv.Requests() {
		if strings.HasPrefix(r.Path, prefix) {
			out = append(out, r.Query)
		}
	}
	return out
}

// A server capping pages silently below the limit asked for (137 or 1000 rows, on
// trackpoints and on lists, with a total or without) loses nothing: every item comes
// once, and once the cap is known the pages ask for it.
func TestSilentPageCaps(t *testing.T) {
	ctx := context.Background()
	for _, pageCap := range []int{137, 1000} {
		for _, total := range []bool{true, false} {
			name := strconv.Itoa(pageCap) + map[bool]string{true: "/with total", false: "/without total"}[total]
			opts := []mycartrackstest.Option{
				mycartrackstest.WithoutRateLimit(),
				mycartrackstest.WithPageCap(mycartrackstest.AllLists, pageCap),
			}
			if !total {
				opts = append(opts, mycartrackstest.WithoutTotal(mycartrackstest.AllLists))
			}
			t.Run(name+"/trackpoints", func(t *testing.T) {
				f := newFake(t, append(opts, mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(2),
					mycartrackstest.WithPointsPerTrack(2*pageCap+pageCap/2)))
				for _, tr := range f.srv.Fleet().Tracks() {
					var n int
					seen := map[mycartracks.ID]bool{}
					for p, err := range f.client.Tracks.AllTrackpoints(ctx, mycartracks.ID(tr.ID), nil) {
						require.NoError(t, err)
						require.False(t, seen[p.ID], "duplicate %d", p.ID)
						seen[p.ID] = true
						want, _ := f.srv.Trackpoint(tr.ID, n)
						require.EqualValues(t, want.ID, p.ID, "point %d", n)
						n++
					}
					assert.Equal(t, tr.Points, n, "every point of track %d", tr.ID)
				}
				qs := listRequests(f, "/trackpoints/")
				// Track 1: 10000 → cap, 10000 → cap (the cap is learned), then the cap,
				// short: the end. Track 2 asks for the cap from the start. Learning the
				// cap from a list longer than it costs no request.
				assert.Equal(t, "10000", qs[0].Get("limit"))
				assert.Equal(t, "10000", qs[1].Get("limit"))
				for _, q := range qs[2:] {
					assert.Equal(t, strconv.Itoa(pageCap), q.Get("limit"), "the cap, once known")
				}
				assert.Len(t, qs, 3+3)
			})
			t.Run(name+"/tracks", func(t *testing.T) {
				f := newFake(t, append(opts, mycartrackstest.WithVehicles(5), mycartrackstest.WithTracksPerVehicle(pageCap/2+1),
					mycartrackstest.WithPointsPerTrack(2)))
				want := f.srv.Fleet().Tracks()
				var got []int64
				for tr, err := range f.client.Tracks.All(ctx, nil) {
					require.NoError(t, err)
					got = append(got, int64(tr.ID))
				}
				require.Len(t, got, len(want))
				for i := range want {
					require.Equal(t, want[i].ID, got[i], "track %d in the documented order", i)
				}
				for _, q := range listRequests(f, "/tracks2") {
					assert.Empty(t, q.Get("sort"), "the API's default order is documented as deterministic")
					assert.Equal(t, "true", q.Get("includeTotal"))
				}
			})
			t.Run(name+"/vehicles", func(t *testing.T) {
				f := newFake(t, append(opts, mycartrackstest.WithVehicles(pageCap+pageCap/3), mycartrackstest.WithTracksPerVehicle(0)))
				want := f.srv.Fleet().VehicleIDs()
				var got []int64
				for v, err := range f.client.Vehicles.All(ctx, nil) {
					require.NoError(t, err)
					got = append(got, int64(v.ID))
				}
				assert.Equal(t, want, got)
				qs := listRequests(f, "/vehicles")
				for _, q := range qs {
					assert.Equal(t, "id", q.Get("sort"), "a stable order")
				}
				if total {
					assert.Len(t, qs, 2, "the total ends the list")
				} else {
					assert.Len(t, qs, 2, "shorter than the largest page seen")
				}
			})
		}
	}
}

// The cost of not knowing the cap: for many short lists in random order, extra requests
// (beyond one per list) grow with the logarithm of their number, not with it, plus one
// per list as long as the largest page seen; with a total, or against a server
// honouring the limit once a full page was seen, none. (Under -race a case takes
// seconds: the zero-cost cases use fewer tracks, as zero does not depend on them.)
func TestPagingCost(t *testing.T) {
	ctx := context.Background()
	short := mycartrackstest.WithPointsPerTrackBetween(1, 136)
	for _, tc := range []struct {
		name     string
		tracks   int
		opts     []mycartrackstest.Option
		maxExtra int
		limit    int // 0: AllTrackpoints' default; else a track longer than it comes first
	}{
		{"silent cap 137, no total", 2000, []mycartrackstest.Option{mycartrackstest.WithPageCap("/trackpoints", 137), mycartrackstest.WithoutTotal("/trackpoints"), short}, 40, 0},
		{"silent cap 1000, no total", 400, []mycartrackstest.Option{mycartrackstest.WithPageCap("/trackpoints", 1000), mycartrackstest.WithoutTotal("/trackpoints"), mycartrackstest.WithPointsPerTrackBetween(1, 999)}, 40, 0},
		{"silent cap 137, total", 500, []mycartrackstest.Option{mycartrackstest.WithPageCap("/trackpoints", 137), short}, 0, 0},
		{"cap equals the limit, total", 500, []mycartrackstest.Option{short}, 0, 0},
		{"cap equals the limit, no total, a full page seen", 500, []mycartrackstest.Option{mycartrackstest.WithoutTotal("/trackpoints"), short}, 0, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, append([]mycartrackstest.Option{mycartrackstest.WithoutRateLimit(),
				mycartrackstest.WithVehicles(tc.tracks / 100), mycartrackstest.WithTracksPerVehicle(100)}, tc.opts...))
			all := f.srv.Fleet().Tracks()
			require.Len(t, all, tc.tracks)
			opts := &mycartracks.TrackpointListOptions{Paging: mycartracks.Paging{Limit: tc.limit}}
			if tc.limit > 0 {
				long := slices.IndexFunc(all, func(tr mycartrackstest.Track) bool { return tr.Points > tc.limit })
				n, err := count(f.client.Tracks.AllTrackpoints(ctx, mycartracks.ID(all[long].ID), opts))
				require.NoError(t, err)
				require.Equal(t, all[long].Points, n, "a full page was returned")
			}
			before, want := len(f.srv.Requests()), 0
			for _, tr := range all {
				n, err := count(f.client.Tracks.AllTrackpoints(ctx, mycartracks.ID(tr.ID), opts))
				require.NoError(t, err)
				require.Equal(t, tr.Points, n, "track %d", tr.ID)
				// What a client knowing the cap would send: pages up to a short one.
				if tc.limit > 0 {
					want += tr.Points/tc.limit + 1
				} else {
					want++
				}
			}
			extra := len(f.srv.Requests()) - before - want
			t.Logf("%d tracks: %d extra requests", tc.tracks, extra)
			assert.LessOrEqual(t, extra, tc.maxExtra)
		})
	}
}

// An API that ignores offset is an error after two pages, without a duplicate; so is
// one paging past its total.
func TestIgnoredOffsetIsAnError(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		opts  []mycartrackstest.Option
		first int // items of the first page
	}{
		{"full pages", nil, 10000},
		{"capped pages", []mycartrackstest.Option{mycartrackstest.WithPageCap("/trackpoints", 137)}, 137},
		{"capped pages, no total", []mycartrackstest.Option{mycartrackstest.WithPageCap("/trackpoints", 137), mycartrackstest.WithoutTotal("/trackpoints")}, 137},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, append([]mycartrackstest.Option{mycartrackstest.WithoutRateLimit(), mycartrackstest.WithVehicles(1),
				mycartrackstest.WithTracksPerVehicle(1), mycartrackstest.WithPointsPerTrack(25000),
				mycartrackstest.WithIgnoredOffset("/trackpoints")}, tc.opts...))
			track := mycartracks.ID(f.srv.Fleet().Tracks()[0].ID)
			seen := map[mycartracks.ID]bool{}
			var last error
			for p, err := range f.client.Tracks.AllTrackpoints(ctx, track, nil) {
				if err != nil {
					last = err
					continue
				}
				require.False(t, seen[p.ID], "duplicate %d", p.ID)
				seen[p.ID] = true
			}
			require.ErrorIs(t, last, telematics.ErrMalformedResponse)
			assert.Contains(t, last.Error(), "ignores offset")
			assert.Len(t, seen, tc.first)
			assert.Len(t, f.srv.Requests(), 2, "within two pages")
		})
	}
	t.Run("list", func(t *testing.T) {
		f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(30), mycartrackstest.WithPageCap("/vehicles", 10),
			mycartrackstest.WithIgnoredOffset("/vehicles"), mycartrackstest.WithoutTotal("/vehicles")})
		n, err := count(f.client.Vehicles.All(ctx, nil))
		require.ErrorIs(t, err, telematics.ErrMalformedResponse)
		assert.Equal(t, 10, n)
		assert.Len(t, f.srv.Requests(), 2)
	})
}

// Rows inserted at the head while paging shift the next page: its first items are the
// last of the page before, and are not yielded twice. Rows deleted shift it back: items
// are missed, which offset paging cannot prevent (see the package documentation).
func TestRowsChangingWhilePaging(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(*mycartrackstest.Server)
		want   func(all []int64) []int64
	}{
		{"inserted", func(s *mycartrackstest.Server) { s.InsertRows("/vehicles", 3) }, func(all []int64) []int64 { return all }},
		{"deleted", func(s *mycartrackstest.Server) { s.DeleteRows("/vehicles", 5) }, func(all []int64) []int64 {
			// The next page starts 5 items later: 5 are missed.
			return append(slices.Clone(all[:10]), all[15:]...)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(25)})
			all := f.srv.Fleet().VehicleIDs()
			var got []int64
			for v, err := range f.client.Vehicles.All(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: 10}}) {
				require.NoError(t, err)
				got = append(got, int64(v.ID))
				if len(got) == 10 {
					tc.change(f.srv)
				}
			}
			assert.Equal(t, tc.want(all), got)
		})
	}
}

// A limit above what the client allows is clamped, never sent to be refused.
func TestLimitClamped(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(3), mycartrackstest.WithTracksPerVehicle(1), mycartrackstest.WithPointsPerTrack(30)})
	page, err := f.client.Vehicles.List(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: 5000}})
	require.NoError(t, err)
	assert.Len(t, page.Items, 3)
	n, err := count(f.client.Jobs.All(ctx, &mycartracks.JobListOptions{ListOptions: mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: 1 << 30}}}))
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	track := mycartracks.ID(f.srv.Fleet().Tracks()[0].ID)
	tp, err := f.client.Tracks.ListTrackpoints(ctx, track, &mycartracks.TrackpointListOptions{Paging: mycartracks.Paging{Limit: 50000}})
	require.NoError(t, err)
	assert.Len(t, tp.Items, 30)
	n, err = count(f.client.Tracks.AllTrackpoints(ctx, track, &mycartracks.TrackpointListOptions{Paging: mycartracks.Paging{Limit: 50000}}))
	require.NoError(t, err)
	assert.Equal(t, 30, n)
	for _, r := range f.srv.Requests() {
		require.Less(t, r.Status, 300, "%s %s", r.Path, r.Query.Encode())
		l, _ := strconv.Atoi(r.Query.Get("limit"))
		if strings.HasPrefix(r.Path, "/trackpoints") {
			assert.Equal(t, mycartracks.MaxTrackpointPageSize, l)
		} else {
			assert.Equal(t, mycartracks.MaxPageSize, l)
		}
	}
}

// Ranges on one client learn the cap together, concurrently (run with -race).
func TestCapLearnedConcurrently(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithoutRateLimit(), mycartrackstest.WithVehicles(2), mycartrackstest.WithTracksPerVehicle(4),
		mycartrackstest.WithPointsPerTrackBetween(100, 700), mycartrackstest.WithPageCap("/trackpoints", 137), mycartrackstest.WithoutTotal("/trackpoints")})
	var wg sync.WaitGroup
	for _, tr := range f.srv.Fleet().Tracks() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := count(f.client.Tracks.AllTrackpoints(ctx, mycartracks.ID(tr.ID), nil))
			assert.NoError(t, err)
			assert.Equal(t, tr.Points, n)
		}()
	}
	wg.Wait()
	n, err := count(f.client.Tracks.AllTrackpoints(ctx, mycartracks.ID(f.srv.Fleet().Tracks()[0].ID), nil))
	require.NoError(t, err)
	assert.Equal(t, f.srv.Fleet().Tracks()[0].Points, n)
}
