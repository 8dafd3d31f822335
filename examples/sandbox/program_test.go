package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
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
