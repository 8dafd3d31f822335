// Command export-tracks exports the tracks of one MyCarTracks vehicle, with every
// trackpoint, as GPX 1.1, GeoJSON or CSV.
//
//	go run ./examples/export-tracks -vehicle 1001 -from 2026-02-01 -to 2026-02-28 -format gpx -o february.gpx
//
// Without -vehicle it takes the account's first vehicle; without -from/-to every track.
// Dates are YYYY-MM-DD, read as UTC days (a -to date includes that whole day), or RFC 3339
// times with their zone. The export
// streams: tracks and points are fetched page by page and written as they arrive, so a
// track of millions of points takes the memory of one page. Progress goes to stderr. With
// -o the file appears only when the export is complete.
//
// Credentials as in examples/quickstart: MYCARTRACKS_CLIENT_ID and
// MYCARTRACKS_CLIENT_SECRET for the real API, otherwise the built-in simulated fleet.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"time"

	"github.com/fleetkit/fleetkit-go/examples/internal/connect"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, errFlags) {
			os.Exit(2) // the flag set has printed the problem and the usage
		}
		fmt.Fprintln(os.Stderr, "export-tracks:", err)
		os.Exit(1)
	}
}

// errFlags marks errors the flag set has already reported.
var errFlags = errors.New("bad flags")

type options struct {
	vehicle  mycartracks.ID
	from, to time.Time
	format   export.Format
	output   string
	every    int // progress line every this many points of a track
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{format: export.GPX}
	fs := flag.NewFlagSet("export-tracks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vehicle := fs.String("vehicle", "", "vehicle ID (default: the account's first vehicle)")
	from := fs.String("from", "", "first day (YYYY-MM-DD or RFC 3339; default: unbounded)")
	to := fs.String("to", "", "last day, included (YYYY-MM-DD or RFC 3339; default: unbounded)")
	fs.TextVar(&o.format, "format", export.GPX, "output format: gpx, geojson or csv")
	fs.StringVar(&o.output, "o", "", "output file (default: stdout)")
	fs.IntVar(&o.every, "progress-every", 100_000, "report progress every N points of a track")
	if err := fs.Parse(args); err != nil {
		// The flag set has printed the problem and the usage.
		return o, fmt.Errorf("%w: %v", errFlags, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *vehicle != "" {
		id, err := strconv.ParseInt(*vehicle, 10, 64)
		if err != nil || id <= 0 {
			return o, fmt.Errorf("-vehicle %q is not a vehicle ID", *vehicle)
		}
		o.vehicle = mycartracks.ID(id)
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
	client, _, closeAll, err := connect.MyCarTracks(stderr)
	if err != nil {
		return err
	}
	defer closeAll()

	if o.vehicle == 0 {
		page, err := client.Vehicles.List(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: 1}})
		if err != nil {
			return fmt.Errorf("finding a vehicle: %w", err)
		}
		if len(page.Items) == 0 {
			return errors.New("the account has no vehicles")
		}
		o.vehicle = page.Items[0].ID
		fmt.Fprintf(stderr, "exporting vehicle %s (%s); choose another with -vehicle\n", o.vehicle, page.Items[0].Name)
	}

	out, commit, discard, err := openOutput(o.output, stdout)
	if err != nil {
		return err
	}
	defer discard()
	w, err := export.New(o.format, out,
		export.WithCreator("fleetkit export-tracks"),
		export.WithName(fmt.Sprintf("MyCarTracks vehicle %s", o.vehicle)))
	if err != nil {
		return err
	}

	p := &progress{out: stderr, every: o.every}
	tracks := client.Tracks.All(ctx, &mycartracks.TrackListOptions{VehicleID: o.vehicle, From: o.from, To: o.to})
	for t, err := range tracks {
		if err != nil {
			return fmt.Errorf("listing tracks: %w", err)
		}
		p.track(t)
		if err := w.WriteTrack(t.Telematics(), p.count(client.Tracks.Positions(ctx, t, nil))); err != nil {
			return err
		}
		p.done()
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := commit(); err != nil {
		return err
	}
	st := w.Stats()
	fmt.Fprintf(stderr, "exported %d tracks, %d points (%d skipped without a valid fix) as %s\n", st.Tracks, st.Points, st.Skipped, o.format)
	return nil
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

// progress reports on stderr: a line per track, and one every `every` points of a long
// track.
type progress struct {
	out    io.Writer
	every  int
	tracks int
	points int
	id     mycartracks.ID
}

func (p *progress) track(t mycartracks.Track) {
	p.tracks++
	p.points = 0
	p.id = t.ID
}

func (p *progress) count(points iter.Seq2[telematics.Position, error]) iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		for pos, err := range points {
			if err == nil {
				p.points++
				if p.every > 0 && p.points%p.every == 0 {
					fmt.Fprintf(p.out, "  track %s: %d points...\n", p.id, p.points)
				}
			}
			if !yield(pos, err) {
				return
			}
		}
	}
}

func (p *progress) done() {
	fmt.Fprintf(p.out, "track %d: %s, %d points\n", p.tracks, p.id, p.points)
}
