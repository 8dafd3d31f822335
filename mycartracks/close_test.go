package mycartracks_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

// A client built without WithHTTPClient owns its connections: after Close none is left
// open, with the token request's and the API's connections both made.
func TestCloseLeavesNoConnection(t *testing.T) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2), mycartrackstest.WithoutRateLimit())
	defer srv.Close()
	ignore := goleak.IgnoreCurrent()
	c, err := mycartracks.NewClient(srv.ClientID, srv.ClientSecret, mycartracks.WithBaseURL(srv.BaseURL),
		mycartracks.WithTokenURL(srv.TokenURL))
	require.NoError(t, err)
	page, err := c.Vehicles.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	c.Close()
	c.Close()
	// Before the server closes: httptest.Server.Close would drop http.DefaultTransport's
	// idle connections itself.
	goleak.VerifyNone(t, ignore)
}

// Building and closing many clients with a budget leaves the heap as it was: the
// client-side limiter's shared state goes with the last client using it.
func TestManyClientsLeaveTheHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100,000 clients")
	}
	const clients = 100_000
	build := func() {
		c, err := mycartracks.NewClient(clientID, clientSecret, mycartracks.WithBudget(150, 15*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	build() // package-level state set up once
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
