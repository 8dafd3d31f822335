package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics/export"
)

// The parsers below read an export back and check it against its specification. They
// return errors rather than failing a test so that the fuzz target can use them too.

// gpxSequences lists, for each GPX 1.1 element we write, the children its XSD sequence
// allows, in order; repeatable children are marked with a '*'.
var gpxSequences = map[string][]string{
	"gpx":      {"metadata", "wpt*", "rte*", "trk*", "extensions"},
	"metadata": {"name", "desc", "author", "copyright", "link*", "time", "keywords", "bounds", "extensions"},
	"trk":      {"name", "cmt", "desc", "src", "link*", "number", "type", "extensions", "trkseg*"},
	"trkseg":   {"trkpt*", "extensions"},
	"wpt": {"ele", "time", "magvar", "geoidheight", "name", "cmt", "desc", "src", "link*", "sym", "type",
		"fix", "sat", "hdop", "vdop", "pdop", "ageofdgpsdata", "dgpsid", "extensions"},
	"extensions": {"TrackPointExtension"},
	// Garmin TrackPointExtension v2.
	"TrackPointExtension": {"atemp", "wtemp", "depth", "hr", "cad", "speed", "course", "bearing", "Extensions"},
}

func init() { gpxSequences["trkpt"] = gpxSequences["wpt"] }

type gpxDoc struct {
	XMLName  xml.Name `xml:"http://www.topografix.com/GPX/1/1 gpx"`
	Version  string   `xml:"version,attr"`
	Creator  string   `xml:"creator,attr"`
	Metadata *struct {
		Name string `xml:"name"`
		Time string `xml:"time"`
	} `xml:"metadata"`
	Wpts []gpxPoint `xml:"wpt"`
	Trks []gpxTrack `xml:"trk"`
}

type gpxTrack struct {
	Name string `xml:"name"`
	Desc string `xml:"desc"`
	Src  string `xml:"src"`
	Type string `xml:"type"`
	Segs []struct {
		Pts []gpxPoint `xml:"trkpt"`
	} `xml:"trkseg"`
}

type gpxPoint struct {
	Lat  float64  `xml:"lat,attr"`
	Lon  float64  `xml:"lon,attr"`
	Ele  *float64 `xml:"ele"`
	Time *string  `xml:"time"`
	Name string   `xml:"name"`
	Src  string   `xml:"src"`
	Ext  *struct {
		TPE struct {
			Speed  *float64 `xml:"http://www.garmin.com/xmlschemas/TrackPointExtension/v2 speed"`
			Course *float64 `xml:"http://www.garmin.com/xmlschemas/TrackPointExtension/v2 course"`
		} `xml:"http://www.garmin.com/xmlschemas/TrackPointExtension/v2 TrackPointExtension"`
	} `xml:"extensions"`
}

// parseGPX checks a GPX document token by token (namespaces, element order, attribute
// values, value types) and decodes it.
func parseGPX(data []byte) (*gpxDoc, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	type frame struct {
		name string
		next int // index in the parent's sequence the next child may not precede
		text strings.Builder
	}
	var stack []*frame
	seenRoot := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name, space := tok.Name.Local, tok.Name.Space
			wantSpace := export.GPXNamespace
			if len(stack) > 0 && (stack[len(stack)-1].name == "extensions" || stack[len(stack)-1].name == "TrackPointExtension") {
				wantSpace = export.TrackPointExtensionNamespace
			}
			if space != wantSpace {
				return nil, fmt.Errorf("element %s in namespace %q, want %q", name, space, wantSpace)
			}
			if len(stack) == 0 {
				if seenRoot || name != "gpx" {
					return nil, fmt.Errorf("root element %s", name)
				}
				seenRoot = true
				if attr(tok, "", "version") != "1.1" || attr(tok, "", "creator") == "" {
					return nil, fmt.Errorf("gpx attributes %v", tok.Attr)
				}
			} else {
				parent := stack[len(stack)-1]
				seq, ok := gpxSequences[parent.name]
				if !ok {
					return nil, fmt.Errorf("element %s inside %s, which has no children", name, parent.name)
				}
				i := slices.IndexFunc(seq, func(s string) bool { return strings.TrimSuffix(s, "*") == name })
				if i < 0 || i < parent.next {
					return nil, fmt.Errorf("element %s out of XSD order inside %s", name, parent.name)
				}
				parent.next = i + 1
				if strings.HasSuffix(seq[i], "*") {
					parent.next = i
				}
			}
			if name == "wpt" || name == "trkpt" {
				lat, err1 := strconv.ParseFloat(attr(tok, "", "lat"), 64)
				lon, err2 := strconv.ParseFloat(attr(tok, "", "lon"), 64)
				if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon >= 180 {
					return nil, fmt.Errorf("%s with lat %q lon %q", name, attr(tok, "", "lat"), attr(tok, "", "lon"))
				}
			}
			stack = append(stack, &frame{name: name})
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(tok)
			}
		case xml.EndElement:
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if err := checkGPXValue(f.name, f.text.String()); err != nil {
				return nil, err
			}
		}
	}
	if !seenRoot || len(stack) != 0 {
		return nil, errors.New("incomplete GPX document")
	}
	var doc gpxDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

func checkGPXValue(name, text string) error {
	var err error
	switch name {
	case "time":
		_, err = time.Parse(time.RFC3339Nano, text)
	case "ele":
		err = checkDecimal(text, nil)
	case "speed":
		err = checkDecimal(text, func(v float64) bool { return v >= 0 })
	case "course":
		err = checkDecimal(text, func(v float64) bool { return v >= 0 && v < 360 })
	}
	if err != nil {
		return fmt.Errorf("<%s>%s</%s>: %w", name, text, name, err)
	}
	return nil
}

// checkDecimal checks an xsd:decimal: digits with an optional sign and point, no exponent.
func checkDecimal(s string, ok func(float64) bool) error {
	if strings.ContainsAny(s, "eE") || strings.Contains(s, "Inf") || strings.Contains(s, "NaN") {
		return errors.New("not a decimal")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	if ok != nil && !ok(v) {
		return errors.New("out of range")
	}
	return nil
}

func attr(e xml.StartElement, space, local string) string {
	for _, a := range e.Attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

type geoCollection struct {
	Type     string       `json:"type"`
	Name     *string      `json:"name"`
	Features []geoFeature `json:"features"`
}

type geoFeature struct {
	Type       string         `json:"type"`
	ID         any            `json:"id"`
	Geometry   *geoGeometry   `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type geoGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// parseGeoJSON checks RFC 7946 structure: a FeatureCollection of Features with Point or
// LineString geometries (or null), positions of 2 or 3 numbers with the longitude first and
// within bounds, no "crs" member; and decodes it.
func parseGeoJSON(data []byte) (*geoCollection, error) {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if _, ok := root["crs"]; ok {
		return nil, errors.New("crs member (RFC 7946 section 4)")
	}
	var fc geoCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, err
	}
	if fc.Type != "FeatureCollection" || fc.Features == nil {
		return nil, fmt.Errorf("root type %q, features %v", fc.Type, fc.Features)
	}
	for i, f := range fc.Features {
		if f.Type != "Feature" {
			return nil, fmt.Errorf("feature %d: type %q", i, f.Type)
		}
		switch f.ID.(type) {
		case nil, string, float64:
		default:
			return nil, fmt.Errorf("feature %d: id %v", i, f.ID)
		}
		if f.Properties == nil {
			return nil, fmt.Errorf("feature %d: no properties", i)
		}
		if f.Geometry == nil {
			continue
		}
		switch f.Geometry.Type {
		case "Point":
			var pos []float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &pos); err != nil {
				return nil, fmt.Errorf("feature %d: %w", i, err)
			}
			if err := checkPosition(pos); err != nil {
				return nil, fmt.Errorf("feature %d: %w", i, err)
			}
		case "LineString":
			var line [][]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &line); err != nil {
				return nil, fmt.Errorf("feature %d: %w", i, err)
			}
			if len(line) < 2 {
				return nil, fmt.Errorf("feature %d: LineString of %d positions", i, len(line))
			}
			for _, pos := range line {
				if err := checkPosition(pos); err != nil {
					return nil, fmt.Errorf("feature %d: %w", i, err)
				}
			}
		default:
			return nil, fmt.Errorf("feature %d: geometry type %q", i, f.Geometry.Type)
		}
	}
	return &fc, nil
}

func checkPosition(pos []float64) error {
	if len(pos) < 2 || len(pos) > 3 {
		return fmt.Errorf("position %v: want 2 or 3 numbers", pos)
	}
	if pos[0] < -180 || pos[0] > 180 || pos[1] < -90 || pos[1] > 90 {
		return fmt.Errorf("position %v out of [lon, lat] bounds", pos)
	}
	return nil
}

// parseCSV reads the CSV back: the header, then rows of as many cells, with numbers and
// RFC 3339 times where the cells are not empty.
func parseCSV(data []byte, sep rune) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sep
	rows, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || !slices.Equal(rows[0], export.CSVColumns()) {
		return nil, fmt.Errorf("header %v", rows)
	}
	for _, row := range rows[1:] {
		if row[2] != "" {
			if _, err := time.Parse(time.RFC3339Nano, row[2]); err != nil {
				return nil, err
			}
		}
		for _, cell := range row[3:] {
			if cell == "" {
				continue
			}
			if err := checkDecimal(cell, nil); err != nil {
				return nil, fmt.Errorf("cell %q: %w", cell, err)
			}
		}
		if row[3] == "" || row[4] == "" {
			return nil, fmt.Errorf("row without coordinates: %v", row)
		}
	}
	return rows[1:], nil
}

// parse parses an export of format f.
func parse(f export.Format, data []byte) error {
	var err error
	switch f {
	case export.GPX:
		_, err = parseGPX(data)
	case export.GeoJSON:
		_, err = parseGeoJSON(data)
	case export.CSV:
		_, err = parseCSV(data, ',')
	}
	return err
}
