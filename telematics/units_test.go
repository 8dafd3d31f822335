package telematics_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestSpeed(t *testing.T) {
	s := telematics.KilometresPerHour(36)
	assert.InDelta(t, 10, s.MPS(), 1e-9)
	assert.InDelta(t, 36, s.KMH(), 1e-9)
	assert.InDelta(t, 22.369362920544, s.MPH(), 1e-9)
	assert.InDelta(t, 19.438444924406, s.Knots(), 1e-9)
	assert.InDelta(t, 100, telematics.MilesPerHour(100).MPH(), 1e-9)
	assert.InDelta(t, 160.9344, telematics.MilesPerHour(100).KMH(), 1e-9)
	assert.InDelta(t, 1.852, telematics.Knots(1).KMH(), 1e-9)
	assert.InDelta(t, 3.6, telematics.MetresPerSecond(1).KMH(), 1e-9)
	assert.Equal(t, "36.0 km/h", s.String())
}

func TestDistance(t *testing.T) {
	d := telematics.Kilometres(12.5)
	assert.InDelta(t, 12500, d.Metres(), 1e-9)
	assert.InDelta(t, 12.5, d.Kilometres(), 1e-9)
	assert.InDelta(t, 7.76713990, d.Miles(), 1e-6)
	assert.InDelta(t, 1609.344, telematics.Miles(1).Metres(), 1e-9)
	assert.Equal(t, "12.50 km", d.String())
	assert.Equal(t, "250 m", telematics.Metres(250).String())
}

func TestPercentAndHeading(t *testing.T) {
	assert.InDelta(t, 0.8, telematics.Percent(80).Fraction(), 1e-12)
	assert.Equal(t, "80%", telematics.Percent(80).String())
	assert.Equal(t, telematics.Heading(350), telematics.Degrees(-10))
	assert.Equal(t, telematics.Heading(10), telematics.Degrees(370))
	for deg, want := range map[float64]string{0: "N", 22: "N", 23: "NE", 90: "E", 180: "S", 225: "SW", 292: "W", 300: "NW", 350: "N", 359.9: "N"} {
		assert.Equal(t, want, telematics.Heading(deg).Cardinal(), "heading %v", deg)
	}
	assert.Equal(t, "90°", telematics.Heading(90).String())
}

func TestPosition(t *testing.T) {
	p := telematics.Position{Latitude: 48.15, Longitude: 17.11, Speed: telematics.KilometresPerHour(50), Known: telematics.HasSpeed}
	assert.True(t, p.Valid())
	assert.True(t, p.Has(telematics.HasSpeed))
	assert.False(t, p.Has(telematics.HasSpeed|telematics.HasAltitude))
	assert.False(t, telematics.Position{}.Valid(), "(0, 0) is no fix")
	assert.False(t, telematics.Position{Latitude: 91, Longitude: 1}.Valid())
}

func TestSignalValue(t *testing.T) {
	v := telematics.SignalValue{Kind: telematics.KindNumber, Number: 57, Unit: "percent"}
	p, ok := v.Percent()
	assert.True(t, ok)
	assert.Equal(t, telematics.Percent(57), p)
	_, ok = v.Distance()
	assert.False(t, ok)
	assert.Equal(t, "57 percent", v.String())

	d, ok := telematics.SignalValue{Kind: telematics.KindNumber, Number: 100, Unit: "km"}.Distance()
	assert.True(t, ok)
	assert.Equal(t, telematics.Kilometres(100), d)
	d, ok = telematics.SignalValue{Kind: telematics.KindNumber, Number: 10, Unit: "miles"}.Distance()
	assert.True(t, ok)
	assert.InDelta(t, 16093.44, d.Metres(), 1e-9)
	s, ok := telematics.SignalValue{Kind: telematics.KindNumber, Number: 30, Unit: "km/h"}.Speed()
	assert.True(t, ok)
	assert.InDelta(t, 30, s.KMH(), 1e-9)
	_, ok = telematics.SignalValue{Kind: telematics.KindBool, Bool: true}.Speed()
	assert.False(t, ok)
	assert.Equal(t, "true", telematics.SignalValue{Kind: telematics.KindBool, Bool: true}.String())
	assert.Equal(t, `{"a":1}`, telematics.SignalValue{Kind: telematics.KindObject, Raw: []byte(`{"a":1}`)}.String())

	sig := telematics.Signal{Status: telematics.SignalStatusError, Error: &telematics.SignalError{Type: "VEHICLE_STATE", Code: "ASLEEP", Resolution: "RETRY_LATER"}}
	assert.False(t, sig.OK())
	assert.Equal(t, "signal error: VEHICLE_STATE: ASLEEP (resolution: RETRY_LATER)", sig.Error.Error())
}
