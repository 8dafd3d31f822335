package telematics

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Signal is one standardized reading of a connected vehicle: its state of charge, its
// odometer, whether it is locked, where it is.
//
// A reading can fail on its own while the call that fetched it succeeded: Status is then
// [SignalStatusError] or [SignalStatusUnavailable] and Error says why. A provider may still send the
// last known value alongside an error; it is kept in Value, so check Status before
// trusting it.
type Signal struct {
	// Code identifies the signal ("tractionbattery-stateofcharge").
	Code string
	// Name and Group are the display names ("StateOfCharge", "TractionBattery").
	Name  string
	Group string
	// VehicleID is the provider's identifier of the vehicle.
	VehicleID string
	// Provider names the source ("smartcar").
	Provider string
	Value    SignalValue
	Status   SignalStatus
	// Error is set when the provider reported a failure for this signal.
	Error *SignalError
	// OEMUpdatedAt is when the vehicle maker last updated the value; RetrievedAt when the
	// provider fetched it. Zero when unknown.
	OEMUpdatedAt time.Time
	RetrievedAt  time.Time
}

// OK reports whether the reading succeeded.
func (s Signal) OK() bool { return s.Status == SignalStatusSuccess }

// SignalStatus is the outcome of one reading.
type SignalStatus string

// The outcomes of a reading.
const (
	SignalStatusSuccess     SignalStatus = "SUCCESS"
	SignalStatusError       SignalStatus = "ERROR"
	SignalStatusUnavailable SignalStatus = "UNAVAILABLE"
)

// SignalError is why one reading failed.
type SignalError struct {
	// Type and Code classify the failure ("PERMISSION", "VEHICLE_STATE"/"ASLEEP").
	Type string
	Code string
	// Message is the provider's explanation.
	Message string
	// Resolution says what can fix it ("REAUTHENTICATE", "RETRY_LATER").
	Resolution string
}

// Error describes the failure for logs and messages; it never holds a secret.
func (e *SignalError) Error() string {
	var b strings.Builder
	b.WriteString("signal error")
	for _, part := range []string{e.Type, e.Code, e.Message} {
		if part != "" {
			b.WriteString(": ")
			b.WriteString(part)
		}
	}
	if e.Resolution != "" {
		b.WriteString(" (resolution: " + e.Resolution + ")")
	}
	return b.String()
}

// ValueKind says which field of a [SignalValue] holds the value.
type ValueKind uint8

// The kinds of signal values.
const (
	// KindNone: no value was sent.
	KindNone ValueKind = iota
	// KindNumber: Number holds it, in Unit.
	KindNumber
	// KindBool: Bool holds it.
	KindBool
	// KindString: Text holds it.
	KindString
	// KindObject: the value is structured (a location, a list of doors); Raw holds it and
	// the provider package offers a typed decoder.
	KindObject
)

// SignalValue is the value of a [Signal] with its unit.
type SignalValue struct {
	Kind   ValueKind
	Number float64
	// Unit is the unit as the provider spelled it ("percent", "km", "km/h", "kWh").
	Unit string
	Bool bool
	Text string
	// Raw is the value exactly as received.
	Raw json.RawMessage
}

// Percent returns a numeric value in a percent unit.
func (v SignalValue) Percent() (Percent, bool) {
	if v.Kind != KindNumber {
		return 0, false
	}
	switch strings.ToLower(v.Unit) {
	case "percent", "percentage", "%":
		return Percent(v.Number), true
	}
	return 0, false
}

// Distance returns a numeric value in a unit of length.
func (v SignalValue) Distance() (Distance, bool) {
	if v.Kind != KindNumber {
		return 0, false
	}
	switch strings.ToLower(v.Unit) {
	case "m", "meter", "meters", "metre", "metres":
		return Metres(v.Number), true
	case "km", "kilometer", "kilometers", "kilometre", "kilometres":
		return Kilometres(v.Number), true
	case "mi", "mile", "miles":
		return Miles(v.Number), true
	}
	return 0, false
}

// Speed returns a numeric value in a unit of speed.
func (v SignalValue) Speed() (Speed, bool) {
	if v.Kind != KindNumber {
		return 0, false
	}
	switch strings.ToLower(v.Unit) {
	case "m/s", "mps":
		return MetresPerSecond(v.Number), true
	case "km/h", "kph", "kmh", "kilometers per hour", "kilometres per hour":
		return KilometresPerHour(v.Number), true
	case "mph", "mi/h", "miles per hour":
		return MilesPerHour(v.Number), true
	case "kn", "knots":
		return Knots(v.Number), true
	}
	return 0, false
}

// String formats the value with its unit for display.
func (v SignalValue) String() string {
	switch v.Kind {
	case KindNumber:
		s := strconv.FormatFloat(v.Number, 'f', -1, 64)
		if v.Unit != "" {
			s += " " + v.Unit
		}
		return s
	case KindBool:
		return strconv.FormatBool(v.Bool)
	case KindString:
		return v.Text
	case KindObject:
		return string(v.Raw)
	}
	return ""
}
