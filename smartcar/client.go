package smartcar

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/auth"
	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/internal/redact"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Provider is the provider name in errors, logs, the User-Agent and telematics values.
const Provider = "smartcar"

// Production endpoints.
const (
	DefaultVehicleAPIURL    = "https://vehicle.api.smartcar.com/v3"
	DefaultManagementAPIURL = "https://management.api.smartcar.com/v3"
	DefaultTokenURL         = "https://iam.smartcar.com/oauth2/token"
)

// Default timeouts of one attempt. Commands reach the vehicle and may hold the
// connection for minutes before the final answer, so they get the 310 s of Smartcar's own
// SDKs. Other calls get a minute: Smartcar does not document how long a read takes; that
// it answers from data it already holds rather than from the vehicle is our reading of
// the retrievedAt and ingestedAt times it sends ([I] in docs/evidence.md).
const (
	DefaultTimeout        = 60 * time.Second
	DefaultCommandTimeout = 310 * time.Second
)

// Default limits of a call.
const (
	// DefaultMaxWait is the longest a call waits for a rate limit before it gives up with
	// a *telematics.RateLimitError (WithMaxWait; WithMaxWait(0) never waits).
	DefaultMaxWait = 60 * time.Second
	// DefaultMaxRetries is how often a failed call that is safe to repeat is retried.
	DefaultMaxRetries = 4
)

// DefaultMaxResponseBody bounds the body of a successful answer (see WithMaxResponseBody).
const DefaultMaxResponseBody = 32 << 20

// The application rate limit Smartcar documents by default: a bucket of 120 requests
// refilled at 2 per minute (negotiable per contract).
const (
	AppRateLimitBurst    = 120
	AppRateLimitInterval = 30 * time.Second
)

// Environment variables read by FromEnv.
const (
	EnvClientID         = "SMARTCAR_CLIENT_ID"
	EnvClientSecret     = "SMARTCAR_CLIENT_SECRET"
	EnvVehicleAPIURL    = "SMARTCAR_VEHICLE_API_URL"
	EnvManagementAPIURL = "SMARTCAR_MANAGEMENT_API_URL"
	EnvTokenURL         = "SMARTCAR_TOKEN_URL"
	EnvUnitSystem       = "SMARTCAR_UNIT_SYSTEM"
)

// UnitSystem selects the units of signal values (the SC-Unit-System header).
type UnitSystem string

// The unit systems. Smartcar answers in metric when none is sent.
const (
	Metric   UnitSystem = "metric"
	Imperial UnitSystem = "imperial"
)

// Client is a Smartcar API v3 client: the Vehicle API (connections, vehicles, signals,
// commands, charge schedules) and the Management API (webhooks and their
// subscriptions) behind one application
// token. It is safe for concurrent use; Close it when done.
type Client struct {
	// Connections lists, reads and removes the vehicle connections of the application.
	Connections *ConnectionsService
	// Users removes users with all their connections.
	Users *UsersService
	// Vehicles reads vehicle attributes.
	Vehicles *VehiclesService
	// Signals reads the standardized signals of a vehicle.
	Signals *SignalsService
	// Commands sends commands to vehicles: charging, locks, navigation.
	Commands *CommandsService
	// ChargeSchedules sets and deletes charging schedules.
	ChargeSchedules *ChargeSchedulesService
	// Subscriptions subscribes vehicles to webhooks (Management API).
	Subscriptions *SubscriptionsService
	// Webhooks lists and reads the application's webhooks (Management API).
	Webhooks *WebhooksService

	vehicleAPI     *httpcore.Client
	managementAPI  *httpcore.Client
	tokens         *auth.Source
	transport      *http.Transport // ours to close; nil when the caller gave an HTTP client
	commandTimeout time.Duration
	clock          telematics.Clock
	pollSpacing    time.Duration // between two poll requests by default (PollPositions)
	polls          *pollService
}

type service struct{ c *Client }

// NewClient returns a client for the application with these API credentials (Dashboard
// → API Credentials). Community reports say v3 client ids start with "client_" and that
// older application ids (UUIDs) are refused by the token endpoint ([R] in docs/evidence.md,
// not a documented contract); the SDK does not check the form. No request is sent until
// the first call, which fetches the application token.
func NewClient(clientID, clientSecret string, opts ...Option) (*Client, error) {
	cfg, err := newConfig(clientID, clientSecret, opts)
	if err != nil {
		return nil, err
	}
	hc, transport := cfg.HTTP()
	c := &Client{transport: transport, commandTimeout: cfg.commandTimeout, clock: cfg.Clock, polls: &pollService{}}
	limit := 0.0
	if cfg.Limiter != nil {
		limit = float64(cfg.Limiter.Limit())
	}
	c.pollSpacing = defaultPollSpacing(limit)
	// One redactor knows the secret and every token, for the token endpoint's errors
	// and both APIs'.
	red := redact.New(clientID, clientSecret)
	c.tokens, err = auth.New(auth.Config{
		Redactor:     red,
		Provider:     Provider,
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     cfg.tokenURL,
		Style:        auth.InBody,
		HTTPClient:   hc,
		UserAgent:    cfg.UserAgent,
		Logger:       cfg.Logger,
		Clock:        cfg.Clock,
	})
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	if cfg.unitSystem != "" {
		header.Set("SC-Unit-System", string(cfg.unitSystem))
	}
	// Both APIs share the token, the limiter, the shared budget and the settings; each
	// has its own reported budget.
	key := telematics.BudgetKey{Provider: Provider, ClientID: clientID, Limit: AppRateLimitBurst, Window: AppRateLimitBurst * AppRateLimitInterval}
	core := func(base string) (*httpcore.Client, error) {
		return httpcore.New(cfg.Core(httpcore.Config{Provider: Provider, BaseURL: base, HTTPClient: hc, Tokens: c.tokens,
			Header: header, DecodeError: decodeError, Redactor: red, BudgetKey: key}))
	}
	if c.vehicleAPI, err = core(cfg.vehicleURL); err == nil {
		c.managementAPI, err = core(cfg.managementURL)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	s := service{c}
	c.Connections = (*ConnectionsService)(&s)
	c.Users = (*UsersService)(&s)
	c.Vehicles = (*VehiclesService)(&s)
	c.Signals = (*SignalsService)(&s)
	c.Commands = (*CommandsService)(&s)
	c.Subscriptions = (*SubscriptionsService)(&s)
	c.ChargeSchedules = (*ChargeSchedulesService)(&s)
	c.Webhooks = (*WebhooksService)(&s)
	return c, nil
}

// FromEnv returns a client configured from the environment: SMARTCAR_CLIENT_ID and
// SMARTCAR_CLIENT_SECRET (required), and optionally SMARTCAR_VEHICLE_API_URL,
// SMARTCAR_MANAGEMENT_API_URL, SMARTCAR_TOKEN_URL and SMARTCAR_UNIT_SYSTEM ("metric" or
// "imperial"). Values are trimmed of surrounding white space; empty ones count as unset.
// opts are applied after the environment and win over it.
func FromEnv(opts ...Option) (*Client, error) {
	env := func(name string) string { return strings.TrimSpace(os.Getenv(name)) }
	id, secret := env(EnvClientID), env(EnvClientSecret)
	var envOpts []Option
	if v := env(EnvVehicleAPIURL); v != "" {
		envOpts = append(envOpts, WithVehicleAPIURL(v))
	}
	if v := env(EnvManagementAPIURL); v != "" {
		envOpts = append(envOpts, WithManagementAPIURL(v))
	}
	if v := env(EnvTokenURL); v != "" {
		envOpts = append(envOpts, WithTokenURL(v))
	}
	if v := env(EnvUnitSystem); v != "" {
		envOpts = append(envOpts, WithUnitSystem(UnitSystem(strings.ToLower(v))))
	}
	return NewClient(id, secret, append(envOpts, opts...)...)
}

// Close ends the client's pollers (PollPositions) and releases the token source, the
// client's share of a rate limiter and the idle connections the client opened. Calls made after Close fail with
// telematics.ErrClientClosed without being sent, also when the client still holds a
// valid token. Close may be called more than once.
func (c *Client) Close() {
	if c.polls != nil {
		c.polls.close()
	}
	if c.tokens != nil {
		c.tokens.Close()
	}
	for _, api := range []*httpcore.Client{c.vehicleAPI, c.managementAPI} {
		if api != nil {
			api.Close()
		}
	}
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
}

// VehicleAPIURL returns the Vehicle API root the client sends to.
func (c *Client) VehicleAPIURL() string { return c.vehicleAPI.BaseURL() }

// ManagementAPIURL returns the Management API root the client sends to.
func (c *Client) ManagementAPIURL() string { return c.managementAPI.BaseURL() }

// Rate returns the request budget as the last response reported it in rate-limit headers
// (X-Rate-Limit-*, RateLimit-*): the Vehicle API's, or the Management API's when only it
// reported one. Limit and Remaining are -1 until a response carries such headers;
// Smartcar documents none ([U] in docs/evidence.md), so the application budget is better
// paced with WithAppRateLimit.
func (c *Client) Rate() telematics.Rate {
	if r := c.vehicleAPI.Rate(); r.Known() {
		return r
	}
	return c.managementAPI.Rate()
}

// API selects one of Smartcar's two APIs for Client.Do.
type API int

// The APIs a Client talks to.
const (
	// VehicleAPI is the Vehicle API (connections, vehicles, signals, commands).
	VehicleAPI API = iota
	// ManagementAPI is the Management API (webhook subscriptions).
	ManagementAPI
)

// Do calls an endpoint the SDK does not model, such as charge-port commands or the
// applications of the Management API: api selects the API, method and path (relative to the API's root, for
// example "/vehicles/{id}/commands/charge-port/open"; build it with url.PathEscape'd ids)
// the endpoint, query its parameters, body is encoded as JSON (nil sends none; a
// json.RawMessage is sent as is) and out receives the decoded JSON body (nil discards
// it, a *[]byte receives the raw bytes). Pass WithUserID where the endpoint needs the
// vehicle owner's sc-user-id.
//
// Errors, rate limits, retries and the token are those of every other call. GET, HEAD,
// PUT and DELETE are repeated on failure like reads; POST and PATCH are writes that are
// never repeated once they may have reached Smartcar (telematics.MayHaveSucceeded tells
// when one may have taken effect), refuse an Idempotency-Key, and get the command timeout
// on the Vehicle API.
func (c *Client) Do(ctx context.Context, api API, method, path string, query url.Values, body, out any, opts ...RequestOption) (*telematics.Response, error) {
	method = strings.ToUpper(cmp.Or(method, http.MethodGet))
	if strings.IndexFunc(method, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return nil, invalidf("HTTP method %q is not a method name", method)
	}
	if strings.TrimSpace(path) == "" {
		return nil, invalidf("empty path")
	}
	k := call{method: method, path: path, query: query, body: body}
	switch api {
	case VehicleAPI:
		k.api = c.vehicleAPI
		k.command = method == http.MethodPost || method == http.MethodPatch
	case ManagementAPI:
		k.api = c.managementAPI
	default:
		return nil, invalidf("unknown API %d", api)
	}
	if raw, ok := out.(*[]byte); ok && raw != nil && cap(*raw) > 0 {
		// The request loop reads a body into the capacity of the slice it is given; Do
		// hands back new memory each call, since the caller may still hold the old slice.
		var fresh []byte
		resp, err := c.do(ctx, k, &fresh, opts)
		if err == nil {
			*raw = fresh
		}
		return resp, err
	}
	return c.do(ctx, k, out, opts)
}

// call is one API call as the services describe it.
type call struct {
	api      *httpcore.Client
	method   string
	path     string
	query    url.Values
	body     any
	needUser bool
	command  bool
}

// do sends one call with the per-call options applied.
func (c *Client) do(ctx context.Context, k call, out any, opts []RequestOption) (*telematics.Response, error) {
	co, err := httpcore.ApplyCallOptions(Provider, reservedHeaders, opts)
	if err != nil {
		return nil, err
	}
	if k.needUser && co.Header.Get(headerUserID) == "" {
		return nil, ErrUserIDRequired
	}
	req := &httpcore.Request{Method: k.method, Path: k.path, Query: k.query, Body: k.body, Header: co.Header, Timeout: co.Timeout}
	if k.command && co.Timeout == 0 {
		req.Timeout = c.commandTimeout
	}
	resp, err := k.api.Do(ctx, req, out)
	co.Capture(resp)
	return resp, err
}
