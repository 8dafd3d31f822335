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
	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// epoch is the time of every test's clock.
var epoch = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

// fake is the fake Smartcar server and a client of it sharing one manual clock.
type fake struct {
	srv    *smartcartest.Server
	client *smartcar.Client
	clock  *clocktest.Clock
}

func newFake(t *testing.T, serverOpts []smartcartest.Option, clientOpts ...smartcar.Option) *fake {
	t.Helper()
	f := &fake{clock: clocktest.New(epoch)}
	f.srv = smartcartest.NewServer(append([]smartcartest.Option{smartcartest.WithClock(f.clock)}, serverOpts...)...)
	t.Cleanup(f.srv.Close)
	f.client = f.newClient(t, clientOpts...)
	return f
}

// newClient returns another client of the fake server; it is closed with the test.
func (f *fake) newClient(t *testing.T, opts ...smartcar.Option) *smartcar.Client {
	t.Helper()
	c, err := f.srv.NewClient(opts...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// readFixture reads testdata/smartcar/name.
func readFixture(t testing.TB, name string) []byte {
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

// scripted is a loopback Smartcar whose API handlers each test writes: for the answers
// the fake server does not give (recorded fixtures, odd error bodies). The Vehicle API is
// under /v3, the Management API under /mgmt/v3 and the token endpoint at /oauth2/token;
// a request outside those fails the test.
type scripted struct {
	t      *testing.T
	oauth  *fakeoauth.Server
	srv    *httptest.Server
	mux    *http.ServeMux
	clock  *clocktest.Clock
	client *smartcar.Client
}

const (
	clientID     = "client_fixture"
	clientSecret = "fixture-secret-value-7"
)

func newScripted(t *testing.T, opts ...smartcar.Option) *scripted {
	t.Helper()
	f := &scripted{t: t, mux: http.NewServeMux(), clock: clocktest.New(epoch)}
	f.oauth = fakeoauth.New(fakeoauth.Config{ClientID: clientID, ClientSecret: clientSecret, Auth: fakeoauth.AuthBody, Now: f.clock.Now})
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
	f.client, err = smartcar.NewClient(clientID, clientSecret, append([]smartcar.Option{
		smartcar.WithVehicleAPIURL(f.srv.URL + "/v3"),
		smartcar.WithManagementAPIURL(f.srv.URL + "/mgmt/v3"),
		smartcar.WithTokenURL(f.srv.URL + "/oauth2/token"),
		smartcar.WithClock(f.clock),
	}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(f.client.Close)
	return f
}

// serve answers pattern ("GET /v3/vehicles") with a file of testdata/smartcar, status
// and headers (name, value, ...), after checking the token.
func (f *scripted) serve(pattern string, status int, file string, headers ...string) {
	f.t.Helper()
	f.handle(pattern, testkit.Reply(status, readFixture(f.t, file), headers...))
}

// handle registers a handler behind a token check.
func (f *scripted) handle(pattern string, h http.HandlerFunc) {
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
