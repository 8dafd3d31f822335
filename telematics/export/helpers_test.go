package export_test

import (
	"errors"
	"iter"
	"math"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var allFormats = []export.Format{export.GPX, export.GeoJSON, export.CSV}

var t0 = time.Date(2026, 5, 4, 7, 30, 0, 0, time.UTC)

// Bratislava: latitude 48.1486, longitude 17.1077. The two differ, so a swapped pair
// shows.
const (
	baseLat = 48.1486
	baseLon = 17.1077
)

func full(i int) telematics.Position {
	return telematics.Position{
		VehicleID: "7",
		Provider:  "mycartracks",
		Latitude:  baseLat + float64(i)*0.001,
		Longitude: baseLon + float64(i)*0.002,
		Altitude:  telematics.Metres(140.5 + float64(i)),
		Speed:     telematics.KilometresPerHour(50 + float64(i)),
		Heading:   telematics.Degrees(90 + float64(i)*10),
		Accuracy:  telematics.Metres(4.25),
		Time:      t0.Add(time.Duration(i) * 30 * time.Second),
		Known:     telematics.HasAltitude | telematics.HasSpeed | telematics.HasHeading | telematics.HasAccuracy,
	}
}

// fixtureTracks are the tracks of the golden files: every field, missing fields, an
// invalid position, no position, one position, and text that needs escaping.
func fixtureTracks() []fixtureTrack {
	sparse := []telematics.Position{
		{Latitude: 48.2, Longitude: 17.2},
		{Latitude: 48.21, Longitude: 17.21, Time: t0.Add(1500 * time.Millisecond), Speed: telematics.KilometresPerHour(30), Known: telematics.HasSpeed},
		{Latitude: 0, Longitude: 0, Time: t0.Add(2 * time.Second)}, // no fix: skipped
		{Latitude: 48.22, Longitude: 17.22, Altitude: telematics.Metres(math.NaN()), Known: telematics.HasAltitude},
	}
	return []fixtureTrack{
		{
			track: telematics.Track{
				ID: "1001", VehicleID: "7", Provider: "mycartracks", Name: "Morning delivery", Category: "business",
				Start: t0, End: t0.Add(90 * time.Second), Distance: telematics.Kilometres(12.345),
				Duration: 25 * time.Minute, MovingDuration: 20 * time.Minute,
				MaxSpeed: telematics.KilometresPerHour(95), AvgSpeed: telematics.KilometresPerHour(45),
			},
			points: []telematics.Position{full(0), full(1), full(2), full(3)},
		},
		{
			track:  telematics.Track{ID: "1002", VehicleID: "7"},
			points: sparse,
		},
		{track: telematics.Track{ID: "1003", VehicleID: "7", Name: "Parked"}},
		{
			track:  telematics.Track{ID: "1004", VehicleID: "8", Name: "Short hop"},
			points: []telematics.Position{{Latitude: -33.8688, Longitude: 151.2093, Time: t0}},
		},
		{
			track: telematics.Track{
				ID: `x"1005<`, VehicleID: "9, \"north\"", Provider: "mycartracks",
				Name:     "Tom & \"Jerry's\" <trip>\n\tline two\x01\x7f C:\\dir ünïcode \u2028 end\xff",
				Category: "a,b;c",
			},
			points: []telematics.Position{full(5), full(6)},
		},
	}
}

type fixtureTrack struct {
	track  telematics.Track
	points []telematics.Position
}

// fixturePositions are the positions written with WritePositions: a fleet's last fixes.
func fixturePositions() []telematics.Position {
	a := full(0)
	b := telematics.Position{VehicleID: "8", Latitude: -33.8688, Longitude: 151.2093}
	return []telematics.Position{a, b, {VehicleID: "9", Latitude: 91, Longitude: 10}}
}

// writeFixture writes the fixture positions, then the fixture tracks, and closes w.
func writeFixture(w *export.Writer) error {
	if err := w.WritePositions(seq(fixturePositions()...)); err != nil {
		return err
	}
	tracks := fixtureTracks()
	byID := map[string][]telematics.Position{}
	list := make([]telematics.Track, len(tracks))
	for i, ft := range tracks {
		list[i] = ft.track
		byID[ft.track.ID] = ft.points
	}
	err := w.WriteTracks(trackSeq(list...), func(t telematics.Track) iter.Seq2[telematics.Position, error] {
		return seq(byID[t.ID]...)
	})
	if err != nil {
		return err
	}
	return w.Close()
}

func seq(ps ...telematics.Position) iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		for _, p := range ps {
			if !yield(p, nil) {
				return
			}
		}
	}
}

func trackSeq(ts ...telematics.Track) iter.Seq2[telematics.Track, error] {
	return func(yield func(telematics.Track, error) bool) {
		for _, t := range ts {
			if !yield(t, nil) {
				return
			}
		}
	}
}

// source is an iterator of n synthetic positions that fails with err after failAt of them
// (never when failAt < 0) and records how it ended.
type source struct {
	n, failAt int
	err       error
	yielded   int
	stopped   bool // yield returned false
	after     func(i int)
}

func (s *source) all() iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		for i := 0; i < s.n; i++ {
			if i == s.failAt {
				s.stopped = !yield(telematics.Position{}, s.err)
				return
			}
			s.yielded++
			if !yield(synthetic(i), nil) {
				s.stopped = true
				return
			}
			if s.after != nil {
				s.after(i)
			}
		}
	}
}

// synthetic returns the i-th position of a long drive with every field known.
func synthetic(i int) telematics.Position {
	return telematics.Position{
		VehicleID: "7",
		Provider:  "mycartracks",
		Latitude:  45 + float64(i%100000)*1e-5,
		Longitude: 10 + float64(i/100000)*1e-3 + float64(i%1000)*1e-6,
		Altitude:  telematics.Metres(200 + float64(i%500)),
		Speed:     telematics.MetresPerSecond(float64(i % 40)),
		Heading:   telematics.Degrees(float64(i % 360)),
		Accuracy:  telematics.Metres(5),
		Time:      t0.Add(time.Duration(i) * time.Second),
		Known:     telematics.HasAltitude | telematics.HasSpeed | telematics.HasHeading | telematics.HasAccuracy,
	}
}

var errDisk = errors.New("disk full")

// failingWriter accepts limit bytes, then fails every write.
type failingWriter struct {
	limit, n int
	writes   int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	f.writes++
	if f.n+len(p) > f.limit {
		k := f.limit - f.n
		f.n = f.limit
		return k, errDisk
	}
	f.n += len(p)
	return len(p), nil
}

// countingWriter counts the bytes it is given and drops them.
type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

func nan() float64 { return math.NaN() }

func inf() float64 { return math.Inf(1) }
