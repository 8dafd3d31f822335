package mycartracks_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// The fake's scripted hostile answers, met through the public client: a 200 without the
// list envelope ends neither List nor All silently.
func TestHostileFakeEnvelopeThroughClient(t *testing.T) {
	for _, fault := range []mycartrackstest.FaultKind{mycartrackstest.FaultNoData, mycartrackstest.FaultEmptyObject} {
		t.Run(fault.String(), func(t *testing.T) {
			f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(3)})
			ctx := context.Background()

			f.srv.FailNext(fault)
			_, err := f.client.Vehicles.List(ctx, nil)
			require.ErrorIs(t, err, telematics.ErrMalformedResponse)
			var re *telematics.RequestError
			require.True(t, errors.As(err, &re), "a RequestError naming the call: %v", err)
			assert.Contains(t, re.URL, "/vehicles")

			f.srv.FailNext(fault)
			var n int
			var iterErr error
			for _, err := range f.client.Vehicles.All(ctx, nil) {
				if err != nil {
					iterErr = err
					break
				}
				n++
			}
			require.ErrorIs(t, iterErr, telematics.ErrMalformedResponse)
			assert.Zero(t, n, "nothing is yielded from a body without data")

			// The next call is served normally.
			var got []mycartracks.Vehicle
			for v, err := range f.client.Vehicles.All(ctx, nil) {
				require.NoError(t, err)
				got = append(got, v)
			}
			assert.Len(t, got, 3)
		})
	}
}
