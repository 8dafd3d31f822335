package smartcartest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"
)

// motion is a vehicle driving in a circle around where Drive found it.
type motion struct {
	lat0, lon0  float64 // the circle's centre
	radius      float64 // metres
	speed       float64 // metres per second
	reportEvery time.Duration
	since       time.Time
}

// driveRadius is the radius of the circle a driving vehicle follows.
const driveRadius = 2000.0

const metresPerDegree = 6371000.0 * math.Pi / 180

// at returns the location body and the time the vehicle maker last updated it, at now:
// the position at the last report (every reportEvery since Drive).
func (m *motion) at(now time.Time) (lat, lon, heading float64, updated time.Time) {
	elapsed := max(now.Sub(m.since), 0)
	updated = m.since.Add(elapsed - elapsed%m.reportEvery)
	angle := m.speed * updated.Sub(m.since).Seconds() / m.radius
	s, c := math.Sincos(angle)
	lat = m.lat0 + m.radius*s/metresPerDegree
	lon = m.lon0 + m.radius*(1-c)/(metresPerDegree*math.Cos(m.lat0*math.Pi/180))
	// The tangent of (north sin, east 1-cos) is (cos, sin): a bearing of angle.
	heading = math.Mod(math.Atan2(s, c)*180/math.Pi+360, 360)
	return lat, lon, heading, updated
}

var compass = [...]string{"N", "NE", "E", "SE", "S", "SW", "W", "NW"}

// Drive makes a vehicle move: from its current location it drives a circle of 2 km
// radius at speedKmh, and its maker updates the location every reportEvery (at least a
// second), so that location-preciselocation reads a new position and oemUpdatedAt after
// each report and the same one between two. Park stops it where it is. It reports false
// for an unknown vehicle or a non-positive speed.
func (s *Server) Drive(vehicleID string, speedKmh float64, reportEvery time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.vehicleByID(vehicleID)
	if v == nil || speedKmh <= 0 {
		return false
	}
	lat, lon := v.location(s.clock.Now())
	v.motion = &motion{lat0: lat, lon0: lon, radius: driveRadius, speed: speedKmh / 3.6, reportEvery: max(reportEvery, time.Second), since: s.clock.Now()}
	return true
}

// Park stops a vehicle that Drive set moving, leaving its location where it was last
// reported.
func (s *Server) Park(vehicleID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.vehicleByID(vehicleID); v != nil && v.motion != nil {
		if sig := v.current(v.signal(locationCode), s.clock.Now()); sig != nil {
			v.put(*sig)
		}
		v.motion = nil
	}
}

const locationCode = "location-preciselocation"

// location returns the vehicle's location at now.
func (v *vehicle) location(now time.Time) (lat, lon float64) {
	if v.motion != nil {
		lat, lon, _, _ = v.motion.at(now)
		return lat, lon
	}
	var b struct{ Latitude, Longitude float64 }
	if sig := v.signal(locationCode); sig != nil {
		_ = json.Unmarshal(sig.Body, &b)
	}
	return b.Latitude, b.Longitude
}

// current returns sig as read at now: a driving vehicle's location moves.
func (v *vehicle) current(sig *SignalState, now time.Time) *SignalState {
	if sig == nil || sig.Code != locationCode || v.motion == nil {
		return sig
	}
	lat, lon, heading, updated := v.motion.at(now)
	cur := *sig
	cur.Status = "SUCCESS"
	cur.Body = location(math.Round(lat*1e6)/1e6, math.Round(lon*1e6)/1e6, math.Round(heading), compass[int(math.Round(heading/45))%8])
	cur.OEMUpdatedAt, cur.RetrievedAt = updated, now
	return &cur
}

// AddVehicles connects n more simulated vehicles (electric, like the Bolt, around
// Minneapolis) to userID, creating the user when it is new, and returns their ids:
// fleets of any size for tests of many vehicles.
func (s *Server) AddVehicles(userID string, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[userID] == nil {
		s.users[userID] = &user{}
	}
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		s.added++
		k := s.added
		id := fmt.Sprintf("8c1d5e00-0000-4000-8000-%012d", k)
		v := &vehicle{id: id, make: "CHEVROLET", model: "Bolt EV", year: 2021, mode: "simulated", owner: userID,
			permissions: []string{"read_vehicle_info", "read_battery", "read_charge", "read_location", "read_odometer", "read_security", "read_vin"}}
		bevSignals(v, float64(20+k%80), 300, 65, float64(1000+k), 44.9778+float64(k%50)*0.01, -93.2650+float64(k/50%50)*0.01, false, fmt.Sprintf("1G1FY6S0%09d", k))
		s.vehicles = append(s.vehicles, v)
		created := Epoch.AddDate(0, 0, -1)
		s.connections = append(s.connections, &connection{id: fmt.Sprintf("553c49e4-0000-4000-8000-%012d", k), userID: userID, vehicleID: id, createdAt: created, updatedAt: created})
		ids = append(ids, id)
	}
	return ids
}

// asleepRead answers a signal read of a sleeping vehicle with 409 VEHICLE_STATE:ASLEEP
// under WithSleepingReads, and reports whether it did; s.mu is held.
func (s *Server) asleepRead(w http.ResponseWriter, v *vehicle) bool {
	if !s.cfg.sleepingReads || !v.asleep {
		return false
	}
	s.writeError(w, http.StatusConflict, apiErr{Type: "VEHICLE_STATE", Code: "ASLEEP", Title: "Asleep", Resolution: "RETRY_LATER",
		Detail: "The vehicle is asleep and cannot respond to this request."})
	return true
}
