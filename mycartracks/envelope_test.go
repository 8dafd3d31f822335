package mycartracks_test

import (
	"context"
	"iter"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// envelopeCall is one public list call, run against a server that answers every request
// with the same body; it returns how many items the call produced.
type envelopeCall struct {
	name, pattern string
	run           func(ctx context.Context, c *mycartracks.Client) (int, error)
}

func countAll[T any](seq iter.Seq2[T, error]) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

var envelopeCalls = []envelopeCall{
	{"Vehicles.List", "/vehicles", func(ctx context.Context, c *mycartracks.Client) (int, error) {
		p, err := c.Vehicles.List(ctx, nil)
		if err != nil {
			return 0, err
		}
		return len(p.Items), nil
	}},
	{"Vehicles.All", "/vehicles", func(ctx context.Context, c *mycartracks.Client) (int, error) {
		return countAll(c.Vehicles.All(ctx, nil))
	}},
	{"Tracks.All", "/tracks2", func(ctx context.Context, c *mycartracks.Client) (int, error) {
		return countAll(c.Tracks.All(ctx, nil))
	}},
	{"Positions.AllLast", "/vehicles/lastPositions", func(ctx context.Context, c *mycartracks.Client) (int, error) {
		return countAll(c.Positions.AllLast(ctx, nil))
	}},
	{"Tracks.ListTrackpoints", "/trackpoints/{id}", func(ctx context.Context, c *mycartracks.Client) (int, error) {
		p, err := c.Tracks.ListTrackpoints(ctx, 7, nil)
		if err != nil {
			return 0, err
		}
		return len(p.Items), nil
	}},
	{"Tracks.AllTrackpoints", "/trackpoints/{id}", func(ctx context.Context, c *mycartracks.Client) (int, error) {
		return countAll(c.Tracks.AllTrackpoints(ctx, 7, &mycartracks.TrackpointListOptions{KeepRaw: true}))
	}},
	{"Reports.Summary", "/reports/summary", func(ctx context.Context, c *mycartracks.Client) (int, error) {
		rows, err := c.Reports.Summary(ctx, nil)
		return len(rows), err
	}},
	{"Reports.Rows", "/reports/{type}", func(ctx context.Context, c *mycartracks.Client) (int, error) {
		rows, err := c.Reports.Rows(ctx, "custom", nil)
		return len(rows), err
	}},
}

// serveBody answers pattern with a 200 and body at the start of the list, and with an
// empty page past it.
func (s *scripted) serveBody(pattern, body string) {
	s.handle(pattern, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		page := body
		if off := r.URL.Query().Get("offset"); off != "" && off != "0" {
			page = `{"data":[]}`
		}
		_, _ = w.Write([]byte(page))
	})
}

// A success status whose body is not the list envelope is a malformed response, never an
// empty list: the server did not say the list is empty.
func TestListWithoutEnvelopeIsMalformed(t *testing.T) {
	ctx := context.Background()
	for _, body := range []string{
		`{}`,
		`{"message":"upstream timeout"}`,
		`{"total":3,"totalCount":3}`,
		`{"items":[{"id":1}]}`,
		`null`,
		`[]`,
		`[{"id":1}]`,
		`"ok"`,
	} {
		for _, call := range envelopeCalls {
			t.Run(call.name+"/"+body, func(t *testing.T) {
				s := newScripted(t)
				s.serveBody("GET "+call.pattern, body)
				n, err := call.run(ctx, s.client)
				require.Error(t, err)
				assert.Zero(t, n)
				assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
				var re *telematics.RequestError
				require.ErrorAs(t, err, &re, "wrapped like every malformed answer, with the request")
				assert.Equal(t, http.MethodGet, re.Method)
				assert.Contains(t, re.URL, basePath)
				assert.EqualValues(t, 1, s.requests.Load(), "not retried")
			})
		}
	}
}

// An empty or null "data" is an empty list; the last "data" of a page wins, as for every
// other key, and keys match in any case, as encoding/json matches them.
func TestListEnvelopeShapes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		body string
		n    int
		// overridesBadType: an earlier "data" that is no list is overridden by a later
		// one. The trackpoint scanner and the reports follow "the last key wins" for it
		// too; the other lists follow encoding/json, which reports the earlier type
		// mismatch.
		overridesBadType bool
	}{
		{body: `{"data":[]}`},
		{body: `{"data":null}`},
		{body: `{"data":null,"total":0}`},
		{body: `{"Data":[{"id":1,"vehicleId":1}]}`, n: 1},
		{body: `{"data":[{"id":1,"vehicleId":1}],"data":null}`},
		{body: `{"data":[{"id":1,"vehicleId":1}],"data":[{"id":2,"vehicleId":2},{"id":3,"vehicleId":3}]}`, n: 2},
		{body: `{"data":[{"id":1,"vehicleId":1}],"DATA":[]}`},
		{body: `{"data":5,"data":[{"id":1,"vehicleId":1}]}`, n: 1, overridesBadType: true},
		{body: `{"data":{"id":1},"data":[{"id":1,"vehicleId":1},{"id":2,"vehicleId":2}]}`, n: 2, overridesBadType: true},
	} {
		for _, call := range envelopeCalls {
			t.Run(call.name+"/"+tc.body, func(t *testing.T) {
				s := newScripted(t)
				s.serveBody("GET "+call.pattern, tc.body)
				n, err := call.run(ctx, s.client)
				if tc.overridesBadType && !lastDataWinsOverBadType(call.pattern) {
					assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, tc.n, n)
			})
		}
	}
}

func lastDataWinsOverBadType(pattern string) bool {
	return pattern == "/trackpoints/{id}" || strings.HasPrefix(pattern, "/reports/")
}

// An item's Raw is the JSON of the item decoded, also when the page repeats "data" in
// another case (the last one wins for both).
func TestListRawOfTheLastData(t *testing.T) {
	s := newScripted(t)
	s.serveBody("GET /vehicles", `{"data":[{"id":1,"name":"a"}],"Data":[{"id":2,"name":"b"}]}`)
	page, err := s.client.Vehicles.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.EqualValues(t, 2, page.Items[0].ID)
	assert.Equal(t, "b", page.Items[0].Name)
	assert.JSONEq(t, `{"id":2,"name":"b"}`, string(page.Items[0].Raw))
}
