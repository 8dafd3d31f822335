package export

import (
	"context"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// TrackSource is what [Tracks] reads: any fleet that lists the tracks of a vehicle and
// streams their positions, such as mycartracks.Client.Fleet() or a telematics.Merge of
// several.
type TrackSource interface {
	telematics.TrackLister
	telematics.TrackPositionReader
}

// DefaultProgressEvery is how many positions of a track pass between two progress
// reports unless [WithProgressEvery] says otherwise.
const DefaultProgressEvery = 100_000

// Progress is how far a [Tracks] export has got, as the [WithProgress] callback receives
// it.
type Progress struct {
	// VehicleID is the vehicle being exported.
	VehicleID string
	// Track is the track being written (the last one written when Done).
	Track telematics.Track
	// TrackPoints is the number of positions read from Track so far.
	TrackPoints int
	// Tracks is the number of tracks completely written; TotalTracks the number the
	// export writes in all.
	Tracks, TotalTracks int
	// Points is the number of positions read so far, over every track (those skipped as
	// invalid included).
	Points int
	// Elapsed is the time since the export started, on the export's clock.
	Elapsed time.Duration
	// Rate is the number of positions read per second so far (0 before any time has
	// passed).
	Rate float64
	// Remaining estimates the time left from the share of the tracks' driving time
	// written so far (the number of positions of a track grows with its duration); zero
	// when it cannot be estimated yet.
	Remaining time.Duration
	// Done is true for the last report, when the export is complete.
	Done bool
}

// Tracks writes the tracks of vehicleID that started in [from, to) (zero times: no bound)
// with all their positions in format f to dst, reading them from src: the one call from
// a fleet to a GPX, GeoJSON or CSV file. It returns what was written.
//
// It first lists the tracks (their summaries only), so that an unknown vehicle, or any
// error of the listing, is returned before a byte is written: the error names the
// vehicle and matches what src's error matches (telematics.ErrNotFound for an unknown
// vehicle). Then it streams each track's positions into the Writer, holding one page of
// positions at a time whatever the length of a track. A vehicle without tracks in the
// range gives a valid, empty document.
//
// opts are the Writer's options plus [WithProgress], [WithProgressEvery] and
// [WithClock]. Errors while writing are the Writer's [*Error]; dst then holds an
// unfinished document (see the package documentation), so write to a temporary file
// and keep it only when Tracks returns nil.
func Tracks(ctx context.Context, dst io.Writer, f Format, src TrackSource, vehicleID string, from, to time.Time, opts ...Option) (Stats, error) {
	if src == nil {
		return Stats{}, fmt.Errorf("export: tracks of vehicle %q: no source: %w", vehicleID, telematics.ErrInvalidInput)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return Stats{}, fmt.Errorf("export: tracks of vehicle %q: the range %s to %s is empty: %w", vehicleID,
			from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), telematics.ErrInvalidInput)
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return Stats{}, err
	}
	w, err := New(f, dst, opts...)
	if err != nil {
		return Stats{}, err
	}
	var tracks []telematics.Track
	var total time.Duration
	for t, err := range src.Tracks(ctx, vehicleID, from, to) {
		if err != nil {
			return Stats{}, fmt.Errorf("export: tracks of vehicle %q: %w", vehicleID, err)
		}
		tracks = append(tracks, t)
		total += trackWeight(t)
	}

	p := progress{cfg: &cfg, start: cfg.clock.Now(), total: total}
	p.state = Progress{VehicleID: vehicleID, TotalTracks: len(tracks)}
	for i := range tracks {
		t := tracks[i]
		p.begin(t)
		if err := w.WriteTrack(t, p.count(src.TrackPositions(ctx, t))); err != nil {
			return w.Stats(), err
		}
		p.end(t)
	}
	if err := w.Close(); err != nil {
		return w.Stats(), err
	}
	p.state.Done = true
	p.report()
	return w.Stats(), nil
}

// trackWeight is a track's share of an export for the estimate: its duration, at least
// a second so that tracks without times still count.
func trackWeight(t telematics.Track) time.Duration {
	d := t.Duration
	if d <= 0 && !t.Start.IsZero() && t.End.After(t.Start) {
		d = t.End.Sub(t.Start)
	}
	return max(d, time.Second)
}

// progress counts an export and reports it.
type progress struct {
	cfg   *config
	start time.Time
	// total is the weight of every track, done the weight of those written.
	total, done time.Duration
	state       Progress
}

func (p *progress) begin(t telematics.Track) {
	p.state.Track, p.state.TrackPoints = t, 0
}

func (p *progress) end(t telematics.Track) {
	p.state.Tracks++
	p.done += trackWeight(t)
	p.report()
}

// count passes the positions on, reporting every cfg.every of them.
func (p *progress) count(points iter.Seq2[telematics.Position, error]) iter.Seq2[telematics.Position, error] {
	if p.cfg.progress == nil {
		return points
	}
	return func(yield func(telematics.Position, error) bool) {
		for pos, err := range points {
			if err == nil {
				p.state.TrackPoints++
				p.state.Points++
				if p.state.TrackPoints%p.cfg.every == 0 {
					p.report()
				}
			}
			if !yield(pos, err) {
				return
			}
		}
	}
}

func (p *progress) report() {
	if p.cfg.progress == nil {
		return
	}
	s := &p.state
	s.Elapsed = p.cfg.clock.Now().Sub(p.start)
	s.Rate, s.Remaining = 0, 0
	if s.Elapsed > 0 {
		s.Rate = float64(s.Points) / s.Elapsed.Seconds()
	}
	// The share done: the tracks written, plus the part of the current one that its
	// positions so far make up, taking a track's positions as spread over its duration
	// as the tracks already written were.
	done := p.done
	if !s.Done && s.Tracks > 0 && s.TrackPoints > 0 && s.Points > s.TrackPoints {
		perWeight := float64(s.Points-s.TrackPoints) / float64(p.done)
		done += min(time.Duration(float64(s.TrackPoints)/perWeight), trackWeight(s.Track))
	}
	if done > 0 && s.Elapsed > 0 && !s.Done {
		s.Remaining = time.Duration(float64(s.Elapsed) * float64(p.total-done) / float64(done))
	}
	p.cfg.progress(*s)
}

// WithProgress has [Tracks] call fn with its progress: every [WithProgressEvery]
// positions of a track, after each track, and once more when the export is complete
// (Progress.Done). fn runs in the exporting goroutine; the export waits for it. Writers
// ignore this option.
func WithProgress(fn func(Progress)) Option { return func(c *config) { c.progress = fn } }

// WithProgressEvery sets how many positions of a track pass between two progress
// reports of [Tracks] (default [DefaultProgressEvery]; a value below 1 keeps it).
func WithProgressEvery(n int) Option { return func(c *config) { c.every = n } }

// WithClock sets the clock [Tracks] measures its progress with (default
// telematics.SystemClock), so that a test controls the rate and estimate it reports.
func WithClock(clock telematics.Clock) Option { return func(c *config) { c.clock = clock } }
