package mycartracks

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// maxDepth is the nesting limit of encoding/json, kept so both decoders agree.
const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

// jsonScanner is a validating JSON scanner over one body: it decodes trackpoint pages
// (see decodeTrackpointPage) and finds the items of other list pages (see dataSpans).
type jsonScanner struct {
	b     []byte
	i     int
	depth int
}

func (s *jsonScanner) fail(what string) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, s.i, what)
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// valueSpan is where a value lies in the page.
type valueSpan struct {
	start, end int
	set        bool
}

func (s *jsonScanner) span(v *valueSpan) error {
	start := s.i
	if err := s.skip(); err != nil {
		return err
	}
	*v = valueSpan{start, s.i, true}
	return nil
}

// object scans an object at s.i, calling member with s.i at each value; member must
// consume the value.
func (s *jsonScanner) object(member func(key []byte) error) error {
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
func (s *jsonScanner) key() ([]byte, error) {
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
func (s *jsonScanner) str() (escaped bool, err error) {
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
func (s *jsonScanner) number() error {
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
func (s *jsonScanner) literal(lit string) bool {
	if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

// skip scans any value at s.i, validating it.
func (s *jsonScanner) skip() error {
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
func (s *jsonScanner) array(elem func() error) error {
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
