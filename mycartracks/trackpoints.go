package mycartracks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Trackpoint is one recorded point of a track.
type Trackpoint struct {
	ID ID
	// Position holds the fix in SI units: speed (sent in km/h), heading (bearing in
	// degrees), altitude and accuracy (metres). Position.Known says which of the optional
	// fields the point carried.
	Position telematics.Position
	// Raw is the point's JSON. The list calls keep it only with
	// TrackpointListOptions.KeepRaw, sharing the memory of the page it came from;
	// json.Unmarshal keeps a copy.
	Raw json.RawMessage
}

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

// maxDepth is the nesting limit of encoding/json, kept so both decoders agree.
const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

// tpScanner walks one trackpoint page.
type tpScanner struct {
	b     []byte
	i     int
	depth int
}

func (s *tpScanner) fail(what string) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, s.i, what)
}

func (s *tpScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// decodeTrackpointPage decodes {"data":[point...],"total":n} (total, or totalCount,
// optional), appending the points to dst. total is -1 when the page has none. A page
// whose last "data" is null or [] has no points; a page without "data" is errNoEnvelope.
func decodeTrackpointPage(body []byte, dst []Trackpoint, keepRaw bool) (items []Trackpoint, total int, err error) {
	s := tpScanner{b: body}
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

// valueSpan is where a value lies in the page.
type valueSpan struct {
	start, end int
	set        bool
}

func (s *tpScanner) span(v *valueSpan) error {
	start := s.i
	if err := s.skip(); err != nil {
		return err
	}
	*v = valueSpan{start, s.i, true}
	return nil
}

// object scans an object at s.i, calling member with s.i at each value; member must
// consume the value.
func (s *tpScanner) object(member func(key []byte) error) error {
	s.depth++
	if s.depth > maxDepth {
		return s.fail("nested too deeply")
	}
	s.i++ // '{'
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		return nil
	}
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.fail("expected a key")
		}
		key, err := s.key()
		if err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.fail("expected ':'")
		}
		s.i++
		s.ws()
		if err := member(key); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.fail("unterminated object")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
		case '}':
			s.i++
			s.depth--
			return nil
		default:
			return s.fail("expected ',' or '}'")
		}
	}
}

// key scans a string at s.i and returns its text; escaped keys are unescaped (rare).
func (s *tpScanner) key() ([]byte, error) {
	start := s.i
	escaped, err := s.str()
	if err != nil {
		return nil, err
	}
	if !escaped {
		return s.b[start+1 : s.i-1], nil
	}
	var k string
	if err := json.Unmarshal(s.b[start:s.i], &k); err != nil {
		return nil, s.fail("bad key")
	}
	return []byte(k), nil
}

// str scans a string at s.i, validating escapes and control characters.
func (s *tpScanner) str() (escaped bool, err error) {
	s.i++ // '"'
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return escaped, nil
		case c == '\\':
			escaped = true
			s.i++
			if s.i >= len(s.b) {
				return false, s.fail("unterminated string")
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				if s.i+4 >= len(s.b) {
					return false, s.fail("short \\u escape")
				}
				for _, h := range s.b[s.i+1 : s.i+5] {
					if !isHex(h) {
						return false, s.fail("bad \\u escape")
					}
				}
				s.i += 5
			default:
				return false, s.fail("bad escape")
			}
		case c < 0x20:
			return false, s.fail("control character in string")
		default:
			s.i++
		}
	}
	return false, s.fail("unterminated string")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number scans a JSON number at s.i.
func (s *tpScanner) number() error {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		s.i = i
		return s.fail("bad number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			s.i = i
			return s.fail("bad fraction")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			s.i = i
			return s.fail("bad exponent")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	s.i = i
	return nil
}

// literal consumes lit at s.i if it is there.
func (s *tpScanner) literal(lit string) bool {
	if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

// skip scans any value at s.i, validating it.
func (s *tpScanner) skip() error {
	if s.i >= len(s.b) {
		return s.fail("expected a value")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, err := s.str()
		return err
	case c == '-' || isDigit(c):
		return s.number()
	case c == '{':
		return s.object(func([]byte) error { return s.skip() })
	case c == '[':
		return s.array(func() error { return s.skip() })
	case s.literal("true"), s.literal("false"), s.literal("null"):
		return nil
	}
	return s.fail("expected a value")
}

// array scans an array at s.i, calling elem with s.i at each element.
func (s *tpScanner) array(elem func() error) error {
	s.depth++
	if s.depth > maxDepth {
		return s.fail("nested too deeply")
	}
	s.i++ // '['
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.fail("unterminated array")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
		case ']':
			s.i++
			s.depth--
			return nil
		default:
			return s.fail("expected ',' or ']'")
		}
	}
}

// points scans the data array, appending one Trackpoint per element. A syntax error
// ends the scan (err); the first element that is not a valid point (convErr) only stops
// the conversion, since a later "data" may override the array.
func (s *tpScanner) points(items []Trackpoint, keepRaw bool) (_ []Trackpoint, convErr, err error) {
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
		if convErr = s.b2tp(&slots, tp); convErr != nil {
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
func (s *tpScanner) fields(slots *[numTPKeys]valueSpan) error {
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
func (s *tpScanner) point(slots *[numTPKeys]valueSpan, tp *Trackpoint) error {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return s.fail("a trackpoint must be a JSON object")
	}
	if err := s.fields(slots); err != nil {
		return err
	}
	return s.b2tp(slots, tp)
}

// UnmarshalJSON decodes one point as trackpoint pages hold it (time in epoch ms, speed
// in km/h, bearing in degrees, altitude and accuracy in metres; the aliases lat, lng,
// lon and heading accepted), also from a {"data":{...}} envelope, keeping Raw.
func (tp *Trackpoint) UnmarshalJSON(b []byte) error {
	b = unwrapData(b)
	s := tpScanner{b: b}
	s.ws()
	var slots [numTPKeys]valueSpan
	var p Trackpoint
	if err := s.point(&slots, &p); err != nil {
		return err
	}
	if s.ws(); s.i != len(s.b) {
		return s.fail("data after the trackpoint")
	}
	p.Raw = bytes.Clone(b)
	*tp = p
	return nil
}

// MarshalJSON encodes the point as the API sends it: time in epoch ms, speed in km/h,
// bearing in degrees, altitude and accuracy in metres; the optional fields only when
// Position.Known has them. Raw is not encoded.
func (tp Trackpoint) MarshalJSON() ([]byte, error) {
	p := &tp.Position
	w := struct {
		ID        ID       `json:"id"`
		Time      *int64   `json:"time,omitempty"`
		Latitude  float64  `json:"latitude"`
		Longitude float64  `json:"longitude"`
		Altitude  *float64 `json:"altitude,omitempty"`
		Speed     *float64 `json:"speed,omitempty"`
		Bearing   *float64 `json:"bearing,omitempty"`
		Accuracy  *float64 `json:"accuracy,omitempty"`
	}{ID: tp.ID, Time: epochMs(p.Time), Latitude: p.Latitude, Longitude: p.Longitude}
	if p.Has(telematics.HasAltitude) {
		w.Altitude = Ptr(p.Altitude.Metres())
	}
	if p.Has(telematics.HasSpeed) {
		w.Speed = Ptr(kmh(p.Speed))
	}
	if p.Has(telematics.HasHeading) {
		w.Bearing = Ptr(p.Heading.Degrees())
	}
	if p.Has(telematics.HasAccuracy) {
		w.Accuracy = Ptr(p.Accuracy.Metres())
	}
	return json.Marshal(w)
}

// winner returns the value of the highest-precedence key of field f that is present
// and not null or "".
func (s *tpScanner) winner(slots *[numTPKeys]valueSpan, f tpField) []byte {
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

func (s *tpScanner) b2tp(slots *[numTPKeys]valueSpan, tp *Trackpoint) error {
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

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastFloat converts a validated JSON number, or a JSON string holding a number. Plain
// decimals of at most 15 significant digits take an exact fast path: the digits and the
// power of ten are both exact in a float64, so one division rounds correctly, as
// strconv would.
func fastFloat(v []byte) (float64, error) {
	if v[0] == '"' || v[0] == 't' || v[0] == 'f' || v[0] == '{' || v[0] == '[' {
		if v[0] != '"' {
			return 0, fmt.Errorf("%w: %.64q is not a number", telematics.ErrMalformedResponse, v)
		}
		f, _, err := parseFloatJSON(v)
		return f, err
	}
	i, neg := 0, false
	if v[0] == '-' {
		neg, i = true, 1
	}
	var mant uint64
	digits, frac := 0, 0
	for ; i < len(v) && isDigit(v[i]); i++ {
		mant = mant*10 + uint64(v[i]-'0')
		digits++
	}
	if i < len(v) && v[i] == '.' {
		for i++; i < len(v) && isDigit(v[i]); i++ {
			mant = mant*10 + uint64(v[i]-'0')
			digits++
			frac++
		}
	}
	if i == len(v) && digits <= 15 {
		f := float64(mant) / pow10[frac]
		if neg {
			f = -f
		}
		return f, nil
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %.64q is out of range", telematics.ErrMalformedResponse, v)
	}
	return f, nil
}

// fastInt converts a validated JSON integer, or a JSON string holding one.
func fastInt(v []byte) (int64, error) {
	if v[0] != '"' && len(v) <= 18 {
		i, neg := 0, false
		if v[0] == '-' {
			neg, i = true, 1
		}
		var n int64
		for ; i < len(v) && isDigit(v[i]); i++ {
			n = n*10 + int64(v[i]-'0')
		}
		if i == len(v) {
			if neg {
				n = -n
			}
			return n, nil
		}
	}
	if v[0] != '"' && v[0] != '-' && !isDigit(v[0]) {
		return 0, fmt.Errorf("%w: %.64q is not an integer identifier", telematics.ErrMalformedResponse, v)
	}
	n, _, err := parseIntJSON(v)
	return n, err
}

// malformed wraps a decoding failure of a successful answer like the request loop does.
func malformed(resp *telematics.Response, err error) error {
	return httpcore.Malformed(Provider, resp, err)
}
