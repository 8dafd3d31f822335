package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current output")

// testNow is the clock of the tests: a day after the simulated MyCarTracks fleet's start,
// so that the age of every last position is fixed.
var testNow = time.Date(2026, time.March, 3, 8, 0, 0, 0, time.UTC)

// result is what one run of the command printed.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the command with args, no environment, stdin from input and no terminal.
func cli(t *testing.T, input string, args ...string) result {
	t.Helper()
	return cliWith(t, input, nil, args...)
}

// cliWith is cli with the app changed by setup first.
func cliWith(t *testing.T, input string, setup func(*app), args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	a := newApp(strings.NewReader(input), &out, &errOut)
	a.now = func() time.Time { return testNow }
	a.getenv = func(string) string { return "" }
	if setup != nil {
		setup(a)
	}
	code := a.run(context.Background(), args)
	return result{code, out.String(), errOut.String()}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./cmd/fleetkit -run %s -update to create it", t.Name())
	assert.Equal(t, string(want), got, "golden file %s (run with -update to accept the new output)", path)
}
