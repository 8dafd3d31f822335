package mycartrackstest

import (
	"strconv"
)

var trackSchema = &schema{
	noun: "track",
	fields: []string{"id", "vehicleId", "name", "category", "startTime", "endTime",
		"totalDistance", "totalTime", "movingTime", "maxSpeed", "avgSpeed"},
}

func (t *track) objectID() int64 { return t.id }

func (t *track) field(name string) any {
	switch name {
	case "id":
		return t.id
	case "vehicleId":
		return t.vehicle.id
	case "name":
		return t.name
	case "category":
		return t.category
	case "startTime":
		return t.start
	case "endTime":
		return t.end()
	case "totalDistance":
		return t.summary().distance
	case "totalTime":
		return t.summary().totalMs
	case "movingTime":
		return t.summary().movingMs
	case "maxSpeed":
		return t.summary().maxSpeed
	case "avgSpeed":
		return t.summary().avgSpeed
	}
	return nil
}

// listTracks serves /tracks2: by start time then id unless sorted otherwise, filtered by
// vehicleId and by a start time in [from, to).
func (s *Server) listTracks(c *call) reply {
	vehicleID, hasVehicle, err := queryInt(c, "vehicleId")
	if err != nil {
		return err.reply()
	}
	from, hasFrom, err := queryInt(c, "from")
	if err != nil {
		return err.reply()
	}
	to, hasTo, err := queryInt(c, "to")
	if err != nil {
		return err.reply()
	}
	var items []object
	for _, t := range s.fleet.tracks {
		if hasVehicle && t.vehicle.id != vehicleID || hasFrom && t.start < from || hasTo && t.start >= to {
			continue
		}
		items = append(items, t)
	}
	return s.list(c, trackSchema, items)
}

func (s *Server) getTrack(c *call) reply {
	id, err := c.pathID(0, "track")
	if err != nil {
		return err.reply()
	}
	t, ok := s.fleet.trackByID[id]
	if !ok {
		return notFound("track", id).reply()
	}
	return s.one(c, trackSchema, t)
}

// queryInt parses an integer query parameter.
func queryInt(c *call, name string) (int64, bool, *requestError) {
	vs, ok := c.query[name]
	if !ok || vs[0] == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(vs[0], 10, 64)
	if err != nil {
		return 0, false, badRequest("%s must be an integer", name)
	}
	return n, true, nil
}
