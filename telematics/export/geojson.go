package export

import (
	"strconv"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// geojsonEncoder writes an RFC 7946 FeatureCollection. A track's geometry is known only
// once its second position arrives (a LineString needs two), so the first position waits
// in the encoder; the properties come after the geometry because only then are the
// counts known. Member order carries no meaning in JSON.
type geojsonEncoder struct {
	cfg      config
	features int
	points   int
	first    telematics.Position
	// A LineString's positions all have the dimension of its first one: lineAlt says
	// whether it has altitudes, and lastAlt carries the last known one forward.
	lineAlt bool
	lastAlt float64
}

func (e *geojsonEncoder) header(b []byte) []byte {
	b = append(b, `{"type":"FeatureCollection",`...)
	if e.cfg.name != "" {
		b = append(b, `"name":`...)
		b = appendJSONString(b, e.cfg.name)
		b = append(b, ',')
	}
	return append(b, `"features":[`...)
}

func (e *geojsonEncoder) beginFeature(b []byte) []byte {
	if e.features > 0 {
		b = append(b, ',')
	}
	e.features++
	return append(b, "\n"+`{"type":"Feature",`...)
}

func (e *geojsonEncoder) beginTrack(b []byte, t *telematics.Track) []byte {
	b = e.beginFeature(b)
	if t.ID != "" {
		b = append(b, `"id":`...)
		b = appendJSONString(b, t.ID)
		b = append(b, ',')
	}
	e.points = 0
	return b
}

func (e *geojsonEncoder) trackPoint(b []byte, p *telematics.Position) []byte {
	e.points++
	switch e.points {
	case 1:
		e.first = *p
		return b
	case 2:
		b = append(b, `"geometry":{"type":"LineString","coordinates":[`...)
		e.lineAlt = hasAltitude(&e.first)
		e.lastAlt = e.first.Altitude.Metres()
		b = e.appendLinePosition(b, &e.first)
	}
	b = append(b, ',')
	return e.appendLinePosition(b, p)
}

// appendLinePosition appends a position of a LineString with the line's dimension: a
// missing altitude in a line with altitudes repeats the last known one, an altitude in a
// line without them is left out. Consumers such as GEOS reject lines of mixed dimension.
func (e *geojsonEncoder) appendLinePosition(b []byte, p *telematics.Position) []byte {
	b = append(b, '[')
	b = appendFixed(b, p.Longitude, e.cfg.precision)
	b = append(b, ',')
	b = appendFixed(b, p.Latitude, e.cfg.precision)
	if e.lineAlt {
		if hasAltitude(p) {
			e.lastAlt = p.Altitude.Metres()
		}
		b = append(b, ',')
		b = appendFixed(b, e.lastAlt, measurePrecision)
	}
	return append(b, ']')
}

func (e *geojsonEncoder) endTrack(b []byte, t *telematics.Track, points, skipped int) []byte {
	switch e.points {
	case 0:
		b = append(b, `"geometry":null`...)
	case 1:
		b = append(b, `"geometry":{"type":"Point","coordinates":`...)
		b = e.appendPosition(b, &e.first)
		b = append(b, '}')
	default:
		b = append(b, "]}"...)
	}
	e.first = telematics.Position{}
	b = append(b, `,"properties":{"track_id":`...)
	b = appendJSONStringOrNull(b, t.ID)
	b = append(b, `,"vehicle_id":`...)
	b = appendJSONStringOrNull(b, t.VehicleID)
	b = append(b, `,"provider":`...)
	b = appendJSONStringOrNull(b, t.Provider)
	b = append(b, `,"name":`...)
	b = appendJSONStringOrNull(b, t.Name)
	b = append(b, `,"category":`...)
	b = appendJSONStringOrNull(b, t.Category)
	b = append(b, `,"start":`...)
	b = appendJSONTime(b, t.Start)
	b = append(b, `,"end":`...)
	b = appendJSONTime(b, t.End)
	b = append(b, `,"distance_m":`...)
	b = appendJSONNumber(b, t.Distance.Metres(), true)
	b = append(b, `,"duration_s":`...)
	b = appendJSONSeconds(b, t.Duration)
	b = append(b, `,"moving_duration_s":`...)
	b = appendJSONSeconds(b, t.MovingDuration)
	b = append(b, `,"max_speed_kmh":`...)
	b = appendJSONNumber(b, t.MaxSpeed.KMH(), true)
	b = append(b, `,"avg_speed_kmh":`...)
	b = appendJSONNumber(b, t.AvgSpeed.KMH(), true)
	b = append(b, `,"points":`...)
	b = strconv.AppendInt(b, int64(points), 10)
	b = append(b, `,"skipped_points":`...)
	b = strconv.AppendInt(b, int64(skipped), 10)
	return append(b, "}}"...)
}

func (e *geojsonEncoder) position(b []byte, p *telematics.Position) []byte {
	b = e.beginFeature(b)
	b = append(b, `"geometry":{"type":"Point","coordinates":`...)
	b = e.appendPosition(b, p)
	b = append(b, `},"properties":{"vehicle_id":`...)
	b = appendJSONStringOrNull(b, p.VehicleID)
	b = append(b, `,"provider":`...)
	b = appendJSONStringOrNull(b, p.Provider)
	b = append(b, `,"time":`...)
	b = appendJSONTime(b, p.Time)
	b = append(b, `,"speed_kmh":`...)
	b = appendJSONNumber(b, p.Speed.KMH(), hasSpeed(p))
	b = append(b, `,"heading_deg":`...)
	if hasHeading(p) {
		b = appendHeading(b, p.Heading)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"accuracy_m":`...)
	b = appendJSONNumber(b, p.Accuracy.Metres(), hasAccuracy(p))
	return append(b, "}}"...)
}

func (e *geojsonEncoder) footer(b []byte) []byte { return append(b, "\n]}\n"...) }

// appendPosition appends an RFC 7946 position: [longitude, latitude] or, with a known
// altitude, [longitude, latitude, altitude].
func (e *geojsonEncoder) appendPosition(b []byte, p *telematics.Position) []byte {
	b = append(b, '[')
	b = appendFixed(b, p.Longitude, e.cfg.precision)
	b = append(b, ',')
	b = appendFixed(b, p.Latitude, e.cfg.precision)
	if hasAltitude(p) {
		b = append(b, ',')
		b = appendFixed(b, p.Altitude.Metres(), measurePrecision)
	}
	return append(b, ']')
}

func appendJSONStringOrNull(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendJSONString(b, s)
}

func appendJSONTime(b []byte, t time.Time) []byte {
	if !writableTime(t) {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = appendTime(b, t)
	return append(b, '"')
}

// appendJSONNumber appends v at the measure precision, or null when it is not known or
// not finite (JSON has no NaN or infinity).
func appendJSONNumber(b []byte, v float64, known bool) []byte {
	if !known || !finite(v) {
		return append(b, "null"...)
	}
	return appendFixed(b, v, measurePrecision)
}

func appendJSONSeconds(b []byte, d time.Duration) []byte {
	return appendFixed(b, d.Seconds(), 3)
}
