package mycartracks

import (
	"context"
	"encoding/json"
	"iter"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// GeofenceType is the shape of a geofence.
type GeofenceType string

// Geofence shapes.
const (
	GeofenceCircle  GeofenceType = "circle"
	GeofencePolygon GeofenceType = "polygon"
)

// Geofence is an area whose entries and exits are tracked: a circle (Center and
// Radius) or a polygon (Points).
type Geofence struct {
	ID     ID
	Name   string
	Type   GeofenceType
	Center *GeoPoint
	Radius telematics.Distance
	Points []GeoPoint
	// Raw is the geofence's JSON as received.
	Raw json.RawMessage
}

type wireGeofence struct {
	ID     ID             `json:"id"`
	Name   string         `json:"name"`
	Type   GeofenceType   `json:"type"`
	Center *wireGeoPoint  `json:"center"`
	Radius flexFloat      `json:"radius"`
	Points []wireGeoPoint `json:"points"`
}

// UnmarshalJSON decodes a geofence (radius in metres), also from a {"data":{...}}
// envelope, keeping Raw.
func (g *Geofence) UnmarshalJSON(b []byte) error { return unmarshalModel(b, g, geofenceFromWire) }

func geofenceFromWire(w *wireGeofence, raw json.RawMessage) Geofence {
	g := Geofence{ID: w.ID, Name: w.Name, Type: w.Type, Radius: telematics.Metres(w.Radius.v), Raw: raw}
	if w.Center != nil {
		c := w.Center.point()
		g.Center = &c
	}
	for _, p := range w.Points {
		g.Points = append(g.Points, p.point())
	}
	return g
}

// MarshalJSON encodes the geofence as the API sends it, the radius in metres; unset
// fields are left out. Raw is not encoded.
func (g Geofence) MarshalJSON() ([]byte, error) {
	w := struct {
		ID     ID           `json:"id"`
		Name   string       `json:"name"`
		Type   GeofenceType `json:"type,omitempty"`
		Center *GeoPoint    `json:"center,omitempty"`
		Radius *float64     `json:"radius,omitempty"`
		Points []GeoPoint   `json:"points,omitempty"`
	}{ID: g.ID, Name: g.Name, Type: g.Type, Center: g.Center, Points: g.Points}
	if g.Radius != 0 {
		w.Radius = Ptr(g.Radius.Metres())
	}
	return json.Marshal(w)
}

// GeofenceParams is the body of Geofences.Create and Geofences.Update. Nil fields are
// not sent. A circle needs Center and a positive Radius, a polygon at least three
// Points.
type GeofenceParams struct {
	Name   *string
	Type   *GeofenceType
	Center *GeoPoint
	Radius *telematics.Distance
	Points []GeoPoint
}

// MarshalJSON encodes the fields that are set, the radius in metres.
func (p GeofenceParams) MarshalJSON() ([]byte, error) {
	w := struct {
		Name   *string       `json:"name,omitempty"`
		Type   *GeofenceType `json:"type,omitempty"`
		Center *GeoPoint     `json:"center,omitempty"`
		Radius *float64      `json:"radius,omitempty"`
		Points []GeoPoint    `json:"points,omitempty"`
	}{Name: p.Name, Type: p.Type, Center: p.Center, Points: p.Points}
	if p.Radius != nil {
		m := p.Radius.Metres()
		w.Radius = &m
	}
	return json.Marshal(w)
}

// GeofencesService lists, reads, creates, updates and deletes geofences. Writes need
// the write scope.
type GeofencesService service

var geofencesList = listEndpoint[wireGeofence, Geofence]{epGeofencesList, geofenceFromWire, func(x *Geofence) ID { return x.ID }}

// List returns one page of geofences. opts may be nil.
func (s *GeofencesService) List(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) (*Page[Geofence], error) {
	return geofencesList.page(ctx, s.client, opts.clone(), nil, reqOpts)
}

// All iterates over every geofence. opts may be nil.
func (s *GeofencesService) All(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) iter.Seq2[Geofence, error] {
	return geofencesList.all(ctx, s.client, opts.clone(), nil, reqOpts)
}

// Get returns one geofence.
func (s *GeofencesService) Get(ctx context.Context, id ID, reqOpts ...RequestOption) (*Geofence, error) {
	return getOne[Geofence](ctx, s.client, epGeofencesGet, id, reqOpts)
}

// Create creates a geofence and returns it as stored.
func (s *GeofencesService) Create(ctx context.Context, params GeofenceParams, reqOpts ...RequestOption) (*Geofence, error) {
	var out Geofence
	if _, err := s.client.call(ctx, epGeofencesCreate, nil, nil, params, &out, reqOpts); err != nil {
		return nil, err
	}
	return &out, nil
}

// Update changes the fields of a geofence that params sets and returns it as stored.
func (s *GeofencesService) Update(ctx context.Context, id ID, params GeofenceParams, reqOpts ...RequestOption) (*Geofence, error) {
	var out Geofence
	if _, err := s.client.call(ctx, epGeofencesUpdate, []string{id.String()}, nil, params, &out, reqOpts); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes a geofence. A DELETE is retried after a network failure or a 5xx;
// when a retried attempt is answered 404, an earlier attempt already deleted the
// geofence and Delete returns nil (an id that never existed then also returns nil).
func (s *GeofencesService) Delete(ctx context.Context, id ID, reqOpts ...RequestOption) error {
	return s.client.deleteByID(ctx, epGeofencesDelete, id, reqOpts)
}
