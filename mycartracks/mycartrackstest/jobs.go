package mycartrackstest

import (
	"net/http"
	"slices"
	"strings"
)

var jobStatuses = []string{"new", "assigned", "in_progress", "completed", "cancelled"}

// job is a dispatch job. Optional fields are nil when unset.
type job struct {
	id                       int64
	name, status             string
	vehicleID, driverID      *int64
	address                  *string
	latitude, longitude      *float64
	scheduledAt, completedAt *int64
}

var jobSchema = &schema{
	noun: "job",
	fields: []string{"id", "name", "status", "vehicleId", "driverId", "address", "latitude", "longitude",
		"scheduledAt", "completedAt"},
}

func (j job) objectID() int64 { return j.id }

func (j job) field(name string) any {
	switch name {
	case "id":
		return j.id
	case "name":
		return j.name
	case "status":
		return j.status
	case "vehicleId":
		return deref(j.vehicleID)
	case "driverId":
		return deref(j.driverID)
	case "address":
		return deref(j.address)
	case "latitude":
		return deref(j.latitude)
	case "longitude":
		return deref(j.longitude)
	case "scheduledAt":
		return deref(j.scheduledAt)
	case "completedAt":
		return deref(j.completedAt)
	}
	return nil
}

// deref returns *p, or an untyped nil for a nil p (a field the object does not have).
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// apply sets the fields present in b, checking each; create also requires the name.
func (j *job) apply(b body, create bool, f *fleet, v *validation) {
	if raw, ok := b["name"]; ok {
		s, ok := decodeString(raw)
		switch {
		case !ok:
			v.fail("name", "must be a string")
		case s == nil || strings.TrimSpace(*s) == "":
			v.fail("name", "is required")
		default:
			j.name = *s
		}
	} else if create {
		v.fail("name", "is required")
	}
	if raw, ok := b["status"]; ok {
		s, ok := decodeString(raw)
		if !ok || s == nil || !slices.Contains(jobStatuses, *s) {
			v.fail("status", "must be one of %s", strings.Join(jobStatuses, ", "))
		} else {
			j.status = *s
		}
	}
	for _, ref := range []struct {
		name   string
		dst    **int64
		noun   string
		exists func(int64) bool
	}{
		{"vehicleId", &j.vehicleID, "vehicle", func(id int64) bool { _, ok := f.vehicleByID[id]; return ok }},
		{"driverId", &j.driverID, "driver", f.hasDriver},
	} {
		raw, ok := b[ref.name]
		if !ok {
			continue
		}
		id, ok := decodeInt(raw)
		switch {
		case !ok:
			v.fail(ref.name, "must be an integer")
		case id != nil && !ref.exists(*id):
			v.fail(ref.name, "%s %d does not exist", ref.noun, *id)
		default:
			*ref.dst = id
		}
	}
	if raw, ok := b["address"]; ok {
		if s, ok := decodeString(raw); ok {
			j.address = s
		} else {
			v.fail("address", "must be a string")
		}
	}
	for _, coord := range []struct {
		name  string
		dst   **float64
		check func(float64, string, *validation) bool
	}{{"latitude", &j.latitude, checkLatitude}, {"longitude", &j.longitude, checkLongitude}} {
		raw, ok := b[coord.name]
		if !ok {
			continue
		}
		x, ok := decodeFloat(raw)
		switch {
		case !ok:
			v.fail(coord.name, "must be a number")
		case x == nil || coord.check(*x, coord.name, v):
			*coord.dst = x
		}
	}
	for _, at := range []struct {
		name string
		dst  **int64
	}{{"scheduledAt", &j.scheduledAt}, {"completedAt", &j.completedAt}} {
		raw, ok := b[at.name]
		if !ok {
			continue
		}
		if ms, ok := decodeInt(raw); ok {
			*at.dst = ms
		} else {
			v.fail(at.name, "must be a time in epoch milliseconds")
		}
	}
}

func (s *Server) listJobs(c *call) reply {
	vehicleID, hasVehicle, err := queryInt(c, "vehicleId")
	if err != nil {
		return err.reply()
	}
	status := c.query.Get("status")
	if status != "" && !slices.Contains(jobStatuses, status) {
		return badRequest("status must be one of %s", strings.Join(jobStatuses, ", ")).reply()
	}
	s.store.mu.Lock()
	all := sortedByID(s.store.jobs)
	s.store.mu.Unlock()
	items := all[:0]
	for _, o := range all {
		j := o.(job)
		if hasVehicle && (j.vehicleID == nil || *j.vehicleID != vehicleID) || status != "" && j.status != status {
			continue
		}
		items = append(items, j)
	}
	return s.list(c, jobSchema, items)
}

func (s *Server) getJob(c *call) reply {
	id, err := c.pathID(0, "job")
	if err != nil {
		return err.reply()
	}
	s.store.mu.Lock()
	j, ok := s.store.jobs[id]
	s.store.mu.Unlock()
	if !ok {
		return notFound("job", id).reply()
	}
	return s.one(c, jobSchema, j)
}

// jobs are written by createJob and updateJob; a new job's status is "new".
var jobs = writable[job]{
	schema: jobSchema,
	table:  func(st *store) map[int64]job { return st.jobs },
	next:   func(st *store) *int64 { return &st.nextJob },
	apply:  func(s *Server, j *job, b body, create bool, v *validation) { j.apply(b, create, s.fleet, v) },
	setID:  func(j *job, id int64) { j.id = id },
}

func (s *Server) createJob(c *call) reply { return create(s, c, jobs, job{status: "new"}) }

func (s *Server) updateJob(c *call) reply { return update(s, c, jobs) }

func (s *Server) deleteJob(c *call) reply {
	return s.deleteFrom(c, "job", func(id int64) bool {
		_, ok := s.store.jobs[id]
		delete(s.store.jobs, id)
		return ok
	})
}

// deleteFrom serves a DELETE: remove is called under the store's lock and reports
// whether the object existed.
func (s *Server) deleteFrom(c *call, noun string, remove func(id int64) bool) reply {
	if err := requireWrite(c); err != nil {
		return err.reply()
	}
	id, err := c.pathID(0, noun)
	if err != nil {
		return err.reply()
	}
	s.store.mu.Lock()
	ok := remove(id)
	s.store.mu.Unlock()
	if !ok {
		return notFound(noun, id).reply()
	}
	return reply{status: http.StatusNoContent}
}
