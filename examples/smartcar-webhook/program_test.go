package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
)

// TestProgramServesUntilInterrupted runs the receiver as a process with no environment
// at all: it plays the fake sender against itself, keeps serving (an unsigned delivery
// is refused), and exits 0 on SIGINT.
func TestProgramServesUntilInterrupted(t *testing.T) {
	p := clitest.Start(t)
	url := p.WaitFor(t, regexp.MustCompile(`delivers to (http://\S+) with a generated token`))[1]
	p.WaitFor(t, regexp.MustCompile(`(?m)^done: \d+ events delivered`))
	res, err := http.Post(url, "application/json", strings.NewReader(`{"eventType":"VEHICLE_STATE"}`))
	require.NoError(t, err)
	res.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	assert.NotEqual(t, http.StatusOK, res.StatusCode, "an unsigned delivery is refused")

	p.Interrupt(t)
	assert.Equal(t, 0, p.Wait(t), p.Stderr())
	assert.Contains(t, p.Stdout(), "VERIFY answered with the right hash")
}
