package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
)

// TestMain runs the example itself when a test starts it as a process (clitest.Start).
func TestMain(m *testing.M) {
	clitest.Main(main)
	goleak.VerifyTestMain(m)
}

func TestRunOnceSimulated(t *testing.T) {
	t.Setenv(EnvManagementToken, "")
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-once"}, &out, &errOut))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Contains(t, lines[0], "simulated")
	assert.Equal(t, "VERIFY answered with the right hash", lines[1])
	assert.Contains(t, out.String(), "VEHICLE_STATE LIVE vehicle 36ab27d0-8f3e-4c55-a2a1-7d0e8b1c2a01")
	assert.Contains(t, out.String(), "TESLA Model 3 2023, 21 signals, charge 72 percent, at 37.77490,-122.41940")
	assert.Contains(t, out.String(), "VEHICLE_ERROR LIVE vehicle 5e8f2a1b-6c3d-4e7f-9a0b-1c2d3e4f5a03")
	assert.Contains(t, out.String(), "ERROR VEHICLE_STATE:ASLEEP")
	assert.Equal(t, "done: 6 events delivered, 1 duplicate acknowledged, 1 challenge answered", lines[len(lines)-1])
	assert.Equal(t, 6, strings.Count(out.String(), " event "), "the duplicate is logged once")
}

func TestRunHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &out, &errOut)
	assert.True(t, errors.Is(err, flag.ErrHelp))
	assert.Empty(t, out.String())
	assert.True(t, strings.HasPrefix(errOut.String(), "smartcar-webhook: receive Smartcar webhooks"))
	assert.Contains(t, errOut.String(), "usage: smartcar-webhook")
}

func TestRunBadFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Error(t, run(context.Background(), []string{"-bogus"}, &out, &errOut))
}
