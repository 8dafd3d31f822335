package mycartracks

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"slices"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// LastPosition is the last known position of a vehicle.
type LastPosition struct {
	VehicleID   ID
	VehicleName string
	// Online reports whether the vehicle's tracker is connected.
	Online bool
	// Position is the fix in SI units (speed sent in km/h, bearing in degrees);
	// Position.Known says which optional fields were sent. Its VehicleID is VehicleID in
	// decimal, "" when the record has none.
	Position telematics.Position
	// Raw is the record's JSON as received.
	Raw json.RawMessage
}

type lastPositionWire struct {
	VehicleID   *ID                  `json:"vehicleId"`
	CarID       *ID                  `json:"carId" alias:"vehicleId"`
	VehicleName string               `json:"vehicleName"`
	Time        telematics.Timestamp `json:"time"`
	Latitude    flexFloat            `json:"latitude"`
	Lat         flexFloat            `json:"lat" alias:"latitude"`
	Longitude   flexFloat            `json:"longitude"`
	Lng         flexFloat            `json:"lng" alias:"longitude"`
	Lon         flexFloat            `json:"lon" alias:"longitude"`
	Speed       flexFloat            `json:"speed"`
	Bearing     flexFloat            `json:"bearing"`
	Heading     flexFloat            `json:"heading" alias:"bearing"`
	Online      bool                 `json:"online"`
}

// UnmarshalJSON decodes a last position, accepting the aliases carId, lat, lng, lon and
// heading, keeping Raw.
func (l *LastPosition) UnmarshalJSON(b []byte) error {
	return unmarshalModel(b, l, lastPositionFromWire)
}

func lastPositionFromWire(w *lastPositionWire, raw json.RawMessage) LastPosition {
	id := firstID(w.VehicleID, w.CarID)
	l := LastPosition{
		VehicleID:   id,
		VehicleName: w.VehicleName,
		Online:      w.Online,
		Position: telematics.Position{
			VehicleID: id.neutral(),
			Provider:  providerName,
			Latitude:  first(w.Latitude, w.Lat).v,
			Longitude: first(w.Longitude, w.Lng, w.Lon).v,
			Time:      w.Time.Time,
		},
		Raw: raw,
	}
	p := &l.Position
	if w.Speed.ok {
		p.Speed, p.Known = telematics.KilometresPerHour(w.Speed.v), p.Known|telematics.HasSpeed
	}
	if h := first(w.Bearing, w.Heading); h.ok {
		p.Heading, p.Known = telematics.Degrees(h.v), p.Known|telematics.HasHeading
	}
	return l
}

// MarshalJSON encodes the last position as the API sends it: speed in km/h (when
// Position.Known has it), bearing in degrees (likewise), time in epoch ms. Raw is not
// encoded.
func (l LastPosition) MarshalJSON() ([]byte, error) {
	p := &l.Position
	w := struct {
		VehicleID   ID       `json:"vehicleId,omitempty"`
		VehicleName string   `json:"vehicleName"`
		Time        *int64   `json:"time,omitempty"`
		Latitude    float64  `json:"latitude"`
		Longitude   float64  `json:"longitude"`
		Speed       *float64 `json:"speed,omitempty"`
		Bearing     *float64 `json:"bearing,omitempty"`
		Online      bool     `json:"online"`
	}{VehicleID: l.VehicleID, VehicleName: l.VehicleName, Time: epochMs(p.Time), Latitude: p.Latitude, Longitude: p.Longitude, Online: l.Online}
	if p.Has(telematics.HasSpeed) {
		w.Speed = Ptr(kmh(p.Speed))
	}
	if p.Has(telematics.HasHeading) {
		w.Bearing = Ptr(p.Heading.Degrees())
	}
	return json.Marshal(w)
}

// LastPositionOptions selects and pages Positions.Last.
type LastPositionOptions struct {
	// VehicleIDs and GroupIDs restrict the result to these vehicles and the vehicles of
	// these groups (both empty: every vehicle).
	VehicleIDs []ID
	GroupIDs   []ID
	// Offset and Limit page the result (0: the API's default for Last, MaxPageSize for
	// AllLast; a Limit above MaxPageSize is sent as MaxPageSize; a negative one is
	// refused with telematics.ErrInvalidInput before anything is sent).
	Offset, Limit int
}

func (o *LastPositionOptions) clone() LastPositionOptions {
	if o == nil {
		return LastPositionOptions{}
	}
	c := *o
	c.VehicleIDs = slices.Clone(o.VehicleIDs)
	c.GroupIDs = slices.Clone(o.GroupIDs)
	return c
}

func (o LastPositionOptions) paging() ListOptions {
	return ListOptions{Offset: o.Offset, Limit: o.Limit}
}

// filters adds the query parameters selecting the vehicles.
func (o LastPositionOptions) filters(q url.Values) {
	if len(o.VehicleIDs) > 0 {
		q.Set(qVehicleIDs, idList(o.VehicleIDs))
	}
	if len(o.GroupIDs) > 0 {
		q.Set(qGroupIDs, idList(o.GroupIDs))
	}
}

// PositionsService reads the last known positions of vehicles
// (GET /vehicles/lastPositions), the snapshot a live map starts from.
type PositionsService service

var lastPositionsList = listEndpoint[lastPositionWire, LastPosition]{epLastPositions, lastPositionFromWire, func(x *LastPosition) ID { return x.VehicleID }}

// Last returns one page of last positions. opts may be nil.
func (s *PositionsService) Last(ctx context.Context, opts *LastPositionOptions, reqOpts ...RequestOption) (*Page[LastPosition], error) {
	o := opts.clone()
	return lastPositionsList.page(ctx, s.client, o.paging(), o.filters, reqOpts)
}

// AllLast iterates over the last positions of every selected vehicle. opts may be nil.
func (s *PositionsService) AllLast(ctx context.Context, opts *LastPositionOptions, reqOpts ...RequestOption) iter.Seq2[LastPosition, error] {
	o := opts.clone()
	return lastPositionsList.all(ctx, s.client, o.paging(), o.filters, reqOpts)
}
