package testkit

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// HeapSampler records the largest heap (bytes in live and not yet swept objects) seen
// while it runs, read from runtime/metrics every half millisecond by a goroutine of its
// own, so that a peak between two checkpoints of the code measured is seen too. The
// memory benchmarks report it beside their baselines.
type HeapSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

// StartHeapSampler collects garbage, then samples the heap until End.
func StartHeapSampler() *HeapSampler {
	runtime.GC()
	h := &HeapSampler{stop: make(chan struct{})}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		tick := time.NewTicker(500 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			h.peak = max(h.peak, s[0].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// End stops the sampler and returns the peak in bytes.
func (h *HeapSampler) End() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak
}

// MiB converts bytes to mebibytes for b.ReportMetric.
func MiB(n uint64) float64 { return float64(n) / (1 << 20) }
