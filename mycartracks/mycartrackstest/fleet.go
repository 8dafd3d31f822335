package mycartrackstest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// First ids of each kind of object. They differ so that an id passed to the wrong
// endpoint is likely to be a 404 rather than another object.
const (
	firstVehicleID  = 1001
	firstGroupID    = 501
	firstTrackID    = 700001
	firstUserID     = 201
	firstDriverID   = 3001
	firstTeamID     = 401
	firstJobID      = 5001
	firstGeofenceID = 8001
	firstLinkID     = 9001
)

type city struct {
	name          string
	lat, lon, alt float64
	phone         string // calling code and area code
	street        string
	plate         func(r *rng) string
}

var cities = []city{
	{"Berlin", 52.5200, 13.4050, 34, "+49 30", "Friedrichstraße", func(r *rng) string {
		return fmt.Sprintf("B-%s %d", letters(r, 2), 100+r.intn(9900))
	}},
	{"Paris", 48.8566, 2.3522, 35, "+33 1", "Rue de Rivoli", func(r *rng) string {
		return fmt.Sprintf("%s-%03d-%s", letters(r, 2), r.intn(1000), letters(r, 2))
	}},
	{"Madrid", 40.4168, -3.7038, 657, "+34 91", "Calle de Alcalá", func(r *rng) string {
		return fmt.Sprintf("%04d %s", r.intn(10000), letters(r, 3))
	}},
	{"Rome", 41.9028, 12.4964, 21, "+39 06", "Via del Corso", func(r *rng) string {
		return fmt.Sprintf("%s %03d %s", letters(r, 2), r.intn(1000), letters(r, 2))
	}},
	{"Amsterdam", 52.3676, 4.9041, -2, "+31 20", "Damrak", func(r *rng) string {
		return fmt.Sprintf("%d-%s-%d", 1+r.intn(99), letters(r, 3), r.intn(10))
	}},
	{"Vienna", 48.2082, 16.3738, 190, "+43 1", "Kärntner Straße", func(r *rng) string {
		return fmt.Sprintf("W-%d%s", 1000+r.intn(90000), letters(r, 1))
	}},
	{"Prague", 50.0755, 14.4378, 235, "+420 2", "Václavské náměstí", func(r *rng) string {
		return fmt.Sprintf("%dA%s %04d", 1+r.intn(9), letters(r, 1), r.intn(10000))
	}},
	{"Lisbon", 38.7223, -9.1393, 45, "+351 21", "Rua Augusta", func(r *rng) string {
		return fmt.Sprintf("%s-%02d-%s", letters(r, 2), r.intn(100), letters(r, 2))
	}},
}

var models = []struct{ name, wmi string }{
	{"Ford Transit", "WF0"}, {"Volkswagen Crafter", "WV1"}, {"Renault Kangoo", "VF1"},
	{"Škoda Octavia Combi", "TMB"}, {"Mercedes-Benz Sprinter", "WDB"}, {"Fiat Ducato", "ZFA"},
	{"Peugeot Partner", "VF3"}, {"Toyota Corolla", "SB1"},
}

var roles = []string{"Delivery van", "Service vehicle", "Pool car", "Sales car", "Courier"}

// People's names, displayed and folded to ASCII for e-mail addresses.
var (
	firstNames = [][2]string{
		{"Anna", "anna"}, {"Lukas", "lukas"}, {"Marie", "marie"}, {"José", "jose"},
		{"Sofia", "sofia"}, {"Jan", "jan"}, {"Chloé", "chloe"}, {"Matteo", "matteo"},
		{"Eva", "eva"}, {"Tomáš", "tomas"}, {"Lucía", "lucia"}, {"Pieter", "pieter"},
		{"Jürgen", "jurgen"}, {"Inês", "ines"}, {"Marco", "marco"}, {"Zoë", "zoe"},
	}
	lastNames = [][2]string{
		{"Müller", "muller"}, {"Dubois", "dubois"}, {"García", "garcia"}, {"Rossi", "rossi"},
		{"de Vries", "devries"}, {"Novák", "novak"}, {"Gruber", "gruber"}, {"Silva", "silva"},
		{"Schmidt", "schmidt"}, {"Bernard", "bernard"}, {"Fernández", "fernandez"},
		{"Bianchi", "bianchi"}, {"Jansen", "jansen"}, {"Dvořák", "dvorak"}, {"Huber", "huber"},
		{"Santos", "santos"},
	}
)

type vehicle struct {
	id                int64
	name, description string
	licensePlate, vin string
	groupIDs          []int64
	city              *city
	route             route
	tracks            []*track // chronological
	online            bool
	regional          bool
}

type group struct {
	id         int64
	name       string
	vehicleIDs []int64
}

type user struct {
	id          int64
	name, email string
}

type driver struct {
	id          int64
	name, phone string
}

type team struct {
	id        int64
	name      string
	memberIDs []int64
}

// fleet is the read-only simulated account. It is built once and never changes, so it
// is read without locks.
type fleet struct {
	seed        uint64
	start       time.Time
	vehicles    []*vehicle
	vehicleByID map[int64]*vehicle
	groups      []*group
	tracks      []*track // by start time, then id: the default order of /tracks2
	trackByID   map[int64]*track
	users       []*user
	drivers     []*driver
	teams       []*team
}

func newFleet(cfg *config) *fleet {
	f := &fleet{
		seed:        uint64(cfg.seed),
		start:       cfg.fleetStart,
		vehicleByID: map[int64]*vehicle{},
		trackByID:   map[int64]*track{},
	}
	cityGroups := min(cfg.vehicles, len(cities))
	for i := range cityGroups {
		f.groups = append(f.groups, &group{id: firstGroupID + int64(i), name: cities[i].name + " depot"})
	}
	var refrigerated *group
	if cfg.vehicles > 0 {
		refrigerated = &group{id: firstGroupID + int64(cityGroups), name: "Refrigerated"}
		f.groups = append(f.groups, refrigerated)
	}
	for i := range cfg.vehicles {
		v := f.newVehicle(i, cfg)
		home := f.groups[i%len(cities)]
		home.vehicleIDs = append(home.vehicleIDs, v.id)
		v.groupIDs = []int64{home.id}
		if i%3 == 0 {
			refrigerated.vehicleIDs = append(refrigerated.vehicleIDs, v.id)
			v.groupIDs = append(v.groupIDs, refrigerated.id)
		}
		f.vehicles = append(f.vehicles, v)
		f.vehicleByID[v.id] = v
		for _, t := range v.tracks {
			f.tracks = append(f.tracks, t)
			f.trackByID[t.id] = t
		}
	}
	slices.SortFunc(f.tracks, func(a, b *track) int {
		if a.start != b.start {
			return cmpInt(a.start, b.start)
		}
		return cmpInt(a.id, b.id)
	})

	people := newRNG(f.seed, 3)
	for i := range 2 + (cfg.vehicles+4)/5 {
		first, last := firstNames[people.intn(len(firstNames))], lastNames[people.intn(len(lastNames))]
		f.users = append(f.users, &user{
			id:    firstUserID + int64(i),
			name:  first[0] + " " + last[0],
			email: fmt.Sprintf("%s.%s%d@fleet.example", first[1], last[1], i+1),
		})
	}
	for i, v := range f.vehicles {
		first, last := firstNames[people.intn(len(firstNames))], lastNames[people.intn(len(lastNames))]
		f.drivers = append(f.drivers, &driver{
			id:    firstDriverID + int64(i),
			name:  first[0] + " " + last[0],
			phone: fmt.Sprintf("%s %03d %04d", v.city.phone, people.intn(1000), people.intn(10000)),
		})
	}
	f.teams = []*team{
		{id: firstTeamID, name: "Day shift", memberIDs: []int64{}},
		{id: firstTeamID + 1, name: "Night shift", memberIDs: []int64{}},
	}
	for i, d := range f.drivers {
		t := f.teams[i%2]
		t.memberIDs = append(t.memberIDs, d.id)
	}
	return f
}

func (f *fleet) newVehicle(i int, cfg *config) *vehicle {
	r := newRNG(f.seed, 1, uint64(i))
	c := &cities[i%len(cities)]
	m := models[r.intn(len(models))]
	v := &vehicle{id: firstVehicleID + int64(i), city: c, regional: r.float() < 0.3}
	v.licensePlate = c.plate(r)
	v.name = m.name + " " + v.licensePlate
	v.description = roles[r.intn(len(roles))] + ", " + c.name + " depot"
	if i == 2 {
		v.description = `Pool car "Blue", ` + c.name + " depot"
	}
	v.vin = m.wmi + vinChars(r, 14)

	ro := &v.route
	ro.lat0, ro.lon0, ro.alt0 = c.lat, c.lon, c.alt
	ro.lonScale = metresPerDegree * math.Cos(c.lat*math.Pi/180)
	cityKey := newRNG(uint64(i%len(cities)), 7)
	ro.altPhase = [2]float64{cityKey.between(0, 2*math.Pi), cityKey.between(0, 2*math.Pi)}
	loop, wiggle1, wiggle2 := [2]float64{1500, 5000}, [2]float64{150, 500}, [2]float64{500, 1500}
	if v.regional {
		loop, wiggle1, wiggle2 = [2]float64{8000, 20000}, [2]float64{400, 1200}, [2]float64{1500, 4000}
	}
	ro.cx, ro.cy = r.between(-2000, 2000), r.between(-2000, 2000)
	ro.amp = [3]float64{1, 0.2, 0.1}
	for m, radius := range [3][2]float64{loop, wiggle1, wiggle2} {
		ro.freq[m] = 1 / r.between(radius[0], radius[1])
		if r.float() < 0.5 {
			ro.freq[m] = -ro.freq[m]
		}
		ro.phase[m] = r.between(0, 2*math.Pi)
	}
	ro.norm = ro.amp[0] + ro.amp[1] + ro.amp[2]

	// Tracks are laid out backwards from the fleet start, separated by a few hours; then
	// forwards along the route, each starting where the previous one parked.
	endGap := time.Duration(5+r.intn(235)) * time.Minute
	v.online = endGap < time.Hour
	cursor := cfg.fleetStart.Add(-endGap).UnixMilli()
	v.tracks = make([]*track, cfg.tracksPerVehicle)
	for k := cfg.tracksPerVehicle - 1; k >= 0; k-- {
		t := f.newTrack(v, i, k, cfg)
		t.start = cursor - int64(max(t.n-1, 0))*t.stepMs
		cursor = t.start - int64(1+r.intn(20))*int64(time.Hour/time.Millisecond) - int64(r.intn(3600))*1000
		v.tracks[k] = t
	}
	u := r.between(0, 1e6)
	for _, t := range v.tracks {
		t.u0 = u
		u = t.uEnd()
		t.name = "Trip " + t.startTime().Format("2006-01-02 15:04")
	}
	return v
}

func (f *fleet) newTrack(v *vehicle, vi, k int, cfg *config) *track {
	r := newRNG(f.seed, 2, uint64(vi), uint64(k))
	t := &track{
		id:        firstTrackID + int64(vi*cfg.tracksPerVehicle+k),
		vehicle:   v,
		n:         cfg.pointsPerTrack,
		stepMs:    int64(2+r.intn(4)) * 1000,
		category:  "business",
		pointSeed: mix(f.seed, 4, uint64(vi), uint64(k)),
	}
	if cfg.pointsBetween && cfg.maxPointsPerTrack > cfg.pointsPerTrack {
		t.n += newRNG(f.seed, 9, uint64(vi), uint64(k)).intn(cfg.maxPointsPerTrack - cfg.pointsPerTrack + 1)
	}
	if r.float() < 0.3 {
		t.category = "private"
	}
	d := &t.drive
	d.step = float64(t.stepMs) / 1000
	if v.regional {
		d.moving, d.base, d.swing = r.between(300, 900), r.between(22, 28), r.between(4, 8)
		d.cycle = d.moving + r.between(0, 60)
	} else {
		d.moving, d.base, d.swing = r.between(45, 180), r.between(10, 15), r.between(3, 6)
		d.cycle = d.moving + r.between(5, 40)
	}
	d.freq, d.phaseOff = r.between(0.3, 1.3), r.between(0, 2*math.Pi)
	return t
}

func letters(r *rng, n int) string {
	const alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ"
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[r.intn(len(alphabet))])
	}
	return b.String()
}

func vinChars(r *rng, n int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[r.intn(len(alphabet))])
	}
	return b.String()
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
