package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
)

// TestProgramWithNoEnvironment runs the quickstart as a process with no environment at
// all, as `go run ./examples/quickstart` on a fresh machine: both simulated fleets as
// one, live positions of both providers, exit status 0.
func TestProgramWithNoEnvironment(t *testing.T) {
	code, stdout, stderr := clitest.Run(t)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "fleetkit quickstart: one API over MyCarTracks and Smartcar")
	assert.Contains(t, stdout, "mycartracks:1001")
	assert.Contains(t, stdout, "smartcar:")
	assert.Contains(t, stdout, "SMARTCAR_CLIENT_ID", "it names the variables that switch it to the real APIs")
}
