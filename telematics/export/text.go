package export

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// appendFixed appends v with at most prec decimals, without trailing zeros and without
// the sign of a negative zero. v must be finite.
func appendFixed(b []byte, v float64, prec int) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, v, 'f', prec, 64)
	if prec > 0 {
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// writableTime reports whether t is a time that RFC 3339 can express; the zero time means
// "unknown" and is not written.
func writableTime(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// appendTime appends t in RFC 3339 UTC, with fractional seconds only when it has them.
func appendTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, time.RFC3339Nano)
}

// appendHeading appends a heading normalised into [0, 360) at the measure precision; a
// value that rounds up to 360 is written as 0.
func appendHeading(b []byte, h telematics.Heading) []byte {
	start := len(b)
	b = appendFixed(b, telematics.Degrees(h.Degrees()).Degrees(), measurePrecision)
	if string(b[start:]) == "360" {
		b = append(b[:start], '0')
	}
	return b
}

// fields of a position that are written: known and finite.
func hasAltitude(p *telematics.Position) bool {
	return p.Has(telematics.HasAltitude) && finite(p.Altitude.Metres())
}

// hasSpeed also checks the speed in km/h, the unit of CSV and GeoJSON, which overflows to
// infinity for the largest speeds in m/s.
func hasSpeed(p *telematics.Position) bool {
	return p.Has(telematics.HasSpeed) && finite(p.Speed.KMH())
}

func hasHeading(p *telematics.Position) bool {
	return p.Has(telematics.HasHeading) && finite(p.Heading.Degrees())
}

func hasAccuracy(p *telematics.Position) bool {
	return p.Has(telematics.HasAccuracy) && finite(p.Accuracy.Metres())
}

// appendXMLText appends s escaped for XML character data and attribute values. It follows
// encoding/xml.EscapeText: markup characters and whitespace other than the space become
// character references, and what XML cannot hold (invalid UTF-8, most control characters)
// becomes U+FFFD.
func appendXMLText(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '"':
			b = append(b, "&#34;"...)
		case r == '\'':
			b = append(b, "&#39;"...)
		case r == '\t':
			b = append(b, "&#x9;"...)
		case r == '\n':
			b = append(b, "&#xA;"...)
		case r == '\r':
			b = append(b, "&#xD;"...)
		case r == utf8.RuneError && size == 1, !xmlChar(r):
			b = utf8.AppendRune(b, utf8.RuneError)
		default:
			b = append(b, s[i-size:i]...)
		}
	}
	return b
}

// xmlChar reports whether r is a Char of XML 1.0 (section 2.2).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as with
// encoding/json; U+2028 and U+2029 are escaped so the output is also valid JavaScript.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xF])
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			b = append(b, s[i-size:i]...)
		}
	}
	return append(b, '"')
}

// trackSummary describes a track in one line of text, for the GPX description: its ids,
// distance, durations and speeds, each only when known.
func trackSummary(t *telematics.Track) string {
	var parts []string
	if t.VehicleID != "" {
		parts = append(parts, "vehicle "+t.VehicleID)
	}
	if t.ID != "" {
		parts = append(parts, "track "+t.ID)
	}
	if d := t.Distance.Metres(); d != 0 && finite(d) {
		parts = append(parts, "distance "+t.Distance.String())
	}
	if t.Duration > 0 {
		parts = append(parts, "duration "+t.Duration.String())
	}
	if t.MovingDuration > 0 {
		parts = append(parts, "moving "+t.MovingDuration.String())
	}
	if v := t.MaxSpeed.MPS(); v != 0 && finite(v) {
		parts = append(parts, "max speed "+t.MaxSpeed.String())
	}
	if v := t.AvgSpeed.MPS(); v != 0 && finite(v) {
		parts = append(parts, "average speed "+t.AvgSpeed.String())
	}
	return strings.Join(parts, ", ")
}
