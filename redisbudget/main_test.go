package redisbudget_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/internal/redistest"
	"github.com/fleetkit/fleetkit-go/redisbudget"
)

// redisSrv is the package's redis-server: started before the tests, stopped after them.
var redisSrv *redistest.Server

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		// A worker process of TestManyProcessesOneCredential: the test binary
		// re-executed.
		os.Exit(runWorker())
	}
	// go-redis logs each failed dial; the tests that stop Redis assert on errors.
	redis.SetLogger(quiet{})
	srv, err := redistest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	redisSrv = srv
	code := m.Run()
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping redis-server:", err)
		code = max(code, 1)
	}
	if code == 0 {
		if err := findLeaks(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// findLeaks is goleak.Find, given up to three seconds: once dials have failed as many
// times as its pool has connections, a go-redis client probes the server in a
// goroutine that sleeps a second between dials and checks whether the client was
// closed only then, so it outlives Close by up to a second.
func findLeaks() error {
	deadline := time.Now().Add(3 * time.Second)
	for {
		err := goleak.Find()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		<-time.After(100 * time.Millisecond)
	}
}

// newRedis returns a client of the package's server, closed at the end of the test.
func newRedis(t testing.TB) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: redisSrv.Addr, ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// newStore returns a Store on a new client of the package's server.
func newStore(t testing.TB, opts ...redisbudget.Option) (*redisbudget.Store, *redis.Client) {
	t.Helper()
	rdb := newRedis(t)
	s, err := redisbudget.New(rdb, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s, rdb
}

// ctx is a context for one store call in a test.
func ctx(t testing.TB) context.Context { return t.Context() }

// quiet is a go-redis logger that logs nothing.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}
