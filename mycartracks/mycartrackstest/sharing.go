package mycartrackstest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// shareURLBase is the host of map sharing links: fixed, unlike the server's port, so that
// responses are the same on every run.
const shareURLBase = "https://share.mycartracks.test/m/"

// link is a map sharing link.
type link struct {
	id         int64
	url        string
	vehicleIDs []int64
	expiresAt  int64
}

var linkSchema = &schema{
	noun:       "map sharing link",
	fields:     []string{"id", "url", "vehicleIds", "expiresAt"},
	unsortable: []string{"vehicleIds"},
}

func (l link) objectID() int64 { return l.id }

func (l link) field(name string) any {
	switch name {
	case "id":
		return l.id
	case "url":
		return l.url
	case "vehicleIds":
		return l.vehicleIDs
	case "expiresAt":
		return l.expiresAt
	}
	return nil
}

func (s *Server) listLinks(c *call) reply {
	s.store.mu.Lock()
	items := sortedByID(s.store.links)
	s.store.mu.Unlock()
	return s.list(c, linkSchema, items)
}

// createLink checks that vehicleIds is a non-empty list of existing vehicles and that
// expiresAt is in the future on the server's clock.
func (s *Server) createLink(c *call) reply {
	if err := requireWrite(c); err != nil {
		return err.reply()
	}
	b, err := decodeBody(c.body)
	if err != nil {
		return err.reply()
	}
	var l link
	var v validation
	var ids []int64
	switch raw, ok := b["vehicleIds"]; {
	case !ok || isNull(raw):
		v.fail("vehicleIds", "is required")
	case json.Unmarshal(raw, &ids) != nil:
		v.fail("vehicleIds", "must be an array of vehicle ids")
	case len(ids) == 0:
		v.fail("vehicleIds", "must not be empty")
	default:
		for _, id := range ids {
			if _, ok := s.fleet.vehicleByID[id]; !ok {
				v.fail("vehicleIds", "vehicle %d does not exist", id)
			}
		}
		l.vehicleIDs = ids
	}
	raw, ok := b["expiresAt"]
	if !ok || isNull(raw) {
		v.fail("expiresAt", "is required")
	} else if at, ok := decodeInt(raw); !ok {
		v.fail("expiresAt", "must be a time in epoch milliseconds")
	} else if *at <= c.now.UnixMilli() {
		v.fail("expiresAt", "must be in the future")
	} else {
		l.expiresAt = *at
	}
	if err := v.err(); err != nil {
		return err.reply()
	}
	s.store.mu.Lock()
	l.id = s.store.nextLink
	s.store.nextLink++
	l.url = fmt.Sprintf("%s%016x", shareURLBase, mix(s.store.seed, 6, uint64(l.id)))
	s.store.links[l.id] = l
	s.store.mu.Unlock()
	return created(http.StatusCreated, linkSchema, l)
}

func (s *Server) deleteLink(c *call) reply {
	return s.deleteFrom(c, "map sharing link", func(id int64) bool {
		_, ok := s.store.links[id]
		delete(s.store.links, id)
		return ok
	})
}
