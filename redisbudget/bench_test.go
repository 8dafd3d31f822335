package redisbudget_test

import (
	"testing"
	"time"

	xrate "golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/internal/ratelimit"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// BenchmarkReserve compares taking one request's grant from the Redis budget on
// loopback (a Lua script: one round trip) with the in-process ways of pacing: the
// client-side limiter (a golang.org/x/time/rate bucket, WithBudget) and the pacer that
// follows the provider's headers. redis-ping is the floor of any Redis call: a bare
// round trip with go-redis.
func BenchmarkReserve(b *testing.B) {
	b.Run("redis", func(b *testing.B) {
		s, _ := newStore(b)
		k := telematics.BudgetKey{Provider: "mycartracks", ClientID: "bench", Limit: 150, Window: 15 * time.Minute}
		if _, err := s.Reserve(b.Context(), k); err != nil {
			b.Fatal(err)
		}
		// A budget that never runs out during the benchmark.
		if err := s.Observe(b.Context(), k, telematics.Rate{Limit: 1 << 30, Remaining: 1 << 30, Reset: time.Now().Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
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
		lim := xrate.NewLimiter(xrate.Inf, 1)
		b.ReportAllocs()
		for b.Loop() {
			if r := lim.Reserve(); !r.OK() || r.Delay() != 0 {
				b.Fatal("no grant")
			}
		}
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
