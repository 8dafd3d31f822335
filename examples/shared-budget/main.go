// Command shared-budget shows what a request budget shared through Redis changes for
// several processes on one credential: it starts a fake MyCarTracks server with a
// tight budget, then runs N worker processes (itself, re-executed) that export the
// tracks of every vehicle with one credential, first each pacing on its own, then
// sharing the budget through Redis, and prints the requests refused (403) and the
// elapsed time of each mode.
//
//	go run ./examples/shared-budget [-workers 4] [-limit 20] [-window 2s] [-redis ADDR]
//
// Redis comes from -redis (host:port), else from REDIS_URL (redis://...), else a
// redis-server (Debian package redis-server) started here on a loopback port and
// stopped at the end.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fleetkit/fleetkit-go/internal/redistest"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/redisbudget"
)

// workerEnv carries a worker's job to the re-executed program.
const workerEnv = "FLEETKIT_SHARED_BUDGET_WORKER"

func main() {
	if os.Getenv(workerEnv) != "" {
		os.Exit(workerMain())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return
	case errors.Is(err, errFlags):
		os.Exit(2) // the flag set has printed the problem and the usage
	case err != nil:
		fmt.Fprintln(os.Stderr, "shared-budget:", err)
		os.Exit(1)
	}
}

// errFlags marks errors the flag set has already reported.
var errFlags = errors.New("bad flags")

type options struct {
	workers, limit, vehicles, tracks int
	window                           time.Duration
	redis                            string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("shared-budget", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "shared-budget runs worker processes on one MyCarTracks credential against a fake with a tight budget, without and with a budget shared through Redis, and prints the 403s and time of each.")
		fmt.Fprintln(stderr, "\nUsage: go run ./examples/shared-budget [flags]")
		fs.PrintDefaults()
	}
	fs.IntVar(&o.workers, "workers", 4, "worker processes")
	fs.IntVar(&o.limit, "limit", 20, "the fake's budget: requests per window")
	fs.DurationVar(&o.window, "window", 2*time.Second, "the fake's budget window")
	fs.IntVar(&o.vehicles, "vehicles", 16, "vehicles of the simulated fleet, shared out among the workers")
	fs.IntVar(&o.tracks, "tracks", 45, "tracks per vehicle (a page holds 10)")
	fs.StringVar(&o.redis, "redis", "", "Redis host:port (default: REDIS_URL, else a redis-server started here)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("%w: %v", errFlags, err)
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.workers < 1 || o.limit < 1 || o.vehicles < 1 || o.tracks < 1:
		return o, errors.New("-workers, -limit, -vehicles and -tracks must be positive")
	case o.window < 100*time.Millisecond:
		return o, errors.New("-window must be at least 100ms")
	}
	return o, nil
}

// run compares the two modes and prints a table on stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	redisOpts, stopRedis, err := openRedis(o.redis, stderr)
	if err != nil {
		return err
	}
	defer stopRedis()

	fmt.Fprintf(stdout, "%d worker processes, one credential, %d vehicles × %d tracks, a budget of %d requests per %v\n",
		o.workers, o.vehicles, o.tracks, o.limit, o.window)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "mode\trequests\trefused (403)\telapsed\ttracks exported")
	for _, shared := range []bool{false, true} {
		m, err := runMode(ctx, o, shared, redisOpts)
		if err != nil {
			return err
		}
		name := "each process alone"
		if shared {
			name = "shared through Redis"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%v\t%d\n", name, m.requests, m.refused, m.elapsed.Round(10*time.Millisecond), m.tracks)
	}
	return tw.Flush()
}

// openRedis returns how to reach Redis, and how to stop the server it started, if any.
func openRedis(addr string, log io.Writer) (*redis.Options, func(), error) {
	if addr != "" {
		return &redis.Options{Addr: addr}, func() {}, nil
	}
	if u := os.Getenv("REDIS_URL"); u != "" {
		o, err := redis.ParseURL(u)
		if err != nil {
			return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		return o, func() {}, nil
	}
	srv, err := redistest.Start()
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(log, "started redis-server on %s\n", srv.Addr)
	return &redis.Options{Addr: srv.Addr}, func() { _ = srv.Close() }, nil
}

// job is what one worker process does.
type job struct {
	BaseURL, TokenURL, ClientID, ClientSecret string
	Redis                                     *redisAddr `json:",omitempty"`
	Vehicles                                  []int64
}

// redisAddr is where a worker finds Redis.
type redisAddr struct {
	Addr, Username, Password string
	DB                       int
}

type mode struct {
	requests, refused, tracks int
	elapsed                   time.Duration
}

// runMode starts a fresh fake and the workers, each exporting the tracks of its share
// of the vehicles, and waits for them.
func runMode(ctx context.Context, o options, shared bool, redisOpts *redis.Options) (mode, error) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithBudget(o.limit, o.window), mycartrackstest.WithVehicles(o.vehicles),
		mycartrackstest.WithTracksPerVehicle(o.tracks), mycartrackstest.WithPointsPerTrack(2))
	defer srv.Close()
	if shared {
		// A fresh budget for the new fake: its windows start now.
		rdb := redis.NewClient(redisOpts)
		err := rdb.Del(ctx, redisbudget.DefaultPrefix+"budget:"+mycartracks.Provider+"/"+srv.ClientID).Err()
		_ = rdb.Close()
		if err != nil {
			return mode{}, fmt.Errorf("redis: %w", err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return mode{}, err
	}
	ids := srv.Fleet().VehicleIDs()
	start := time.Now()
	var (
		mu     sync.Mutex
		tracks int
		errs   []error
		wg     sync.WaitGroup
	)
	for w := range o.workers {
		j := job{BaseURL: srv.BaseURL, TokenURL: srv.TokenURL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret}
		if shared {
			j.Redis = &redisAddr{Addr: redisOpts.Addr, Username: redisOpts.Username, Password: redisOpts.Password, DB: redisOpts.DB}
		}
		for i := w; i < len(ids); i += o.workers {
			j.Vehicles = append(j.Vehicles, ids[i])
		}
		raw, err := json.Marshal(j)
		if err != nil {
			return mode{}, err
		}
		cmd := exec.CommandContext(ctx, self)
		cmd.Env = append(os.Environ(), workerEnv+"="+string(raw))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			return mode{}, err
		}
		if err := cmd.Start(); err != nil {
			return mode{}, err
		}
		wg.Go(func() {
			n, err := countRows(out)
			if werr := cmd.Wait(); err == nil && werr != nil {
				err = fmt.Errorf("worker %d: %w", w, werr)
			}
			mu.Lock()
			defer mu.Unlock()
			tracks += n
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	st := srv.Stats()
	return mode{requests: st.Requests, refused: st.RateLimited, tracks: tracks, elapsed: time.Since(start)}, errors.Join(errs...)
}

// countRows counts the CSV rows a worker exported.
func countRows(r io.Reader) (int, error) {
	n := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}

// workerMain is a worker process: it exports the tracks of its vehicles as CSV rows
// on its standard output, one goroutine per vehicle, with one client of the shared
// credential.
func workerMain() int {
	var j job
	if err := json.Unmarshal([]byte(os.Getenv(workerEnv)), &j); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	opts := []mycartracks.Option{mycartracks.WithBaseURL(j.BaseURL), mycartracks.WithTokenURL(j.TokenURL),
		mycartracks.WithMaxRetries(50), mycartracks.WithMaxWait(time.Minute)}
	if j.Redis != nil {
		// ContextTimeoutEnabled: a Redis that stops answering cannot hold a request
		// past the short bound the client gives each budget call.
		rdb := redis.NewClient(&redis.Options{Addr: j.Redis.Addr, Username: j.Redis.Username, Password: j.Redis.Password,
			DB: j.Redis.DB, ContextTimeoutEnabled: true})
		defer rdb.Close()
		store, err := redisbudget.New(rdb)
		if err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			return 2
		}
		opts = append(opts, mycartracks.WithSharedBudget(store))
	}
	client, err := mycartracks.NewClient(j.ClientID, j.ClientSecret, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	defer client.Close()
	var mu sync.Mutex
	out := csv.NewWriter(os.Stdout)
	code := 0
	var wg sync.WaitGroup
	for _, v := range j.Vehicles {
		wg.Go(func() {
			for tr, err := range client.Tracks.All(context.Background(), &mycartracks.TrackListOptions{VehicleID: mycartracks.ID(v),
				ListOptions: mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: 10}}}) {
				mu.Lock()
				if err != nil {
					fmt.Fprintln(os.Stderr, "worker:", err)
					code = 1
					mu.Unlock()
					return
				}
				_ = out.Write([]string{tr.ID.String(), tr.VehicleID.String(), tr.StartTime.UTC().Format(time.RFC3339),
					strconv.FormatFloat(tr.TotalDistance.Kilometres(), 'f', 3, 64)})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	out.Flush()
	if err := out.Error(); err != nil {
		return 1
	}
	return code
}
