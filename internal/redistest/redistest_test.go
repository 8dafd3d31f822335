package redistest

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ping sends PING in the Redis protocol and returns the answer line.
func ping(t *testing.T, addr string) (string, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return "", err
	}
	return bufio.NewReader(c).ReadString('\n')
}

func TestStartStopRestart(t *testing.T) {
	s, err := Start()
	require.NoError(t, err)
	defer s.Close()
	assert.True(t, strings.HasPrefix(s.Addr, "127.0.0.1:"))
	pong, err := ping(t, s.Addr)
	require.NoError(t, err)
	assert.Equal(t, "+PONG\r\n", pong)
	assert.ErrorContains(t, s.Restart(), "already running")

	require.NoError(t, s.Stop())
	require.NoError(t, s.Stop(), "stopping a stopped server does nothing")
	_, err = ping(t, s.Addr)
	assert.Error(t, err, "nothing listens once stopped")

	require.NoError(t, s.Restart())
	pong, err = ping(t, s.Addr)
	require.NoError(t, err)
	assert.Equal(t, "+PONG\r\n", pong, "the same address again")
}

func TestMissingRedisServerSaysHowToInstallIt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Start()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "apt-get install redis-server")
}
