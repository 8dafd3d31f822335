package mycartracks

import (
	"math"
	"strconv"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// The models' MarshalJSON methods write the canonical wire form: the API's field names
// and units, as the fake server sends them, so that json.Unmarshal reads back the value
// json.Marshal wrote. Raw is not written. The helpers below convert SI values to wire
// units.

// wireFloat returns si converted to wire units by toWire, adjusted if needed so that
// fromWire converts it back to exactly si, with as few significant digits as that
// allows (12.5 km, not 12.500000000000002). Every value decoded from the wire has such a
// wire value; a value computed in Go may have none (fromWire does not reach every
// float64), and then toWire's result, which converts back to a neighbour of si, is
// returned.
func wireFloat(si float64, toWire, fromWire func(float64) float64) float64 {
	v := toWire(si)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	for prec := 15; prec <= 17; prec++ {
		c, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', prec, 64), 64)
		if err == nil && fromWire(c) == si {
			return c
		}
	}
	for _, dir := range [...]float64{math.Inf(1), math.Inf(-1)} {
		c := v
		for range 4 {
			c = math.Nextafter(c, dir)
			if fromWire(c) == si {
				return c
			}
		}
	}
	return v
}

// kmh returns a speed in km/h.
func kmh(s telematics.Speed) float64 {
	return wireFloat(float64(s),
		func(x float64) float64 { return telematics.Speed(x).KMH() },
		func(x float64) float64 { return float64(telematics.KilometresPerHour(x)) })
}

// km returns a distance in kilometres.
func km(d telematics.Distance) float64 {
	return wireFloat(float64(d),
		func(x float64) float64 { return telematics.Distance(x).Kilometres() },
		func(x float64) float64 { return float64(telematics.Kilometres(x)) })
}

// ms returns a duration in milliseconds, with a fraction for a part of a millisecond.
func ms(d time.Duration) float64 {
	return wireFloat(float64(d),
		func(x float64) float64 { return x / float64(time.Millisecond) },
		func(x float64) float64 { return float64(durationMillis(x)) })
}

// epochMs returns a time in epoch milliseconds, nil for the zero time (not sent).
func epochMs(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	return epochMillis(&t)
}
