package mycartrackstest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

func TestTokenEndpoint(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithTokenLifetime(20*time.Minute))
	grant := url.Values{"grant_type": {"client_credentials"}}
	withScope := func(scope string) url.Values {
		v := url.Values{"grant_type": {"client_credentials"}}
		if scope != "" {
			v.Set("scope", scope)
		}
		return v
	}
	tests := []struct {
		name       string
		id, secret string
		form       url.Values
		status     int
		errCode    string
		scope      string
	}{
		{"read", srv.ClientID, srv.ClientSecret, withScope("read"), 200, "", "read"},
		{"read write", srv.ClientID, srv.ClientSecret, withScope("read write"), 200, "", "read write"},
		{"no scope means read", srv.ClientID, srv.ClientSecret, withScope(""), 200, "", "read"},
		{"wrong secret", srv.ClientID, "nope", withScope("read"), 401, "invalid_client", ""},
		{"unknown client", "someone", srv.ClientSecret, withScope("read"), 401, "invalid_client", ""},
		{"credentials in the body are refused", "", "", url.Values{
			"grant_type": {"client_credentials"}, "scope": {"read"},
			"client_id": {srv.ClientID}, "client_secret": {srv.ClientSecret},
		}, 401, "invalid_client", ""},
		{"other grant type", srv.ClientID, srv.ClientSecret, url.Values{"grant_type": {"password"}}, 400, "unsupported_grant_type", ""},
		{"unknown scope", srv.ClientID, srv.ClientSecret, withScope("admin"), 400, "invalid_scope", ""},
		{"grant only", srv.ClientID, srv.ClientSecret, grant, 200, "", "read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := requestToken(t, srv, tt.id, tt.secret, tt.form)
			require.Equal(t, tt.status, tr.status, "%v", tr.body)
			if tt.errCode != "" {
				assert.Equal(t, tt.errCode, tr.body["error"])
				return
			}
			assert.Equal(t, tt.scope, tr.body["scope"])
			assert.Equal(t, "bearer", tr.body["token_type"])
			assert.EqualValues(t, 1200, tr.body["expires_in"])
			assert.NotEmpty(t, tr.body["access_token"])
		})
	}
}

func TestTokenScopesLimitedByCredentials(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithAllowedScopes("read"))
	tr := requestToken(t, srv, srv.ClientID, srv.ClientSecret,
		url.Values{"grant_type": {"client_credentials"}, "scope": {"read write"}})
	require.Equal(t, http.StatusBadRequest, tr.status)
	assert.Equal(t, "invalid_scope", tr.body["error"])
	assert.NotEmpty(t, token(t, srv, "read"))
}

func TestCustomCredentials(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithCredentials("my-id", "my-secret"))
	assert.Equal(t, "my-id", srv.ClientID)
	assert.Equal(t, "my-secret", srv.ClientSecret)
	assert.NotEmpty(t, token(t, srv, "read"))
}

func TestAPIRequiresAValidToken(t *testing.T) {
	srv, clock := newClockedServer(t, mycartrackstest.WithTokenLifetime(10*time.Minute))
	tok := token(t, srv, "read")
	require.Equal(t, http.StatusOK, get(t, srv, tok, "/vehicles").status)

	unauthorized := func(t *testing.T, res result, tok string) {
		t.Helper()
		require.Equal(t, http.StatusUnauthorized, res.status)
		assert.Equal(t, `Bearer error="invalid_token"`, res.header.Get("WWW-Authenticate"))
		assert.Equal(t, "invalid_token", res.apiError(t).Error)
		assert.NotEmpty(t, res.apiError(t).Description)
		assert.NotEmpty(t, res.header.Get("X-Rate-Limit-Remaining"), "401s carry the budget headers")
		assert.NotEmpty(t, res.header.Get("X-Request-Id"))
		if tok != "" {
			assert.NotContains(t, string(res.body), tok, "the token must not be echoed")
		}
	}
	t.Run("missing", func(t *testing.T) { unauthorized(t, get(t, srv, "", "/vehicles"), "") })
	t.Run("unknown", func(t *testing.T) { unauthorized(t, get(t, srv, "fk_forged", "/vehicles"), "fk_forged") })
	t.Run("not bearer", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, srv.BaseURL+"/vehicles", nil)
		require.NoError(t, err)
		req.SetBasicAuth(srv.ClientID, srv.ClientSecret)
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	})
	t.Run("expired", func(t *testing.T) {
		clock.Advance(10*time.Minute - time.Second)
		require.Equal(t, http.StatusOK, get(t, srv, tok, "/vehicles").status)
		clock.Advance(time.Second)
		unauthorized(t, get(t, srv, tok, "/vehicles"), tok)
	})
	t.Run("revoked", func(t *testing.T) {
		fresh := token(t, srv, "read")
		require.Equal(t, http.StatusOK, get(t, srv, fresh, "/vehicles").status)
		srv.RevokeTokens()
		unauthorized(t, get(t, srv, fresh, "/vehicles"), fresh)
		assert.Equal(t, http.StatusOK, get(t, srv, token(t, srv, "read"), "/vehicles").status)
	})
	st := srv.Stats()
	assert.Equal(t, 5, st.Unauthorized)
	assert.Equal(t, 3, st.Grants)
}

func TestFailTokenRequests(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithFaults(mycartrackstest.Faults{ServerErrors: 1}))
	srv.FailTokenRequests(http.StatusServiceUnavailable, http.StatusBadGateway)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
	assert.Equal(t, http.StatusServiceUnavailable, requestToken(t, srv, srv.ClientID, srv.ClientSecret, form).status)
	assert.Equal(t, http.StatusBadGateway, requestToken(t, srv, srv.ClientID, srv.ClientSecret, form).status)
	// Random faults never touch the token endpoint, even at a share of 1.
	for range 5 {
		assert.NotEmpty(t, token(t, srv, "read"))
	}
	assert.Equal(t, 7, srv.Stats().TokenRequests)
	assert.Equal(t, 5, srv.Grants())
}

func TestSecretsStayOutOfTheServer(t *testing.T) {
	srv := newServer(t)
	tok := token(t, srv, "read")
	get(t, srv, tok, "/vehicles")
	get(t, srv, tok+"x", "/vehicles")
	assert.NotContains(t, srv.String(), srv.ClientSecret)
	for _, r := range srv.Requests() {
		assert.Empty(t, r.Header.Get("Authorization"))
		for _, vs := range r.Header {
			for _, v := range vs {
				assert.NotContains(t, v, tok)
			}
		}
		assert.False(t, strings.Contains(r.Query.Encode(), tok))
	}
}
