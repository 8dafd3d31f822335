package testkit

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// runMainEnv tells a test binary to run the program's main instead of its tests;
// runMainEnv+"_ARGS" holds the program's arguments, separated by "\x1f".
const runMainEnv = "FLEETKIT_TESTKIT_RUN_MAIN"

// ProgramMain is the TestMain of an example program's tests: in a child process that
// RunProgram started it runs the program's main with the arguments given there and
// exits 0 when main returns; otherwise it runs the tests under goleak.
//
//	func TestMain(m *testing.M) { testkit.ProgramMain(m, main) }
func ProgramMain(m *testing.M, main func()) {
	if os.Getenv(runMainEnv) == "1" {
		args := []string{os.Args[0]}
		if a := os.Getenv(runMainEnv + "_ARGS"); a != "" {
			args = append(args, strings.Split(a, "\x1f")...)
		}
		os.Args = args
		main()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// RunProgram runs the program of the test binary (see ProgramMain) with args in a child
// process, with env ("KEY=value") added to the test's environment, and returns its exit
// status and output: how a test checks what main does with -h or a failure (exit codes,
// stderr) without building the program.
func RunProgram(t testing.TB, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runMainEnv+"=1", runMainEnv+"_ARGS="+strings.Join(args, "\x1f"))
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String(), errOut.String()
	case err != nil:
		t.Fatalf("running the program: %v", err)
	}
	return 0, out.String(), errOut.String()
}
