package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

func (a *app) exportCommand() *cobra.Command {
	var vehicle, from, to, format, file string
	cmd := &cobra.Command{
		Use:   "export --vehicle ID --format gpx|geojson|csv [-o FILE]",
		Short: "Write the tracks of a vehicle in a time range as GPX, GeoJSON or CSV",
		Long: `export streams every track of a vehicle in the range, with all its points, into one file:
a track of a million points takes the memory of one. The file appears only when the export
is complete. On a terminal a progress bar on stderr shows tracks, points, rate and ETA.`,
		Example: `  fleetkit export --vehicle 1001 --from 2026-02-01 --to 2026-03-01 --format gpx -o february.gpx
  fleetkit export --vehicle 1001 --format csv > tracks.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireVehicle(vehicle); err != nil {
				return err
			}
			f, err := export.ParseFormat(format)
			if err != nil {
				return usagef("--format %q: want gpx, geojson or csv", format)
			}
			start, end, err := a.timeRange(from, to)
			if err != nil {
				return err
			}
			return a.withBackend(cmd, func(ctx context.Context, b *backend) error {
				return a.export(ctx, b.fleet, vehicle, start, end, f, file)
			})
		},
	}
	timeFlags(cmd, &vehicle, &from, &to)
	cmd.Flags().StringVar(&format, "format", "gpx", "the file format: gpx, geojson or csv")
	cmd.Flags().StringVarP(&file, "file", "o", "", "the file to write (default: stdout)")
	return cmd
}

// export writes the tracks of vehicle in [from, to) to file (stdout when empty or "-"),
// through a temporary file that is renamed only once the export is complete.
func (a *app) export(ctx context.Context, fleet telematics.Fleet, vehicle string, from, to time.Time, f export.Format, file string) error {
	var bar *progressBar
	if a.stderrTTY {
		bar = newProgressBar(a.stderr, a.now)
		defer bar.done()
	}
	if file == "" || file == "-" {
		_, err := exportTracks(ctx, a.stdout, fleet, vehicle, from, to, f, bar)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*.tmp")
	if err != nil {
		return &usageError{err}
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	stats, err := exportTracks(ctx, tmp, fleet, vehicle, from, to, f, bar)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return err
	}
	if bar != nil {
		bar.done()
		fmt.Fprintf(a.stderr, "wrote %s: %d tracks, %d points\n", file, stats.Tracks, stats.Points)
	}
	return nil
}

// exportTracks writes the tracks of vehicle to w, reporting progress to bar (nil: none).
// TODO(w11a): the neutral export call of telematics/export replaces this loop.
func exportTracks(ctx context.Context, w io.Writer, fleet telematics.Fleet, vehicle string, from, to time.Time, f export.Format, bar *progressBar) (export.Stats, error) {
	ew, err := export.New(f, w, export.WithCreator("fleetkit"), export.WithName(fmt.Sprintf("vehicle %s", vehicle)))
	if err != nil {
		return export.Stats{}, err
	}
	var tracks []telematics.Track
	for t, err := range fleet.Tracks(ctx, vehicle, from, to) {
		if err != nil {
			return export.Stats{}, fmt.Errorf("listing the tracks of vehicle %s: %w", vehicle, err)
		}
		tracks = append(tracks, t)
	}
	var points int
	for i, t := range tracks {
		pts := fleet.TrackPositions(ctx, t)
		if bar != nil {
			pts = counted(pts, func() {
				points++
				bar.update(progress{Tracks: i, TracksTotal: len(tracks), Points: points})
			})
		}
		if err := ew.WriteTrack(t, pts); err != nil {
			return ew.Stats(), exportError(err)
		}
	}
	if err := ew.Close(); err != nil {
		return ew.Stats(), exportError(err)
	}
	return ew.Stats(), nil
}

// counted calls tick for each position pts yields.
func counted(pts iter.Seq2[telematics.Position, error], tick func()) iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		for p, err := range pts {
			if err == nil {
				tick()
			}
			if !yield(p, err) {
				return
			}
		}
	}
}

// exportError unwraps the export's own error to the provider's, whose class sets the
// exit status; the message keeps where the export stopped.
func exportError(err error) error {
	var ee *export.Error
	if errors.As(err, &ee) {
		return fmt.Errorf("export stopped after %d tracks (%s, track %q, %d points): %w", ee.Tracks, ee.Op, ee.TrackID, ee.Points, ee.Err)
	}
	return err
}

// progress is how far an export got.
type progress struct {
	Tracks, TracksTotal int
	Points              int
}

// progressBar draws an export's progress on one line of a terminal: tracks, points,
// rate and an estimate of the time left.
type progressBar struct {
	w     io.Writer
	now   func() time.Time
	start time.Time
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer, now func() time.Time) *progressBar {
	t := now()
	return &progressBar{w: w, now: now, start: t}
}

// update redraws the line, at most ten times a second.
func (b *progressBar) update(p progress) {
	t := b.now()
	if b.drawn && t.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last, b.drawn = t, true
	fmt.Fprintf(b.w, "\r\033[K%s", progressLine(p, t.Sub(b.start)))
}

// done ends the line.
func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
		b.drawn = false
	}
}

// progressLine formats p after elapsed: "track 3/10  120000 points  45000 points/s  ETA 12s".
func progressLine(p progress, elapsed time.Duration) string {
	var s strings.Builder
	if p.TracksTotal > 0 {
		width := 20
		filled := width * p.Tracks / p.TracksTotal
		fmt.Fprintf(&s, "[%s%s] track %d/%d  ", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Tracks+1, p.TracksTotal)
	}
	fmt.Fprintf(&s, "%d points", p.Points)
	if secs := elapsed.Seconds(); secs > 0 {
		fmt.Fprintf(&s, "  %.0f points/s", float64(p.Points)/secs)
		if p.Tracks > 0 && p.TracksTotal > p.Tracks {
			eta := time.Duration(float64(elapsed) / float64(p.Tracks) * float64(p.TracksTotal-p.Tracks))
			fmt.Fprintf(&s, "  ETA %s", eta.Round(time.Second))
		}
	}
	return s.String()
}
