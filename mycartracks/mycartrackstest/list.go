package mycartrackstest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Limits of the list endpoints.
const (
	defaultLimit       = 100
	maxLimit           = 1000
	maxTrackpointLimit = 10000
)

// object is one item a list or a get serves.
type object interface {
	objectID() int64
	// field returns the value of a field (int64, float64, string, bool, []int64, latLng
	// or []latLng), or nil when the object has none.
	field(name string) any
}

// schema describes the fields of a kind of object, in the order they are written.
type schema struct {
	noun   string
	fields []string
	// unsortable are the fields holding arrays or objects.
	unsortable []string
}

func (sc *schema) has(name string) bool { return slices.Contains(sc.fields, name) }

type sortKey struct {
	name string
	desc bool
}

type listParams struct {
	offset, limit int
	includeTotal  bool
	sort          []sortKey
	fields        []string
}

func parseListParams(q url.Values, sc *schema, limitMax int) (listParams, *requestError) {
	p := listParams{limit: min(defaultLimit, limitMax), fields: sc.fields}
	if vs, ok := q["offset"]; ok {
		n, err := strconv.Atoi(vs[0])
		if err != nil || n < 0 {
			return p, badRequest("offset must be a non-negative integer")
		}
		p.offset = n
	}
	if vs, ok := q["limit"]; ok {
		n, err := strconv.Atoi(vs[0])
		if err != nil || n < 1 || n > limitMax {
			return p, badRequest("limit must be between 1 and %d", limitMax)
		}
		p.limit = n
	}
	if vs, ok := q["includeTotal"]; ok {
		b, err := strconv.ParseBool(vs[0])
		if err != nil {
			return p, badRequest("includeTotal must be true or false")
		}
		p.includeTotal = b
	}
	var err *requestError
	if p.sort, err = parseSort(q.Get("sort"), sc); err != nil {
		return p, err
	}
	if p.fields, err = parseFields(q, sc); err != nil {
		return p, err
	}
	return p, nil
}

func parseSort(v string, sc *schema) ([]sortKey, *requestError) {
	var keys []sortKey
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k := sortKey{name: part}
		if name, ok := strings.CutPrefix(part, "-"); ok {
			k = sortKey{name: name, desc: true}
		}
		if !sc.has(k.name) {
			return nil, badRequest("unknown sort field %q for %s", k.name, sc.noun)
		}
		if slices.Contains(sc.unsortable, k.name) {
			return nil, badRequest("%s cannot be sorted by %q", sc.noun, k.name)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// parseFields returns the fields to write, in the schema's order.
func parseFields(q url.Values, sc *schema) ([]string, *requestError) {
	v := q.Get("fields")
	if strings.TrimSpace(v) == "" {
		return sc.fields, nil
	}
	want := map[string]bool{}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !sc.has(part) {
			return nil, badRequest("unknown field %q for %s", part, sc.noun)
		}
		want[part] = true
	}
	var fields []string
	for _, f := range sc.fields {
		if want[f] {
			fields = append(fields, f)
		}
	}
	return fields, nil
}

// list serves a page of items, which are in the kind's default order. items may be
// sorted in place: callers pass a slice of their own.
func (s *Server) list(c *call, sc *schema, items []object) reply {
	p, err := parseListParams(c.query, sc, maxLimit)
	if err != nil {
		return err.reply()
	}
	if len(p.sort) > 0 {
		sortObjects(items, p.sort)
	}
	key := listKey(c)
	items = s.churned(key, sc, items)
	q := s.quirks(key)
	if q.ignoreOffset {
		p.offset = 0
	}
	if q.cap > 0 {
		p.limit = min(p.limit, q.cap)
	}
	p.includeTotal = p.includeTotal && !q.noTotal
	page := items[min(p.offset, len(items)):min(p.offset+p.limit, len(items))]
	buf := getBuffer()
	b := append(*buf, `{"data":[`...)
	for i, o := range page {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendObject(b, o, p.fields)
	}
	b = append(b, ']')
	if p.includeTotal {
		b = append(b, `,"total":`...)
		b = strconv.AppendInt(b, int64(len(items)), 10)
	}
	b = append(b, '}')
	return jsonReply(http.StatusOK, buf, b)
}

// one serves a single object, projected by the fields parameter.
func (s *Server) one(c *call, sc *schema, o object) reply {
	fields, err := parseFields(c.query, sc)
	if err != nil {
		return err.reply()
	}
	buf := getBuffer()
	return jsonReply(http.StatusOK, buf, appendObject(*buf, o, fields))
}

// created serves an object just written, whole.
func created(status int, sc *schema, o object) reply {
	buf := getBuffer()
	return jsonReply(status, buf, appendObject(*buf, o, sc.fields))
}

func sortObjects(items []object, keys []sortKey) {
	slices.SortStableFunc(items, func(a, b object) int {
		for _, k := range keys {
			c := compareValues(a.field(k.name), b.field(k.name))
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmpInt(a.objectID(), b.objectID())
	})
}

// compareValues orders two values of one field; an absent value comes first.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return cmpInt(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return 0
}

// latLng is a coordinate of a geofence.
type latLng struct{ lat, lng float64 }

func appendObject(b []byte, o object, fields []string) []byte {
	b = append(b, '{')
	first := true
	for _, name := range fields {
		v := o.field(name)
		if v == nil {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		b = appendValue(b, v)
	}
	return append(b, '}')
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	case string:
		return appendString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case []int64:
		b = append(b, '[')
		for i, n := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, n, 10)
		}
		return append(b, ']')
	case latLng:
		b = append(b, `{"latitude":`...)
		b = strconv.AppendFloat(b, v.lat, 'f', -1, 64)
		b = append(b, `,"longitude":`...)
		b = strconv.AppendFloat(b, v.lng, 'f', -1, 64)
		return append(b, '}')
	case []latLng:
		b = append(b, '[')
		for i, p := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, p)
		}
		return append(b, ']')
	}
	panic(fmt.Sprintf("mycartrackstest: cannot encode a field of type %T", v))
}

// appendString writes s as a JSON string. s is valid UTF-8: it is either generated or
// was decoded from JSON.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
