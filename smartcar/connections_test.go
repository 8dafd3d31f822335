package smartcar_test

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestConnectionsList(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	p, err := e.client.Connections.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, p.Items, 5)
	assert.Equal(t, 1, p.Number)
	assert.Equal(t, 10, p.Size)
	assert.Equal(t, 5, p.Total)
	assert.Equal(t, -1, p.NextPageNumber)
	assert.False(t, p.HasNext())
	assert.Equal(t, e.srv.VehicleAPIURL+"/connections?page%5Bnumber%5D=1&page%5Bsize%5D=10", p.Links.Self)
	// Newest first, as Smartcar orders them.
	assert.Equal(t, smartcartest.ConnectionBolt, p.Items[0].ID)
	last := p.Items[4]
	assert.Equal(t, smartcartest.ConnectionModel3, last.ID)
	assert.Equal(t, smartcartest.UserAlice, last.UserID)
	assert.Equal(t, smartcartest.VehicleModel3, last.VehicleID)
	assert.Equal(t, smartcar.Vehicle{ID: smartcartest.VehicleModel3, Make: "TESLA", Model: "Model 3", Year: 2023, PowertrainType: "BEV",
		Mode: smartcar.ModeLive, SelfURL: e.srv.VehicleAPIURL + "/vehicles/" + smartcartest.VehicleModel3}, last.Vehicle)
	assert.True(t, last.HasPermission(smartcar.PermissionControlSecurity))
	assert.Equal(t, smartcartest.Epoch.AddDate(0, 0, -30), last.CreatedAt)
	assert.NotEmpty(t, last.Raw)
	assert.Empty(t, p.Items[0].Vehicle.PowertrainType, "null powertrain")

	for _, tc := range []struct {
		opts  smartcar.ConnectionListOptions
		query url.Values
		ids   []string
	}{
		{smartcar.ConnectionListOptions{UserID: smartcartest.UserAlice}, url.Values{"filter[userId]": {smartcartest.UserAlice}},
			[]string{smartcartest.ConnectionID4, smartcartest.ConnectionModel3}},
		{smartcar.ConnectionListOptions{VehicleID: smartcartest.VehicleCamry}, url.Values{"filter[vehicleId]": {smartcartest.VehicleCamry}},
			[]string{smartcartest.ConnectionCamry}},
		{smartcar.ConnectionListOptions{VehicleMode: smartcar.ModeSimulated}, url.Values{"filter[vehicle.mode]": {"simulated"}},
			[]string{smartcartest.ConnectionBolt}},
		{smartcar.ConnectionListOptions{UserID: smartcartest.UserBob, PageNumber: 2, PageSize: 1},
			url.Values{"filter[userId]": {smartcartest.UserBob}, "page[number]": {"2"}, "page[size]": {"1"}},
			[]string{smartcartest.ConnectionCamry}},
		{smartcar.ConnectionListOptions{UserExternalID: "crm-42"}, url.Values{"filter[user.externalId]": {"crm-42"}}, nil},
	} {
		e.srv.ResetRequests()
		opts := tc.opts
		p, err := e.client.Connections.List(ctx, &opts)
		require.NoError(t, err)
		assert.Equal(t, tc.opts, opts, "options are not modified")
		var ids []string
		for _, c := range p.Items {
			ids = append(ids, c.ID)
		}
		if tc.opts.UserExternalID == "" {
			assert.Equal(t, tc.ids, ids)
		}
		assert.Equal(t, tc.query, e.srv.Requests()[0].Query)
	}
}

func TestConnectionsAll(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			var opts []smartcartest.Option
			if legacy {
				opts = append(opts, smartcartest.WithLegacyPaging())
			}
			e := newFake(t, opts)
			ctx := context.Background()
			var ids []string
			for c, err := range e.client.Connections.All(ctx, &smartcar.ConnectionListOptions{PageSize: 2}) {
				require.NoError(t, err)
				ids = append(ids, c.ID)
			}
			assert.Equal(t, []string{smartcartest.ConnectionBolt, smartcartest.ConnectionF150, smartcartest.ConnectionCamry,
				smartcartest.ConnectionID4, smartcartest.ConnectionModel3}, ids)
			assert.Equal(t, 3, e.srv.CountRequests(http.MethodGet, "/connections"))

			// Breaking early fetches no further page.
			e.srv.ResetRequests()
			n := 0
			for _, err := range e.client.Connections.All(ctx, &smartcar.ConnectionListOptions{PageSize: 2}) {
				require.NoError(t, err)
				if n++; n == 3 {
					break
				}
			}
			assert.Equal(t, 2, e.srv.CountRequests("", ""))
		})
	}
}

func TestConnectionsAllErrors(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()

	// An error on a later page is yielded once, after the items before it.
	var got []string
	var errs []error
	for c, err := range e.client.Connections.All(ctx, &smartcar.ConnectionListOptions{PageSize: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, c.ID)
		if len(got) == 2 {
			e.srv.FailNext(smartcartest.PermissionDenied().On(http.MethodGet, "/connections"))
		}
	}
	assert.Len(t, got, 2)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], telematics.ErrForbidden)

	// A bad page size: refused by Smartcar, or by the client before sending.
	errs = allErrors(e.client.Connections.All(ctx, &smartcar.ConnectionListOptions{PageSize: 500}))
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], telematics.ErrInvalidInput)
	var apiErr *smartcar.APIError
	require.ErrorAs(t, errs[0], &apiErr)
	assert.Equal(t, smartcar.CodeParameter, apiErr.Code)
	e.srv.ResetRequests()
	errs = allErrors(e.client.Connections.All(ctx, &smartcar.ConnectionListOptions{PageNumber: -1}))
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], telematics.ErrInvalidInput)
	_, err := e.client.Connections.List(ctx, &smartcar.ConnectionListOptions{PageSize: -1})
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Zero(t, e.srv.CountRequests("", ""))

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	errs = allErrors(e.client.Connections.All(cancelled, nil))
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
}

// allErrors runs an iterator to its end and returns every item's error, failing on items
// without one: the iterators yield an error once and stop.
func allErrors[T any](seq iter.Seq2[T, error]) []error {
	var errs []error
	for _, err := range seq {
		errs = append(errs, err)
	}
	return errs
}

// pages serves a scripted sequence of connection pages.
func pages(t *testing.T, f *scripted, bodies ...string) *[]string {
	t.Helper()
	var queries []string
	f.handle("GET /v3/connections", func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.Query().Get("page[number]"))
		i := min(len(queries)-1, len(bodies)-1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(bodies[i]))
	})
	return &queries
}

func conn(id string) string {
	return `{"id":"` + id + `","type":"connection","relationships":{"vehicle":{"data":{"id":"v-` + id + `"}}}}`
}

func collect(t *testing.T, c *smartcar.Client) ([]string, error) {
	t.Helper()
	var ids []string
	for it, err := range c.Connections.All(context.Background(), nil) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, it.ID)
	}
	return ids, nil
}

// The iterator never loops: it stops on a null next link, on the total, on an empty
// page, and reports links that go round in a circle.
func TestIteratorTermination(t *testing.T) {
	t.Run("next link repeats", func(t *testing.T) {
		f := newScripted(t)
		self := f.srv.URL + "/v3/connections?page%5Bnumber%5D=2"
		q := pages(t, f, `{"data":[`+conn("a")+`],"links":{"next":"`+self+`"}}`)
		ids, err := collect(t, f.client)
		assert.Equal(t, []string{"a", "a"}, ids)
		assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
		assert.Equal(t, []string{"", "2"}, *q)
	})
	t.Run("total reached despite a next link", func(t *testing.T) {
		f := newScripted(t)
		q := pages(t, f, `{"data":[`+conn("a")+`,`+conn("b")+`],"meta":{"totalCount":2},"links":{"next":"/connections?page[number]=2"}}`)
		ids, err := collect(t, f.client)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, ids)
		assert.Len(t, *q, 1)
	})
	t.Run("no next link but a larger total", func(t *testing.T) {
		f := newScripted(t)
		q := pages(t, f,
			`{"data":[`+conn("a")+`],"meta":{"pageNumber":1,"totalCount":3}}`,
			`{"data":[`+conn("b")+`],"meta":{"totalCount":3}}`,
			`{"data":[`+conn("c")+`],"meta":{"pageNumber":3,"totalCount":3}}`)
		ids, err := collect(t, f.client)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b", "c"}, ids)
		assert.Equal(t, []string{"", "2", "3"}, *q)
	})
	t.Run("relative next link on our own path", func(t *testing.T) {
		f := newScripted(t)
		q := pages(t, f,
			`{"data":[`+conn("a")+`],"links":{"next":"/v3/connections?page%5Bnumber%5D=2"}}`,
			`{"data":[`+conn("b")+`],"links":{"next":null}}`)
		ids, err := collect(t, f.client)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, ids)
		assert.Equal(t, []string{"", "2"}, *q)
	})
	t.Run("empty page", func(t *testing.T) {
		f := newScripted(t)
		q := pages(t, f, `{"data":[],"meta":{"totalCount":10},"links":{"next":"/connections?page[number]=2"}}`)
		ids, err := collect(t, f.client)
		require.NoError(t, err)
		assert.Empty(t, ids)
		assert.Len(t, *q, 1)
	})
	t.Run("no paging information", func(t *testing.T) {
		f := newScripted(t)
		q := pages(t, f, `{"data":[`+conn("a")+`]}`)
		ids, err := collect(t, f.client)
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, ids)
		assert.Len(t, *q, 1)
	})
	t.Run("malformed next link", func(t *testing.T) {
		f := newScripted(t)
		pages(t, f, `{"data":[`+conn("a")+`],"links":{"next":"http://[::1"}}`)
		_, err := collect(t, f.client)
		assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
	})
	t.Run("malformed body", func(t *testing.T) {
		f := newScripted(t)
		pages(t, f, `{"data":[{"id":`)
		_, err := collect(t, f.client)
		assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
	})
}

// List's NextPageNumber is the page All fetches next, whatever the paging
// information: HasNext never disagrees with the iterator.
func TestNextPageNumberAgreesWithAll(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		next int
	}{
		{"no next link but a larger total", `{"data":[` + conn("a") + `],"meta":{"pageNumber":1,"totalCount":3}}`, 2},
		{"page size and total", `{"data":[` + conn("a") + `,` + conn("b") + `],"meta":{"pageNumber":1,"pageSize":2,"totalCount":3}}`, 2},
		{"next link", `{"data":[` + conn("a") + `],"links":{"next":"/connections?page%5Bnumber%5D=4"}}`, 4},
		{"next link without a page number", `{"data":[` + conn("a") + `],"meta":{"pageNumber":1},"links":{"next":"/connections?cursor=x"}}`, 2},
		{"null next link", `{"data":[` + conn("a") + `],"meta":{"totalCount":3},"links":{"next":null}}`, -1},
		{"total reached despite a next link", `{"data":[` + conn("a") + `],"meta":{"totalCount":1},"links":{"next":"/connections?page%5Bnumber%5D=2"}}`, -1},
		{"no paging information", `{"data":[` + conn("a") + `]}`, -1},
		{"empty page", `{"data":[],"meta":{"totalCount":5}}`, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newScripted(t)
			q := pages(t, f, tc.body, `{"data":[]}`)
			p, err := f.client.Connections.List(context.Background(), nil)
			require.NoError(t, err)
			assert.Equal(t, tc.next, p.NextPageNumber)
			assert.Equal(t, tc.next > 0, p.HasNext())

			*q = nil
			_, err = collect(t, f.client)
			require.NoError(t, err)
			switch {
			case tc.next < 0:
				assert.Len(t, *q, 1, "All stops too")
			case strings.Contains(tc.body, "cursor"):
				// All follows the link itself; its page[number] is unknown, so
				// NextPageNumber counts on from this page.
				require.Len(t, *q, 2)
				assert.Empty(t, (*q)[1])
			default:
				require.Len(t, *q, 2)
				assert.Equal(t, strconv.Itoa(tc.next), (*q)[1], "All fetches that page")
			}
		})
	}
}

func TestConnectionsGetDelete(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	c, err := e.client.Connections.Get(ctx, smartcartest.ConnectionCamry)
	require.NoError(t, err)
	assert.Equal(t, smartcartest.VehicleCamry, c.VehicleID)
	assert.Equal(t, smartcartest.UserBob, c.UserID)
	assert.Equal(t, "TOYOTA", c.Vehicle.Make)
	assert.Equal(t, e.srv.VehicleAPIURL+"/connections/"+smartcartest.ConnectionCamry, c.SelfURL)

	require.NoError(t, e.client.Connections.Delete(ctx, smartcartest.ConnectionCamry))
	_, err = e.client.Connections.Get(ctx, smartcartest.ConnectionCamry)
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	err = e.client.Connections.Delete(ctx, smartcartest.ConnectionCamry)
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	_, err = e.client.Vehicles.Get(ctx, smartcartest.VehicleCamry)
	assert.ErrorIs(t, err, telematics.ErrNotFound, "a disconnected vehicle is gone")

	for _, id := range []string{"", ".", ".."} {
		_, err = e.client.Connections.Get(ctx, id)
		assert.ErrorIs(t, err, telematics.ErrInvalidInput)
		assert.ErrorIs(t, e.client.Connections.Delete(ctx, id), telematics.ErrInvalidInput)
		assert.ErrorIs(t, e.client.Users.Delete(ctx, id), telematics.ErrInvalidInput)
	}
	// An id is one path segment, however it is spelled.
	_, err = e.client.Connections.Get(ctx, "a/../../users/x")
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	assert.Equal(t, "/connections/a/../../users/x", e.srv.Requests()[len(e.srv.Requests())-1].Path)
}

func TestUsersDelete(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	require.NoError(t, e.client.Users.Delete(ctx, smartcartest.UserBob))
	p, err := e.client.Connections.List(ctx, &smartcar.ConnectionListOptions{UserID: smartcartest.UserBob})
	require.NoError(t, err)
	assert.Empty(t, p.Items, "every connection of the user is gone")
	assert.Equal(t, 0, p.Total)
	p, err = e.client.Connections.List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, p.Items, 3)
	assert.ErrorIs(t, e.client.Users.Delete(ctx, smartcartest.UserBob), telematics.ErrNotFound)
	assert.Equal(t, 2, e.srv.CountRequests(http.MethodDelete, "/users/"+smartcartest.UserBob))
}

func TestVehiclesGet(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	v, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleF150)
	require.NoError(t, err)
	v.Raw = nil
	assert.Equal(t, smartcar.Vehicle{ID: smartcartest.VehicleF150, Make: "FORD", Model: "F-150", Year: 2021, PowertrainType: "ICE",
		Mode: smartcar.ModeLive, SelfURL: e.srv.VehicleAPIURL + "/vehicles/" + smartcartest.VehicleF150}, *v)
	assert.Equal(t, "", e.srv.Requests()[0].UserID, "the user id is optional here")

	_, err = e.client.Vehicles.Get(ctx, smartcartest.VehicleF150, alice())
	assert.ErrorIs(t, err, telematics.ErrForbidden, "another user's vehicle")
	assert.True(t, smartcar.NeedsReauthentication(err))
	_, err = e.client.Vehicles.Get(ctx, "no-such-vehicle")
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	_, err = e.client.Vehicles.Get(ctx, "")
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
}
