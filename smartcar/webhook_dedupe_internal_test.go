package smartcar

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

func TestMemoryDedupeStoreRetention(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	s := NewMemoryDedupeStore(WithDedupeClock(clock))
	fresh, err := s.Claim(ctx, "a", 0)
	require.NoError(t, err)
	assert.True(t, fresh)
	fresh, _ = s.Claim(ctx, "a", 0)
	assert.False(t, fresh, "claimed again within the retention")
	clock.Advance(DefaultDedupeRetention - time.Second)
	fresh, _ = s.Claim(ctx, "a", 0)
	assert.False(t, fresh, "the default retention is seven days")
	clock.Advance(time.Second)
	fresh, _ = s.Claim(ctx, "a", 0)
	assert.True(t, fresh, "remembered for its retention only")
	require.NoError(t, s.Forget(ctx, "a"))
	fresh, _ = s.Claim(ctx, "a", time.Minute)
	assert.True(t, fresh, "forgotten")
}

// The store holds at most its capacity, forgetting the oldest claims first, and its
// order does not grow with claims and forgets.
func TestMemoryDedupeStoreBounded(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(time.Unix(0, 0))
	s := NewMemoryDedupeStore(WithDedupeCapacity(100), WithDedupeClock(clock))
	for i := 0; i < 1000; i++ {
		_, _ = s.Claim(ctx, fmt.Sprint(i), time.Hour)
	}
	assert.Equal(t, 100, s.Len())
	assert.EqualValues(t, 900, s.Evicted())
	fresh, _ := s.Claim(ctx, "999", time.Hour)
	assert.False(t, fresh, "the newest are kept")
	fresh, _ = s.Claim(ctx, "0", time.Hour)
	assert.True(t, fresh, "the oldest went first")
	for i := 0; i < 10000; i++ {
		id := fmt.Sprint("x", i%7)
		_, _ = s.Claim(ctx, id, time.Hour)
		_ = s.Forget(ctx, id)
	}
	s.mu.Lock()
	assert.Less(t, len(s.order)-s.head, 3000, "tombstones are compacted")
	s.mu.Unlock()
	// Expired ids leave as time passes.
	clock.Advance(2 * time.Hour)
	_, _ = s.Claim(ctx, "late", time.Hour)
	assert.Equal(t, 1, s.Len())
}

func TestSignalClock(t *testing.T) {
	c := newSignalClock()
	t0 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	assert.False(t, c.observe("v", SignalLocationPreciseLocation, t0))
	assert.False(t, c.observe("v", SignalLocationPreciseLocation, t0), "the same time is not stale")
	assert.True(t, c.observe("v", SignalLocationPreciseLocation, t0.Add(-time.Second)))
	assert.False(t, c.observe("w", SignalLocationPreciseLocation, t0.Add(-time.Second)), "per vehicle")
	assert.False(t, c.observe("v", SignalClosureIsLocked, t0.Add(-time.Hour)), "per signal")
	assert.False(t, c.observe("v", SignalLocationPreciseLocation, time.Time{}), "no time, no judgement")
	assert.False(t, c.observe("v", SignalLocationPreciseLocation, t0.Add(time.Minute)))
	last, ok := c.latest("v", SignalLocationPreciseLocation)
	assert.True(t, ok)
	assert.Equal(t, t0.Add(time.Minute), last)
}

// One caller holds a key's turn at a time; a waiter gives up with its context; the map
// holds only the keys in use.
func TestKeyedTurns(t *testing.T) {
	var k keyedTurns
	unlock, err := k.lock(context.Background(), "v")
	require.NoError(t, err)
	other, err := k.lock(context.Background(), "w")
	require.NoError(t, err, "another key is free")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = k.lock(ctx, "v")
	assert.ErrorIs(t, err, context.Canceled, "the turn is held")
	got := make(chan func())
	go func() {
		u, err := k.lock(context.Background(), "v")
		assert.NoError(t, err)
		got <- u
	}()
	select {
	case <-got:
		t.Fatal("two turns at once")
	default:
	}
	unlock()
	(<-got)()
	other()
	assert.Empty(t, k.m, "no key is kept once unused")
}
