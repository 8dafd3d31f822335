package export

import (
	"fmt"
	"strings"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Format is one of the file formats this package writes.
type Format int

// The formats this package writes. The zero Format is none of them.
const (
	// GPX is GPS Exchange Format 1.1 (XML).
	GPX Format = iota + 1
	// GeoJSON is a GeoJSON FeatureCollection as defined by RFC 7946.
	GeoJSON
	// CSV is comma-separated values as defined by RFC 4180, one row per position.
	CSV
)

var formatNames = [...]string{GPX: "gpx", GeoJSON: "geojson", CSV: "csv"}

// ParseFormat returns the format named s: "gpx", "geojson" or "csv", in any case. Other
// names return an error wrapping [telematics.ErrInvalidInput].
func ParseFormat(s string) (Format, error) {
	for f, name := range formatNames {
		if name != "" && strings.EqualFold(s, name) {
			return Format(f), nil
		}
	}
	return 0, fmt.Errorf("export: unknown format %q (want gpx, geojson or csv): %w", s, telematics.ErrInvalidInput)
}

func (f Format) valid() bool { return f > 0 && int(f) < len(formatNames) }

// String returns the format's name as ParseFormat accepts it.
func (f Format) String() string {
	if !f.valid() {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// Extension returns the usual file name extension of the format, with its dot.
func (f Format) Extension() string {
	if !f.valid() {
		return ""
	}
	return "." + formatNames[f]
}

// MediaType returns the format's media type, for a Content-Type header.
func (f Format) MediaType() string {
	switch f {
	case GPX:
		return "application/gpx+xml"
	case GeoJSON:
		return "application/geo+json"
	case CSV:
		return "text/csv; charset=utf-8"
	}
	return ""
}

// MarshalText implements encoding.TextMarshaler.
func (f Format) MarshalText() ([]byte, error) {
	if !f.valid() {
		return nil, fmt.Errorf("export: invalid format %d: %w", int(f), telematics.ErrInvalidInput)
	}
	return []byte(formatNames[f]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler, so a Format can be a flag.TextVar.
func (f *Format) UnmarshalText(text []byte) error {
	v, err := ParseFormat(string(text))
	if err != nil {
		return err
	}
	*f = v
	return nil
}
