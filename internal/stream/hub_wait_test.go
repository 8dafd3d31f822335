package stream

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// PublishWait waits for room instead of applying the policy, and reports who took the
// value.
func TestHubPublishWaitWaitsForRoom(t *testing.T) {
	for _, policy := range []telematics.Overflow{telematics.DropOldest, telematics.DropNewest, telematics.Disconnect} {
		t.Run(policy.String(), func(t *testing.T) {
			h := NewHub[int](clocktest.New(time.Unix(0, 0)))
			defer h.Close()
			s := h.Subscribe(1, policy, 0, nil)
			took, err := h.PublishWait(context.Background(), 1, nil)
			require.NoError(t, err)
			assert.Equal(t, []*Sub[int]{s}, took)

			done := make(chan []*Sub[int])
			go func() {
				took, err := h.PublishWait(context.Background(), 2, nil)
				assert.NoError(t, err)
				done <- took
			}()
			assert.Equal(t, 1, <-s.C(), "the first value was kept, not dropped")
			assert.Equal(t, []*Sub[int]{s}, <-done)
			assert.Equal(t, 2, <-s.C())
			assert.Zero(t, s.Dropped())
		})
	}
}

// A full subscriber that does not make room before ctx ends does not take the value,
// and never gets it later; the others do.
func TestHubPublishWaitDeadline(t *testing.T) {
	h := NewHub[int](nil)
	defer h.Close()
	full := h.Subscribe(1, telematics.DropOldest, 0, nil)
	free := h.Subscribe(4, telematics.DropOldest, 0, nil)
	_, err := h.PublishWait(context.Background(), 1, nil)
	require.NoError(t, err)
	// ctx has ended: the full subscriber cannot take the value, the free one still does.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	took, err := h.PublishWait(ctx, 2, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []*Sub[int]{free}, took)
	assert.Equal(t, 1, <-full.C())
	select {
	case v := <-full.C():
		t.Fatalf("got %d after the wait gave up", v)
	default:
	}

	// The retry skips the subscriber that took it.
	took, err = h.PublishWait(context.Background(), 2, func(s *Sub[int]) bool { return s == free })
	require.NoError(t, err)
	assert.Equal(t, []*Sub[int]{full}, took)
	assert.Equal(t, 2, <-full.C())
	assert.Equal(t, []int{1, 2}, []int{<-free.C(), <-free.C()})
}

// Closing a subscriber (or the hub) while a PublishWait waits on it ends the wait
// without an error and without a send on a closed channel.
func TestHubPublishWaitClose(t *testing.T) {
	for i := 0; i < 200; i++ {
		h := NewHub[int](nil)
		s := h.Subscribe(1, telematics.DropOldest, 0, nil)
		other := h.Subscribe(1, telematics.Block, time.Second, nil)
		var wg sync.WaitGroup
		for j := 0; j < 3; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := h.PublishWait(context.Background(), j, nil)
				assert.NoError(t, err)
			}()
		}
		if i%2 == 0 {
			s.Close()
		}
		h.Close()
		wg.Wait()
		for range s.C() {
		}
		for range other.C() {
		}
	}
}

// A Block subscriber takes the value into its queue at once.
func TestHubPublishWaitBlockQueues(t *testing.T) {
	h := NewHub[int](clocktest.New(time.Unix(0, 0)))
	defer h.Close()
	s := h.Subscribe(1, telematics.Block, time.Second, nil)
	for v := 0; v < 3; v++ {
		took, err := h.PublishWait(context.Background(), v, nil)
		require.NoError(t, err)
		require.Len(t, took, 1)
	}
	assert.Equal(t, []int{0, 1, 2}, []int{<-s.C(), <-s.C(), <-s.C()})
}
