package mycartracks_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/redact/redacttest"
	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/mycartracks"
)

// A server echoing the token, the client secret or the Basic credentials in any
// encoding (JSON escapes, URL escapes, HTML references) never gets one into the
// APIError, its Body, its formatted forms or the log.
func TestEchoedSecretsInEveryEncoding(t *testing.T) {
	logger, logBuf := testkit.DebugLogger()
	s := newScripted(t, mycartracks.WithLogger(logger))
	var form string
	var token string
	s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
		echo := func(v string) string { return redacttest.Forms(v)[form] }
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"error":"bad_request","message":"token %s, secret %s, basic %s"}`,
			echo(token), echo(clientSecret), echo(redacttest.BasicForms(clientID, clientSecret)[0]))
	})
	for form = range redacttest.Forms(clientSecret) {
		logBuf.Reset()
		_, err := s.client.Vehicles.List(context.Background(), nil)
		var apiErr *mycartracks.APIError
		require.ErrorAs(t, err, &apiErr, form)
		assert.Equal(t, "token REDACTED, secret REDACTED, basic REDACTED", apiErr.Message, form)
		texts := testkit.ErrorTexts(err)
		texts["Body"], texts["Message"], texts["log"] = string(apiErr.Body), apiErr.Message, logBuf.String()
		testkit.AssertNoSecrets(t, texts, clientID, clientSecret, token)
	}
}
