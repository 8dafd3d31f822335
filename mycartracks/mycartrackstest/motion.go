package mycartrackstest

import (
	"math"
	"sync"
	"time"
)

const (
	// earthRadius is the mean radius the haversine formula is usually given with.
	earthRadius     = 6371000.0
	metresPerDegree = earthRadius * math.Pi / 180
	// pointIDFactor separates the trackpoint ids of two tracks: id = track id ×
	// pointIDFactor + index.
	pointIDFactor = MaxPointsPerTrack
)

// route is a vehicle's endless road: a large loop around a centre with two smaller
// wiggles on it, parametrised by distance u along it. Every position is computed on its
// own, in constant time, and the tangent's length never reaches zero, so the vehicle
// always faces where it goes. Coordinates are metres east (x) and north (y) of the city
// centre.
type route struct {
	lat0, lon0, alt0 float64
	lonScale         float64 // metres per degree of longitude at the city
	cx, cy           float64
	// Term m contributes amp[m]·e^{i(freq[m]·u + phase[m])} to the tangent; amp[0] is 1.
	amp, freq, phase [3]float64
	// norm bounds the tangent's length, so that ground speed never exceeds the drive's.
	norm     float64
	altPhase [2]float64
}

// at returns the position at u and the tangent there.
func (r *route) at(u float64) (x, y, dx, dy float64) {
	x, y = r.cx, r.cy
	for m := range r.amp {
		s, c := math.Sincos(r.freq[m]*u + r.phase[m])
		x += r.amp[m] * s / r.freq[m]
		y -= r.amp[m] * c / r.freq[m]
		dx += r.amp[m] * c
		dy += r.amp[m] * s
	}
	return x, y, dx, dy
}

// drive is a track's speed profile: cycles of accelerating, braking and standing still
// (traffic lights, deliveries). Cycle k peaks at base + swing·sin(k·freq + phase) m/s, so
// the distance covered up to any time has a closed form.
type drive struct {
	step           float64 // seconds between trackpoints
	cycle, moving  float64 // seconds per cycle, of which the first `moving` are driven
	base, swing    float64
	freq, phaseOff float64
}

// at returns the distance driven since the track's start and the speed, in metres and
// metres per second, t seconds after the start.
func (d *drive) at(t float64) (dist, speed float64) {
	k := math.Floor(t / d.cycle)
	tau := t - k*d.cycle
	var peaks float64 // Σ sin(j·freq + phase), j < k
	if k > 0 {
		peaks = math.Sin(k*d.freq/2) * math.Sin(d.phaseOff+(k-1)*d.freq/2) / math.Sin(d.freq/2)
	}
	dist = d.moving / 2 * (k*d.base + d.swing*peaks)
	peak := d.base + d.swing*math.Sin(k*d.freq+d.phaseOff)
	if tau >= d.moving {
		return dist + peak*d.moving/2, 0
	}
	s, c := math.Sincos(2 * math.Pi * tau / d.moving)
	return dist + peak*(tau/2-d.moving/(4*math.Pi)*s), peak * (1 - c) / 2
}

// point is one trackpoint as served: every value already rounded to the precision it is
// written with, so that summaries computed from points match what clients decode.
type point struct {
	id, time                                int64 // time in epoch milliseconds
	lat, lon, alt, speed, bearing, accuracy float64
}

// track is one simulated trip. Its points are computed on demand from its parameters.
type track struct {
	id        int64
	vehicle   *vehicle
	n         int
	start     int64 // epoch milliseconds of the first point
	stepMs    int64
	u0        float64 // where on the vehicle's route the track starts
	drive     drive
	name      string
	category  string
	pointSeed uint64

	summaryOnce sync.Once
	sum         summary
}

func (t *track) end() int64 {
	if t.n == 0 {
		return t.start
	}
	return t.start + int64(t.n-1)*t.stepMs
}

func (t *track) startTime() time.Time { return time.UnixMilli(t.start).UTC() }
func (t *track) endTime() time.Time   { return time.UnixMilli(t.end()).UTC() }

// uEnd returns where on the route the track ends.
func (t *track) uEnd() float64 {
	if t.n == 0 {
		return t.u0
	}
	dist, _ := t.drive.at(float64(t.n-1) * t.drive.step)
	return t.u0 + dist/t.vehicle.route.norm
}

// point computes the i-th trackpoint (0 ≤ i < n) in constant time.
func (t *track) point(i int) point {
	r := &t.vehicle.route
	dist, v := t.drive.at(float64(i) * t.drive.step)
	x, y, dx, dy := r.at(t.u0 + dist/r.norm)
	bearing := round(math.Atan2(dx, dy)*180/math.Pi, 10)
	if bearing < 0 {
		bearing += 360
	}
	if bearing >= 360 {
		bearing -= 360
	}
	alt := r.alt0 + 18*math.Sin(x/1700+r.altPhase[0]) + 9*math.Sin(y/900+r.altPhase[1])
	return point{
		id:       t.id*pointIDFactor + int64(i),
		time:     t.start + int64(i)*t.stepMs,
		lat:      round(r.lat0+y/metresPerDegree, 1e6),
		lon:      round(r.lon0+x/r.lonScale, 1e6),
		alt:      round(alt, 10),
		speed:    round(v*math.Hypot(dx, dy)/r.norm*3.6, 10),
		bearing:  bearing,
		accuracy: 3 + float64(mix(t.pointSeed, uint64(i))%121)/10,
	}
}

// summary is what a track listing reports about the points.
type summary struct {
	distance           float64 // kilometres, to the metre
	totalMs, movingMs  int64
	maxSpeed, avgSpeed float64 // km/h
}

// summary computes the track's totals from its points once, on first use: the distance
// is the haversine sum over consecutive points, the moving time the sum of the intervals
// whose two points differ, the average speed the distance over the moving time.
func (t *track) summary() summary {
	t.summaryOnce.Do(func() {
		if t.n == 0 {
			return
		}
		prev := t.point(0)
		var metres float64
		s := summary{maxSpeed: prev.speed, totalMs: t.end() - t.start}
		for i := 1; i < t.n; i++ {
			p := t.point(i)
			if d := haversine(prev.lat, prev.lon, p.lat, p.lon); d > 0 {
				metres += d
				s.movingMs += t.stepMs
			}
			s.maxSpeed = max(s.maxSpeed, p.speed)
			prev = p
		}
		s.distance = round(metres/1000, 1000)
		if s.movingMs > 0 {
			s.avgSpeed = round(metres/1000/(float64(s.movingMs)/3.6e6), 10)
		}
		t.sum = s
	})
	return t.sum
}

// haversine returns the great-circle distance in metres between two points given in
// degrees.
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	sinLat := math.Sin((lat2 - lat1) * rad / 2)
	sinLon := math.Sin((lon2 - lon1) * rad / 2)
	a := sinLat*sinLat + math.Cos(lat1*rad)*math.Cos(lat2*rad)*sinLon*sinLon
	return 2 * earthRadius * math.Asin(math.Sqrt(min(a, 1)))
}

// round rounds v to 1/scale, without producing a negative zero.
func round(v, scale float64) float64 {
	r := math.Round(v*scale) / scale
	if r == 0 {
		return 0
	}
	return r
}
