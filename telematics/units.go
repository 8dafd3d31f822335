package telematics

import (
	"math"
	"strconv"
)

// Conversion factors to SI units.
const (
	metresPerKilometre = 1000.0
	metresPerMile      = 1609.344
	metresPerNautical  = 1852.0
	secondsPerHour     = 3600.0
)

// Speed is a speed in metres per second. Use the constructors to build one from the unit a
// provider reports, and the methods to read it in the unit you display.
type Speed float64

// MetresPerSecond returns the speed s m/s.
func MetresPerSecond(s float64) Speed { return Speed(s) }

// KilometresPerHour returns the speed kmh km/h.
func KilometresPerHour(kmh float64) Speed { return Speed(kmh * metresPerKilometre / secondsPerHour) }

// MilesPerHour returns the speed mph mph.
func MilesPerHour(mph float64) Speed { return Speed(mph * metresPerMile / secondsPerHour) }

// Knots returns the speed kn knots (nautical miles per hour).
func Knots(kn float64) Speed { return Speed(kn * metresPerNautical / secondsPerHour) }

// MPS returns the speed in metres per second.
func (s Speed) MPS() float64 { return float64(s) }

// KMH returns the speed in kilometres per hour.
func (s Speed) KMH() float64 { return float64(s) * secondsPerHour / metresPerKilometre }

// MPH returns the speed in miles per hour.
func (s Speed) MPH() float64 { return float64(s) * secondsPerHour / metresPerMile }

// Knots returns the speed in knots.
func (s Speed) Knots() float64 { return float64(s) * secondsPerHour / metresPerNautical }

// String formats the speed in km/h with one decimal, for logs and tables.
func (s Speed) String() string { return strconv.FormatFloat(s.KMH(), 'f', 1, 64) + " km/h" }

// Distance is a length in metres.
type Distance float64

// Metres returns the distance m metres.
func Metres(m float64) Distance { return Distance(m) }

// Kilometres returns the distance km kilometres.
func Kilometres(km float64) Distance { return Distance(km * metresPerKilometre) }

// Miles returns the distance mi statute miles.
func Miles(mi float64) Distance { return Distance(mi * metresPerMile) }

// Metres returns the distance in metres.
func (d Distance) Metres() float64 { return float64(d) }

// Kilometres returns the distance in kilometres.
func (d Distance) Kilometres() float64 { return float64(d) / metresPerKilometre }

// Miles returns the distance in statute miles.
func (d Distance) Miles() float64 { return float64(d) / metresPerMile }

// String formats the distance in kilometres with two decimals, or in metres below 1 km.
func (d Distance) String() string {
	if math.Abs(float64(d)) < metresPerKilometre {
		return strconv.FormatFloat(float64(d), 'f', 0, 64) + " m"
	}
	return strconv.FormatFloat(d.Kilometres(), 'f', 2, 64) + " km"
}

// Percent is a share from 0 to 100 (a state of charge, a charge limit, a fuel level).
type Percent float64

// Fraction returns the share from 0 to 1.
func (p Percent) Fraction() float64 { return float64(p) / 100 }

// String formats the share with at most one decimal and a percent sign.
func (p Percent) String() string { return strconv.FormatFloat(float64(p), 'f', -1, 64) + "%" }

// Heading is a direction of travel in degrees clockwise from true north, in [0, 360).
type Heading float64

// Degrees returns the heading h normalised into [0, 360).
func Degrees(h float64) Heading {
	h = math.Mod(h, 360)
	if h < 0 {
		h += 360
	}
	return Heading(h)
}

// Degrees returns the heading in degrees.
func (h Heading) Degrees() float64 { return float64(h) }

// Cardinal returns the nearest of the eight compass points: N, NE, E, SE, S, SW, W or NW.
func (h Heading) Cardinal() string {
	points := [...]string{"N", "NE", "E", "SE", "S", "SW", "W", "NW"}
	i := int(math.Round(float64(Degrees(float64(h)))/45)) % len(points)
	return points[i]
}

// String formats the heading in whole degrees.
func (h Heading) String() string { return strconv.FormatFloat(float64(h), 'f', 0, 64) + "°" }
