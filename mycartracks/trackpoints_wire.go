package mycartracks

import (
	"bytes"
	"slices"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Trackpoints are the hot path of exports (millions of points), so their pages are
// decoded by a dedicated scanner instead of encoding/json with a tolerant alias struct,
// which costs twice the time and an allocation per field. The scanner validates the
// whole page as JSON, records where each known key's value lies, and converts only the
// winning value of each field with fast paths for plain numbers. Its rules are those of
// encoding/json decoding into a struct with a json.RawMessage field per key (the page's
// data, total and totalCount; a point's keys and aliases): keys match case-insensitively
// as encoding/json matches field names, the last occurrence of a key wins (also of
// "data": only the last one's points count, and an earlier one may hold anything), null
// and "" mean absent, and among aliases the canonical name wins. A page without "data" is
// malformed, not empty; a point must be an object (null is not a point).

// tpField is a field of a trackpoint.
type tpField uint8

const (
	tpID tpField = iota
	tpTime
	tpLat
	tpLon
	tpAlt
	tpSpeed
	tpHeading
	tpAccuracy
	numTPFields
)

// trackpointKeys are the JSON keys of a trackpoint, canonical name first for each field,
// aliases after it in decreasing precedence. It is the single list behind the decoder
// (see tpKey) and the requirement list of the drift checker.
var trackpointKeys = [...]struct {
	name  string
	field tpField
}{
	{"id", tpID},
	{"time", tpTime},
	{"latitude", tpLat},
	{"lat", tpLat},
	{"longitude", tpLon},
	{"lng", tpLon},
	{"lon", tpLon},
	{"altitude", tpAlt},
	{"speed", tpSpeed},
	{"bearing", tpHeading},
	{"heading", tpHeading},
	{"accuracy", tpAccuracy},
}

const numTPKeys = len(trackpointKeys)

// fieldKeys is the range of trackpointKeys holding each field's names.
var fieldKeys = func() (r [numTPFields][2]int) {
	for k := len(trackpointKeys) - 1; k >= 0; k-- {
		f := trackpointKeys[k].field
		if r[f][1] == 0 {
			r[f][1] = k + 1
		}
		r[f][0] = k
	}
	return r
}()

// minPointSize is less than the JSON of a point with the usual fields takes, so that a
// page's slice is sized once from the body's length and seldom grown.
const minPointSize = 160

// tpKey returns the index of a key in trackpointKeys, or -1. A switch is faster than a
// loop over the table; a test keeps the two in step.
func tpKey(k []byte) int {
	switch string(k) {
	case "id":
		return 0
	case "time":
		return 1
	case "latitude":
		return 2
	case "lat":
		return 3
	case "longitude":
		return 4
	case "lng":
		return 5
	case "lon":
		return 6
	case "altitude":
		return 7
	case "speed":
		return 8
	case "bearing":
		return 9
	case "heading":
		return 10
	case "accuracy":
		return 11
	}
	if len(k) < 2 || len(k) > 9 {
		return -1 // no key in another case fits: only ASCII letters and ſ (for s) fold to them
	}
	for i, key := range trackpointKeys {
		if bytes.EqualFold(k, []byte(key.name)) {
			return i
		}
	}
	return -1
}

// page keys of decodeTrackpointPage.
const (
	pageOther = iota
	pageData
	pageTotal
	pageTotalCount
)

// pageKey classifies a top-level key of a trackpoint page, case-insensitively.
func pageKey(k []byte) int {
	switch string(k) {
	case "data":
		return pageData
	case "total":
		return pageTotal
	case "totalCount":
		return pageTotalCount
	}
	switch {
	case isDataKey(k):
		return pageData
	case bytes.EqualFold(k, []byte("total")):
		return pageTotal
	case bytes.EqualFold(k, []byte("totalCount")):
		return pageTotalCount
	}
	return pageOther
}

// decodeTrackpointPage decodes {"data":[point...],"total":n} (total, or totalCount,
// optional), appending the points to dst. total is -1 when the page has none. A page
// whose last "data" is null or [] has no points; a page without "data" is errNoEnvelope.
func decodeTrackpointPage(body []byte, dst []Trackpoint, keepRaw bool) (items []Trackpoint, total int, err error) {
	s := jsonScanner{b: body}
	base := len(dst)
	items = slices.Grow(dst, len(body)/minPointSize)
	var totalVal, countVal valueSpan
	// found says whether the page has "data"; dataErr is why the last "data" is not a
	// list of points. An earlier "data" is overridden: it only has to be valid JSON.
	var found bool
	var dataErr error
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return dst, -1, s.fail("a trackpoint page must be a JSON object")
	}
	err = s.object(func(key []byte) error {
		switch pageKey(key) {
		case pageData:
			found, dataErr, items = true, nil, items[:base]
			switch {
			case s.literal("null"):
				return nil
			case s.i < len(s.b) && s.b[s.i] == '[':
				var err error
				items, dataErr, err = s.points(items, keepRaw)
				return err
			}
			dataErr = s.fail(`"data" must be an array`)
			return s.skip()
		case pageTotal:
			return s.span(&totalVal)
		case pageTotalCount:
			return s.span(&countVal)
		}
		return s.skip()
	})
	if err != nil {
		return dst, -1, err
	}
	s.ws()
	if s.i != len(s.b) {
		return dst, -1, s.fail("data after the page")
	}
	switch {
	case !found:
		return dst, -1, errNoEnvelope
	case dataErr != nil:
		return dst, -1, dataErr
	}
	total = -1
	for _, v := range []valueSpan{totalVal, countVal} {
		if v.set {
			n, ok, err := parseIntJSON(s.b[v.start:v.end])
			if err != nil {
				return dst, -1, err
			}
			if ok {
				total = int(n)
				break
			}
		}
	}
	return items, total, nil
}

// points scans the data array, appending one Trackpoint per element. A syntax error
// ends the scan (err); the first element that is not a valid point (convErr) only stops
// the conversion, since a later "data" may override the array.
func (s *jsonScanner) points(items []Trackpoint, keepRaw bool) (_ []Trackpoint, convErr, err error) {
	var slots [numTPKeys]valueSpan
	err = s.array(func() error {
		if convErr != nil {
			return s.skip()
		}
		start := s.i
		if s.i >= len(s.b) || s.b[s.i] != '{' {
			convErr = s.fail("a trackpoint must be a JSON object")
			return s.skip()
		}
		items = append(items, Trackpoint{})
		tp := &items[len(items)-1]
		if err := s.fields(&slots); err != nil {
			return err
		}
		if convErr = s.pointFromSlots(&slots, tp); convErr != nil {
			return nil
		}
		if keepRaw {
			tp.Raw = s.b[start:s.i:s.i]
		}
		return nil
	})
	return items, convErr, err
}

// fields scans one trackpoint object at s.i, recording in slots where each known key's
// last value lies.
func (s *jsonScanner) fields(slots *[numTPKeys]valueSpan) error {
	*slots = [numTPKeys]valueSpan{}
	return s.object(func(key []byte) error {
		k := tpKey(key)
		if k < 0 {
			return s.skip()
		}
		return s.span(&slots[k])
	})
}

// point scans one trackpoint object at s.i into tp; slots is scratch space.
func (s *jsonScanner) point(slots *[numTPKeys]valueSpan, tp *Trackpoint) error {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return s.fail("a trackpoint must be a JSON object")
	}
	if err := s.fields(slots); err != nil {
		return err
	}
	return s.pointFromSlots(slots, tp)
}

// winner returns the value of the highest-precedence key of field f that is present
// and not null or "".
func (s *jsonScanner) winner(slots *[numTPKeys]valueSpan, f tpField) []byte {
	for k := fieldKeys[f][0]; k < fieldKeys[f][1]; k++ {
		if !slots[k].set {
			continue
		}
		v := s.b[slots[k].start:slots[k].end]
		if v[0] == 'n' || (len(v) == 2 && v[0] == '"') {
			continue // null, ""
		}
		return v
	}
	return nil
}

// pointFromSlots converts the winning value of each field recorded in slots into tp: the
// id, the time (epoch ms) and the numbers in their wire units (km/h, degrees, metres),
// setting Position.Known for each optional field present.
func (s *jsonScanner) pointFromSlots(slots *[numTPKeys]valueSpan, tp *Trackpoint) error {
	p := &tp.Position
	p.Provider = Provider
	if v := s.winner(slots, tpID); v != nil {
		n, err := fastInt(v)
		if err != nil {
			return err
		}
		tp.ID = ID(n)
	}
	if v := s.winner(slots, tpTime); v != nil {
		t, err := telematics.ParseTime(v, telematics.EpochMillis)
		if err != nil {
			return err
		}
		p.Time = t
	}
	var err error
	float := func(f tpField) (float64, bool) {
		v := s.winner(slots, f)
		if v == nil || err != nil {
			return 0, false
		}
		x, e := fastFloat(v)
		if e != nil {
			err = e
			return 0, false
		}
		return x, true
	}
	p.Latitude, _ = float(tpLat)
	p.Longitude, _ = float(tpLon)
	if x, ok := float(tpAlt); ok {
		p.Altitude, p.Known = telematics.Metres(x), p.Known|telematics.HasAltitude
	}
	if x, ok := float(tpSpeed); ok {
		p.Speed, p.Known = telematics.KilometresPerHour(x), p.Known|telematics.HasSpeed
	}
	if x, ok := float(tpHeading); ok {
		p.Heading, p.Known = telematics.Degrees(x), p.Known|telematics.HasHeading
	}
	if x, ok := float(tpAccuracy); ok {
		p.Accuracy, p.Known = telematics.Metres(x), p.Known|telematics.HasAccuracy
	}
	return err
}
