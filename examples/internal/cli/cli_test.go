package cli_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
)

// A program built on cli: the test binary runs as one when FLEETKIT_CLI_PROGRAM is set.
func TestMain(m *testing.M) {
	if os.Getenv("FLEETKIT_CLI_PROGRAM") != "" {
		cli.Exit("demo", run(os.Args[1:], os.Stderr))
	}
	goleak.VerifyTestMain(m)
}

func run(args []string, stderr io.Writer) error {
	fs := cli.FlagSet("demo", "shows how examples behave", "go run ./examples/demo [-n N]", stderr)
	n := fs.Int("n", 1, "how many")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *n < 0 {
		return errors.New("n is negative")
	}
	return nil
}

func TestUsageAndCodes(t *testing.T) {
	var stderr bytes.Buffer
	err := run([]string{"-h"}, &stderr)
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.Equal(t, 0, cli.Code(err))
	assert.Equal(t, "demo: shows how examples behave\n\nUsage:\n  go run ./examples/demo [-n N]\n\nFlags:\n  -n int\n    \thow many (default 1)\n", stderr.String())

	stderr.Reset()
	err = run([]string{"-bogus"}, &stderr)
	var usage *cli.UsageError
	assert.ErrorAs(t, err, &usage)
	assert.Equal(t, 2, cli.Code(err))
	assert.Contains(t, stderr.String(), "flag provided but not defined: -bogus")
	assert.Contains(t, stderr.String(), "demo: shows how examples behave")

	stderr.Reset()
	err = run([]string{"extra"}, &stderr)
	assert.Equal(t, 2, cli.Code(err))
	assert.Contains(t, stderr.String(), `unexpected argument "extra"`)

	assert.Equal(t, 1, cli.Code(run([]string{"-n", "-1"}, io.Discard)))
	assert.Equal(t, 0, cli.Code(run(nil, io.Discard)))

	// Without flags, no "Flags:" heading.
	stderr.Reset()
	fs := cli.FlagSet("bare", "does one thing", "go run ./examples/bare", &stderr)
	assert.ErrorIs(t, cli.Parse(fs, []string{"-help"}), flag.ErrHelp)
	assert.Equal(t, "bare: does one thing\n\nUsage:\n  go run ./examples/bare\n", stderr.String())
}

// TestExitStatus runs the demo program for real: -h exits 0 with the usage on stderr
// and nothing on stdout.
func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-h"}, 0, "demo: shows how examples behave\n"},
		{nil, 0, ""},
		{[]string{"-bogus"}, 2, "flag provided but not defined"},
		{[]string{"-n", "-1"}, 1, "demo: n is negative\n"},
	} {
		cmd := exec.Command(os.Args[0], tc.args...)
		cmd.Env = append(os.Environ(), "FLEETKIT_CLI_PROGRAM=1")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else {
			require.NoError(t, err)
		}
		assert.Equal(t, tc.code, code, "%v", tc.args)
		assert.Contains(t, stderr.String(), tc.stderr, "%v", tc.args)
		assert.Empty(t, stdout.String(), "%v", tc.args)
	}
}
