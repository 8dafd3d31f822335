package mycartracks_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// fake is the fake MyCarTracks server and a client of it sharing one manual clock.
type fake struct {
	srv    *mycartrackstest.Server
	client *mycartracks.Client
	clock  *clocktest.Clock
}

func newFake(t *testing.T, serverOpts []mycartrackstest.Option, clientOpts ...mycartracks.Option) *fake {
	t.Helper()
	f := &fake{clock: clocktest.New(epoch)}
	f.srv = mycartrackstest.NewServer(append([]mycartrackstest.Option{mycartrackstest.WithClock(f.clock)}, serverOpts...)...)
	t.Cleanup(f.srv.Close)
	f.client = f.newClient(t, clientOpts...)
	return f
}

func (f *fake) newClient(t *testing.T, opts ...mycartracks.Option) *mycartracks.Client {
	t.Helper()
	c, err := f.srv.NewClient(opts...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func TestFakeReads(t *testing.T) {
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(4), mycartrackstest.WithTracksPerVehicle(3), mycartrackstest.WithPointsPerTrack(25)})
	ctx := context.Background()
	c := f.client
	truth := f.srv.Fleet()

	t.Run("vehicles", func(t *testing.T) {
		page, err := c.Vehicles.List(ctx, &mycartracks.ListOptions{IncludeTotal: true})
		require.NoError(t, err)
		assert.Equal(t, 4, page.Total)
		assert.Equal(t, -1, page.NextOffset)
		require.Len(t, page.Items, 4)
		for i, v := range page.Items {
			assert.EqualValues(t, truth.Vehicles[i].ID, v.ID)
			assert.Equal(t, truth.Vehicles[i].Name, v.Name)
			assert.NotEmpty(t, v.Raw)
		}
		all, err := collect(t, c.Vehicles.All(ctx, nil))
		require.NoError(t, err)
		assert.Len(t, all, 4)
		one, err := c.Vehicles.Get(ctx, all[2].ID)
		require.NoError(t, err)
		assert.Equal(t, all[2].Name, one.Name)
		assert.Equal(t, all[2].ID.String(), one.Telematics().ID)
		_, err = c.Vehicles.Get(ctx, 999999)
		assert.ErrorIs(t, err, telematics.ErrNotFound)

		projected, err := c.Vehicles.List(ctx, &mycartracks.ListOptions{Fields: []string{"id"}, Sort: []string{"-id"}, Paging: mycartracks.Paging{Limit: 2}})
		require.NoError(t, err)
		require.Len(t, projected.Items, 2)
		assert.Empty(t, projected.Items[0].Name, "fields projection")
		assert.Greater(t, projected.Items[0].ID, projected.Items[1].ID, "sorted descending")
	})
	t.Run("vehicle groups", func(t *testing.T) {
		groups, err := collect(t, c.VehicleGroups.All(ctx, nil))
		require.NoError(t, err)
		require.Len(t, groups, len(truth.Groups))
		for i, g := range groups {
			assert.EqualValues(t, truth.Groups[i].ID, g.ID)
			assert.Len(t, g.VehicleIDs, len(truth.Groups[i].VehicleIDs))
		}
		if len(groups) > 0 {
			g, err := c.VehicleGroups.Get(ctx, groups[0].ID)
			require.NoError(t, err)
			assert.Equal(t, groups[0].Name, g.Name)
		}
		page, err := c.VehicleGroups.List(ctx, nil)
		require.NoError(t, err)
		assert.Len(t, page.Items, len(truth.Groups))
	})
	t.Run("tracks and trackpoints", func(t *testing.T) {
		want := truth.Tracks()
		tracks, err := collect(t, c.Tracks.All(ctx, nil))
		require.NoError(t, err)
		require.Len(t, tracks, len(want))
		for i, tr := range tracks {
			assert.EqualValues(t, want[i].ID, tr.ID)
			assert.EqualValues(t, want[i].VehicleID, tr.VehicleID)
			assert.Equal(t, want[i].Start, tr.StartTime)
			assert.Equal(t, want[i].End, tr.EndTime)
		}
		tr, err := c.Tracks.Get(ctx, tracks[0].ID)
		require.NoError(t, err)
		sum, ok := f.srv.TrackSummary(int64(tr.ID))
		require.True(t, ok)
		assert.InDelta(t, sum.Distance*1000, tr.TotalDistance.Metres(), 1e-6, "km → m")
		assert.Equal(t, sum.TotalTime, tr.TotalTime)
		assert.Equal(t, sum.MovingTime, tr.MovingTime)
		assert.InDelta(t, sum.MaxSpeed, tr.MaxSpeed.KMH(), 1e-9)
		assert.InDelta(t, sum.AvgSpeed, tr.AvgSpeed.KMH(), 1e-9)

		v := tracks[0].VehicleID
		mine, err := c.Tracks.List(ctx, &mycartracks.TrackListOptions{VehicleID: v, From: want[0].Start, To: want[len(want)-1].Start.Add(time.Millisecond),
			ListOptions: mycartracks.ListOptions{IncludeTotal: true}})
		require.NoError(t, err)
		assert.Equal(t, 3, mine.Total)
		for _, x := range mine.Items {
			assert.Equal(t, v, x.VehicleID)
		}

		i := 0
		for p, err := range c.Tracks.AllTrackpoints(ctx, tr.ID, &mycartracks.TrackpointListOptions{Paging: mycartracks.Paging{Limit: 10}, KeepRaw: true}) {
			require.NoError(t, err)
			w, ok := f.srv.Trackpoint(int64(tr.ID), i)
			require.True(t, ok)
			assert.EqualValues(t, w.ID, p.ID)
			assert.Equal(t, w.Time, p.Position.Time)
			assert.Equal(t, w.Latitude, p.Position.Latitude)
			assert.Equal(t, w.Longitude, p.Position.Longitude)
			assert.InDelta(t, w.Speed, p.Position.Speed.KMH(), 1e-9)
			assert.InDelta(t, w.Bearing, p.Position.Heading.Degrees(), 1e-9)
			assert.Equal(t, w.Altitude, p.Position.Altitude.Metres())
			assert.Equal(t, w.Accuracy, p.Position.Accuracy.Metres())
			assert.True(t, p.Position.Has(telematics.HasSpeed|telematics.HasHeading|telematics.HasAltitude|telematics.HasAccuracy))
			assert.NotEmpty(t, p.Raw)
			i++
		}
		assert.Equal(t, 25, i)
		page, err := c.Tracks.ListTrackpoints(ctx, tr.ID, &mycartracks.TrackpointListOptions{Paging: mycartracks.Paging{Offset: 20, Limit: 10}, IncludeTotal: true})
		require.NoError(t, err)
		assert.Len(t, page.Items, 5)
		assert.Equal(t, 25, page.Total)
		assert.Equal(t, -1, page.NextOffset)
		_, err = c.Tracks.ListTrackpoints(ctx, 424242, nil)
		assert.ErrorIs(t, err, telematics.ErrNotFound)
	})
	t.Run("reports", func(t *testing.T) {
		sum, err := c.Reports.Summary(ctx, nil)
		require.NoError(t, err)
		assert.Len(t, sum, 4)
		daily, err := c.Reports.Daily(ctx, &mycartracks.ReportOptions{VehicleID: mycartracks.ID(truth.Vehicles[0].ID)})
		require.NoError(t, err)
		for _, d := range daily {
			assert.EqualValues(t, truth.Vehicles[0].ID, d.VehicleID)
			assert.NotEmpty(t, d.Date)
		}
		rows, err := c.Reports.Rows(ctx, "summary", nil)
		require.NoError(t, err)
		assert.Len(t, rows, 4)
		_, err = c.Reports.Rows(ctx, "fuel", nil)
		assert.ErrorIs(t, err, telematics.ErrNotFound)
	})
	t.Run("people", func(t *testing.T) {
		users, err := collect(t, c.Users.All(ctx, nil))
		require.NoError(t, err)
		drivers, err := collect(t, c.Drivers.All(ctx, nil))
		require.NoError(t, err)
		teams, err := collect(t, c.Teams.All(ctx, nil))
		require.NoError(t, err)
		require.NotEmpty(t, users)
		require.NotEmpty(t, drivers)
		require.NotEmpty(t, teams)
		u, err := c.Users.Get(ctx, users[0].ID)
		require.NoError(t, err)
		assert.Equal(t, users[0].Email, u.Email)
		d, err := c.Drivers.Get(ctx, drivers[0].ID)
		require.NoError(t, err)
		assert.Equal(t, drivers[0].Phone, d.Phone)
		tm, err := c.Teams.Get(ctx, teams[0].ID)
		require.NoError(t, err)
		assert.Equal(t, teams[0].MemberIDs, tm.MemberIDs)
		for _, list := range []func() (int, error){
			func() (int, error) { p, err := c.Users.List(ctx, nil); return len(p.Items), err },
			func() (int, error) { p, err := c.Drivers.List(ctx, nil); return len(p.Items), err },
			func() (int, error) { p, err := c.Teams.List(ctx, nil); return len(p.Items), err },
		} {
			n, err := list()
			require.NoError(t, err)
			assert.Positive(t, n)
		}
	})
	t.Run("last positions", func(t *testing.T) {
		page, err := c.Positions.Last(ctx, &mycartracks.LastPositionOptions{VehicleIDs: []mycartracks.ID{mycartracks.ID(truth.Vehicles[1].ID)}})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		lp := page.Items[0]
		assert.EqualValues(t, truth.Vehicles[1].ID, lp.VehicleID)
		assert.Equal(t, truth.Vehicles[1].Name, lp.VehicleName)
		assert.True(t, lp.Position.Valid())
		assert.False(t, lp.Position.Time.IsZero())
		all, err := collect(t, c.Positions.AllLast(ctx, nil))
		require.NoError(t, err)
		assert.Len(t, all, 4)
	})
	t.Run("raw Do", func(t *testing.T) {
		var out struct {
			Data []struct {
				ID int64 `json:"id"`
			} `json:"data"`
		}
		resp, err := c.Do(ctx, http.MethodGet, "/vehicles", nil, nil, &out)
		require.NoError(t, err)
		assert.Len(t, out.Data, 4)
		assert.NotEmpty(t, resp.RequestID)
		assert.Equal(t, 150, resp.Rate.Limit)
	})
}

func TestFakeEmptyAndExactPages(t *testing.T) {
	t.Run("empty fleet", func(t *testing.T) {
		f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(0)})
		n, err := count(f.client.Tracks.All(context.Background(), nil))
		require.NoError(t, err)
		assert.Zero(t, n)
		n, err = count(f.client.Vehicles.All(context.Background(), nil))
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Equal(t, 2, f.srv.Stats().Requests)
	})
	t.Run("exactly one full page", func(t *testing.T) {
		f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(10), mycartrackstest.WithTracksPerVehicle(100), mycartrackstest.WithPointsPerTrack(2)})
		tracks, err := collect(t, f.client.Tracks.All(context.Background(), &mycartracks.TrackListOptions{ListOptions: mycartracks.ListOptions{IncludeTotal: true}}))
		require.NoError(t, err)
		assert.Len(t, tracks, 1000)
		assert.Equal(t, 2, f.srv.Stats().Requests, "a full page, then an empty one")
	})
}

// writeCase is one write method tried for success, validation failure, an unknown id and
// a read-only client.
type writeCase struct {
	name    string
	ok      func(c *mycartracks.Client) error
	invalid func(c *mycartracks.Client) error // nil: the call takes no input to refuse
	missing func(c *mycartracks.Client) error // nil: the call addresses no existing resource
}

func TestFakeWrites(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(2)}, mycartracks.WithScopes(mycartracks.ScopeRead, mycartracks.ScopeWrite))
	vehicle := mycartracks.ID(f.srv.Fleet().Vehicles[0].ID)
	at := f.clock.Now().Add(24 * time.Hour).Truncate(time.Millisecond).UTC()

	job, err := f.client.Jobs.Create(ctx, mycartracks.JobParams{Name: mycartracks.Ptr("Deliver pallets"), VehicleID: &vehicle,
		Location: &mycartracks.GeoPoint{Latitude: 48.1486, Longitude: 17.1077}, ScheduledAt: &at})
	require.NoError(t, err)
	assert.Equal(t, "Deliver pallets", job.Name)
	assert.Equal(t, mycartracks.JobNew, job.Status, "the default status")
	assert.Equal(t, vehicle, job.VehicleID)
	assert.Equal(t, at, job.ScheduledAt)
	require.NotNil(t, job.Location)
	assert.Equal(t, 48.1486, job.Location.Latitude)

	fence, err := f.client.Geofences.Create(ctx, mycartracks.GeofenceParams{Name: mycartracks.Ptr("Depot"), Type: mycartracks.Ptr(mycartracks.GeofenceCircle),
		Center: &mycartracks.GeoPoint{Latitude: 48.1, Longitude: 17.1}, Radius: mycartracks.Ptr(telematics.Metres(250))})
	require.NoError(t, err)
	assert.Equal(t, 250.0, fence.Radius.Metres())
	require.NotNil(t, fence.Center)

	cases := []writeCase{
		{name: "Jobs.Create",
			ok: func(c *mycartracks.Client) error {
				_, err := c.Jobs.Create(ctx, mycartracks.JobParams{Name: mycartracks.Ptr("x")})
				return err
			},
			invalid: func(c *mycartracks.Client) error {
				_, err := c.Jobs.Create(ctx, mycartracks.JobParams{Location: &mycartracks.GeoPoint{Latitude: 95}})
				return err
			}},
		{name: "Jobs.Update",
			ok: func(c *mycartracks.Client) error {
				j, err := c.Jobs.Update(ctx, job.ID, mycartracks.JobParams{Status: mycartracks.Ptr(mycartracks.JobAssigned)})
				if err == nil && (j.Status != mycartracks.JobAssigned || j.Name != "Deliver pallets") {
					t.Errorf("partial update: %+v", j)
				}
				return err
			},
			invalid: func(c *mycartracks.Client) error {
				_, err := c.Jobs.Update(ctx, job.ID, mycartracks.JobParams{Status: mycartracks.Ptr(mycartracks.JobStatus("lost"))})
				return err
			},
			missing: func(c *mycartracks.Client) error {
				_, err := c.Jobs.Update(ctx, 987654, mycartracks.JobParams{Name: mycartracks.Ptr("y")})
				return err
			}},
		{name: "Jobs.Delete",
			ok: func(c *mycartracks.Client) error {
				j, err := c.Jobs.Create(ctx, mycartracks.JobParams{Name: mycartracks.Ptr("temporary")})
				if err != nil {
					return err
				}
				if err := c.Jobs.Delete(ctx, j.ID); err != nil {
					return err
				}
				if _, err := c.Jobs.Get(ctx, j.ID); !assert.ErrorIs(t, err, telematics.ErrNotFound) {
					t.Error("the job is gone")
				}
				return nil
			},
			missing: func(c *mycartracks.Client) error { return c.Jobs.Delete(ctx, 987654) }},
		{name: "Geofences.Create",
			ok: func(c *mycartracks.Client) error {
				g, err := c.Geofences.Create(ctx, mycartracks.GeofenceParams{Name: mycartracks.Ptr("Yard"), Type: mycartracks.Ptr(mycartracks.GeofencePolygon),
					Points: []mycartracks.GeoPoint{{Latitude: 48, Longitude: 17}, {Latitude: 48.1, Longitude: 17}, {Latitude: 48.1, Longitude: 17.1}}})
				if err == nil && len(g.Points) != 3 {
					t.Errorf("points: %+v", g.Points)
				}
				return err
			},
			invalid: func(c *mycartracks.Client) error {
				_, err := c.Geofences.Create(ctx, mycartracks.GeofenceParams{Name: mycartracks.Ptr("Bad"), Type: mycartracks.Ptr(mycartracks.GeofencePolygon),
					Points: []mycartracks.GeoPoint{{Latitude: 48, Longitude: 17}}})
				return err
			}},
		{name: "Geofences.Update",
			ok: func(c *mycartracks.Client) error {
				g, err := c.Geofences.Update(ctx, fence.ID, mycartracks.GeofenceParams{Name: mycartracks.Ptr("Main depot")})
				if err == nil && (g.Name != "Main depot" || g.Radius.Metres() != 250) {
					t.Errorf("partial update: %+v", g)
				}
				return err
			},
			invalid: func(c *mycartracks.Client) error {
				_, err := c.Geofences.Update(ctx, fence.ID, mycartracks.GeofenceParams{Radius: mycartracks.Ptr(telematics.Metres(-5))})
				return err
			},
			missing: func(c *mycartracks.Client) error {
				_, err := c.Geofences.Update(ctx, 987654, mycartracks.GeofenceParams{Name: mycartracks.Ptr("y")})
				return err
			}},
		{name: "Geofences.Delete",
			ok:      func(c *mycartracks.Client) error { return c.Geofences.Delete(ctx, fence.ID) },
			missing: func(c *mycartracks.Client) error { return c.Geofences.Delete(ctx, 987654) }},
		{name: "MapSharingLinks.Create",
			ok: func(c *mycartracks.Client) error {
				l, err := c.MapSharingLinks.Create(ctx, mycartracks.MapSharingLinkParams{VehicleIDs: []mycartracks.ID{vehicle}, ExpiresAt: at})
				if err == nil && (l.URL == "" || !l.ExpiresAt.Equal(at)) {
					t.Errorf("link: %+v", l)
				}
				return err
			},
			invalid: func(c *mycartracks.Client) error {
				_, err := c.MapSharingLinks.Create(ctx, mycartracks.MapSharingLinkParams{VehicleIDs: []mycartracks.ID{vehicle}, ExpiresAt: f.clock.Now().Add(-time.Hour)})
				return err
			}},
		{name: "MapSharingLinks.Delete",
			ok: func(c *mycartracks.Client) error {
				l, err := c.MapSharingLinks.Create(ctx, mycartracks.MapSharingLinkParams{VehicleIDs: []mycartracks.ID{vehicle}, ExpiresAt: at})
				if err != nil {
					return err
				}
				return c.MapSharingLinks.Delete(ctx, l.ID)
			},
			missing: func(c *mycartracks.Client) error { return c.MapSharingLinks.Delete(ctx, 987654) }},
	}
	readOnly := f.newClient(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.ok(f.client))
			if tc.invalid != nil {
				err := tc.invalid(f.client)
				assert.ErrorIs(t, err, telematics.ErrInvalidInput)
				var apiErr *mycartracks.APIError
				if assert.ErrorAs(t, err, &apiErr) {
					assert.Equal(t, 400, apiErr.StatusCode)
					assert.NotEmpty(t, apiErr.Message)
				}
			}
			if tc.missing != nil {
				assert.ErrorIs(t, tc.missing(f.client), telematics.ErrNotFound)
			}
			before := f.srv.Stats().Requests
			err := tc.ok(readOnly)
			assert.ErrorIs(t, err, telematics.ErrForbidden)
			var se *mycartracks.ScopeError
			assert.ErrorAs(t, err, &se)
			assert.Equal(t, before, f.srv.Stats().Requests, "no request reached the server")
		})
	}

	// The fake's account holds jobs, geofences and links of its own besides ours.
	jobs, err := collect(t, f.client.Jobs.All(ctx, &mycartracks.JobListOptions{Status: mycartracks.JobAssigned}))
	require.NoError(t, err)
	assert.Contains(t, ids(jobs, func(j mycartracks.Job) mycartracks.ID { return j.ID }), job.ID)
	for _, j := range jobs {
		assert.Equal(t, mycartracks.JobAssigned, j.Status)
	}
	page, err := f.client.Jobs.List(ctx, &mycartracks.JobListOptions{VehicleID: vehicle})
	require.NoError(t, err)
	assert.Contains(t, ids(page.Items, func(j mycartracks.Job) mycartracks.ID { return j.ID }), job.ID)
	for _, j := range page.Items {
		assert.Equal(t, vehicle, j.VehicleID)
	}
	fences, err := collect(t, f.client.Geofences.All(ctx, nil))
	require.NoError(t, err)
	assert.NotContains(t, ids(fences, func(g mycartracks.Geofence) mycartracks.ID { return g.ID }), fence.ID, "deleted")
	fencePage, err := f.client.Geofences.List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, fencePage.Items, len(fences))
	g, err := f.client.Geofences.Get(ctx, fences[len(fences)-1].ID)
	require.NoError(t, err)
	assert.Equal(t, mycartracks.GeofencePolygon, g.Type, "the polygon created above")
	links, err := collect(t, f.client.MapSharingLinks.All(ctx, nil))
	require.NoError(t, err)
	linkPage, err := f.client.MapSharingLinks.List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, linkPage.Items, len(links))
}

func ids[T any](items []T, id func(T) mycartracks.ID) []mycartracks.ID {
	out := make([]mycartracks.ID, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

// Credentials that may not write: asking for the write scope fails at the token
// endpoint with invalid_scope, an error matching ErrForbidden.
func TestFakeWriteScopeRefusedAtTheTokenEndpoint(t *testing.T) {
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithAllowedScopes("read")}, mycartracks.WithScopes("read", "write"))
	_, err := f.client.Jobs.Create(context.Background(), mycartracks.JobParams{Name: mycartracks.Ptr("x")})
	require.Error(t, err)
	assert.ErrorIs(t, err, telematics.ErrForbidden)
	var ae *telematics.AuthError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "invalid_scope", ae.Code)
	assert.Zero(t, f.srv.Stats().Requests)
}

// A second client of the same account does not know the budget is spent: the fake
// refuses it with 403 (or 429), the client classifies it as a rate limit and waits for
// the window to reset, or gives up when the wait is longer than allowed.
func TestFakeRateLimitRejections(t *testing.T) {
	for _, status := range []int{403, 429} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithBudget(5, 15*time.Minute), mycartrackstest.WithRateLimitStatus(status)})
			ctx := context.Background()
			for range 5 {
				_, err := f.client.Vehicles.List(ctx, nil)
				require.NoError(t, err)
			}
			impatient := f.newClient(t, mycartracks.WithMaxWait(time.Minute))
			_, err := impatient.Vehicles.List(ctx, nil)
			require.Error(t, err)
			assert.ErrorIs(t, err, telematics.ErrRateLimited)
			assert.NotErrorIs(t, err, telematics.ErrForbidden)
			var rl *telematics.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Greater(t, rl.RetryAfter, time.Minute)
			var apiErr *mycartracks.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.True(t, apiErr.RateLimited())
			assert.Equal(t, status, apiErr.StatusCode)

			patient := f.newClient(t)
			before := f.clock.Now()
			page, err := patient.Vehicles.List(ctx, nil)
			require.NoError(t, err)
			assert.NotEmpty(t, page.Items)
			assert.GreaterOrEqual(t, f.clock.Now().Sub(before), 14*time.Minute, "waited for the window to reset")
			assert.Equal(t, 2, f.srv.Stats().RateLimited)
		})
	}
}

// exportAll reads every track and every point of each, checking them against the fake's
// ground truth: nothing missing, nothing repeated, everything in order.
func exportAll(t *testing.T, f *fake, during func(tracksSeen int)) {
	t.Helper()
	ctx := context.Background()
	want := f.srv.Fleet().Tracks()
	i, points := 0, 0
	for tr, err := range f.client.Tracks.All(ctx, nil) {
		require.NoError(t, err)
		require.Less(t, i, len(want), "more tracks than the fleet has")
		require.EqualValues(t, want[i].ID, tr.ID, "track %d", i)
		j := 0
		for p, err := range f.client.Tracks.AllTrackpoints(ctx, tr.ID, nil) {
			require.NoError(t, err)
			w, ok := f.srv.Trackpoint(want[i].ID, j)
			require.True(t, ok, "more points than track %d has", tr.ID)
			require.EqualValues(t, w.ID, p.ID)
			require.Equal(t, w.Time, p.Position.Time)
			j++
		}
		require.Equal(t, want[i].Points, j, "points of track %d", tr.ID)
		points += j
		i++
		if during != nil {
			during(i)
		}
	}
	require.Equal(t, len(want), i, "every track")
	t.Logf("%d tracks, %d points, %d API requests, %s of fake time", i, points, f.srv.Stats().Requests, f.clock.Now().Sub(epoch))
}

// With the default budget of 150 requests per 15 minutes, exporting 2,000 tracks and
// their points takes about 2,000 requests: the client must pace itself through more
// than a dozen windows without a single rejection.
func TestFakeExportWithinTheBudget(t *testing.T) {
	fleet := []mycartrackstest.Option{mycartrackstest.WithVehicles(20), mycartrackstest.WithTracksPerVehicle(100), mycartrackstest.WithPointsPerTrack(3)}
	t.Run("clean", func(t *testing.T) {
		f := newFake(t, fleet)
		exportAll(t, f, nil)
		st := f.srv.Stats()
		assert.Zero(t, st.RateLimited, "no 403 for the budget")
		assert.Greater(t, st.Requests, 2000)
		assert.Greater(t, f.clock.Now().Sub(epoch), time.Duration(st.Requests/150-1)*15*time.Minute)
	})
	t.Run("with server errors and dropped connections", func(t *testing.T) {
		f := newFake(t, append(fleet, mycartrackstest.WithFaults(mycartrackstest.Faults{ServerErrors: 0.05, Dropped: 0.05})))
		exportAll(t, f, nil)
		st := f.srv.Stats()
		assert.Zero(t, st.RateLimited, "no 403 for the budget")
		assert.Greater(t, st.Faults, 100, "faults were injected")
	})
}

func TestFakeTokenRevokedMidIteration(t *testing.T) {
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(5), mycartrackstest.WithTracksPerVehicle(4), mycartrackstest.WithPointsPerTrack(5)})
	exportAll(t, f, func(seen int) {
		if seen == 7 {
			f.srv.RevokeTokens()
		}
	})
	assert.Equal(t, 2, f.srv.Grants(), "one grant at first use, one after the revocation")
	assert.Equal(t, 1, f.srv.Stats().Unauthorized)
}

func TestTrackPositions(t *testing.T) {
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(1), mycartrackstest.WithPointsPerTrack(2500)})
	ctx := context.Background()
	page, err := f.client.Tracks.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	track := page.Items[0]

	n := 0
	for p, err := range f.client.Tracks.Positions(ctx, track, &mycartracks.TrackpointListOptions{Paging: mycartracks.Paging{Limit: 1000}}) {
		require.NoError(t, err)
		w, ok := f.srv.Trackpoint(int64(track.ID), n)
		require.True(t, ok)
		assert.Equal(t, track.VehicleID.String(), p.VehicleID)
		assert.Equal(t, "mycartracks", p.Provider)
		assert.Equal(t, w.Time, p.Time)
		n++
	}
	assert.Equal(t, 2500, n)

	// Breaking out stops fetching: one page of 1000 was enough for 10 points.
	f.srv.ResetRequests()
	n = 0
	for range f.client.Tracks.Positions(ctx, track, &mycartracks.TrackpointListOptions{Paging: mycartracks.Paging{Limit: 1000}}) {
		if n++; n == 10 {
			break
		}
	}
	assert.Len(t, f.srv.Requests(), 1)

	// An error is yielded once and ends the iteration.
	missing := track
	missing.ID = 987654
	var errs int
	for _, err := range f.client.Tracks.Positions(ctx, missing, nil) {
		require.ErrorIs(t, err, telematics.ErrNotFound)
		errs++
	}
	assert.Equal(t, 1, errs)
}

// A DELETE whose answer is lost after it took effect is retried; the retry's 404 means
// the object is gone, which is what the caller asked for.
func TestDeleteRetriedAfterItTookEffect(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(2), mycartrackstest.WithoutRateLimit()},
		mycartracks.WithScopes(mycartracks.ScopeRead, mycartracks.ScopeWrite))
	c := f.client
	vehicle := mycartracks.ID(f.srv.Fleet().Vehicles[0].ID)
	job, err := c.Jobs.Create(ctx, mycartracks.JobParams{Name: mycartracks.Ptr("Deliver")})
	require.NoError(t, err)
	fence, err := c.Geofences.Create(ctx, mycartracks.GeofenceParams{Name: mycartracks.Ptr("Depot"), Type: mycartracks.Ptr(mycartracks.GeofenceCircle),
		Center: &mycartracks.GeoPoint{Latitude: 48.1, Longitude: 17.1}, Radius: mycartracks.Ptr(telematics.Metres(100))})
	require.NoError(t, err)
	link, err := c.MapSharingLinks.Create(ctx, mycartracks.MapSharingLinkParams{VehicleIDs: []mycartracks.ID{vehicle}, ExpiresAt: f.clock.Now().Add(time.Hour)})
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		path   string
		delete func(...mycartracks.RequestOption) error
		gone   func() bool
	}{
		{"job", "/jobs/" + job.ID.String(), func(o ...mycartracks.RequestOption) error { return c.Jobs.Delete(ctx, job.ID, o...) },
			func() bool { _, err := c.Jobs.Get(ctx, job.ID); return errors.Is(err, telematics.ErrNotFound) }},
		{"geofence", "/geofences/" + fence.ID.String(), func(o ...mycartracks.RequestOption) error { return c.Geofences.Delete(ctx, fence.ID, o...) },
			func() bool { _, err := c.Geofences.Get(ctx, fence.ID); return errors.Is(err, telematics.ErrNotFound) }},
		{"map sharing link", "/mapSharingLinks/" + link.ID.String(), func(o ...mycartracks.RequestOption) error { return c.MapSharingLinks.Delete(ctx, link.ID, o...) },
			func() bool {
				links, err := collect(t, c.MapSharingLinks.All(ctx, nil))
				require.NoError(t, err)
				return len(links) == 0
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.srv.ResetRequests()
			f.srv.FailNext(mycartrackstest.FaultDropped)
			var resp telematics.Response
			require.NoError(t, tc.delete(mycartracks.WithResponse(&resp)))
			assert.Equal(t, 2, resp.Attempts)
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
			var statuses []int
			for _, r := range f.srv.Requests() {
				if r.Method == http.MethodDelete && r.Path == tc.path {
					statuses = append(statuses, r.Status)
				}
			}
			assert.Equal(t, []int{http.StatusNoContent, http.StatusNotFound}, statuses, "deleted, then not found")
			assert.True(t, tc.gone())

			err := tc.delete()
			assert.ErrorIs(t, err, telematics.ErrNotFound, "a first attempt's 404 is still an error")
		})
	}
	t.Run("not retried", func(t *testing.T) {
		j, err := c.Jobs.Create(ctx, mycartracks.JobParams{Name: mycartracks.Ptr("Deliver")})
		require.NoError(t, err)
		noRetry := f.newClient(t, mycartracks.WithScopes(mycartracks.ScopeRead, mycartracks.ScopeWrite), mycartracks.WithMaxRetries(0))
		f.srv.FailNext(mycartrackstest.FaultDropped)
		err = noRetry.Jobs.Delete(ctx, j.ID)
		require.Error(t, err)
		assert.True(t, telematics.MayHaveSucceeded(err))
	})
}
