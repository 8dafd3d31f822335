// Package clitest checks, in an example's tests, the command-line behaviour package cli
// gives it. Only tests import it.
package clitest

import (
	"bytes"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
)

// Help runs the example with -h (run gets the arguments and the writers the example
// prints to) and checks that it prints "name: <one line>" then the usage on stderr,
// nothing on stdout, and that the program exits 0.
func Help(t *testing.T, name string, run func(args []string, stdout, stderr io.Writer) error) {
	t.Helper()
	for _, arg := range []string{"-h", "-help"} {
		var stdout, stderr bytes.Buffer
		err := run([]string{arg}, &stdout, &stderr)
		assert.ErrorIs(t, err, flag.ErrHelp, arg)
		assert.Equal(t, 0, cli.Code(err), arg)
		assert.Empty(t, stdout.String(), arg)
		first, rest, _ := strings.Cut(stderr.String(), "\n")
		assert.True(t, strings.HasPrefix(first, name+": "), "the first line describes the program: %q", first)
		assert.Greater(t, len(first), len(name)+10, "a description, not just the name")
		assert.Contains(t, rest, "Usage:\n  go run ./examples/"+name, arg)
	}
}
