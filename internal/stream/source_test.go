package stream

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// scriptedSource publishes what the test sends it and ends with what the test says.
type scriptedSource struct {
	events chan telematics.Event
	end    chan error
}

func (src *scriptedSource) Run(ctx context.Context, s *Session) error {
	s.SetState(telematics.StateConnected, nil)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-src.end:
			return err
		case ev := <-src.events:
			s.Heard()
			s.Publish(ev)
		}
	}
}

// refusing is a Tracker that refuses one vehicle.
type refusing struct {
	mu      sync.Mutex
	vehicle string
}

func (r *refusing) Advance(vehicleID string, _ time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return vehicleID != r.vehicle
}

func TestSessionRunsASource(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	src := &scriptedSource{events: make(chan telematics.Event), end: make(chan error)}
	s := NewSession(Config{Name: "test", Clock: clock, Source: src, Tracker: &refusing{vehicle: "b"}})
	sub, err := s.Subscribe(context.Background(), telematics.NewSubscribeConfig(telematics.PositionsOnly()))
	require.NoError(t, err)
	at := clock.Now()
	pos := func(id string, d time.Duration) telematics.Event {
		p := telematics.Position{VehicleID: id, Time: at.Add(d)}
		return telematics.Event{Kind: telematics.EventPosition, VehicleID: id, Position: p, Time: p.Time}
	}
	src.events <- pos("a", time.Minute)
	assert.Equal(t, at.Add(time.Minute), (<-sub.Positions()).Time)
	src.events <- pos("a", 0)           // older: stale
	src.events <- pos("b", time.Hour)   // refused by the tracker: stale
	src.events <- pos("a", time.Minute) // the same: stale
	src.events <- pos("a", 2*time.Minute)
	assert.Equal(t, at.Add(2*time.Minute), (<-sub.Positions()).Time)
	st := sub.State()
	assert.Equal(t, telematics.StateConnected, st.Conn)
	assert.Equal(t, uint64(3), st.Stale)
	assert.Equal(t, at, st.LastMessage)

	// A second subscriber gets the known positions as resync events.
	sub2, err := s.Subscribe(context.Background(), telematics.NewSubscribeConfig())
	require.NoError(t, err)
	ev := <-sub2.Events()
	assert.Equal(t, telematics.EventResync, ev.Kind)
	assert.Equal(t, "a", ev.VehicleID)

	// An error the source returns ends every subscription with it.
	boom := errors.New("boom")
	src.end <- boom
	for range sub.Positions() {
	}
	for range sub2.Events() {
	}
	assert.ErrorIs(t, sub.Err(), boom)
	assert.ErrorIs(t, sub2.Err(), boom)
	assert.Equal(t, telematics.StateClosed, sub.State().Conn)
	_, err = s.Subscribe(context.Background(), telematics.NewSubscribeConfig())
	assert.ErrorIs(t, err, ErrClosed)
}

func TestSessionSourceEndsWithItsLastSubscriber(t *testing.T) {
	src := &scriptedSource{events: make(chan telematics.Event), end: make(chan error)}
	s := NewSession(Config{Name: "test", Source: src})
	sub, err := s.Subscribe(context.Background(), telematics.NewSubscribeConfig())
	require.NoError(t, err)
	sub.Close()
	<-s.Done()
	assert.NoError(t, sub.Err())
	assert.NoError(t, s.Err(), "the context's end is not an error")
}
