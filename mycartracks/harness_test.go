package mycartracks_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

const (
	clientID     = "client-7.mycartracks.com"
	clientSecret = "very-secret-client-secret-42"
	basePath     = "/services/rest/v3"
)

var epoch = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// scripted is a loopback MyCarTracks whose API handlers each test writes: for the
// answers the fake server does not give (odd error bodies, inconsistent totals). The API
// is mounted under the production base path; a request outside it fails the test.
type scripted struct {
	t        *testing.T
	oauth    *fakeoauth.Server
	srv      *httptest.Server
	mux      *http.ServeMux
	clock    *clocktest.Clock
	requests atomic.Int32
	client   *mycartracks.Client

	mu      sync.Mutex
	queries map[string][]string // "GET /path" -> raw queries seen
}

func newScripted(t *testing.T, opts ...mycartracks.Option) *scripted {
	t.Helper()
	s := &scripted{t: t, mux: http.NewServeMux(), clock: clocktest.New(epoch), queries: map[string][]string{}}
	s.oauth = fakeoauth.New(fakeoauth.Config{ClientID: clientID, ClientSecret: clientSecret, Auth: fakeoauth.AuthBasic,
		AllowedScopes: []string{"read", "write"}, Now: s.clock.Now})
	root := http.NewServeMux()
	root.Handle("/oauth/token", s.oauth)
	root.HandleFunc(basePath+"/", func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		key := r.Method + " " + r.URL.Path[len(basePath):]
		s.queries[key] = append(s.queries[key], r.URL.RawQuery)
		s.mu.Unlock()
		if _, ok := s.oauth.Authenticate(r); !ok {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "token expired or revoked"})
			return
		}
		w.Header().Set("X-Request-Id", "req-1")
		w.Header().Set("X-Rate-Limit-Limit", "150")
		w.Header().Set("X-Rate-Limit-Remaining", "149")
		w.Header().Set("X-Rate-Limit-Reset", "900")
		s.mux.ServeHTTP(w, r)
	})
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base path: %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	s.srv = httptest.NewServer(root)
	t.Cleanup(s.srv.Close)
	s.client = s.newClient(opts...)
	return s
}

// newClient returns another client of the server; it is closed with the test.
func (s *scripted) newClient(opts ...mycartracks.Option) *mycartracks.Client {
	s.t.Helper()
	base := []mycartracks.Option{
		mycartracks.WithBaseURL(s.srv.URL + basePath),
		mycartracks.WithTokenURL(s.srv.URL + "/oauth/token"),
		mycartracks.WithClock(s.clock),
		mycartracks.WithHTTPClient(s.srv.Client()),
	}
	c, err := mycartracks.NewClient(clientID, clientSecret, append(base, opts...)...)
	require.NoError(s.t, err)
	s.t.Cleanup(c.Close)
	return c
}

// handle serves pattern ("GET /vehicles") under the base path.
func (s *scripted) handle(pattern string, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	s.mux.HandleFunc(method+" "+basePath+path, h)
}

// serve answers pattern ("GET /vehicles") with a file of testdata/mycartracks, status
// and headers (name, value, ...).
func (s *scripted) serve(pattern string, status int, file string, headers ...string) {
	s.t.Helper()
	s.handle(pattern, testkit.Reply(status, readFixture(s.t, file), headers...))
}

func (s *scripted) seen(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries[key]...)
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/mycartracks/" + name)
	require.NoError(t, err)
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// newLoopback serves h on a loopback address for the test and returns its URL.
func newLoopback(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
