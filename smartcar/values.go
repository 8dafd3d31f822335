package smartcar

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/fleetkit/fleetkit-go/internal/textutil"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Value is the typed body of a signal. It is one of UnitValue, BoolValue, TextValue,
// AdditionalValues, Location, ClosureState, ClosureGrid, ChargeLimits, NominalCapacity,
// ValueList or RawValue; switch on the type:
//
//	switch v := sig.Value.(type) {
//	case smartcar.UnitValue:
//		fmt.Println(v.Value, v.Unit)
//	case smartcar.Location:
//		fmt.Println(v.Latitude, v.Longitude)
//	}
type Value interface {
	// String formats the value for display.
	String() string
	isValue()
}

// UnitValue is a number with its unit as Smartcar spelled it ("percent", "km", "km/h",
// "kWh"); the unit is empty for plain numbers. Body {"value": 57, "unit": "percent"}.
type UnitValue struct {
	Value float64
	Unit  string
}

// BoolValue is a yes/no reading. Body {"value": true}.
type BoolValue struct{ Value bool }

// TextValue is a text or enumeration reading. Body {"value": "NOT_CHARGING"}.
type TextValue struct{ Value string }

// AdditionalValues is a number with alternative estimates, as ranges are sent. Body
// {"value": 300, "unit": "km", "type": "DEFAULT", "additionalValues": [{"type":
// "IDEAL_CONDITIONS", "value": 320}]}.
type AdditionalValues struct {
	Value float64
	Unit  string
	// Type is the kind of the main value ("DEFAULT").
	Type string
	// Additional are the other estimates (IDEAL_CONDITIONS, ESTIMATED, RATED...).
	Additional []TypedValue
}

// TypedValue is one alternative estimate of an AdditionalValues.
type TypedValue struct {
	Type  string
	Value float64
	// Unit is the estimate's own unit when it names one, else the main value's.
	Unit string
}

// Location is a position. Body {"latitude": 37.77, "longitude": -122.42, "heading": 90,
// "direction": "E", "locationType": "CURRENT"}.
type Location struct {
	Latitude, Longitude float64
	// Heading is valid when HasHeading is true.
	Heading    telematics.Heading
	HasHeading bool
	// Direction is the compass point (N, NE, E, SE, S, SW, W, NW), when sent.
	Direction string
	// LocationType is CURRENT or LAST_PARKED, when sent.
	LocationType string
}

// ClosureState is the state of one door, trunk, hood, sunroof or flap. Body {"isOpen":
// false, "isLocked": true}. A nil field was not reported.
type ClosureState struct {
	IsOpen   *bool
	IsLocked *bool
}

// ClosureGrid is the state of several closures arranged in rows and columns (doors,
// windows). Body {"values": [{"row": 0, "column": 0, "isOpen": false, "isLocked": true},
// ...], "rowCount": 2, "columnCount": 2}.
type ClosureGrid struct {
	Closures    []Closure
	RowCount    int
	ColumnCount int
}

// Closure is one closure of a ClosureGrid: row 0 is the front, column 0 the left.
type Closure struct {
	Row, Column int
	ClosureState
}

// ChargeLimits are the configured charge limits. Body {"values": [{"type": "GLOBAL",
// "limit": 80}], "activeLimit": 80, "unit": "percent"}.
type ChargeLimits struct {
	Limits []ChargeLimit
	// ActiveLimit is the limit applied now; nil when the vehicle is not plugged in or
	// Smartcar cannot tell.
	ActiveLimit *telematics.Percent
	Unit        string
}

// Global returns the limit of type GLOBAL, if there is one.
func (c ChargeLimits) Global() (telematics.Percent, bool) {
	for _, l := range c.Limits {
		if strings.EqualFold(l.Type, "GLOBAL") {
			return l.Limit, true
		}
	}
	return 0, false
}

// ChargeLimit is one configured limit: GLOBAL, or for a LOCATION or CONNECTOR.
type ChargeLimit struct {
	Type  string
	Limit telematics.Percent
	// Condition says where a LOCATION or CONNECTOR limit applies; nil for GLOBAL.
	Condition *ChargeLimitCondition
}

// ChargeLimitCondition is the place or connector a charge limit applies to.
type ChargeLimitCondition struct {
	Name          string
	Address       string
	Latitude      *float64
	Longitude     *float64
	ConnectorType string
}

// NominalCapacity is the traction battery's capacity. Body {"source": "SMARTCAR",
// "capacity": 75, "availableCapacities": [{"capacity": 75, "description": "Long
// Range"}], "unit": "kWh"}.
type NominalCapacity struct {
	// Source is SMARTCAR or USER_SELECTED.
	Source string
	// Capacity is nil when not known.
	Capacity *float64
	Unit     string
	// Available lists the capacities the model comes with, for the owner to choose.
	Available []CapacityOption
}

// CapacityOption is one battery capacity a model comes with.
type CapacityOption struct {
	Capacity    float64
	Description string
}

// ValueList is a body with a list of values the package has no type for (charge
// records, timers, trouble codes...). Each entry is kept as received.
type ValueList struct {
	Values []json.RawMessage
	Unit   string
}

// RawValue is a body of a shape the package does not know; Signal.Body holds it too.
type RawValue struct{ JSON json.RawMessage }

func (UnitValue) isValue()        {}
func (BoolValue) isValue()        {}
func (TextValue) isValue()        {}
func (AdditionalValues) isValue() {}
func (Location) isValue()         {}
func (ClosureState) isValue()     {}
func (ClosureGrid) isValue()      {}
func (ChargeLimits) isValue()     {}
func (NominalCapacity) isValue()  {}
func (ValueList) isValue()        {}
func (RawValue) isValue()         {}

// String formats the number with its unit: "72 percent".
func (v UnitValue) String() string { return withUnit(v.Value, v.Unit) }

// String formats the value: "true".
func (v BoolValue) String() string { return strconv.FormatBool(v.Value) }

// String returns the text.
func (v TextValue) String() string { return v.Value }

// String formats the main value and the alternatives: "300 km; IDEAL_CONDITIONS 320 km".
func (v AdditionalValues) String() string {
	s := withUnit(v.Value, v.Unit)
	for _, a := range v.Additional {
		s += "; " + a.Type + " " + withUnit(a.Value, a.Unit)
	}
	return s
}

// String formats the coordinates, heading and type.
func (v Location) String() string {
	s := strconv.FormatFloat(v.Latitude, 'f', 5, 64) + ", " + strconv.FormatFloat(v.Longitude, 'f', 5, 64)
	if v.HasHeading {
		s += " heading " + v.Heading.String()
	}
	if v.LocationType != "" {
		s += " (" + v.LocationType + ")"
	}
	return s
}

// String formats the state: "closed, locked".
func (v ClosureState) String() string {
	var parts []string
	if v.IsOpen != nil {
		parts = append(parts, map[bool]string{true: "open", false: "closed"}[*v.IsOpen])
	}
	if v.IsLocked != nil {
		parts = append(parts, map[bool]string{true: "locked", false: "unlocked"}[*v.IsLocked])
	}
	if len(parts) == 0 {
		return "unknown"
	}
	return strings.Join(parts, ", ")
}

// String formats a count: "4: 0 open, 4 locked".
func (v ClosureGrid) String() string {
	open, locked, lockable := 0, 0, false
	for _, c := range v.Closures {
		if c.IsOpen != nil && *c.IsOpen {
			open++
		}
		if c.IsLocked != nil {
			lockable = true
			if *c.IsLocked {
				locked++
			}
		}
	}
	s := fmt.Sprintf("%d: %d open", len(v.Closures), open)
	if lockable {
		s += fmt.Sprintf(", %d locked", locked)
	}
	return s
}

// String formats the active and configured limits.
func (v ChargeLimits) String() string {
	var parts []string
	if v.ActiveLimit != nil {
		parts = append(parts, "active "+withUnit(float64(*v.ActiveLimit), v.Unit))
	}
	for _, l := range v.Limits {
		parts = append(parts, l.Type+" "+withUnit(float64(l.Limit), v.Unit))
	}
	return strings.Join(parts, "; ")
}

// String formats the capacity and its source: "75 kWh (SMARTCAR)".
func (v NominalCapacity) String() string {
	s := "unknown"
	if v.Capacity != nil {
		s = withUnit(*v.Capacity, v.Unit)
	}
	if v.Source != "" {
		s += " (" + v.Source + ")"
	}
	return s
}

// String formats the number of values.
func (v ValueList) String() string { return strconv.Itoa(len(v.Values)) + " values" }

// String returns the body, cut at 80 bytes.
func (v RawValue) String() string { return textutil.Clip(string(v.JSON), 80) }

func withUnit(f float64, unit string) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if unit != "" {
		s += " " + unit
	}
	return s
}

// telematicsValue converts a typed value to the provider-neutral one. Numbers, booleans
// and text keep their kind; the main value of an AdditionalValues is its number;
// structured values are KindObject with the body in Raw.
func telematicsValue(v Value, body json.RawMessage) telematics.SignalValue {
	out := telematics.SignalValue{Raw: body}
	switch t := v.(type) {
	case nil:
		out.Kind = telematics.KindNone
	case UnitValue:
		out.Kind, out.Number, out.Unit = telematics.KindNumber, t.Value, t.Unit
	case AdditionalValues:
		out.Kind, out.Number, out.Unit = telematics.KindNumber, t.Value, t.Unit
	case BoolValue:
		out.Kind, out.Bool = telematics.KindBool, t.Value
	case TextValue:
		out.Kind, out.Text = telematics.KindString, t.Value
	default:
		out.Kind = telematics.KindObject
	}
	return out
}
