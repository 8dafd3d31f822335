package smartcar_test

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
	"github.com/fleetkit/fleetkit-go/smartcar"
)

// A server echoing the token or the client secret in any encoding never gets one into
// the APIError, its Body or its formatted forms.
func TestEchoedSecretsInEveryEncoding(t *testing.T) {
	f := newScripted(t)
	var form, token string
	f.handle("GET /v3/vehicles/{id}", func(w http.ResponseWriter, r *http.Request) {
		echo := func(v string) string { return redacttest.Forms(v)[form] }
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"errors":[{"status":"400","type":"VALIDATION","code":"x","detail":"token %s, secret %s"}]}`,
			echo(token), echo(clientSecret))
	})
	for form = range redacttest.Forms(clientSecret) {
		_, err := f.client.Vehicles.Get(context.Background(), "v")
		var apiErr *smartcar.APIError
		require.ErrorAs(t, err, &apiErr, form)
		assert.Contains(t, string(apiErr.Body), "token REDACTED, secret REDACTED", form)
		texts := testkit.ErrorTexts(err)
		texts["Body"] = string(apiErr.Body)
		testkit.AssertNoSecrets(t, texts, clientID, clientSecret, token)
	}
}
