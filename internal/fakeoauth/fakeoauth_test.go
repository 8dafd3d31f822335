package fakeoauth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
}

func post(t *testing.T, srv *httptest.Server, form url.Values, basic [2]string) (int, tokenResponse) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic[0] != "" {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var tr tokenResponse
	require.NoError(t, json.NewDecoder(res.Body).Decode(&tr))
	return res.StatusCode, tr
}

func TestGrantAndAuthenticate(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	o := fakeoauth.New(fakeoauth.Config{ClientID: "id", ClientSecret: "s e/cret", Auth: fakeoauth.AuthBasic,
		AllowedScopes: []string{"read", "write"}, DefaultScopes: []string{"read"}, Lifetime: time.Minute, Now: clock.Now})
	srv := httptest.NewServer(o)
	defer srv.Close()

	status, tr := post(t, srv, url.Values{"grant_type": {"client_credentials"}, "scope": {"read write"}}, [2]string{"id", "s e/cret"})
	require.Equal(t, 200, status)
	assert.Equal(t, "bearer", tr.TokenType)
	assert.Equal(t, 60, tr.ExpiresIn)
	assert.Equal(t, "read write", tr.Scope)
	assert.Equal(t, fakeoauth.AuthBasic, o.LastClientAuth())

	api := httptest.NewRequest(http.MethodGet, "/x", nil)
	api.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	g, ok := o.Authenticate(api)
	require.True(t, ok)
	assert.True(t, g.HasScope("write"))

	clock.Advance(time.Minute)
	_, ok = o.Authenticate(api)
	assert.False(t, ok, "expired")

	_, tr2 := post(t, srv, url.Values{"grant_type": {"client_credentials"}}, [2]string{"id", "s e/cret"})
	api.Header.Set("Authorization", "Bearer "+tr2.AccessToken)
	g, ok = o.Authenticate(api)
	require.True(t, ok)
	assert.Equal(t, []string{"read"}, g.Scopes, "default scopes")
	o.RevokeAll()
	_, ok = o.Authenticate(api)
	assert.False(t, ok, "revoked")
	assert.Equal(t, 2, o.Grants())
	assert.Contains(t, o.String(), "id")
	assert.NotContains(t, o.String(), "s e/cret")
}

func TestRefusals(t *testing.T) {
	o := fakeoauth.New(fakeoauth.Config{ClientID: "id", ClientSecret: "sec", Auth: fakeoauth.AuthBody, AllowedScopes: []string{"read"}})
	srv := httptest.NewServer(o)
	defer srv.Close()
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"sec"}}

	status, tr := post(t, srv, good, [2]string{})
	assert.Equal(t, 200, status)
	assert.Equal(t, fakeoauth.AuthBody, o.LastClientAuth())

	status, tr = post(t, srv, url.Values{"grant_type": {"client_credentials"}}, [2]string{"id", "sec"})
	assert.Equal(t, 401, status, "Basic refused when the body is required")
	assert.Equal(t, "invalid_client", tr.Error)

	bad := url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"nope"}}
	status, tr = post(t, srv, bad, [2]string{})
	assert.Equal(t, 401, status)
	assert.Equal(t, "invalid_client", tr.Error)

	scoped := url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"sec"}, "scope": {"read write"}}
	status, tr = post(t, srv, scoped, [2]string{})
	assert.Equal(t, 400, status)
	assert.Equal(t, "invalid_scope", tr.Error)

	grant := url.Values{"grant_type": {"password"}, "client_id": {"id"}, "client_secret": {"sec"}}
	status, tr = post(t, srv, grant, [2]string{})
	assert.Equal(t, 400, status)
	assert.Equal(t, "unsupported_grant_type", tr.Error)

	both := url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"sec"}}
	status, tr = post(t, srv, both, [2]string{"id", "sec"})
	assert.Equal(t, 400, status, "Basic and body credentials together")
	assert.Equal(t, "invalid_request", tr.Error)

	o.FailNext(502, 503)
	status, _ = post(t, srv, good, [2]string{})
	assert.Equal(t, 502, status)
	status, _ = post(t, srv, good, [2]string{})
	assert.Equal(t, 503, status)
	status, _ = post(t, srv, good, [2]string{})
	assert.Equal(t, 200, status)
	assert.Equal(t, 2, o.Grants())
	assert.Equal(t, 9, o.Requests())

	res, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)

	missing := httptest.NewRequest(http.MethodGet, "/x", nil)
	_, ok := o.Authenticate(missing)
	assert.False(t, ok)
}

// The request forms a client-credentials endpoint may receive, each from its own
// description: a form body, a JSON body (AcceptJSON), HTTP Basic.
func TestRequestForms(t *testing.T) {
	o := fakeoauth.New(fakeoauth.Config{ClientID: "client_x", ClientSecret: "sec", Auth: fakeoauth.AuthAny, TokenType: "Bearer", AcceptJSON: true})
	srv := httptest.NewServer(o)
	defer srv.Close()
	tests := []struct {
		name        string
		contentType string
		body        string
		basic       bool
		status      int
		errCode     string
		auth        fakeoauth.ClientAuth
	}{
		{name: "form body", status: 200, auth: fakeoauth.AuthBody,
			contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&client_id=client_x&client_secret=sec"},
		{name: "JSON body", status: 200, auth: fakeoauth.AuthBody,
			contentType: "application/json", body: `{"grant_type":"client_credentials","client_id":"client_x","client_secret":"sec"}`},
		{name: "JSON body with charset", status: 200, auth: fakeoauth.AuthBody,
			contentType: "application/json; charset=utf-8", body: `{"client_id":"client_x","client_secret":"sec","grant_type":"client_credentials"}`},
		{name: "HTTP Basic", status: 200, auth: fakeoauth.AuthBasic, basic: true,
			contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials"},
		{name: "missing grant_type (form)", status: 400, errCode: "invalid_request",
			contentType: "application/x-www-form-urlencoded", body: "client_id=client_x&client_secret=sec"},
		{name: "missing grant_type (JSON)", status: 400, errCode: "invalid_request",
			contentType: "application/json", body: `{"client_id":"client_x","client_secret":"sec"}`},
		{name: "empty grant_type", status: 400, errCode: "invalid_request",
			contentType: "application/json", body: `{"grant_type":"","client_id":"client_x","client_secret":"sec"}`},
		{name: "malformed JSON", status: 400, errCode: "invalid_request", contentType: "application/json", body: `{"grant_type":`},
		{name: "non-string JSON value", status: 400, errCode: "invalid_request", contentType: "application/json", body: `{"grant_type":1}`},
		{name: "wrong secret in JSON", status: 401, errCode: "invalid_client",
			contentType: "application/json", body: `{"grant_type":"client_credentials","client_id":"client_x","client_secret":"no"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(tc.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", tc.contentType)
			if tc.basic {
				req.SetBasicAuth("client_x", "sec")
			}
			res, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			var m map[string]any
			require.NoError(t, json.NewDecoder(res.Body).Decode(&m))
			require.Equal(t, tc.status, res.StatusCode, "%v", m)
			if tc.errCode != "" {
				assert.Equal(t, tc.errCode, m["error"])
				return
			}
			assert.Equal(t, "Bearer", m["token_type"])
			assert.EqualValues(t, 3600, m["expires_in"])
			assert.NotEmpty(t, m["access_token"])
			assert.NotContains(t, m, "scope", "no scope was asked for or configured")
			assert.Equal(t, tc.auth, o.LastClientAuth())
		})
	}
}

// Without AcceptJSON a JSON body is not read: its credentials count as missing.
func TestJSONBodyRefusedByDefault(t *testing.T) {
	o := fakeoauth.New(fakeoauth.Config{ClientID: "id", ClientSecret: "sec", Auth: fakeoauth.AuthBody})
	srv := httptest.NewServer(o)
	defer srv.Close()
	res, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(`{"grant_type":"client_credentials","client_id":"id","client_secret":"sec"}`))
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
}
