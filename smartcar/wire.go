package smartcar

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// timestamp decodes a time leniently through telematics.ParseTime (epoch milliseconds,
// RFC 3339 text; 0, "" and null are the zero time). A value that is not a time is
// dropped rather than failing the whole response.
type timestamp struct{ time.Time }

func (t *timestamp) UnmarshalJSON(b []byte) error {
	var v time.Time
	var err error
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b[1:n-1], '\\') < 0 {
		// A plain quoted time needs no JSON unquoting.
		v, err = telematics.ParseTimeString(string(b[1:n-1]), telematics.EpochMillis)
	} else {
		v, err = telematics.ParseTime(b, telematics.EpochMillis)
	}
	if err == nil {
		t.Time = v
	}
	return nil
}

// keepRaw copies b for a model's Raw field.
func keepRaw(b []byte) json.RawMessage { return append(json.RawMessage(nil), b...) }

// flexInt decodes a number or a string holding one; anything else is 0.
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if v, err := strconv.Atoi(s); err == nil {
		*n = flexInt(v)
	}
	return nil
}

// Wire types: each resource model T has a wire type wireT (wireVehicle, wireConnection...)
// holding the JSON:API resource as Smartcar sends it, in its names and units; tFromWire
// converts it to the model, keeping a copy of the JSON as Raw, and the model's
// MarshalJSON writes the resource back in that form, so that json.Marshal then
// json.Unmarshal gives the same value (Raw aside). Documents and their parts follow the
// same naming (wireList, wireOne, wireLinks), as in package mycartracks.

// unmarshalModel is the UnmarshalJSON of every resource model: it decodes one JSON:API
// resource into its wire type W and converts it with conv, which gets a copy of the JSON
// as Raw.
func unmarshalModel[W, T any](b []byte, dst *T, conv func(*W, json.RawMessage) T) error {
	var w W
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*dst = conv(&w, keepRaw(b))
	return nil
}

// decoded is the convert of listPage, iterate and getOne for a model that decodes
// itself (its UnmarshalJSON keeps Raw).
func decoded[T any](v *T) T { return *v }

// The types below are what the models' MarshalJSON write: the parts of a resource that
// the wire types decode but cannot encode (links, relationships, times).

// outLinks are a resource's or a relationship's links.
type outLinks struct {
	Self    string `json:"self,omitempty"`
	Related string `json:"related,omitempty"`
}

// selfLinks returns the links of a resource whose own link is self; nil for none.
func selfLinks(self string) *outLinks {
	if self == "" {
		return nil
	}
	return &outLinks{Self: self}
}

// outRelationship is {"data": {"id", "type"}, "links": {"related"}}.
type outRelationship struct {
	Data *struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"data,omitempty"`
	Links *outLinks `json:"links,omitempty"`
}

// relationship returns the relationship to the resource of type typ with id, or nil
// when it has neither an id nor a related link.
func relationship(typ, id, related string) *outRelationship {
	if id == "" && related == "" {
		return nil
	}
	r := &outRelationship{}
	if id != "" {
		r.Data = &struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}{id, typ}
	}
	if related != "" {
		r.Links = &outLinks{Related: related}
	}
	return r
}

// outTime returns t for a meta time (RFC 3339 in UTC), or nil for the zero time.
func outTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// outError is an error object as Smartcar sends it, which wireError reads back.
type outError struct {
	Status      int       `json:"status,omitempty"`
	Type        ErrorType `json:"type,omitempty"`
	Code        ErrorCode `json:"code,omitempty"`
	Title       string    `json:"title,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	Description string    `json:"description,omitempty"`
	Resolution  *struct {
		Type ResolutionType `json:"type,omitempty"`
		URL  string         `json:"url,omitempty"`
	} `json:"resolution,omitempty"`
	SuggestedUserMessage string `json:"suggestedUserMessage,omitempty"`
	DocURL               string `json:"docURL,omitempty"`
}

// errorOut returns the error object of d, or nil.
func errorOut(d *ErrorDetail) *outError {
	if d == nil {
		return nil
	}
	o := &outError{Status: d.Status, Type: d.Type, Code: d.Code, Title: d.Title, Detail: d.Detail, Description: d.Description,
		SuggestedUserMessage: d.SuggestedUserMessage, DocURL: d.DocURL}
	if d.Resolution != "" || d.ResolutionURL != "" {
		o.Resolution = &struct {
			Type ResolutionType `json:"type,omitempty"`
			URL  string         `json:"url,omitempty"`
		}{d.Resolution, d.ResolutionURL}
	}
	return o
}
