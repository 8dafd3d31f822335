package mycartracks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// ID identifies a MyCarTracks resource. It is sent as a JSON number; the client also
// accepts a JSON string holding the number.
type ID int64

// String returns the ID in decimal.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// UnmarshalJSON accepts a number, a numeric string, null or "" (both zero).
func (id *ID) UnmarshalJSON(b []byte) error {
	n, _, err := parseIntJSON(b)
	if err != nil {
		return err
	}
	*id = ID(n)
	return nil
}

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
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, false, err
		}
		if s == "" {
			return 0, false, nil
		}
	}
	v, err = strconv.ParseFloat(s, 64)
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

func firstID(ids ...*ID) ID {
	for _, id := range ids {
		if id != nil {
			return *id
		}
	}
	return 0
}

// millis converts a duration in milliseconds.
func millis(f flexFloat) time.Duration { return time.Duration(f.v * float64(time.Millisecond)) }

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

// listEnvelope is a page of a list: {"data":[...],"total":n}; totalCount is accepted for
// total.
type listEnvelope[T any] struct {
	Data       []T `json:"data"`
	Total      *ID `json:"total"`
	TotalCount *ID `json:"totalCount" alias:"total"`
}

func (e *listEnvelope[T]) total() int {
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
