package mycartracks

import (
	"encoding/json"
	"reflect"
	"strings"
)

// Endpoint describes one API operation the client relies on: its method, path, the query
// parameters it sends and the response fields it reads. Endpoints lists them for tools
// that compare the client with the provider's OpenAPI document (go run
// ./cmd/fleetkit drift --openapi openapi.json).
type Endpoint struct {
	// Operation is the SDK method ("Tracks.List").
	Operation string
	Method    string
	// Path is relative to the base URL; {name} marks an identifier.
	Path string
	// Query lists the query parameters the client may send.
	Query []Name
	// List reports a list response, {"data":[item...]}; Envelope then lists the
	// top-level fields read besides the items (data, and total when the list takes
	// includeTotal).
	List     bool
	Envelope []Name
	// Fields are the fields of one item (one object for single resources) the client
	// reads; nested fields are dotted ("center.latitude", "points[].latitude").
	Fields []Name
	// Write reports a call that needs the write scope.
	Write bool
	// Evidence is EvidenceDoc, EvidenceV2 or EvidenceAssumed for the path; Notes says
	// what the mark does not cover.
	Evidence string
	Notes    string
}

// Name is a name the client relies on, with the other names it also accepts for it.
type Name struct {
	Name    string
	Aliases []string
}

// Endpoints returns the endpoints the client calls, derived from its endpoint table and
// the JSON tags of the types it decodes responses into.
func Endpoints() []Endpoint {
	out := make([]Endpoint, 0, len(endpoints))
	for id := range endpoints {
		e := &endpoints[id]
		ep := Endpoint{
			Operation: e.name,
			Method:    e.method,
			Path:      e.path,
			List:      e.list,
			Write:     e.write,
			Evidence:  e.evidence,
			Notes:     e.notes,
		}
		for _, p := range e.query {
			ep.Query = append(ep.Query, Name{Name: p.name, Aliases: append([]string(nil), p.aliases...)})
		}
		switch {
		case endpointID(id) == epTrackpointsList:
			ep.Fields = trackpointNames()
		case e.item != nil:
			ep.Fields = fieldNames(e.item, "")
		}
		if e.list {
			ep.Envelope = []Name{{Name: "data"}}
			if e.total {
				ep.Envelope = append(ep.Envelope, fieldNames(reflect.TypeOf(wireList[json.RawMessage]{}), "")[1:]...)
			}
		}
		out = append(out, ep)
	}
	return out
}

func trackpointNames() []Name {
	var names []Name
	seen := map[tpField]int{}
	for _, k := range trackpointKeys {
		if i, ok := seen[k.field]; ok {
			names[i].Aliases = append(names[i].Aliases, k.name)
			continue
		}
		seen[k.field] = len(names)
		names = append(names, Name{Name: k.name})
	}
	return names
}

var unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

// fieldNames lists the JSON names of a decoding type: json tags name fields, an
// alias:"name" tag marks a field as another name of the field "name". Struct fields
// without their own decoder are walked with a dotted prefix.
func fieldNames(t reflect.Type, prefix string) []Name {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []Name
	index := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if canonical := f.Tag.Get("alias"); canonical != "" {
			if j, ok := index[prefix+canonical]; ok {
				names[j].Aliases = append(names[j].Aliases, prefix+tag)
			}
			continue
		}
		index[prefix+tag] = len(names)
		names = append(names, Name{Name: prefix + tag})
		if sub, sep := nested(f.Type); sub != nil {
			names = append(names, fieldNames(sub, prefix+tag+sep)...)
		}
	}
	return names
}

// nested returns the struct type a field holds when its fields are decoded one by one
// (not by its own UnmarshalJSON), and the separator of its names.
func nested(t reflect.Type) (reflect.Type, string) {
	sep := "."
	for {
		switch t.Kind() {
		case reflect.Pointer:
			t = t.Elem()
			continue
		case reflect.Slice:
			t, sep = t.Elem(), "[]."
			continue
		}
		break
	}
	if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil, ""
	}
	return t, sep
}
