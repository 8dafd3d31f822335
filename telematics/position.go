package telematics

import "time"

// Position is one GPS fix of a vehicle.
//
// Latitude and longitude are WGS 84 degrees. Altitude, Speed, Heading and Accuracy are
// meaningful only when [Position.Has] reports them: a provider that does not send a speed
// leaves Speed at zero, which must not be read as "standing still".
type Position struct {
	// VehicleID is the provider's identifier of the vehicle the fix belongs to.
	VehicleID string
	// Provider names the source ("mycartracks", "smartcar").
	Provider  string
	Latitude  float64
	Longitude float64
	// Altitude above mean sea level.
	Altitude Distance
	Speed    Speed
	Heading  Heading
	// Accuracy is the horizontal accuracy radius.
	Accuracy Distance
	// Time is when the fix was taken, in UTC.
	Time time.Time
	// Known says which of the optional fields were reported.
	Known PositionFields
}

// PositionFields is a set of the optional fields of a [Position].
type PositionFields uint8

// The optional fields of a [Position].
const (
	HasAltitude PositionFields = 1 << iota
	HasSpeed
	HasHeading
	HasAccuracy
)

// Has reports whether all of the fields f were reported.
func (p Position) Has(f PositionFields) bool { return p.Known&f == f }

// Valid reports whether the coordinates are within WGS 84 bounds and not the (0, 0) that
// devices send before their first fix.
func (p Position) Valid() bool {
	if p.Latitude == 0 && p.Longitude == 0 {
		return false
	}
	return p.Latitude >= -90 && p.Latitude <= 90 && p.Longitude >= -180 && p.Longitude <= 180
}
