package mycartracks_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// A 403 saying the budget is spent but not when it resets is retried once, after the
// 15-minute window and its margin, not every second; with a shorter maximum wait it is
// a RateLimitError at once.
func TestSpentBudgetWithoutResetWaitsTheWindow(t *testing.T) {
	serve := func(s *scripted, n *atomic.Int32) {
		s.handle("GET /vehicles", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Del("X-Rate-Limit-Reset")
			if n.Add(1) == 1 {
				w.Header().Set("X-Rate-Limit-Remaining", "0")
				writeJSON(w, http.StatusForbidden, map[string]string{"message": "Rate limit exceeded"})
				return
			}
			writeJSON(w, 200, map[string]any{"data": []any{}})
		})
	}
	s := newScripted(t)
	var n atomic.Int32
	serve(s, &n)
	_, err := s.client.Vehicles.List(context.Background(), nil)
	require.NoError(t, err)
	assert.EqualValues(t, 2, n.Load())
	assert.GreaterOrEqual(t, s.clock.Slept(), mycartracks.RateWindow+time.Second)
	assert.Less(t, s.clock.Slept(), mycartracks.RateWindow+2*time.Second)

	s = newScripted(t, mycartracks.WithMaxWait(time.Minute))
	n.Store(0)
	serve(s, &n)
	_, err = s.client.Vehicles.List(context.Background(), nil)
	var rl *telematics.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, mycartracks.RateWindow, rl.RetryAfter)
	assert.EqualValues(t, 1, n.Load())
	assert.Zero(t, s.clock.Slept())
}
