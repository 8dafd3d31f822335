package smartcar

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Page is one page of a list: its items, where it sits in the whole and which page
// follows. It reads like mycartracks.Page: Items, Total (-1 when unknown) and what to
// pass for the next page — NextPageNumber here (Smartcar pages by number), NextOffset
// there (MyCarTracks pages by offset), -1 after the last page in both; HasNext reports
// it.
type Page[T any] struct {
	Items []T
	// Number is the page number (from 1) and Size the page size, as Smartcar reported
	// them (meta.pageNumber or meta.page, meta.pageSize); 0 when not reported.
	Number int
	Size   int
	// Total is the number of items on all pages (-1 when not reported).
	Total int
	// NextPageNumber is the number of the page that follows, as All would fetch it:
	// the page[number] of Smartcar's next link (this page's number plus one when the
	// link names none), or this page's number plus one when Smartcar sent no next link
	// but a Total beyond this page. It is -1 when this page is the last: empty, with a
	// null next link, reaching Total, or with neither a next link nor a Total. Pass it
	// as the list options' PageNumber to fetch the next page.
	NextPageNumber int
	// Links are the page links Smartcar sent (absolute URLs; "" when absent or null).
	Links PageLinks
}

// PageLinks are the JSON:API links of a page.
type PageLinks struct {
	Self, First, Last, Next, Prev string
}

// HasNext reports whether another page follows (NextPageNumber is set).
func (p *Page[T]) HasNext() bool { return p.NextPageNumber > 0 }

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
	// Errors is set when a success status carries an error document.
	Errors json.RawMessage `json:"errors"`
}

// decodeList decodes a page of a collection. A body with errors and no items, or
// without "data" ({}, {"message":...}, null), is a malformed response, not an empty page;
// "data" that is [] or null is an empty page.
func decodeList[W any](raw []byte) (*wireList[W], error) {
	var l wireList[W]
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, malformed("list: %v", err)
	}
	if err := checkListErrors(len(l.Data), l.Errors); err != nil {
		return nil, err
	}
	if l.Data == nil {
		if err := checkListData(raw); err != nil {
			return nil, err
		}
	}
	return &l, nil
}

// checkListData fails a collection whose items decoded as nil unless its body holds a
// "data" member (null), matched as encoding/json matched it: the last one, in any case.
func checkListData(raw []byte) error {
	var d struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(raw, &d) != nil || d.Data == nil {
		return malformed(`list response has no "data" member`)
	}
	return nil
}

func checkListErrors(items int, errs json.RawMessage) error {
	if items == 0 && present(errs) && string(bytes.TrimSpace(errs)) != "[]" {
		return malformed("list response with a success status holds errors: %s", clean(string(errs)))
	}
	return nil
}

// pageInfo is what the paging decisions need from one page.
type pageInfo struct {
	items  int
	number int // meta page number; 0 when absent
	size   int // meta page size; 0 when absent
	total  int // meta total; -1 when absent
	next   link
}

func listInfo(items int, m *wireMeta, l *wireLinks) pageInfo {
	p := pageInfo{items: items, total: -1, next: l.Next}
	if m.PageNumber != nil {
		p.number = int(*m.PageNumber)
	} else if m.Page != nil {
		p.number = int(*m.Page)
	}
	if m.PageSize != nil {
		p.size = int(*m.PageSize)
	}
	if m.TotalCount != nil {
		p.total = int(*m.TotalCount)
	}
	return p
}

// nextPage decides what follows a page that was requested with query q: the next page's
// number (-1 when the page is the last) and the link to follow when Smartcar sent one.
// A page is the last when it is empty, when its next link is null, when it reaches the
// total, or when it has neither a next link nor a total.
func nextPage(p pageInfo, q url.Values) (number int, next string) {
	if p.items == 0 || p.next.state == linkNull {
		return -1, ""
	}
	current := p.number
	if current <= 0 {
		current, _ = strconv.Atoi(q.Get("page[number]"))
		current = max(current, 1)
	}
	size := p.size
	if size <= 0 {
		size, _ = strconv.Atoi(q.Get("page[size]"))
	}
	if size <= 0 {
		size = p.items // a page before the last is full
	}
	if p.total >= 0 && (current-1)*size+p.items >= p.total {
		return -1, ""
	}
	switch {
	case p.next.state == linkSet:
		number = current + 1
		if u, err := url.Parse(p.next.href); err == nil {
			if n, err := strconv.Atoi(u.Query().Get("page[number]")); err == nil && n > 0 {
				number = n
			}
		}
		return number, p.next.href
	case p.total >= 0:
		return current + 1, ""
	}
	return -1, ""
}

// toPage converts a decoded collection requested with query q.
func toPage[W any, T any](l *wireList[W], q url.Values, convert func(*W) T) *Page[T] {
	info := listInfo(len(l.Data), &l.Meta, &l.Links)
	p := &Page[T]{Items: make([]T, 0, len(l.Data)), Number: info.number, Size: info.size, Total: info.total}
	for i := range l.Data {
		p.Items = append(p.Items, convert(&l.Data[i]))
	}
	p.NextPageNumber, _ = nextPage(info, q)
	prev := l.Links.Prev
	if prev.state == linkAbsent {
		prev = l.Links.Previous
	}
	p.Links = PageLinks{Self: l.Links.Self.href, First: l.Links.First.href, Last: l.Links.Last.href, Next: l.Links.Next.href, Prev: prev.href}
	return p
}

// pageQuery adds page[number] and page[size] to q; a negative one is refused.
func pageQuery(q url.Values, number, size int) error {
	if err := httpcore.CheckPaging(Provider, "PageNumber", number, "PageSize", size); err != nil {
		return err
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
	var raw []byte
	resp, err := c.do(ctx, call{api: api, method: http.MethodGet, path: path, query: q}, &raw, opts)
	if err != nil {
		return nil, err
	}
	l, err := decodeList[W](raw)
	if err != nil {
		return nil, malformedAt(resp, err)
	}
	return toPage(l, q, convert), nil
}

// iterate yields every item of a paged collection, fetching pages lazily (see walk). A
// query error (the caller's options) is yielded at once.
func iterate[W any, T any](ctx context.Context, c *Client, api *httpcore.Client, path string, q url.Values, qerr error, convert func(*W) T, opts []RequestOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if qerr != nil {
			yield(zero, qerr)
			return
		}
		err := c.walk(ctx, call{api: api, method: http.MethodGet, path: path, query: q}, 0, opts, func(raw []byte) (pageInfo, bool, error) {
			l, err := decodeList[W](raw)
			if err != nil {
				return pageInfo{}, false, err
			}
			for i := range l.Data {
				if !yield(convert(&l.Data[i]), nil) {
					return pageInfo{}, false, nil
				}
			}
			return listInfo(len(l.Data), &l.Meta, &l.Links), true, nil
		})
		if err != nil {
			yield(zero, err)
		}
	}
}

// walk fetches the pages of a collection in order, from the query of k, and hands each
// body to visit, which decodes it, says what paging needs to know, and whether to go on.
// It follows next links (see nextRequest), falls back to the next page number when
// Smartcar sends a total but no link (see nextPage), never requests the same page twice
// and, when maxPages > 0, fails rather than fetch more pages than that.
func (c *Client) walk(ctx context.Context, k call, maxPages int, opts []RequestOption, visit func(body []byte) (pageInfo, bool, error)) error {
	base, err := url.Parse(k.api.BaseURL())
	if err != nil {
		return err
	}
	path := k.path
	k.query = cloneQuery(k.query)
	cur := k.query // the query of the page requested: a next link carries its own
	seen := map[string]bool{}
	var resp *telematics.Response // of the last page
	for pages := 1; ; pages++ {
		key := k.path + "?" + k.query.Encode()
		if seen[key] {
			return malformedAt(resp, malformed("the API's page links go round in a circle at %s", httpcore.RedactURLString(k.path)))
		}
		seen[key] = true
		if maxPages > 0 && pages > maxPages {
			return malformedAt(resp, malformed("%s has more than %d pages", httpcore.RedactURLString(path), maxPages))
		}
		var raw []byte
		if resp, err = c.do(ctx, k, &raw, opts); err != nil {
			return err
		}
		info, more, err := visit(raw)
		if err != nil || !more {
			return malformedAt(resp, err)
		}
		number, next := nextPage(info, cur)
		switch {
		case number < 0:
			return nil
		case next != "":
			if k.path, k.query, err = nextRequest(base, path, next); err != nil {
				return malformedAt(resp, err)
			}
			cur = k.query
			if k.path != path { // a link on the API's host carries the query itself
				u, _ := url.Parse(k.path)
				cur = u.Query()
			}
		default:
			k.path, k.query = path, cloneQuery(cur)
			k.query.Set("page[number]", strconv.Itoa(number))
			cur = k.query
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
		return "", nil, malformed("next link %q is not a URL", httpcore.RedactURLString(next))
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
