package smartcar

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// SubscriptionsService subscribes vehicles to webhooks through the Management API. The
// webhooks themselves (callback URL, signals, triggers) are created in the Smartcar
// Dashboard.
type SubscriptionsService service

// Subscription is a vehicle's subscription to a webhook.
type Subscription struct {
	ID        string
	WebhookID string
	UserID    string
	VehicleID string
	// Vehicle holds the attributes Smartcar includes; its ID is VehicleID.
	Vehicle   Vehicle
	CreatedAt time.Time
	UpdatedAt time.Time
	SelfURL   string
	// WebhookURL is the webhook relationship's links.related (as in Smartcar's example
	// [C]): the webhook's URL on the Management API (read it with Webhooks.Get).
	WebhookURL string
	// Raw is the resource as received.
	Raw json.RawMessage
}

type wireSubscription struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes struct {
		Vehicle wireVehicleAttributes `json:"vehicle"`
	} `json:"attributes"`
	Relationships struct {
		Webhook wireRelationship `json:"webhook"`
		User    wireRelationship `json:"user"`
		Vehicle wireRelationship `json:"vehicle"`
	} `json:"relationships"`
	Meta struct {
		CreatedAt timestamp `json:"createdAt"`
		UpdatedAt timestamp `json:"updatedAt"`
	} `json:"meta"`
	Links wireLinks `json:"links"`
}

// UnmarshalJSON decodes a subscription resource as the Management API sends it, keeping
// Raw.
func (s *Subscription) UnmarshalJSON(b []byte) error {
	return unmarshalModel(b, s, subscriptionFromWire)
}

func subscriptionFromWire(w *wireSubscription, raw json.RawMessage) Subscription {
	s := Subscription{
		ID:        w.ID,
		WebhookID: w.Relationships.Webhook.id(),
		UserID:    w.Relationships.User.id(),
		VehicleID: w.Relationships.Vehicle.id(),
		CreatedAt: w.Meta.CreatedAt.Time,
		UpdatedAt: w.Meta.UpdatedAt.Time,
		SelfURL:   w.Links.Self.href,
		Raw:       raw,
	}
	s.WebhookURL = w.Relationships.Webhook.Links.Related.href
	s.Vehicle = w.Attributes.Vehicle.vehicle(s.VehicleID)
	s.Vehicle.SelfURL = w.Relationships.Vehicle.Links.Related.href
	return s
}

// MarshalJSON encodes the subscription as the Management API sends it: {"id", "type":
// "subscription", "attributes": {"vehicle"}, "relationships": {"webhook", "user",
// "vehicle"}, "meta": {"createdAt", "updatedAt"} (RFC 3339), "links": {"self"}}. Raw is
// not encoded.
func (s Subscription) MarshalJSON() ([]byte, error) {
	type attributes struct {
		Vehicle wireVehicleAttributes `json:"vehicle"`
	}
	type relationships struct {
		Webhook *outRelationship `json:"webhook,omitempty"`
		User    *outRelationship `json:"user,omitempty"`
		Vehicle *outRelationship `json:"vehicle,omitempty"`
	}
	type meta struct {
		CreatedAt *time.Time `json:"createdAt,omitempty"`
		UpdatedAt *time.Time `json:"updatedAt,omitempty"`
	}
	return json.Marshal(struct {
		ID            string        `json:"id"`
		Type          string        `json:"type"`
		Attributes    attributes    `json:"attributes"`
		Relationships relationships `json:"relationships"`
		Meta          meta          `json:"meta"`
		Links         *outLinks     `json:"links,omitempty"`
	}{
		ID: s.ID, Type: "subscription",
		Attributes: attributes{s.Vehicle.attributes()},
		Relationships: relationships{
			Webhook: relationship("webhook", s.WebhookID, s.WebhookURL),
			User:    relationship("user", s.UserID, ""),
			Vehicle: relationship("vehicle", s.VehicleID, s.Vehicle.SelfURL),
		},
		Meta:  meta{outTime(s.CreatedAt), outTime(s.UpdatedAt)},
		Links: selfLinks(s.SelfURL),
	})
}

// SubscribeRequest names the vehicle to subscribe and the webhook; all three ids are
// required.
type SubscribeRequest struct {
	WebhookID string
	UserID    string
	VehicleID string
}

// SubscribeResult is Smartcar's answer to a subscription request. Smartcar creates the
// subscription asynchronously (202 Accepted): it appears in List shortly after.
type SubscribeResult struct {
	// Message is Smartcar's description ("subscription creation in progress").
	Message string
	// HTTPStatus is 202 when the creation is in progress.
	HTTPStatus int
}

// Subscribe subscribes a vehicle to a webhook. A vehicle already subscribed to it fails
// with an error matching ErrAlreadySubscribed (and telematics.ErrConflict).
func (s *SubscriptionsService) Subscribe(ctx context.Context, r SubscribeRequest, opts ...RequestOption) (*SubscribeResult, error) {
	if r.WebhookID == "" || r.UserID == "" || r.VehicleID == "" {
		return nil, invalidf("webhook id, user id and vehicle id are all required to subscribe")
	}
	var doc struct {
		Meta struct {
			Message string `json:"message"`
		} `json:"meta"`
	}
	var raw []byte
	resp, err := s.c.do(ctx, call{api: s.c.managementAPI, method: http.MethodPost, path: pathSubscriptions, body: attributes(map[string]any{
		"webhookId": r.WebhookID, "userId": r.UserID, "vehicleId": r.VehicleID,
	})}, &raw, opts)
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict {
			apiErr.alreadySubscribed = true
		}
		return nil, err
	}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &doc)
	}
	return &SubscribeResult{Message: doc.Meta.Message, HTTPStatus: resp.StatusCode}, nil
}

// SubscriptionListOptions filters and pages a subscription list. The zero value lists
// everything, Smartcar's default page size (25) at a time; a third-party write-up gives
// 100 as the largest page size ([T] in docs/evidence.md), which the SDK does not enforce.
type SubscriptionListOptions struct {
	WebhookID   string
	UserID      string
	VehicleID   string
	VehicleMode VehicleMode
	PageNumber  int
	PageSize    int
}

func (o *SubscriptionListOptions) query() (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	setIf(q, filterWebhookID, o.WebhookID)
	setIf(q, filterUserID, o.UserID)
	setIf(q, filterVehicleID, o.VehicleID)
	setIf(q, filterVehicleMode, string(o.VehicleMode))
	return q, pageQuery(q, o.PageNumber, o.PageSize)
}

// List returns one page of subscriptions. Fetch the next with opts.PageNumber =
// page.NextPageNumber while page.HasNext(), or use All.
func (s *SubscriptionsService) List(ctx context.Context, opts *SubscriptionListOptions, reqOpts ...RequestOption) (*Page[Subscription], error) {
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	return listPage(ctx, s.c, s.c.managementAPI, pathSubscriptions, q, decoded[Subscription], reqOpts)
}

// All iterates over every subscription matching opts, fetching pages as it goes (from
// opts.PageNumber, if set). It stops at the first error, which it yields once.
func (s *SubscriptionsService) All(ctx context.Context, opts *SubscriptionListOptions, reqOpts ...RequestOption) iter.Seq2[Subscription, error] {
	q, err := opts.query()
	return iterate(ctx, s.c, s.c.managementAPI, pathSubscriptions, q, err, decoded[Subscription], reqOpts)
}

// Get returns one subscription.
func (s *SubscriptionsService) Get(ctx context.Context, subscriptionID string, opts ...RequestOption) (*Subscription, error) {
	return getOne(ctx, s.c, s.c.managementAPI, pathSubscription, subscriptionID, "subscription", decoded[Subscription], opts)
}

// Unsubscribe deletes a subscription: the vehicle stops sending to the webhook.
func (s *SubscriptionsService) Unsubscribe(ctx context.Context, subscriptionID string, opts ...RequestOption) error {
	return deleteOne(ctx, s.c, s.c.managementAPI, pathSubscription, subscriptionID, opts)
}
