package export

import (
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Namespaces of the GPX output.
const (
	// GPXNamespace is the XML namespace of GPX 1.1.
	GPXNamespace = "http://www.topografix.com/GPX/1/1"
	// TrackPointExtensionNamespace is the namespace of Garmin's TrackPointExtension v2,
	// which carries speed (m/s) and course (degrees) of track points.
	TrackPointExtensionNamespace = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
)

const gpxRootAttrs = ` xmlns="` + GPXNamespace + `"` +
	` xmlns:gpxtpx="` + TrackPointExtensionNamespace + `"` +
	` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
	` xsi:schemaLocation="` + GPXNamespace + ` https://www.topografix.com/GPX/1/1/gpx.xsd ` +
	TrackPointExtensionNamespace + ` https://www8.garmin.com/xmlschemas/TrackPointExtensionv2.xsd">` + "\n"

// gpxEncoder writes GPX 1.1. Children of every element come in the order of the XSD
// sequences (metadata: name, time; trk: name, desc, src, type, trkseg; wpt and trkpt: ele,
// time, name, src, extensions).
type gpxEncoder struct {
	cfg config
}

func (e *gpxEncoder) header(b []byte) []byte {
	b = append(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<gpx version="1.1" creator="`...)
	b = appendXMLText(b, e.cfg.creator)
	b = append(b, '"')
	b = append(b, gpxRootAttrs...)
	if e.cfg.name != "" || writableTime(e.cfg.time) {
		b = append(b, "  <metadata>"...)
		b = appendXMLElement(b, "name", e.cfg.name)
		if writableTime(e.cfg.time) {
			b = append(b, "<time>"...)
			b = appendTime(b, e.cfg.time)
			b = append(b, "</time>"...)
		}
		b = append(b, "</metadata>\n"...)
	}
	return b
}

func (e *gpxEncoder) beginTrack(b []byte, t *telematics.Track) []byte {
	b = append(b, "  <trk>\n"...)
	for _, el := range [...]struct{ tag, text string }{
		{"name", t.Name},
		{"desc", trackSummary(t)},
		{"src", t.Provider},
		{"type", t.Category},
	} {
		if el.text != "" {
			b = append(b, "    "...)
			b = appendXMLElement(b, el.tag, el.text)
			b = append(b, '\n')
		}
	}
	return append(b, "    <trkseg>\n"...)
}

func (e *gpxEncoder) trackPoint(b []byte, p *telematics.Position) []byte {
	b = append(b, "      <trkpt"...)
	return e.appendPoint(b, p, "</trkpt>\n", false)
}

func (e *gpxEncoder) endTrack(b []byte, _ *telematics.Track, _, _ int) []byte {
	return append(b, "    </trkseg>\n  </trk>\n"...)
}

func (e *gpxEncoder) position(b []byte, p *telematics.Position) []byte {
	b = append(b, "  <wpt"...)
	return e.appendPoint(b, p, "</wpt>\n", true)
}

func (e *gpxEncoder) footer(b []byte) []byte { return append(b, "</gpx>\n"...) }

// appendPoint appends the attributes and children of a wptType element and its end tag.
func (e *gpxEncoder) appendPoint(b []byte, p *telematics.Position, end string, waypoint bool) []byte {
	b = append(b, ` lat="`...)
	b = appendFixed(b, p.Latitude, e.cfg.precision)
	b = append(b, `" lon="`...)
	b = appendLongitude(b, p.Longitude, e.cfg.precision)
	b = append(b, `">`...)
	if hasAltitude(p) {
		b = append(b, "<ele>"...)
		b = appendFixed(b, p.Altitude.Metres(), measurePrecision)
		b = append(b, "</ele>"...)
	}
	if writableTime(p.Time) {
		b = append(b, "<time>"...)
		b = appendTime(b, p.Time)
		b = append(b, "</time>"...)
	}
	if waypoint {
		b = appendXMLElement(b, "name", p.VehicleID)
		b = appendXMLElement(b, "src", p.Provider)
	}
	// The schema of gpxtpx:speed has no negative values; noise that rounds to 0 is 0.
	speed := hasSpeed(p) && p.Speed.MPS() > -0.005
	if speed || hasHeading(p) {
		b = append(b, "<extensions><gpxtpx:TrackPointExtension>"...)
		if speed {
			b = append(b, "<gpxtpx:speed>"...)
			b = appendFixed(b, p.Speed.MPS(), measurePrecision)
			b = append(b, "</gpxtpx:speed>"...)
		}
		if hasHeading(p) {
			b = append(b, "<gpxtpx:course>"...)
			b = appendHeading(b, p.Heading)
			b = append(b, "</gpxtpx:course>"...)
		}
		b = append(b, "</gpxtpx:TrackPointExtension></extensions>"...)
	}
	return append(b, end...)
}

// appendLongitude appends a longitude for GPX, whose schema excludes 180: the same
// meridian is written as -180.
func appendLongitude(b []byte, lon float64, prec int) []byte {
	start := len(b)
	b = appendFixed(b, lon, prec)
	if string(b[start:]) == "180" {
		b = append(b[:start], "-180"...)
	}
	return b
}

// appendXMLElement appends <tag>text</tag>, or nothing for an empty text.
func appendXMLElement(b []byte, tag, text string) []byte {
	if text == "" {
		return b
	}
	b = append(b, '<')
	b = append(b, tag...)
	b = append(b, '>')
	b = appendXMLText(b, text)
	b = append(b, '<', '/')
	b = append(b, tag...)
	return append(b, '>')
}
