// Package redistest runs a real redis-server for tests: on a loopback port, in a
// temporary directory, without persistence, stopped and restarted on demand. It needs
// the redis-server binary (Debian package redis-server); without it Start fails with an
// error saying so, and the tests using it fail rather than skip.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// readyTimeout bounds how long a starting server may take to accept connections.
const readyTimeout = 20 * time.Second

// Server is a running (or stopped) redis-server.
type Server struct {
	// Addr is the server's host:port on the loopback interface; it stays the same
	// across Stop and Restart.
	Addr string

	bin  string
	dir  string
	port int

	mu   sync.Mutex
	cmd  *exec.Cmd
	read chan struct{} // closed when the server's output has been read to its end
}

// Start starts a redis-server on a free loopback port, in a new temporary directory.
func Start() (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redistest: redis-server not found in PATH: install it (Debian: apt-get install redis-server); .ci/run installs it when absent")
	}
	dir, err := os.MkdirTemp("", "redistest-*")
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	s := &Server{bin: bin, dir: dir}
	var last error
	for range 5 {
		if s.port, err = freePort(); err != nil {
			last = err
			continue
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
		if last = s.start(); last == nil {
			return s, nil
		}
	}
	os.RemoveAll(dir)
	return nil, last
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("redistest: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs the server on s.port and waits until it accepts connections.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("redistest: already running")
	}
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "",
		"--loglevel", "notice", "--databases", "1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("redistest: %w", err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redistest: starting redis-server: %w", err)
	}
	ready := make(chan struct{})
	read := make(chan struct{})
	var log strings.Builder
	var logMu sync.Mutex
	go func() {
		defer close(read)
		sc := bufio.NewScanner(out)
		once := false
		for sc.Scan() {
			line := sc.Text()
			logMu.Lock()
			if log.Len() < 8<<10 {
				log.WriteString(line + "\n")
			}
			logMu.Unlock()
			if !once && strings.Contains(line, "Ready to accept connections") {
				once = true
				close(ready)
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	select {
	case <-ready:
		s.cmd, s.read = cmd, read
		return nil
	case <-read: // exited before it was ready (its port was taken, ...)
	case <-timer.C:
		_ = cmd.Process.Kill()
		<-read
	}
	_ = cmd.Wait()
	logMu.Lock()
	defer logMu.Unlock()
	return fmt.Errorf("redistest: redis-server on port %d did not start:\n%s", s.port, log.String())
}

// Stop stops the server (SIGTERM, as a host shutting it down would) and waits for it
// to exit. Its data is lost. Stopping a stopped server does nothing.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.read
	err := s.cmd.Wait()
	s.cmd = nil
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil // exited on the signal
	}
	return err
}

// Restart starts a stopped server again on the same address, empty.
func (s *Server) Restart() error { return s.start() }

// Close stops the server and removes its directory.
func (s *Server) Close() error {
	err := s.Stop()
	if rmErr := os.RemoveAll(s.dir); err == nil {
		err = rmErr
	}
	return err
}
