package mycartracks

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// MapSharingLink is a public link showing some vehicles on a map until it expires.
type MapSharingLink struct {
	ID         ID
	URL        string
	VehicleIDs []ID
	// ExpiresAt is in UTC.
	ExpiresAt time.Time
	// Raw is the link's JSON as received.
	Raw json.RawMessage
}

type wireMapSharingLink struct {
	ID         ID                   `json:"id"`
	URL        string               `json:"url"`
	VehicleIDs []ID                 `json:"vehicleIds"`
	ExpiresAt  telematics.Timestamp `json:"expiresAt"`
}

// UnmarshalJSON decodes a link, also from a {"data":{...}} envelope, keeping Raw.
func (l *MapSharingLink) UnmarshalJSON(b []byte) error {
	return unmarshalModel(b, l, mapSharingLinkFromWire)
}

func mapSharingLinkFromWire(w *wireMapSharingLink, raw json.RawMessage) MapSharingLink {
	l := MapSharingLink{ID: w.ID, URL: w.URL, VehicleIDs: w.VehicleIDs, ExpiresAt: w.ExpiresAt.Time, Raw: raw}
	return l
}

// MarshalJSON encodes the link as the API sends it, the expiry in epoch ms. Raw is not
// encoded.
func (l MapSharingLink) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID         ID     `json:"id"`
		URL        string `json:"url"`
		VehicleIDs []ID   `json:"vehicleIds"`
		ExpiresAt  *int64 `json:"expiresAt,omitempty"`
	}{l.ID, l.URL, l.VehicleIDs, epochMs(l.ExpiresAt)})
}

// MapSharingLinkParams is the body of MapSharingLinks.Create.
type MapSharingLinkParams struct {
	// VehicleIDs are the vehicles shown; at least one.
	VehicleIDs []ID
	// ExpiresAt must be in the future.
	ExpiresAt time.Time
}

// MarshalJSON encodes the link request, the expiry in epoch milliseconds.
func (p MapSharingLinkParams) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		VehicleIDs []ID  `json:"vehicleIds"`
		ExpiresAt  int64 `json:"expiresAt"`
	}{p.VehicleIDs, p.ExpiresAt.UnixMilli()})
}

// MapSharingLinksService lists, creates and deletes map sharing links. Writes need the
// write scope.
type MapSharingLinksService service

var mapSharingLinksList = listEndpoint[wireMapSharingLink, MapSharingLink]{epMapSharingLinksList, mapSharingLinkFromWire, func(x *MapSharingLink) ID { return x.ID }}

// List returns one page of links. opts may be nil.
func (s *MapSharingLinksService) List(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) (*Page[MapSharingLink], error) {
	return mapSharingLinksList.page(ctx, s.client, opts.clone(), nil, reqOpts)
}

// All iterates over every link. opts may be nil.
func (s *MapSharingLinksService) All(ctx context.Context, opts *ListOptions, reqOpts ...RequestOption) iter.Seq2[MapSharingLink, error] {
	return mapSharingLinksList.all(ctx, s.client, opts.clone(), nil, reqOpts)
}

// Create creates a link and returns it with its URL.
func (s *MapSharingLinksService) Create(ctx context.Context, params MapSharingLinkParams, reqOpts ...RequestOption) (*MapSharingLink, error) {
	var out MapSharingLink
	if _, err := s.client.call(ctx, epMapSharingLinksCreate, nil, nil, params, &out, reqOpts); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes a link; it stops working at once. A DELETE is retried after a network
// failure or a 5xx; when a retried attempt is answered 404, an earlier attempt already
// deleted the link and Delete returns nil (an id that never existed then also returns
// nil).
func (s *MapSharingLinksService) Delete(ctx context.Context, id ID, reqOpts ...RequestOption) error {
	return s.client.deleteByID(ctx, epMapSharingLinksDelete, id, reqOpts)
}
