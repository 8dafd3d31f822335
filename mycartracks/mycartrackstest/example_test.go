package mycartrackstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

// fetchToken gets an access token the way MyCarTracks documents it: client
// credentials over HTTP Basic authentication.
func fetchToken(srv *mycartrackstest.Server, scope string) string {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	req, _ := http.NewRequest(http.MethodPost, srv.TokenURL, strings.NewReader(form.Encode()))
	req.SetBasicAuth(srv.ClientID, srv.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	return tok.AccessToken
}

// getWithToken sends an authenticated GET to a path under srv.BaseURL.
func getWithToken(srv *mycartrackstest.Server, tok, path string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, srv.BaseURL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// A client under test takes srv.BaseURL as its base URL, srv.TokenURL as its token
// endpoint and srv.ClientID / srv.ClientSecret as its credentials. Here plain net/http
// plays the client.
func Example() {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2))
	defer srv.Close()

	tok := fetchToken(srv, "read")
	res, body := getWithToken(srv, tok, "/vehicles?fields=id,name&includeTotal=true")
	fmt.Println(res.Status, "remaining:", res.Header.Get("X-Rate-Limit-Remaining"))
	fmt.Println(body)
	// Output:
	// 200 OK remaining: 149
	// {"data":[{"id":1001,"name":"Škoda Octavia Combi B-VP 4050"},{"id":1002,"name":"Peugeot Partner JN-381-BX"}],"total":2}
}

// Fleet tells a test what a complete, correctly paged download must contain.
func ExampleServer_Fleet() {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(3), mycartrackstest.WithTracksPerVehicle(4),
		mycartrackstest.WithPointsPerTrack(1_000_000))
	defer srv.Close()

	fleet := srv.Fleet()
	tracks := fleet.Tracks()
	fmt.Println("vehicles:", fleet.VehicleIDs())
	fmt.Println("tracks:", len(tracks), "first:", tracks[0].ID, tracks[0].Start.Format(time.RFC3339))
	fmt.Println("points per track:", tracks[0].Points)
	p, _ := srv.Trackpoint(tracks[0].ID, 999_999)
	fmt.Println("last point at:", p.Time.Equal(tracks[0].End))
	// Output:
	// vehicles: [1001 1002 1003]
	// tracks: 12 first: 700005 2025-08-27T11:50:40Z
	// points per track: 1000000
	// last point at: true
}

// NewClient returns a mycartracks.Client of the fake; the fake's log shows what the
// client sent.
func ExampleServer_NewClient() {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2))
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		panic(err)
	}
	defer client.Close()

	srv.FailNext(mycartrackstest.FaultUnavailable)
	page, err := client.Vehicles.List(context.Background(), &mycartracks.ListOptions{IncludeTotal: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(page.Total, "vehicles")
	fmt.Println(srv.CountRequests(http.MethodGet, "/vehicles"), "requests, the first", srv.Requests()[0].Status)
	// Output:
	// 2 vehicles
	// 2 requests, the first 503
}

// FailNext scripts the faults a retrying client must get through.
func ExampleServer_FailNext() {
	srv := mycartrackstest.NewServer()
	defer srv.Close()
	tok := fetchToken(srv, "read")

	srv.FailNext(mycartrackstest.FaultUnavailable, mycartrackstest.FaultBadGateway)
	for range 3 {
		res, _ := getWithToken(srv, tok, "/vehicles")
		fmt.Println(res.StatusCode)
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Path, r.Status, r.Fault)
	}
	// Output:
	// 503
	// 502
	// 200
	// GET /vehicles 503 503
	// GET /vehicles 502 502
	// GET /vehicles 200 none
}

// With a small budget the server answers 403 once it is spent, as MyCarTracks does.
func ExampleWithBudget() {
	srv := mycartrackstest.NewServer(mycartrackstest.WithBudget(2, time.Minute))
	defer srv.Close()
	tok := fetchToken(srv, "read")

	for range 3 {
		res, body := getWithToken(srv, tok, "/vehicles?limit=1&fields=id")
		fmt.Println(res.StatusCode, res.Header.Get("X-Rate-Limit-Limit"), res.Header.Get("X-Rate-Limit-Remaining"), body)
	}
	// Output:
	// 200 2 1 {"data":[{"id":1001}]}
	// 200 2 0 {"data":[{"id":1001}]}
	// 403 2 0 {"error":"rate_limit_exceeded","message":"Rate limit exceeded, retry after the reset window"}
}
