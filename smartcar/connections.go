package smartcar

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"slices"
	"time"
)

// ConnectionsService lists, reads and removes the vehicle connections of the
// application: one per vehicle a user connected through Smartcar Connect.
type ConnectionsService service

// Connection is the link between a vehicle and the user who connected it, with the
// permissions the user granted.
type Connection struct {
	ID string
	// UserID is the vehicle owner's user id: pass it to WithUserID for the vehicle's
	// signals and commands.
	UserID string
	// UserExternalID is the id the application gave the user in Smartcar Connect
	// (attributes.user.externalId, [T] in docs/evidence.md); "" when not sent.
	UserExternalID string
	// VehicleID is Smartcar's id of the vehicle.
	VehicleID string
	// Vehicle holds the attributes Smartcar includes (make, model, year, mode,
	// powertrain); its ID is VehicleID.
	Vehicle Vehicle
	// Permissions are the permissions the user granted.
	Permissions []Permission
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SelfURL     string
	// Raw is the resource as received.
	Raw json.RawMessage
}

// HasPermission reports whether the user granted p.
func (c *Connection) HasPermission(p Permission) bool { return slices.Contains(c.Permissions, p) }

type wireConnection struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes struct {
		Permissions []string              `json:"permissions"`
		Vehicle     wireVehicleAttributes `json:"vehicle"`
		User        struct {
			ID         string   `json:"id"`
			ExternalID flexText `json:"externalId"`
		} `json:"user"`
	} `json:"attributes"`
	Relationships struct {
		Vehicle wireRelationship `json:"vehicle"`
		User    wireRelationship `json:"user"`
	} `json:"relationships"`
	Meta struct {
		CreatedAt timestamp `json:"createdAt"`
		UpdatedAt timestamp `json:"updatedAt"`
	} `json:"meta"`
	Links wireLinks `json:"links"`
}

// UnmarshalJSON decodes a connection resource as the Vehicle API sends it, keeping Raw.
func (c *Connection) UnmarshalJSON(b []byte) error {
	return unmarshalModel(b, c, connectionFromWire)
}

func connectionFromWire(w *wireConnection, raw json.RawMessage) Connection {
	c := Connection{
		ID:             w.ID,
		UserID:         cmp.Or(w.Relationships.User.id(), w.Attributes.User.ID),
		UserExternalID: string(w.Attributes.User.ExternalID),
		VehicleID:      w.Relationships.Vehicle.id(),
		CreatedAt:      w.Meta.CreatedAt.Time,
		UpdatedAt:      w.Meta.UpdatedAt.Time,
		SelfURL:        w.Links.Self.href,
		Raw:            raw,
	}
	c.Vehicle = w.Attributes.Vehicle.vehicle(c.VehicleID)
	c.Vehicle.SelfURL = w.Relationships.Vehicle.Links.Related.href
	if len(w.Attributes.Permissions) > 0 {
		c.Permissions = make([]Permission, len(w.Attributes.Permissions))
		for i, p := range w.Attributes.Permissions {
			c.Permissions[i] = Permission(p)
		}
	}
	return c
}

// MarshalJSON encodes the connection as the Vehicle API sends it: {"id", "type":
// "connection", "attributes": {"permissions", "vehicle"}, "relationships": {"vehicle",
// "user"}, "meta": {"createdAt", "updatedAt"} (RFC 3339), "links": {"self"}}. Raw is not
// encoded.
func (c Connection) MarshalJSON() ([]byte, error) {
	type user struct {
		ExternalID string `json:"externalId,omitempty"`
	}
	type attributes struct {
		Permissions []Permission          `json:"permissions,omitempty"`
		Vehicle     wireVehicleAttributes `json:"vehicle"`
		User        *user                 `json:"user,omitempty"`
	}
	type relationships struct {
		Vehicle *outRelationship `json:"vehicle,omitempty"`
		User    *outRelationship `json:"user,omitempty"`
	}
	type meta struct {
		CreatedAt *time.Time `json:"createdAt,omitempty"`
		UpdatedAt *time.Time `json:"updatedAt,omitempty"`
	}
	attrs := attributes{Permissions: c.Permissions, Vehicle: c.Vehicle.attributes()}
	if c.UserExternalID != "" {
		attrs.User = &user{ExternalID: c.UserExternalID}
	}
	return json.Marshal(struct {
		ID            string        `json:"id"`
		Type          string        `json:"type"`
		Attributes    attributes    `json:"attributes"`
		Relationships relationships `json:"relationships"`
		Meta          meta          `json:"meta"`
		Links         *outLinks     `json:"links,omitempty"`
	}{
		ID: c.ID, Type: "connection",
		Attributes: attrs,
		Relationships: relationships{
			Vehicle: relationship("vehicle", c.VehicleID, c.Vehicle.SelfURL),
			User:    relationship("user", c.UserID, ""),
		},
		Meta:  meta{outTime(c.CreatedAt), outTime(c.UpdatedAt)},
		Links: selfLinks(c.SelfURL),
	})
}

// ConnectionListOptions filters and pages a connection list. The zero value lists
// everything, Smartcar's default page size (10) at a time.
type ConnectionListOptions struct {
	// UserID keeps the connections of one user (filter[userId]).
	UserID string
	// VehicleID keeps the connection of one vehicle (filter[vehicleId]).
	VehicleID string
	// VehicleMode keeps live or simulated vehicles (filter[vehicle.mode]).
	VehicleMode VehicleMode
	// UserExternalID keeps the connections of the user with this external id
	// (filter[user.externalId], [T] in docs/evidence.md).
	UserExternalID string
	// PageNumber (from 1) and PageSize select a page; 0 leaves Smartcar's default. A
	// negative one is refused with telematics.ErrInvalidInput before anything is sent.
	PageNumber int
	PageSize   int
}

func (o *ConnectionListOptions) query() (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	setIf(q, filterUserID, o.UserID)
	setIf(q, filterVehicleID, o.VehicleID)
	setIf(q, filterVehicleMode, string(o.VehicleMode))
	setIf(q, filterUserExternalID, o.UserExternalID)
	return q, pageQuery(q, o.PageNumber, o.PageSize)
}

func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

// List returns one page of connections. Fetch the next with opts.PageNumber =
// page.NextPageNumber while page.HasNext(), or use All.
func (s *ConnectionsService) List(ctx context.Context, opts *ConnectionListOptions, reqOpts ...RequestOption) (*Page[Connection], error) {
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	return listPage(ctx, s.c, s.c.vehicleAPI, pathConnections, q, decoded[Connection], reqOpts)
}

// All iterates over every connection matching opts, fetching pages as it goes (from
// opts.PageNumber, if set). It stops at the first error, which it yields once.
func (s *ConnectionsService) All(ctx context.Context, opts *ConnectionListOptions, reqOpts ...RequestOption) iter.Seq2[Connection, error] {
	q, err := opts.query()
	return iterate(ctx, s.c, s.c.vehicleAPI, pathConnections, q, err, decoded[Connection], reqOpts)
}

// Get returns one connection.
func (s *ConnectionsService) Get(ctx context.Context, connectionID string, opts ...RequestOption) (*Connection, error) {
	return getOne(ctx, s.c, s.c.vehicleAPI, pathConnection, connectionID, "connection", decoded[Connection], opts)
}

// Delete disconnects the vehicle of a connection from the application.
func (s *ConnectionsService) Delete(ctx context.Context, connectionID string, opts ...RequestOption) error {
	return deleteOne(ctx, s.c, s.c.vehicleAPI, pathConnection, connectionID, opts)
}
