package telematics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// EpochUnit says what a bare number means where a provider sends a time as a number.
type EpochUnit int

const (
	// EpochMillis: numbers count milliseconds since 1970-01-01T00:00:00Z (the default of
	// both providers).
	EpochMillis EpochUnit = iota
	// EpochSeconds: numbers count seconds since 1970-01-01T00:00:00Z. Only for fields
	// whose documentation says so.
	EpochSeconds
)

// Bounds of what ParseTime accepts: years 0001 to 9999, as RFC 3339 can express.
const (
	minEpochMillis = -62135596800000
	maxEpochMillis = 253402300799999
)

// ErrInvalidTime is returned (wrapped) by ParseTime for input that is not a time.
var ErrInvalidTime = errors.New("invalid time")

// ParseTime decodes a JSON value holding a time, the way providers send them:
//
//   - null, 0, "" and "0" are the zero time.Time;
//   - a JSON number, or a string holding only a number, counts units since the epoch
//     (fractions allowed);
//   - a string in RFC 3339 form, with or without fractional seconds; a space may stand for
//     the "T", and a missing zone means UTC; a bare date ("2026-01-31") is its midnight UTC.
//
// The result is in UTC. Anything else returns an error wrapping [ErrInvalidTime] that
// quotes at most the first 64 bytes of the input.
func ParseTime(data []byte, unit EpochUnit) (time.Time, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return time.Time{}, nil
	}
	if data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return time.Time{}, invalidTime(data)
		}
		return ParseTimeString(s, unit)
	}
	return parseEpoch(data, unit)
}

// ParseTimeString is ParseTime for text that is not JSON-quoted, such as a header or a CSV
// cell.
func ParseTimeString(s string, unit EpochUnit) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if looksNumeric(s) {
		if t, err := parseEpoch([]byte(s), unit); err == nil {
			return t, nil
		}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t = t.UTC(); t.Year() < 1 {
				break
			}
			return t, nil
		}
	}
	return time.Time{}, invalidTime([]byte(s))
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// looksNumeric reports whether s can only be a number: a sign, digits, a point and an
// exponent, with a sign elsewhere only after the exponent's e. Dates and RFC 3339 text
// then go straight to the layouts instead of building an epoch parse error first.
func looksNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == 'e', c == 'E':
		case c == '-' || c == '+':
			if i > 0 && s[i-1] != 'e' && s[i-1] != 'E' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// parseEpoch reads a number of units since the epoch. Whole numbers take a fast path that
// does not allocate; the trackpoint decoder relies on it.
func parseEpoch(b []byte, unit EpochUnit) (time.Time, error) {
	if n, ok := parseInt(b); ok {
		return fromEpochInt(n, unit, b)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, invalidTime(b)
	}
	ms := f
	if unit == EpochSeconds {
		ms = f * 1000
	}
	if ms < minEpochMillis || ms > maxEpochMillis {
		return time.Time{}, invalidTime(b)
	}
	if ms == 0 {
		return time.Time{}, nil
	}
	whole := math.Floor(ms)
	nanos := int64(math.Round((ms - whole) * 1e6))
	return time.UnixMilli(int64(whole)).Add(time.Duration(nanos)).UTC(), nil
}

func fromEpochInt(n int64, unit EpochUnit, b []byte) (time.Time, error) {
	if n == 0 {
		return time.Time{}, nil
	}
	if unit == EpochSeconds {
		if n < minEpochMillis/1000 || n > maxEpochMillis/1000 {
			return time.Time{}, invalidTime(b)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if n < minEpochMillis || n > maxEpochMillis {
		return time.Time{}, invalidTime(b)
	}
	return time.UnixMilli(n).UTC(), nil
}

// parseInt parses an optionally signed decimal integer of at most 18 digits.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func invalidTime(b []byte) error {
	if len(b) > 64 {
		b = b[:64]
	}
	return fmt.Errorf("%w: %q", ErrInvalidTime, b)
}

// Timestamp is a time.Time that decodes with [ParseTime] in [EpochMillis] and encodes as
// epoch milliseconds (null for the zero time). Use it in wire models.
type Timestamp struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *Timestamp) UnmarshalJSON(data []byte) error {
	v, err := ParseTime(data, EpochMillis)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalJSON implements json.Marshaler.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, t.UnixMilli(), 10), nil
}

// UnixTimestamp is a time.Time that decodes with [ParseTime] in [EpochSeconds] and encodes
// as epoch seconds (null for the zero time).
type UnixTimestamp struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *UnixTimestamp) UnmarshalJSON(data []byte) error {
	v, err := ParseTime(data, EpochSeconds)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalJSON implements json.Marshaler.
func (t UnixTimestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, t.Unix(), 10), nil
}
