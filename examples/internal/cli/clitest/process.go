package clitest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// mainEnv, set in the environment of the test binary, has it run the example's main
// instead of its tests (see Main).
const mainEnv = "FLEETKIT_EXAMPLE_MAIN"

// Guard bounds, in real time, how long Start's process may take to print what a test
// waits for and to exit once interrupted.
const Guard = 90 * time.Second

// Main runs the example's main, in place of the tests, when the test binary was started
// by Start: an example's TestMain calls it first, so that its tests run the real
// program (flags, signal handling, exit status) as a process of its own.
//
//	func TestMain(m *testing.M) {
//		clitest.Main(main)
//		goleak.VerifyTestMain(m)
//	}
func Main(main func()) {
	if os.Getenv(mainEnv) != "1" {
		return
	}
	main()
	os.Exit(0)
}

// Process is an example program Start runs.
type Process struct {
	cmd    *exec.Cmd
	out    output
	exited chan struct{}
	code   int
	err    error
}

// output collects what a process prints on stdout and stderr, and signals each write.
type output struct {
	mu             sync.Mutex
	stdout, stderr bytes.Buffer
	changed        chan struct{} // closed, and replaced, on every write
}

type stream struct {
	o   *output
	buf *bytes.Buffer
}

func (s stream) Write(p []byte) (int, error) {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	s.buf.Write(p)
	close(s.o.changed)
	s.o.changed = make(chan struct{})
	return len(p), nil
}

// Start runs the example (the test binary, running main through Main) with args and an
// environment that holds nothing else: no credentials, no PATH, no HOME. The process
// is killed when the test ends if it still runs.
func Start(t testing.TB, args ...string) *Process {
	t.Helper()
	p := &Process{exited: make(chan struct{})}
	p.out.changed = make(chan struct{})
	p.cmd = exec.Command(os.Args[0], args...)
	p.cmd.Env = []string{mainEnv + "=1"}
	p.cmd.Stdout = stream{&p.out, &p.out.stdout}
	p.cmd.Stderr = stream{&p.out, &p.out.stderr}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", os.Args[0], err)
	}
	go func() {
		defer close(p.exited)
		err := p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			p.err = err
		}
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// Run runs the example to its end as Start does and returns its exit status, failing
// the test when it does not end within Guard.
func Run(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	p := Start(t, args...)
	code = p.Wait(t)
	return code, p.Stdout(), p.Stderr()
}

// WaitFor waits until what the process printed on stdout or stderr matches re, and
// returns the submatches of the first match. It fails the test when the process exits
// first or nothing matches within Guard.
func (p *Process) WaitFor(t testing.TB, re *regexp.Regexp) []string {
	t.Helper()
	timeout := time.NewTimer(Guard)
	defer timeout.Stop()
	for {
		p.out.mu.Lock()
		all := p.out.stdout.String() + "\n" + p.out.stderr.String()
		changed := p.out.changed
		p.out.mu.Unlock()
		if m := re.FindStringSubmatch(all); m != nil {
			return m
		}
		select {
		case <-changed:
		case <-p.exited:
			// What it printed last is in the buffers once Wait has returned.
			p.out.mu.Lock()
			all = p.out.stdout.String() + "\n" + p.out.stderr.String()
			p.out.mu.Unlock()
			if m := re.FindStringSubmatch(all); m != nil {
				return m
			}
			t.Fatalf("the program exited (%d) before printing %q:\n%s", p.code, re, all)
		case <-timeout.C:
			t.Fatalf("the program did not print %q within %v:\n%s", re, Guard, all)
		}
	}
}

// Interrupt sends the process SIGINT, as Ctrl-C in a terminal does.
func (p *Process) Interrupt(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatalf("interrupt: %v", err)
	}
}

// Wait waits for the process to exit and returns its exit status; it fails the test
// (and kills the process) when it does not exit within Guard.
func (p *Process) Wait(t testing.TB) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(Guard):
		_ = p.cmd.Process.Kill()
		<-p.exited
		t.Fatalf("the program did not exit within %v:\n%s\n%s", Guard, p.Stdout(), p.Stderr())
	}
	if p.err != nil {
		t.Fatalf("the program: %v", p.err)
	}
	return p.code
}

// Stdout returns what the process printed on stdout so far.
func (p *Process) Stdout() string {
	p.out.mu.Lock()
	defer p.out.mu.Unlock()
	return p.out.stdout.String()
}

// Stderr returns what the process printed on stderr so far.
func (p *Process) Stderr() string {
	p.out.mu.Lock()
	defer p.out.mu.Unlock()
	return p.out.stderr.String()
}
