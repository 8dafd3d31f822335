package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/fleetkit/fleetkit-go/telematics"
)

func (a *app) mcpCommand() *cobra.Command {
	var (
		allowCommands bool
		httpAddr      string
	)
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the fleet to AI agents: a Model Context Protocol server over stdio",
		Long: `mcp runs a Model Context Protocol server over stdio (or, with --http, streamable HTTP on a
loopback address) whose tools read the fleet: vehicles, last positions, vehicles that stopped
updating, tracks and their summaries, signals and the rate budget. It is read-only unless
--allow-commands is given: only then are there tools that lock, unlock, charge or route a
real vehicle.`,
		Example: "  fleetkit mcp\n  fleetkit mcp --sandbox\n  fleetkit mcp --provider smartcar --allow-commands",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if httpAddr != "" {
				if err := loopbackAddr(httpAddr); err != nil {
					return err
				}
			}
			return a.withBackend(cmd, func(ctx context.Context, b *backend) error {
				srv := newMCPServer(b, a.now, allowCommands)
				if httpAddr != "" {
					return a.serveMCPHTTP(ctx, srv, httpAddr)
				}
				err := srv.Run(ctx, &mcp.IOTransport{Reader: io.NopCloser(a.stdin), Writer: nopWriteCloser{a.stdout}})
				if err != nil && ctx.Err() == nil && !errors.Is(err, io.EOF) {
					return err
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&allowCommands, "allow-commands", false, "add the tools that act on real vehicles (lock, unlock, charging, destination)")
	cmd.Flags().StringVar(&httpAddr, "http", "", "serve streamable HTTP on this loopback address (127.0.0.1:8765) instead of stdio")
	return cmd
}

// loopbackAddr refuses an address that is not on a loopback interface: the server has no
// authentication of its own.
func loopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--http %q: want HOST:PORT", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return usagef("--http %q: the server has no authentication, so it listens on loopback only (127.0.0.1:PORT)", addr)
	}
	return nil
}

// serveMCPHTTP serves srv as streamable HTTP on addr until ctx ends.
func (a *app) serveMCPHTTP(ctx context.Context, srv *mcp.Server, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &usageError{err}
	}
	hs := &http.Server{
		Handler:           mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(a.stderr, "fleetkit mcp: serving MCP over streamable HTTP at http://%s/\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
		<-errc
		return nil
	}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// Paging of the tools' lists: an agent's context is small, so lists come in pages.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// pageInput is the paging part of a tool's input.
type pageInput struct {
	Limit  int `json:"limit,omitempty" jsonschema:"at most this many items (default 50, at most 200)"`
	Offset int `json:"offset,omitempty" jsonschema:"skip this many items: the nextOffset of the previous page"`
}

func (p pageInput) bounds() (offset, limit int, err error) {
	limit = p.Limit
	switch {
	case p.Offset < 0 || limit < 0:
		return 0, 0, fmt.Errorf("limit and offset must not be negative: %w", telematics.ErrInvalidInput)
	case limit == 0:
		limit = defaultPageSize
	case limit > maxPageSize:
		limit = maxPageSize
	}
	return p.Offset, limit, nil
}

// page collects one page of seq: the items from offset, at most limit, and the offset of
// the next page (0 when this is the last one).
func page[T, R any](seq func(func(T, error) bool), offset, limit int, conv func(T) (R, bool)) ([]R, int, error) {
	out := []R{}
	seen, next := 0, 0
	var iterErr error
	seq(func(item T, err error) bool {
		if err != nil {
			iterErr = err
			return false
		}
		r, keep := conv(item)
		if !keep {
			return true
		}
		seen++
		if seen <= offset {
			return true
		}
		if len(out) == limit {
			next = offset + limit
			return false
		}
		out = append(out, r)
		return true
	})
	return out, next, iterErr
}

// The tools' outputs.
type (
	vehiclesOutput struct {
		Vehicles   []vehicleRecord `json:"vehicles"`
		NextOffset int             `json:"nextOffset,omitzero" jsonschema:"pass as offset for the next page; absent on the last page"`
	}
	positionsOutput struct {
		Positions  []positionRecord `json:"positions"`
		NextOffset int              `json:"nextOffset,omitzero" jsonschema:"pass as offset for the next page; absent on the last page"`
	}
	staleOutput struct {
		OlderThanMinutes float64          `json:"olderThanMinutes"`
		Checked          int              `json:"checked" jsonschema:"how many vehicles were checked"`
		StaleCount       int              `json:"staleCount" jsonschema:"how many vehicles have a last position older than olderThanMinutes"`
		Stale            []positionRecord `json:"stale" jsonschema:"the stale vehicles' last positions, oldest first, at most limit"`
		NeverReported    []string         `json:"neverReported" jsonschema:"vehicles with no known position at all, at most limit"`
		// NeverReportedCount counts them all, as StaleCount counts the stale ones.
		NeverReportedCount int `json:"neverReportedCount" jsonschema:"how many vehicles have no known position at all"`
	}
	tracksOutput struct {
		Tracks     []trackRecord `json:"tracks"`
		NextOffset int           `json:"nextOffset,omitzero" jsonschema:"pass as offset for the next page; absent on the last page"`
	}
	signalsOutput struct {
		Signals []signalRecord `json:"signals"`
	}
	rateOutput struct {
		Rates []rateRecord `json:"rates"`
	}
)

// rangeSummary sums up the tracks of a vehicle in a time range.
type rangeSummary struct {
	VehicleID             string    `json:"vehicleId"`
	Tracks                int       `json:"tracks"`
	DistanceKm            float64   `json:"distanceKm"`
	DurationSeconds       int64     `json:"durationSeconds"`
	MovingDurationSeconds int64     `json:"movingDurationSeconds"`
	MaxSpeedKmh           float64   `json:"maxSpeedKmh"`
	FirstStart            time.Time `json:"firstStart,omitzero"`
	LastEnd               time.Time `json:"lastEnd,omitzero"`
}

// trackSummary describes one track from its points, without the points.
type trackSummary struct {
	Track  trackRecord `json:"track"`
	Points int         `json:"points" jsonschema:"positions in the track"`
	// The extent of the valid positions.
	MinLatitude      float64         `json:"minLatitude"`
	MaxLatitude      float64         `json:"maxLatitude"`
	MinLongitude     float64         `json:"minLongitude"`
	MaxLongitude     float64         `json:"maxLongitude"`
	MaxPointSpeedKmh float64         `json:"maxPointSpeedKmh" jsonschema:"the highest speed reported by a position"`
	First            *positionRecord `json:"first,omitempty" jsonschema:"the first valid position"`
	Last             *positionRecord `json:"last,omitempty" jsonschema:"the last valid position"`
	InvalidPositions int             `json:"invalidPositions" jsonschema:"positions without a valid fix"`
}

type summaryOutput struct {
	Range *rangeSummary `json:"range,omitempty" jsonschema:"the sum of the tracks in the range (when no trackId was given)"`
	Track *trackSummary `json:"track,omitempty" jsonschema:"the summary of the track trackId"`
}

// The tools' inputs.
type (
	vehiclesInput struct {
		pageInput
	}
	positionsInput struct {
		VehicleIDs []string `json:"vehicleIds,omitempty" jsonschema:"only these vehicle ids (default: every vehicle)"`
		pageInput
	}
	staleInput struct {
		OlderThanMinutes float64 `json:"olderThanMinutes" jsonschema:"a vehicle is stale when its last position is older than this many minutes"`
		Limit            int     `json:"limit,omitempty" jsonschema:"list at most this many stale vehicles and as many that never reported (default 50, at most 200)"`
	}
	rangeInput struct {
		VehicleID string `json:"vehicleId" jsonschema:"the vehicle id (list_vehicles gives them)"`
		From      string `json:"from,omitempty" jsonschema:"start of the range: RFC 3339 or YYYY-MM-DD (default: no bound)"`
		To        string `json:"to,omitempty" jsonschema:"end of the range, excluded: RFC 3339 or YYYY-MM-DD (default: no bound)"`
	}
	tracksInput struct {
		rangeInput
		pageInput
	}
	summaryInput struct {
		rangeInput
		TrackID string `json:"trackId,omitempty" jsonschema:"summarise this track from its points (it must start in the range); default: sum up every track in the range"`
	}
	signalsInput struct {
		VehicleID string   `json:"vehicleId" jsonschema:"the vehicle id (list_vehicles gives them)"`
		Codes     []string `json:"codes,omitempty" jsonschema:"only these signal codes, such as tractionbattery-stateofcharge (default: all)"`
	}
	noInput     struct{}
	vehicleOnly struct {
		VehicleID string `json:"vehicleId" jsonschema:"the vehicle id (list_vehicles gives them)"`
	}
	chargeLimitInput struct {
		VehicleID string  `json:"vehicleId" jsonschema:"the vehicle id (list_vehicles gives them)"`
		Percent   float64 `json:"percent" jsonschema:"the charge limit, from 1 to 100"`
	}
	destinationInput struct {
		VehicleID string  `json:"vehicleId" jsonschema:"the vehicle id (list_vehicles gives them)"`
		Latitude  float64 `json:"latitude" jsonschema:"WGS 84 degrees"`
		Longitude float64 `json:"longitude" jsonschema:"WGS 84 degrees"`
	}
)

// mcpTools holds what the tools work on.
type mcpTools struct {
	b   *backend
	now func() time.Time
}

// toolError turns an error into the message of an error result: the provider's message
// and what to do, as the command line prints it (never a secret).
func toolError(tool string, err error) error {
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, telematics.ErrInvalidInput) {
		return fmt.Errorf("%s: %s: fix the arguments", tool, oneLine(err.Error()))
	}
	_, msg := classify(err, tool)
	return errors.New(msg)
}

// sortByTime sorts positions oldest first.
func sortByTime(ps []positionRecord) {
	slices.SortFunc(ps, func(a, b positionRecord) int { return a.Time.Compare(b.Time) })
}

// newMCPServer returns the MCP server of the fleet: read-only tools, and with
// allowCommands the tools that act on vehicles.
func newMCPServer(b *backend, now func() time.Time, allowCommands bool) *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "fleetkit", Title: "fleetkit vehicle fleets", Version: version()}, &mcp.ServerOptions{
		Instructions: "Tools to read vehicle fleets (MyCarTracks, Smartcar): list_vehicles gives the vehicle ids the other tools take. Lists come in pages (limit, offset, nextOffset). Times are RFC 3339 in UTC; units are in the field names.",
	})
	t := &mcpTools{b: b, now: now}
	readOnly := &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true}
	add := func(tool *mcp.Tool) *mcp.Tool { tool.Annotations = readOnly; return tool }
	mcp.AddTool(srv, add(&mcp.Tool{Name: "list_vehicles", Description: "List the vehicles of the fleet (id, name, make, model, plate, VIN), a page at a time."}), t.listVehicles)
	mcp.AddTool(srv, add(&mcp.Tool{Name: "last_positions", Description: "The last known position of vehicles, with its time and age in seconds, a page at a time."}), t.lastPositions)
	mcp.AddTool(srv, add(&mcp.Tool{Name: "stale_vehicles", Description: "Which vehicles stopped updating: those whose last known position is older than a given number of minutes, oldest first, and those that never reported one."}), t.staleVehicles)
	mcp.AddTool(srv, add(&mcp.Tool{Name: "list_tracks", Description: "List the tracks (trips) of a vehicle in a time range with their distance, duration and speeds, a page at a time. Points are not included: use track_summary."}), t.listTracks)
	mcp.AddTool(srv, add(&mcp.Tool{Name: "track_summary", Description: "Sum up the tracks of a vehicle in a time range (count, distance, durations, top speed), or, with trackId, one track from its points (point count, extent, first and last position) without returning the points."}), t.trackSummary)
	mcp.AddTool(srv, add(&mcp.Tool{Name: "read_signals", Description: "Read the signals of a connected vehicle: state of charge, range, odometer, lock state, location... Each signal has a status; a failed one says why."}), t.readSignals)
	mcp.AddTool(srv, add(&mcp.Tool{Name: "rate_budget", Description: "Each provider's request budget as its last answer reported it (requests remaining, limit, reset time); unknown until a tool has called the provider."}), t.rateBudget)
	if allowCommands {
		t.addCommandTools(srv)
	}
	return srv
}

func (t *mcpTools) listVehicles(ctx context.Context, _ *mcp.CallToolRequest, in vehiclesInput) (*mcp.CallToolResult, vehiclesOutput, error) {
	offset, limit, err := in.bounds()
	if err != nil {
		return nil, vehiclesOutput{}, toolError("list_vehicles", err)
	}
	vs, next, err := page(t.b.fleet.Vehicles(ctx), offset, limit, func(v telematics.Vehicle) (vehicleRecord, bool) { return newVehicleRecord(v), true })
	if err != nil {
		return nil, vehiclesOutput{}, toolError("list_vehicles", err)
	}
	return nil, vehiclesOutput{Vehicles: vs, NextOffset: next}, nil
}

func (t *mcpTools) lastPositions(ctx context.Context, _ *mcp.CallToolRequest, in positionsInput) (*mcp.CallToolResult, positionsOutput, error) {
	offset, limit, err := in.bounds()
	if err != nil {
		return nil, positionsOutput{}, toolError("last_positions", err)
	}
	now := t.now()
	ps, next, err := page(t.b.fleet.LastPositions(ctx, in.VehicleIDs...), offset, limit, func(p telematics.Position) (positionRecord, bool) { return newPositionRecord(p, now), true })
	if err != nil {
		return nil, positionsOutput{}, toolError("last_positions", err)
	}
	return nil, positionsOutput{Positions: ps, NextOffset: next}, nil
}

func (t *mcpTools) staleVehicles(ctx context.Context, _ *mcp.CallToolRequest, in staleInput) (*mcp.CallToolResult, staleOutput, error) {
	if in.OlderThanMinutes <= 0 {
		return nil, staleOutput{}, toolError("stale_vehicles", fmt.Errorf("olderThanMinutes must be positive: %w", telematics.ErrInvalidInput))
	}
	_, limit, err := pageInput{Limit: in.Limit}.bounds()
	if err != nil {
		return nil, staleOutput{}, toolError("stale_vehicles", err)
	}
	now := t.now()
	cutoff := now.Add(-time.Duration(in.OlderThanMinutes * float64(time.Minute)))
	out := staleOutput{OlderThanMinutes: in.OlderThanMinutes, Stale: []positionRecord{}, NeverReported: []string{}}
	reported := map[string]bool{}
	var stale []positionRecord
	for p, err := range t.b.fleet.LastPositions(ctx) {
		if err != nil {
			return nil, staleOutput{}, toolError("stale_vehicles", err)
		}
		reported[p.VehicleID] = true
		if p.Time.Before(cutoff) {
			stale = append(stale, newPositionRecord(p, now))
		}
	}
	for v, err := range t.b.fleet.Vehicles(ctx) {
		if err != nil {
			return nil, staleOutput{}, toolError("stale_vehicles", err)
		}
		out.Checked++
		if !reported[v.ID] {
			out.NeverReportedCount++
			if len(out.NeverReported) < limit {
				out.NeverReported = append(out.NeverReported, v.ID)
			}
		}
	}
	sortByTime(stale)
	out.StaleCount = len(stale)
	out.Stale = append(out.Stale, stale[:min(len(stale), limit)]...)
	return nil, out, nil
}

func (t *mcpTools) timeRange(in rangeInput) (time.Time, time.Time, error) {
	if in.VehicleID == "" {
		return time.Time{}, time.Time{}, fmt.Errorf("vehicleId is required: %w", telematics.ErrInvalidInput)
	}
	a := &app{now: t.now}
	return a.timeRange(in.From, in.To)
}

func (t *mcpTools) listTracks(ctx context.Context, _ *mcp.CallToolRequest, in tracksInput) (*mcp.CallToolResult, tracksOutput, error) {
	offset, limit, err := in.bounds()
	if err != nil {
		return nil, tracksOutput{}, toolError("list_tracks", err)
	}
	from, to, err := t.timeRange(in.rangeInput)
	if err != nil {
		return nil, tracksOutput{}, toolError("list_tracks", err)
	}
	ts, next, err := page(t.b.fleet.Tracks(ctx, in.VehicleID, from, to), offset, limit, func(tr telematics.Track) (trackRecord, bool) { return newTrackRecord(tr), true })
	if err != nil {
		return nil, tracksOutput{}, toolError("list_tracks", err)
	}
	return nil, tracksOutput{Tracks: ts, NextOffset: next}, nil
}

func (t *mcpTools) trackSummary(ctx context.Context, _ *mcp.CallToolRequest, in summaryInput) (*mcp.CallToolResult, summaryOutput, error) {
	from, to, err := t.timeRange(in.rangeInput)
	if err != nil {
		return nil, summaryOutput{}, toolError("track_summary", err)
	}
	sum := rangeSummary{VehicleID: in.VehicleID}
	for tr, err := range t.b.fleet.Tracks(ctx, in.VehicleID, from, to) {
		if err != nil {
			return nil, summaryOutput{}, toolError("track_summary", err)
		}
		if in.TrackID != "" {
			if tr.ID != in.TrackID {
				continue
			}
			ts, err := t.summariseTrack(ctx, tr)
			if err != nil {
				return nil, summaryOutput{}, toolError("track_summary", err)
			}
			return nil, summaryOutput{Track: ts}, nil
		}
		sum.Tracks++
		sum.DistanceKm += tr.Distance.Kilometres()
		sum.DurationSeconds += int64(tr.Duration / time.Second)
		sum.MovingDurationSeconds += int64(tr.MovingDuration / time.Second)
		sum.MaxSpeedKmh = max(sum.MaxSpeedKmh, round(tr.MaxSpeed.KMH(), 1))
		if sum.FirstStart.IsZero() || tr.Start.Before(sum.FirstStart) {
			sum.FirstStart = utc(tr.Start)
		}
		if tr.End.After(sum.LastEnd) {
			sum.LastEnd = utc(tr.End)
		}
	}
	if in.TrackID != "" {
		return nil, summaryOutput{}, toolError("track_summary", fmt.Errorf("track %s of vehicle %s in the range: %w", in.TrackID, in.VehicleID, telematics.ErrNotFound))
	}
	sum.DistanceKm = round(sum.DistanceKm, 3)
	return nil, summaryOutput{Range: &sum}, nil
}

// summariseTrack reads the points of tr, streaming, and keeps only their summary.
func (t *mcpTools) summariseTrack(ctx context.Context, tr telematics.Track) (*trackSummary, error) {
	s := &trackSummary{Track: newTrackRecord(tr)}
	var first, last telematics.Position
	for p, err := range t.b.fleet.TrackPositions(ctx, tr) {
		if err != nil {
			return nil, err
		}
		s.Points++
		if !p.Valid() {
			s.InvalidPositions++
			continue
		}
		if s.Points-s.InvalidPositions == 1 {
			first = p
			s.MinLatitude, s.MaxLatitude, s.MinLongitude, s.MaxLongitude = p.Latitude, p.Latitude, p.Longitude, p.Longitude
		}
		last = p
		s.MinLatitude, s.MaxLatitude = min(s.MinLatitude, p.Latitude), max(s.MaxLatitude, p.Latitude)
		s.MinLongitude, s.MaxLongitude = min(s.MinLongitude, p.Longitude), max(s.MaxLongitude, p.Longitude)
		if p.Has(telematics.HasSpeed) {
			s.MaxPointSpeedKmh = max(s.MaxPointSpeedKmh, round(p.Speed.KMH(), 1))
		}
	}
	if s.Points > s.InvalidPositions {
		f, l := newPositionRecord(first, time.Time{}), newPositionRecord(last, time.Time{})
		s.First, s.Last = &f, &l
	}
	return s, nil
}

func (t *mcpTools) readSignals(ctx context.Context, _ *mcp.CallToolRequest, in signalsInput) (*mcp.CallToolResult, signalsOutput, error) {
	if in.VehicleID == "" {
		return nil, signalsOutput{}, toolError("read_signals", fmt.Errorf("vehicleId is required: %w", telematics.ErrInvalidInput))
	}
	signals, err := t.b.fleet.Signals(ctx, in.VehicleID, in.Codes...)
	if err != nil {
		return nil, signalsOutput{}, toolError("read_signals", err)
	}
	out := signalsOutput{Signals: make([]signalRecord, 0, len(signals))}
	for _, s := range signals {
		out.Signals = append(out.Signals, newSignalRecord(s))
	}
	return nil, out, nil
}

func (t *mcpTools) rateBudget(context.Context, *mcp.CallToolRequest, noInput) (*mcp.CallToolResult, rateOutput, error) {
	out := rateOutput{Rates: []rateRecord{}}
	for _, p := range t.b.providers {
		out.Rates = append(out.Rates, newRateRecord(p.name, p.rate()))
	}
	return nil, out, nil
}

// addCommandTools adds the tools that act on vehicles.
func (t *mcpTools) addCommandTools(srv *mcp.Server) {
	destructive := true
	ann := &mcp.ToolAnnotations{DestructiveHint: &destructive}
	const warning = " This acts on a real vehicle: ask the user to confirm before calling it."
	simple := func(name, what string, kind telematics.CommandKind) {
		mcp.AddTool(srv, &mcp.Tool{Name: name, Description: what + warning, Annotations: ann},
			func(ctx context.Context, _ *mcp.CallToolRequest, in vehicleOnly) (*mcp.CallToolResult, commandRecord, error) {
				return t.send(ctx, name, in.VehicleID, telematics.Command{Kind: kind})
			})
	}
	simple("lock_vehicle", "Lock the doors of a vehicle.", telematics.CommandLock)
	simple("unlock_vehicle", "Unlock the doors of a vehicle.", telematics.CommandUnlock)
	simple("start_charging", "Start charging a plugged-in electric vehicle.", telematics.CommandStartCharge)
	simple("stop_charging", "Stop charging an electric vehicle.", telematics.CommandStopCharge)
	mcp.AddTool(srv, &mcp.Tool{Name: "set_charge_limit", Description: "Set the charge limit of an electric vehicle, in percent." + warning, Annotations: ann},
		func(ctx context.Context, _ *mcp.CallToolRequest, in chargeLimitInput) (*mcp.CallToolResult, commandRecord, error) {
			if in.Percent <= 0 || in.Percent > 100 {
				return nil, commandRecord{}, toolError("set_charge_limit", fmt.Errorf("percent %g: want 1 to 100: %w", in.Percent, telematics.ErrInvalidInput))
			}
			return t.send(ctx, "set_charge_limit", in.VehicleID, telematics.Command{Kind: telematics.CommandSetChargeLimit, ChargeLimit: telematics.Percent(in.Percent)})
		})
	mcp.AddTool(srv, &mcp.Tool{Name: "set_destination", Description: "Send a navigation destination to a vehicle." + warning, Annotations: ann},
		func(ctx context.Context, _ *mcp.CallToolRequest, in destinationInput) (*mcp.CallToolResult, commandRecord, error) {
			if in.Latitude < -90 || in.Latitude > 90 || in.Longitude < -180 || in.Longitude > 180 {
				return nil, commandRecord{}, toolError("set_destination", fmt.Errorf("latitude %g, longitude %g: out of range: %w", in.Latitude, in.Longitude, telematics.ErrInvalidInput))
			}
			return t.send(ctx, "set_destination", in.VehicleID, telematics.Command{Kind: telematics.CommandSetDestination, Latitude: in.Latitude, Longitude: in.Longitude})
		})
}

func (t *mcpTools) send(ctx context.Context, tool, vehicle string, c telematics.Command) (*mcp.CallToolResult, commandRecord, error) {
	if vehicle == "" {
		return nil, commandRecord{}, toolError(tool, fmt.Errorf("vehicleId is required: %w", telematics.ErrInvalidInput))
	}
	res, err := t.b.fleet.SendCommand(ctx, vehicle, c)
	if err != nil {
		return nil, commandRecord{}, toolError(tool, err)
	}
	return nil, commandRecord{VehicleID: vehicle, Command: string(c.Kind), Status: res.Status, Pending: res.Pending, RequestID: res.RequestID}, nil
}
