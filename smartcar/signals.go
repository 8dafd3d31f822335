package smartcar

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// SignalsService reads the standardized signals of a vehicle. Every call needs the
// vehicle owner's WithUserID.
type SignalsService service

// Signal is one reading of a vehicle: a state of charge, a lock state, a location.
//
// A reading can fail on its own while the call that fetched it succeeded: Status is then
// ERROR or UNAVAILABLE and Error says why. Smartcar may still send the last known body
// with an error; it is kept in Value and Body, so check OK before trusting it.
type Signal struct {
	Code SignalCode
	// Name and Group are as Smartcar sent them ("StateOfCharge", "TractionBattery").
	Name  string
	Group SignalGroup
	// VehicleID is the vehicle the signal was read from, when known.
	VehicleID string
	Status    telematics.SignalStatus
	// Error is why the reading failed (type, code, detail, resolution); nil on success.
	Error *ErrorDetail
	// Value is the typed body (see Value); nil when no body was sent.
	Value Value
	// Body is the body as received.
	Body json.RawMessage
	// OEMUpdatedAt is when the vehicle maker last updated the value and RetrievedAt when
	// Smartcar retrieved it (both documented). IngestedAt and FetchedAt are kept as sent
	// but Smartcar does not document them: ingestedAt appears in real v3 responses ([R]
	// in docs/evidence.md), fetchedAt is the name of the v2 SC-Fetched-At header; that they
	// mean when Smartcar stored and served the value is our reading of the names ([I]).
	// Each is zero when not sent or 0.
	OEMUpdatedAt time.Time
	RetrievedAt  time.Time
	IngestedAt   time.Time
	FetchedAt    time.Time
	// SelfURL is the signal's own link, when sent.
	SelfURL string
}

// OK reports whether the reading succeeded.
func (s *Signal) OK() bool { return s.Status == telematics.SignalStatusSuccess }

// NeedsPermission reports whether the reading failed because the vehicle owner did not
// grant the permission it needs (error type PERMISSION): ask them to reconnect.
func (s *Signal) NeedsPermission() bool {
	return s.Error != nil && s.Error.Type == ErrorTypePermission
}

// Number returns a numeric value (a UnitValue, or the main value of an
// AdditionalValues) with its unit.
func (s *Signal) Number() (float64, string, bool) {
	switch v := s.Value.(type) {
	case UnitValue:
		return v.Value, v.Unit, true
	case AdditionalValues:
		return v.Value, v.Unit, true
	}
	return 0, "", false
}

// Bool returns a yes/no value.
func (s *Signal) Bool() (bool, bool) {
	v, ok := s.Value.(BoolValue)
	return v.Value, ok
}

// Text returns a text value.
func (s *Signal) Text() (string, bool) {
	v, ok := s.Value.(TextValue)
	return v.Value, ok
}

// Time returns the best time of the reading: when the vehicle maker updated it, else
// when Smartcar retrieved it.
func (s *Signal) Time() time.Time {
	if !s.OEMUpdatedAt.IsZero() {
		return s.OEMUpdatedAt
	}
	return s.RetrievedAt
}

// Position converts a location (location-preciselocation) to a telematics.Position,
// timed by Time. ok is false when the signal holds no location; a stale location may
// come with an ERROR status, so check OK as well.
func (s *Signal) Position() (telematics.Position, bool) {
	loc, ok := s.Value.(Location)
	if !ok {
		return telematics.Position{}, false
	}
	p := telematics.Position{
		VehicleID: s.VehicleID,
		Provider:  Provider,
		Latitude:  loc.Latitude,
		Longitude: loc.Longitude,
		Time:      s.Time(),
	}
	if loc.HasHeading {
		p.Heading = loc.Heading
		p.Known |= telematics.HasHeading
	}
	return p, true
}

// Telematics converts the signal to the provider-neutral type.
func (s Signal) Telematics() telematics.Signal {
	out := telematics.Signal{
		Code:         string(s.Code),
		Name:         s.Name,
		Group:        string(s.Group),
		VehicleID:    s.VehicleID,
		Provider:     Provider,
		Value:        telematicsValue(s.Value, s.Body),
		Status:       s.Status,
		OEMUpdatedAt: s.OEMUpdatedAt,
		RetrievedAt:  s.RetrievedAt,
	}
	if d := s.Error; d != nil {
		out.Error = &telematics.SignalError{Type: string(d.Type), Code: string(d.Code), Message: d.Message(), Resolution: string(d.Resolution)}
	}
	return out
}

// SignalSet is every signal read from a vehicle in one call.
type SignalSet struct {
	VehicleID string
	Signals   []Signal
	// Vehicle holds the vehicle's attributes when Smartcar included them.
	Vehicle *Vehicle
}

// Get returns the signal with the code, if the set has it.
func (s *SignalSet) Get(code SignalCode) (*Signal, bool) {
	for i := range s.Signals {
		if s.Signals[i].Code == code {
			return &s.Signals[i], true
		}
	}
	return nil, false
}

// Telematics converts every signal to the provider-neutral type.
func (s SignalSet) Telematics() []telematics.Signal {
	out := make([]telematics.Signal, len(s.Signals))
	for i := range s.Signals {
		out[i] = s.Signals[i].Telematics()
	}
	return out
}

// MaxSignalPages bounds how many pages Signals.List fetches. Smartcar has been seen to
// answer with one page of every signal ([R] in docs/evidence.md); a vehicle whose list goes on for more pages than
// this fails with telematics.ErrMalformedResponse rather than costing requests without
// end (each counts against the vehicle's monthly allowance).
const MaxSignalPages = 20

// List returns every signal the application can read from the vehicle, following page
// links if Smartcar pages the answer (at most MaxSignalPages pages). Signals the vehicle
// cannot provide come back with an ERROR or UNAVAILABLE status, not as an error of the
// call.
func (s *SignalsService) List(ctx context.Context, vehicleID string, opts ...RequestOption) (*SignalSet, error) {
	path, err := httpcore.Path(pathSignals, vehicleID)
	if err != nil {
		return nil, invalid(err)
	}
	set := &SignalSet{VehicleID: vehicleID}
	err = s.c.walk(ctx, call{api: s.c.vehicleAPI, method: http.MethodGet, path: path, needUser: true}, MaxSignalPages, opts, func(raw []byte) (pageInfo, bool, error) {
		sigs, l, err := decodeSignalList(raw)
		if err != nil {
			return pageInfo{}, false, err
		}
		for i := range sigs {
			sigs[i].VehicleID = vehicleID
		}
		set.Signals = append(set.Signals, sigs...)
		if set.Vehicle == nil {
			set.Vehicle = includedVehicle(l.Included)
		}
		return listInfo(len(sigs), &l.Meta, &l.Links), true, nil
	})
	if err != nil {
		return nil, err
	}
	return set, nil
}

// includedVehicle finds the vehicle in a JSON:API "included" member: an object keyed by
// type ({"vehicle": {...}}) or an array of resources.
func includedVehicle(raw json.RawMessage) *Vehicle {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	var candidates []json.RawMessage
	switch raw[0] {
	case '{':
		var o struct {
			Vehicle json.RawMessage `json:"vehicle"`
		}
		if json.Unmarshal(raw, &o) != nil || !present(o.Vehicle) {
			return nil
		}
		candidates = append(candidates, o.Vehicle)
	case '[':
		if json.Unmarshal(raw, &candidates) != nil {
			return nil
		}
	}
	wires := make([]wireVehicle, len(candidates))
	for i, c := range candidates {
		if json.Unmarshal(c, &wires[i]) != nil {
			return nil
		}
	}
	for i := range wires {
		if w := &wires[i]; w.Type == "" || w.Type == "vehicle" {
			v := vehicleFromWire(w, keepRaw(candidates[i]))
			return &v
		}
	}
	return nil
}

// Get reads one signal of the vehicle. Smartcar sends the signal either wrapped in a
// JSON:API document ({"data": {...}}) or bare; both are accepted.
func (s *SignalsService) Get(ctx context.Context, vehicleID string, code SignalCode, opts ...RequestOption) (*Signal, error) {
	path, err := httpcore.Path(pathSignal, vehicleID, string(code))
	if err != nil {
		return nil, invalid(err)
	}
	var raw []byte
	resp, err := s.c.do(ctx, call{api: s.c.vehicleAPI, method: http.MethodGet, path: path, needUser: true}, &raw, opts)
	if err != nil {
		return nil, err
	}
	sig, err := decodeOneSignal(raw)
	if err != nil {
		return nil, malformedAt(resp, err)
	}
	if sig.Code == "" {
		sig.Code = code
	}
	sig.VehicleID = vehicleID
	return sig, nil
}

// decodeOneSignal decodes the answer of Signals.Get: a {"data": signal} document or a
// bare signal. A body that holds no signal (no data, an error document, an empty
// object) is a malformed response, not an empty signal.
func decodeOneSignal(raw []byte) (*Signal, error) {
	var doc struct {
		Data   json.RawMessage `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, malformed("signal: %v", err)
	}
	body := raw
	switch {
	case present(doc.Data):
		body = doc.Data
	case sent(doc.Data):
		return nil, malformed("signal response has null data")
	case sent(doc.Errors):
		return nil, malformed("signal response with a success status holds errors: %s", clean(string(doc.Errors)))
	}
	var members struct {
		ID         json.RawMessage `json:"id"`
		Code       json.RawMessage `json:"code"`
		Attributes json.RawMessage `json:"attributes"`
		Status     json.RawMessage `json:"status"`
		Body       json.RawMessage `json:"body"`
	}
	if json.Unmarshal(body, &members) != nil || !(present(members.ID) || present(members.Code) || present(members.Attributes) || present(members.Status) || present(members.Body)) {
		return nil, malformed("signal response holds no signal: %s", clean(string(body)))
	}
	var sig Signal
	if err := json.Unmarshal(body, &sig); err != nil {
		return nil, malformed("signal: %v", err)
	}
	return &sig, nil
}

// String formats the signal for logs: "closure-islocked SUCCESS true", with the error's
// type and code when the reading failed: "charge-chargerate ERROR 30 km/h
// (VEHICLE_STATE:NOT_CHARGING)". Like MarshalJSON it has a value receiver, so that
// fmt.Println(set.Signals[i]) uses it.
func (s Signal) String() string {
	str := fmt.Sprintf("%s %s", s.Code, s.Status)
	if s.Value != nil {
		str += " " + s.Value.String()
	}
	if d := s.Error; d != nil {
		str += " (" + kind(d.Type, d.Code) + ")"
	}
	return str
}
