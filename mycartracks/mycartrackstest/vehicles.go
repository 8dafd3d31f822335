package mycartrackstest

import (
	"slices"
	"strconv"
	"strings"
)

var vehicleSchema = &schema{
	noun:       "vehicle",
	fields:     []string{"id", "name", "description", "licensePlate", "vin", "groupIds"},
	unsortable: []string{"groupIds"},
}

func (v *vehicle) objectID() int64 { return v.id }

func (v *vehicle) field(name string) any {
	switch name {
	case "id":
		return v.id
	case "name":
		return v.name
	case "description":
		return v.description
	case "licensePlate":
		return v.licensePlate
	case "vin":
		return v.vin
	case "groupIds":
		return v.groupIDs
	}
	return nil
}

var groupSchema = &schema{
	noun:       "vehicle group",
	fields:     []string{"id", "name", "vehicleIds"},
	unsortable: []string{"vehicleIds"},
}

func (g *group) objectID() int64 { return g.id }

func (g *group) field(name string) any {
	switch name {
	case "id":
		return g.id
	case "name":
		return g.name
	case "vehicleIds":
		return g.vehicleIDs
	}
	return nil
}

func (s *Server) listVehicles(c *call) reply {
	return s.list(c, vehicleSchema, objects(s.fleet.vehicles))
}

func (s *Server) getVehicle(c *call) reply {
	id, err := c.pathID(0, "vehicle")
	if err != nil {
		return err.reply()
	}
	v, ok := s.fleet.vehicleByID[id]
	if !ok {
		return notFound("vehicle", id).reply()
	}
	return s.one(c, vehicleSchema, v)
}

func (s *Server) listGroups(c *call) reply {
	return s.list(c, groupSchema, objects(s.fleet.groups))
}

func (s *Server) getGroup(c *call) reply {
	id, err := c.pathID(0, "vehicle group")
	if err != nil {
		return err.reply()
	}
	for _, g := range s.fleet.groups {
		if g.id == id {
			return s.one(c, groupSchema, g)
		}
	}
	return notFound("vehicle group", id).reply()
}

// lastPosition is a vehicle's most recent fix: the last point of its last track.
type lastPosition struct {
	v *vehicle
	p *point // nil for a vehicle that never reported
}

var lastPositionSchema = &schema{
	noun:   "last position",
	fields: []string{"vehicleId", "vehicleName", "time", "latitude", "longitude", "speed", "bearing", "online"},
}

func (l lastPosition) objectID() int64 { return l.v.id }

func (l lastPosition) field(name string) any {
	switch name {
	case "vehicleId":
		return l.v.id
	case "vehicleName":
		return l.v.name
	case "online":
		return l.v.online && l.p != nil
	}
	if l.p == nil {
		return nil
	}
	switch name {
	case "time":
		return l.p.time
	case "latitude":
		return l.p.lat
	case "longitude":
		return l.p.lon
	case "speed":
		return l.p.speed
	case "bearing":
		return l.p.bearing
	}
	return nil
}

func (v *vehicle) lastPosition() lastPosition {
	l := lastPosition{v: v}
	if n := len(v.tracks); n > 0 && v.tracks[n-1].n > 0 {
		t := v.tracks[n-1]
		p := t.point(t.n - 1)
		l.p = &p
	}
	return l
}

func (s *Server) lastPositions(c *call) reply {
	vehicleIDs, err := idList(c, "vehicleIds")
	if err != nil {
		return err.reply()
	}
	groupIDs, err := idList(c, "groupIds")
	if err != nil {
		return err.reply()
	}
	var items []object
	for _, v := range s.fleet.vehicles {
		selected := vehicleIDs == nil && groupIDs == nil ||
			slices.Contains(vehicleIDs, v.id) ||
			slices.ContainsFunc(v.groupIDs, func(g int64) bool { return slices.Contains(groupIDs, g) })
		if selected {
			items = append(items, s.livePoint(v))
		}
	}
	return s.list(c, lastPositionSchema, items)
}

// idList parses a comma-separated list of ids; nil when the parameter is absent or empty.
func idList(c *call, name string) ([]int64, *requestError) {
	v := strings.TrimSpace(c.query.Get(name))
	if v == "" {
		return nil, nil
	}
	var ids []int64
	for _, part := range strings.Split(v, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil {
			return nil, badRequest("%s must be comma-separated integers", name)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// objects converts a slice of concrete items into a fresh slice of objects.
func objects[T object](items []T) []object {
	out := make([]object, len(items))
	for i, it := range items {
		out[i] = it
	}
	return out
}
