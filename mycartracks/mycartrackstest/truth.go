package mycartrackstest

import (
	"slices"
	"time"
)

// Fleet is the simulated account the server serves, for assertions: what a client that
// pages through everything must end up with, no item missing or repeated.
type Fleet struct {
	// Start is the fleet start (WithFleetStart): every track ends before it.
	Start    time.Time
	Vehicles []Vehicle
	Groups   []Group
}

// Vehicle is a simulated vehicle.
type Vehicle struct {
	ID       int64
	Name     string
	GroupIDs []int64
	// Tracks are in chronological order.
	Tracks []Track
}

// Group is a simulated vehicle group.
type Group struct {
	ID         int64
	Name       string
	VehicleIDs []int64
}

// Track is a simulated track.
type Track struct {
	ID, VehicleID int64
	// Start and End are the times of the first and last points, in UTC.
	Start, End time.Time
	// Points is the number of trackpoints.
	Points int
}

// TrackSummary is what the API reports about a track's points.
type TrackSummary struct {
	// Distance in kilometres: the haversine sum over consecutive points (earth radius
	// 6371 km), rounded to the metre.
	Distance float64
	// TotalTime spans the first to the last point; MovingTime sums the intervals
	// between consecutive points whose positions differ.
	TotalTime, MovingTime time.Duration
	// MaxSpeed is the highest point speed, AvgSpeed the distance over the moving time,
	// both in km/h.
	MaxSpeed, AvgSpeed float64
}

// Trackpoint is one point as the API serves it.
type Trackpoint struct {
	ID   int64
	Time time.Time
	// Latitude and Longitude in degrees (6 decimals), Altitude in metres, Speed in
	// km/h, Bearing in degrees clockwise from north, Accuracy in metres.
	Latitude, Longitude, Altitude, Speed, Bearing, Accuracy float64
}

// Fleet returns the simulated account. It is the same for servers built with the same
// options and does not change while the server runs.
func (s *Server) Fleet() Fleet {
	f := Fleet{Start: s.fleet.start}
	for _, v := range s.fleet.vehicles {
		fv := Vehicle{ID: v.id, Name: v.name, GroupIDs: slices.Clone(v.groupIDs)}
		for _, t := range v.tracks {
			fv.Tracks = append(fv.Tracks, t.truth())
		}
		f.Vehicles = append(f.Vehicles, fv)
	}
	for _, g := range s.fleet.groups {
		f.Groups = append(f.Groups, Group{ID: g.id, Name: g.name, VehicleIDs: slices.Clone(g.vehicleIDs)})
	}
	return f
}

// Tracks returns every track in the order /tracks2 serves them by default: by start
// time, then id.
func (f Fleet) Tracks() []Track {
	var all []Track
	for _, v := range f.Vehicles {
		all = append(all, v.Tracks...)
	}
	slices.SortFunc(all, func(a, b Track) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmpInt(a.ID, b.ID)
	})
	return all
}

// VehicleIDs returns the ids of the vehicles, ascending.
func (f Fleet) VehicleIDs() []int64 {
	ids := make([]int64, len(f.Vehicles))
	for i, v := range f.Vehicles {
		ids[i] = v.ID
	}
	return ids
}

func (t *track) truth() Track {
	return Track{ID: t.id, VehicleID: t.vehicle.id, Start: t.startTime(), End: t.endTime(), Points: t.n}
}

// TrackSummary returns the totals the API reports for a track, computing them on first
// use (in time proportional to the number of points). ok is false for an unknown track.
func (s *Server) TrackSummary(trackID int64) (sum TrackSummary, ok bool) {
	t, ok := s.fleet.trackByID[trackID]
	if !ok {
		return TrackSummary{}, false
	}
	x := t.summary()
	return TrackSummary{
		Distance:   x.distance,
		TotalTime:  time.Duration(x.totalMs) * time.Millisecond,
		MovingTime: time.Duration(x.movingMs) * time.Millisecond,
		MaxSpeed:   x.maxSpeed,
		AvgSpeed:   x.avgSpeed,
	}, true
}

// Trackpoint returns the index-th point of a track (0-based, in time order), computed in
// constant time. ok is false for an unknown track or an index out of range.
func (s *Server) Trackpoint(trackID int64, index int) (p Trackpoint, ok bool) {
	t, ok := s.fleet.trackByID[trackID]
	if !ok || index < 0 || index >= t.n {
		return Trackpoint{}, false
	}
	x := t.point(index)
	return Trackpoint{
		ID: x.id, Time: time.UnixMilli(x.time).UTC(),
		Latitude: x.lat, Longitude: x.lon, Altitude: x.alt,
		Speed: x.speed, Bearing: x.bearing, Accuracy: x.accuracy,
	}, true
}
