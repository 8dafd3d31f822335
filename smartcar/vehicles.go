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
	Make           string  `json:"make"`
	Model          string  `json:"model"`
	Year           flexInt `json:"year"`
	PowertrainType string  `json:"powertrainType"`
	Mode           string  `json:"mode"`
}

func (a *wireVehicleAttributes) vehicle(id string) Vehicle {
	return Vehicle{ID: id, Make: a.Make, Model: a.Model, Year: int(a.Year), PowertrainType: a.PowertrainType, Mode: VehicleMode(a.Mode)}
}

type wireVehicle struct {
	ID         string                `json:"id"`
	Type       string                `json:"type"`
	Attributes wireVehicleAttributes `json:"attributes"`
	Links      wireLinks             `json:"links"`
	raw        json.RawMessage
}

func (w *wireVehicle) UnmarshalJSON(b []byte) error {
	type plain wireVehicle
	if err := json.Unmarshal(b, (*plain)(w)); err != nil {
		return err
	}
	w.raw = keepRaw(b)
	return nil
}

func (w *wireVehicle) vehicle() Vehicle {
	v := w.Attributes.vehicle(w.ID)
	v.SelfURL = w.Links.Self.href
	v.Raw = w.raw
	return v
}

// Get returns the attributes of a vehicle: make, model, year, powertrain and mode. The
// user id is optional here.
func (s *VehiclesService) Get(ctx context.Context, vehicleID string, opts ...RequestOption) (*Vehicle, error) {
	return getOne(ctx, s.c, s.c.vehicleAPI, pathVehicle, vehicleID, "vehicle", (*wireVehicle).vehicle, opts)
}
