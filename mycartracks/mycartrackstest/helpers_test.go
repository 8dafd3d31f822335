package mycartrackstest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// epoch is where the tests' manual clocks start.
var epoch = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

func newServer(t testing.TB, opts ...mycartrackstest.Option) *mycartrackstest.Server {
	t.Helper()
	srv := mycartrackstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// newClockedServer returns a server on a manual clock.
func newClockedServer(t testing.TB, opts ...mycartrackstest.Option) (*mycartrackstest.Server, *clocktest.Clock) {
	t.Helper()
	clock := clocktest.New(epoch)
	return newServer(t, append([]mycartrackstest.Option{mycartrackstest.WithClock(clock)}, opts...)...), clock
}

// tokenResponse is what the token endpoint answered.
type tokenResponse struct {
	status int
	body   map[string]any
}

// requestToken asks for a token the way the contract says: HTTP Basic credentials and a
// form body.
func requestToken(t testing.TB, srv *mycartrackstest.Server, id, secret string, form url.Values) tokenResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.TokenURL, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	tr := tokenResponse{status: res.StatusCode}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&tr.body))
	return tr
}

// token returns an access token with the given scope ("read", "read write").
func token(t testing.TB, srv *mycartrackstest.Server, scope string) string {
	t.Helper()
	tr := requestToken(t, srv, srv.ClientID, srv.ClientSecret,
		url.Values{"grant_type": {"client_credentials"}, "scope": {scope}})
	require.Equal(t, http.StatusOK, tr.status, "token request: %v", tr.body)
	return tr.body["access_token"].(string)
}

// result is one API answer.
type result struct {
	status int
	header http.Header
	body   []byte
}

// decode decodes the body into out, which it zeroes first: encoding/json would merge
// into the maps and slices of a value used for an earlier answer.
func (r result) decode(t testing.TB, out any) {
	t.Helper()
	reflect.ValueOf(out).Elem().SetZero()
	require.NoError(t, json.Unmarshal(r.body, out), "body: %s", r.body)
}

// errorBody is the API's error shape.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Message     string `json:"message"`
	Scope       string `json:"scope"`
	Errors      []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (r result) apiError(t testing.TB) errorBody {
	t.Helper()
	var e errorBody
	r.decode(t, &e)
	return e
}

// do sends one API request; path is relative to srv.BaseURL.
func do(t testing.TB, srv *mycartrackstest.Server, tok, method, path string, body any) result {
	t.Helper()
	var r io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			r = strings.NewReader(b)
		default:
			raw, err := json.Marshal(b)
			require.NoError(t, err)
			r = strings.NewReader(string(raw))
		}
	}
	req, err := http.NewRequest(method, srv.BaseURL+path, r)
	require.NoError(t, err)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return result{status: res.StatusCode, header: res.Header, body: raw}
}

func get(t testing.TB, srv *mycartrackstest.Server, tok, path string) result {
	t.Helper()
	return do(t, srv, tok, http.MethodGet, path, nil)
}

// getOK sends a GET that must succeed and decodes its body.
func getOK(t testing.TB, srv *mycartrackstest.Server, tok, path string, out any) result {
	t.Helper()
	res := get(t, srv, tok, path)
	require.Equal(t, http.StatusOK, res.status, "GET %s: %s", path, res.body)
	res.decode(t, out)
	return res
}

// page is a list answer with raw items.
type page struct {
	Data  []map[string]any `json:"data"`
	Total *int             `json:"total"`
}

// ids returns the "id" (or another id field) of every item.
func (p page) ids(field string) []int64 {
	out := make([]int64, len(p.Data))
	for i, item := range p.Data {
		out[i] = int64(item[field].(float64))
	}
	return out
}
