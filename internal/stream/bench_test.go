package stream

import (
	"testing"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// fanOut is the benchmark's shape: every operation publishes fanOutBatch positions to
// fanOutSubs subscribers (buffers that hold a whole batch) and then empties every
// subscriber, so that no goroutine scheduling blurs the comparison.
const (
	fanOutSubs  = 100
	fanOutBatch = 64
)

// BenchmarkHubFanOut publishes to 100 subscribers through the Hub (default DropOldest
// policy) and, as the baseline in the same run, with a bare loop of sends on 100
// buffered channels. Both sides drain their channels the same way. The ratio
// sub-benchmark alternates both sides on every iteration and reports their deliveries
// per second and the hub/baseline quotient (target ≥ 0.6); the hub sub-benchmark's
// allocs/op is per 6,400 deliveries (target 0).
func BenchmarkHubFanOut(b *testing.B) {
	p := telematics.Position{VehicleID: "1234", Provider: "mycartracks", Latitude: 52.52, Longitude: 13.405, Time: time.Unix(1_700_000_000, 0)}

	h := NewHub[telematics.Position](nil)
	defer h.Close()
	subs := make([]*Sub[telematics.Position], fanOutSubs)
	for i := range subs {
		subs[i] = h.Subscribe(fanOutBatch, telematics.DropOldest, 0, nil)
	}
	hub := func() {
		for range fanOutBatch {
			h.Publish(p)
		}
		for _, s := range subs {
			for range fanOutBatch {
				<-s.ch
			}
		}
	}

	chans := make([]chan telematics.Position, fanOutSubs)
	for i := range chans {
		chans[i] = make(chan telematics.Position, fanOutBatch)
	}
	baseline := func() {
		for range fanOutBatch {
			for _, ch := range chans {
				ch <- p
			}
		}
		for _, ch := range chans {
			for range fanOutBatch {
				<-ch
			}
		}
	}

	const perOp = fanOutSubs * fanOutBatch
	b.Run("hub", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			hub()
		}
		b.ReportMetric(float64(perOp)*float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	})
	b.Run("channels-baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			baseline()
		}
		b.ReportMetric(float64(perOp)*float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	})
	b.Run("ratio", func(b *testing.B) {
		hubAllocs := testing.AllocsPerRun(10, hub)
		var hubTime, baseTime time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			hub()
			t1 := time.Now()
			baseline()
			hubTime += t1.Sub(t0)
			baseTime += time.Since(t1)
		}
		deliveries := float64(perOp) * float64(b.N)
		b.ReportMetric(deliveries/hubTime.Seconds(), "hub-deliveries/s")
		b.ReportMetric(deliveries/baseTime.Seconds(), "baseline-deliveries/s")
		b.ReportMetric(float64(baseTime)/float64(hubTime), "hub/baseline-rate")
		b.ReportMetric(hubAllocs/perOp, "hub-allocs/delivery")
	})
}
