package stream

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHubOverflowPolicies: one slow subscriber (never reads) per policy; the fast ones
// receive every value, in order, and the slow one's drops are counted.
func TestHubOverflowPolicies(t *testing.T) {
	const n, buffer = 1000, 8
	for _, policy := range []telematics.Overflow{telematics.DropOldest, telematics.DropNewest, telematics.Block, telematics.Disconnect} {
		t.Run(policy.String(), func(t *testing.T) {
			clock := clocktest.New(time.Unix(0, 0))
			h := NewHub[int](clock)
			var reasons []error
			var mu sync.Mutex
			slow := h.Subscribe(buffer, policy, time.Second, func(err error) {
				mu.Lock()
				reasons = append(reasons, err)
				mu.Unlock()
			})
			var wg sync.WaitGroup
			got := make([][]int, 3)
			for i := range got {
				fast := h.Subscribe(n, telematics.DropNewest, 0, nil)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for v := range fast.C() {
						got[i] = append(got[i], v)
					}
				}()
			}
			for v := 0; v < n; v++ {
				h.Publish(v)
			}
			if policy == telematics.Block {
				waitTimers(t, clock, 1)        // the pump waits for room for value 8
				clock.Advance(2 * time.Second) // every value's wait times out
			}
			switch policy {
			case telematics.DropOldest:
				var last []int
				for i := 0; i < buffer; i++ {
					last = append(last, <-slow.C())
				}
				assert.Equal(t, []int{992, 993, 994, 995, 996, 997, 998, 999}, last, "the newest survive")
				assert.EqualValues(t, n-buffer, slow.Dropped())
			case telematics.DropNewest:
				for i := 0; i < buffer; i++ {
					assert.Equal(t, i, <-slow.C(), "the oldest survive")
				}
				assert.EqualValues(t, n-buffer, slow.Dropped())
			case telematics.Block:
				require.Eventually(t, func() bool { return slow.Dropped() == n-buffer }, 5*time.Second, time.Millisecond)
				for i := 0; i < buffer; i++ {
					assert.Equal(t, i, <-slow.C(), "what fit in the buffer stays")
				}
			case telematics.Disconnect:
				for range slow.C() {
				}
				assert.EqualValues(t, 1, slow.Dropped())
			}
			h.Close()
			wg.Wait()
			for i := range got {
				require.Len(t, got[i], n, "fast subscriber %d got everything", i)
				for v := range got[i] {
					require.Equal(t, v, got[i][v])
				}
			}
			if policy == telematics.Disconnect {
				require.Eventually(t, func() bool {
					mu.Lock()
					defer mu.Unlock()
					return len(reasons) == 1
				}, 5*time.Second, time.Millisecond)
				assert.ErrorIs(t, reasons[0], telematics.ErrSlowSubscriber)
			}
		})
	}
}

// TestHubBlockWaitsForTheSubscriber: a Block subscriber that reads late still gets what
// waited less than the timeout.
func TestHubBlockWaitsForTheSubscriber(t *testing.T) {
	clock := clocktest.New(time.Unix(0, 0))
	h := NewHub[int](clock)
	defer h.Close()
	s := h.Subscribe(4, telematics.Block, time.Minute, nil)
	for v := 0; v < 4; v++ {
		h.Publish(v)
	}
	for v := 0; v < 4; v++ {
		assert.Equal(t, v, <-s.C())
	}
	assert.Zero(t, s.Dropped())
}

// waitTimers waits until n timers are armed on clock (a pump waiting for room).
func waitTimers(t *testing.T, clock *clocktest.Clock, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return clock.Timers() == n }, 5*time.Second, time.Millisecond)
}

// TestHubBlockSlowWithinTimeout: a Block subscriber that reads nothing until the
// publisher is done, but within the timeout, loses nothing, and Publish never waits for
// it: a DropOldest subscriber receives everything meanwhile.
func TestHubBlockSlowWithinTimeout(t *testing.T) {
	const n = 1000
	clock := clocktest.New(time.Unix(0, 0))
	h := NewHub[int](clock)
	defer h.Close()
	slow := h.Subscribe(1, telematics.Block, time.Minute, nil)
	fast := h.Subscribe(n, telematics.DropOldest, 0, nil)
	for v := 0; v < n; v++ {
		require.Equal(t, 2, h.Publish(v))
	}
	for v := 0; v < n; v++ {
		require.Equal(t, v, <-fast.C())
	}
	clock.Advance(59 * time.Second) // still within the timeout
	for v := 0; v < n; v++ {
		require.Equal(t, v, <-slow.C())
	}
	assert.Zero(t, slow.Dropped())
	assert.Zero(t, fast.Dropped())
	slow.blk.mu.Lock()
	assert.Len(t, slow.blk.items, 1, "the queue gives the burst's memory back")
	slow.blk.mu.Unlock()
}

// TestHubBlockStuckBeyondTimeout: a Block subscriber full for longer than the timeout
// drops what waited that long (counted); the others are unaffected, and it receives
// again once it reads.
func TestHubBlockStuckBeyondTimeout(t *testing.T) {
	const n, buffer = 10, 2
	clock := clocktest.New(time.Unix(0, 0))
	h := NewHub[int](clock)
	defer h.Close()
	stuck := h.Subscribe(buffer, telematics.Block, time.Second, nil)
	fast := h.Subscribe(2*n, telematics.DropOldest, 0, nil)
	for v := 0; v < n; v++ {
		h.Publish(v)
	}
	waitTimers(t, clock, 1)
	clock.Advance(999 * time.Millisecond)
	assert.Zero(t, stuck.Dropped(), "not yet beyond the timeout")
	clock.Advance(time.Millisecond)
	require.Eventually(t, func() bool { return stuck.Dropped() == n-buffer }, 5*time.Second, time.Millisecond)
	for v := 0; v < buffer; v++ {
		assert.Equal(t, v, <-stuck.C())
	}
	h.Publish(n)
	assert.Equal(t, n, <-stuck.C(), "delivers again once read")
	for v := 0; v <= n; v++ {
		require.Equal(t, v, <-fast.C())
	}
	assert.Zero(t, fast.Dropped())
	assert.EqualValues(t, n-buffer, stuck.Dropped())
}

// TestHubCloseWhileBlockWaits: closing the hub or the subscriber while its pump waits
// for room ends the pump, closes the channel once and cancels the timer.
func TestHubCloseWhileBlockWaits(t *testing.T) {
	for _, hubClose := range []bool{true, false} {
		clock := clocktest.New(time.Unix(0, 0))
		h := NewHub[int](clock)
		s := h.Subscribe(1, telematics.Block, time.Minute, nil)
		for v := 0; v < 3; v++ {
			h.Publish(v)
		}
		waitTimers(t, clock, 1)
		if hubClose {
			h.Close()
		} else {
			s.Close()
		}
		assert.Equal(t, 0, <-s.C())
		_, open := <-s.C()
		assert.False(t, open)
		assert.Zero(t, clock.Timers(), "the timer is cancelled")
		s.Close()
		h.Close()
	}
}

// TestHubStress: publishers and subscribers joining and leaving at once; -race finds a
// send on a closed channel as a panic, a double close as a panic.
func TestHubStress(t *testing.T) {
	h := NewHub[int](nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := 0; ; v++ {
				select {
				case <-stop:
					return
				default:
					h.Publish(v)
				}
			}
		}()
	}
	policies := []telematics.Overflow{telematics.DropOldest, telematics.DropNewest, telematics.Block, telematics.Disconnect}
	for i := 0; i < 400; i++ {
		s := h.Subscribe(1+i%4, policies[i%4], time.Millisecond, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for range s.C() {
				n++
				if n == i%7 {
					s.Close()
				}
			}
		}()
		if i%3 == 0 {
			s.Close()
			s.Close()
		}
	}
	close(stop)
	h.Close()
	h.Close()
	wg.Wait()
	closed := h.Subscribe(1, telematics.DropOldest, 0, nil)
	_, open := <-closed.C()
	assert.False(t, open)
	assert.Zero(t, h.Publish(1))
}

func TestHubPublishAllocatesNothing(t *testing.T) {
	h := NewHub[telematics.Position](nil)
	defer h.Close()
	for i := 0; i < 100; i++ {
		h.Subscribe(4, telematics.Overflow(i%2), 0, nil)
	}
	p := telematics.Position{VehicleID: "7", Latitude: 1, Longitude: 2}
	allocs := testing.AllocsPerRun(1000, func() { h.Publish(p) })
	assert.Zero(t, allocs)
}

func TestRedactURL(t *testing.T) {
	u := "wss://live.example.com/stream/abc123secretid?token=s3cr3t-t0ken&x=1"
	assert.Equal(t, "wss://live.example.com/stream/REDACTED?token=REDACTED&x=REDACTED", RedactURL(u))
	text := `Get "wss://live.example.com/stream/abc123secretid?token=s3cr3t-t0ken&x=1": dial tcp: refused; token s3cr3t-t0ken`
	got := redactText(text, u, RedactURL(u))
	assert.NotContains(t, got, "s3cr3t-t0ken")
	assert.NotContains(t, got, "abc123secretid")
}
