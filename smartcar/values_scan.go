package smartcar

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// scanFlatBody is DecodeValue's fast path for the commonest bodies — a JSON object of
// scalars (a unit value, a single value, a location, a closure state) or with a "values"
// list of such objects (closure grids, charge limits) — which it reads into p without
// reflection and without a second validating pass. It reports false, p left as it may,
// for anything it does not read exactly as encoding/json would: another nested object
// or array, an escape or invalid UTF-8 in a string, a member met twice, a name that
// matches a field's only regardless of case, a member of the wrong type, a number out of
// range, any syntax error. DecodeValue then decodes b with encoding/json, so the result
// is the same either way (TestScanFlatBodyAgrees and FuzzScanFlatBody check it).
func scanFlatBody(b []byte, p *bodyProbe) bool {
	s := flatScanner{b: b}
	return scanFlatObject(&s, bodyFields, bodyProbeNames, p) && s.end()
}

// The kinds of scalar the scanner reads.
const (
	flatString = 1 + iota
	flatNumber
	flatBool
	flatNull
)

// flatField is how the scanner stores a member into a T: set takes a scalar (or null),
// list an array (nil: an array takes the slow path). bit tells duplicates apart.
type flatField[T any] struct {
	bit  uint
	set  func(p *T, raw []byte, kind int) bool
	list func(s *flatScanner, p *T) bool
}

var bodyFields = map[string]flatField[bodyProbe]{
	"value":        {bit: 0, set: flatRaw(func(p *bodyProbe) *[]byte { return (*[]byte)(&p.Value) })},
	"unit":         {bit: 1, set: flatText(func(p *bodyProbe) *string { return &p.Unit })},
	"type":         {bit: 2, set: flatText(func(p *bodyProbe) *string { return &p.Type })},
	"direction":    {bit: 3, set: flatText(func(p *bodyProbe) *string { return &p.Direction })},
	"locationType": {bit: 4, set: flatText(func(p *bodyProbe) *string { return &p.LocationType })},
	"source":       {bit: 5, set: flatText(func(p *bodyProbe) *string { return &p.Source })},
	"latitude":     {bit: 6, set: flatFloat(func(p *bodyProbe) **float64 { return &p.Latitude })},
	"longitude":    {bit: 7, set: flatFloat(func(p *bodyProbe) **float64 { return &p.Longitude })},
	"heading":      {bit: 8, set: flatFloat(func(p *bodyProbe) **float64 { return &p.Heading })},
	"isOpen":       {bit: 9, set: flatRaw(func(p *bodyProbe) *[]byte { return (*[]byte)(&p.IsOpen) })},
	"isLocked":     {bit: 10, set: flatRaw(func(p *bodyProbe) *[]byte { return (*[]byte)(&p.IsLocked) })},
	"capacity":     {bit: 11, set: flatRaw(func(p *bodyProbe) *[]byte { return (*[]byte)(&p.Capacity) })},
	"activeLimit":  {bit: 12, set: flatRaw(func(p *bodyProbe) *[]byte { return (*[]byte)(&p.ActiveLimit) })},
	"rowCount":     {bit: 13, set: flatInt(func(p *bodyProbe) **int { return &p.RowCount })},
	"columnCount":  {bit: 14, set: flatInt(func(p *bodyProbe) **int { return &p.ColumnCount })},
	"values":       {bit: 15, set: flatRaw(func(p *bodyProbe) *[]byte { return (*[]byte)(&p.Values) }), list: scanValues},
}

// bodyProbeNames are the JSON names of every member of bodyProbe.
var bodyProbeNames = []string{"value", "unit", "type", "additionalValues", "values", "activeLimit", "rowCount", "columnCount",
	"latitude", "longitude", "heading", "direction", "locationType", "isOpen", "isLocked", "source", "capacity", "availableCapacities"}

var entryFields = map[string]flatField[entryProbe]{
	"type":      {bit: 0, set: flatText(func(e *entryProbe) *string { return &e.Type })},
	"limit":     {bit: 1, set: flatFloat(func(e *entryProbe) **float64 { return &e.Limit })},
	"condition": {bit: 2, set: flatRaw(func(e *entryProbe) *[]byte { return (*[]byte)(&e.Condition) })},
	"row":       {bit: 3, set: flatInt(func(e *entryProbe) **int { return &e.Row })},
	"column":    {bit: 4, set: flatInt(func(e *entryProbe) **int { return &e.Column })},
	"isOpen":    {bit: 5, set: flatRaw(func(e *entryProbe) *[]byte { return (*[]byte)(&e.IsOpen) })},
	"isLocked":  {bit: 6, set: flatRaw(func(e *entryProbe) *[]byte { return (*[]byte)(&e.IsLocked) })},
}

// entryProbeNames are the JSON names of every member of entryProbe.
var entryProbeNames = []string{"type", "limit", "condition", "row", "column", "isOpen", "isLocked"}

// scanValues reads a "values" list of flat objects into p.Values and p.entries.
func scanValues(s *flatScanner, p *bodyProbe) bool {
	start := s.i
	s.i++ // [
	entries := []entryProbe{}
	if s.peek() == ']' {
		s.i++
	} else {
		for {
			var e entryProbe
			if !scanFlatObject(s, entryFields, entryProbeNames, &e) {
				return false
			}
			entries = append(entries, e)
			s.ws()
			c := s.next()
			if c == ']' {
				break
			}
			if c != ',' {
				return false
			}
		}
	}
	p.Values, p.entries, p.entriesDecoded = s.b[start:s.i], entries, true
	return true
}

// scanFlatObject reads an object whose members are scalars, or lists where fields says
// so, into p; a member fields does not name is skipped when it is a scalar and could
// not match a field of T by encoding/json's rules (names lists all of them).
func scanFlatObject[T any](s *flatScanner, fields map[string]flatField[T], names []string, p *T) bool {
	if !s.byte('{') {
		return false
	}
	if s.peek() == '}' {
		s.i++
		return true
	}
	var seen uint32
	for {
		key, ok := s.str()
		if !ok || !s.byte(':') {
			return false
		}
		s.ws()
		f, known := fields[key]
		switch {
		case !known:
			if foldsToField(key, names) || s.scalar() == 0 {
				return false
			}
		case seen&(1<<f.bit) != 0:
			return false // encoding/json keeps the last one; not worth mimicking
		case s.i < len(s.b) && s.b[s.i] == '[':
			seen |= 1 << f.bit
			if f.list == nil || !f.list(s, p) {
				return false
			}
		default:
			seen |= 1 << f.bit
			start := s.i
			kind := s.scalar()
			if kind == 0 || !f.set(p, s.b[start:s.i], kind) {
				return false
			}
		}
		s.ws()
		switch s.next() {
		case ',':
		case '}':
			return true
		default:
			return false
		}
	}
}

// flatRaw stores any scalar's JSON, null included (as encoding/json does into a
// json.RawMessage).
func flatRaw[T any](field func(*T) *[]byte) func(*T, []byte, int) bool {
	return func(p *T, raw []byte, _ int) bool {
		*field(p) = raw
		return true
	}
}

// flatText stores a string; null leaves the field as it is.
func flatText[T any](field func(*T) *string) func(*T, []byte, int) bool {
	return func(p *T, raw []byte, kind int) bool {
		switch kind {
		case flatString:
			*field(p) = string(raw[1 : len(raw)-1])
		case flatNull:
		default:
			return false
		}
		return true
	}
}

// flatFloat stores a number in range; null leaves the pointer nil.
func flatFloat[T any](field func(*T) **float64) func(*T, []byte, int) bool {
	return func(p *T, raw []byte, kind int) bool {
		switch kind {
		case flatNumber:
			f, err := strconv.ParseFloat(string(raw), 64)
			if err != nil {
				return false
			}
			*field(p) = &f
		case flatNull:
		default:
			return false
		}
		return true
	}
}

// flatInt stores an integral number in range; null leaves the pointer nil.
func flatInt[T any](field func(*T) **int) func(*T, []byte, int) bool {
	return func(p *T, raw []byte, kind int) bool {
		switch kind {
		case flatNumber:
			n, err := strconv.ParseInt(string(raw), 10, 0)
			if err != nil {
				return false
			}
			v := int(n)
			*field(p) = &v
		case flatNull:
		default:
			return false
		}
		return true
	}
}

// foldsToField reports whether encoding/json could store a member named key, which is
// not one of the exact names the scanner reads, in a field named by names: a name the
// scanner does not read, or one that matches a name only regardless of case (as
// encoding/json matches, Unicode folds included: hence any non-ASCII key).
func foldsToField(key string, names []string) bool {
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			return true
		}
	}
	for _, n := range names {
		if strings.EqualFold(key, n) {
			return true
		}
	}
	return false
}

// flatScanner reads JSON from b at i.
type flatScanner struct {
	b []byte
	i int
}

func (s *flatScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte (0 at the end).
func (s *flatScanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *flatScanner) next() byte {
	if s.i < len(s.b) {
		s.i++
		return s.b[s.i-1]
	}
	return 0
}

// byte skips white space and c.
func (s *flatScanner) byte(c byte) bool {
	if s.peek() != c {
		return false
	}
	s.i++
	return true
}

// end reports whether only white space follows.
func (s *flatScanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// str reads a string without escapes and of valid UTF-8, after white space.
func (s *flatScanner) str() (string, bool) {
	if !s.byte('"') {
		return "", false
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			return string(v), utf8.Valid(v)
		case c == '\\' || c < 0x20:
			return "", false
		}
		s.i++
	}
	return "", false
}

// scalar reads a string, a number, a boolean or null and returns its kind (0: anything
// else, or malformed).
func (s *flatScanner) scalar() int {
	if s.i >= len(s.b) {
		return 0
	}
	switch c := s.b[s.i]; {
	case c == '"':
		if _, ok := s.str(); ok {
			return flatString
		}
	case c == 't':
		return s.word("true", flatBool)
	case c == 'f':
		return s.word("false", flatBool)
	case c == 'n':
		return s.word("null", flatNull)
	case c == '-' || '0' <= c && c <= '9':
		if s.number() {
			return flatNumber
		}
	}
	return 0
}

func (s *flatScanner) word(w string, kind int) int {
	if len(s.b)-s.i >= len(w) && string(s.b[s.i:s.i+len(w)]) == w {
		s.i += len(w)
		return kind
	}
	return 0
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *flatScanner) number() bool {
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.digits() == 0:
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

func (s *flatScanner) digits() int {
	n := 0
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}
