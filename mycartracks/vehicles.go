package mycartracks

import (
	"context"
	"encoding/json"
	"iter"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Vehicle is a vehicle of the account.
type Vehicle struct {
	ID           ID     `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	LicensePlate string `json:"licensePlate"`
	VIN          string `json:"vin"`
	// GroupIDs are the vehicle groups the vehicle belongs to.
	GroupIDs []ID `json:"groupIds"`
	// Raw is the vehicle's JSON as received, for fields the SDK does not model.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a vehicle, also from a {"data":{...}} envelope, keeping Raw.
func (v *Vehicle) UnmarshalJSON(b []byte) error { return unmarshalModel(b, v, vehicleFromWire) }

// wireVehicle decodes like Vehicle without its UnmarshalJSON.
type wireVehicle Vehicle

func vehicleFromWire(w *wireVehicle, raw json.RawMessage) Vehicle {
	v := Vehicle(*w)
	v.Raw = raw
	return v
}

// Telematics converts the vehicle to the provider-neutral model; an absent (zero) id
// is "" there.
func (v Vehicle) Telematics() telematics.Vehicle {
	return telematics.Vehicle{
		ID:           v.ID.neutral(),
		Provider:     Provider,
		Name:         v.Name,
		Description:  v.Description,
		VIN:          v.VIN,
		LicensePlate: v.LicensePlate,
	}
}

// VehiclesService lists and reads vehicles (GET /vehicles, /vehicles/{id}).
type VehiclesService service

var vehiclesList = listEndpoint[wireVehicle, Vehicle]{epVehiclesList, vehicleFromWire, func(x *Vehicle) ID { return x.ID }}

// List returns one page of vehicles. opts may be nil.
func (s *VehiclesService) List(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) (*Page[Vehicle], error) {
	return vehiclesList.page(ctx, s.client, opts.clone(), nil, reqOpts)
}

// All iterates over every vehicle, fetching pages of MaxPageSize as it goes. opts may be
// nil; its Offset is where the iteration starts.
func (s *VehiclesService) All(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) iter.Seq2[Vehicle, error] {
	return vehiclesList.all(ctx, s.client, opts.clone(), nil, reqOpts)
}

// Get returns one vehicle; an unknown id is an error matching telematics.ErrNotFound.
func (s *VehiclesService) Get(ctx context.Context, id ID, reqOpts ...RequestOption) (*Vehicle, error) {
	return getOne[Vehicle](ctx, s.client, epVehiclesGet, id, reqOpts)
}

// getOne reads a single resource by id.
func getOne[T any](ctx context.Context, c *Client, ep endpointID, id ID, opts []RequestOption) (*T, error) {
	out := new(T)
	if _, err := c.call(ctx, ep, []string{id.String()}, nil, nil, out, opts); err != nil {
		return nil, err
	}
	return out, nil
}
