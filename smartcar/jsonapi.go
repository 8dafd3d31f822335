package smartcar

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Page is one page of a list: its items and where it sits in the whole.
type Page[T any] struct {
	Items []T
	// Number is the page number (from 1) and Size the page size, as Smartcar reported
	// them (meta.pageNumber or meta.page, meta.pageSize); 0 when not reported.
	Number int
	Size   int
	// TotalCount is the number of items on all pages (-1 when not reported).
	TotalCount int
	// Links are the page links Smartcar sent (absolute URLs; "" when absent or null).
	Links PageLinks

	// nextState records whether links.next was absent, null or set.
	nextState linkState
}

// PageLinks are the JSON:API links of a page.
type PageLinks struct {
	Self, First, Last, Next, Prev string
}

// HasNext reports whether Smartcar announced a next page.
func (p *Page[T]) HasNext() bool { return p.Links.Next != "" }

type linkState uint8

const (
	linkAbsent linkState = iota
	linkNull
	linkSet
)

// link is a JSON:API link: a URL string, null, or an object with href.
type link struct {
	state linkState
	href  string
}

func (l *link) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		l.state = linkNull
	case len(b) > 0 && b[0] == '"':
		if err := json.Unmarshal(b, &l.href); err != nil {
			return err
		}
		l.state = linkSet
		if l.href == "" {
			l.state = linkNull
		}
	case len(b) > 0 && b[0] == '{':
		var o struct {
			Href string `json:"href"`
		}
		if json.Unmarshal(b, &o) == nil && o.Href != "" {
			l.href, l.state = o.Href, linkSet
		} else {
			l.state = linkNull
		}
	}
	return nil
}

type wireLinks struct {
	Self     link `json:"self"`
	First    link `json:"first"`
	Last     link `json:"last"`
	Next     link `json:"next"`
	Prev     link `json:"prev"`
	Previous link `json:"previous"`
	Related  link `json:"related"`
}

type wireMeta struct {
	PageNumber *flexInt `json:"pageNumber"`
	Page       *flexInt `json:"page"`
	PageSize   *flexInt `json:"pageSize"`
	TotalCount *flexInt `json:"totalCount"`
}

// wireList is a JSON:API collection.
type wireList[W any] struct {
	Data  []W       `json:"data"`
	Meta  wireMeta  `json:"meta"`
	Links wireLinks `json:"links"`
}

// wireOne is a JSON:API single-resource document.
type wireOne[W any] struct {
	Data *W `json:"data"`
}

// wireRelationship is {"data": {"id", "type"}, "links": {"related"}}.
type wireRelationship struct {
	Data *struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"data"`
	Links wireLinks `json:"links"`
}

func (r wireRelationship) id() string {
	if r.Data == nil {
		return ""
	}
	return r.Data.ID
}

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

// toPage converts a decoded collection.
func toPage[W any, T any](l *wireList[W], convert func(*W) T) *Page[T] {
	p := &Page[T]{Items: make([]T, 0, len(l.Data)), TotalCount: -1}
	for i := range l.Data {
		p.Items = append(p.Items, convert(&l.Data[i]))
	}
	if l.Meta.PageNumber != nil {
		p.Number = int(*l.Meta.PageNumber)
	} else if l.Meta.Page != nil {
		p.Number = int(*l.Meta.Page)
	}
	if l.Meta.PageSize != nil {
		p.Size = int(*l.Meta.PageSize)
	}
	if l.Meta.TotalCount != nil {
		p.TotalCount = int(*l.Meta.TotalCount)
	}
	prev := l.Links.Prev
	if prev.state == linkAbsent {
		prev = l.Links.Previous
	}
	p.Links = PageLinks{Self: l.Links.Self.href, First: l.Links.First.href, Last: l.Links.Last.href, Next: l.Links.Next.href, Prev: prev.href}
	p.nextState = l.Links.Next.state
	return p
}

// pageQuery adds page[number] and page[size] to q.
func pageQuery(q url.Values, number, size int) error {
	if number < 0 || size < 0 {
		return fmt.Errorf("smartcar: %w: page number and size must not be negative", telematics.ErrInvalidInput)
	}
	if number > 0 {
		q.Set("page[number]", strconv.Itoa(number))
	}
	if size > 0 {
		q.Set("page[size]", strconv.Itoa(size))
	}
	return nil
}

// listPage fetches one page of a collection.
func listPage[W any, T any](ctx context.Context, c *Client, api *httpcore.Client, path string, q url.Values, convert func(*W) T, opts []RequestOption) (*Page[T], error) {
	var l wireList[W]
	if _, err := c.do(ctx, call{api: api, method: http.MethodGet, path: path, query: q}, &l, opts); err != nil {
		return nil, err
	}
	return toPage(&l, convert), nil
}

// iterate yields every item of a paged collection, fetching pages lazily. It follows
// links.next (only on the API's own host; elsewhere it keeps the link's query on the
// collection's path), stops when next is null, when TotalCount items were yielded or a
// page is empty, falls back to the next page number when Smartcar sends no next link but
// a larger total, and never requests the same page twice.
func iterate[W any, T any](ctx context.Context, c *Client, api *httpcore.Client, path string, q url.Values, convert func(*W) T, opts []RequestOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		base, err := url.Parse(api.BaseURL())
		if err != nil {
			yield(zero, err)
			return
		}
		seen := map[string]bool{}
		reqPath, reqQuery := path, cloneQuery(q)
		count := 0
		for {
			key := reqPath + "?" + reqQuery.Encode()
			if seen[key] {
				yield(zero, fmt.Errorf("smartcar: %w: the API's page links go round in a circle at %s", telematics.ErrMalformedResponse, httpcore.RedactURLString(reqPath)))
				return
			}
			seen[key] = true
			page, err := listPage(ctx, c, api, reqPath, reqQuery, convert, opts)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range page.Items {
				count++
				if !yield(it, nil) {
					return
				}
			}
			if len(page.Items) == 0 || (page.TotalCount >= 0 && count >= page.TotalCount) {
				return
			}
			switch page.nextState {
			case linkNull:
				return
			case linkSet:
				if reqPath, reqQuery, err = nextRequest(base, path, page.Links.Next); err != nil {
					yield(zero, err)
					return
				}
			default:
				if page.TotalCount < 0 {
					return
				}
				cur := reqQuery
				if reqPath != path { // an absolute next link carries the query
					if u, err := url.Parse(reqPath); err == nil {
						cur = u.Query()
					}
				}
				number := page.Number
				if number <= 0 {
					number, _ = strconv.Atoi(cur.Get("page[number]"))
					number = max(number, 1)
				}
				reqPath, reqQuery = path, cloneQuery(cur)
				reqQuery.Set("page[number]", strconv.Itoa(number+1))
			}
		}
	}
}

// nextRequest turns a next link into what to request: the link itself when it is on the
// API's host, otherwise the collection path with the link's query, so that the token is
// never sent elsewhere.
func nextRequest(base *url.URL, path, next string) (string, url.Values, error) {
	u, err := url.Parse(next)
	if err == nil && u.IsAbs() && u.Scheme == base.Scheme && u.Host == base.Host {
		return next, url.Values{}, nil
	}
	var q url.Values
	if err == nil {
		q, err = url.ParseQuery(u.RawQuery)
	}
	if err != nil {
		return "", nil, fmt.Errorf("smartcar: %w: malformed next link %q", telematics.ErrMalformedResponse, httpcore.RedactURLString(next))
	}
	return path, q, nil
}

func cloneQuery(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// keepRaw copies b for a model's Raw field.
func keepRaw(b []byte) json.RawMessage { return append(json.RawMessage(nil), b...) }
