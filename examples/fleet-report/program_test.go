package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
)

// TestProgramWithNoEnvironment runs the report as a process with no environment at all:
// both simulated fleets, exit status 0; with -json, a document a script can read.
func TestProgramWithNoEnvironment(t *testing.T) {
	code, stdout, stderr := clitest.Run(t)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "10 vehicles (merged)")
	assert.Contains(t, stderr, "MYCARTRACKS_CLIENT_ID is not set")

	code, stdout, stderr = clitest.Run(t, "-json", "-provider", "smartcar")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.True(t, json.Valid([]byte(stdout)), stdout)
}
