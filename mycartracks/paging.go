package mycartracks

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ListOptions pages and shapes a list call. The zero value asks for the first page of
// the API's default size (DefaultPageSize).
type ListOptions struct {
	// Offset is the zero-based index of the first item.
	Offset int
	// Limit is the page size, at most MaxPageSize. Zero lets the API choose for List;
	// All then pages with MaxPageSize.
	Limit int
	// IncludeTotal asks the API for the number of items of the whole list (Page.Total).
	IncludeTotal bool
	// Sort orders the items by these fields, a "-" prefix for descending
	// ("-startTime", "id").
	Sort []string
	// Fields restricts the fields returned; the others stay empty in the result.
	Fields []string
}

func (o *ListOptions) clone() ListOptions {
	if o == nil {
		return ListOptions{}
	}
	c := *o
	c.Sort = slices.Clone(o.Sort)
	c.Fields = slices.Clone(o.Fields)
	return c
}

func (o ListOptions) encode(q url.Values) {
	encodePaging(q, o.Offset, o.Limit)
	if o.IncludeTotal {
		q.Set(qIncludeTotal, "true")
	}
	if len(o.Sort) > 0 {
		q.Set(qSort, strings.Join(o.Sort, ","))
	}
	if len(o.Fields) > 0 {
		q.Set(qFields, strings.Join(o.Fields, ","))
	}
}

func encodePaging(q url.Values, offset, limit int) {
	if offset > 0 {
		q.Set(qOffset, strconv.Itoa(offset))
	}
	if limit > 0 {
		q.Set(qLimit, strconv.Itoa(limit))
	}
}

// Page is one page of a list.
type Page[T any] struct {
	// Items are the page's items, in the API's order.
	Items []T
	// Total is the number of items of the whole list as the API reported it when
	// IncludeTotal was set; -1 otherwise.
	Total int
	// NextOffset is the Offset of the next page, or -1 when this page was the last.
	NextOffset int
}

// nextOffset says where the next page starts. A full page may be followed by more; a
// short or empty page ends the list, unless the reported total says more items exist
// (the API may cap the page size below the limit asked for). The total alone never ends
// a list: a total that is too low must not lose items.
func nextOffset(offset, limit, n, total int) int {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	switch {
	case n == 0:
		return -1
	case n >= limit, total >= 0 && offset+n < total:
		return offset + n
	}
	return -1
}

// pages iterates over a list page by page from start: fetch returns the page at an
// offset, appending its items to dst (which it may ignore). It stops at the last page,
// when the consumer breaks, or after yielding an error once. Every range over the
// iterator starts again from start with its own state, so it may be ranged over again,
// also concurrently.
func pages[T any](start int, fetch func(offset int, dst []T) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		offset := start
		var buf []T
		for {
			page, err := fetch(offset, buf[:0])
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range page.Items {
				if !yield(it, nil) {
					return
				}
			}
			if page.NextOffset <= offset {
				return
			}
			offset = page.NextOffset
			// The items were yielded by value: the next page may reuse the slice.
			buf = page.Items
		}
	}
}

// listEndpoint is a list endpoint paged with ListOptions whose items decode into the
// wire type W and convert to T. The services' List and All methods are its page and all.
type listEndpoint[W, T any] struct {
	id   endpointID
	conv func(*W, json.RawMessage) T
}

// page fetches the page o selects; filters, when not nil, adds the endpoint's own query
// parameters (a vehicle, a state...).
func (e listEndpoint[W, T]) page(ctx context.Context, c *Client, o ListOptions, filters func(url.Values), opts []RequestOption) (*Page[T], error) {
	q := url.Values{}
	o.encode(q)
	if filters != nil {
		filters(q)
	}
	var body []byte
	resp, err := c.call(ctx, e.id, nil, q, nil, &body, opts)
	if err != nil {
		return nil, err
	}
	items, total, err := decodePage(body, e.conv)
	if err != nil {
		return nil, malformed(resp, err)
	}
	return &Page[T]{Items: items, Total: total, NextOffset: nextOffset(o.Offset, o.Limit, len(items), total)}, nil
}

// all iterates over the list from o.Offset, paging with the largest page size unless o
// sets one. o must be the caller's options copied.
func (e listEndpoint[W, T]) all(ctx context.Context, c *Client, o ListOptions, filters func(url.Values), opts []RequestOption) iter.Seq2[T, error] {
	if o.Limit <= 0 {
		o.Limit = MaxPageSize
	}
	return pages(o.Offset, func(offset int, _ []T) (*Page[T], error) {
		page := o
		page.Offset = offset
		return e.page(ctx, c, page, filters, opts)
	})
}

func idList(ids []ID) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	return b.String()
}
