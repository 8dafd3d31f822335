package mycartracks

import (
	"context"
	"encoding/json"
	"iter"
)

// VehicleGroup is a named set of vehicles.
type VehicleGroup struct {
	ID         ID     `json:"id"`
	Name       string `json:"name"`
	VehicleIDs []ID   `json:"vehicleIds"`
	// Raw is the group's JSON as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a group, also from a {"data":{...}} envelope, keeping Raw.
func (g *VehicleGroup) UnmarshalJSON(b []byte) error {
	return unmarshalModel(b, g, vehicleGroupFromWire)
}

// wireVehicleGroup decodes like VehicleGroup without its UnmarshalJSON.
type wireVehicleGroup VehicleGroup

func vehicleGroupFromWire(w *wireVehicleGroup, raw json.RawMessage) VehicleGroup {
	g := VehicleGroup(*w)
	g.Raw = raw
	return g
}

// VehicleGroupsService lists and reads vehicle groups (GET /vehicleGroups).
type VehicleGroupsService service

var vehicleGroupsList = listEndpoint[wireVehicleGroup, VehicleGroup]{epVehicleGroupsList, vehicleGroupFromWire, func(x *VehicleGroup) ID { return x.ID }}

// List returns one page of vehicle groups. opts may be nil.
func (s *VehicleGroupsService) List(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) (*Page[VehicleGroup], error) {
	return vehicleGroupsList.page(ctx, s.client, opts.clone(), nil, reqOpts)
}

// All iterates over every vehicle group. opts may be nil.
func (s *VehicleGroupsService) All(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) iter.Seq2[VehicleGroup, error] {
	return vehicleGroupsList.all(ctx, s.client, opts.clone(), nil, reqOpts)
}

// Get returns one vehicle group.
func (s *VehicleGroupsService) Get(ctx context.Context, id ID, reqOpts ...RequestOption) (*VehicleGroup, error) {
	return getOne[VehicleGroup](ctx, s.client, epVehicleGroupsGet, id, reqOpts)
}
