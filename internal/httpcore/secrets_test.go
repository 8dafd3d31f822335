package httpcore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/auth"
	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/internal/redact"
	"github.com/fleetkit/fleetkit-go/internal/redact/redacttest"
	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// Secrets with the characters JSON, URL and HTML encodings change.
const (
	oddSecret  = "s3cr+t/with<odd>&chars= é"
	oddToken   = "tok/en+with<odd>chars=="
	oddRefresh = "refresh/token+<odd>"
)

// A server that echoes the token, the refresh token, the client secret and the Basic
// credentials in every encoding never gets one of them into an error, its formatted
// forms, the provider error's fields or the log.
func TestSecretsInEveryEncodingNeverLeak(t *testing.T) {
	logger, logBuf := testkit.DebugLogger()
	clock := clocktest.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	var form atomic.Value
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"access_token":%q,"refresh_token":%q,"token_type":"bearer","expires_in":3600}`, oddToken, oddRefresh)
	})
	mux.HandleFunc("GET /api/v3/vehicles", func(w http.ResponseWriter, r *http.Request) {
		// The echo is written as the server would: the encoded text as is.
		name := form.Load().(string)
		echo := func(s string) string { return redacttest.Forms(s)[name] }
		_, sent, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"error":"bad %s","message":"refused %s; refresh %s; client secret %s; basic %s; from %s"}`,
			echo(oddToken), echo(oddToken), echo(oddRefresh), echo(oddSecret),
			echo(redacttest.BasicForms(clientID, oddSecret)[0]), echo(sent))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	red := redact.New(clientID, oddSecret)
	tokens, err := auth.New(auth.Config{Provider: "testprov", ClientID: clientID, ClientSecret: oddSecret,
		TokenURL: srv.URL + "/oauth/token", Clock: clock, Logger: logger, Redactor: red})
	require.NoError(t, err)
	defer tokens.Close()
	client, err := httpcore.New(httpcore.Config{Provider: "testprov", BaseURL: srv.URL + basePath, Tokens: tokens,
		Clock: clock, Logger: logger, DecodeError: decodeTestError, Redactor: red})
	require.NoError(t, err)
	defer client.Close()

	for name := range redacttest.Forms(oddToken) {
		t.Run(name, func(t *testing.T) {
			form.Store(name)
			logBuf.Reset()
			_, err := client.Do(context.Background(), &httpcore.Request{Path: "/vehicles"}, nil)
			require.Error(t, err)
			var apiErr *testAPIError
			require.ErrorAs(t, err, &apiErr)
			require.Contains(t, apiErr.Message, "refused REDACTED; refresh REDACTED; client secret REDACTED; basic REDACTED")
			texts := testkit.ErrorTexts(err)
			texts["message"], texts["code"], texts["log"] = apiErr.Message, apiErr.Code, logBuf.String()
			testkit.AssertNoSecrets(t, texts, clientID, oddSecret, oddToken, oddRefresh)
		})
	}
}
