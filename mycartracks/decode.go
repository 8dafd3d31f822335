package mycartracks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// parseIntJSON reads an integer sent as a JSON number or string. present is false for
// null and "".
func parseIntJSON(b []byte) (n int64, present bool, err error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return 0, false, nil
	}
	s := b
	if b[0] == '"' {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return 0, false, err
		}
		if str == "" {
			return 0, false, nil
		}
		s = []byte(str)
	}
	n, err = strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%w: %q is not an integer identifier", telematics.ErrMalformedResponse, clipBytes(b))
	}
	return n, true, nil
}

// flexFloat is a number that may arrive as a JSON number, a numeric string or null.
type flexFloat struct {
	v  float64
	ok bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	v, ok, err := parseFloatJSON(b)
	if err != nil {
		return err
	}
	*f = flexFloat{v, ok}
	return nil
}

// parseFloatJSON reads a finite number sent as a JSON number or string. present is false
// for null and "".
func parseFloatJSON(b []byte) (v float64, present bool, err error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return 0, false, nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, false, err
		}
		if s == "" {
			return 0, false, nil
		}
		v, err = strconv.ParseFloat(s, 64)
	} else {
		v, err = strconv.ParseFloat(string(b), 64)
	}
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, fmt.Errorf("%w: %q is not a number", telematics.ErrMalformedResponse, clipBytes(b))
	}
	return v, true, nil
}

// first returns the first value that is present, for a field with aliases.
func first(vals ...flexFloat) flexFloat {
	for _, v := range vals {
		if v.ok {
			return v
		}
	}
	return flexFloat{}
}

// millis converts a duration in milliseconds.
func millis(f flexFloat) time.Duration { return durationMillis(f.v) }

// durationMillis converts milliseconds to the nearest nanosecond.
func durationMillis(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}

// Wire types: each model T has a wire type wireT (wireTrack, wireJob...) holding the
// resource as the API sends it, in the API's names and units, with alias fields for the
// other names it accepts; tFromWire converts it to the model, in SI units, keeping a copy
// of the JSON as Raw, and the model's MarshalJSON writes the wire form back, so that
// json.Marshal then json.Unmarshal gives the same value. Envelopes follow the same naming
// (wireList), as in package smartcar.

// unmarshalModel is the UnmarshalJSON of every model: it decodes one resource, also from
// a {"data":{...}} envelope, into its wire type W and converts it with conv, which gets a
// copy of the JSON as Raw.
func unmarshalModel[W, T any](b []byte, dst *T, conv func(*W, json.RawMessage) T) error {
	var w W
	raw, err := decodeObject(b, &w)
	if err != nil {
		return err
	}
	*dst = conv(&w, raw)
	return nil
}

// decodeObject decodes one resource into wire and returns a copy of its JSON, unwrapping
// a {"data":{...}} envelope first.
func decodeObject(b []byte, wire any) (json.RawMessage, error) {
	b = unwrapData(b)
	if err := json.Unmarshal(b, wire); err != nil {
		return nil, err
	}
	return bytes.Clone(b), nil
}

// unwrapData returns the object of {"data":{...}} when b is such an envelope, else b.
// The resources' own JSON starts with another key, so the common case costs a few byte
// comparisons.
func unwrapData(b []byte) []byte {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return b
	}
	i = skipSpace(b, i+1)
	if !bytes.HasPrefix(b[i:], []byte(`"data"`)) {
		return b
	}
	i = skipSpace(b, i+len(`"data"`))
	if i >= len(b) || b[i] != ':' {
		return b
	}
	i = skipSpace(b, i+1)
	if i >= len(b) || b[i] != '{' {
		return b
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(b, &env) != nil || len(env.Data) == 0 {
		return b
	}
	return env.Data
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// wireList is a page of a list: {"data":[...],"total":n}; totalCount is accepted for
// total.
type wireList[T any] struct {
	Data       []T `json:"data"`
	Total      *ID `json:"total"`
	TotalCount *ID `json:"totalCount" alias:"total"`
}

func (e *wireList[T]) total() int {
	switch {
	case e.Total != nil:
		return int(*e.Total)
	case e.TotalCount != nil:
		return int(*e.TotalCount)
	}
	return -1
}

func clipBytes(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// errNoEnvelope is a page without a "data" member: a success status whose body is not
// a list ({}, {"message":"upstream timeout"}, null, an object without data) must not
// read as an empty list.
var errNoEnvelope = errors.New(`the list page has no "data" member`)

// isDataKey reports whether a top-level key names the items, as encoding/json matches
// the "data" field of a struct: case-insensitively. Only ASCII folds to "data".
func isDataKey(key []byte) bool {
	return len(key) == 4 && (string(key) == "data" || bytes.EqualFold(key, []byte("data")))
}

// decodePage decodes a list page {"data":[...],"total":n}: one encoding/json pass into
// the wire type, and a fast scan for each item's JSON, copied as its Raw so that an item
// kept does not keep its whole page (up to MaxPageSize items) in memory. Trackpoints,
// millions of them in an export, have their own decoder and keep Raw only on request.
//
// Repeated keys follow encoding/json: the last "data" (in any case) wins. A page whose
// "data" is [] or null is empty; a body without "data" is errNoEnvelope.
func decodePage[W, T any](body []byte, conv func(*W, json.RawMessage) T) ([]T, int, error) {
	// The scan comes first so that encoding/json fills a slice of the right size instead
	// of growing one; its spans only count once encoding/json has accepted the page.
	spans, found, ok := dataSpans(body)
	var env wireList[W]
	if ok {
		env.Data = make([]W, 0, len(spans))
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, -1, err
	}
	if !ok || len(spans) != len(env.Data) {
		// A body the scanner does not follow: take the presence of "data" and the
		// items' JSON from encoding/json instead.
		var raws struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, -1, fmt.Errorf("inconsistent list page")
		}
		var elems []json.RawMessage
		found = raws.Data != nil
		if found && string(raws.Data) != "null" {
			if err := json.Unmarshal(raws.Data, &elems); err != nil {
				return nil, -1, fmt.Errorf("inconsistent list page")
			}
		}
		if spans = elems; len(spans) != len(env.Data) {
			return nil, -1, fmt.Errorf("inconsistent list page")
		}
	}
	if !found {
		return nil, -1, errNoEnvelope
	}
	items := make([]T, len(env.Data))
	for i := range env.Data {
		items[i] = conv(&env.Data[i], bytes.Clone(spans[i]))
	}
	return items, env.total(), nil
}

// dataSpans returns the JSON of each item of the last "data" member of a page, and
// whether the page has one: it only tracks strings and nesting, which is several times
// faster than a validating scan. Its result is right for a page that encoding/json
// accepts; on any other input it ends without failing, with spans that mean nothing. A
// last "data" that is not an array (null) has no spans.
func dataSpans(body []byte) (spans []json.RawMessage, found, ok bool) {
	s := jsonScanner{b: body}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return nil, false, false
	}
	err := s.object(func(key []byte) error {
		if !isDataKey(key) {
			return s.skip()
		}
		found, spans = true, spans[:0]
		if s.i >= len(s.b) || s.b[s.i] != '[' {
			return s.skip()
		}
		return s.array(func() error {
			start := s.i
			end, ok := skipValidated(s.b, s.i)
			if !ok {
				return errSyntax
			}
			s.i = end
			spans = append(spans, s.b[start:end:end])
			return nil
		})
	})
	return spans, found, err == nil
}

// skipValidated returns the end of the JSON value starting at i of a body that
// encoding/json validates as well (as decodePage does): it follows only strings and
// nesting and does not validate the value itself. ok is false when the value is cut
// short.
func skipValidated(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			i++
			for {
				q := bytes.IndexByte(b[i:], '"')
				if q < 0 {
					return 0, false
				}
				i += q + 1
				backslashes := 0
				for j := i - 2; j >= 0 && b[j] == '\\'; j-- {
					backslashes++
				}
				if backslashes%2 == 0 {
					break
				}
			}
			if depth == 0 {
				return i, true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			if depth--; depth == 0 {
				return i + 1, true
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i, true
			}
		}
		i++
	}
	return i, depth == 0
}

// malformed wraps a decoding failure of a successful answer like the request loop does.
func malformed(resp *telematics.Response, err error) error {
	return httpcore.Malformed(Provider, resp, err)
}
