package export

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// bufferSize is the size of the buffer between the encoders and the destination writer.
const bufferSize = 64 << 10

// maxScratch bounds the scratch buffer kept between writes: one huge track name must not
// pin its memory for the rest of an export.
const maxScratch = 64 << 10

// ErrClosed is returned by the methods of a Writer after Close.
var ErrClosed = errors.New("export: writer closed")

// ErrWaypointsAfterTracks is returned by WritePositions on a GPX Writer that has written a
// track already: GPX 1.1 requires every waypoint to come before the first track. Nothing is
// written and the Writer can go on. It matches [telematics.ErrInvalidInput].
var ErrWaypointsAfterTracks = fmt.Errorf("export: GPX waypoints must be written before the first track: %w", telematics.ErrInvalidInput)

// What an [Error] reports failed.
const (
	OpReadTracks    = "read tracks"    // the iterator of tracks yielded an error
	OpReadPoints    = "read points"    // the iterator of a track's points yielded an error
	OpReadPositions = "read positions" // the iterator given to WritePositions yielded an error
	OpWrite         = "write"          // the destination io.Writer returned an error
)

// Error reports why an export stopped and how far it got. Its Err is the error of the
// iterator or of the destination writer, reachable with errors.Is and errors.As.
type Error struct {
	// Op is what failed: OpReadTracks, OpReadPoints, OpReadPositions or OpWrite.
	Op string
	// TrackID is the ID of the track being written, empty outside a track.
	TrackID string
	// Tracks is the number of tracks completely written before the failure.
	Tracks int
	// Points is the number of positions of the current track, or of the current
	// WritePositions call, written before the failure.
	Points int
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	switch {
	case e.TrackID != "":
		return fmt.Sprintf("export: %s: track %q after %d points: %v", e.Op, e.TrackID, e.Points, e.Err)
	case e.Op == OpReadPoints || e.Op == OpReadPositions || e.Points > 0:
		return fmt.Sprintf("export: %s: after %d tracks and %d points: %v", e.Op, e.Tracks, e.Points, e.Err)
	default:
		return fmt.Sprintf("export: %s: after %d tracks: %v", e.Op, e.Tracks, e.Err)
	}
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Stats counts what a Writer has written so far.
type Stats struct {
	// Tracks is the number of tracks completely written.
	Tracks int
	// Points is the number of positions written, in tracks and by WritePositions.
	Points int
	// Skipped is the number of invalid positions left out (see [telematics.Position.Valid]).
	Skipped int
}

// encoder turns the parts of an export into bytes of one format, appending them to b.
// The Writer calls it only with valid positions.
type encoder interface {
	header(b []byte) []byte
	beginTrack(b []byte, t *telematics.Track) []byte
	trackPoint(b []byte, p *telematics.Position) []byte
	endTrack(b []byte, t *telematics.Track, points, skipped int) []byte
	position(b []byte, p *telematics.Position) []byte
	footer(b []byte) []byte
}

// Writer writes positions and tracks to an io.Writer in one format, as they arrive from
// their iterators: its memory does not grow with the number of positions.
//
// A Writer is not safe for concurrent use. After the first error of an iterator or of the
// destination it returns that error from every method; see the package documentation for
// what the output then holds.
type Writer struct {
	enc    encoder
	format Format
	bw     *bufio.Writer
	buf    []byte
	stats  Stats
	// pos holds the position being encoded: the encoders take a pointer, and a pointer
	// to the loop variable would move every position to the heap.
	pos telematics.Position

	started bool
	closed  bool
	err     error
}

// New returns a Writer of the given format to w. It returns an error wrapping
// [telematics.ErrInvalidInput] for an unknown format or an invalid option.
func New(f Format, w io.Writer, opts ...Option) (*Writer, error) {
	if !f.valid() {
		return nil, fmt.Errorf("export: invalid format %d: %w", int(f), telematics.ErrInvalidInput)
	}
	wr := newWriter(f, w, opts)
	if wr.err != nil {
		return nil, wr.err
	}
	return wr, nil
}

// NewGPX returns a Writer of GPX 1.1 to w. An invalid option makes every method return
// an error wrapping [telematics.ErrInvalidInput]; use [New] to see it at once.
func NewGPX(w io.Writer, opts ...Option) *Writer { return newWriter(GPX, w, opts) }

// NewGeoJSON returns a Writer of a GeoJSON FeatureCollection (RFC 7946) to w. An invalid
// option makes every method return an error wrapping [telematics.ErrInvalidInput].
func NewGeoJSON(w io.Writer, opts ...Option) *Writer { return newWriter(GeoJSON, w, opts) }

// NewCSV returns a Writer of CSV (RFC 4180) to w. An invalid option makes every method
// return an error wrapping [telematics.ErrInvalidInput].
func NewCSV(w io.Writer, opts ...Option) *Writer { return newWriter(CSV, w, opts) }

func newWriter(f Format, w io.Writer, opts []Option) *Writer {
	cfg, err := newConfig(opts)
	wr := &Writer{format: f, bw: bufio.NewWriterSize(w, bufferSize), err: err}
	switch f {
	case GPX:
		wr.enc = &gpxEncoder{cfg: cfg}
	case GeoJSON:
		wr.enc = &geojsonEncoder{cfg: cfg}
	case CSV:
		wr.enc = newCSVEncoder(cfg)
	}
	return wr
}

// Format returns the format the Writer writes.
func (w *Writer) Format() Format { return w.format }

// Stats returns what the Writer has written so far.
func (w *Writer) Stats() Stats { return w.stats }

// WriteTrack writes one track with its points, reading them from points as they arrive
// and writing each before asking for the next. Invalid positions are skipped and counted
// in Stats. A nil points writes a track without positions.
//
// In GPX the track is a <trk> with one <trkseg>; in GeoJSON a Feature whose geometry is a
// LineString (a Point for a single position, null for none); in CSV one row per position.
//
// If points yields an error, WriteTrack stops, flushes what it has written and returns an
// [*Error] with Op OpReadPoints wrapping it.
func (w *Writer) WriteTrack(t telematics.Track, points iter.Seq2[telematics.Position, error]) error {
	if err := w.begin(); err != nil {
		return err
	}
	w.buf = w.enc.beginTrack(w.buf, &t)
	if err := w.writeBuf(); err != nil {
		return w.fail(OpWrite, t.ID, 0, err)
	}
	var written, skipped int
	if points != nil {
		for p, err := range points {
			if err != nil {
				return w.failRead(OpReadPoints, t.ID, written, err)
			}
			if !p.Valid() {
				skipped++
				w.stats.Skipped++
				continue
			}
			w.pos = p
			w.buf = w.enc.trackPoint(w.buf, &w.pos)
			if err := w.writeBuf(); err != nil {
				return w.fail(OpWrite, t.ID, written, err)
			}
			written++
			w.stats.Points++
		}
	}
	w.buf = w.enc.endTrack(w.buf, &t, written, skipped)
	if err := w.writeBuf(); err != nil {
		return w.fail(OpWrite, t.ID, written, err)
	}
	w.stats.Tracks++
	return nil
}

// WritePositions writes positions that are not a path, such as the last known position of
// every vehicle of a fleet: in GPX each is a waypoint (<wpt>), in GeoJSON a Point Feature,
// in CSV a row with an empty track_id. Invalid positions are skipped and counted in Stats.
//
// To write a path of positions without a track, use WriteTrack with a zero Track.
//
// GPX requires waypoints before tracks: on a GPX Writer that has written a track,
// WritePositions returns [ErrWaypointsAfterTracks] and writes nothing. If points yields an
// error, WritePositions stops, flushes what it has written and returns an [*Error] with Op
// OpReadPositions wrapping it.
func (w *Writer) WritePositions(points iter.Seq2[telematics.Position, error]) error {
	if w.format == GPX && w.stats.Tracks > 0 && w.err == nil && !w.closed {
		return ErrWaypointsAfterTracks
	}
	if err := w.begin(); err != nil {
		return err
	}
	if points == nil {
		return nil
	}
	written := 0
	for p, err := range points {
		if err != nil {
			return w.failRead(OpReadPositions, "", written, err)
		}
		if !p.Valid() {
			w.stats.Skipped++
			continue
		}
		w.pos = p
		w.buf = w.enc.position(w.buf, &w.pos)
		if err := w.writeBuf(); err != nil {
			return w.fail(OpWrite, "", written, err)
		}
		written++
		w.stats.Points++
	}
	return nil
}

// WriteTracks writes every track of tracks with WriteTrack, reading the points of each
// from points(track) once the track is reached. It is the loop of an export of a
// vehicle's trips:
//
//	err := w.WriteTracks(tracks, func(t telematics.Track) iter.Seq2[telematics.Position, error] {
//		return trackpoints(ctx, t.ID)
//	})
//
// If tracks yields an error, WriteTracks stops, flushes what it has written and returns
// an [*Error] with Op OpReadTracks wrapping it.
func (w *Writer) WriteTracks(tracks iter.Seq2[telematics.Track, error], points func(telematics.Track) iter.Seq2[telematics.Position, error]) error {
	if err := w.begin(); err != nil {
		return err
	}
	for t, err := range tracks {
		if err != nil {
			return w.failRead(OpReadTracks, "", 0, err)
		}
		var ps iter.Seq2[telematics.Position, error]
		if points != nil {
			ps = points(t)
		}
		if err := w.WriteTrack(t, ps); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes buffered data to the underlying writer. The document stays open: Flush
// lets a long export (an HTTP response, a pipe) deliver what it has so far.
func (w *Writer) Flush() error {
	if err := w.begin(); err != nil {
		return err
	}
	if err := w.bw.Flush(); err != nil {
		return w.fail(OpWrite, "", 0, err)
	}
	return nil
}

// Close completes the document (closing tags, closing brackets; a header alone if nothing
// was written) and flushes it to the underlying writer, which it does not close. After a
// failure Close writes nothing and returns the error that stopped the export: the output
// is then deliberately incomplete. Calling Close again returns the same result.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	if err := w.begin(); err != nil {
		w.closed = true
		return err
	}
	w.closed = true
	w.buf = w.enc.footer(w.buf)
	if err := w.writeBuf(); err != nil {
		return w.fail(OpWrite, "", 0, err)
	}
	if err := w.bw.Flush(); err != nil {
		return w.fail(OpWrite, "", 0, err)
	}
	return nil
}

// begin checks that the Writer can write and writes the document header once.
func (w *Writer) begin() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	if w.started {
		return nil
	}
	w.started = true
	w.buf = w.enc.header(w.buf)
	if err := w.writeBuf(); err != nil {
		return w.fail(OpWrite, "", 0, err)
	}
	return nil
}

// writeBuf moves the scratch buffer into the buffered writer; the error is the
// destination's, sticky in bufio.Writer.
func (w *Writer) writeBuf() error {
	_, err := w.bw.Write(w.buf)
	if cap(w.buf) > maxScratch {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
	return err
}

func (w *Writer) fail(op, trackID string, points int, err error) error {
	w.err = &Error{Op: op, TrackID: trackID, Tracks: w.stats.Tracks, Points: points, Err: err}
	return w.err
}

// failRead records an iterator's error after flushing, so that the output holds every
// position the returned Error counts (unless the flush fails too: then Err holds both).
func (w *Writer) failRead(op, trackID string, points int, err error) error {
	if ferr := w.bw.Flush(); ferr != nil {
		err = errors.Join(err, fmt.Errorf("flushing the output: %w", ferr))
	}
	return w.fail(op, trackID, points, err)
}
