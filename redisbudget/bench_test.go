package redisbudget_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	xrate "golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/internal/ratelimit"
	"github.com/fleetkit/fleetkit-go/redisbudget"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// benchBudget returns a Store and the key of a budget that never runs out during a
// benchmark.
func benchBudget(b *testing.B, clientID string) (*redisbudget.Store, *redis.Client, telematics.BudgetKey) {
	s, rdb := newStore(b)
	k := telematics.BudgetKey{Provider: "mycartracks", ClientID: clientID, Limit: 150, Window: 15 * time.Minute}
	if _, err := s.Reserve(b.Context(), k); err != nil {
		b.Fatal(err)
	}
	if err := s.Observe(b.Context(), k, telematics.Rate{Limit: 1 << 30, Remaining: 1 << 30, Reset: time.Now().Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	return s, rdb, k
}

// BenchmarkReserve compares taking one request's grant from the Redis budget on
// loopback (a Lua script: one round trip) with the in-process ways of pacing: the
// client-side limiter (a golang.org/x/time/rate bucket, WithBudget) and the pacer that
// follows the provider's headers. redis-ping is the floor of any Redis call: a bare
// round trip with go-redis. On a busy machine the separate sub-benchmarks meet different
// loads; side-by-side alternates the three on every iteration, in the same second, and
// reports each one's time and the Redis grant's over the bare round trip's.
func BenchmarkReserve(b *testing.B) {
	b.Run("redis", func(b *testing.B) {
		s, _, k := benchBudget(b, "bench")
		b.ReportAllocs()
		for b.Loop() {
			if d, err := s.Reserve(b.Context(), k); err != nil || d != 0 {
				b.Fatal(d, err)
			}
		}
	})
	b.Run("redis-ping", func(b *testing.B) {
		rdb := newRedis(b)
		b.ReportAllocs()
		for b.Loop() {
			if err := rdb.Ping(b.Context()).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("in-process-limiter", func(b *testing.B) {
		// A finite rate, as WithBudget builds, so that each grant does the bucket's
		// arithmetic (an infinite one skips it); fast enough never to make it wait.
		lim := xrate.NewLimiter(xrate.Limit(1e12), 1<<20)
		b.ReportAllocs()
		for b.Loop() {
			if r := lim.Reserve(); !r.OK() || r.Delay() != 0 {
				b.Fatal("no grant")
			}
		}
	})
	b.Run("side-by-side", func(b *testing.B) {
		s, rdb, k := benchBudget(b, "bench-side-by-side")
		lim := xrate.NewLimiter(xrate.Limit(1e12), 1<<20)
		const grants = 64 // limiter grants per iteration: each is too short to time alone
		var redisTime, pingTime, limTime time.Duration
		for b.Loop() {
			t0 := time.Now()
			if d, err := s.Reserve(b.Context(), k); err != nil || d != 0 {
				b.Fatal(d, err)
			}
			t1 := time.Now()
			if err := rdb.Ping(b.Context()).Err(); err != nil {
				b.Fatal(err)
			}
			t2 := time.Now()
			for range grants {
				if r := lim.Reserve(); !r.OK() || r.Delay() != 0 {
					b.Fatal("no grant")
				}
			}
			t3 := time.Now()
			redisTime += t1.Sub(t0)
			pingTime += t2.Sub(t1)
			limTime += t3.Sub(t2)
		}
		n := float64(b.N)
		b.ReportMetric(float64(redisTime.Nanoseconds())/n, "redis-ns/grant")
		b.ReportMetric(float64(pingTime.Nanoseconds())/n, "redis-ping-ns")
		b.ReportMetric(float64(limTime.Nanoseconds())/n/grants, "in-process-ns/grant")
		b.ReportMetric(float64(redisTime)/float64(pingTime), "redis/ping")
	})
	b.Run("in-process-pacer", func(b *testing.B) {
		p := ratelimit.NewPacer()
		now := time.Now()
		p.Observe(telematics.Rate{Limit: 1 << 30, Remaining: 1 << 30, Reset: now.Add(time.Hour)})
		b.ReportAllocs()
		for b.Loop() {
			if p.Reserve(now) != 0 {
				b.Fatal("no grant")
			}
		}
	})
}
