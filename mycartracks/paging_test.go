package mycartracks_test

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// listSpec describes a scripted list: n items, the total it reports (-1: none, as when
// includeTotal is absent; otherwise possibly wrong), and the most items it returns per
// page whatever the limit (0: the limit).
type listSpec struct {
	n, total, pageCap, maxLimit int
	item                        func(i int) map[string]any
	failAt                      int // offset answered with 500 (0: never)
}

func (s *scripted) serveList(pattern string, spec listSpec) {
	if spec.maxLimit == 0 {
		spec.maxLimit = mycartracks.MaxPageSize
	}
	if spec.item == nil {
		spec.item = func(i int) map[string]any { return map[string]any{"id": i + 1, "name": fmt.Sprintf("item %d", i+1)} }
	}
	s.handle(pattern, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		offset, limit := 0, mycartracks.DefaultPageSize
		if v := q.Get("offset"); v != "" {
			offset, _ = strconv.Atoi(v)
		}
		if v := q.Get("limit"); v != "" {
			var err error
			if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > spec.maxLimit {
				writeJSON(w, 400, map[string]string{"error": "invalid_request", "message": "bad limit"})
				return
			}
		}
		if spec.failAt != 0 && offset == spec.failAt {
			writeJSON(w, 500, map[string]string{"error": "server_error", "message": "boom"})
			return
		}
		if spec.pageCap > 0 {
			limit = min(limit, spec.pageCap)
		}
		data := []map[string]any{}
		for i := offset; i < min(offset+limit, spec.n); i++ {
			data = append(data, spec.item(i))
		}
		body := map[string]any{"data": data}
		if spec.total >= 0 && q.Get("includeTotal") == "true" {
			body["total"] = spec.total
		}
		writeJSON(w, 200, body)
	})
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) ([]T, error) {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

func uniqueVehicleIDs(t *testing.T, vs []mycartracks.Vehicle, n int) {
	t.Helper()
	seen := map[mycartracks.ID]bool{}
	for _, v := range vs {
		require.False(t, seen[v.ID], "duplicate %d", v.ID)
		seen[v.ID] = true
	}
	assert.Len(t, seen, n)
	for i := 1; i <= n; i++ {
		require.True(t, seen[mycartracks.ID(i)], "missing %d", i)
	}
}

// pagingCases are the edge cases of paging. Sizes are in tenths of the page size, so
// that one table serves every page size; pageCap is the most items the server returns
// per page whatever the limit (0: the limit). The expectations are for a list whose
// endpoint takes includeTotal (All asks for it) and for one that does not (Positions):
// the requests of two ranges over All on one client, then of List followed page by page;
// broken, a total contradicted by the pages, ends every one with ErrMalformedResponse.
var pagingCases = []struct {
	name              string
	n, total, pageCap int
	includeTotal      bool
	withTotal         pagingCost
	noTotal           pagingCost
}{
	{"empty", 0, 0, 0, false, pagingCost{all: [2]int{1, 1}, list: 1}, pagingCost{all: [2]int{1, 1}, list: 1}},
	// Without a total, a short first page may be one the API capped: one more request
	// tells, and again for a list as long as the largest page seen.
	{"one short page", 5, 5, 0, false, pagingCost{all: [2]int{1, 1}, list: 2}, pagingCost{all: [2]int{2, 2}, list: 2}},
	{"exact multiple of the page size", 20, 20, 0, false, pagingCost{all: [2]int{3, 3}, list: 3}, pagingCost{all: [2]int{3, 3}, list: 3}},
	{"exact multiple with total", 20, 20, 0, true, pagingCost{all: [2]int{3, 3}, list: 3}, pagingCost{all: [2]int{3, 3}, list: 3}},
	{"not a multiple", 25, 25, 0, false, pagingCost{all: [2]int{3, 3}, list: 3}, pagingCost{all: [2]int{3, 3}, list: 3}},
	{"total too low", 20, 15, 0, true, pagingCost{all: [2]int{3, 3}, list: 3}, pagingCost{all: [2]int{3, 3}, list: 3}},
	{"total too high", 20, 26, 0, true, pagingCost{all: [2]int{3, 3}, list: 3, broken: true}, pagingCost{all: [2]int{3, 3}, list: 3}},
	{"total zero", 12, 0, 0, true, pagingCost{all: [2]int{1, 1}, list: 1, broken: true}, pagingCost{all: [2]int{2, 2}, list: 2}},
	// The cap is learned from two pages of its size: the pages after it ask for it.
	{"server caps the page, total tells", 20, 20, 5, true, pagingCost{all: [2]int{5, 5}, list: 4}, pagingCost{all: [2]int{5, 5}, list: 5}},
	{"server caps the page, total too high", 12, 50, 5, true, pagingCost{all: [2]int{4, 4}, list: 4, broken: true}, pagingCost{all: [2]int{3, 3}, list: 3}},
	{"server caps the page, no total", 23, -1, 5, false, pagingCost{all: [2]int{5, 5}, list: 5}, pagingCost{all: [2]int{5, 5}, list: 5}},
}

// pagingCost is what a paging case costs in requests, and whether it ends in an error.
type pagingCost struct {
	all    [2]int
	list   int
	broken bool
}

// spec is the scripted list of a case for page size p.
func pagingSpec(n, total, pageCap, p int) listSpec {
	return listSpec{n: n * p / 10, total: total * p / 10, pageCap: pageCap * p / 10}
}

// All pages with the largest page size, then with the cap it learned, keeps the
// caller's options and asks for the total.
func TestAllPagingEdgeCases(t *testing.T) {
	for _, tc := range pagingCases {
		spec := pagingSpec(tc.n, tc.total, tc.pageCap, mycartracks.MaxPageSize)
		t.Run(tc.name, func(t *testing.T) {
			s := newScripted(t)
			s.serveList("GET /vehicles", spec)
			opts := &mycartracks.ListOptions{IncludeTotal: tc.includeTotal, Sort: []string{"id"}}
			vs, err := collect(t, s.client.Vehicles.All(context.Background(), opts))
			if tc.withTotal.broken {
				require.ErrorIs(t, err, telematics.ErrMalformedResponse)
				uniqueVehicleIDs(t, vs, len(vs))
			} else {
				require.NoError(t, err)
				uniqueVehicleIDs(t, vs, spec.n)
			}
			assert.EqualValues(t, tc.withTotal.all[0], s.requests.Load())
			assert.Equal(t, mycartracks.ListOptions{IncludeTotal: tc.includeTotal, Sort: []string{"id"}}, *opts, "the caller's options are untouched")
			for i, q := range s.seen("GET /vehicles") {
				v, _ := url.ParseQuery(q)
				assert.Equal(t, "id", v.Get("sort"))
				assert.Equal(t, "true", v.Get("includeTotal"), "All asks for the total")
				if spec.pageCap == 0 {
					assert.Equal(t, strconv.Itoa(i*1000), orZero(v.Get("offset")))
					assert.Equal(t, "1000", v.Get("limit"), "All pages with the largest page size")
				} else if i >= 2 {
					assert.Equal(t, strconv.Itoa(spec.pageCap), v.Get("limit"), "then with the cap")
				}
			}
		})
	}
}

// pagedList is one list endpoint of the client, its items reduced to their ids.
type pagedList struct {
	name, pattern string
	item          func(i int) map[string]any // nil: {"id", "name"}
	maxLimit      int                        // 0: MaxPageSize
	noTotal       bool                       // the endpoint takes no includeTotal
	fns           func(c *mycartracks.Client) listFns
}

// listFns are a list's List and All, taking the paging of ListOptions.
type listFns struct {
	list func(context.Context, mycartracks.ListOptions) (*mycartracks.Page[int64], error)
	all  func(context.Context, mycartracks.ListOptions) iter.Seq2[int64, error]
}

func paged[O, T any](opts func(mycartracks.ListOptions) *O,
	list func(context.Context, *O, ...mycartracks.RequestOption) (*mycartracks.Page[T], error),
	all func(context.Context, *O, ...mycartracks.RequestOption) iter.Seq2[T, error],
	id func(T) mycartracks.ID,
) listFns {
	return listFns{
		list: func(ctx context.Context, o mycartracks.ListOptions) (*mycartracks.Page[int64], error) {
			page, err := list(ctx, opts(o))
			if err != nil {
				return nil, err
			}
			out := &mycartracks.Page[int64]{Total: page.Total, NextOffset: page.NextOffset}
			for _, it := range page.Items {
				out.Items = append(out.Items, int64(id(it)))
			}
			return out, nil
		},
		all: func(ctx context.Context, o mycartracks.ListOptions) iter.Seq2[int64, error] {
			return func(yield func(int64, error) bool) {
				for it, err := range all(ctx, opts(o)) {
					if !yield(int64(id(it)), err) {
						return
					}
				}
			}
		},
	}
}

func plainOptions(o mycartracks.ListOptions) *mycartracks.ListOptions { return &o }

// everyList is every list endpoint of the client.
var everyList = []pagedList{
	{name: "Vehicles", pattern: "/vehicles", fns: func(c *mycartracks.Client) listFns {
		return paged(plainOptions, c.Vehicles.List, c.Vehicles.All, func(v mycartracks.Vehicle) mycartracks.ID { return v.ID })
	}},
	{name: "VehicleGroups", pattern: "/vehicleGroups", fns: func(c *mycartracks.Client) listFns {
		return paged(plainOptions, c.VehicleGroups.List, c.VehicleGroups.All, func(v mycartracks.VehicleGroup) mycartracks.ID { return v.ID })
	}},
	{name: "Tracks", pattern: "/tracks2", fns: func(c *mycartracks.Client) listFns {
		opts := func(o mycartracks.ListOptions) *mycartracks.TrackListOptions {
			return &mycartracks.TrackListOptions{ListOptions: o}
		}
		return paged(opts, c.Tracks.List, c.Tracks.All, func(v mycartracks.Track) mycartracks.ID { return v.ID })
	}},
	{name: "Users", pattern: "/users", fns: func(c *mycartracks.Client) listFns {
		return paged(plainOptions, c.Users.List, c.Users.All, func(v mycartracks.User) mycartracks.ID { return v.ID })
	}},
	{name: "Drivers", pattern: "/drivers", fns: func(c *mycartracks.Client) listFns {
		return paged(plainOptions, c.Drivers.List, c.Drivers.All, func(v mycartracks.Driver) mycartracks.ID { return v.ID })
	}},
	{name: "Teams", pattern: "/teams", fns: func(c *mycartracks.Client) listFns {
		return paged(plainOptions, c.Teams.List, c.Teams.All, func(v mycartracks.Team) mycartracks.ID { return v.ID })
	}},
	{name: "Jobs", pattern: "/jobs", fns: func(c *mycartracks.Client) listFns {
		opts := func(o mycartracks.ListOptions) *mycartracks.JobListOptions {
			return &mycartracks.JobListOptions{ListOptions: o}
		}
		return paged(opts, c.Jobs.List, c.Jobs.All, func(v mycartracks.Job) mycartracks.ID { return v.ID })
	}},
	{name: "Geofences", pattern: "/geofences", fns: func(c *mycartracks.Client) listFns {
		return paged(plainOptions, c.Geofences.List, c.Geofences.All, func(v mycartracks.Geofence) mycartracks.ID { return v.ID })
	}},
	{name: "MapSharingLinks", pattern: "/mapSharingLinks", fns: func(c *mycartracks.Client) listFns {
		return paged(plainOptions, c.MapSharingLinks.List, c.MapSharingLinks.All, func(v mycartracks.MapSharingLink) mycartracks.ID { return v.ID })
	}},
	{name: "Positions", pattern: "/vehicles/lastPositions", noTotal: true,
		item: func(i int) map[string]any { return map[string]any{"vehicleId": i + 1} },
		fns: func(c *mycartracks.Client) listFns {
			opts := func(o mycartracks.ListOptions) *mycartracks.LastPositionOptions {
				return &mycartracks.LastPositionOptions{Paging: o.Paging}
			}
			return paged(opts, c.Positions.Last, c.Positions.AllLast, func(v mycartracks.LastPosition) mycartracks.ID { return v.VehicleID })
		}},
	{name: "Trackpoints", pattern: "/trackpoints/{id}", maxLimit: mycartracks.MaxTrackpointPageSize,
		item: func(i int) map[string]any { return map[string]any{"id": i + 1, "time": 1767261600000 + int64(i)*1000} },
		fns: func(c *mycartracks.Client) listFns {
			opts := func(o mycartracks.ListOptions) *mycartracks.TrackpointListOptions {
				return &mycartracks.TrackpointListOptions{Paging: o.Paging, IncludeTotal: o.IncludeTotal}
			}
			list := func(ctx context.Context, o *mycartracks.TrackpointListOptions, r ...mycartracks.RequestOption) (*mycartracks.Page[mycartracks.Trackpoint], error) {
				return c.Tracks.ListTrackpoints(ctx, 42, o, r...)
			}
			all := func(ctx context.Context, o *mycartracks.TrackpointListOptions, r ...mycartracks.RequestOption) iter.Seq2[mycartracks.Trackpoint, error] {
				return c.Tracks.AllTrackpoints(ctx, 42, o, r...)
			}
			return paged(opts, list, all, func(v mycartracks.Trackpoint) mycartracks.ID { return v.ID })
		}},
}

// Every list, through All and through List following NextOffset, meets the paging edge
// cases with a page size of 10: each item once, in order, in the requests the rule of
// the end of a list costs, or an error for a total the pages contradict.
func TestEveryListPagingEdgeCases(t *testing.T) {
	const pageSize = 10
	ctx := context.Background()
	for _, l := range everyList {
		for _, tc := range pagingCases {
			t.Run(l.name+"/"+tc.name, func(t *testing.T) {
				s := newScripted(t)
				spec := pagingSpec(tc.n, tc.total, tc.pageCap, pageSize)
				spec.item, spec.maxLimit = l.item, l.maxLimit
				s.serveList("GET "+l.pattern, spec)
				fns := l.fns(s.client)
				want := make([]int64, spec.n)
				for i := range want {
					want[i] = int64(i + 1)
				}
				cost := tc.withTotal
				if l.noTotal {
					cost = tc.noTotal
				}
				opts := mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: pageSize}, IncludeTotal: tc.includeTotal}

				for i := range 2 {
					before := s.requests.Load()
					got, err := collect(t, fns.all(ctx, opts))
					if cost.broken {
						require.ErrorIs(t, err, telematics.ErrMalformedResponse)
						assert.Equal(t, want[:len(got)], orEmpty(got), "All, range %d: the items before the error", i+1)
					} else {
						require.NoError(t, err)
						assert.Equal(t, want, orEmpty(got), "All, range %d", i+1)
					}
					assert.EqualValues(t, cost.all[i], s.requests.Load()-before, "All's requests, range %d", i+1)
				}

				before := s.requests.Load()
				wantTotal := -1
				if tc.includeTotal && !l.noTotal {
					wantTotal = spec.total
				}
				var got []int64
				o := opts
				for {
					page, err := fns.list(ctx, o)
					if err != nil && cost.broken {
						require.ErrorIs(t, err, telematics.ErrMalformedResponse)
						break
					}
					require.NoError(t, err)
					assert.Equal(t, wantTotal, page.Total)
					got = append(got, page.Items...)
					if page.NextOffset < 0 {
						break
					}
					require.Equal(t, o.Offset+len(page.Items), page.NextOffset)
					o.Offset = page.NextOffset
				}
				if !cost.broken {
					assert.Equal(t, want, orEmpty(got), "List")
				}
				assert.EqualValues(t, cost.list, s.requests.Load()-before, "List's requests")
			})
		}
	}
}

func orEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return []T{}
	}
	return s
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func TestAllStopsOnBreak(t *testing.T) {
	s := newScripted(t)
	s.serveList("GET /drivers", listSpec{n: 3000, total: -1})
	n := 0
	for d, err := range s.client.Drivers.All(context.Background(), nil) {
		require.NoError(t, err)
		require.NotZero(t, d.ID)
		if n++; n == 10 {
			break
		}
	}
	assert.Equal(t, 10, n)
	assert.EqualValues(t, 1, s.requests.Load(), "no page is fetched after break")
}

func TestAllYieldsAnErrorOnce(t *testing.T) {
	s := newScripted(t, mycartracks.WithMaxRetries(0))
	s.serveList("GET /teams", listSpec{n: 3000, total: -1, failAt: 1000})
	var items, errs int
	for _, err := range s.client.Teams.All(context.Background(), nil) {
		if err != nil {
			errs++
			assert.ErrorIs(t, err, telematics.ErrUnavailable)
			continue
		}
		items++
	}
	assert.Equal(t, 1000, items)
	assert.Equal(t, 1, errs)
	assert.EqualValues(t, 2, s.requests.Load())
}

func TestAllStopsWhenContextEnds(t *testing.T) {
	s := newScripted(t)
	s.serveList("GET /users", listSpec{n: 3000, total: -1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var items int
	var last error
	for _, err := range s.client.Users.All(ctx, nil) {
		if err != nil {
			last = err
			break
		}
		if items++; items == 1000 {
			cancel()
		}
	}
	assert.Equal(t, 1000, items)
	assert.ErrorIs(t, last, context.Canceled)
}

func TestListSinglePage(t *testing.T) {
	s := newScripted(t)
	s.serveList("GET /vehicleGroups", listSpec{n: 250, total: 250})
	ctx := context.Background()
	page, err := s.client.VehicleGroups.List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, page.Items, mycartracks.DefaultPageSize, "the API's default page")
	assert.Equal(t, -1, page.Total, "not asked")
	assert.Equal(t, 100, page.NextOffset)
	assert.True(t, page.HasNext())

	page, err = s.client.VehicleGroups.List(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Offset: 200, Limit: 100}, IncludeTotal: true})
	require.NoError(t, err)
	assert.Len(t, page.Items, 50)
	assert.Equal(t, 250, page.Total)
	assert.Equal(t, -1, page.NextOffset)
	assert.False(t, page.HasNext())

	// A negative offset is refused before sending, by List and All alike.
	before := len(s.seen("GET /vehicleGroups"))
	_, err = s.client.VehicleGroups.List(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: 5000, Offset: -3}})
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	for _, err := range s.client.VehicleGroups.All(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: -1}}) {
		assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	}
	assert.Len(t, s.seen("GET /vehicleGroups"), before, "nothing sent")

	// A limit above the largest allowed is clamped, not sent to be refused.
	page, err = s.client.VehicleGroups.List(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: 5000}})
	require.NoError(t, err)
	assert.Len(t, page.Items, 250)
	seen := s.seen("GET /vehicleGroups")
	assert.Equal(t, "limit=1000", seen[len(seen)-1])
	// 250 items, more than the largest page seen (100), fewer than asked: the API may
	// have capped the page. The next page tells.
	assert.Equal(t, 250, page.NextOffset)
	page, err = s.client.VehicleGroups.List(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Offset: page.NextOffset, Limit: 5000}})
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Equal(t, -1, page.NextOffset)
	// Now 250 is known to be honoured: a shorter page ends the list.
	page, err = s.client.VehicleGroups.List(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Offset: 10, Limit: 1000}})
	require.NoError(t, err)
	assert.Len(t, page.Items, 240)
	assert.Equal(t, -1, page.NextOffset)
}

func TestEveryListPages(t *testing.T) {
	ctx := context.Background()
	s := newScripted(t)
	for _, p := range []string{"/vehicles", "/vehicleGroups", "/tracks2", "/users", "/drivers", "/teams", "/jobs", "/geofences", "/mapSharingLinks", "/vehicles/lastPositions"} {
		spec := listSpec{n: 1001, total: -1}
		if p == "/vehicles/lastPositions" {
			spec.item = func(i int) map[string]any { return map[string]any{"vehicleId": i + 1} }
		}
		s.serveList("GET "+p, spec)
	}
	counts := map[string]func() (int, error){
		"Vehicles":        func() (int, error) { return count(s.client.Vehicles.All(ctx, nil)) },
		"VehicleGroups":   func() (int, error) { return count(s.client.VehicleGroups.All(ctx, nil)) },
		"Tracks":          func() (int, error) { return count(s.client.Tracks.All(ctx, nil)) },
		"Users":           func() (int, error) { return count(s.client.Users.All(ctx, nil)) },
		"Drivers":         func() (int, error) { return count(s.client.Drivers.All(ctx, nil)) },
		"Teams":           func() (int, error) { return count(s.client.Teams.All(ctx, nil)) },
		"Jobs":            func() (int, error) { return count(s.client.Jobs.All(ctx, nil)) },
		"Geofences":       func() (int, error) { return count(s.client.Geofences.All(ctx, nil)) },
		"MapSharingLinks": func() (int, error) { return count(s.client.MapSharingLinks.All(ctx, nil)) },
		"Positions":       func() (int, error) { return count(s.client.Positions.AllLast(ctx, nil)) },
	}
	for name, f := range counts {
		n, err := f()
		require.NoError(t, err, name)
		assert.Equal(t, 1001, n, name)
	}
	assert.EqualValues(t, 2*len(counts), s.requests.Load())
}

func count[T any](seq func(func(T, error) bool)) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func TestQueryParameters(t *testing.T) {
	s := newScripted(t)
	ctx := context.Background()
	for _, p := range []string{"/tracks2", "/jobs", "/vehicles/lastPositions"} {
		s.serveList("GET "+p, listSpec{n: 0, total: 0})
	}
	s.handle("GET /reports/{type}", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"data": []any{}}) })
	s.serveList("GET /trackpoints/{id}", listSpec{n: 0, total: 0})
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)

	_, err := s.client.Tracks.List(ctx, &mycartracks.TrackListOptions{
		ListOptions: mycartracks.ListOptions{Paging: mycartracks.Paging{Offset: 10, Limit: 20}, IncludeTotal: true, Sort: []string{"-startTime", "id"}, Fields: []string{"id", "name"}},
		VehicleID:   7, From: from, To: to,
	})
	require.NoError(t, err)
	_, err = s.client.Jobs.List(ctx, &mycartracks.JobListOptions{VehicleID: 7, Status: mycartracks.JobAssigned})
	require.NoError(t, err)
	_, err = s.client.Positions.Last(ctx, &mycartracks.LastPositionOptions{VehicleIDs: []mycartracks.ID{1, 2}, GroupIDs: []mycartracks.ID{9}, Paging: mycartracks.Paging{Limit: 50}})
	require.NoError(t, err)
	_, err = s.client.Reports.Summary(ctx, &mycartracks.ReportOptions{VehicleID: 7, From: from, To: to})
	require.NoError(t, err)
	_, err = s.client.Tracks.ListTrackpoints(ctx, 42, &mycartracks.TrackpointListOptions{Paging: mycartracks.Paging{Offset: 5, Limit: 10}, IncludeTotal: true})
	require.NoError(t, err)

	want := map[string]url.Values{
		"GET /tracks2": {"offset": {"10"}, "limit": {"20"}, "includeTotal": {"true"}, "sort": {"-startTime,id"}, "fields": {"id,name"},
			"vehicleId": {"7"}, "from": {"1767225600000"}, "to": {"1767312000000"}},
		"GET /jobs":                   {"vehicleId": {"7"}, "status": {"assigned"}},
		"GET /vehicles/lastPositions": {"vehicleIds": {"1,2"}, "groupIds": {"9"}, "limit": {"50"}},
		"GET /reports/summary":        {"vehicleId": {"7"}, "from": {"1767225600000"}, "to": {"1767312000000"}},
		"GET /trackpoints/42":         {"offset": {"5"}, "limit": {"10"}, "includeTotal": {"true"}},
	}
	byPath := map[string]mycartracks.Endpoint{}
	for _, e := range mycartracks.Endpoints() {
		byPath[e.Method+" "+e.Path] = e
	}
	tables := map[string]string{"GET /trackpoints/42": "GET /trackpoints/{trackId}"}
	for key, w := range want {
		seen := s.seen(key)
		require.Len(t, seen, 1, key)
		got, err := url.ParseQuery(seen[0])
		require.NoError(t, err)
		assert.Equal(t, w, got, key)
		table := key
		if t2, ok := tables[key]; ok {
			table = t2
		}
		ep, ok := byPath[table]
		require.True(t, ok, "%s is in the endpoint table", table)
		for name := range got {
			assert.True(t, hasName(ep.Query, name), "%s sends %s, which the endpoint table lists", key, name)
		}
	}
}

func hasName(names []mycartracks.Name, n string) bool {
	for _, x := range names {
		if x.Name == n {
			return true
		}
	}
	return false
}

// Trackpoints page with their own largest page size; a long track streams page by page.
func TestAllTrackpointsPaging(t *testing.T) {
	for _, tc := range []struct {
		name     string
		n, total int
		requests int
	}{
		{"empty track", 0, 0, 1},
		{"one page", 1234, 1234, 1},
		{"exact multiple", 20000, 20000, 3},
		{"total too low", 25000, 100, 2},
		{"total too high", 15000, 99999, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScripted(t)
			s.serveList("GET /trackpoints/{id}", listSpec{n: tc.n, total: tc.total, maxLimit: mycartracks.MaxTrackpointPageSize,
				item: func(i int) map[string]any {
					return map[string]any{"id": i + 1, "time": 1767261600000 + int64(i)*1000, "latitude": 48.1, "longitude": 17.1, "speed": 36}
				}})
			seen := map[mycartracks.ID]bool{}
			prev := time.Time{}
			for p, err := range s.client.Tracks.AllTrackpoints(context.Background(), 42, &mycartracks.TrackpointListOptions{IncludeTotal: true}) {
				if tc.total != tc.n {
					// Items past the total, or an empty page before it: the API
					// contradicts itself, and the iterator says so.
					if err != nil {
						require.ErrorIs(t, err, telematics.ErrMalformedResponse)
						assert.Contains(t, err.Error(), "total")
						break
					}
				}
				require.NoError(t, err)
				require.False(t, seen[p.ID], "duplicate point %d", p.ID)
				seen[p.ID] = true
				require.True(t, p.Position.Time.After(prev), "time order")
				prev = p.Position.Time
				require.InDelta(t, 10.0, p.Position.Speed.MPS(), 1e-9)
			}
			if tc.total == tc.n {
				assert.Len(t, seen, tc.n)
			}
			assert.EqualValues(t, tc.requests, s.requests.Load())
			for _, q := range s.seen("GET /trackpoints/42") {
				v, _ := url.ParseQuery(q)
				assert.Equal(t, "10000", v.Get("limit"))
			}
		})
	}
}

func TestMalformedPages(t *testing.T) {
	s := newScripted(t)
	for _, p := range []string{"/vehicles", "/trackpoints/{id}"} {
		s.handle("GET "+p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"data":[{"id":1,"latitude":`))
		})
	}
	_, err := s.client.Vehicles.List(context.Background(), nil)
	assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
	_, err = s.client.Tracks.ListTrackpoints(context.Background(), 1, nil)
	assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
	assert.NotErrorIs(t, err, telematics.ErrUnavailable)
	var re *telematics.RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.MethodGet, re.Method)
	assert.False(t, telematics.MayHaveSucceeded(err))
}

// An iterator holds no paging state between ranges: ranging over it again starts from
// the beginning, and two ranges may run at once (run with -race).
func TestIteratorsRangeAgain(t *testing.T) {
	ctx := context.Background()
	s := newScripted(t)
	point := func(i int) map[string]any {
		return map[string]any{"id": i + 1, "time": 1767261600000 + int64(i)*1000, "latitude": 48.1, "longitude": 17.1}
	}
	s.serveList("GET /vehicles", listSpec{n: 25, total: -1})
	s.serveList("GET /vehicles/lastPositions", listSpec{n: 25, total: -1, item: func(i int) map[string]any { return map[string]any{"vehicleId": i + 1} }})
	s.serveList("GET /trackpoints/{id}", listSpec{n: 25, total: -1, maxLimit: mycartracks.MaxTrackpointPageSize, item: point})
	track := mycartracks.Track{ID: 42, VehicleID: 7}
	seqs := map[string]func() ([]int64, error){
		"Vehicles.All": rangeIDs(s.client.Vehicles.All(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Offset: 3, Limit: 4}}),
			func(v mycartracks.Vehicle) int64 { return int64(v.ID) }),
		"Positions.AllLast": rangeIDs(s.client.Positions.AllLast(ctx, &mycartracks.LastPositionOptions{Paging: mycartracks.Paging{Offset: 3, Limit: 4}}),
			func(p mycartracks.LastPosition) int64 { return int64(p.VehicleID) }),
		"Tracks.AllTrackpoints": rangeIDs(s.client.Tracks.AllTrackpoints(ctx, track.ID, &mycartracks.TrackpointListOptions{Paging: mycartracks.Paging{Offset: 3, Limit: 4}}),
			func(p mycartracks.Trackpoint) int64 { return int64(p.ID) }),
		"Tracks.Positions": rangeIDs(s.client.Tracks.Positions(ctx, track, &mycartracks.TrackpointListOptions{Paging: mycartracks.Paging{Offset: 3, Limit: 4}}),
			func(p telematics.Position) int64 { return (p.Time.UnixMilli()-1767261600000)/1000 + 1 }),
	}
	want := make([]int64, 0, 22)
	for i := int64(4); i <= 25; i++ {
		want = append(want, i)
	}
	for name, run := range seqs {
		t.Run(name, func(t *testing.T) {
			for i := range 2 {
				got, err := run()
				require.NoError(t, err)
				assert.Equal(t, want, got, "range %d", i+1)
			}
			var wg sync.WaitGroup
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, err := run()
					assert.NoError(t, err)
					assert.Equal(t, want, got, "concurrent range")
				}()
			}
			wg.Wait()
		})
	}
}

// rangeIDs returns a function ranging over seq and collecting the id of each item.
func rangeIDs[T any](seq iter.Seq2[T, error], id func(T) int64) func() ([]int64, error) {
	return func() ([]int64, error) {
		var out []int64
		for v, err := range seq {
			if err != nil {
				return out, err
			}
			out = append(out, id(v))
		}
		return out, nil
	}
}
