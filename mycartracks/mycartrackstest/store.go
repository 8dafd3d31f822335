package mycartrackstest

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// store holds what clients can write: jobs, geofences and map sharing links. Stored
// values are never modified in place: an update stores a new value, so a value read under
// the lock can be served after it is released.
type store struct {
	seed  uint64
	fleet *fleet

	mu        sync.Mutex
	jobs      map[int64]job
	geofences map[int64]geofence
	links     map[int64]link
	// next ids; ids are never reused, even after a delete
	nextJob, nextGeofence, nextLink int64
}

// newStore seeds the account with a job per vehicle and a geofence per depot.
func newStore(f *fleet) *store {
	s := &store{
		seed:      f.seed,
		fleet:     f,
		jobs:      map[int64]job{},
		geofences: map[int64]geofence{},
		links:     map[int64]link{},
		nextJob:   firstJobID, nextGeofence: firstGeofenceID, nextLink: firstLinkID,
	}
	r := newRNG(f.seed, 8)
	for i, v := range f.vehicles {
		status := jobStatuses[i%len(jobStatuses)]
		lat := round(v.city.lat+r.between(-0.03, 0.03), 1e6)
		lng := round(v.city.lon+r.between(-0.03, 0.03), 1e6)
		address := fmt.Sprintf("%s %d, %s", v.city.street, 1+r.intn(120), v.city.name)
		scheduled := f.start.Add(time.Duration(i+1) * time.Hour).UnixMilli()
		j := job{
			id: s.nextJob, name: "Delivery " + address, status: status,
			vehicleID: &v.id, driverID: &f.drivers[i].id, address: &address,
			latitude: &lat, longitude: &lng, scheduledAt: &scheduled,
		}
		if status == "completed" {
			done := scheduled + int64(20+r.intn(40))*60_000
			j.completedAt = &done
		}
		s.jobs[j.id] = j
		s.nextJob++
	}
	for i := range min(len(f.vehicles), len(cities)) {
		c := &cities[i]
		radius := 250.0
		g := geofence{id: s.nextGeofence, name: c.name + " depot", kind: "circle",
			center: &latLng{c.lat, c.lon}, radius: &radius}
		s.geofences[g.id] = g
		s.nextGeofence++
	}
	if len(f.vehicles) > 0 {
		c := &cities[0]
		g := geofence{id: s.nextGeofence, name: c.name + " low-emission zone", kind: "polygon",
			points: []latLng{
				{round(c.lat-0.02, 1e6), round(c.lon-0.03, 1e6)}, {round(c.lat-0.02, 1e6), round(c.lon+0.03, 1e6)},
				{round(c.lat+0.02, 1e6), round(c.lon+0.03, 1e6)}, {round(c.lat+0.02, 1e6), round(c.lon-0.03, 1e6)},
			}}
		s.geofences[g.id] = g
		s.nextGeofence++
	}
	return s
}

// sortedByID returns the values of m as objects, by id.
func sortedByID[T object](m map[int64]T) []object {
	out := make([]object, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b object) int { return cmpInt(a.objectID(), b.objectID()) })
	return out
}

func (f *fleet) hasDriver(id int64) bool {
	return slices.ContainsFunc(f.drivers, func(d *driver) bool { return d.id == id })
}
