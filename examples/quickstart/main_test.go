package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSimulatedFleetWhenNoCredentials(t *testing.T) {
	t.Setenv(mycartracks.EnvClientID, "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, 10))
	lines := strings.Split(out.String(), "\n")
	assert.Contains(t, lines[0], "built-in simulated fleet", "the first line says the fake is in use")
	for _, section := range []string{"Vehicles", "Last positions", "Latest tracks (10 of 50)", "Rate-limit budget"} {
		assert.Contains(t, out.String(), section)
	}
	assert.Contains(t, out.String(), " km/h")
	assert.Contains(t, out.String(), " km ")
	assert.Equal(t, 5+1, countRows(out.String(), "Vehicles", "Last positions"), "a header and the five simulated vehicles")
}

// With credentials in the environment the quickstart goes through mycartracks.FromEnv: here
// pointed at a fake standing in for the real API.
func TestRealAPIPathWithCredentials(t *testing.T) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2), mycartrackstest.WithTracksPerVehicle(1))
	defer srv.Close()
	t.Setenv(mycartracks.EnvClientID, srv.ClientID)
	t.Setenv(mycartracks.EnvClientSecret, srv.ClientSecret)
	t.Setenv(mycartracks.EnvBaseURL, srv.BaseURL)
	t.Setenv(mycartracks.EnvTokenURL, srv.TokenURL)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, 5))
	assert.True(t, strings.HasPrefix(out.String(), "Using the MyCarTracks API at "+srv.BaseURL))
	assert.Contains(t, out.String(), "Latest tracks (2 of 2)")
	assert.Equal(t, 1, srv.Grants())
}

func TestBadCredentialsFailClearly(t *testing.T) {
	srv := mycartrackstest.NewServer()
	defer srv.Close()
	t.Setenv(mycartracks.EnvClientID, srv.ClientID)
	t.Setenv(mycartracks.EnvClientSecret, "wrong-secret-value")
	t.Setenv(mycartracks.EnvBaseURL, srv.BaseURL)
	t.Setenv(mycartracks.EnvTokenURL, srv.TokenURL)
	var out bytes.Buffer
	err := run(context.Background(), &out, 5)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid_client")
	assert.NotContains(t, err.Error(), "wrong-secret-value")
}

// countRows counts the non-empty lines between two section titles.
func countRows(s, from, to string) int {
	_, after, _ := strings.Cut(s, from+"\n")
	section, _, _ := strings.Cut(after, to)
	n := 0
	for _, l := range strings.Split(section, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}
