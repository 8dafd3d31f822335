package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		// A worker: the test binary re-executed by run, as the program re-executes itself.
		os.Exit(workerMain())
	}
	goleak.VerifyTestMain(m)
}

func TestHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &out, &errOut)
	assert.ErrorIs(t, err, flag.ErrHelp, "main exits 0 on it")
	assert.Empty(t, out.String())
	first, _, _ := strings.Cut(errOut.String(), "\n")
	assert.Contains(t, first, "shared-budget runs worker processes")
	assert.Contains(t, errOut.String(), "Usage: go run ./examples/shared-budget")
	assert.Contains(t, errOut.String(), "-redis")
}

func TestBadInput(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.ErrorIs(t, run(context.Background(), []string{"-workers", "x"}, &out, &errOut), errFlags)
	assert.ErrorContains(t, run(context.Background(), []string{"-workers", "0"}, &out, &errOut), "must be positive")
	assert.ErrorContains(t, run(context.Background(), []string{"-window", "1ms"}, &out, &errOut), "at least 100ms")
	assert.ErrorContains(t, run(context.Background(), []string{"extra"}, &out, &errOut), `unexpected argument "extra"`)
	t.Setenv("REDIS_URL", "mysql://nope")
	assert.ErrorContains(t, run(context.Background(), nil, &out, &errOut), "REDIS_URL")
}

// TestBothModes runs a small comparison with a redis-server the program starts itself.
func TestBothModes(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"-workers", "2", "-vehicles", "4", "-tracks", "15", "-limit", "6", "-window", "1s"}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	assert.Contains(t, errOut.String(), "started redis-server on 127.0.0.1:")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 4, out.String())
	assert.Contains(t, lines[0], "2 worker processes, one credential, 4 vehicles × 15 tracks, a budget of 6 requests per 1s")
	alone, shared := strings.Fields(lines[2]), strings.Fields(lines[3])
	require.Len(t, alone, 7, lines[2])
	require.Len(t, shared, 7, lines[3])
	assert.Equal(t, "60", alone[6], "every track exported")
	assert.Equal(t, "60", shared[6], "every track exported")
	refused, err := strconv.Atoi(shared[4])
	require.NoError(t, err)
	assert.LessOrEqual(t, refused, 1, "the shared budget refuses at most a probe")
}
