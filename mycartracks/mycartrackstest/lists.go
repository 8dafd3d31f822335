package mycartrackstest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Lists names the lists of the API, by the path a client pages through (a trackpoint
// list by "/trackpoints", whatever the track), for the options that make them misbehave
// (WithPageCap, WithIgnoredOffset, WithoutTotal) and for InsertRows and DeleteRows.
// AllLists stands for every one of them.
var Lists = []string{
	"/vehicles", "/vehicleGroups", "/tracks2", "/trackpoints", "/users", "/drivers",
	"/teams", "/jobs", "/geofences", "/mapSharingLinks", "/vehicles/lastPositions",
}

// AllLists names every list in WithPageCap, WithIgnoredOffset and WithoutTotal.
const AllLists = "*"

// listQuirks is how one list misbehaves.
type listQuirks struct {
	cap          int // most rows per page whatever the limit (0: the limit)
	ignoreOffset bool
	noTotal      bool
}

// merge returns q with the quirks of o added; o's cap wins when both have one.
func (q listQuirks) merge(o listQuirks) listQuirks {
	if o.cap > 0 {
		q.cap = o.cap
	}
	q.ignoreOffset = q.ignoreOffset || o.ignoreOffset
	q.noTotal = q.noTotal || o.noTotal
	return q
}

func checkList(option, list string, all bool) error {
	if all && list == AllLists || slices.Contains(Lists, list) {
		return nil
	}
	return fmt.Errorf("%s(%q): not a list; see mycartrackstest.Lists", option, list)
}

func (c *config) quirk(option, list string, f func(*listQuirks)) {
	if err := checkList(option, list, true); err != nil {
		c.listErrs = append(c.listErrs, err)
		return
	}
	if c.lists == nil {
		c.lists = map[string]listQuirks{}
	}
	q := c.lists[list]
	f(&q)
	c.lists[list] = q
}

// WithPageCap makes a list return at most rows items per page whatever the limit asked
// for, silently: the answer is a 200 with a shorter page, as a server whose maximum page
// size is below the client's limit may answer. A client that takes a short page for the
// end of the list loses the rest. list is one of Lists or AllLists; a cap for one list
// wins over the cap for AllLists.
func WithPageCap(list string, rows int) Option {
	return func(c *config) {
		if rows < 1 {
			c.listErrs = append(c.listErrs, fmt.Errorf("WithPageCap(%q, %d): the cap must be positive", list, rows))
			return
		}
		c.quirk("WithPageCap", list, func(q *listQuirks) { q.cap = rows })
	}
}

// WithIgnoredOffset makes a list ignore offset: every page starts at the first item, so
// a client paging naively fetches the same page forever. list is one of Lists or
// AllLists.
func WithIgnoredOffset(list string) Option {
	return func(c *config) { c.quirk("WithIgnoredOffset", list, func(q *listQuirks) { q.ignoreOffset = true }) }
}

// WithoutTotal makes a list ignore includeTotal: its answers never carry a total, as an
// endpoint that does not support it. list is one of Lists or AllLists.
func WithoutTotal(list string) Option {
	return func(c *config) { c.quirk("WithoutTotal", list, func(q *listQuirks) { q.noTotal = true }) }
}

// quirks returns how the list at key misbehaves.
func (s *Server) quirks(key string) listQuirks {
	return s.cfg.lists[AllLists].merge(s.cfg.lists[key])
}

// listKey names the list a request pages through, as in Lists.
func listKey(c *call) string {
	p := strings.TrimPrefix(c.r.URL.Path, apiBase)
	if strings.HasPrefix(p, "/trackpoints/") {
		return "/trackpoints"
	}
	return p
}

// churn is how rows inserted and deleted with InsertRows and DeleteRows change the lists.
type churn struct {
	mu     sync.Mutex
	lists  map[string]*listChurn
	nextID int64
}

type listChurn struct {
	inserted []int64 // ids of the rows inserted at the head, the latest first
	deleted  int     // original rows removed from the head
}

// insertedIDBase is the first id of an inserted row, far above any generated id.
const insertedIDBase = 1 << 40

// InsertRows makes rows new items appear at the head of a list, before every item the
// list serves, as new tracks appear at the head of a list sorted newest first while a
// client pages through it: every later page shifts by rows, and its first items are the
// last ones of the page before. An inserted item is a copy of the list's first item
// with a new id (vehicleId for "/vehicles/lastPositions"); the list's total counts it.
// Inserted items exist only in the lists: they cannot be read, updated or deleted one
// by one. list is one of Lists except "/trackpoints"; InsertRows panics on another.
func (s *Server) InsertRows(list string, rows int) {
	l := s.churnOf("InsertRows", list)
	s.churn.mu.Lock()
	defer s.churn.mu.Unlock()
	for range rows {
		s.churn.nextID++
		l.inserted = slices.Insert(l.inserted, 0, insertedIDBase+s.churn.nextID)
	}
}

// DeleteRows removes the first rows items the list serves (in the order the request
// asks for, inserted items aside), as items deleted while a client pages through the
// list: every later page shifts back by rows, and a client paging by offset skips as
// many items it had not read yet. The items stay readable one by one; only the lists
// lose them. list is one of Lists except "/trackpoints"; DeleteRows panics on another.
func (s *Server) DeleteRows(list string, rows int) {
	l := s.churnOf("DeleteRows", list)
	s.churn.mu.Lock()
	defer s.churn.mu.Unlock()
	l.deleted += rows
}

func (s *Server) churnOf(method, list string) *listChurn {
	if err := checkList(method, list, false); err != nil || list == "/trackpoints" {
		panic(fmt.Sprintf("mycartrackstest: %s(%q): not a list of objects", method, list))
	}
	s.churn.mu.Lock()
	defer s.churn.mu.Unlock()
	if s.churn.lists == nil {
		s.churn.lists = map[string]*listChurn{}
	}
	l := s.churn.lists[list]
	if l == nil {
		l = &listChurn{}
		s.churn.lists[list] = l
	}
	return l
}

// churned applies the rows inserted into and deleted from the list at key to items, in
// the order the request serves them.
func (s *Server) churned(key string, sc *schema, items []object) []object {
	s.churn.mu.Lock()
	defer s.churn.mu.Unlock()
	l := s.churn.lists[key]
	if l == nil {
		return items
	}
	rest := items[min(l.deleted, len(items)):]
	if len(l.inserted) == 0 || len(items) == 0 {
		return rest
	}
	idField := "id"
	if !sc.has("id") {
		idField = "vehicleId"
	}
	out := make([]object, 0, len(l.inserted)+len(rest))
	for _, id := range l.inserted {
		out = append(out, insertedRow{object: items[0], id: id, idField: idField})
	}
	return append(out, rest...)
}

// insertedRow is an item InsertRows added: a copy of another with its own id.
type insertedRow struct {
	object
	id      int64
	idField string
}

func (r insertedRow) objectID() int64 { return r.id }

func (r insertedRow) field(name string) any {
	if name == r.idField {
		return r.id
	}
	return r.object.field(name)
}
