package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// TestMain runs the example itself when a test starts it as a process (clitest.Start).
func TestMain(m *testing.M) {
	clitest.Main(main)
	goleak.VerifyTestMain(m)
}

func simulated(t *testing.T) {
	t.Setenv(mycartracks.EnvClientID, "")
	t.Setenv(smartcar.EnvClientID, "")
}

var now = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

// TestBothProvidersJSON: the same report for both simulated fleets, merged.
func TestBothProvidersJSON(t *testing.T) {
	simulated(t)
	var out, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-json"}, &out, &stderr, now))
	var r Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &r))
	assert.Equal(t, "merged", r.Provider)
	assert.Nil(t, r.From, "simulated fleets: every track")
	require.Len(t, r.Vehicles, 5+5)
	var total float64
	for _, v := range r.Vehicles {
		require.NotNil(t, v.LastSeen, v.ID)
		assert.Equal(t, int64(now.Sub(v.LastSeen.Time)/time.Second), v.LastSeen.AgeSeconds)
		switch v.Provider {
		case mycartracks.Provider:
			assert.True(t, strings.HasPrefix(v.ID, "mycartracks:"))
			require.NotNil(t, v.DistanceKm)
			assert.Equal(t, 10, *v.Tracks)
			assert.Positive(t, *v.DistanceKm)
			total += *v.DistanceKm
		case smartcar.Provider:
			assert.True(t, strings.HasPrefix(v.ID, "smartcar:"))
			assert.Nil(t, v.DistanceKm, "Smartcar records no trips: no distance, not zero")
			assert.NotEmpty(t, v.Name, "make and model when the provider has no name")
		default:
			t.Errorf("provider %q", v.Provider)
		}
	}
	assert.InDelta(t, total, r.DistanceKm, 1e-9)
	assert.Contains(t, stderr.String(), "built-in simulated fleet", "stderr says which fleets are simulated")
	assert.Contains(t, stderr.String(), "built-in fake Smartcar")
}

// TestPeriodWithRealAPIs: with credentials (here fakes standing in for the real APIs)
// the distances cover the period asked for.
func TestPeriodWithRealAPIs(t *testing.T) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2), mycartrackstest.WithTracksPerVehicle(6), mycartrackstest.WithPointsPerTrack(20))
	defer srv.Close()
	t.Setenv(mycartracks.EnvClientID, srv.ClientID)
	t.Setenv(mycartracks.EnvClientSecret, srv.ClientSecret)
	t.Setenv(mycartracks.EnvBaseURL, srv.BaseURL)
	t.Setenv(mycartracks.EnvTokenURL, srv.TokenURL)
	t.Setenv(smartcar.EnvClientID, "")
	truth := srv.Fleet()
	tracks := truth.Vehicles[0].Tracks
	day := tracks[len(tracks)-1].Start.UTC().Format(time.DateOnly)
	want := 0
	for _, tr := range tracks {
		if tr.Start.UTC().Format(time.DateOnly) == day {
			want++
		}
	}

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-provider", "mycartracks", "-from", day, "-to", day, "-json"}, &out, &bytes.Buffer{}, now))
	var r Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &r))
	require.Len(t, r.Vehicles, 2)
	assert.Equal(t, "1001", r.Vehicles[0].ID)
	assert.Equal(t, want, *r.Vehicles[0].Tracks, "the tracks of that day")
	assert.Equal(t, day, r.From.Format(time.DateOnly))

	// Without a period: the 30 days up to now, where the fake has no tracks.
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"-provider", "mycartracks", "-json"}, &out, &bytes.Buffer{}, now))
	require.NoError(t, json.Unmarshal(out.Bytes(), &r))
	assert.Equal(t, now.AddDate(0, 0, -30), *r.From)
	assert.Equal(t, 0, *r.Vehicles[0].Tracks)
}

func TestTable(t *testing.T) {
	simulated(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-provider", "smartcar"}, &out, &bytes.Buffer{}, smartcartest.Epoch.Add(90*time.Minute)))
	s := out.String()
	assert.Contains(t, s, "5 vehicles (smartcar), distances over every track")
	assert.Contains(t, s, smartcartest.VehicleF150)
	assert.Contains(t, s, "FORD F-150 (2021)")
	assert.Contains(t, s, "1h 35m", "ages are readable")
	assert.Contains(t, s, "n/a")
}

func TestCommandLine(t *testing.T) {
	simulated(t)
	clitest.Help(t, "fleet-report", func(args []string, stdout, stderr io.Writer) error {
		return run(context.Background(), args, stdout, stderr, now)
	})

	var out bytes.Buffer
	err := run(context.Background(), nil, &out, &bytes.Buffer{}, now)
	assert.Equal(t, 0, cli.Code(err), "runs with no environment: %v", err)
	assert.Contains(t, out.String(), "10 vehicles (merged)")

	err = run(context.Background(), []string{"-provider", "tesla"}, &bytes.Buffer{}, &bytes.Buffer{}, now)
	assert.Equal(t, 1, cli.Code(err))
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Contains(t, err.Error(), `unknown provider "tesla"`)
	err = run(context.Background(), []string{"-from", "March"}, &bytes.Buffer{}, &bytes.Buffer{}, now)
	assert.Equal(t, 1, cli.Code(err))
	err = run(context.Background(), []string{"-nope"}, &bytes.Buffer{}, &bytes.Buffer{}, now)
	assert.Equal(t, 2, cli.Code(err))
}

func TestHumanAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "in the future", 45 * time.Second: "45s", 12 * time.Minute: "12m",
		3*time.Hour + 5*time.Minute: "3h 05m", 98 * time.Hour: "4d 2h", 250 * 24 * time.Hour: "8mo",
	} {
		assert.Equal(t, want, humanAge(d), d.String())
	}
}
