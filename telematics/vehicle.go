package telematics

// Vehicle is a vehicle as a provider knows it. Fields a provider does not report are
// empty.
type Vehicle struct {
	// ID is the provider's identifier of the vehicle, as text.
	ID string
	// Provider names the source ("mycartracks", "smartcar").
	Provider string
	// Name is the display name given by the fleet owner.
	Name         string
	Description  string
	VIN          string
	LicensePlate string
	Make         string
	Model        string
	// Year is the model year (0 when unknown).
	Year int
	// Powertrain is the provider's powertrain type ("BEV", "ICE", "PHEV", "HEV"...).
	Powertrain string
}
