package mycartrackstest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// geofence is a circle (center and radius) or a polygon (points).
type geofence struct {
	id         int64
	name, kind string
	center     *latLng
	radius     *float64
	points     []latLng
}

var geofenceSchema = &schema{
	noun:       "geofence",
	fields:     []string{"id", "name", "type", "center", "radius", "points"},
	unsortable: []string{"center", "points"},
}

func (g geofence) objectID() int64 { return g.id }

func (g geofence) field(name string) any {
	switch name {
	case "id":
		return g.id
	case "name":
		return g.name
	case "type":
		return g.kind
	case "center":
		return deref(g.center)
	case "radius":
		return deref(g.radius)
	case "points":
		if g.points == nil {
			return nil
		}
		return g.points
	}
	return nil
}

// apply sets the fields present in b, then checks the whole geofence: a circle needs a
// center and a positive radius, a polygon at least three points.
func (g *geofence) apply(b body, v *validation) {
	if raw, ok := b["name"]; ok {
		if s, ok := decodeString(raw); !ok {
			v.fail("name", "must be a string")
		} else if s == nil {
			g.name = ""
		} else {
			g.name = *s
		}
	}
	if raw, ok := b["type"]; ok {
		s, ok := decodeString(raw)
		if !ok || s == nil || *s != "circle" && *s != "polygon" {
			v.fail("type", "must be circle or polygon")
			return
		}
		g.kind = *s
	}
	if raw, ok := b["center"]; ok {
		if c, ok := decodeLatLng(raw, "center", v); ok {
			g.center = c
		}
	}
	if raw, ok := b["radius"]; ok {
		if r, ok := decodeFloat(raw); ok {
			g.radius = r
		} else {
			v.fail("radius", "must be a number")
		}
	}
	if raw, ok := b["points"]; ok {
		var items []json.RawMessage
		if !isNull(raw) && json.Unmarshal(raw, &items) != nil {
			v.fail("points", "must be an array of coordinates")
		} else {
			g.points = nil
			for i, item := range items {
				p, ok := decodeLatLng(item, fmt.Sprintf("points[%d]", i), v)
				if ok && p == nil {
					v.fail(fmt.Sprintf("points[%d]", i), "must not be null")
				} else if ok {
					g.points = append(g.points, *p)
				}
			}
		}
	}
	if len(v.errs) > 0 {
		return
	}
	if strings.TrimSpace(g.name) == "" {
		v.fail("name", "is required")
	}
	switch g.kind {
	case "circle":
		if g.center == nil {
			v.fail("center", "is required for a circle")
		}
		if g.radius == nil || !(*g.radius > 0) {
			v.fail("radius", "must be greater than 0 for a circle")
		}
		g.points = nil
	case "polygon":
		if len(g.points) < 3 {
			v.fail("points", "a polygon needs at least 3 points")
		}
		g.center, g.radius = nil, nil
	default:
		v.fail("type", "must be circle or polygon")
	}
}

func (s *Server) listGeofences(c *call) reply {
	s.store.mu.Lock()
	items := sortedByID(s.store.geofences)
	s.store.mu.Unlock()
	return s.list(c, geofenceSchema, items)
}

func (s *Server) getGeofence(c *call) reply {
	id, err := c.pathID(0, "geofence")
	if err != nil {
		return err.reply()
	}
	s.store.mu.Lock()
	g, ok := s.store.geofences[id]
	s.store.mu.Unlock()
	if !ok {
		return notFound("geofence", id).reply()
	}
	return s.one(c, geofenceSchema, g)
}

// geofences are written by createGeofence and updateGeofence.
var geofences = writable[geofence]{
	schema: geofenceSchema,
	table:  func(st *store) map[int64]geofence { return st.geofences },
	next:   func(st *store) *int64 { return &st.nextGeofence },
	apply:  func(_ *Server, g *geofence, b body, _ bool, v *validation) { g.apply(b, v) },
	setID:  func(g *geofence, id int64) { g.id = id },
}

func (s *Server) createGeofence(c *call) reply { return create(s, c, geofences, geofence{}) }

func (s *Server) updateGeofence(c *call) reply { return update(s, c, geofences) }

func (s *Server) deleteGeofence(c *call) reply {
	return s.deleteFrom(c, "geofence", func(id int64) bool {
		_, ok := s.store.geofences[id]
		delete(s.store.geofences, id)
		return ok
	})
}
