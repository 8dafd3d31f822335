package main

import (
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
)

// TestProgramServesUntilInterrupted runs the dashboard as a process with no environment
// at all: it serves the page on the simulated fleet until SIGINT, then exits 0.
func TestProgramServesUntilInterrupted(t *testing.T) {
	p := clitest.Start(t, "-addr", "127.0.0.1:0")
	url := p.WaitFor(t, regexp.MustCompile(`dashboard at (http://\S+/)`))[1]
	res, err := http.Get(url)
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(body), "<html")
	http.DefaultClient.CloseIdleConnections()

	p.Interrupt(t)
	assert.Equal(t, 0, p.Wait(t), p.Stderr())
}
