package smartcar

import (
	"bytes"
	"cmp"
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
	// in the reference), fetchedAt is the name of the v2 SC-Fetched-At header; that they
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
func (s *Signal) Telematics() telematics.Signal {
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

// wireSignalFields are the fields of a signal that the JSON:API form nests in
// attributes and the webhook form sends at the top level.
type wireSignalFields struct {
	Code   string          `json:"code"`
	Name   string          `json:"name"`
	Group  string          `json:"group"`
	Status wireStatus      `json:"status"`
	Body   json.RawMessage `json:"body"`
}

type wireSignalMeta struct {
	RetrievedAt  timestamp `json:"retrievedAt"`
	OEMUpdatedAt timestamp `json:"oemUpdatedAt"`
	IngestedAt   timestamp `json:"ingestedAt"`
	FetchedAt    timestamp `json:"fetchedAt"`
}

type wireSignal struct {
	ID         string            `json:"id"`
	Attributes *wireSignalFields `json:"attributes"`
	wireSignalFields
	Meta  wireSignalMeta `json:"meta"`
	Links struct {
		Self link `json:"self"`
	} `json:"links"`
}

// wireStatus is {"value": "ERROR", "error": {...}}, or a bare status string.
type wireStatus struct {
	Value string
	Error *wireError
}

// A status of another shape is left empty rather than failing the signal.
func (w *wireStatus) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		_ = json.Unmarshal(b, &w.Value)
		return nil
	}
	var o struct {
		Value flexText   `json:"value"`
		Error *wireError `json:"error"`
	}
	if json.Unmarshal(b, &o) == nil {
		w.Value, w.Error = string(o.Value), o.Error
	}
	return nil
}

// UnmarshalJSON decodes a signal in the JSON:API form of the Vehicle API ({"id", "type",
// "attributes": {"code", "name", "group", "status", "body"}, "meta", "links"}) or in the
// flat form of webhook payloads ({"code", "name", "group", "status", "body", "meta"}).
//
// A signal object whose members have unexpected types is not an error: each such member
// is left empty and the others (status, body, times) are kept.
func (s *Signal) UnmarshalJSON(b []byte) error {
	var w wireSignal
	if err := json.Unmarshal(b, &w); err != nil {
		var ok bool
		if w, ok = lenientWireSignal(b); !ok {
			return err
		}
	}
	*s = w.signal()
	return nil
}

// lenientWireSignal decodes a signal object member by member, so that a member of an
// unexpected type loses only itself. ok is false when b is not a JSON object.
func lenientWireSignal(b []byte) (w wireSignal, ok bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil || top == nil {
		return w, false
	}
	decodeMembers(top, map[string]any{"id": &w.ID, "meta": &w.Meta, "links": &w.Links})
	w.wireSignalFields = lenientFields(top)
	var attrs map[string]json.RawMessage
	if raw, ok := top["attributes"]; ok && json.Unmarshal(raw, &attrs) == nil && attrs != nil {
		f := lenientFields(attrs)
		w.Attributes = &f
	}
	return w, true
}

func lenientFields(m map[string]json.RawMessage) wireSignalFields {
	var f wireSignalFields
	decodeMembers(m, map[string]any{"code": &f.Code, "name": &f.Name, "group": &f.Group, "status": &f.Status})
	if raw, ok := m["body"]; ok {
		f.Body = keepRaw(raw)
	}
	return f
}

// decodeMembers decodes each member of m that dst names into its target, ignoring the
// ones that do not fit.
func decodeMembers(m map[string]json.RawMessage, dst map[string]any) {
	for name, target := range dst {
		if raw, ok := m[name]; ok {
			_ = json.Unmarshal(raw, target)
		}
	}
}

// signal converts the decoded wire form.
func (w *wireSignal) signal() Signal {
	f := &w.wireSignalFields
	if w.Attributes != nil {
		f = w.Attributes
	}
	s := Signal{
		Code:         SignalCode(cmp.Or(f.Code, w.ID)),
		Name:         f.Name,
		Group:        SignalGroup(f.Group),
		Status:       telematics.SignalStatus(f.Status.Value),
		OEMUpdatedAt: w.Meta.OEMUpdatedAt.Time,
		RetrievedAt:  w.Meta.RetrievedAt.Time,
		IngestedAt:   w.Meta.IngestedAt.Time,
		FetchedAt:    w.Meta.FetchedAt.Time,
		SelfURL:      w.Links.Self.href,
	}
	if present(f.Body) {
		s.Body = f.Body
		s.Value = DecodeValue(f.Body)
	}
	if f.Status.Error != nil {
		d := f.Status.Error.detail()
		s.Error = &d
	}
	if s.Status == "" {
		switch {
		case s.Error != nil:
			s.Status = telematics.SignalStatusError
		case s.Body != nil:
			// Payloads older than webhook version 4.0 have no status.
			s.Status = telematics.SignalStatusSuccess
		}
	}
	return s
}

// MarshalJSON encodes the signal in the flat webhook form, which UnmarshalJSON reads
// back.
func (s Signal) MarshalJSON() ([]byte, error) {
	type wireErr struct {
		Type        ErrorType `json:"type,omitempty"`
		Code        ErrorCode `json:"code,omitempty"`
		Title       string    `json:"title,omitempty"`
		Detail      string    `json:"detail,omitempty"`
		Description string    `json:"description,omitempty"`
		Resolution  *struct {
			Type ResolutionType `json:"type"`
		} `json:"resolution,omitempty"`
	}
	type status struct {
		Value string   `json:"value"`
		Error *wireErr `json:"error,omitempty"`
	}
	out := struct {
		Code   SignalCode        `json:"code"`
		Name   string            `json:"name,omitempty"`
		Group  SignalGroup       `json:"group,omitempty"`
		Body   json.RawMessage   `json:"body,omitempty"`
		Status status            `json:"status"`
		Meta   map[string]string `json:"meta,omitempty"`
	}{Code: s.Code, Name: s.Name, Group: s.Group, Body: s.Body, Status: status{Value: string(s.Status)}}
	if d := s.Error; d != nil {
		we := &wireErr{Type: d.Type, Code: d.Code, Title: d.Title, Detail: d.Detail, Description: d.Description}
		if d.Resolution != "" {
			we.Resolution = &struct {
				Type ResolutionType `json:"type"`
			}{d.Resolution}
		}
		out.Status.Error = we
	}
	for name, t := range map[string]time.Time{"oemUpdatedAt": s.OEMUpdatedAt, "retrievedAt": s.RetrievedAt, "ingestedAt": s.IngestedAt, "fetchedAt": s.FetchedAt} {
		if !t.IsZero() {
			if out.Meta == nil {
				out.Meta = map[string]string{}
			}
			out.Meta[name] = t.UTC().Format(time.RFC3339Nano)
		}
	}
	return json.Marshal(out)
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
func (s *SignalSet) Telematics() []telematics.Signal {
	out := make([]telematics.Signal, len(s.Signals))
	for i := range s.Signals {
		out[i] = s.Signals[i].Telematics()
	}
	return out
}

type wireSignalList struct {
	Data     []wireSignal    `json:"data"`
	Meta     wireMeta        `json:"meta"`
	Links    wireLinks       `json:"links"`
	Included json.RawMessage `json:"included"`
	Errors   json.RawMessage `json:"errors"`
}

// lenientSignalList is wireSignalList with each signal decoded on its own, so that one
// malformed signal does not fail the others.
type lenientSignalList struct {
	Data     []Signal        `json:"data"`
	Meta     wireMeta        `json:"meta"`
	Links    wireLinks       `json:"links"`
	Included json.RawMessage `json:"included"`
	Errors   json.RawMessage `json:"errors"`
}

// decodeSignalList decodes a page of signals: in one pass when every signal is well
// formed, else signal by signal.
func decodeSignalList(raw []byte) ([]Signal, *lenientSignalList, error) {
	var fast wireSignalList
	if err := json.Unmarshal(raw, &fast); err == nil {
		if err := checkListErrors(len(fast.Data), fast.Errors); err != nil {
			return nil, nil, err
		}
		if fast.Data == nil {
			if err := checkListData(raw); err != nil {
				return nil, nil, err
			}
		}
		sigs := make([]Signal, len(fast.Data))
		for i := range fast.Data {
			sigs[i] = fast.Data[i].signal()
		}
		return sigs, &lenientSignalList{Meta: fast.Meta, Links: fast.Links, Included: fast.Included}, nil
	}
	var slow lenientSignalList
	if err := json.Unmarshal(raw, &slow); err != nil {
		return nil, nil, malformed("signal list: %v", err)
	}
	if err := checkListErrors(len(slow.Data), slow.Errors); err != nil {
		return nil, nil, err
	}
	if slow.Data == nil {
		if err := checkListData(raw); err != nil {
			return nil, nil, err
		}
	}
	return slow.Data, &slow, nil
}

// MaxSignalPages bounds how many pages Signals.List fetches. Smartcar has been seen to
// answer with one page of every signal ([R] in the reference); a vehicle whose list goes on for more pages than
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
	var candidates []wireVehicle
	switch raw[0] {
	case '{':
		var o struct {
			Vehicle *wireVehicle `json:"vehicle"`
		}
		if json.Unmarshal(raw, &o) != nil || o.Vehicle == nil {
			return nil
		}
		candidates = append(candidates, *o.Vehicle)
	case '[':
		if json.Unmarshal(raw, &candidates) != nil {
			return nil
		}
	}
	for i := range candidates {
		if w := &candidates[i]; w.Type == "" || w.Type == "vehicle" {
			v := w.vehicle()
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
