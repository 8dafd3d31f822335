package mycartracks

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// A value that came from the wire is written as it came (12.5, not 12.500000000000002)
// and converts back to exactly the same SI value. Any duration does too; a speed or
// distance set in Go that no wire value converts to exactly comes back as the nearest
// one, one unit in the last place away.
func TestWireUnitsConvertBack(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		x := r.Float64() * 400
		s := telematics.MetresPerSecond(x)
		requireWithinULP(t, float64(s), float64(telematics.KilometresPerHour(kmh(s))))
		d := telematics.Metres(x * 1000)
		requireWithinULP(t, float64(d), float64(telematics.Kilometres(km(d))))
		dur := time.Duration(r.Int64N(int64(30 * 24 * time.Hour)))
		require.Equal(t, dur, durationMillis(ms(dur)), "%v", dur)

		wire := float64(r.IntN(1_000_000)) / 1000 // as the API sends: 3 decimals
		assert.Equal(t, wire, kmh(telematics.KilometresPerHour(wire)))
		assert.Equal(t, wire, km(telematics.Kilometres(wire)))
		assert.Equal(t, wire, ms(durationMillis(wire)))
		assert.Equal(t, telematics.KilometresPerHour(wire), telematics.KilometresPerHour(kmh(telematics.KilometresPerHour(wire))))
	}
}

func requireWithinULP(t *testing.T, want, got float64) {
	t.Helper()
	if got != want {
		require.True(t, got == math.Nextafter(want, math.Inf(1)) || got == math.Nextafter(want, math.Inf(-1)), "%v came back as %v", want, got)
	}
}
