package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	"github.com/fleetkit/fleetkit-go/telematics"
)

// TestMain runs the example itself when a test starts it as a process (clitest.Start).
func TestMain(m *testing.M) {
	clitest.Main(main)
	goleak.VerifyTestMain(m)
}

func TestHelp(t *testing.T) {
	clitest.Help(t, "export-tracks", func(args []string, stdout, stderr io.Writer) error {
		return run(context.Background(), args, stdout, stderr)
	})
}

// An unknown vehicle is an error naming it, exit status 1, and no file.
func TestUnknownVehicleExitsNonZeroWithoutFile(t *testing.T) {
	t.Setenv(mycartracks.EnvClientID, "")
	dir := t.TempDir()
	path := filepath.Join(dir, "out.gpx")
	for _, args := range [][]string{
		{"-vehicle", "999999", "-o", path},
		{"-provider", "all", "-vehicle", "mycartracks:999999", "-o", path},
	} {
		err := run(context.Background(), args, os.Stdout, &bytes.Buffer{})
		require.ErrorIs(t, err, telematics.ErrNotFound)
		assert.Contains(t, err.Error(), `vehicle "999999"`)
		assert.Equal(t, 1, cli.Code(err))
		entries, _ := os.ReadDir(dir)
		assert.Empty(t, entries, "neither the file nor its temporary copy")
	}
}

func TestProviders(t *testing.T) {
	t.Setenv(mycartracks.EnvClientID, "")
	t.Setenv(smartcar.EnvClientID, "")

	var out, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-provider", "all", "-vehicle", "mycartracks:1002", "-format", "csv"}, &out, &stderr))
	rows, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, 1+10*200, "the simulated vehicle's 10 tracks of 200 points")
	assert.Equal(t, "mycartracks:1002", rows[1][0], "merged ids")
	assert.Contains(t, stderr.String(), "built-in fake Smartcar")

	err = run(context.Background(), []string{"-provider", "smartcar"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.ErrorIs(t, err, telematics.ErrNotSupported, "Smartcar records no trips")
	err = run(context.Background(), []string{"-provider", "tesla"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
}

// useFake points the program at a fake standing in for the real API.
func useFake(t *testing.T, opts ...mycartrackstest.Option) *mycartrackstest.Server {
	t.Helper()
	srv := mycartrackstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	t.Setenv(mycartracks.EnvClientID, srv.ClientID)
	t.Setenv(mycartracks.EnvClientSecret, srv.ClientSecret)
	t.Setenv(mycartracks.EnvBaseURL, srv.BaseURL)
	t.Setenv(mycartracks.EnvTokenURL, srv.TokenURL)
	return srv
}

func TestGeoJSONToFile(t *testing.T) {
	srv := useFake(t, mycartrackstest.WithVehicles(2), mycartrackstest.WithTracksPerVehicle(3), mycartrackstest.WithPointsPerTrack(150))
	path := filepath.Join(t.TempDir(), "out.geojson")
	var stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-vehicle", "1002", "-format", "geojson", "-o", path, "-progress-every", "100"}, os.Stdout, &stderr))

	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type        string      `json:"type"`
				Coordinates [][]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &fc))
	assert.Equal(t, "FeatureCollection", fc.Type)
	require.Len(t, fc.Features, 3)
	truth := srv.Fleet()
	var want []int64
	for _, tr := range truth.Tracks() {
		if tr.VehicleID == 1002 {
			want = append(want, tr.ID)
		}
	}
	for i, f := range fc.Features {
		assert.Equal(t, "LineString", f.Geometry.Type)
		assert.Len(t, f.Geometry.Coordinates, 150)
		first, ok := srv.Trackpoint(want[i], 0)
		require.True(t, ok)
		assert.InDelta(t, first.Longitude, f.Geometry.Coordinates[0][0], 1e-6, "[lon, lat] order")
		assert.InDelta(t, first.Latitude, f.Geometry.Coordinates[0][1], 1e-6)
	}
	assert.Contains(t, stderr.String(), "track 700004: 100 points...")
	assert.Contains(t, stderr.String(), "exported 3 tracks, 450 points")
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp"))
	assert.Empty(t, leftovers)
}

func TestGPXAndCSVOnStdoutWithDates(t *testing.T) {
	srv := useFake(t, mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(6), mycartrackstest.WithPointsPerTrack(20))
	tracks := srv.Fleet().Tracks()
	from := tracks[1].Start.UTC()
	to := tracks[3].Start.UTC()

	var gpx bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-from", from.Format(time.RFC3339), "-to", to.Format(time.RFC3339)}, &gpx, &bytes.Buffer{}))
	var doc struct {
		XMLName xml.Name `xml:"gpx"`
		Version string   `xml:"version,attr"`
		Trk     []struct {
			Seg []struct {
				Pt []struct {
					Lat float64 `xml:"lat,attr"`
				} `xml:"trkpt"`
			} `xml:"trkseg"`
		} `xml:"trk"`
	}
	require.NoError(t, xml.Unmarshal(gpx.Bytes(), &doc))
	assert.Equal(t, "1.1", doc.Version)
	assert.Len(t, doc.Trk, 2, "tracks started in [from, to)")

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-format", "csv"}, &out, &bytes.Buffer{}))
	rows, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, "vehicle_id", rows[0][0])
	assert.Len(t, rows, 1+6*20)
	assert.Equal(t, "1001", rows[1][0])
}

func TestSimulatedFleetWithoutCredentials(t *testing.T) {
	t.Setenv(mycartracks.EnvClientID, "")
	var out, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-format", "csv"}, &out, &stderr))
	assert.True(t, strings.HasPrefix(stderr.String(), mycartracks.EnvClientID+" is not set: using the built-in simulated fleet"))
	assert.Contains(t, stderr.String(), "exporting vehicle 1001")
	assert.Greater(t, strings.Count(out.String(), "\n"), 1000)
}

func TestFailedExportLeavesNoFile(t *testing.T) {
	useFake(t)
	t.Setenv(mycartracks.EnvClientSecret, "not-the-secret")
	path := filepath.Join(t.TempDir(), "out.gpx")
	err := run(context.Background(), []string{"-vehicle", "1001", "-o", path}, os.Stdout, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid_client")
	assert.NotContains(t, err.Error(), "not-the-secret")
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Empty(t, entries, "neither the file nor its temporary copy remains")
}

func TestBadFlags(t *testing.T) {
	t.Setenv(mycartracks.EnvClientID, "")
	for _, args := range [][]string{
		{"-format", "kml"},
		{"-vehicle", "seven"},
		{"-from", "yesterday"},
		{"-from", "2026-03-02", "-to", "2026-03-01"},
		{"stray"},
	} {
		err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{})
		assert.Error(t, err, "%v", args)
	}
}

func TestParseDay(t *testing.T) {
	d, err := parseDay("2026-03-01", true)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), d, "a -to date includes its day")
	d, err = parseDay("2026-03-01T10:00:00+02:00", false)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), d)
}

// Against a server that caps trackpoint pages at 1000 rows without saying so (the
// export asks for 10000), every point is exported and the count printed is the true one.
func TestExportWithSilentPageCap(t *testing.T) {
	for _, total := range []bool{true, false} {
		opts := []mycartrackstest.Option{mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(6),
			mycartrackstest.WithPointsPerTrackBetween(900, 2500), mycartrackstest.WithoutRateLimit(),
			mycartrackstest.WithPageCap("/trackpoints", 1000), mycartrackstest.WithPageCap("/tracks2", 4)}
		if !total {
			opts = append(opts, mycartrackstest.WithoutTotal(mycartrackstest.AllLists))
		}
		srv := useFake(t, opts...)
		want := 0
		for _, tr := range srv.Fleet().Tracks() {
			want += tr.Points
		}
		require.Greater(t, want, 6000)
		var out, stderr bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"-format", "csv"}, &out, &stderr))
		rows, err := csv.NewReader(&out).ReadAll()
		require.NoError(t, err)
		assert.Len(t, rows, 1+want, "every point, total %v", total)
		assert.Contains(t, stderr.String(), fmt.Sprintf("exported 6 tracks, %d points", want))
	}
}
