package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// TestMain runs the example itself when a test starts it as a process (clitest.Start).
func TestMain(m *testing.M) {
	clitest.Main(main)
	goleak.VerifyTestMain(m)
}

func noCredentials(t *testing.T) {
	t.Setenv(mycartracks.EnvClientID, "")
	t.Setenv(smartcar.EnvClientID, "")
}

// TestBothSimulatedFleets: with no environment, the quickstart shows both simulated
// fleets as one, then live positions from both on one subscription, and names the
// variables that switch to the real APIs.
func TestBothSimulatedFleets(t *testing.T) {
	noCredentials(t)
	var out bytes.Buffer
	// A long -live: the run ends once 12 positions, from both providers, are shown.
	err := run(context.Background(), []string{"-live", "1m", "-max", "12"}, &out, io.Discard)
	require.NoError(t, err)
	s := out.String()
	lines := strings.Split(s, "\n")
	assert.Equal(t, "fleetkit quickstart: one API over MyCarTracks and Smartcar", lines[0])
	assert.Contains(t, s, "built-in simulated fleet")
	assert.Contains(t, s, "built-in fake Smartcar")
	assert.Contains(t, s, "Vehicles (10) and where they were last seen")
	assert.Contains(t, s, "mycartracks:1001")
	assert.Contains(t, s, "smartcar:"+smartcartest.VehicleF150+"  FORD F-150")

	_, live, ok := strings.Cut(s, "Live positions for up to 1m0s, both providers on one channel\n")
	require.True(t, ok)
	liveLines := strings.Split(live, "\n")
	var mct, sc int
	for _, l := range liveLines[:12] {
		switch {
		case strings.Contains(l, " mycartracks:"):
			mct++
		case strings.Contains(l, " smartcar:"):
			sc++
		default:
			t.Errorf("not a position line: %q", l)
		}
	}
	assert.Positive(t, mct, "MyCarTracks live positions (the WebSocket stream)")
	assert.Positive(t, sc, "Smartcar live positions (the poller)")
	assert.Contains(t, liveLines[12], "live positions from")
	assert.Contains(t, liveLines[12], "of 2 providers")
	for _, env := range []string{mycartracks.EnvClientID, mycartracks.EnvClientSecret, smartcar.EnvClientID, smartcar.EnvClientSecret} {
		assert.Contains(t, s, env, "names the variable that switches to the real API")
	}
	assert.Less(t, len(lines), 40, "compact")
}

// With MyCarTracks credentials in the environment the quickstart goes through
// mycartracks.FromEnv: here pointed at a fake standing in for the real API.
func TestRealAPIPathWithCredentials(t *testing.T) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2), mycartrackstest.WithTracksPerVehicle(1))
	defer srv.Close()
	t.Setenv(mycartracks.EnvClientID, srv.ClientID)
	t.Setenv(mycartracks.EnvClientSecret, srv.ClientSecret)
	t.Setenv(mycartracks.EnvBaseURL, srv.BaseURL)
	t.Setenv(mycartracks.EnvTokenURL, srv.TokenURL)
	t.Setenv(smartcar.EnvClientID, "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-live", "0"}, &out, io.Discard))
	assert.Contains(t, out.String(), "Using the MyCarTracks API at "+srv.BaseURL)
	assert.Contains(t, out.String(), "Vehicles (7) and where they were last seen", "2 real and 5 simulated Smartcar vehicles")
	assert.NotContains(t, out.String(), "Live positions")
	assert.Equal(t, 1, srv.Grants())
}

func TestBadCredentialsFailClearly(t *testing.T) {
	srv := mycartrackstest.NewServer()
	defer srv.Close()
	t.Setenv(mycartracks.EnvClientID, srv.ClientID)
	t.Setenv(mycartracks.EnvClientSecret, "wrong-secret-value")
	t.Setenv(mycartracks.EnvBaseURL, srv.BaseURL)
	t.Setenv(mycartracks.EnvTokenURL, srv.TokenURL)
	t.Setenv(smartcar.EnvClientID, "")
	err := run(context.Background(), nil, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Equal(t, 1, cli.Code(err))
	assert.Contains(t, err.Error(), "invalid_client")
	assert.NotContains(t, err.Error(), "wrong-secret-value")
}

func TestHelp(t *testing.T) {
	clitest.Help(t, "quickstart", func(args []string, stdout, stderr io.Writer) error {
		return run(context.Background(), args, stdout, stderr)
	})
}
