package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
)

// TestProgramWithNoEnvironment runs the example as a process with no environment at
// all: the fake Smartcar's first vehicle's signals, exit status 0.
func TestProgramWithNoEnvironment(t *testing.T) {
	code, stdout, stderr := clitest.Run(t)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "Using the built-in fake Smartcar")
	assert.Contains(t, stdout, "closure-islocked SUCCESS")
}
