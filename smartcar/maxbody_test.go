package smartcar_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestWithMaxResponseBody(t *testing.T) {
	for _, n := range []int64{0, -1} {
		_, err := smartcar.NewClient("id", "secret", smartcar.WithMaxResponseBody(n))
		assert.ErrorIs(t, err, telematics.ErrInvalidInput, n)
		assert.ErrorContains(t, err, "maximum response body")
	}
	body := `{"data":{"id":"v","attributes":{"make":"` + strings.Repeat("x", 2000) + `"}}}`
	for _, n := range []int64{1000, smartcar.DefaultMaxResponseBody} {
		f := newScripted(t, smartcar.WithMaxResponseBody(n))
		f.handle("GET /v3/vehicles/{id}", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(body))
		})
		_, err := f.client.Vehicles.Get(context.Background(), "v")
		if n == 1000 {
			assert.ErrorIs(t, err, telematics.ErrResponseTooLarge)
		} else {
			assert.NoError(t, err)
		}
	}
}

// Do hands back new memory for a raw body each call, also when given a slice with
// capacity: a caller may keep the bodies of earlier calls.
func TestDoRawBodyIsNewMemory(t *testing.T) {
	f := newScripted(t)
	var n int
	f.handle("GET /v3/vehicles/{id}", func(w http.ResponseWriter, r *http.Request) {
		n++
		_, _ = w.Write([]byte(`{"data":{"id":"` + strings.Repeat("v", n) + `"}}`))
	})
	var raw []byte
	var kept []string
	var keptRaw [][]byte
	for range 3 {
		_, err := f.client.Do(context.Background(), smartcar.VehicleAPI, "", "/vehicles/v", nil, nil, &raw)
		require.NoError(t, err)
		kept = append(kept, string(raw))
		keptRaw = append(keptRaw, raw)
	}
	for i := range kept {
		assert.Equal(t, kept[i], string(keptRaw[i]), "an earlier body was overwritten")
	}
}
