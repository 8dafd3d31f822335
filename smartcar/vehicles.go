package smartcar

import (
	"context"
	"encoding/json"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// VehiclesService reads vehicle attributes.
type VehiclesService service

// VehicleMode says whether a vehicle is a real one or one of Smartcar's simulated
// vehicles.
type VehicleMode string

// The vehicle modes.
const (
	ModeLive      VehicleMode = "live"
	ModeSimulated VehicleMode = "simulated"
)

// Powertrain types Smartcar reports (others may appear; the field may be empty).
const (
	PowertrainBEV = "BEV"
	PowertrainICE = "ICE"
)

// Vehicle is a connected vehicle's attributes.
type Vehicle struct {
	// ID is Smartcar's vehicle id (not the VIN).
	ID    string
	Make  string
	Model string
	// Year is the model year (0 when unknown).
	Year int
	// PowertrainType is "BEV", "ICE"... and empty when Smartcar does not know it.
	PowertrainType string
	Mode           VehicleMode
	// SelfURL is the resource's own link, when sent.
	SelfURL string
	// Raw is the resource as received.
	Raw json.RawMessage
}

// Telematics converts the vehicle to the provider-neutral type.
func (v Vehicle) Telematics() telematics.Vehicle {
	return telematics.Vehicle{ID: v.ID, Provider: Provider, Make: v.Make, Model: v.Model, Year: v.Year, Powertrain: v.PowertrainType}
}

type wireVehicleAttributes struct {
	Make           string  `json:"make,omitempty"`
	Model          string  `json:"model,omitempty"`
	Year           flexInt `json:"year,omitempty"`
	PowertrainType string  `json:"powertrainType,omitempty"`
	Mode           string  `json:"mode,omitempty"`
}

func (a *wireVehicleAttributes) vehicle(id string) Vehicle {
	return Vehicle{ID: id, Make: a.Make, Model: a.Model, Year: int(a.Year), PowertrainType: a.PowertrainType, Mode: VehicleMode(a.Mode)}
}

type wireVehicle struct {
	ID         string                `json:"id"`
	Type       string                `json:"type"`
	Attributes wireVehicleAttributes `json:"attributes"`
	Links      wireLinks             `json:"links"`
}

// UnmarshalJSON decodes a vehicle resource as the Vehicle API sends it, keeping Raw.
func (v *Vehicle) UnmarshalJSON(b []byte) error { return unmarshalModel(b, v, vehicleFromWire) }

func vehicleFromWire(w *wireVehicle, raw json.RawMessage) Vehicle {
	v := w.Attributes.vehicle(w.ID)
	v.SelfURL = w.Links.Self.href
	v.Raw = raw
	return v
}

// MarshalJSON encodes the vehicle as the Vehicle API sends it: {"id", "type": "vehicle",
// "attributes": {"make", "model", "year", "powertrainType", "mode"}, "links": {"self"}}.
// Raw is not encoded.
func (v Vehicle) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID         string                `json:"id"`
		Type       string                `json:"type"`
		Attributes wireVehicleAttributes `json:"attributes"`
		Links      *outLinks             `json:"links,omitempty"`
	}{v.ID, "vehicle", v.attributes(), selfLinks(v.SelfURL)})
}

// attributes returns the vehicle's attributes in their wire form.
func (v *Vehicle) attributes() wireVehicleAttributes {
	return wireVehicleAttributes{Make: v.Make, Model: v.Model, Year: flexInt(v.Year), PowertrainType: v.PowertrainType, Mode: string(v.Mode)}
}

// Get returns the attributes of a vehicle: make, model, year, powertrain and mode. The
// user id is optional here.
func (s *VehiclesService) Get(ctx context.Context, vehicleID string, opts ...RequestOption) (*Vehicle, error) {
	return getOne(ctx, s.c, s.c.vehicleAPI, pathVehicle, vehicleID, "vehicle", decoded[Vehicle], opts)
}
