package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
	"github.com/fleetkit/fleetkit-go/smartcar"
)

// TestProgramServesUntilInterrupted runs the sandbox as a process with no environment
// at all: it prints the exports, grants a token to the credentials it printed until
// SIGINT, then exits 0.
func TestProgramServesUntilInterrupted(t *testing.T) {
	p := clitest.Start(t)
	// stdout and stderr reach the test through pipes of their own: wait for the last
	// export line itself.
	p.WaitFor(t, regexp.MustCompile(`(?m)^export SMARTCAR_MANAGEMENT_API_ORIGIN=`))
	p.WaitFor(t, regexp.MustCompile(`Ctrl-C stops it`))
	exports := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^export (\w+)='([^']*)'$`).FindAllStringSubmatch(p.Stdout(), -1) {
		exports[m[1]] = m[2]
	}
	require.Contains(t, exports, "MYCARTRACKS_TOKEN_URL")
	req, err := http.NewRequest(http.MethodPost, exports["MYCARTRACKS_TOKEN_URL"],
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	require.NoError(t, err)
	req.SetBasicAuth(exports["MYCARTRACKS_CLIENT_ID"], exports["MYCARTRACKS_CLIENT_SECRET"])
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	assert.Equal(t, http.StatusOK, res.StatusCode)

	p.Interrupt(t)
	assert.Equal(t, 0, p.Wait(t), p.Stderr())
}

// TestProgramSendsSignedWebhooks runs the sandbox with -webhook against fleetkit's
// webhook receiver holding the token given with -management-token: the receiver
// verifies and accepts VERIFY and each vehicle's VEHICLE_STATE, the sandbox reports
// each on stderr, and exits 0 on SIGINT.
func TestProgramSendsSignedWebhooks(t *testing.T) {
	const token = "sandbox-dev-token-4f1c"
	h, err := smartcar.NewWebhookHandler(token)
	require.NoError(t, err)
	defer h.Close()
	var vehicles sync.Map
	h.HandleFunc(func(_ context.Context, ev smartcar.WebhookEvent) error {
		if st, ok := ev.(*smartcar.VehicleStateEvent); ok {
			vehicles.Store(st.Vehicle.ID, true)
		}
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	p := clitest.Start(t, "-webhook", srv.URL+"/smartcar/webhook", "-management-token", token, "-webhook-every", "1h")
	p.WaitFor(t, regexp.MustCompile(`webhook VERIFY: acknowledged \(200\)`))
	p.WaitFor(t, regexp.MustCompile(`(?s)(webhook VEHICLE_STATE vehicle \S+: acknowledged.*){5}`))
	p.WaitFor(t, regexp.MustCompile(`(?m)^export SMARTCAR_MANAGEMENT_TOKEN='`+token+`'$`))
	p.Interrupt(t)
	assert.Equal(t, 0, p.Wait(t), p.Stderr())
	st := h.Stats()
	assert.Equal(t, uint64(1), st.Challenges)
	assert.Equal(t, uint64(5), st.Delivered)
	assert.NotContains(t, p.Stderr(), "not acknowledged")
	n := 0
	vehicles.Range(func(any, any) bool { n++; return true })
	assert.Equal(t, 5, n, "a VEHICLE_STATE of each vehicle")
}
