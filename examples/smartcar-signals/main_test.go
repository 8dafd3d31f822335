package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// TestMain runs the example itself when a test starts it as a process (clitest.Start).
func TestMain(m *testing.M) {
	clitest.Main(main)
	goleak.VerifyTestMain(m)
}

func TestRunWithoutCredentialsUsesTheFake(t *testing.T) {
	t.Setenv(smartcar.EnvClientID, "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out, io.Discard))
	lines := strings.Split(out.String(), "\n")
	assert.Contains(t, lines[0], "built-in fake Smartcar")
	assert.Contains(t, lines[1], "CHEVROLET Bolt EV 2021 (-, simulated)", "the first connection")
	assert.Contains(t, lines[1], "ages as of the simulated fleet's time, 2026-06-30T00:00:00Z")
	assert.Regexp(t, `READING\s+UPDATED\s+AGE`, lines[3])
	assert.Regexp(t, `tractionbattery-stateofcharge\s+SUCCESS\s+90 percent\s+2026-06-29T23:55:00Z\s+5m\n`, out.String())
	assert.Regexp(t, `charge-chargerate\s+ERROR\s+30 km/h \(VEHICLE_STATE:NOT_CHARGING\)\s+2026-06-29T23:55:00Z\s+5m\n`, out.String())
	assert.Regexp(t, `climate-externaltemperature UNAVAILABLE\s+-\s+-\n`, out.String())
}

func TestRunFlags(t *testing.T) {
	t.Setenv(smartcar.EnvClientID, "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-vehicle", smartcartest.VehicleCamry}, &out, io.Discard))
	assert.Contains(t, out.String(), "TOYOTA Camry 2020 (ICE, live)")
	assert.Regexp(t, `closure-fronttrunk ERROR \(PERMISSION\)\s+-\s+-\n`, out.String())

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"-vehicle", smartcartest.VehicleID4, "-user", smartcartest.UserAlice}, &out, io.Discard))
	assert.Contains(t, out.String(), "VOLKSWAGEN ID.4 2022")

	out.Reset()
	err := run(context.Background(), []string{"-vehicle", "nope"}, &out, io.Discard)
	assert.ErrorContains(t, err, "no connection for vehicle nope")
	err = run(context.Background(), []string{"-vehicle", smartcartest.VehicleID4, "-user", smartcartest.UserBob}, &out, io.Discard)
	assert.Error(t, err, "not Bob's vehicle")
	err = run(context.Background(), []string{"-bogus"}, &out, io.Discard)
	assert.Error(t, err)
	err = run(context.Background(), []string{"-h"}, &out, io.Discard)
	assert.True(t, errors.Is(err, flag.ErrHelp))
}

// With credentials in the environment it uses FromEnv: here pointed at a fake standing
// in for the real API.
func TestRunWithCredentials(t *testing.T) {
	fake := smartcartest.NewServer()
	defer fake.Close()
	t.Setenv(smartcar.EnvClientID, fake.ClientID)
	t.Setenv(smartcar.EnvClientSecret, fake.ClientSecret)
	t.Setenv(smartcar.EnvVehicleAPIURL, fake.VehicleAPIURL)
	t.Setenv(smartcar.EnvManagementAPIURL, fake.ManagementAPIURL)
	t.Setenv(smartcar.EnvTokenURL, fake.TokenURL)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out, io.Discard))
	assert.True(t, strings.HasPrefix(out.String(), "Using the Smartcar API with the credentials"))
	assert.Equal(t, 1, fake.Stats().Grants)
	assert.True(t, strings.HasPrefix(fake.Requests()[0].UserAgent, "smartcar-signals-example "))

	t.Setenv(smartcar.EnvClientSecret, "")
	assert.Error(t, run(context.Background(), nil, &out, io.Discard))
}

func TestFormatAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Minute:                  "0s",
		0:                             "0s",
		42 * time.Second:              "42s",
		3*time.Minute + time.Second:   "3m",
		5*time.Hour + 12*time.Minute:  "5h12m",
		47*time.Hour + 59*time.Minute: "47h59m",
		12 * 24 * time.Hour:           "12d",
	} {
		assert.Equal(t, want, formatAge(d), "%v", d)
	}
}

func TestHelp(t *testing.T) {
	clitest.Help(t, "smartcar-signals", func(args []string, stdout, stderr io.Writer) error {
		return run(context.Background(), args, stdout, stderr)
	})
}
