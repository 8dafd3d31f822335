package export_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"iter"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want export.Format
		ok   bool
	}{
		{"gpx", export.GPX, true},
		{"GeoJSON", export.GeoJSON, true},
		{"CSV", export.CSV, true},
		{"", 0, false},
		{"kml", 0, false},
		{"json", 0, false},
		{" gpx", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := export.ParseFormat(tt.in)
			if !tt.ok {
				require.ErrorIs(t, err, telematics.ErrInvalidInput)
				assert.Contains(t, err.Error(), "gpx, geojson or csv")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, strings.ToLower(tt.in), got.String())
		})
	}
}

func TestFormatMethods(t *testing.T) {
	tests := []struct {
		f                export.Format
		name, ext, type_ string
	}{
		{export.GPX, "gpx", ".gpx", "application/gpx+xml"},
		{export.GeoJSON, "geojson", ".geojson", "application/geo+json"},
		{export.CSV, "csv", ".csv", "text/csv; charset=utf-8"},
		{0, "Format(0)", "", ""},
		{42, "Format(42)", "", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.name, tt.f.String())
		assert.Equal(t, tt.ext, tt.f.Extension())
		assert.Equal(t, tt.type_, tt.f.MediaType())
		text, err := tt.f.MarshalText()
		if tt.ext == "" {
			assert.ErrorIs(t, err, telematics.ErrInvalidInput)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.name, string(text))
	}
}

func TestFormatFlag(t *testing.T) {
	fs := flag.NewFlagSet("export-tracks", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := export.GPX
	fs.TextVar(&format, "format", export.GPX, "gpx, geojson or csv")
	require.NoError(t, fs.Parse([]string{"-format", "geojson"}))
	assert.Equal(t, export.GeoJSON, format)
	assert.Error(t, fs.Parse([]string{"-format", "kml"}))
}

func TestNewRejectsInvalidConfiguration(t *testing.T) {
	tests := []struct {
		name   string
		format export.Format
		opts   []export.Option
	}{
		{"unknown format", 0, nil},
		{"negative precision", export.GPX, []export.Option{export.WithPrecision(-1)}},
		{"precision too large", export.GeoJSON, []export.Option{export.WithPrecision(export.MaxPrecision + 1)}},
		{"quote separator", export.CSV, []export.Option{export.WithSeparator('"')}},
		{"newline separator", export.CSV, []export.Option{export.WithSeparator('\n')}},
		{"zero separator", export.CSV, []export.Option{export.WithSeparator(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w, err := export.New(tt.format, &out, tt.opts...)
			require.ErrorIs(t, err, telematics.ErrInvalidInput)
			assert.Nil(t, w)
		})
	}
}

func TestConstructorsDeferInvalidOptions(t *testing.T) {
	ctors := map[export.Format]func(io.Writer, ...export.Option) *export.Writer{
		export.GPX: export.NewGPX, export.GeoJSON: export.NewGeoJSON, export.CSV: export.NewCSV,
	}
	for f, ctor := range ctors {
		t.Run(f.String(), func(t *testing.T) {
			var out bytes.Buffer
			w := ctor(&out, export.WithPrecision(99))
			assert.Equal(t, f, w.Format())
			require.ErrorIs(t, w.WriteTrack(telematics.Track{}, seq(full(0))), telematics.ErrInvalidInput)
			require.ErrorIs(t, w.WritePositions(seq(full(0))), telematics.ErrInvalidInput)
			require.ErrorIs(t, w.Flush(), telematics.ErrInvalidInput)
			require.ErrorIs(t, w.Close(), telematics.ErrInvalidInput)
			assert.Zero(t, out.Len(), "nothing is written with an invalid configuration")
		})
	}
}

func TestEmptyDocumentsAreValid(t *testing.T) {
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			var out bytes.Buffer
			w, err := export.New(f, &out)
			require.NoError(t, err)
			require.NoError(t, w.Close())
			require.NoError(t, parse(f, out.Bytes()))
		})
	}
}

func TestCloseAndReuse(t *testing.T) {
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			var out bytes.Buffer
			w, err := export.New(f, &out)
			require.NoError(t, err)
			require.NoError(t, w.WriteTrack(telematics.Track{ID: "1"}, seq(full(0), full(1))))
			require.NoError(t, w.Close())
			n := out.Len()
			require.NoError(t, w.Close(), "a second Close returns the first result")
			assert.ErrorIs(t, w.WriteTrack(telematics.Track{}, nil), export.ErrClosed)
			assert.ErrorIs(t, w.WritePositions(nil), export.ErrClosed)
			assert.ErrorIs(t, w.WriteTracks(trackSeq(), nil), export.ErrClosed)
			assert.ErrorIs(t, w.Flush(), export.ErrClosed)
			assert.Equal(t, n, out.Len(), "nothing is written after Close")
			require.NoError(t, parse(f, out.Bytes()))
			assert.Equal(t, export.Stats{Tracks: 1, Points: 2}, w.Stats())
		})
	}
}

func TestFlushDeliversAndKeepsDocumentOpen(t *testing.T) {
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			var out bytes.Buffer
			w, err := export.New(f, &out)
			require.NoError(t, err)
			require.NoError(t, w.WriteTrack(telematics.Track{ID: "1"}, seq(full(0), full(1))))
			assert.Zero(t, out.Len(), "buffered until Flush")
			require.NoError(t, w.Flush())
			assert.Contains(t, out.String(), "17.1097")
			if f != export.CSV {
				require.Error(t, parse(f, out.Bytes()), "the document is still open")
			}
			require.NoError(t, w.WriteTrack(telematics.Track{ID: "2"}, seq(full(2))))
			require.NoError(t, w.Close())
			require.NoError(t, parse(f, out.Bytes()))
		})
	}
}

func TestNilPointsIsAnEmptyTrack(t *testing.T) {
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			var out bytes.Buffer
			w, err := export.New(f, &out)
			require.NoError(t, err)
			require.NoError(t, w.WritePositions(nil))
			require.NoError(t, w.WriteTrack(telematics.Track{ID: "1"}, nil))
			require.NoError(t, w.WriteTracks(trackSeq(telematics.Track{ID: "2"}), nil))
			require.NoError(t, w.Close())
			require.NoError(t, parse(f, out.Bytes()))
			assert.Equal(t, export.Stats{Tracks: 2}, w.Stats())
		})
	}
}

func TestInvalidPositionsAreSkippedAndCounted(t *testing.T) {
	invalid := []telematics.Position{
		{Latitude: 0, Longitude: 0},
		{Latitude: 90.5, Longitude: 10},
		{Latitude: 10, Longitude: -180.1},
		{Latitude: nan(), Longitude: 10},
		{Latitude: 10, Longitude: inf()},
	}
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			var out bytes.Buffer
			w, err := export.New(f, &out)
			require.NoError(t, err)
			require.NoError(t, w.WritePositions(seq(append([]telematics.Position{full(0)}, invalid...)...)))
			require.NoError(t, w.WriteTrack(telematics.Track{ID: "1"}, seq(append(invalid, full(1), full(2))...)))
			require.NoError(t, w.Close())
			assert.Equal(t, export.Stats{Tracks: 1, Points: 3, Skipped: 10}, w.Stats())
			require.NoError(t, parse(f, out.Bytes()))
			if f == export.GeoJSON {
				fc, err := parseGeoJSON(out.Bytes())
				require.NoError(t, err)
				require.Len(t, fc.Features, 2)
				assert.EqualValues(t, 2, fc.Features[1].Properties["points"])
				assert.EqualValues(t, 5, fc.Features[1].Properties["skipped_points"])
			}
		})
	}
}

func TestGPXWaypointsMustPrecedeTracks(t *testing.T) {
	var out bytes.Buffer
	w := export.NewGPX(&out)
	require.NoError(t, w.WritePositions(seq(full(0))))
	require.NoError(t, w.WriteTrack(telematics.Track{ID: "1"}, seq(full(1), full(2))))
	err := w.WritePositions(seq(full(3)))
	require.ErrorIs(t, err, export.ErrWaypointsAfterTracks)
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
	require.NoError(t, w.WriteTrack(telematics.Track{ID: "2"}, seq(full(4))), "the Writer goes on")
	require.NoError(t, w.Close())
	doc, err := parseGPX(out.Bytes())
	require.NoError(t, err)
	assert.Len(t, doc.Wpts, 1)
	assert.Len(t, doc.Trks, 2)

	for _, f := range []export.Format{export.GeoJSON, export.CSV} {
		out.Reset()
		w, err := export.New(f, &out)
		require.NoError(t, err)
		require.NoError(t, w.WriteTrack(telematics.Track{ID: "1"}, seq(full(1), full(2))))
		require.NoError(t, w.WritePositions(seq(full(3))), "%s has no order to keep", f)
		require.NoError(t, w.Close())
		require.NoError(t, parse(f, out.Bytes()))
	}
}

// syntheticIn counts the synthetic positions (latitude 45.x, longitude 10.x) that an
// output holds.
func syntheticIn(f export.Format, data string) int {
	switch f {
	case export.GPX:
		return strings.Count(data, ` lat="45`)
	case export.GeoJSON:
		return strings.Count(data, "[10")
	default:
		return strings.Count(data, ",45")
	}
}

func TestPointsIteratorErrorStopsTheExport(t *testing.T) {
	cause := errors.New("page 3: rate limited")
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			var out bytes.Buffer
			w, err := export.New(f, &out)
			require.NoError(t, err)
			require.NoError(t, w.WriteTrack(telematics.Track{ID: "1"}, seq(full(0), full(1))))
			src := &source{n: 10, failAt: 5, err: cause}
			err = w.WriteTrack(telematics.Track{ID: "2", VehicleID: "7"}, src.all())

			var e *export.Error
			require.ErrorAs(t, err, &e)
			assert.ErrorIs(t, err, cause)
			assert.Equal(t, export.OpReadPoints, e.Op)
			assert.Equal(t, "2", e.TrackID)
			assert.Equal(t, 1, e.Tracks)
			assert.Equal(t, 5, e.Points)
			assert.Equal(t, `export: read points: track "2" after 5 points: page 3: rate limited`, err.Error())

			// The output holds every point counted, and no document end.
			assert.Equal(t, 5, syntheticIn(f, out.String()))
			assert.Equal(t, 5, src.yielded)
			assert.Equal(t, export.Stats{Tracks: 1, Points: 7}, w.Stats())
			n := out.Len()

			// The Writer is failed: every call returns the same error and writes nothing.
			assert.Same(t, err, w.WriteTrack(telematics.Track{ID: "3"}, seq(full(1))))
			assert.Same(t, err, w.WritePositions(seq(full(1))))
			assert.Same(t, err, w.Flush())
			assert.Same(t, err, w.Close())
			assert.Same(t, err, w.Close())
			assert.Equal(t, n, out.Len())
			if f != export.CSV {
				assert.Error(t, parse(f, out.Bytes()), "an interrupted export must not parse as complete")
			}
		})
	}
}

func TestPositionsIteratorError(t *testing.T) {
	cause := errors.New("stream dropped")
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			var out bytes.Buffer
			w, err := export.New(f, &out)
			require.NoError(t, err)
			src := &source{n: 10, failAt: 3, err: cause}
			err = w.WritePositions(src.all())
			var e *export.Error
			require.ErrorAs(t, err, &e)
			assert.ErrorIs(t, err, cause)
			assert.Equal(t, export.Error{Op: export.OpReadPositions, Points: 3, Err: cause}, *e)
			assert.Equal(t, "export: read positions: after 0 tracks and 3 points: stream dropped", err.Error())
			assert.Equal(t, 3, syntheticIn(f, out.String()))
			assert.Same(t, err, w.Close())
		})
	}
}

func TestTracksIteratorError(t *testing.T) {
	cause := errors.New("listing tracks: 503")
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			var out bytes.Buffer
			w, err := export.New(f, &out)
			require.NoError(t, err)
			tracks := func(yield func(telematics.Track, error) bool) {
				if !yield(telematics.Track{ID: "1"}, nil) {
					return
				}
				yield(telematics.Track{}, cause)
			}
			var asked []string
			err = w.WriteTracks(tracks, func(t telematics.Track) iter.Seq2[telematics.Position, error] {
				asked = append(asked, t.ID)
				return seq(full(0), full(1))
			})
			var e *export.Error
			require.ErrorAs(t, err, &e)
			assert.ErrorIs(t, err, cause)
			assert.Equal(t, export.Error{Op: export.OpReadTracks, Tracks: 1, Err: cause}, *e)
			assert.Equal(t, "export: read tracks: after 1 tracks: listing tracks: 503", err.Error())
			assert.Equal(t, []string{"1"}, asked)
			assert.Equal(t, 2, strings.Count(out.String(), "48.14"), "the complete track was flushed")
			assert.Same(t, err, w.Close())
		})
	}
}

func TestPointsErrorInsideWriteTracksStopsTheTracks(t *testing.T) {
	cause := errors.New("trackpoints of 2: 404")
	var out bytes.Buffer
	w := export.NewGeoJSON(&out)
	stoppedTracks := false
	tracks := func(yield func(telematics.Track, error) bool) {
		for _, id := range []string{"1", "2", "3"} {
			if !yield(telematics.Track{ID: id}, nil) {
				stoppedTracks = true
				return
			}
		}
	}
	err := w.WriteTracks(tracks, func(t telematics.Track) iter.Seq2[telematics.Position, error] {
		if t.ID == "2" {
			return (&source{n: 5, failAt: 1, err: cause}).all()
		}
		return seq(full(0), full(1))
	})
	var e *export.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, export.Error{Op: export.OpReadPoints, TrackID: "2", Tracks: 1, Points: 1, Err: cause}, *e)
	assert.True(t, stoppedTracks, "the tracks iterator saw yield return false")
	assert.Equal(t, export.Stats{Tracks: 1, Points: 3}, w.Stats())
}

func TestDestinationErrorStopsTheIterator(t *testing.T) {
	for _, f := range allFormats {
		for _, limit := range []int{0, 100, 70_000, 300_000} {
			t.Run(f.String()+"/"+strconv.Itoa(limit), func(t *testing.T) {
				dst := &failingWriter{limit: limit}
				w, err := export.New(f, dst)
				require.NoError(t, err)
				src := &source{n: 100_000, failAt: -1}
				err = w.WriteTrack(telematics.Track{ID: "t1"}, src.all())

				var e *export.Error
				require.ErrorAs(t, err, &e)
				assert.ErrorIs(t, err, errDisk)
				assert.Equal(t, export.OpWrite, e.Op)
				assert.Equal(t, "t1", e.TrackID)
				assert.Contains(t, err.Error(), `export: write: track "t1" after `)
				assert.True(t, src.stopped, "the iterator saw yield return false")
				assert.Less(t, src.yielded, src.n, "reading stopped early")
				assert.LessOrEqual(t, e.Points, src.yielded)
				writes := dst.writes
				assert.Same(t, err, w.Close(), "Close returns the error")
				assert.Equal(t, writes, dst.writes, "nothing more is written")
			})
		}
	}
}

func TestDestinationErrorAtClose(t *testing.T) {
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			dst := &failingWriter{limit: 10}
			w, err := export.New(f, dst)
			require.NoError(t, err)
			require.NoError(t, w.WriteTrack(telematics.Track{ID: "1"}, seq(full(0), full(1))), "buffered")
			err = w.Close()
			var e *export.Error
			require.ErrorAs(t, err, &e)
			assert.ErrorIs(t, err, errDisk)
			assert.Equal(t, export.Error{Op: export.OpWrite, Tracks: 1, Err: errDisk}, *e)
			assert.Equal(t, "export: write: after 1 tracks: disk full", err.Error())
			assert.Same(t, err, w.Close())
		})
	}
}

func TestFlushErrorFailsTheWriter(t *testing.T) {
	dst := &failingWriter{limit: 10}
	w := export.NewCSV(dst)
	require.NoError(t, w.WritePositions(seq(full(0))))
	err := w.Flush()
	require.ErrorIs(t, err, errDisk)
	assert.Same(t, err, w.WritePositions(seq(full(1))))
}

func TestReadErrorWhenFlushFailsReportsBoth(t *testing.T) {
	cause := errors.New("timeout")
	dst := &failingWriter{limit: 10}
	w := export.NewGPX(dst)
	err := w.WriteTrack(telematics.Track{ID: "1"}, (&source{n: 5, failAt: 2, err: cause}).all())
	var e *export.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, export.OpReadPoints, e.Op)
	assert.ErrorIs(t, err, cause)
	assert.ErrorIs(t, err, errDisk)
}

func TestIteratorCleanupRunsWhenTheWriterStops(t *testing.T) {
	// A provider's iterator closes its response body in a defer; the Writer must leave the
	// loop (yield returns false) so that the defer runs, whatever stops the export.
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			w, err := export.New(f, &failingWriter{limit: 1 << 10})
			require.NoError(t, err)
			cleaned, falses := false, 0
			points := func(yield func(telematics.Position, error) bool) {
				defer func() { cleaned = true }()
				for i := 0; i < 50_000; i++ {
					if !yield(synthetic(i), nil) {
						falses++
						return
					}
				}
			}
			require.ErrorIs(t, w.WriteTrack(telematics.Track{}, points), errDisk)
			assert.True(t, cleaned)
			assert.Equal(t, 1, falses)
		})
	}
}

func TestOutputIsStreamed(t *testing.T) {
	// Bytes reach the destination while the iterator is still running: the Writer does
	// not collect positions.
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			dst := &countingWriter{}
			w, err := export.New(f, dst)
			require.NoError(t, err)
			var seenMidway int
			src := &source{n: 20_000, failAt: -1, after: func(i int) {
				if i == 10_000 {
					seenMidway = dst.n
				}
			}}
			require.NoError(t, w.WriteTrack(telematics.Track{ID: "1"}, src.all()))
			require.NoError(t, w.Close())
			assert.GreaterOrEqual(t, seenMidway, 64<<10, "bytes were written before the iterator ended")
			assert.Greater(t, dst.n, seenMidway)
		})
	}
}

func TestDestinationErrorAtEveryStage(t *testing.T) {
	// Text larger than the 64 KiB buffer makes the write of that part reach the
	// destination at once, so each stage meets the failing destination itself.
	huge := strings.Repeat("x", 100<<10)
	tests := []struct {
		name    string
		formats []export.Format
		opts    []export.Option
		write   func(w *export.Writer) error
		trackID string
		points  int
	}{
		{"header", []export.Format{export.GPX, export.GeoJSON}, []export.Option{export.WithName(huge)},
			func(w *export.Writer) error { return w.Flush() }, "", 0},
		{"track start", []export.Format{export.GPX}, nil,
			func(w *export.Writer) error { return w.WriteTrack(telematics.Track{ID: "t", Name: huge}, seq(full(0))) }, "t", 0},
		{"track end", []export.Format{export.GeoJSON}, nil,
			func(w *export.Writer) error { return w.WriteTrack(telematics.Track{ID: "t", Name: huge}, seq(full(0))) }, "t", 1},
		{"track point", []export.Format{export.CSV}, nil,
			func(w *export.Writer) error {
				p := full(0)
				p.VehicleID, p.Provider = huge, huge
				return w.WriteTrack(telematics.Track{ID: "t"}, seq(full(1), full(2), p, p))
			}, "t", 2},
		{"position", allFormats, nil,
			func(w *export.Writer) error {
				p := full(0)
				p.VehicleID = huge
				return w.WritePositions(seq(full(1), p))
			}, "", 1},
	}
	for _, tt := range tests {
		for _, f := range tt.formats {
			t.Run(tt.name+"/"+f.String(), func(t *testing.T) {
				w, err := export.New(f, &failingWriter{limit: 10}, tt.opts...)
				require.NoError(t, err)
				err = tt.write(w)
				var e *export.Error
				require.ErrorAs(t, err, &e)
				assert.ErrorIs(t, err, errDisk)
				assert.Equal(t, export.OpWrite, e.Op)
				assert.Equal(t, tt.trackID, e.TrackID)
				assert.Equal(t, tt.points, e.Points)
				assert.Same(t, err, w.Close())
			})
		}
	}
}

func TestDestinationErrorOnTheFooter(t *testing.T) {
	// Fill the buffer to within a few bytes of its end so that the document end is the
	// write that reaches the failing destination.
	for pad := 0; pad < 16; pad++ {
		w := export.NewCSV(&failingWriter{limit: 10}, export.WithCRLF(false))
		header := len(strings.Join(export.CSVColumns(), ",")) + 1
		// A row of a position whose vehicle id is n bytes long: "id,,,1,2,,,,\n".
		n := 64<<10 - header - len(",,,1,2,,,,\n") - pad
		p := telematics.Position{VehicleID: strings.Repeat("v", n), Latitude: 1, Longitude: 2}
		require.NoError(t, w.WritePositions(seq(p)))
		assert.ErrorIs(t, w.Close(), errDisk)
	}
	// GeoJSON ends in "\n]}\n": a buffer with fewer free bytes fails on the footer itself.
	for pad := 0; pad < 8; pad++ {
		w := export.NewGeoJSON(&failingWriter{limit: 10})
		head := len(`{"type":"FeatureCollection","features":[`)
		p := telematics.Position{VehicleID: "", Latitude: 1, Longitude: 2}
		empty := len("\n" + `{"type":"Feature","geometry":{"type":"Point","coordinates":[2,1]},"properties":{"vehicle_id":"","provider":null,"time":null,"speed_kmh":null,"heading_deg":null,"accuracy_m":null}}`)
		p.VehicleID = strings.Repeat("v", 64<<10-head-empty-pad)
		require.NoError(t, w.WritePositions(seq(p)))
		err := w.Close()
		var e *export.Error
		require.ErrorAs(t, err, &e)
		assert.ErrorIs(t, err, errDisk)
		assert.Equal(t, export.OpWrite, e.Op)
	}
}
