package smartcar

import (
	"bytes"
	"cmp"
	"encoding/json"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

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
// back; VehicleID, which the form does not carry, is not encoded.
func (s Signal) MarshalJSON() ([]byte, error) {
	type status struct {
		Value string    `json:"value"`
		Error *outError `json:"error,omitempty"`
	}
	out := struct {
		Code   SignalCode        `json:"code"`
		Name   string            `json:"name,omitempty"`
		Group  SignalGroup       `json:"group,omitempty"`
		Body   json.RawMessage   `json:"body,omitempty"`
		Status status            `json:"status"`
		Meta   map[string]string `json:"meta,omitempty"`
		Links  *outLinks         `json:"links,omitempty"`
	}{Code: s.Code, Name: s.Name, Group: s.Group, Body: s.Body, Status: status{Value: string(s.Status)}, Links: selfLinks(s.SelfURL)}
	out.Status.Error = errorOut(s.Error)
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
