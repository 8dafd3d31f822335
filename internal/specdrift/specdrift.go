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

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true, "trace": true}

// findPath returns the document path matching full (the client's base path plus its
// path), comparing templates segment by segment: a document parameter matches any
// segment, a client parameter only a document parameter.
func (d *Document) findPath(full string) (string, map[string]any) {
	want := segments(full)
	var names []string
	for p := range d.paths {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		for _, cand := range d.fullForms(p) {
			if matchSegments(segments(cand), want) {
				return p, d.paths[p]
			}
		}
	}
	return "", nil
}

// fullForms are the absolute paths a document path may stand for: under its server's
// path, and as given.
func (d *Document) fullForms(p string) []string {
	if d.base == "" {
		return []string{p}
	}
	return []string{d.base + p, p}
}

func segments(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

func matchSegments(doc, want []string) bool {
	if len(doc) != len(want) {
		return false
	}
	for i := range doc {
		switch {
		case isParam(doc[i]):
		case isParam(want[i]) || doc[i] != want[i]:
			return false
		}
	}
	return true
}

// nearPath suggests the document path nearest to full.
func (d *Document) nearPath(full string) (string, string) {
	want := normalizeTemplate(full)
	best, bestDist := "", -1
	for p := range d.paths {
		cand := normalizeTemplate(d.fullForms(p)[0])
		dist := levenshtein(strings.ToLower(cand), strings.ToLower(want))
		if strings.EqualFold(cand, want) {
			return p, "differs in case"
		}
		if bestDist < 0 || dist < bestDist || dist == bestDist && p < best {
			best, bestDist = p, dist
		}
	}
	if bestDist >= 0 && bestDist <= max(2, len(segments(want)[len(segments(want))-1])/3) {
		return best, edits(bestDist)
	}
	return "", ""
}

func edits(n int) string {
	if n == 1 {
		return "1 edit away"
	}
	return fmt.Sprintf("%d edits away", n)
}

func normalizeTemplate(p string) string {
	segs := segments(p)
	for i, s := range segs {
		if isParam(s) {
			segs[i] = "{}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

// queryParams collects the query parameters of a path item and its operation.
func (d *Document) queryParams(item, op map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, src := range []map[string]any{item, op} {
		list, _ := src["parameters"].([]any)
		for _, p := range list {
			pm, _ := d.resolve(p).(map[string]any)
			if in, _ := pm["in"].(string); in == "query" {
				if name, _ := pm["name"].(string); name != "" {
					out[name] = true
				}
			}
		}
	}
	return out
}

// responseSchema returns the JSON schema of the operation's success answer.
func (d *Document) responseSchema(op map[string]any) any {
	responses, _ := d.resolve(op["responses"]).(map[string]any)
	for _, code := range []string{"200", "201", "2XX", "2xx", "default"} {
		resp, _ := d.resolve(responses[code]).(map[string]any)
		content, _ := resp["content"].(map[string]any)
		if len(content) == 0 {
			continue
		}
		var types []string
		for t := range content {
			types = append(types, t)
		}
		sort.Strings(types)
		for _, preferred := range []func(string) bool{
			func(t string) bool { return t == "application/json" },
			func(t string) bool { return strings.Contains(t, "json") },
			func(t string) bool { return t == "*/*" },
		} {
			for _, t := range types {
				if preferred(t) {
					media, _ := content[t].(map[string]any)
					if s, ok := media["schema"]; ok {
						return s
					}
				}
			}
		}
	}
	return nil
}

// properties returns the properties of an object schema, merging allOf, oneOf and anyOf.
// described is false for a schema that names no properties at all.
func (d *Document) properties(schema any) (props map[string]any, described bool) {
	props = map[string]any{}
	d.collect(d.resolve(schema), props, 0)
	return props, len(props) > 0
}

func (d *Document) collect(schema any, into map[string]any, depth int) {
	s, ok := schema.(map[string]any)
	if !ok || depth > 32 {
		return
	}
	if p, ok := s["properties"].(map[string]any); ok {
		for k, v := range p {
			if _, dup := into[k]; !dup {
				into[k] = v
			}
		}
	}
	for _, key := range []string{"allOf", "oneOf", "anyOf"} {
		list, _ := s[key].([]any)
		for _, sub := range list {
			d.collect(d.resolve(sub), into, depth+1)
		}
	}
}

// arrayItems returns the items schema when schema is an array (directly or through
// allOf/oneOf/anyOf).
func (d *Document) arrayItems(schema any) (any, bool) {
	s, ok := d.resolve(schema).(map[string]any)
	if !ok {
		return nil, false
	}
	if t, _ := s["type"].(string); t == "array" || s["items"] != nil {
		return s["items"], true
	}
	for _, key := range []string{"allOf", "oneOf", "anyOf"} {
		list, _ := s[key].([]any)
		for _, sub := range list {
			if it, ok := d.arrayItems(sub); ok {
				return it, true
			}
		}
	}
	return nil, false
}

// resolve follows local $refs ("#/components/schemas/Track").
func (d *Document) resolve(v any) any {
	for range 32 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		v = d.pointer(ref)
	}
	return nil
}

func (d *Document) pointer(ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = d.root
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		if u, err := url.PathUnescape(tok); err == nil {
			tok = u
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[tok]
	}
	return cur
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// suggest returns the available name nearest to want: a known alias, the same name in
// another case or spelling, or one a few edits away.
func suggest(want Name, available []string) (string, string) {
	for _, a := range want.Aliases {
		for _, have := range available {
			if have == a {
				return have, "a name the client accepts as an alias"
			}
		}
	}
	for _, have := range available {
		if strings.EqualFold(have, want.Name) {
			return have, "differs in case"
		}
	}
	squash := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	for _, have := range available {
		if squash(have) == squash(want.Name) {
			return have, "differs in spelling"
		}
	}
	best, bestDist := "", -1
	for _, have := range available {
		dist := levenshtein(strings.ToLower(have), strings.ToLower(want.Name))
		if bestDist < 0 || dist < bestDist {
			best, bestDist = have, dist
		}
	}
	if bestDist >= 0 && bestDist <= max(1, len(want.Name)/4) {
		return best, edits(bestDist)
	}
	return "", ""
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
