package smartcar

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// WebhooksService lists and reads the application's webhooks through the Management
// API. Webhooks are created and changed in the Smartcar Dashboard; Smartcar documents no
// API for that ([C]/[U] in docs/evidence.md).
type WebhooksService service

// Webhook is a webhook of the application: where Smartcar delivers events and whether
// it is on. Smartcar documents the list endpoint and its filters; that the resource's
// attributes bear the filters' names (name, callbackUri, isEnabled, autoSubscribe) is
// our inference ([I]): every other attribute is in Raw.
type Webhook struct {
	ID string
	// Name is the name given in the Dashboard.
	Name string
	// CallbackURI is where Smartcar delivers the events.
	CallbackURI string
	// Enabled reports whether the webhook delivers; AutoSubscribe whether every newly
	// connected vehicle is subscribed to it.
	Enabled       bool
	AutoSubscribe bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SelfURL       string
	// Raw is the resource as received.
	Raw json.RawMessage
}

type wireWebhook struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes struct {
		Name          flexText `json:"name"`
		CallbackURI   flexText `json:"callbackUri"`
		IsEnabled     flexBool `json:"isEnabled"`
		AutoSubscribe flexBool `json:"autoSubscribe"`
	} `json:"attributes"`
	Meta struct {
		CreatedAt timestamp `json:"createdAt"`
		UpdatedAt timestamp `json:"updatedAt"`
	} `json:"meta"`
	Links wireLinks `json:"links"`
}

// UnmarshalJSON decodes a webhook resource as the Management API sends it, keeping Raw.
func (wh *Webhook) UnmarshalJSON(b []byte) error {
	return unmarshalModel(b, wh, webhookFromWire)
}

func webhookFromWire(w *wireWebhook, raw json.RawMessage) Webhook {
	return Webhook{
		ID:            w.ID,
		Name:          string(w.Attributes.Name),
		CallbackURI:   string(w.Attributes.CallbackURI),
		Enabled:       bool(w.Attributes.IsEnabled),
		AutoSubscribe: bool(w.Attributes.AutoSubscribe),
		CreatedAt:     w.Meta.CreatedAt.Time,
		UpdatedAt:     w.Meta.UpdatedAt.Time,
		SelfURL:       w.Links.Self.href,
		Raw:           raw,
	}
}

// MarshalJSON encodes the webhook as the Management API sends it: {"id", "type",
// "attributes": {"name", "callbackUri", "isEnabled", "autoSubscribe"}, "meta":
// {"createdAt", "updatedAt"}, "links": {"self"}}. Raw is not encoded.
func (wh Webhook) MarshalJSON() ([]byte, error) {
	type attributes struct {
		Name          string `json:"name,omitempty"`
		CallbackURI   string `json:"callbackUri,omitempty"`
		IsEnabled     bool   `json:"isEnabled"`
		AutoSubscribe bool   `json:"autoSubscribe"`
	}
	type meta struct {
		CreatedAt *time.Time `json:"createdAt,omitempty"`
		UpdatedAt *time.Time `json:"updatedAt,omitempty"`
	}
	return json.Marshal(struct {
		ID         string     `json:"id"`
		Type       string     `json:"type"`
		Attributes attributes `json:"attributes"`
		Meta       meta       `json:"meta"`
		Links      *outLinks  `json:"links,omitempty"`
	}{
		ID: wh.ID, Type: "webhook",
		Attributes: attributes{wh.Name, wh.CallbackURI, wh.Enabled, wh.AutoSubscribe},
		Meta:       meta{outTime(wh.CreatedAt), outTime(wh.UpdatedAt)},
		Links:      selfLinks(wh.SelfURL),
	})
}

// flexBool decodes true/false, "true"/"false" and 1/0; anything else is false.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseBool(string(trimQuotes(b)))
	*f = flexBool(err == nil && v)
	return nil
}

func trimQuotes(b []byte) []byte {
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' {
		return b[1 : n-1]
	}
	return b
}

// WebhookListOptions filters and pages a webhook list (filter[name],
// filter[callbackUri], filter[isEnabled], filter[autoSubscribe]; page[size] default 50,
// at most 100 [C]). The zero value lists every webhook.
type WebhookListOptions struct {
	Name        string
	CallbackURI string
	// Enabled and AutoSubscribe filter when set.
	Enabled       *bool
	AutoSubscribe *bool
	// PageNumber (from 1) and PageSize (1–MaxWebhookPageSize) select a page; 0 leaves
	// Smartcar's default.
	PageNumber int
	PageSize   int
}

// MaxWebhookPageSize is the largest page[size] Smartcar accepts on GET /webhooks [C].
const MaxWebhookPageSize = 100

func (o *WebhookListOptions) query() (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	if o.PageSize > MaxWebhookPageSize {
		return nil, invalidf("webhook page size %d is above Smartcar's maximum of %d", o.PageSize, MaxWebhookPageSize)
	}
	setIf(q, filterName, o.Name)
	setIf(q, filterCallbackURI, o.CallbackURI)
	if o.Enabled != nil {
		q.Set(filterIsEnabled, strconv.FormatBool(*o.Enabled))
	}
	if o.AutoSubscribe != nil {
		q.Set(filterAutoSubscribe, strconv.FormatBool(*o.AutoSubscribe))
	}
	return q, pageQuery(q, o.PageNumber, o.PageSize)
}

// List returns one page of webhooks. Fetch the next with opts.PageNumber =
// page.NextPageNumber while page.HasNext(), or use All.
func (s *WebhooksService) List(ctx context.Context, opts *WebhookListOptions, reqOpts ...RequestOption) (*Page[Webhook], error) {
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	return listPage(ctx, s.c, s.c.managementAPI, pathWebhooks, q, decoded[Webhook], reqOpts)
}

// All iterates over every webhook matching opts, fetching pages as it goes (from
// opts.PageNumber, if set). It stops at the first error, which it yields once.
func (s *WebhooksService) All(ctx context.Context, opts *WebhookListOptions, reqOpts ...RequestOption) iter.Seq2[Webhook, error] {
	q, err := opts.query()
	return iterate(ctx, s.c, s.c.managementAPI, pathWebhooks, q, err, decoded[Webhook], reqOpts)
}

// Get returns one webhook (for example the one a Subscription's WebhookURL names).
func (s *WebhooksService) Get(ctx context.Context, webhookID string, opts ...RequestOption) (*Webhook, error) {
	return getOne(ctx, s.c, s.c.managementAPI, pathWebhook, webhookID, "webhook", decoded[Webhook], opts)
}
