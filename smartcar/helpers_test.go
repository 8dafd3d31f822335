package smartcar_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start is the time of every test's clock.
var start = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

// env is a client wired to a fake Smartcar sharing a manual clock.
type env struct {
	clock  *clocktest.Clock
	fake   *smartcartest.Server
	client *smartcar.Client
}

func newEnv(t *testing.T, fakeOpts []smartcartest.Option, opts ...smartcar.Option) *env {
	t.Helper()
	clock := clocktest.New(start)
	fake := smartcartest.NewServer(append([]smartcartest.Option{smartcartest.WithClock(clock)}, fakeOpts...)...)
	t.Cleanup(fake.Close)
	client, err := fake.NewClient(append([]smartcar.Option{smartcar.WithClock(clock)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(client.Close)
	return &env{clock: clock, fake: fake, client: client}
}

// fixture reads testdata/smartcar/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "smartcar", name))
	require.NoError(t, err)
	return b
}

// compact re-encodes JSON without insignificant space, for comparisons.
func compact(t testing.TB, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, b))
	return buf.String()
}

func alice() smartcar.RequestOption { return smartcar.WithUserID(smartcartest.UserAlice) }
func bob() smartcar.RequestOption   { return smartcar.WithUserID(smartcartest.UserBob) }

// fixtureEnv is a loopback Smartcar whose routes the test registers on mux: the Vehicle
// API under /v3, the Management API under /mgmt/v3 and the token endpoint at
// /oauth2/token. Requests outside those fail the test.
type fixtureEnv struct {
	mux    *http.ServeMux
	oauth  *fakeoauth.Server
	srv    *httptest.Server
	client *smartcar.Client
	clock  *clocktest.Clock
}

const (
	fixtureClientID     = "client_fixture"
	fixtureClientSecret = "fixture-secret-value-7"
)

func newFixtureEnv(t *testing.T, opts ...smartcar.Option) *fixtureEnv {
	t.Helper()
	f := &fixtureEnv{mux: http.NewServeMux(), clock: clocktest.New(start)}
	f.oauth = fakeoauth.New(fakeoauth.Config{ClientID: fixtureClientID, ClientSecret: fixtureClientSecret, Auth: fakeoauth.AuthBody, Now: f.clock.Now})
	root := http.NewServeMux()
	root.Handle("/oauth2/token", f.oauth)
	root.Handle("/v3/", f.mux)
	root.Handle("/mgmt/v3/", f.mux)
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the API roots: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	f.srv = httptest.NewServer(root)
	t.Cleanup(f.srv.Close)
	var err error
	f.client, err = smartcar.NewClient(fixtureClientID, fixtureClientSecret, append([]smartcar.Option{
		smartcar.WithVehicleAPIURL(f.srv.URL + "/v3"),
		smartcar.WithManagementAPIURL(f.srv.URL + "/mgmt/v3"),
		smartcar.WithTokenURL(f.srv.URL + "/oauth2/token"),
		smartcar.WithClock(f.clock),
	}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(f.client.Close)
	return f
}

// serve answers pattern with a fixture file and status, after checking the token.
func (f *fixtureEnv) serve(t *testing.T, pattern string, status int, file string, headers ...string) {
	t.Helper()
	body := fixture(t, file)
	f.handle(pattern, func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

// handle registers a handler behind a token check.
func (f *fixtureEnv) handle(pattern string, h http.HandlerFunc) {
	f.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if _, ok := f.oauth.Authenticate(r); !ok {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":[{"status":"401","type":"AUTHENTICATION","title":"Unauthorized"}]}`))
			return
		}
		h(w, r)
	})
}

func ms(n int64) time.Time { return time.UnixMilli(n).UTC() }

func date(y int, m time.Month, d, hh, mm, ss, milli int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, milli*int(time.Millisecond), time.UTC)
}

func ptr[T any](v T) *T { return &v }
