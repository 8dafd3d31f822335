package export

import (
	"encoding/csv"
	"slices"

	"github.com/fleetkit/fleetkit-go/telematics"
)

var csvHeader = []string{
	"vehicle_id", "track_id", "time", "latitude", "longitude",
	"altitude_m", "speed_kmh", "heading_deg", "accuracy_m",
}

// CSVColumns returns the header row of the CSV output, in column order.
func CSVColumns() []string { return slices.Clone(csvHeader) }

// csvEncoder writes one row per position through encoding/csv, which quotes what needs
// quoting. Rows go to an appendBuffer so that the encoder appends like the others.
type csvEncoder struct {
	cfg     config
	out     appendBuffer
	cw      *csv.Writer
	trackID string
	vehicle string
	record  []string
	cells   []byte
}

type appendBuffer struct{ b []byte }

func (a *appendBuffer) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

func newCSVEncoder(cfg config) *csvEncoder {
	e := &csvEncoder{cfg: cfg, record: make([]string, len(csvHeader))}
	e.cw = csv.NewWriter(&e.out)
	e.cw.Comma = cfg.separator
	e.cw.UseCRLF = cfg.crlf
	return e
}

// write appends a record to b. The separator was validated and appendBuffer does not
// fail, so encoding/csv has no error to report.
func (e *csvEncoder) write(b []byte, record []string) []byte {
	e.out.b = b
	_ = e.cw.Write(record)
	e.cw.Flush()
	b = e.out.b
	e.out.b = nil
	return b
}

func (e *csvEncoder) header(b []byte) []byte { return e.write(b, csvHeader) }

func (e *csvEncoder) beginTrack(b []byte, t *telematics.Track) []byte {
	e.trackID, e.vehicle = t.ID, t.VehicleID
	return b
}

func (e *csvEncoder) trackPoint(b []byte, p *telematics.Position) []byte {
	return e.row(b, p, e.trackID, e.vehicle)
}

func (e *csvEncoder) endTrack(b []byte, _ *telematics.Track, _, _ int) []byte {
	e.trackID, e.vehicle = "", ""
	return b
}

func (e *csvEncoder) position(b []byte, p *telematics.Position) []byte {
	return e.row(b, p, "", "")
}

func (e *csvEncoder) footer(b []byte) []byte { return b }

// row writes a position; the vehicle id of the track stands in for a position without
// one. The numeric cells are formatted into one buffer and converted to a single string,
// which the record slices: one allocation per row.
func (e *csvEncoder) row(b []byte, p *telematics.Position, trackID, vehicleID string) []byte {
	if p.VehicleID != "" {
		vehicleID = p.VehicleID
	}
	var ends [7]int
	c := e.cells[:0]
	if writableTime(p.Time) {
		c = appendTime(c, p.Time)
	}
	ends[0] = len(c)
	c = appendFixed(c, p.Latitude, e.cfg.precision)
	ends[1] = len(c)
	c = appendFixed(c, p.Longitude, e.cfg.precision)
	ends[2] = len(c)
	if hasAltitude(p) {
		c = appendFixed(c, p.Altitude.Metres(), measurePrecision)
	}
	ends[3] = len(c)
	if hasSpeed(p) {
		c = appendFixed(c, p.Speed.KMH(), measurePrecision)
	}
	ends[4] = len(c)
	if hasHeading(p) {
		c = appendHeading(c, p.Heading)
	}
	ends[5] = len(c)
	if hasAccuracy(p) {
		c = appendFixed(c, p.Accuracy.Metres(), measurePrecision)
	}
	ends[6] = len(c)
	e.cells = c
	s := string(c)
	r := e.record
	r[0], r[1] = vehicleID, trackID
	start := 0
	for i, end := range ends {
		r[2+i] = s[start:end]
		start = end
	}
	b = e.write(b, r)
	clear(r)
	return b
}
