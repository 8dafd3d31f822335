package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
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
	s := out.String()
	assert.True(t, strings.HasPrefix(s, "Using the built-in fake Smartcar"), s)
	assert.Contains(t, s, "LOCK vehicle "+smartcartest.VehicleBolt+" (CHEVROLET Bolt EV)")
	assert.Regexp(t, `command\s+security-lock`, s)
	assert.Regexp(t, `status\s+SUCCESS \(succeeded: true\)`, s)
	assert.Regexp(t, `mode\s+sync \(HTTP 200, long-running: false\)`, s)
	assert.Contains(t, s, "now: closure-islocked = true (SUCCESS)")
}

func TestRunActions(t *testing.T) {
	t.Setenv(smartcar.EnvClientID, "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-action", "unlock", "-vehicle", smartcartest.VehicleCamry}, &out, io.Discard))
	assert.Contains(t, out.String(), "now: closure-islocked = false (SUCCESS)")

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"-action", "limit", "-limit", "65", "-vehicle", smartcartest.VehicleModel3}, &out, io.Discard))
	assert.Regexp(t, `parameters\s+\{"percent":65\}`, out.String())
	assert.Contains(t, out.String(), "now: charge-chargelimits = active 65 percent; GLOBAL 65 percent (SUCCESS)")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-action", "limit", "-limit", "30"}, "charge limit 30% is outside 50–100%"},
		{[]string{"-action", "limit", "-vehicle", smartcartest.VehicleCamry}, "COMPATIBILITY:VEHICLE_NOT_CAPABLE"},
		{[]string{"-action", "honk"}, `unknown action "honk"`},
		{[]string{"-vehicle", "nope"}, "no connection for vehicle nope"},
		{[]string{"-limit", "x"}, "invalid value"},
	} {
		out.Reset()
		err := run(context.Background(), tc.args, &out, io.Discard)
		assert.ErrorContains(t, err, tc.want, tc.args)
	}
}

// With credentials it uses FromEnv and insists on an explicit vehicle; its messages
// explain failures whose outcome is unknown.
func TestRunWithCredentials(t *testing.T) {
	fake := smartcartest.NewServer()
	defer fake.Close()
	t.Setenv(smartcar.EnvClientID, fake.ClientID)
	t.Setenv(smartcar.EnvClientSecret, fake.ClientSecret)
	t.Setenv(smartcar.EnvVehicleAPIURL, fake.VehicleAPIURL)
	t.Setenv(smartcar.EnvManagementAPIURL, fake.ManagementAPIURL)
	t.Setenv(smartcar.EnvTokenURL, fake.TokenURL)
	var out bytes.Buffer
	assert.ErrorContains(t, run(context.Background(), nil, &out, io.Discard), "-vehicle is required")
	assert.Zero(t, fake.CountRequests("", ""))

	out.Reset()
	fake.FailNext(smartcartest.DropConnection().On(http.MethodPost, ""))
	err := run(context.Background(), []string{"-vehicle", smartcartest.VehicleF150}, &out, io.Discard)
	assert.True(t, telematics.MayHaveSucceeded(err))
	assert.Contains(t, out.String(), "may have reached the vehicle")

	out.Reset()
	fake.SetAsleep(smartcartest.VehicleF150, true)
	err = run(context.Background(), []string{"-vehicle", smartcartest.VehicleF150}, &out, io.Discard)
	assert.True(t, smartcar.IsVehicleAsleep(err))
	assert.Contains(t, out.String(), "asleep or offline")

	out.Reset()
	fake.SetAsleep(smartcartest.VehicleF150, false)
	fake.LimitVehicle(smartcartest.VehicleF150, 3600e9)
	err = run(context.Background(), []string{"-vehicle", smartcartest.VehicleF150, "-user", smartcartest.UserBob}, &out, io.Discard)
	assert.True(t, smartcar.IsRateLimited(err))
	assert.Contains(t, out.String(), "Rate limited")
}

func TestHelp(t *testing.T) {
	clitest.Help(t, "smartcar-commands", func(args []string, stdout, stderr io.Writer) error {
		return run(context.Background(), args, stdout, stderr)
	})
}
