package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// readTools are the tools the server has without --allow-commands.
var readTools = []string{"last_positions", "list_tracks", "list_vehicles", "rate_budget", "read_signals", "stale_vehicles", "track_summary"}

// readToolArgs returns arguments for each read tool, about vehicle.
func readToolArgs(vehicle string) map[string]map[string]any {
	return map[string]map[string]any{
		"list_vehicles":  nil,
		"last_positions": nil,
		"stale_vehicles": {"olderThanMinutes": 60},
		"list_tracks":    {"vehicleId": vehicle},
		"track_summary":  {"vehicleId": vehicle},
		"read_signals":   {"vehicleId": vehicle},
		"rate_budget":    nil,
	}
}

// commandTools are the tools --allow-commands adds.
var commandTools = []string{"lock_vehicle", "set_charge_limit", "set_destination", "start_charging", "stop_charging", "unlock_vehicle"}

// mcpSession serves the simulated fleets over the SDK's in-memory transport and returns
// a client session of the SDK's own client.
func mcpSession(t *testing.T, provider string, allowCommands bool) *mcp.ClientSession {
	t.Helper()
	a := newApp(strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
	a.provider, a.sandbox = provider, true
	b, err := a.open(context.Background())
	require.NoError(t, err)
	t.Cleanup(b.Close)
	return connectInMemory(t, newMCPServer(b, func() time.Time { return testNow }, allowCommands))
}

func toolNames(t *testing.T, cs *mcp.ClientSession) []string {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	require.NoError(t, err)
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		assert.NotNil(t, tool.InputSchema, tool.Name)
		assert.NotNil(t, tool.OutputSchema, tool.Name)
	}
	slices.Sort(names)
	return names
}

// call calls a tool and decodes its structured output into out.
func call(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err, "a tool failure is a tool result, never a protocol error")
	if out != nil && !res.IsError {
		b, err := json.Marshal(res.StructuredContent)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, out))
	}
	return res
}

func errorText(res *mcp.CallToolResult) string {
	var s []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			s = append(s, tc.Text)
		}
	}
	return strings.Join(s, " ")
}

func TestMCPReadOnlyByDefault(t *testing.T) {
	assert.Equal(t, readTools, toolNames(t, mcpSession(t, providerSmartcar, false)))
	withCommands := toolNames(t, mcpSession(t, providerSmartcar, true))
	assert.Equal(t, sorted(append(slices.Clone(readTools), commandTools...)), withCommands)

	res, err := mcpSession(t, providerSmartcar, true).ListTools(context.Background(), nil)
	require.NoError(t, err)
	for _, tool := range res.Tools {
		if slices.Contains(commandTools, tool.Name) {
			assert.Contains(t, tool.Description, "This acts on a real vehicle", tool.Name)
			require.NotNil(t, tool.Annotations.DestructiveHint)
			assert.True(t, *tool.Annotations.DestructiveHint)
		} else {
			assert.True(t, tool.Annotations.ReadOnlyHint, tool.Name)
		}
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

func TestMCPMyCarTracksTools(t *testing.T) {
	cs := mcpSession(t, providerMyCarTracks, false)

	var vehicles vehiclesOutput
	call(t, cs, "list_vehicles", map[string]any{"limit": 2}, &vehicles)
	require.Len(t, vehicles.Vehicles, 2)
	assert.Equal(t, "1001", vehicles.Vehicles[0].ID)
	assert.Equal(t, 2, vehicles.NextOffset)
	var last vehiclesOutput
	call(t, cs, "list_vehicles", map[string]any{"limit": 2, "offset": 4}, &last)
	require.Len(t, last.Vehicles, 1)
	assert.Equal(t, "1005", last.Vehicles[0].ID)
	assert.Zero(t, last.NextOffset, "the last page")

	var positions positionsOutput
	call(t, cs, "last_positions", map[string]any{"vehicleIds": []string{"1002"}}, &positions)
	require.Len(t, positions.Positions, 1)
	assert.Equal(t, int64(24*3600+43*60), *positions.Positions[0].AgeSeconds)

	var stale staleOutput
	call(t, cs, "stale_vehicles", map[string]any{"olderThanMinutes": 26 * 60}, &stale)
	assert.Equal(t, 5, stale.Checked)
	assert.Equal(t, 3, stale.StaleCount)
	assert.Equal(t, []string{"1003", "1001", "1004"}, []string{stale.Stale[0].VehicleID, stale.Stale[1].VehicleID, stale.Stale[2].VehicleID}, "oldest first")
	assert.Empty(t, stale.NeverReported)
	assert.Zero(t, stale.NeverReportedCount)

	var tracks tracksOutput
	call(t, cs, "list_tracks", map[string]any{"vehicleId": "1001", "limit": 1}, &tracks)
	require.Len(t, tracks.Tracks, 1)
	assert.Equal(t, 1, tracks.NextOffset)
	first := tracks.Tracks[0]

	var sum summaryOutput
	call(t, cs, "track_summary", map[string]any{"vehicleId": "1001"}, &sum)
	require.NotNil(t, sum.Range)
	assert.Greater(t, sum.Range.Tracks, 1)
	assert.Greater(t, sum.Range.DistanceKm, first.DistanceKm)

	call(t, cs, "track_summary", map[string]any{"vehicleId": "1001", "trackId": first.ID}, &sum)
	require.NotNil(t, sum.Track)
	assert.Equal(t, first.ID, sum.Track.Track.ID)
	assert.Greater(t, sum.Track.Points, 10)
	require.NotNil(t, sum.Track.First)
	assert.LessOrEqual(t, sum.Track.MinLatitude, sum.Track.First.Latitude)

	var rate rateOutput
	call(t, cs, "rate_budget", nil, &rate)
	require.Len(t, rate.Rates, 1)
	assert.True(t, rate.Rates[0].Known, "the calls above reported the budget")
}

func TestMCPSmartcarTools(t *testing.T) {
	cs := mcpSession(t, providerSmartcar, true)
	var signals signalsOutput
	call(t, cs, "read_signals", map[string]any{"vehicleId": smartcartest.VehicleModel3, "codes": []string{"tractionbattery-stateofcharge"}}, &signals)
	require.Len(t, signals.Signals, 1)
	assert.Equal(t, 72.0, signals.Signals[0].Value)

	var done commandRecord
	res := call(t, cs, "set_charge_limit", map[string]any{"vehicleId": smartcartest.VehicleModel3, "percent": 80}, &done)
	require.False(t, res.IsError, errorText(res))
	assert.Equal(t, "SUCCESS", done.Status)
}

// TestMCPToolErrors: failures are tool results that say what to do, not protocol errors.
func TestMCPToolErrors(t *testing.T) {
	cs := mcpSession(t, providerMyCarTracks, false)
	for name, tc := range map[string]struct {
		tool string
		args map[string]any
		want string
	}{
		"unknown vehicle":  {"list_tracks", map[string]any{"vehicleId": "999"}, "check the id"},
		"missing argument": {"list_tracks", map[string]any{}, "vehicleId"},
		"bad time":         {"list_tracks", map[string]any{"vehicleId": "1001", "from": "soon"}, "want an RFC 3339 time"},
		"unknown track":    {"track_summary", map[string]any{"vehicleId": "1001", "trackId": "1"}, "not found"},
		"not supported":    {"read_signals", map[string]any{"vehicleId": "1001"}, "not supported"},
		"bad minutes":      {"stale_vehicles", map[string]any{"olderThanMinutes": -1}, "olderThanMinutes must be positive"},
	} {
		t.Run(name, func(t *testing.T) {
			res := call(t, cs, tc.tool, tc.args, nil)
			assert.True(t, res.IsError)
			assert.Contains(t, errorText(res), tc.want)
		})
	}
}

// TestMCPBinaryOverStdio builds the fleetkit binary and runs "fleetkit --sandbox mcp" as
// an MCP client would: over stdio, with the SDK's client. It lists the tools (no command
// tool without --allow-commands) and calls each read tool. First, the binary lists the
// simulated vehicles with no environment at all, as the README's first example does.
func TestMCPBinaryOverStdio(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "fleetkit")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	t.Run("vehicles with no environment", func(t *testing.T) {
		cmd := exec.Command(bin, "--sandbox", "vehicles")
		cmd.Env = []string{}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, stderr.String())
		assert.Empty(t, stderr.String())
		assert.Equal(t, 11, strings.Count(string(out), "\n"), "a header and ten vehicles: %s", out)

		cmd = exec.Command(bin, "vehicles")
		cmd.Env = []string{}
		err = cmd.Run()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "without --sandbox and credentials")
		assert.Equal(t, exitAuth, exit.ExitCode())
	})

	for _, provider := range []string{providerMyCarTracks, providerSmartcar} {
		t.Run(provider, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.Command(bin, "--sandbox", "--provider", provider, "mcp")
			cmd.Env = []string{} // no credentials: the sandbox only
			var stderr strings.Builder
			cmd.Stderr = &stderr
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
			require.NoError(t, err, "stderr: %.500s", &stderr)
			defer cs.Close()
			assert.Equal(t, readTools, toolNames(t, cs))

			var vehicles vehiclesOutput
			call(t, cs, "list_vehicles", nil, &vehicles)
			require.NotEmpty(t, vehicles.Vehicles)
			vehicle := vehicles.Vehicles[0].ID
			args := readToolArgs(vehicle)
			for _, tool := range readTools {
				res := call(t, cs, tool, args[tool], nil)
				supported := !(provider == providerSmartcar && (tool == "list_tracks" || tool == "track_summary")) &&
					!(provider == providerMyCarTracks && tool == "read_signals")
				if supported {
					assert.False(t, res.IsError, "%s: %s", tool, errorText(res))
					assert.NotNil(t, res.StructuredContent, tool)
				} else {
					assert.True(t, res.IsError, tool)
					assert.Contains(t, errorText(res), "not supported", tool)
				}
			}
		})
	}
}

// mcpOver serves the fleet of one MyCarTracks fake over the in-memory transport.
func mcpOver(t *testing.T, srv *mycartrackstest.Server) *mcp.ClientSession {
	t.Helper()
	c, err := srv.NewClient()
	require.NoError(t, err)
	b := &backend{}
	b.addMyCarTracks(c)
	require.NoError(t, b.join())
	t.Cleanup(b.Close)
	return connectInMemory(t, newMCPServer(b, func() time.Time { return srv.Fleet().Start.Add(48 * time.Hour) }, false))
}

// resultSize is the size of what a tool result puts into an agent's context: its
// structured output and its text.
func resultSize(t *testing.T, res *mcp.CallToolResult) int {
	t.Helper()
	b, err := json.Marshal(res)
	require.NoError(t, err)
	return len(b)
}

// TestMCPResultsStaySmall: no tool returns a large fleet or a long track whole: lists
// stop at 200 items whatever limit asks for (nextOffset leads on), and a track of
// 30,000 points is summarised in a few kilobytes.
func TestMCPResultsStaySmall(t *testing.T) {
	const maxResult = 128 << 10
	t.Run("lists", func(t *testing.T) {
		srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(250), mycartrackstest.WithTracksPerVehicle(1), mycartrackstest.WithPointsPerTrack(10), mycartrackstest.WithoutRateLimit())
		defer srv.Close()
		cs := mcpOver(t, srv)

		var vehicles vehiclesOutput
		res := call(t, cs, "list_vehicles", map[string]any{"limit": 100000}, &vehicles)
		assert.Len(t, vehicles.Vehicles, maxPageSize)
		assert.Equal(t, maxPageSize, vehicles.NextOffset)
		assert.Less(t, resultSize(t, res), maxResult)
		var rest vehiclesOutput
		call(t, cs, "list_vehicles", map[string]any{"limit": 100000, "offset": vehicles.NextOffset}, &rest)
		assert.Len(t, rest.Vehicles, 50)
		assert.Zero(t, rest.NextOffset)

		var positions positionsOutput
		res = call(t, cs, "last_positions", map[string]any{"limit": 100000}, &positions)
		assert.Len(t, positions.Positions, maxPageSize)
		assert.Equal(t, maxPageSize, positions.NextOffset)
		assert.Less(t, resultSize(t, res), maxResult)

		var stale staleOutput
		res = call(t, cs, "stale_vehicles", map[string]any{"olderThanMinutes": 1}, &stale)
		assert.Equal(t, 250, stale.Checked)
		assert.Equal(t, 250, stale.StaleCount)
		assert.Len(t, stale.Stale, defaultPageSize)
		assert.Less(t, resultSize(t, res), maxResult)
	})
	t.Run("tracks", func(t *testing.T) {
		srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(210), mycartrackstest.WithPointsPerTrack(10), mycartrackstest.WithoutRateLimit())
		defer srv.Close()
		cs := mcpOver(t, srv)
		vehicle := strconv.FormatInt(srv.Fleet().VehicleIDs()[0], 10)
		var tracks tracksOutput
		res := call(t, cs, "list_tracks", map[string]any{"vehicleId": vehicle, "limit": 100000}, &tracks)
		require.False(t, res.IsError, errorText(res))
		assert.Len(t, tracks.Tracks, maxPageSize)
		assert.Equal(t, maxPageSize, tracks.NextOffset)
		assert.Less(t, resultSize(t, res), maxResult)
	})
	t.Run("a long track", func(t *testing.T) {
		const points = 30_000 // megabytes as JSON
		srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(1), mycartrackstest.WithPointsPerTrack(points), mycartrackstest.WithoutRateLimit())
		defer srv.Close()
		cs := mcpOver(t, srv)
		vehicle := strconv.FormatInt(srv.Fleet().VehicleIDs()[0], 10)
		track := strconv.FormatInt(srv.Fleet().Tracks()[0].ID, 10)
		var sum summaryOutput
		res := call(t, cs, "track_summary", map[string]any{"vehicleId": vehicle, "trackId": track}, &sum)
		require.False(t, res.IsError, errorText(res))
		require.NotNil(t, sum.Track)
		assert.Equal(t, points, sum.Track.Points, "every point was read")
		assert.Less(t, resultSize(t, res), 4<<10, "and none returned")
	})
}

// TestMCPOverHTTP: with --http the server speaks streamable HTTP on the loopback address
// it prints on stderr, to the SDK's own client; Ctrl-C stops it.
func TestMCPOverHTTP(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errOut, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		a := newApp(strings.NewReader(""), io.Discard, w)
		done <- a.run(ctx, []string{"--sandbox", "--provider", "mycartracks", "mcp", "--http", "127.0.0.1:0"})
		w.Close()
	}()
	line, err := bufio.NewReader(errOut).ReadString('\n')
	require.NoError(t, err)
	endpoint, ok := strings.CutPrefix(strings.TrimSpace(line), "fleetkit mcp: serving MCP over streamable HTTP at ")
	require.True(t, ok, line)
	go func() { _, _ = io.Copy(io.Discard, errOut) }()

	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint}, nil)
	require.NoError(t, err)
	assert.Equal(t, readTools, toolNames(t, cs))
	var vehicles vehiclesOutput
	res := call(t, cs, "list_vehicles", nil, &vehicles)
	require.False(t, res.IsError, errorText(res))
	assert.Len(t, vehicles.Vehicles, 5)
	require.NoError(t, cs.Close())

	cancel()
	assert.Equal(t, exitOK, <-done)
}
