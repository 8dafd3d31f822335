package smartcar

import (
	"bytes"
	"cmp"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// bodyProbe holds every field of the documented body shapes, to tell them apart in one
// pass.
type bodyProbe struct {
	Value               json.RawMessage `json:"value"`
	Unit                string          `json:"unit"`
	Type                string          `json:"type"`
	AdditionalValues    json.RawMessage `json:"additionalValues"`
	Values              json.RawMessage `json:"values"`
	ActiveLimit         json.RawMessage `json:"activeLimit"`
	RowCount            *int            `json:"rowCount"`
	ColumnCount         *int            `json:"columnCount"`
	Latitude            *float64        `json:"latitude"`
	Longitude           *float64        `json:"longitude"`
	Heading             *float64        `json:"heading"`
	Direction           string          `json:"direction"`
	LocationType        string          `json:"locationType"`
	IsOpen              json.RawMessage `json:"isOpen"`
	IsLocked            json.RawMessage `json:"isLocked"`
	Source              string          `json:"source"`
	Capacity            json.RawMessage `json:"capacity"`
	AvailableCapacities json.RawMessage `json:"availableCapacities"`

	// entries are Values decoded, when scanFlatBody read them.
	entries        []entryProbe
	entriesDecoded bool
}

// DecodeValue decodes a signal body into its typed value; nil for an absent or null
// body. The shape decides, not the code, so that a body is typed whichever signal (or
// webhook) carries it. A body of an unknown shape, or one whose fields have unexpected
// types, comes back as RawValue; DecodeValue never fails.
func DecodeValue(body json.RawMessage) Value {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] != '{' {
		return RawValue{JSON: body}
	}
	var p bodyProbe
	if !scanFlatBody(b, &p) {
		p = bodyProbe{}
		if json.Unmarshal(b, &p) != nil {
			return RawValue{JSON: body}
		}
	}
	switch {
	case p.Latitude != nil && p.Longitude != nil:
		loc := Location{Latitude: *p.Latitude, Longitude: *p.Longitude, Direction: p.Direction, LocationType: p.LocationType}
		if p.Heading != nil {
			loc.Heading, loc.HasHeading = telematics.Degrees(*p.Heading), true
		}
		return loc
	case present(p.AdditionalValues):
		if v, ok := decodeAdditional(&p); ok {
			return v
		}
	case present(p.Capacity) || present(p.AvailableCapacities):
		if v, ok := decodeCapacity(&p); ok {
			return v
		}
	case present(p.Values):
		if v, ok := decodeValues(&p); ok {
			return v
		}
	case !present(p.Value) && (sent(p.IsOpen) || sent(p.IsLocked)):
		open, ok1 := optBool(p.IsOpen)
		locked, ok2 := optBool(p.IsLocked)
		if ok1 && ok2 {
			return ClosureState{IsOpen: open, IsLocked: locked}
		}
	case present(p.Value):
		if v, ok := scalar(p.Value, p.Unit); ok {
			return v
		}
	}
	return RawValue{JSON: body}
}

// present reports whether a field was sent with a non-null value.
func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// sent reports whether a field was sent, null included.
func sent(raw json.RawMessage) bool { return len(raw) > 0 }

func scalar(raw json.RawMessage, unit string) (Value, bool) {
	switch c := raw[0]; {
	case c == 't' || c == 'f':
		b, ok := jsonBool(raw)
		if !ok {
			return nil, false
		}
		return BoolValue{Value: b}, true
	case c == '"':
		if s, ok := plainString(raw); ok {
			return TextValue{Value: s}, true
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return TextValue{Value: s}, true
	case c == '-' || (c >= '0' && c <= '9'):
		f, ok := number(raw)
		if !ok {
			return nil, false
		}
		return UnitValue{Value: f, Unit: unit}, true
	}
	return nil, false
}

func number(raw json.RawMessage) (float64, bool) {
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}

// optBool decodes an optional boolean: absent or null is nil.
func optBool(raw json.RawMessage) (*bool, bool) {
	if !present(raw) {
		return nil, true
	}
	b, ok := jsonBool(raw)
	if !ok {
		return nil, false
	}
	return &b, true
}

// jsonBool decodes a JSON boolean.
func jsonBool(raw json.RawMessage) (bool, bool) {
	switch string(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	var b bool
	err := json.Unmarshal(raw, &b)
	return b, err == nil
}

// plainString returns the text of a JSON string that needs no unquoting: no escape,
// valid UTF-8.
func plainString(raw json.RawMessage) (string, bool) {
	n := len(raw)
	if n < 2 || raw[0] != '"' || raw[n-1] != '"' {
		return "", false
	}
	v := raw[1 : n-1]
	for _, c := range v {
		if c == '\\' || c == '"' || c < 0x20 {
			return "", false
		}
	}
	return string(v), utf8.Valid(v)
}

func decodeAdditional(p *bodyProbe) (Value, bool) {
	f, ok := number(p.Value)
	if !ok {
		return nil, false
	}
	var extra []struct {
		Type  string   `json:"type"`
		Value *float64 `json:"value"`
		Unit  string   `json:"unit"`
	}
	if json.Unmarshal(p.AdditionalValues, &extra) != nil {
		return nil, false
	}
	v := AdditionalValues{Value: f, Unit: p.Unit, Type: p.Type, Additional: make([]TypedValue, 0, len(extra))}
	for _, e := range extra {
		if e.Value == nil {
			continue
		}
		v.Additional = append(v.Additional, TypedValue{Type: e.Type, Value: *e.Value, Unit: cmp.Or(e.Unit, p.Unit)})
	}
	return v, true
}

func decodeCapacity(p *bodyProbe) (Value, bool) {
	v := NominalCapacity{Source: p.Source, Unit: p.Unit}
	if present(p.Capacity) {
		f, ok := number(p.Capacity)
		if !ok {
			return nil, false
		}
		v.Capacity = &f
	}
	if present(p.AvailableCapacities) {
		var opts []struct {
			Capacity    float64 `json:"capacity"`
			Description string  `json:"description"`
		}
		if json.Unmarshal(p.AvailableCapacities, &opts) != nil {
			return nil, false
		}
		for _, o := range opts {
			v.Available = append(v.Available, CapacityOption(o))
		}
	}
	return v, true
}

// entryProbe holds the fields of the entries of the documented "values" lists.
type entryProbe struct {
	Type      string          `json:"type"`
	Limit     *float64        `json:"limit"`
	Condition json.RawMessage `json:"condition"`
	Row       *int            `json:"row"`
	Column    *int            `json:"column"`
	IsOpen    json.RawMessage `json:"isOpen"`
	IsLocked  json.RawMessage `json:"isLocked"`
}

func decodeValues(p *bodyProbe) (Value, bool) {
	// The documented lists decode in one pass; the others are kept entry by entry.
	entries, err := p.entries, error(nil)
	if !p.entriesDecoded {
		err = json.Unmarshal(p.Values, &entries)
	}
	if err == nil && len(entries) > 0 {
		if v, ok := chargeLimits(p, entries); ok {
			return v, true
		}
		if v, ok := closureGrid(p, entries); ok {
			return v, true
		}
	}
	var raws []json.RawMessage
	if json.Unmarshal(p.Values, &raws) != nil {
		return nil, false
	}
	if len(raws) == 0 && present(p.ActiveLimit) {
		return chargeLimits(p, nil)
	}
	return ValueList{Values: raws, Unit: p.Unit}, true
}

func chargeLimits(p *bodyProbe, entries []entryProbe) (Value, bool) {
	for _, e := range entries {
		if e.Limit == nil {
			return nil, false
		}
	}
	v := ChargeLimits{Unit: p.Unit, Limits: make([]ChargeLimit, 0, len(entries))}
	if present(p.ActiveLimit) {
		f, ok := number(p.ActiveLimit)
		if !ok {
			return nil, false
		}
		pc := telematics.Percent(f)
		v.ActiveLimit = &pc
	}
	for _, e := range entries {
		l := ChargeLimit{Type: e.Type, Limit: telematics.Percent(*e.Limit)}
		if present(e.Condition) {
			var c struct {
				Name          string   `json:"name"`
				Address       string   `json:"address"`
				Latitude      *float64 `json:"latitude"`
				Longitude     *float64 `json:"longitude"`
				ConnectorType string   `json:"connectorType"`
			}
			if json.Unmarshal(e.Condition, &c) != nil {
				return nil, false
			}
			cond := ChargeLimitCondition(c)
			l.Condition = &cond
		}
		v.Limits = append(v.Limits, l)
	}
	return v, true
}

func closureGrid(p *bodyProbe, entries []entryProbe) (Value, bool) {
	v := ClosureGrid{Closures: make([]Closure, 0, len(entries))}
	for _, e := range entries {
		if e.Row == nil || e.Column == nil || (!sent(e.IsOpen) && !sent(e.IsLocked)) {
			return nil, false
		}
		open, ok1 := optBool(e.IsOpen)
		locked, ok2 := optBool(e.IsLocked)
		if !ok1 || !ok2 {
			return nil, false
		}
		v.Closures = append(v.Closures, Closure{Row: *e.Row, Column: *e.Column, ClosureState: ClosureState{IsOpen: open, IsLocked: locked}})
	}
	if p.RowCount != nil {
		v.RowCount = *p.RowCount
	}
	if p.ColumnCount != nil {
		v.ColumnCount = *p.ColumnCount
	}
	return v, true
}
