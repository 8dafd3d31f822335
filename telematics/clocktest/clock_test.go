package clocktest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := clocktest.New(start)
	assert.NoError(t, c.Sleep(context.Background(), time.Minute))
	assert.NoError(t, c.Sleep(context.Background(), -time.Second))
	c.Advance(time.Hour)
	assert.Equal(t, start.Add(61*time.Minute), c.Now())
	assert.Equal(t, []time.Duration{time.Minute, -time.Second}, c.Sleeps())
	assert.Equal(t, time.Minute-time.Second, c.Slept())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, c.Sleep(ctx, time.Hour), context.Canceled)
	assert.Equal(t, start.Add(61*time.Minute), c.Now(), "a cancelled sleep does not advance")
}
