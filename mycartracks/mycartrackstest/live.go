package mycartrackstest

import (
	"encoding/json"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Defaults of the live stream.
const (
	DefaultLiveInterval  = time.Second
	DefaultLiveHeartbeat = 15 * time.Second
	DefaultStreamTTL     = time.Minute
	DefaultOfflineAfter  = time.Minute
	livePath             = "/live/"
	liveOutBuffer        = 4096
)

// liveConfig is the live part of a server's configuration.
type liveConfig struct {
	interval, heartbeat, ttl, offlineAfter time.Duration
}

// WithLiveInterval sets how often, on the server's clock, the simulated vehicles move and
// position frames go out (default one second). With the system clock the server moves
// them itself from the first stream created on; with any other clock (a telematics/clocktest clock) they move only when
// LiveTick is called, so that a test decides when time passes.
func WithLiveInterval(d time.Duration) Option { return func(c *config) { c.live.interval = d } }

// WithLiveHeartbeat sets the interval of heartbeat frames (default 15 s).
func WithLiveHeartbeat(d time.Duration) Option { return func(c *config) { c.live.heartbeat = d } }

// WithStreamTTL sets how long a created stream's URL may be used to connect (default one
// minute). A URL is good for one connection only.
func WithStreamTTL(d time.Duration) Option { return func(c *config) { c.live.ttl = d } }

// WithOfflineAfter sets how long a vehicle that stopped reporting stays silent before its
// offline event (default one minute).
func WithOfflineAfter(d time.Duration) Option { return func(c *config) { c.live.offlineAfter = d } }

// liveSim moves the vehicles and serves the live streams.
type liveSim struct {
	s   *Server
	cfg liveConfig

	mu            sync.Mutex
	vehicles      map[int64]*liveVehicle
	order         []int64
	streams       map[string]*liveStream
	conns         map[*liveConn]struct{}
	refuseNext    []int
	refuseAll     int
	lastHeartbeat time.Time
	created       int
	ticking       bool
	stopTick      func() bool // cancels the pending tick
	urls          []string
	rejectDials   int
	changed       chan struct{} // closed and replaced when conns changes

	wg   sync.WaitGroup
	stop chan struct{}
	once sync.Once
}

type liveVehicle struct {
	v           *vehicle
	u, speed    float64 // position on the route; metres per second
	p           point
	reporting   bool
	never       bool
	lastReport  time.Time
	offlineSent bool
}

type liveStream struct {
	token     string
	expiresAt time.Time
	used      bool
	vehicles  map[int64]bool // nil: every vehicle
}

type liveConn struct {
	vehicles map[int64]bool
	out      chan []byte
	drop     chan struct{}
	dropOnce sync.Once
	silent   bool   // under liveSim.mu
	closing  []byte // an error frame after which the server closes normally
}

func newLiveSim(s *Server) *liveSim {
	cfg := s.cfg.live
	if cfg.interval <= 0 {
		cfg.interval = DefaultLiveInterval
	}
	if cfg.heartbeat <= 0 {
		cfg.heartbeat = DefaultLiveHeartbeat
	}
	if cfg.ttl <= 0 {
		cfg.ttl = DefaultStreamTTL
	}
	if cfg.offlineAfter <= 0 {
		cfg.offlineAfter = DefaultOfflineAfter
	}
	l := &liveSim{s: s, cfg: cfg, vehicles: map[int64]*liveVehicle{}, streams: map[string]*liveStream{}, conns: map[*liveConn]struct{}{}, stop: make(chan struct{}), changed: make(chan struct{})}
	now := s.cfg.clock.Now()
	l.lastHeartbeat = now
	for _, v := range s.fleet.vehicles {
		// Every vehicle that ever reported drives on; StopReporting silences one.
		lv := &liveVehicle{v: v, speed: (25 + float64(v.id%7)*6) / 3.6, reporting: true}
		last := v.lastPosition()
		if last.p != nil {
			lv.p = *last.p
			lv.u = v.tracks[len(v.tracks)-1].uEnd()
		} else {
			// A vehicle that never reported stays so: no fix, no frames.
			lv.never, lv.reporting, lv.offlineSent = true, false, true
		}
		lv.lastReport = time.UnixMilli(lv.p.time)
		l.vehicles[v.id] = lv
		l.order = append(l.order, v.id)
	}
	return l
}

// startTickingLocked starts moving the vehicles on the system clock, at the first
// stream, so that the REST data stays as generated until a client goes live; l.mu is
// held.
func (l *liveSim) startTickingLocked() {
	if l.ticking || l.s.cfg.clock != telematics.SystemClock {
		return
	}
	select {
	case <-l.stop:
		return
	default:
	}
	l.ticking = true
	l.scheduleTickLocked()
}

// scheduleTickLocked arranges the next tick one interval from now on the server's
// clock (telematics.AfterFunc: the clock's own timer when it has one), so that nothing
// in the fake reads the wall clock directly; l.mu is held.
func (l *liveSim) scheduleTickLocked() {
	l.wg.Add(1)
	l.stopTick = telematics.AfterFunc(l.s.cfg.clock, l.cfg.interval, func() {
		defer l.wg.Done()
		select {
		case <-l.stop:
			return
		default:
		}
		l.s.LiveTick()
		l.mu.Lock()
		defer l.mu.Unlock()
		select {
		case <-l.stop:
		default:
			l.scheduleTickLocked()
		}
	})
}

// close stops the ticker, ends every connection and waits for their handlers.
func (l *liveSim) close() {
	l.once.Do(func() {
		l.mu.Lock()
		close(l.stop)
		if l.stopTick != nil && l.stopTick() {
			l.wg.Done() // the pending tick will not run
		}
		for c := range l.conns {
			c.dropOnce.Do(func() { close(c.drop) })
		}
		l.mu.Unlock()
		l.wg.Wait()
	})
}

// pointAt computes the vehicle's fix at route position u and time ms.
func (lv *liveVehicle) pointAt(u float64, ms int64) point {
	r := &lv.v.route
	x, y, dx, dy := r.at(u)
	bearing := round(math.Atan2(dx, dy)*180/math.Pi, 10)
	if bearing < 0 {
		bearing += 360
	}
	if bearing >= 360 {
		bearing -= 360
	}
	return point{
		time:     ms,
		lat:      round(r.lat0+y/metresPerDegree, 1e6),
		lon:      round(r.lon0+x/r.lonScale, 1e6),
		speed:    round(lv.speed*math.Hypot(dx, dy)/r.norm*3.6, 10),
		bearing:  bearing,
		accuracy: 5,
	}
}

// LiveTick moves every reporting vehicle to the server clock's time and sends its
// position to the connected streams that selected it, a heartbeat when one is due, and
// an offline event for each vehicle silent for the offline delay. The server calls it
// itself at the live interval on the system clock; tests on a manual clock call it.
func (s *Server) LiveTick() {
	l := s.live
	now := s.cfg.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range l.order {
		lv := l.vehicles[id]
		if !lv.reporting {
			if !lv.offlineSent && now.Sub(lv.lastReport) >= l.cfg.offlineAfter {
				lv.offlineSent = true
				l.broadcastLocked(id, offlineFrame(lv, now))
			}
			continue
		}
		dt := now.Sub(time.UnixMilli(lv.p.time)).Seconds()
		ms := max(now.UnixMilli(), lv.p.time+1)
		if dt > 0 {
			lv.u += lv.speed * dt / lv.v.route.norm
		}
		lv.p = lv.pointAt(lv.u, ms)
		lv.lastReport = now
		l.broadcastLocked(id, positionFrame(lv))
	}
	if now.Sub(l.lastHeartbeat) >= l.cfg.heartbeat {
		l.lastHeartbeat = now
		l.broadcastLocked(0, []byte(`{"type":"heartbeat","time":`+strconv.FormatInt(now.UnixMilli(), 10)+`}`))
	}
}

// broadcastLocked queues a frame for every live connection that selected vehicle id (0:
// every connection); a connection that cannot keep up is dropped.
func (l *liveSim) broadcastLocked(id int64, frame []byte) {
	for c := range l.conns {
		if c.silent || (id != 0 && c.vehicles != nil && !c.vehicles[id]) {
			continue
		}
		select {
		case c.out <- frame:
		default:
			c.dropOnce.Do(func() { close(c.drop) })
		}
	}
}

func positionFrame(lv *liveVehicle) []byte {
	b := make([]byte, 0, 224)
	b = append(b, `{"type":"position","vehicleId":`...)
	b = strconv.AppendInt(b, lv.v.id, 10)
	b = append(b, `,"position":`...)
	// The fix has the trackpoint fields, written as the REST trackpoints are.
	b = appendPoint(b, &lv.p, allPointFields)
	return append(b, '}')
}

func offlineFrame(lv *liveVehicle, now time.Time) []byte {
	b, _ := json.Marshal(map[string]any{
		"type": "offline", "vehicleId": lv.v.id, "time": now.UnixMilli(),
		"lastPosition": map[string]any{"time": lv.p.time, "latitude": lv.p.lat, "longitude": lv.p.lon, "speed": lv.p.speed, "bearing": lv.p.bearing},
	})
	return b
}

// livePoint returns the vehicle's current fix as the last-positions endpoint serves it.
func (s *Server) livePoint(v *vehicle) lastPosition {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	lv := l.vehicles[v.id]
	if lv == nil || lv.never {
		return v.lastPosition()
	}
	p := lv.p
	return lastPosition{v: v, p: &p}
}

// LivePositions returns every vehicle's current simulated position by vehicle id: what
// a client following the live stream must end up with.
func (s *Server) LivePositions() map[int64]Trackpoint {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[int64]Trackpoint, len(l.vehicles))
	for id, lv := range l.vehicles {
		if lv.never {
			continue
		}
		out[id] = Trackpoint{Time: time.UnixMilli(lv.p.time).UTC(), Latitude: lv.p.lat, Longitude: lv.p.lon, Speed: lv.p.speed, Bearing: lv.p.bearing, Accuracy: lv.p.accuracy}
	}
	return out
}

// StopReporting makes a vehicle stop sending positions; its offline event follows after
// the offline delay (WithOfflineAfter). ResumeReporting undoes it.
func (s *Server) StopReporting(vehicleID int64) { s.setReporting(vehicleID, false) }

// ResumeReporting makes a vehicle send positions again.
func (s *Server) ResumeReporting(vehicleID int64) { s.setReporting(vehicleID, true) }

func (s *Server) setReporting(id int64, on bool) {
	l := s.live
	l.mu.Lock()
	defer l.mu.Unlock()
	if lv := l.vehicles[id]; lv != nil && !lv.never {
		lv.reporting, lv.offlineSent = on, false
	}
}
