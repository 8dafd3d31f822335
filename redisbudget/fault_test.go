package redisbudget_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/redisbudget"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// stepTransport runs a step, before sending, when it sends the n-th API request: the
// faults of a test happen at a point of the run, not at a time.
type stepTransport struct {
	next  http.RoundTripper
	mu    sync.Mutex
	n     int
	steps map[int]func()
}

func (s *stepTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, "/services/rest/") {
		s.mu.Lock()
		s.n++
		step := s.steps[s.n]
		s.mu.Unlock()
		if step != nil {
			step()
		}
	}
	return s.next.RoundTrip(r)
}

// keepRedisRunning restarts the package's server at the end of a test that stops it,
// whatever happened.
func keepRedisRunning(t *testing.T) {
	t.Cleanup(func() { _ = redisSrv.Restart() })
}

// logCounts counts the shared budget's warnings and recoveries in a text log.
func logCounts(log string) (warnings, recoveries int) {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, "shared budget unavailable") {
			warnings++
		}
		if strings.Contains(line, "level=INFO") && strings.Contains(line, "shared budget available again") {
			recoveries++
		}
	}
	return warnings, recoveries
}

// TestRedisOutages: during a listing of 80 pages across 4 goroutines, Redis is stopped
// and started again (empty), then paused (a Redis too slow to answer): no call fails or
// outlives its context, every list is complete, each outage logs one warning without a
// secret, and the client returns to the shared budget after each. Real time, as in
// TestManyProcessesOneCredential: the Redis server's clock is the budget's.
func TestRedisOutages(t *testing.T) {
	flush(t)
	keepRedisRunning(t)
	srv := mycartrackstest.NewServer(mycartrackstest.WithBudget(testLimit, testWindow), mycartrackstest.WithVehicles(4),
		mycartrackstest.WithTracksPerVehicle(195), mycartrackstest.WithPointsPerTrack(2))
	defer srv.Close()
	pauser := newRedis(t)
	st := &stepTransport{next: srv.Client().Transport, steps: map[int]func(){
		10: func() { assert.NoError(t, redisSrv.Stop()) },
		25: func() { assert.NoError(t, redisSrv.Restart()) },
		50: func() {
			assert.NoError(t, pauser.Do(context.Background(), "CLIENT", "PAUSE", 1500, "ALL").Err())
		},
	}}
	logs := &testkit.LockedBuffer{}
	store, rdb := newStore(t)
	client, err := mycartracks.NewClient(srv.ClientID, srv.ClientSecret, mycartracks.WithBaseURL(srv.BaseURL),
		mycartracks.WithTokenURL(srv.TokenURL), mycartracks.WithHTTPClient(&http.Client{Transport: st}),
		mycartracks.WithSharedBudget(store), mycartracks.WithMaxRetries(50), mycartracks.WithMaxWait(time.Minute),
		mycartracks.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	require.NoError(t, err)
	defer client.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res := listAll(ctx, client, srv.Fleet().VehicleIDs(), 10)
	require.NoError(t, ctx.Err(), "the run finished well before its deadline")
	stats := srv.Stats()
	t.Logf("%d requests, %d refused while pacing locally", stats.Requests, stats.RateLimited)
	assertComplete(t, srv, []workerResult{res})

	warnings, recoveries := logCounts(logs.String())
	assert.Equal(t, 2, warnings, "one warning per outage:\n%s", logs)
	assert.Equal(t, 2, recoveries, "back on the shared budget after each:\n%s", logs)
	testkit.AssertNoSecrets(t, map[string]string{"log": logs.String()}, srv.ClientID, srv.ClientSecret)
	n, err := rdb.Exists(t.Context(), redisbudget.DefaultPrefix+"budget:mycartracks/"+srv.ClientID).Result()
	require.NoError(t, err)
	assert.EqualValues(t, 1, n, "the budget lives in Redis again")
}

// TestNoCallWaitsForASlowRedis: with Redis paused, a call ends with its own context,
// and a call with time to spare paces locally after the store's short bound instead
// of waiting for Redis.
func TestNoCallWaitsForASlowRedis(t *testing.T) {
	flush(t)
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2))
	defer srv.Close()
	store, rdb := newStore(t)
	logs := &testkit.LockedBuffer{}
	client, err := srv.NewClient(mycartracks.WithSharedBudget(store),
		mycartracks.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	require.NoError(t, err)
	defer client.Close()
	_, err = client.Vehicles.List(t.Context(), nil)
	require.NoError(t, err)

	require.NoError(t, rdb.Do(t.Context(), "CLIENT", "PAUSE", 3000, "ALL").Err())
	paused := time.Now()
	t.Cleanup(func() { _ = newRedis(t).Do(context.Background(), "CLIENT", "UNPAUSE").Err() })

	short, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err = client.Vehicles.List(short, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(paused), time.Second, "the call ended with its context")
	warnings, _ := logCounts(logs.String())
	assert.Zero(t, warnings, "the call's own deadline is no outage of Redis:\n%s", logs)

	_, err = client.Vehicles.List(t.Context(), nil)
	assert.NoError(t, err)
	assert.Less(t, time.Since(paused), 2500*time.Millisecond, "paced locally before Redis answered again")
	_, err = client.Vehicles.List(t.Context(), nil)
	assert.NoError(t, err)
	warnings, _ = logCounts(logs.String())
	assert.Equal(t, 1, warnings, "%s", logs)
	testkit.AssertNoSecrets(t, map[string]string{"log": logs.String()}, srv.ClientID, srv.ClientSecret)
}

// TestSmartcarSharesItsBudgetByClientID: a Smartcar client's budget is kept under its
// provider and client ID, and no key holds a secret.
func TestSmartcarSharesItsBudgetByClientID(t *testing.T) {
	flush(t)
	srv := smartcartest.NewServer()
	defer srv.Close()
	store, rdb := newStore(t)
	client, err := srv.NewClient(smartcar.WithSharedBudget(store))
	require.NoError(t, err)
	defer client.Close()
	for _, err := range client.Connections.All(t.Context(), nil) {
		require.NoError(t, err)
	}
	keys, err := rdb.Keys(t.Context(), "*").Result()
	require.NoError(t, err)
	assert.Equal(t, []string{redisbudget.DefaultPrefix + "budget:smartcar/" + srv.ClientID}, keys)
	testkit.AssertNoSecrets(t, map[string]string{"keys": strings.Join(keys, "\n")}, "", srv.ClientSecret)
}

// TestMyCarTracksKeysNameNoSecret: the same for MyCarTracks, with a refused request
// on the way.
func TestMyCarTracksKeysNameNoSecret(t *testing.T) {
	flush(t)
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2))
	defer srv.Close()
	store, rdb := newStore(t)
	client, err := srv.NewClient(mycartracks.WithSharedBudget(store))
	require.NoError(t, err)
	defer client.Close()
	_, err = client.Vehicles.Get(t.Context(), 9999)
	require.Error(t, err)
	keys, err := rdb.Keys(t.Context(), "*").Result()
	require.NoError(t, err)
	assert.Equal(t, []string{redisbudget.DefaultPrefix + "budget:mycartracks/" + srv.ClientID}, keys)
	testkit.AssertNoSecrets(t, map[string]string{"keys": strings.Join(keys, "\n")}, "", srv.ClientSecret)
	var _ redis.UniversalClient = rdb
}

// TestSmartcarOneWarningForBothAPIs: a Smartcar client's two APIs share the budget's
// state: an outage of Redis is one warning, whichever API meets it first.
func TestSmartcarOneWarningForBothAPIs(t *testing.T) {
	flush(t)
	keepRedisRunning(t)
	srv := smartcartest.NewServer()
	defer srv.Close()
	store, _ := newStore(t)
	logs := &testkit.LockedBuffer{}
	client, err := srv.NewClient(smartcar.WithSharedBudget(store),
		smartcar.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	require.NoError(t, err)
	defer client.Close()

	require.NoError(t, redisSrv.Stop())
	for _, err := range client.Subscriptions.All(t.Context(), nil) { // the Management API
		require.NoError(t, err)
	}
	_, err = client.Vehicles.Get(t.Context(), smartcartest.VehicleModel3) // the Vehicle API
	require.NoError(t, err)
	warnings, _ := logCounts(logs.String())
	assert.Equal(t, 1, warnings, "%s", logs)
	testkit.AssertNoSecrets(t, map[string]string{"log": logs.String()}, srv.ClientID, srv.ClientSecret)
}
