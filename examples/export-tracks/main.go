// Command export-tracks exports the tracks of one vehicle, with every position, as GPX
// 1.1, GeoJSON or CSV, through the provider-neutral API (export.Tracks over a fleet).
//
//	go run ./examples/export-tracks -vehicle 1001 -from 2026-02-01 -to 2026-02-28 -format gpx -o february.gpx
//	go run ./examples/export-tracks -provider all -vehicle mycartracks:1001
//
// -provider chooses the fleet: mycartracks (the default), smartcar (which records no
// trips, so it fails with "not supported"), or all (both merged; vehicle ids are then
// provider:id). Without -vehicle it takes the fleet's first vehicle; without -from/-to
// every track. Dates are YYYY-MM-DD, read as UTC days (a -to date includes that whole
// day), or RFC 3339 times with their zone. The export streams: tracks and points are
// fetched page by page and written as they arrive, so a track of millions of points
// takes the memory of one page. Progress, with the rate and an estimate of the time
// left, goes to stderr. With -o the file appears only when the export is complete: an
// unknown vehicle is an error that names it (exit status 1), never an empty file.
//
// Credentials as in examples/quickstart: MYCARTRACKS_CLIENT_ID and
// MYCARTRACKS_CLIENT_SECRET (SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET) for the real
// APIs, otherwise the built-in simulated fleets.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
	"github.com/fleetkit/fleetkit-go/examples/internal/connect"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	cli.Exit("export-tracks", err)
}

type options struct {
	provider string
	vehicle  string
	from, to time.Time
	format   export.Format
	output   string
	every    int // progress line every this many points of a track
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{format: export.GPX}
	fs := cli.FlagSet("export-tracks", "exports the tracks of one vehicle as GPX, GeoJSON or CSV through the provider-neutral API",
		"go run ./examples/export-tracks [-provider mycartracks|smartcar|all] [-vehicle ID] [-from DAY] [-to DAY] [-format gpx|geojson|csv] [-o FILE]", stderr)
	fs.StringVar(&o.provider, "provider", "mycartracks", connect.ProviderUsage)
	fs.StringVar(&o.vehicle, "vehicle", "", "vehicle ID (default: the fleet's first vehicle)")
	from := fs.String("from", "", "first day (YYYY-MM-DD or RFC 3339; default: unbounded)")
	to := fs.String("to", "", "last day, included (YYYY-MM-DD or RFC 3339; default: unbounded)")
	fs.TextVar(&o.format, "format", export.GPX, "output format: gpx, geojson or csv")
	fs.StringVar(&o.output, "o", "", "output file (default: stdout)")
	fs.IntVar(&o.every, "progress-every", 100_000, "report progress every N points of a track")
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	var err error
	if o.from, err = parseDay(*from, false); err != nil {
		return o, fmt.Errorf("-from: %w", err)
	}
	if o.to, err = parseDay(*to, true); err != nil {
		return o, fmt.Errorf("-to: %w", err)
	}
	if !o.from.IsZero() && !o.to.IsZero() && !o.from.Before(o.to) {
		return o, errors.New("-from must be before -to")
	}
	return o, nil
}

// parseDay reads a date or an RFC 3339 time; a bare date given as an end includes its
// whole day.
func parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither YYYY-MM-DD nor RFC 3339", s)
	}
	return t.UTC(), nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	fleet, _, closeAll, err := connect.Fleet(stderr, o.provider, "fleetkit-export-tracks")
	if err != nil {
		return err
	}
	defer closeAll()

	if o.vehicle == "" {
		v, err := firstVehicle(ctx, fleet)
		if err != nil {
			return err
		}
		o.vehicle = v.ID
		fmt.Fprintf(stderr, "exporting vehicle %s (%s); choose another with -vehicle\n", v.ID, name(v))
	}

	out, commit, discard, err := openOutput(o.output, stdout)
	if err != nil {
		return err
	}
	defer discard()
	p := &progress{out: stderr}
	st, err := export.Tracks(ctx, out, o.format, fleet, o.vehicle, o.from, o.to,
		export.WithCreator("fleetkit export-tracks"),
		export.WithName(fmt.Sprintf("%s vehicle %s", fleet.Provider(), o.vehicle)),
		export.WithProgressEvery(o.every), export.WithProgress(p.report))
	if err != nil {
		return err
	}
	if err := commit(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %d tracks, %d points (%d skipped without a valid fix) as %s\n", st.Tracks, st.Points, st.Skipped, o.format)
	return nil
}

// firstVehicle returns the fleet's first vehicle.
func firstVehicle(ctx context.Context, fleet telematics.Fleet) (telematics.Vehicle, error) {
	for v, err := range fleet.Vehicles(ctx) {
		if err != nil {
			return v, fmt.Errorf("finding a vehicle: %w", err)
		}
		return v, nil
	}
	return telematics.Vehicle{}, errors.New("the fleet has no vehicles")
}

func name(v telematics.Vehicle) string {
	if v.Name != "" {
		return v.Name
	}
	return v.Make + " " + v.Model
}

// openOutput returns where to write, a commit that makes the output final, and a discard
// that removes an unfinished file (a no-op after commit).
func openOutput(path string, stdout io.Writer) (io.Writer, func() error, func(), error) {
	if path == "" || path == "-" {
		return stdout, func() error { return nil }, func() {}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, nil, nil, err
	}
	committed := false
	commit := func() error {
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Rename(f.Name(), path); err != nil {
			return err
		}
		committed = true
		return nil
	}
	discard := func() {
		if !committed {
			f.Close()
			os.Remove(f.Name())
		}
	}
	return f, commit, discard, nil
}

// progress prints export.Tracks' reports on stderr: a line per track, and one every
// -progress-every points of a long track, with the rate and the time left.
type progress struct {
	out    io.Writer
	tracks int
}

func (p *progress) report(r export.Progress) {
	switch {
	case r.Done:
	case r.Tracks > p.tracks:
		p.tracks = r.Tracks
		fmt.Fprintf(p.out, "track %d/%d: %s, %d points%s\n", r.Tracks, r.TotalTracks, r.Track.ID, r.TrackPoints, speed(r))
	default:
		fmt.Fprintf(p.out, "  track %s: %d points...%s\n", r.Track.ID, r.TrackPoints, speed(r))
	}
}

func speed(r export.Progress) string {
	s := ""
	if r.Rate > 0 {
		s += fmt.Sprintf(" (%.0f points/s", r.Rate)
		if r.Remaining >= time.Second {
			s += fmt.Sprintf(", about %s left", r.Remaining.Round(time.Second))
		}
		s += ")"
	}
	return s
}
