package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

// rateReset hides the reset time of the rate budget, which the simulated fleet counts
// from when it started.
var rateReset = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

// TestGolden runs each command against the simulated fleets and compares its table and
// its JSON with testdata/NAME.txt and testdata/NAME.json.
func TestGolden(t *testing.T) {
	// The ID.4 stands still in the sandbox: its signals keep their times.
	vw := smartcartest.VehicleID4
	tests := []struct {
		name string
		args []string
	}{
		{"vehicles-mycartracks", []string{"--provider", "mycartracks", "vehicles"}},
		{"vehicles-smartcar", []string{"--provider", "smartcar", "vehicles"}},
		{"vehicles-all", []string{"vehicles"}},
		{"tracks-all", []string{"tracks", "--vehicle", "mycartracks:1002", "--from", "2026-02-27"}},
		{"positions-mycartracks", []string{"--provider", "mycartracks", "positions"}},
		{"positions-stale", []string{"--provider", "mycartracks", "positions", "--older-than", "26h", "--vehicle", "1001,1002,1003"}},
		{"tracks-mycartracks", []string{"--provider", "mycartracks", "tracks", "--vehicle", "1001", "--from", "2026-02-20", "--to", "2026-03-03"}},
		{"signals-smartcar", []string{"--provider", "smartcar", "signals", "--vehicle", vw}},
		{"signals-some", []string{"--provider", "smartcar", "signals", "--vehicle", vw, "--signal", "tractionbattery-stateofcharge,closure-sunroof"}},
		{"command-smartcar", []string{"--provider", "smartcar", "command", "charge-limit", "80", "--vehicle", vw, "--yes"}},
		{"rate-mycartracks", []string{"--provider", "mycartracks", "rate"}},
		// The first events of live are the snapshot's resyncs, the same in every run.
		{"live-mycartracks", []string{"--provider", "mycartracks", "live", "--count", "5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for ext, format := range map[string]string{".txt": "table", ".json": "json"} {
				r := cli(t, "", append([]string{"--sandbox", "--output", format}, tc.args...)...)
				require.Equal(t, exitOK, r.code, r.stderr)
				assert.Empty(t, r.stderr)
				out := r.stdout
				if strings.HasPrefix(tc.name, "rate") {
					out = rateReset.ReplaceAllString(out, "RESET")
				}
				if format == "json" {
					var doc []map[string]any
					require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), "one JSON document, an array")
					assert.NotEmpty(t, doc)
				}
				golden(t, tc.name+ext, out)
			}
		})
	}
}

// TestGoldenExport: export writes the one track of the range as the golden files have it,
// in each format.
func TestGoldenExport(t *testing.T) {
	for _, format := range []string{"gpx", "geojson", "csv"} {
		t.Run(format, func(t *testing.T) {
			r := cli(t, "", "--sandbox", "--provider", "mycartracks", "export", "--vehicle", "1001", "--from", "2026-03-01T09:00:00Z", "--to", "2026-03-01T10:00:00Z", "--format", format)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Empty(t, r.stderr)
			golden(t, "export-mycartracks."+format, r.stdout)
		})
	}
}

// TestNDJSON: --output ndjson prints one object per line, the same objects as json.
func TestNDJSON(t *testing.T) {
	doc := cli(t, "", "--sandbox", "--provider", "mycartracks", "--output", "json", "vehicles")
	lines := cli(t, "", "--sandbox", "--provider", "mycartracks", "--output", "ndjson", "vehicles")
	require.Equal(t, exitOK, lines.code, lines.stderr)
	var all []json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(doc.stdout), &all))
	got := strings.Split(strings.TrimSuffix(lines.stdout, "\n"), "\n")
	require.Len(t, got, len(all))
	for i, line := range got {
		assert.JSONEq(t, string(all[i]), line)
	}
}

// TestTimesAndUnits: JSON times are RFC 3339 in UTC and numbers carry their unit in
// their name.
func TestTimesAndUnits(t *testing.T) {
	r := cli(t, "", "--sandbox", "--provider", "mycartracks", "--output", "json", "tracks", "--vehicle", "1001")
	require.Equal(t, exitOK, r.code, r.stderr)
	var tracks []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &tracks))
	require.NotEmpty(t, tracks)
	for _, tr := range tracks {
		for _, k := range []string{"start", "end"} {
			v, err := time.Parse(time.RFC3339, tr[k].(string))
			require.NoError(t, err)
			assert.Equal(t, time.UTC, v.Location())
		}
		for _, k := range []string{"distanceKm", "durationSeconds", "maxSpeedKmh", "avgSpeedKmh"} {
			assert.Contains(t, tr, k)
		}
	}
}

func TestLive(t *testing.T) {
	r := cli(t, "", "--sandbox", "--provider", "mycartracks", "live", "--count", "3", "--vehicle", "1001")
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.Len(t, lines, 3, "ndjson by default when stdout is not a terminal")
	for _, line := range lines {
		var e map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &e))
		assert.Contains(t, []any{"position", "resync", "offline"}, e["kind"])
		assert.Equal(t, "1001", e["vehicleId"])
	}
}

// TestExport: the file holds what the library's own export writes from the same fleet,
// and appears only when the export is complete.
func TestExport(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tracks.csv")
	r := cli(t, "", "--sandbox", "--provider", "mycartracks", "export", "--vehicle", "1002", "--format", "csv", "--from", "2026-02-28", "-o", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Empty(t, r.stderr, "no progress bar when stderr is not a terminal")
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	rows := strings.Split(strings.TrimSpace(string(got)), "\r\n")
	assert.Equal(t, strings.Join(export.CSVColumns(), ","), rows[0])
	assert.Greater(t, len(rows), 100)
	for _, row := range rows[1:] {
		assert.True(t, strings.HasPrefix(row, "1002,"), row)
	}

	stdout := cli(t, "", "--sandbox", "--provider", "mycartracks", "export", "--vehicle", "1002", "--format", "csv", "--from", "2026-02-28")
	require.Equal(t, exitOK, stdout.code, stdout.stderr)
	assert.Equal(t, string(got), stdout.stdout, "stdout gets the same bytes as the file")

	gone := filepath.Join(dir, "unknown.gpx")
	r = cli(t, "", "--sandbox", "--provider", "mycartracks", "export", "--vehicle", "999", "-o", gone)
	assert.Equal(t, exitNotFound, r.code, r.stderr)
	assert.NoFileExists(t, gone, "an unknown vehicle leaves no file")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestCommandConfirmation(t *testing.T) {
	tesla := smartcartest.VehicleModel3
	args := []string{"--sandbox", "--provider", "smartcar", "command", "lock", "--vehicle", tesla}

	r := cli(t, "", args...)
	assert.Equal(t, exitUsage, r.code)
	assert.Empty(t, r.stdout, "nothing was sent")
	assert.Contains(t, r.stderr, "stdin is not a terminal; add --yes to confirm")

	// On a terminal it asks, and only "y" or "yes" sends.
	for input, sent := range map[string]bool{"y\n": true, "yes\n": true, "n\n": false, "\n": false, "": false} {
		r := cliWith(t, input, func(a *app) { a.stdinTTY = true }, args...)
		assert.Contains(t, r.stderr, "Send lock to vehicle "+tesla+"? This acts on the real vehicle. [y/N]")
		if sent {
			assert.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, "lock")
		} else {
			assert.Equal(t, exitFailure, r.code, "input %q", input)
			assert.Contains(t, r.stderr, "not confirmed: nothing was sent")
			assert.Empty(t, r.stdout)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown flag":         {"vehicles", "--nope"},
		"unknown command":      {"teleport"},
		"bad provider":         {"--provider", "tesla", "vehicles"},
		"bad output":           {"--output", "xml", "vehicles"},
		"missing vehicle":      {"--sandbox", "tracks"},
		"bad time":             {"--sandbox", "tracks", "--vehicle", "1001", "--from", "yesterday"},
		"empty range":          {"--sandbox", "tracks", "--vehicle", "1001", "--from", "2026-03-02", "--to", "2026-03-01"},
		"bad format":           {"--sandbox", "export", "--vehicle", "1001", "--format", "kml"},
		"extra argument":       {"vehicles", "now"},
		"unknown command kind": {"command", "fly", "--vehicle", "x", "--yes"},
		"charge limit":         {"command", "charge-limit", "120", "--vehicle", "x", "--yes"},
		"destination":          {"command", "destination", "48.8", "--vehicle", "x", "--yes"},
		"bad duration":         {"positions", "--older-than", "soon"},
		"mcp beyond loopback":  {"--sandbox", "mcp", "--http", "0.0.0.0:8765"},
		"export directory":     {"--sandbox", "--provider", "mycartracks", "export", "--vehicle", "1001", "-o", "/nonexistent-dir/x.gpx"},
		"mcp bad address":      {"--sandbox", "mcp", "--http", "8765"},
	} {
		t.Run(name, func(t *testing.T) {
			r := cli(t, "", args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Empty(t, r.stdout)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			assert.Contains(t, r.stderr, "--help')")
		})
	}
}

func TestNotFound(t *testing.T) {
	for name, args := range map[string][]string{
		"mycartracks tracks": {"--provider", "mycartracks", "tracks", "--vehicle", "999"},
		"smartcar signals":   {"--provider", "smartcar", "signals", "--vehicle", "no-such-vehicle"},
	} {
		t.Run(name, func(t *testing.T) {
			r := cli(t, "", append([]string{"--sandbox"}, args...)...)
			assert.Equal(t, exitNotFound, r.code, r.stderr)
			assert.Contains(t, r.stderr, "check the id ('fleetkit vehicles' lists the vehicles and their ids)")
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"))
		})
	}
}

func TestNoCredentials(t *testing.T) {
	r := cli(t, "", "vehicles")
	assert.Equal(t, exitAuth, r.code)
	assert.Equal(t, "fleetkit vehicles: no credentials: set MYCARTRACKS_CLIENT_ID and MYCARTRACKS_CLIENT_SECRET, or SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET, or try --sandbox\n", r.stderr)

	r = cli(t, "", "--provider", "smartcar", "vehicles")
	assert.Equal(t, exitAuth, r.code)
	assert.Equal(t, "fleetkit vehicles: no smartcar credentials: set SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET, or try --sandbox\n", r.stderr)
}

// TestRefusedCredentials: credentials from the environment that the provider refuses
// exit 3, and neither the secret nor a token reaches the screen.
func TestRefusedCredentials(t *testing.T) {
	const secret = "wrong-secret-Zq8v2LmN4pX7"
	t.Run("mycartracks", func(t *testing.T) {
		srv := mycartrackstest.NewServer()
		defer srv.Close()
		t.Setenv(mycartracks.EnvClientID, srv.ClientID)
		t.Setenv(mycartracks.EnvClientSecret, secret)
		t.Setenv(mycartracks.EnvBaseURL, srv.BaseURL)
		t.Setenv(mycartracks.EnvTokenURL, srv.TokenURL)
		r := cliWith(t, "", func(a *app) { a.getenv = os.Getenv }, "--provider", "mycartracks", "vehicles")
		assert.Equal(t, exitAuth, r.code, r.stderr)
		assert.Contains(t, r.stderr, "check the client id and secret in the environment")
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"))
		testkit.AssertNoSecrets(t, map[string]string{"stdout": r.stdout, "stderr": r.stderr}, srv.ClientID, secret)
	})
	t.Run("smartcar", func(t *testing.T) {
		srv := smartcartest.NewServer()
		defer srv.Close()
		smartcarEnv(t, srv)
		t.Setenv(smartcar.EnvClientSecret, secret)
		r := cliWith(t, "", func(a *app) { a.getenv = os.Getenv }, "--provider", "smartcar", "vehicles")
		assert.Equal(t, exitAuth, r.code, r.stderr)
		testkit.AssertNoSecrets(t, map[string]string{"stdout": r.stdout, "stderr": r.stderr}, srv.ClientID, secret)
	})
}

// TestSpentBudget: a provider whose budget is spent exits 4 and says when to try again.
func TestSpentBudget(t *testing.T) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithBudget(1, time.Hour))
	defer srv.Close()
	t.Setenv(mycartracks.EnvClientID, srv.ClientID)
	t.Setenv(mycartracks.EnvClientSecret, srv.ClientSecret)
	t.Setenv(mycartracks.EnvBaseURL, srv.BaseURL)
	t.Setenv(mycartracks.EnvTokenURL, srv.TokenURL)
	env := func(a *app) { a.getenv = os.Getenv }
	r := cliWith(t, "", env, "--provider", "mycartracks", "vehicles")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = cliWith(t, "", env, "--provider", "mycartracks", "vehicles")
	assert.Equal(t, exitRateLimit, r.code, r.stderr)
	assert.Contains(t, r.stderr, "try again in 1h0m0s")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"))
	testkit.AssertNoSecrets(t, map[string]string{"stdout": r.stdout, "stderr": r.stderr}, srv.ClientID, srv.ClientSecret)
}

// TestSpentBudgetSmartcar: a Smartcar 429 exits 4 as well, with its Retry-After.
func TestSpentBudgetSmartcar(t *testing.T) {
	srv := smartcartest.NewServer()
	defer srv.Close()
	smartcarEnv(t, srv)
	srv.FailNext(smartcartest.RateLimited(2 * time.Hour))
	r := cliWith(t, "", func(a *app) { a.getenv = os.Getenv }, "--provider", "smartcar", "signals", "--vehicle", smartcartest.VehicleModel3)
	assert.Equal(t, exitRateLimit, r.code, r.stderr)
	assert.Contains(t, r.stderr, "try again in 2h0m0s")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"))
	testkit.AssertNoSecrets(t, map[string]string{"stdout": r.stdout, "stderr": r.stderr}, srv.ClientID, srv.ClientSecret)
}

// smartcarEnv points the Smartcar variables of the environment at srv.
func smartcarEnv(t *testing.T, srv *smartcartest.Server) {
	t.Setenv(smartcar.EnvClientID, srv.ClientID)
	t.Setenv(smartcar.EnvClientSecret, srv.ClientSecret)
	t.Setenv(smartcar.EnvVehicleAPIURL, srv.VehicleAPIURL)
	t.Setenv(smartcar.EnvManagementAPIURL, srv.ManagementAPIURL)
	t.Setenv(smartcar.EnvTokenURL, srv.TokenURL)
}

// TestBadSettingsInEnvironment: a malformed optional setting is a usage error that names
// the variables to check, and shows no secret.
func TestBadSettingsInEnvironment(t *testing.T) {
	const secret = "env-secret-Hq3Vn8Zr1Wx5"
	for name, env := range map[string]map[string]string{
		"mycartracks base URL": {mycartracks.EnvClientID: "id", mycartracks.EnvClientSecret: secret, mycartracks.EnvBaseURL: "ftp://user:" + secret + "@example.com/"},
		"mycartracks scope":    {mycartracks.EnvClientID: "id", mycartracks.EnvClientSecret: secret, mycartracks.EnvScope: "everything"},
		"smartcar unit system": {smartcar.EnvClientID: "id", smartcar.EnvClientSecret: secret, smartcar.EnvUnitSystem: "furlongs"},
	} {
		t.Run(name, func(t *testing.T) {
			for k, v := range env {
				t.Setenv(k, v)
			}
			provider, _, _ := strings.Cut(name, " ")
			r := cliWith(t, "", func(a *app) { a.getenv = os.Getenv }, "--provider", provider, "vehicles")
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Regexp(t, `^fleetkit vehicles: the `+provider+` settings in the environment: .*: check `+strings.ToUpper(provider)+`_CLIENT_ID, `, r.stderr)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"))
			testkit.AssertNoSecrets(t, map[string]string{"stdout": r.stdout, "stderr": r.stderr}, "id", secret)
		})
	}
}

// TestDestinationSouthOfTheEquator: a negative latitude is an argument, not a flag.
func TestDestinationSouthOfTheEquator(t *testing.T) {
	r := cli(t, "", "--sandbox", "--provider", "smartcar", "--output", "json", "command", "destination", "-33.8568,151.2153", "--vehicle", smartcartest.VehicleModel3, "--yes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"command": "destination"`)
	r = cli(t, "", "--sandbox", "--provider", "smartcar", "command", "destination", "-95,151", "--vehicle", smartcartest.VehicleModel3, "--yes")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `destination "-95,151": want LAT,LON in degrees`)
}

// TestLiveDuration: --duration ends live normally.
func TestLiveDuration(t *testing.T) {
	r := cli(t, "", "--sandbox", "--provider", "mycartracks", "live", "--duration", "100ms", "--vehicle", "1001")
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if line != "" {
			assert.True(t, json.Valid([]byte(line)), line)
		}
	}
}

func TestHelp(t *testing.T) {
	r := cli(t, "", "--help")
	assert.Equal(t, exitOK, r.code)
	for _, cmd := range []string{"vehicles", "positions", "tracks", "export", "signals", "live", "command", "rate", "sandbox", "drift", "mcp"} {
		assert.Contains(t, r.stdout, "\n  "+cmd+" ")
	}
	assert.Contains(t, r.stdout, "2 usage, 3 authentication, 4 rate limit")
}

// TestExportProgress: on a terminal the export draws its progress on stderr and ends
// with what it wrote.
func TestExportProgress(t *testing.T) {
	file := filepath.Join(t.TempDir(), "out.geojson")
	clock := testNow
	r := cliWith(t, "", func(a *app) {
		a.stderrTTY = true
		a.now = func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	}, "--sandbox", "--provider", "mycartracks", "export", "--vehicle", "1003", "--format", "geojson", "--from", "2026-02-27", "-o", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, want := range []string{`\r\x1b\[K\[#+\.+\] track 2/\d+  \d+ points  \d+ points/s`, `\r\x1b\[K\[#{20}\] track (\d+)/\d+  \d+ points  \d+ points/s\r`, `\r\x1b\[Kwrote .*out.geojson: \d+ tracks, \d+ points\n$`} {
		assert.True(t, regexp.MustCompile(want).MatchString(r.stderr), "%s in %.300q", want, r.stderr)
	}
	var doc map[string]any
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, "FeatureCollection", doc["type"])
}

func TestProgressLine(t *testing.T) {
	assert.Equal(t, "[##########..........] track 3/4  3000 points  1500 points/s  ETA 2s",
		progressLine(export.Progress{Tracks: 2, TotalTracks: 4, Points: 3000, Rate: 1500, Remaining: 2 * time.Second}))
	assert.Equal(t, "10 points", progressLine(export.Progress{Points: 10}))
	assert.Equal(t, "[####################] track 4/4  9000 points  1500 points/s",
		progressLine(export.Progress{Tracks: 4, TotalTracks: 4, Points: 9000, Rate: 1500, Done: true}))
}

func TestAgeCell(t *testing.T) {
	for s, want := range map[int64]string{45: "45s", 750: "12m30s", 5*3600 + 20*60 + 7: "5h20m", 3*86400 + 4*3600 + 59: "3d4h", -30: "-30s"} {
		assert.Equal(t, want, ageCell(&s))
	}
	assert.Empty(t, ageCell(nil))
}

// TestStreamingTable: a streaming table prints each row as it is added, the header with
// the first, its columns as wide as the widest cell so far.
func TestStreamingTable(t *testing.T) {
	var out strings.Builder
	cols := []column[[2]string]{{"A", func(r [2]string) string { return r[0] }}, {"B", func(r [2]string) string { return r[1] }}}
	p := newStreamingPrinter(&out, formatTable, cols)
	require.NoError(t, p.add([2]string{"x", "1"}))
	assert.Equal(t, "A  B\nx  1\n", out.String(), "printed at once")
	require.NoError(t, p.add([2]string{"wider", "2"}))
	require.NoError(t, p.add([2]string{"y", ""}))
	require.NoError(t, p.flush())
	assert.Equal(t, "A  B\nx  1\nwider  2\ny      -\n", out.String())
}
