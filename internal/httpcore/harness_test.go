package httpcore_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/internal/auth"
	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	clientID     = "client-7.mycartracks.com"
	clientSecret = "very-secret-client-secret-42"
	basePath     = "/api/v3"
)

// harness is a loopback provider: a token endpoint and an API mounted under a non-root
// base path. Requests that miss the base path fail the test (absolute-URL bugs).
type harness struct {
	t      *testing.T
	oauth  *fakeoauth.Server
	srv    *httptest.Server
	mux    *http.ServeMux
	clock  *clocktest.Clock
	tokens *auth.Source
	client *httpcore.Client
}

type option func(*harness, *httpcore.Config, *auth.Config)

// withClock replaces the harness's manual clock in the client and the token source; the
// token endpoint keeps the manual one.
func withClock(clock telematics.Clock) option {
	return func(h *harness, c *httpcore.Config, a *auth.Config) {
		c.Clock, a.Clock = clock, clock
	}
}

func withConfig(f func(*httpcore.Config)) option {
	return func(_ *harness, c *httpcore.Config, _ *auth.Config) { f(c) }
}

func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	h := &harness{t: t, mux: http.NewServeMux(), clock: clocktest.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))}
	h.oauth = fakeoauth.New(fakeoauth.Config{ClientID: clientID, ClientSecret: clientSecret, Auth: fakeoauth.AuthBasic,
		AllowedScopes: []string{"read", "write"}, Now: func() time.Time { return h.clock.Now() }})
	root := http.NewServeMux()
	root.Handle("/oauth/token", h.oauth)
	root.Handle(basePath+"/", h.mux)
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base path: %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	h.srv = httptest.NewServer(root)
	t.Cleanup(h.srv.Close)

	cfg := httpcore.Config{
		Provider:    "testprov",
		BaseURL:     h.srv.URL + basePath,
		Clock:       h.clock,
		DecodeError: decodeTestError,
	}
	acfg := auth.Config{
		Provider: "testprov", ClientID: clientID, ClientSecret: clientSecret,
		TokenURL: h.srv.URL + "/oauth/token", Scopes: []string{"read"}, Clock: h.clock,
	}
	for _, o := range opts {
		o(h, &cfg, &acfg)
	}
	var err error
	h.tokens, err = auth.New(acfg)
	require.NoError(t, err)
	t.Cleanup(h.tokens.Close)
	cfg.Tokens = h.tokens
	h.client, err = httpcore.New(cfg)
	require.NoError(t, err)
	t.Cleanup(h.client.Close)
	return h
}

// authed answers 401 unless the request carries a valid token.
func (h *harness) authed(w http.ResponseWriter, r *http.Request) bool {
	if _, ok := h.oauth.Authenticate(r); !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// testAPIError is the provider error the harness's decoder builds, shaped like the ones
// provider packages define.
type testAPIError struct {
	Status  int
	Code    string
	Message string
	Resp    *telematics.Response
}

func (e *testAPIError) Error() string {
	return fmt.Sprintf("testprov: %s %s: %s: %s", e.Resp.Method, e.Resp.URL, httpcore.StatusText(e.Status), e.Message)
}

func (e *testAPIError) Is(target error) bool {
	if e.Status == http.StatusForbidden && e.Resp.Rate.Remaining == 0 {
		return target == telematics.ErrRateLimited
	}
	return target == telematics.SentinelForStatus(e.Status)
}

func decodeTestError(resp *telematics.Response, body []byte) error {
	e := &testAPIError{Status: resp.StatusCode, Resp: resp}
	var b struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &b) == nil {
		e.Code, e.Message = b.Error, b.Message
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 200 {
			e.Message = e.Message[:200]
		}
	}
	return e
}
