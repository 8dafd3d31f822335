package main

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
)

// TestProgramUntilInterrupted runs the example as a process with no environment at all
// and -duration 0 (until Ctrl-C): it follows the simulated fleet until SIGINT, then
// exits 0.
func TestProgramUntilInterrupted(t *testing.T) {
	p := clitest.Start(t, "-duration", "0")
	p.WaitFor(t, regexp.MustCompile(`(?m)^resync\s+vehicle 1001`))
	p.Interrupt(t)
	assert.Equal(t, 0, p.Wait(t), p.Stderr())
	assert.Contains(t, p.Stderr(), "MYCARTRACKS_CLIENT_ID is not set")
}
