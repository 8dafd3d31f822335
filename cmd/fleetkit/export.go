package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// exportTracks writes the tracks of vehicle to w through the library's one export call,
// reporting progress to bar (nil: none).
func exportTracks(ctx context.Context, w io.Writer, fleet telematics.Fleet, vehicle string, from, to time.Time, f export.Format, bar *progressBar) (export.Stats, error) {
	opts := []export.Option{export.WithCreator("fleetkit"), export.WithName(fmt.Sprintf("vehicle %s", vehicle))}
	if bar != nil {
		opts = append(opts, export.WithProgress(bar.update), export.WithProgressEvery(1000), export.WithClock(nowClock(bar.now)))
	}
	stats, err := export.Tracks(ctx, w, f, fleet, vehicle, from, to, opts...)
	if err != nil {
		return stats, exportError(err)
	}
	return stats, nil
}

// nowClock measures an export's progress with the command's clock.
type nowClock func() time.Time

func (c nowClock) Now() time.Time { return c() }

func (c nowClock) Sleep(ctx context.Context, d time.Duration) error {
	return telematics.SystemClock.Sleep(ctx, d)
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
func (b *progressBar) update(p export.Progress) {
	t := b.now()
	if !p.Done && b.drawn && t.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last, b.drawn = t, true
	fmt.Fprintf(b.w, "\r\033[K%s", progressLine(p))
}

// done ends the line.
func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
		b.drawn = false
	}
}

// progressLine formats p: "[####....] track 3/10  120000 points  45000 points/s  ETA 12s".
func progressLine(p export.Progress) string {
	var s strings.Builder
	if p.TotalTracks > 0 {
		width := 20
		filled := width * p.Tracks / p.TotalTracks
		fmt.Fprintf(&s, "[%s%s] track %d/%d  ", strings.Repeat("#", filled), strings.Repeat(".", width-filled), min(p.Tracks+1, p.TotalTracks), p.TotalTracks)
	}
	fmt.Fprintf(&s, "%d points", p.Points)
	if p.Rate > 0 {
		fmt.Fprintf(&s, "  %.0f points/s", p.Rate)
	}
	if p.Remaining.Round(time.Second) > 0 {
		fmt.Fprintf(&s, "  ETA %s", p.Remaining.Round(time.Second))
	}
	return s.String()
}
