package mycartrackstest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

func TestInvalidOptionsPanic(t *testing.T) {
	tests := []struct {
		option mycartrackstest.Option
		name   string
	}{
		{mycartrackstest.WithVehicles(-1), "WithVehicles"},
		{mycartrackstest.WithTracksPerVehicle(-1), "WithTracksPerVehicle"},
		{mycartrackstest.WithPointsPerTrack(-1), "WithPointsPerTrack"},
		{mycartrackstest.WithPointsPerTrack(mycartrackstest.MaxPointsPerTrack + 1), "WithPointsPerTrack"},
		{mycartrackstest.WithClock(nil), "WithClock"},
		{mycartrackstest.WithBudget(0, time.Minute), "WithBudget"},
		{mycartrackstest.WithBudget(10, 0), "WithBudget"},
		{mycartrackstest.WithRateLimitStatus(http.StatusServiceUnavailable), "WithRateLimitStatus"},
		{mycartrackstest.WithTokenLifetime(0), "WithTokenLifetime"},
		{mycartrackstest.WithCredentials("", "secret"), "WithCredentials"},
		{mycartrackstest.WithFaults(mycartrackstest.Faults{Malformed: 2}), "Faults"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := testkit.PanicMessage(func() { mycartrackstest.NewServer(tt.option).Close() })
			assert.True(t, strings.HasPrefix(msg, "mycartrackstest: "+tt.name), "panic: %q", msg)
		})
	}
	t.Run("every invalid option is named", func(t *testing.T) {
		assert.PanicsWithValue(t, "mycartrackstest: WithVehicles(-1): must not be negative; WithTokenLifetime(0s): must be positive", func() {
			mycartrackstest.NewServer(mycartrackstest.WithVehicles(-1), mycartrackstest.WithTokenLifetime(0)).Close()
		})
	})
	// WithoutRateLimit makes a budget irrelevant, however WithBudget was left.
	srv := mycartrackstest.NewServer(mycartrackstest.WithBudget(0, 0), mycartrackstest.WithoutRateLimit())
	srv.Close()
}

func TestServerShape(t *testing.T) {
	srv := mycartrackstest.NewServer()
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	assert.NotContains(t, strings.TrimPrefix(srv.URL, "http://"), "/", "URL is the server's root, as httptest's")
	assert.Equal(t, srv.URL+"/services/rest/v3", srv.BaseURL)
	assert.Equal(t, srv.URL+"/oauth/token", srv.TokenURL)
	assert.Equal(t, mycartrackstest.DefaultClientID, srv.ClientID)
	assert.Equal(t, mycartrackstest.DefaultClientSecret, srv.ClientSecret)
	assert.Equal(t, "mycartrackstest.Server("+srv.URL+")", srv.String())
	srv.Close()
	srv.Close() // a second Close does nothing
	_, err := srv.Client().Get(srv.BaseURL + "/vehicles")
	assert.Error(t, err, "a closed server does not answer")
}
