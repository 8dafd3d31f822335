package smartcartest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// An invalid option makes NewServer panic, naming it, as mycartrackstest's does.
func TestInvalidOptionsPanic(t *testing.T) {
	tests := []struct {
		option smartcartest.Option
		name   string
	}{
		{smartcartest.WithClock(nil), "WithClock"},
		{smartcartest.WithCredentials("", "secret"), "WithCredentials"},
		{smartcartest.WithCredentials("id", ""), "WithCredentials"},
		{smartcartest.WithTokenLifetime(0), "WithTokenLifetime"},
		{smartcartest.WithAppRateLimit(0, time.Second), "WithAppRateLimit"},
		{smartcartest.WithAppRateLimit(-1, time.Second), "WithAppRateLimit"},
		{smartcartest.WithAppRateLimit(10, 0), "WithAppRateLimit"},
		{smartcartest.WithErrorForm(smartcartest.ErrorForm(99)), "WithErrorForm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := testkit.PanicMessage(func() { smartcartest.NewServer(tt.option).Close() })
			assert.True(t, strings.HasPrefix(msg, "smartcartest: "+tt.name), "panic: %q", msg)
		})
	}
	t.Run("every invalid option is named", func(t *testing.T) {
		assert.PanicsWithValue(t, "smartcartest: WithClock: the clock must not be nil; WithTokenLifetime(0s): must be positive", func() {
			smartcartest.NewServer(smartcartest.WithClock(nil), smartcartest.WithTokenLifetime(0)).Close()
		})
	})
}

func TestServerShape(t *testing.T) {
	srv := smartcartest.NewServer()
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	assert.NotContains(t, strings.TrimPrefix(srv.URL, "http://"), "/", "URL is the server's root, as httptest's")
	assert.Equal(t, srv.URL+smartcartest.VehiclePrefix, srv.VehicleAPIURL)
	assert.Equal(t, srv.URL+smartcartest.ManagementPrefix, srv.ManagementAPIURL)
	assert.Equal(t, srv.URL+smartcartest.TokenPath, srv.TokenURL)
	assert.Equal(t, smartcartest.DefaultClientID, srv.ClientID)
	assert.Equal(t, smartcartest.DefaultClientSecret, srv.ClientSecret)
	assert.Equal(t, "smartcartest.Server("+srv.URL+")", srv.String())
	assert.NotContains(t, srv.String(), srv.ClientSecret)
	srv.Close()
	srv.Close() // a second Close does nothing
	_, err := srv.Client().Get(srv.VehicleAPIURL + "/vehicles")
	assert.Error(t, err, "a closed server does not answer")
}

// NewClient gives a client the fake's URLs, HTTP client and clock: a client of a fake
// on a manual clock keeps its time.
func TestNewClient(t *testing.T) {
	clock := clocktest.New(smartcartest.Epoch)
	srv := smartcartest.NewServer(smartcartest.WithClock(clock))
	defer srv.Close()
	c, err := srv.NewClient()
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, srv.VehicleAPIURL, c.VehicleAPIURL())
	assert.Equal(t, srv.ManagementAPIURL, c.ManagementAPIURL())

	_, err = c.Vehicles.Get(context.Background(), smartcartest.VehicleModel3)
	require.NoError(t, err)
	log := srv.Requests()
	require.Len(t, log, 1)
	assert.Equal(t, smartcartest.RequestID(1), log[0].ID)
	assert.Equal(t, "00000000-0000-4000-8000-000000000001", log[0].ID, "a UUID, as mycartrackstest's")
	assert.Equal(t, smartcartest.Epoch, log[0].Time)
	assert.Equal(t, 1, srv.Grants())
	assert.Equal(t, smartcartest.Stats{Requests: 1, TokenRequests: 1, Grants: 1}, srv.Stats())
}
