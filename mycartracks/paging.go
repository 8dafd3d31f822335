package mycartracks

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Paging is the position and size of a page: the fields the options of every list
// share (ListOptions, TrackpointListOptions, LastPositionOptions). The zero value asks
// for the first page of the API's default size.
type Paging struct {
	// Offset is the zero-based index of the first item. A negative offset is refused
	// with telematics.ErrInvalidInput before anything is sent.
	Offset int
	// Limit is the page size. Zero lets the API choose for a single page (List, Last,
	// ListTrackpoints); the iterators (All, AllLast, AllTrackpoints) then page with the
	// largest size allowed: MaxPageSize, or MaxTrackpointPageSize for trackpoints. A
	// limit above that size is sent as that size (the API refuses larger ones); a
	// negative limit is refused like a negative offset.
	Limit int
}

func (p Paging) encode(q url.Values) {
	if p.Offset > 0 {
		q.Set(qOffset, strconv.Itoa(p.Offset))
	}
	if p.Limit > 0 {
		q.Set(qLimit, strconv.Itoa(p.Limit))
	}
}

// ListOptions pages and shapes a list call. The zero value asks for the first page of
// the API's default size (DefaultPageSize).
type ListOptions struct {
	Paging
	// IncludeTotal asks the API for the number of items of the whole list (Page.Total).
	// All asks for it on every list that has it, whatever this says, to tell the end of
	// the list without an extra request.
	IncludeTotal bool
	// Sort orders the items by these fields, a "-" prefix for descending
	// ("-startTime", "id"). All without a Sort pages in an order that does not change
	// between pages (by id; Tracks.All in the API's documented order, by start time and
	// id); a Sort of your own should end with a unique field such as "id", or items that
	// tie may change places between pages.
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
	o.Paging.encode(q)
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

// Page is one page of a list. It has the shape of smartcar.Page: Items, Total (-1 when
// unknown) and HasNext; the cursor is the provider's own, NextOffset here where Smartcar
// pages by number (smartcar.Page.NextPageNumber).
type Page[T any] struct {
	// Items are the page's items, in the API's order.
	Items []T
	// Total is the number of items of the whole list as the API reported it when
	// IncludeTotal was set; -1 otherwise.
	Total int
	// NextOffset is the Offset of the next page, or -1 when this page is known to be the
	// last: it is empty, the total says the list is complete, or it is shorter than a
	// page size the API is known to honour. A short page whose end is not known (the
	// API may cap pages below the limit asked for without saying so) has the offset
	// after its items, where the next page is empty if the list has ended. Pass it as
	// the options' Offset to fetch the next page.
	NextOffset int
}

// HasNext reports whether another page may follow (NextOffset is not -1).
func (p *Page[T]) HasNext() bool { return p.NextOffset >= 0 }

// pageCap is what a client learned of the page-size cap of one list endpoint: the API
// may return fewer items than the limit asked for without saying so, and never
// publishes its maximum. Every page the API returned is at most its cap, so the largest
// page seen is a size the API is known to honour.
type pageCap struct {
	// largest is the most items the endpoint returned in one page.
	largest atomic.Int64
	// exact is the cap once two consecutive pages of one list came back with the same
	// number of items, below the limit asked for; 0 while unknown.
	exact atomic.Int64
}

// observe records a page of n items.
func (p *pageCap) observe(n int) {
	for {
		cur := p.largest.Load()
		if int64(n) <= cur || p.largest.CompareAndSwap(cur, int64(n)) {
			break
		}
	}
	// A page larger than the cap believed: the API raised it.
	if e := p.exact.Load(); e > 0 && int64(n) > e {
		p.exact.CompareAndSwap(e, 0)
	}
}

// honoured returns the largest page size at most limit the API is known to return in
// full when the list has that many items left.
func (p *pageCap) honoured(limit int) int {
	if e := p.exact.Load(); e > 0 {
		return min(limit, int(e))
	}
	return min(limit, int(p.largest.Load()))
}

// limit returns the page size to ask for: limit, or the cap when it is known and lower.
func (p *pageCap) limit(limit int) int {
	if e := p.exact.Load(); e > 0 && int(e) < limit {
		return int(e)
	}
	return limit
}

// pageCaps holds a client's knowledge of every endpoint's cap.
type pageCaps [numEndpoints]pageCap

// checkPaging refuses a negative offset or limit before anything is sent.
func checkPaging(offset, limit int) error {
	return httpcore.CheckPaging(Provider, "Offset", offset, "Limit", limit)
}

// fetchFunc fetches the page at offset of at most limit items (0: the API's default),
// asking for the total when withTotal is set; it may append the items to dst. total is
// -1 when the answer has none; resp describes the request for errors.
type fetchFunc[T any] func(offset, limit int, withTotal bool, dst []T) (items []T, total int, resp *telematics.Response, err error)

// lister pages one list endpoint: the rule that ends a list, the checks that a page is
// consistent with the pages before it, and what the client learns of the endpoint's cap.
type lister[T any] struct {
	c     *Client
	ep    endpointID
	max   int            // the largest limit the client sends
	key   func(*T) int64 // an item's id; 0 for an item without one
	fetch fetchFunc[T]
}

// page fetches one page for List: it sends what the caller asked for, the limit capped
// at the endpoint's largest, and reports the next offset by the rule of nextOffset. A
// negative offset or limit is refused.
func (l lister[T]) page(offset, limit int, withTotal bool) (*Page[T], error) {
	if err := checkPaging(offset, limit); err != nil {
		return nil, err
	}
	limit = min(limit, l.max)
	items, total, resp, err := l.fetch(offset, limit, withTotal, nil)
	if err != nil {
		return nil, err
	}
	caps := &l.c.pageCaps[l.ep]
	caps.observe(len(items))
	if err := checkTotal(offset, len(items), total); err != nil {
		return nil, malformed(resp, err)
	}
	next := offset + len(items)
	// With limit 0 the API chose the page size: only an empty page or the total tell.
	if limit > 0 && ends(caps, limit, len(items), offset, total) == endKnown ||
		limit == 0 && (len(items) == 0 || total >= 0 && next >= total) {
		next = -1
	}
	return &Page[T]{Items: items, Total: total, NextOffset: next}, nil
}

// verdict is what a page says of the rest of the list.
type verdict int

const (
	// endMore: a full page, or the total says more items exist; the next page follows.
	endMore verdict = iota
	// endKnown: the list ended.
	endKnown
	// endUnknown: a short page of a size the API may have capped; one more request at
	// the offset after it decides.
	endUnknown
)

// ends applies the end-of-list rule to a page of n items asked with limit (> 0) at
// offset, total being what the page reported (-1: nothing). A short page ends the list
// only when n is below a page size the API is known to honour, or when the total says
// the list is complete; a total that says more items exist always goes on, so that a
// cap lowered by the API is noticed.
func ends(caps *pageCap, limit, n, offset, total int) verdict {
	switch {
	case n == 0:
		return endKnown
	case n >= limit:
		return endMore
	case total >= 0 && offset+n >= total:
		return endKnown
	case total >= 0:
		return endMore
	case n < caps.honoured(limit):
		return endKnown
	}
	return endUnknown
}

// checkTotal reports a page that contradicts the total reported with it: items past the
// total, or no items although the total says more exist.
func checkTotal(offset, n, total int) error {
	switch {
	case total < 0:
		return nil
	case n == 0 && offset < total:
		return fmt.Errorf("empty page at offset %d although the API reports a total of %d items", offset, total)
	case n > 0 && offset >= total:
		return fmt.Errorf("%d items at offset %d, past the total of %d items the API reports", n, offset, total)
	}
	return nil
}

// all iterates over the list from offset, paging with limit (0: the largest allowed) or
// the endpoint's cap once it is known. It asks for the total where the endpoint has one.
// It drops the items of a page whose id the previous page held (items inserted while
// paging shift the offsets) and fails with telematics.ErrMalformedResponse on a page
// that only repeats the previous one (an API that ignores offset) or contradicts its
// total. Every range starts again from offset with its own state, so the iterator may
// be ranged over again, also concurrently; it stops when the consumer breaks and yields
// an error at most once. A negative offset or limit is that error, before any request.
func (l lister[T]) all(offset, limit int) iter.Seq2[T, error] {
	withTotal := endpoints[l.ep].total
	invalid := checkPaging(offset, limit)
	if limit == 0 || limit > l.max {
		limit = l.max
	}
	return func(yield func(T, error) bool) {
		if invalid != nil {
			var zero T
			yield(zero, invalid)
			return
		}
		caps := &l.c.pageCaps[l.ep]
		offset := offset // every range starts again from the caller's offset
		var (
			buf      []T
			prevKeys []int64 // the ids of the previous page, sorted
			keys     []int64
			short    int // the size of the previous page when it was short but not the end
		)
		fail := func(resp *telematics.Response, err error) {
			var zero T
			yield(zero, malformed(resp, err))
		}
		for {
			asked := caps.limit(limit)
			items, total, resp, err := l.fetch(offset, asked, withTotal, buf[:0])
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			n := len(items)
			caps.observe(n)
			if err := checkTotal(offset, n, total); err != nil {
				fail(resp, err)
				return
			}
			keys = keys[:0]
			dropped := 0
			for i := range items {
				k := l.key(&items[i])
				if k == 0 {
					continue
				}
				keys = append(keys, k)
				if _, ok := slices.BinarySearch(prevKeys, k); ok {
					dropped++
				}
			}
			if n > 0 && dropped == n {
				fail(resp, fmt.Errorf("the page at offset %d repeats the %d items of the page before it: the API ignores offset", offset, n))
				return
			}
			// A short page followed by one of the same size: the API caps pages there.
			if short > 0 && n == short {
				caps.exact.Store(int64(short))
			}
			for i := range items {
				if dropped > 0 {
					if k := l.key(&items[i]); k != 0 {
						if _, ok := slices.BinarySearch(prevKeys, k); ok {
							continue
						}
					}
				}
				if !yield(items[i], nil) {
					return
				}
			}
			short = 0
			switch ends(caps, asked, n, offset, total) {
			case endKnown:
				return
			case endUnknown, endMore:
				if n < asked {
					short = n
				}
			}
			offset += n
			slices.Sort(keys)
			prevKeys, keys = keys, prevKeys
			// The items were yielded by value: the next page may reuse the slice.
			buf = items
		}
	}
}

// listEndpoint is a list endpoint paged with ListOptions whose items decode into the
// wire type W and convert to T. The services' List and All methods are its page and all.
type listEndpoint[W, T any] struct {
	id   endpointID
	conv func(*W, json.RawMessage) T
	// key is an item's id, by which All recognises an item it already yielded.
	key func(*T) ID
}

// lister returns the endpoint's lister for options o (their Offset and Limit aside);
// filters, when not nil, adds the endpoint's own query parameters (a vehicle, a state...).
func (e listEndpoint[W, T]) lister(ctx context.Context, c *Client, o ListOptions, filters func(url.Values), opts []RequestOption) lister[T] {
	return lister[T]{
		c: c, ep: e.id, max: MaxPageSize,
		key: func(t *T) int64 { return int64(e.key(t)) },
		fetch: func(offset, limit int, withTotal bool, _ []T) ([]T, int, *telematics.Response, error) {
			page := o
			page.Offset, page.Limit, page.IncludeTotal = offset, limit, withTotal
			q := url.Values{}
			page.encode(q)
			if filters != nil {
				filters(q)
			}
			var body []byte
			resp, err := c.call(ctx, e.id, nil, q, nil, &body, opts)
			if err != nil {
				return nil, -1, resp, err
			}
			items, total, err := decodePage(body, e.conv)
			if err != nil {
				return nil, -1, resp, malformed(resp, err)
			}
			return items, total, resp, nil
		},
	}
}

// page fetches the page o selects.
func (e listEndpoint[W, T]) page(ctx context.Context, c *Client, o ListOptions, filters func(url.Values), opts []RequestOption) (*Page[T], error) {
	return e.lister(ctx, c, o, filters, opts).page(o.Offset, o.Limit, o.IncludeTotal)
}

// all iterates over the list from o.Offset, paging with the largest page size unless o
// sets one, in the endpoint's stable order unless o sorts. o must be the caller's
// options copied.
func (e listEndpoint[W, T]) all(ctx context.Context, c *Client, o ListOptions, filters func(url.Values), opts []RequestOption) iter.Seq2[T, error] {
	if len(o.Sort) == 0 && endpoints[e.id].stableSort != "" {
		o.Sort = []string{endpoints[e.id].stableSort}
	}
	return e.lister(ctx, c, o, filters, opts).all(o.Offset, o.Limit)
}
