package redisbudget_test

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"slices"
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
	"github.com/fleetkit/fleetkit-go/telematics"
)

// workerEnv holds a worker's job (a workerJob in JSON) in the environment of the test
// binary re-executed as a worker process; TestMain runs the job instead of the tests.
const workerEnv = "FLEETKIT_REDISBUDGET_WORKER"

// workerJob is what one worker process does: list every track of Vehicles, one
// goroutine per vehicle, with one client of the shared credential.
type workerJob struct {
	BaseURL, TokenURL, ClientID, ClientSecret string
	// Redis is the address of the shared budget's server; empty: no shared budget.
	Redis    string
	Vehicles []int64
	PageSize int
	Timeout  time.Duration
	// ClockSkew sets the worker's client on a clock that runs this far ahead of the
	// machine's (behind when negative), as on a machine whose clock is wrong.
	ClockSkew time.Duration
}

// skewedClock is the real clock, shifted by a constant: the clock of a machine that is
// set wrong. Its sleeps are real, as the budget's time is the Redis server's.
type skewedClock struct{ skew time.Duration }

func (c skewedClock) Now() time.Time { return time.Now().Add(c.skew) }

func (c skewedClock) Sleep(ctx context.Context, d time.Duration) error {
	return telematics.SystemClock.Sleep(ctx, d)
}

// workerResult is what a worker reports on its standard output.
type workerResult struct {
	Tracks   map[int64][]int64 // by vehicle, in the order listed
	Errors   []string
	Warnings int
	Log      string // the warnings, if any
}

// runWorker is the worker process: it reads its job, says it is ready, waits for the
// go line on its standard input, runs the job and writes its result.
func runWorker() int {
	var job workerJob
	if err := json.Unmarshal([]byte(os.Getenv(workerEnv)), &job); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	res, err := work(job, func() {
		fmt.Println("ready")
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return 2
	}
	return 0
}

// work builds the client (connected to Redis, when it shares the budget), calls ready,
// then lists; the first request fetches the token.
func work(job workerJob, ready func()) (workerResult, error) {
	logs := &testkit.LockedBuffer{}
	opts := []mycartracks.Option{
		mycartracks.WithBaseURL(job.BaseURL), mycartracks.WithTokenURL(job.TokenURL),
		mycartracks.WithMaxRetries(50), mycartracks.WithMaxWait(time.Minute),
		mycartracks.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	}
	if job.ClockSkew != 0 {
		opts = append(opts, mycartracks.WithClock(skewedClock{job.ClockSkew}))
	}
	if job.Redis != "" {
		rdb := redis.NewClient(&redis.Options{Addr: job.Redis, ContextTimeoutEnabled: true})
		defer rdb.Close()
		store, err := redisbudget.New(rdb)
		if err != nil {
			return workerResult{}, err
		}
		opts = append(opts, mycartracks.WithSharedBudget(store))
		// Connected before ready, as a worker that has been running is: a connection
		// for each listing goroutine, so that the run measures the pacing, not sixteen
		// dials (each with its handshake) at the same instant on a loaded machine.
		if err := warmUp(rdb, len(job.Vehicles)); err != nil {
			return workerResult{}, err
		}
	}
	client, err := mycartracks.NewClient(job.ClientID, job.ClientSecret, opts...)
	if err != nil {
		return workerResult{}, err
	}
	defer client.Close()
	ready()
	ctx, cancel := context.WithTimeout(context.Background(), job.Timeout)
	defer cancel()
	res := listAll(ctx, client, job.Vehicles, job.PageSize)
	res.Warnings = strings.Count(logs.String(), "level=WARN")
	res.Log = logs.String()
	return res, nil
}

// warmUp opens n connections of rdb's pool.
func warmUp(rdb *redis.Client, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make(chan error, n)
	for range n {
		go func() { errs <- rdb.Ping(ctx).Err() }()
	}
	var err error
	for range n {
		err = cmp.Or(err, <-errs)
	}
	return err
}

// listAll lists the tracks of each vehicle, all at once, one goroutine per vehicle.
func listAll(ctx context.Context, client *mycartracks.Client, vehicles []int64, pageSize int) workerResult {
	res := workerResult{Tracks: map[int64][]int64{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, v := range vehicles {
		wg.Go(func() {
			var ids []int64
			for tr, err := range client.Tracks.All(ctx, &mycartracks.TrackListOptions{VehicleID: mycartracks.ID(v),
				ListOptions: mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: pageSize}}}) {
				if err != nil {
					mu.Lock()
					res.Errors = append(res.Errors, err.Error())
					mu.Unlock()
					return
				}
				ids = append(ids, int64(tr.ID))
			}
			mu.Lock()
			res.Tracks[v] = ids
			mu.Unlock()
		})
	}
	wg.Wait()
	return res
}

// runWorkers starts a worker process for each job, waits until each has its client,
// lets them go together at start (see TestManyProcessesOneCredential) and returns their
// results and the time from start to the last one's end.
func runWorkers(t *testing.T, jobs []workerJob, start func() time.Time) ([]workerResult, time.Duration) {
	t.Helper()
	n := len(jobs)
	type proc struct {
		cmd *exec.Cmd
		in  io.WriteCloser
		out *bufio.Reader
	}
	procs := make([]proc, n)
	for i := range procs {
		raw, err := json.Marshal(jobs[i])
		require.NoError(t, err)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		// A binary built with -race sleeps a second at exit to let reports out: not
		// part of the work measured.
		cmd.Env = append(os.Environ(), workerEnv+"="+string(raw), "GORACE=atexit_sleep_ms=0")
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		require.NoError(t, err)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		procs[i] = proc{cmd, in, bufio.NewReader(out)}
	}
	for _, p := range procs {
		line, err := p.out.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "ready\n", line)
	}
	began := start()
	for _, p := range procs {
		_, err := io.WriteString(p.in, "go\n")
		require.NoError(t, err)
	}
	results := make([]workerResult, n)
	for i, p := range procs {
		require.NoError(t, json.NewDecoder(p.out).Decode(&results[i]))
	}
	took := time.Since(began)
	for _, p := range procs {
		_ = p.in.Close()
		require.NoError(t, p.cmd.Wait())
	}
	return results, took
}

// Budget of the fake in the multi-process test: 20 requests per 2 s.
const (
	testLimit  = 20
	testWindow = 2 * time.Second
)

// TestManyProcessesOneCredential: 4 OS processes (this test binary re-executed), each
// listing the tracks of 4 vehicles at once, share one credential against a fake
// allowing 20 requests per 2 s. With the Redis budget at most one request in the whole
// run is refused, every list is complete and without duplicates, and the run takes at
// most 1.2 times the least time the budget allows; without it the processes collide.
//
// The processes run on the real clock: they are separate programs, which no manual
// clock of this one reaches, and Redis measures time with its own clock (TIME), which
// is the point of a budget shared across processes and machines. The bounds are
// therefore wide enough for a loaded machine: the budget's windows are 2 s, and the
// slack a bound leaves is a whole window's fifth or more.
//
// The processes start together a moment after one of the fake's windows opens. The
// fake, as MyCarTracks, reports the time until the reset in whole seconds, rounded up:
// the budget learns the window's end from that, so it can be up to a second late; on a
// 2 s window a start at a random moment would measure that rounding (once per run)
// rather than the pacing. (On MyCarTracks' 15-minute windows it is a 900th.)
//
// With Redis, three of the four processes run on clocks set wrong (an hour ahead, three
// hours behind, 90 s ahead): the processes never compare their clocks, only the time
// left until a reset, measured on their own, and the Redis server's, so the bounds hold
// as for processes whose clocks agree. A store that took a reset as a time on the
// process's clock would make every process wait an hour, or not at all.
func TestManyProcessesOneCredential(t *testing.T) {
	const (
		processes = 4
		vehicles  = 4
		pages     = 5 // per vehicle and process
		pageSize  = 10
	)
	run := func(t *testing.T, redisAddr string, timeout time.Duration, skews []time.Duration) (*mycartrackstest.Server, []workerResult, time.Duration) {
		opened := time.Now()
		srv := mycartrackstest.NewServer(mycartrackstest.WithBudget(testLimit, testWindow), mycartrackstest.WithVehicles(vehicles),
			// A short last page ends each list.
			mycartrackstest.WithTracksPerVehicle(pages*pageSize-pageSize/2), mycartrackstest.WithPointsPerTrack(2))
		t.Cleanup(srv.Close)
		jobs := make([]workerJob, processes)
		for i := range jobs {
			jobs[i] = workerJob{BaseURL: srv.BaseURL, TokenURL: srv.TokenURL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
				Redis: redisAddr, Vehicles: srv.Fleet().VehicleIDs(), PageSize: pageSize, Timeout: timeout}
			if i < len(skews) {
				jobs[i].ClockSkew = skews[i]
			}
		}
		results, took := runWorkers(t, jobs, func() time.Time {
			// Wait for the next window of the fake to open (a scheduled start on the
			// real clock, see above), then go.
			next := opened.Add(time.Duration(math.Ceil(float64(time.Since(opened)+100*time.Millisecond)/float64(testWindow))) * testWindow)
			<-time.After(time.Until(next) + 50*time.Millisecond)
			return time.Now()
		})
		logWindows(t, srv, opened)
		return srv, results, took
	}
	requests := processes * vehicles * pages
	windows := (requests + testLimit - 1) / testLimit
	least := time.Duration(windows-1) * testWindow

	t.Run("shared", func(t *testing.T) {
		flush(t)
		srv, results, took := run(t, redisSrv.Addr, time.Minute, []time.Duration{0, time.Hour, -3 * time.Hour, 90 * time.Second})
		st := srv.Stats()
		t.Logf("with Redis, clocks skewed: %d requests, %d refused (403), %v (least %v)", st.Requests, st.RateLimited, took, least)
		assert.LessOrEqual(t, st.RateLimited, 1, "at most the probe of a window nobody has seen")
		assert.Equal(t, requests, st.Requests-st.RateLimited)
		assert.LessOrEqual(t, took, least*12/10, "within 1.2 times the least time of %d requests at %d per %v", requests, testLimit, testWindow)
		assertComplete(t, srv, results)
		for _, r := range results {
			assert.Zero(t, r.Warnings, "the store never failed:\n%s", r.Log)
		}
	})
	t.Run("unshared", func(t *testing.T) {
		// The same work for as long as the shared budget needed at most: the processes,
		// each pacing on its own and on the headers of its own answers, collide.
		srv, results, took := run(t, "", least*12/10, nil)
		st := srv.Stats()
		complete := 0
		for _, r := range results {
			if len(r.Errors) == 0 {
				complete++
			}
		}
		t.Logf("without Redis: %d requests, %d refused (403), %v, %d of %d processes complete", st.Requests, st.RateLimited, took, complete, processes)
		assert.GreaterOrEqual(t, st.RateLimited, 5, "processes that each believe they own the budget collide")
	})
}

// flush empties the package's Redis database.
func flush(t *testing.T) {
	t.Helper()
	require.NoError(t, newRedis(t).FlushAll(t.Context()).Err())
}

// assertComplete checks that every worker listed every track of every vehicle once.
func assertComplete(t *testing.T, srv *mycartrackstest.Server, results []workerResult) {
	t.Helper()
	want := map[int64][]int64{}
	for _, v := range srv.Fleet().Vehicles {
		for _, tr := range v.Tracks {
			want[v.ID] = append(want[v.ID], tr.ID)
		}
		slices.Sort(want[v.ID])
	}
	for i, r := range results {
		assert.Empty(t, r.Errors, "worker %d", i)
		for v, ids := range want {
			got := slices.Clone(r.Tracks[v])
			slices.Sort(got)
			assert.Equal(t, ids, got, "worker %d, vehicle %d: every track once", i, v)
		}
	}
}

// logWindows logs, for each of the fake's budget windows, the requests it received and
// refused, and when the first and the last arrived.
func logWindows(t *testing.T, srv *mycartrackstest.Server, opened time.Time) {
	t.Helper()
	type window struct {
		n, refused  int
		first, last time.Duration
	}
	var ws []window
	for _, r := range srv.Requests() {
		at := r.Time.Sub(opened)
		i := int(at / testWindow)
		for len(ws) <= i {
			ws = append(ws, window{first: -1})
		}
		w := &ws[i]
		w.n++
		if r.Status == 403 {
			w.refused++
		}
		if w.first < 0 {
			w.first = at % testWindow
		}
		w.last = at % testWindow
	}
	for i, w := range ws {
		if w.n > 0 {
			t.Logf("window %d: %d requests, %d refused, from +%v to +%v", i, w.n, w.refused, w.first.Round(time.Millisecond), w.last.Round(time.Millisecond))
		}
	}
}
