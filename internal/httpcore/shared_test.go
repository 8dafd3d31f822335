package httpcore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// lateContext is a context whose deadline has passed while its timer has not fired
// yet: what a store call bounded by the caller's deadline sees when it fails.
type lateContext struct{ context.Context }

func (lateContext) Deadline() (time.Time, bool) { return time.Now().Add(-time.Millisecond), true }

// A store call that failed because the caller's deadline passed is the caller's
// failure, whether or not the context says so yet: it must not count as an outage of
// the store (a warning, and the request let loose on local pacing past its deadline).
func TestCallerDone(t *testing.T) {
	assert.NoError(t, callerDone(context.Background()))
	late := lateContext{context.Background()}
	assert.NoError(t, late.Err(), "its timer has not fired")
	assert.ErrorIs(t, callerDone(late), context.DeadlineExceeded)

	soon, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	assert.NoError(t, callerDone(soon))
	cancel()
	assert.ErrorIs(t, callerDone(soon), context.Canceled)

	s := newShared(Config{}, nil)
	err := s.call(late, time.Now, func(context.Context) error { return errors.New("i/o timeout") })
	assert.Error(t, err)
	assert.True(t, s.usable(time.Now()), "the store is not marked down for the caller's deadline")
	err = s.call(context.Background(), time.Now, func(context.Context) error { return errors.New("i/o timeout") })
	assert.Error(t, err)
	assert.False(t, s.usable(time.Now()), "the store's own failure marks it down")
}
