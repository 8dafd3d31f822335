package specdrift

import (
	"net/url"
	"sort"
	"strings"
)

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
