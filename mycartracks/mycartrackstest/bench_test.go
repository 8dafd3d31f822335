package mycartrackstest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

const benchPage = 10_000

// BenchmarkTrackpointsPage serves a 10,000-point page over loopback: the points are
// computed and written per request.
func BenchmarkTrackpointsPage(b *testing.B) {
	srv := newServer(b, mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(1),
		mycartrackstest.WithPointsPerTrack(1_000_000), mycartrackstest.WithoutRateLimit())
	tok := token(b, srv, "read")
	url := srv.BaseURL + "/trackpoints/700001?offset=500000&limit=10000"
	benchmarkGET(b, srv.Client(), url, tok)
}

// BenchmarkTrackpointsPageBaseline serves the same page, precomputed, with a plain
// net/http handler and encoding/json.
func BenchmarkTrackpointsPageBaseline(b *testing.B) {
	fake := newServer(b, mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(1),
		mycartrackstest.WithPointsPerTrack(1_000_000))
	points := make([]pointJSON, benchPage)
	for i := range points {
		p, _ := fake.Trackpoint(700001, 500000+i)
		points[i] = wirePoint(p)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(struct {
			Data []pointJSON `json:"data"`
		}{points})
	}))
	defer srv.Close()
	benchmarkGET(b, srv.Client(), srv.URL, "")
}

func benchmarkGET(b *testing.B, client *http.Client, url, tok string) {
	b.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatal(res.StatusCode, err)
		}
		b.SetBytes(n)
	}
}
