package telematics

import "time"

// Track is one trip of a vehicle: from when it started moving to when it stopped.
type Track struct {
	// ID is the provider's identifier of the track, as text.
	ID string
	// VehicleID is the provider's identifier of the vehicle that drove it.
	VehicleID string
	// Provider names the source ("mycartracks").
	Provider string
	Name     string
	Category string
	// Start and End are in UTC.
	Start, End time.Time
	Distance   Distance
	// Duration is the whole time of the track; MovingDuration the part spent moving.
	Duration       time.Duration
	MovingDuration time.Duration
	MaxSpeed       Speed
	AvgSpeed       Speed
}
