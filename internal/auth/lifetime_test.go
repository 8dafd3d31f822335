package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/auth"
	"github.com/fleetkit/fleetkit-go/internal/redact/redacttest"
	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// tokenEndpoint is a loopback token endpoint answering every grant with body, in which
// %d is replaced by the number of the grant.
func tokenEndpoint(t *testing.T, contentType, body string) (url string, grants *atomic.Int32) {
	grants = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := grants.Add(1)
		w.Header().Set("Content-Type", contentType)
		_, _ = fmt.Fprintf(w, body, n)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, grants
}

// Every expires_in gives a token that is used, and renewed after a bounded time: never
// one taken as valid for ever, never one refused for its lifetime.
func TestTokenLifetimes(t *testing.T) {
	for _, tc := range []struct {
		name        string
		contentType string
		expiresIn   string // the JSON value, or the form value
		lifetime    time.Duration
	}{
		{"integer", "application/json", `3600`, time.Hour},
		{"fractional", "application/json", `3599.5`, 3599500 * time.Millisecond},
		{"string", "application/json", `"1800"`, 30 * time.Minute},
		{"fractional string", "application/json", `"59.25"`, 59250 * time.Millisecond},
		{"exponent", "application/json", `3.6e3`, time.Hour},
		{"missing", "application/json", ``, auth.DefaultLifetime},
		{"null", "application/json", `null`, auth.DefaultLifetime},
		{"zero", "application/json", `0`, auth.DefaultLifetime},
		{"negative", "application/json", `-5`, auth.DefaultLifetime},
		{"garbage", "application/json", `"soon"`, auth.DefaultLifetime},
		{"object", "application/json", `{"s":1}`, auth.DefaultLifetime},
		{"huge", "application/json", `1e12`, auth.MaxLifetime},
		{"overflowing int64", "application/json", `92233720368547758070`, auth.MaxLifetime},
		{"beyond float64", "application/json", `1e400`, auth.MaxLifetime},
		{"form", "application/x-www-form-urlencoded", `7200`, 2 * time.Hour},
		{"form fractional", "application/x-www-form-urlencoded", `0.5`, 500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body string
			switch {
			case strings.HasPrefix(tc.contentType, "application/x-www-form"):
				body = "access_token=tok-%d&token_type=bearer&expires_in=" + tc.expiresIn
			case tc.expiresIn == "":
				body = `{"access_token":"tok-%d","token_type":"bearer"}`
			default:
				body = `{"access_token":"tok-%d","token_type":"bearer","expires_in":` + tc.expiresIn + `}`
			}
			url, grants := tokenEndpoint(t, tc.contentType, body)
			clock := clocktest.New(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
			s, err := auth.New(auth.Config{Provider: "test", ClientID: clientID, ClientSecret: clientSecret, TokenURL: url, Clock: clock})
			require.NoError(t, err)
			defer s.Close()

			tok, err := s.Token(context.Background())
			require.NoError(t, err, "the token is usable")
			assert.Equal(t, "tok-1", tok.AccessToken)
			assert.Equal(t, clock.Now().Add(tc.lifetime), tok.Expiry)
			renewAt := tc.lifetime - min(auth.DefaultExpiryMargin, tc.lifetime/4)

			clock.Advance(renewAt - time.Millisecond/10)
			tok, err = s.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "tok-1", tok.AccessToken, "kept until the margin before its expiry")
			clock.Advance(time.Millisecond / 10)
			tok, err = s.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "tok-2", tok.AccessToken, "renewed then")
			assert.EqualValues(t, 2, grants.Load())
		})
	}
}

// A token endpoint that echoes the secret, the Basic credentials or a token in any
// encoding never gets one into the AuthError, its formatted forms or the log.
func TestAuthErrorNeverCarriesTheSecret(t *testing.T) {
	const oddSecret = "s3cr+t/with<odd>&chars= é"
	const oddID = "client 7/fleet@example.com"
	for _, style := range []auth.Style{auth.InHeader, auth.InBody} {
		for name := range redacttest.Forms(oddSecret) {
			t.Run(map[auth.Style]string{auth.InHeader: "basic ", auth.InBody: "body "}[style]+name, func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					echo := func(s string) string { return redacttest.Forms(s)[name] }
					_ = r.ParseForm()
					sent := r.PostForm.Get("client_secret")
					if _, basic, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok {
						sent = basic
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusUnauthorized)
					_, _ = fmt.Fprintf(w, `{"error":"invalid_client %s","error_description":"secret %s, basic %s, sent %s"}`,
						echo(oddSecret), echo(oddSecret), echo(redacttest.BasicForms(oddID, oddSecret)[1]), echo(sent))
				}))
				defer srv.Close()
				logger, logBuf := testkit.DebugLogger()
				s, err := auth.New(auth.Config{Provider: "test", ClientID: oddID, ClientSecret: oddSecret, TokenURL: srv.URL, Style: style,
					Logger: logger})
				require.NoError(t, err)
				defer s.Close()
				_, err = s.Token(context.Background())
				var aerr *telematics.AuthError
				require.ErrorAs(t, err, &aerr)
				assert.True(t, aerr.Permanent)
				assert.Equal(t, "secret REDACTED, basic REDACTED, sent REDACTED", aerr.Description)
				texts := testkit.ErrorTexts(err)
				texts["Code"], texts["Description"], texts["log"] = aerr.Code, aerr.Description, logBuf.String()
				testkit.AssertNoSecrets(t, texts, oddID, oddSecret)
			})
		}
	}
}

// A description longer than the clip that ends in the secret loses the whole secret,
// not all but its tail.
func TestLongDescriptionIsRedactedBeforeClipped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"error":"invalid_client","error_description":"%s%s"}`, strings.Repeat("x", 190), clientSecret)
	}))
	defer srv.Close()
	s, err := auth.New(auth.Config{Provider: "test", ClientID: clientID, ClientSecret: clientSecret, TokenURL: srv.URL})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Token(context.Background())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), clientSecret[:8])
}
