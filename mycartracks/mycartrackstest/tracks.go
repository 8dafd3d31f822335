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
	rq, err := parseRangeQuery(c)
	if err != nil {
		return err.reply()
	}
	var items []object
	for _, t := range s.fleet.tracks {
		if rq.keeps(t.vehicle.id, t.start) {
			items = append(items, t)
		}
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

// rangeQuery is the filters of /tracks2 and /reports: a vehicle (vehicleId), and track
// start times in [from, to) (epoch ms). Each is optional.
type rangeQuery struct {
	vehicleID, from, to        int64
	hasVehicle, hasFrom, hasTo bool
}

func parseRangeQuery(c *call) (rangeQuery, *requestError) {
	var q rangeQuery
	var err *requestError
	if q.vehicleID, q.hasVehicle, err = queryInt(c, "vehicleId"); err != nil {
		return q, err
	}
	if q.from, q.hasFrom, err = queryInt(c, "from"); err != nil {
		return q, err
	}
	if q.to, q.hasTo, err = queryInt(c, "to"); err != nil {
		return q, err
	}
	return q, nil
}

// keepsVehicle reports whether the vehicle filter keeps the vehicle.
func (q rangeQuery) keepsVehicle(id int64) bool { return !q.hasVehicle || id == q.vehicleID }

// keepsStart reports whether a track starting at start (epoch ms) is in [from, to).
func (q rangeQuery) keepsStart(start int64) bool {
	return !(q.hasFrom && start < q.from || q.hasTo && start >= q.to)
}

// keeps reports whether the filters keep a track of the vehicle starting at start.
func (q rangeQuery) keeps(vehicleID, start int64) bool {
	return q.keepsVehicle(vehicleID) && q.keepsStart(start)
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
