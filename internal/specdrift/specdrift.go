// Package specdrift compares what an API client relies on (paths, methods, query
// parameters, response fields) with an OpenAPI 3 document, and reports what the document
// lacks or names differently, with the nearest name it has.
//
// It is provider-neutral: a program gives it a provider's requirement list (for
// MyCarTracks, converted from mycartracks.Endpoints) and a document. The loader follows
// local $refs (components/schemas, parameters, responses), merges allOf, oneOf and anyOf,
// descends into arrays and {"data": ...} envelopes, and matches path templates whatever
// their parameters are named.
package specdrift

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
)

// Requirement is one operation a client calls.
type Requirement struct {
	// Operation names the client method ("Tracks.List").
	Operation string
	Method    string
	// Path is relative to the client's base path; {name} marks a parameter.
	Path  string
	Query []Name
	// List reports that the response is an object whose Envelope fields include "data",
	// an array of items; otherwise the response is one item, possibly inside {"data":...}.
	List     bool
	Envelope []Name
	// Fields are the item's fields; nested ones are dotted ("center.latitude",
	// "points[].latitude").
	Fields []Name
}

// Name is a name the client relies on and the other names it accepts for it.
type Name struct {
	Name    string
	Aliases []string
}

// Kind is what a finding is about.
type Kind string

// Kinds of findings.
const (
	KindPath     Kind = "path"
	KindMethod   Kind = "method"
	KindQuery    Kind = "query parameter"
	KindEnvelope Kind = "envelope"
	KindField    Kind = "response field"
	// KindUnchecked is a note, not drift: the document does not describe what the
	// client reads, so it could not be compared.
	KindUnchecked Kind = "unchecked"
)

// Finding is one difference between a requirement and the document.
type Finding struct {
	Kind      Kind
	Operation string
	Method    string
	Path      string
	// Name is the parameter or field concerned ("" for paths and methods).
	Name string
	// Suggestion is the document's nearest name, when it has one; Reason says why it is
	// suggested.
	Suggestion string
	Reason     string
	// Detail says what is wrong in words.
	Detail string
}

// Drift reports whether the finding is drift (every kind except KindUnchecked).
func (f Finding) Drift() bool { return f.Kind != KindUnchecked }

func (f Finding) String() string {
	var b strings.Builder
	if f.Drift() {
		b.WriteString("DRIFT ")
	} else {
		b.WriteString("NOTE  ")
	}
	fmt.Fprintf(&b, "%s %s %s: %s", f.Operation, f.Method, f.Path, f.Kind)
	if f.Name != "" {
		fmt.Fprintf(&b, " %q", f.Name)
	}
	b.WriteString(": ")
	b.WriteString(f.Detail)
	if f.Suggestion != "" {
		fmt.Fprintf(&b, "; the document has %q (%s)", f.Suggestion, f.Reason)
	}
	return b.String()
}

// Document is a loaded OpenAPI 3 document.
type Document struct {
	root  map[string]any
	paths map[string]map[string]any
	// base is the path of the first server URL ("" when none or unparsable).
	base string
}

// Load reads an OpenAPI 3 document in JSON.
func Load(r io.Reader) (*Document, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse decodes an OpenAPI 3 document in JSON.
func Parse(data []byte) (*Document, error) {
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("specdrift: not a JSON object: %w", err)
	}
	version, _ := root["openapi"].(string)
	if !strings.HasPrefix(version, "3.") {
		if _, ok := root["swagger"]; ok {
			return nil, errors.New("specdrift: a Swagger 2 document; convert it to OpenAPI 3 first")
		}
		return nil, errors.New(`specdrift: not an OpenAPI 3 document (no "openapi": "3.x")`)
	}
	d := &Document{root: root, paths: map[string]map[string]any{}}
	paths, _ := root["paths"].(map[string]any)
	for p, item := range paths {
		if m, ok := d.resolve(item).(map[string]any); ok {
			d.paths[p] = m
		}
	}
	if servers, ok := root["servers"].([]any); ok && len(servers) > 0 {
		if s, ok := servers[0].(map[string]any); ok {
			if raw, ok := s["url"].(string); ok {
				if u, err := url.Parse(raw); err == nil {
					d.base = strings.TrimSuffix(u.Path, "/")
				}
			}
		}
	}
	return d, nil
}

// Check compares reqs with the document. basePath is the path of the client's base URL
// ("/services/rest/v3"): requirement paths are relative to it, document paths to the
// path of the document's first server URL.
func (d *Document) Check(reqs []Requirement, basePath string) []Finding {
	var out []Finding
	for _, r := range reqs {
		out = append(out, d.check(r, strings.TrimSuffix(basePath, "/"))...)
	}
	return out
}

func (d *Document) check(r Requirement, basePath string) []Finding {
	finding := func(k Kind, name, detail string) Finding {
		return Finding{Kind: k, Operation: r.Operation, Method: r.Method, Path: r.Path, Name: name, Detail: detail}
	}
	docPath, item := d.findPath(basePath + r.Path)
	if item == nil {
		f := finding(KindPath, "", "missing from the document")
		f.Suggestion, f.Reason = d.nearPath(basePath + r.Path)
		return []Finding{f}
	}
	op, _ := d.resolve(item[strings.ToLower(r.Method)]).(map[string]any)
	if op == nil {
		f := finding(KindMethod, "", fmt.Sprintf("the document's path %s has no %s operation", docPath, r.Method))
		var have []string
		for m := range item {
			if httpMethods[m] {
				have = append(have, strings.ToUpper(m))
			}
		}
		sort.Strings(have)
		if len(have) > 0 {
			f.Detail += " (it has " + strings.Join(have, ", ") + ")"
		}
		return []Finding{f}
	}
	var out []Finding

	params := d.queryParams(item, op)
	for _, q := range r.Query {
		if params[q.Name] {
			continue
		}
		f := finding(KindQuery, q.Name, "missing from the operation")
		f.Suggestion, f.Reason = suggest(q, keys(params))
		out = append(out, f)
	}

	if len(r.Fields) == 0 && len(r.Envelope) == 0 {
		return out
	}
	schema := d.responseSchema(op)
	if schema == nil {
		return append(out, finding(KindUnchecked, "", "the document describes no JSON response"))
	}
	itemSchema := schema
	if r.List {
		if _, isArray := d.arrayItems(schema); isArray {
			out = append(out, finding(KindEnvelope, "data", `the document answers a bare array; the client expects {"data":[...]}`))
			itemSchema, _ = d.arrayItems(schema)
		} else {
			props, described := d.properties(schema)
			if !described {
				return append(out, finding(KindUnchecked, "", "the document does not describe the response's fields"))
			}
			for _, e := range r.Envelope {
				if _, ok := props[e.Name]; ok {
					continue
				}
				f := finding(KindEnvelope, e.Name, "missing from the response object")
				f.Suggestion, f.Reason = suggest(e, keys(props))
				out = append(out, f)
			}
			data, ok := props["data"]
			if !ok {
				return out
			}
			itemSchema, ok = d.arrayItems(data)
			if !ok {
				return append(out, finding(KindEnvelope, "data", "the document's data is not an array"))
			}
		}
	} else if props, ok := d.properties(schema); ok {
		if data, has := props["data"]; has && !hasAnyField(props, r.Fields) {
			itemSchema = data
		}
	}
	if len(r.Fields) == 0 {
		return out
	}
	return append(out, d.checkFields(r, itemSchema, finding)...)
}

func (d *Document) checkFields(r Requirement, schema any, finding func(Kind, string, string) Finding) []Finding {
	var out []Finding
	if _, described := d.properties(schema); !described {
		return []Finding{finding(KindUnchecked, "", "the document does not describe the items' fields")}
	}
	missing := map[string]bool{}
	for _, f := range r.Fields {
		parent, leaf := splitField(f.Name)
		if parent != "" && missing[parent] {
			missing[f.Name] = true
			continue
		}
		container := d.walk(schema, parent)
		props, described := d.properties(container)
		if !described {
			continue // the parent's shape is not described; reported there if needed
		}
		if _, ok := props[leaf]; ok {
			continue
		}
		missing[f.Name] = true
		fi := finding(KindField, f.Name, "missing from the response schema")
		aliases := make([]string, 0, len(f.Aliases))
		for _, a := range f.Aliases {
			_, l := splitField(a)
			aliases = append(aliases, l)
		}
		fi.Suggestion, fi.Reason = suggest(Name{Name: leaf, Aliases: aliases}, keys(props))
		out = append(out, fi)
	}
	return out
}

// splitField splits "points[].latitude" into "points[]" and "latitude".
func splitField(name string) (parent, leaf string) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", name
	}
	return name[:i], name[i+1:]
}

// walk follows a dotted field path ("center", "points[]") from schema.
func (d *Document) walk(schema any, path string) any {
	if path == "" {
		return schema
	}
	for _, seg := range strings.Split(path, ".") {
		array := strings.HasSuffix(seg, "[]")
		props, _ := d.properties(schema)
		schema = props[strings.TrimSuffix(seg, "[]")]
		if array {
			schema, _ = d.arrayItems(schema)
		}
	}
	return schema
}

func hasAnyField(props map[string]any, fields []Name) bool {
	for _, f := range fields {
		if _, ok := props[f.Name]; ok {
			return true
		}
	}
	return false
}
