package mycartrackstest_test

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

// A page cap shortens pages silently, per list or for every list; a list's own cap wins.
func TestPageCap(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(3), mycartrackstest.WithTracksPerVehicle(4), mycartrackstest.WithPointsPerTrack(500),
		mycartrackstest.WithPageCap(mycartrackstest.AllLists, 5), mycartrackstest.WithPageCap("/trackpoints", 137))
	tok := token(t, srv, "read")
	var p page
	res := getOK(t, srv, tok, "/tracks2?limit=10&includeTotal=true", &p)
	assert.Len(t, p.Data, 5)
	require.NotNil(t, p.Total)
	assert.Equal(t, 12, *p.Total)
	assert.Equal(t, http.StatusOK, res.status)
	track := srv.Fleet().Tracks()[0].ID
	getOK(t, srv, tok, fmt.Sprintf("/trackpoints/%d?limit=10000&offset=400", track), &p)
	assert.Len(t, p.Data, 100, "the end of the track")
	getOK(t, srv, tok, fmt.Sprintf("/trackpoints/%d?limit=10000&offset=137", track), &p)
	assert.Len(t, p.Data, 137)
	assert.Equal(t, srv.Fleet().Tracks()[0].ID*100_000_000+137, p.ids("id")[0])
	getOK(t, srv, tok, fmt.Sprintf("/trackpoints/%d?limit=20", track), &p)
	assert.Len(t, p.Data, 20, "a limit below the cap is honoured")
}

func TestIgnoredOffsetAndNoTotal(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(12), mycartrackstest.WithPointsPerTrack(50),
		mycartrackstest.WithIgnoredOffset("/vehicles"), mycartrackstest.WithIgnoredOffset("/trackpoints"),
		mycartrackstest.WithoutTotal(mycartrackstest.AllLists))
	tok := token(t, srv, "read")
	var first, second page
	getOK(t, srv, tok, "/vehicles?limit=5&includeTotal=true", &first)
	getOK(t, srv, tok, "/vehicles?limit=5&offset=5&includeTotal=true", &second)
	assert.Equal(t, first.ids("id"), second.ids("id"), "offset ignored")
	assert.Nil(t, second.Total, "includeTotal ignored")
	track := srv.Fleet().Tracks()[0].ID
	getOK(t, srv, tok, fmt.Sprintf("/trackpoints/%d?limit=10&offset=30&includeTotal=true", track), &second)
	assert.Equal(t, track*100_000_000, second.ids("id")[0])
	assert.Nil(t, second.Total)
	getOK(t, srv, tok, "/users?offset=1&limit=1", &second)
	assert.Equal(t, []int64{202}, second.ids("id"), "other lists honour offset")
}

func TestBadListOptions(t *testing.T) {
	for _, o := range []mycartrackstest.Option{
		mycartrackstest.WithPageCap("/nope", 5),
		mycartrackstest.WithPageCap("/vehicles", 0),
		mycartrackstest.WithIgnoredOffset("vehicles"),
		mycartrackstest.WithoutTotal("/tracks"),
	} {
		assert.Panics(t, func() { mycartrackstest.NewServer(o).Close() })
	}
	srv := newServer(t)
	assert.Panics(t, func() { srv.InsertRows("/trackpoints", 1) })
	assert.Panics(t, func() { srv.DeleteRows(mycartrackstest.AllLists, 1) })
}

// Rows inserted at the head shift later pages forward: the first items of the next
// page repeat the last of the page before. Rows deleted shift them back: items are
// skipped.
func TestInsertAndDeleteRows(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(10))
	tok := token(t, srv, "read")
	want := srv.Fleet().VehicleIDs()
	var p page
	getOK(t, srv, tok, "/vehicles?limit=4", &p)
	assert.Equal(t, want[:4], p.ids("id"))
	srv.InsertRows("/vehicles", 2)
	getOK(t, srv, tok, "/vehicles?limit=4&offset=4&includeTotal=true", &p)
	assert.Equal(t, want[2:6], p.ids("id"), "two rows repeat")
	assert.Equal(t, 12, *p.Total)
	getOK(t, srv, tok, "/vehicles?limit=2", &p)
	ids := p.ids("id")
	assert.Greater(t, ids[0], ids[1], "the latest inserted first")
	assert.Greater(t, ids[1], want[len(want)-1])
	assert.Equal(t, srv.Fleet().Vehicles[0].Name, p.Data[0]["name"], "a copy of the first item")

	srv.DeleteRows("/vehicles", 3)
	getOK(t, srv, tok, "/vehicles?limit=4&offset=8&includeTotal=true", &p)
	assert.Equal(t, want[9:], p.ids("id"), "three rows fewer")
	assert.Equal(t, 9, *p.Total)

	srv.InsertRows("/vehicles/lastPositions", 1)
	getOK(t, srv, tok, "/vehicles/lastPositions?limit=2", &p)
	assert.Greater(t, p.ids("vehicleId")[0], want[len(want)-1], "a new vehicle id")
	assert.Equal(t, want[0], p.ids("vehicleId")[1])
}

// The scripted faults that real servers were seen to send: a 200 without the list
// envelope, a token echoed in other encodings, a body that never ends.
func TestHostileFaults(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(2))
	tok := token(t, srv, "read")

	srv.FailNext(mycartrackstest.FaultNoData, mycartrackstest.FaultEmptyObject)
	res := get(t, srv, tok, "/vehicles")
	assert.Equal(t, http.StatusOK, res.status)
	assert.JSONEq(t, `{"message":"upstream timeout"}`, string(res.body))
	res = get(t, srv, tok, "/vehicles")
	assert.Equal(t, http.StatusOK, res.status)
	assert.JSONEq(t, `{}`, string(res.body))

	srv.FailNext(mycartrackstest.FaultEchoToken)
	res = get(t, srv, tok, "/vehicles")
	assert.Equal(t, http.StatusBadRequest, res.status)
	body := string(res.body)
	assert.NotContains(t, body, tok, "never in clear")
	e := res.apiError(t)
	assert.Equal(t, "invalid_request", e.Error)
	assert.Contains(t, e.Message, tok, "JSON-escaped: the decoded message holds it")
	var echo struct{ Detail, Authorization string }
	res.decode(t, &echo)
	q, err := url.ParseQuery(strings.SplitN(echo.Detail, "?", 2)[1])
	require.NoError(t, err)
	assert.Equal(t, tok, q.Get("access_token"), "URL-encoded")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(echo.Authorization, "Basic "))
	require.NoError(t, err)
	assert.Equal(t, srv.ClientID+":"+srv.ClientSecret, string(raw))

	srv.FailNext(mycartrackstest.FaultEndless)
	req, err := http.NewRequest(http.MethodGet, srv.BaseURL+"/vehicles", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	br := bufio.NewReader(resp.Body)
	head := make([]byte, 9)
	_, err = io.ReadFull(br, head)
	require.NoError(t, err)
	assert.Equal(t, `{"data":[`, string(head))
	n, err := io.Copy(io.Discard, io.LimitReader(br, 8<<20))
	require.NoError(t, err)
	assert.EqualValues(t, 8<<20, n, "it goes on")
	require.NoError(t, resp.Body.Close())

	var p page
	getOK(t, srv, tok, "/vehicles", &p)
	assert.Len(t, p.Data, 2, "the next request is served")
	assert.Equal(t, []mycartrackstest.FaultKind{mycartrackstest.FaultNoData, mycartrackstest.FaultEmptyObject, mycartrackstest.FaultEchoToken, mycartrackstest.FaultEndless},
		faultsOf(srv.Requests()[:4]))
}

func faultsOf(reqs []mycartrackstest.LoggedRequest) []mycartrackstest.FaultKind {
	var out []mycartrackstest.FaultKind
	for _, r := range reqs {
		out = append(out, r.Fault)
	}
	return out
}

func TestPointsPerTrackBetween(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(4), mycartrackstest.WithTracksPerVehicle(25), mycartrackstest.WithPointsPerTrackBetween(1, 50))
	lengths := map[int]bool{}
	for _, tr := range srv.Fleet().Tracks() {
		require.GreaterOrEqual(t, tr.Points, 1)
		require.LessOrEqual(t, tr.Points, 50)
		lengths[tr.Points] = true
	}
	assert.Greater(t, len(lengths), 25, "many lengths")
	again := newServer(t, mycartrackstest.WithVehicles(4), mycartrackstest.WithTracksPerVehicle(25), mycartrackstest.WithPointsPerTrackBetween(1, 50))
	assert.Equal(t, srv.Fleet(), again.Fleet(), "drawn from the seed")
	for _, o := range []mycartrackstest.Option{mycartrackstest.WithPointsPerTrackBetween(5, 4), mycartrackstest.WithPointsPerTrackBetween(-1, 4)} {
		assert.Panics(t, func() { mycartrackstest.NewServer(o).Close() })
	}
	srv = newServer(t, mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(3), mycartrackstest.WithPointsPerTrackBetween(7, 7))
	for _, tr := range srv.Fleet().Tracks() {
		assert.Equal(t, 7, tr.Points)
	}
}
