package smartcar_test

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/smartcar"
)

// Building and closing many clients with the application rate limit leaves the heap as
// it was: the client-side limiter's shared state goes with the last client using it.
func TestManyClientsLeaveTheHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100,000 clients")
	}
	const clients = 100_000
	build := func() {
		c, err := smartcar.NewClient("client_id", "client-secret", smartcar.WithAppRateLimit())
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	build()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range clients {
		build()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap grew by %d bytes after %d clients", grown, clients)
	assert.Less(t, grown, int64(2<<20), "the heap stays flat")
}
