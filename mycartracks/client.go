package mycartracks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/fleetkit/fleetkit-go/internal/auth"
	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/internal/redact"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Provider is the provider name in errors, logs, the User-Agent and telematics values.
const Provider = "mycartracks"

// Environment variables read by FromEnv.
const (
	EnvClientID     = "MYCARTRACKS_CLIENT_ID"
	EnvClientSecret = "MYCARTRACKS_CLIENT_SECRET"
	EnvScope        = "MYCARTRACKS_SCOPE"
	EnvBaseURL      = "MYCARTRACKS_BASE_URL"
	EnvTokenURL     = "MYCARTRACKS_TOKEN_URL"
)

// Client talks to the MyCarTracks REST API v3 with OAuth2 client credentials. Its
// services group the calls by resource: client.Vehicles.List, client.Tracks.All... It is
// safe for concurrent use; build one per set of credentials and Close it when done.
type Client struct {
	// Vehicles lists and reads vehicles.
	Vehicles *VehiclesService
	// VehicleGroups lists and reads vehicle groups.
	VehicleGroups *VehicleGroupsService
	// Tracks lists and reads tracks (trips) and their trackpoints.
	Tracks *TracksService
	// Reports reads the summary and daily reports.
	Reports *ReportsService
	// Users lists and reads the users of the account.
	Users *UsersService
	// Drivers lists and reads drivers.
	Drivers *DriversService
	// Teams lists and reads teams.
	Teams *TeamsService
	// Jobs lists, reads, creates, updates and deletes jobs.
	Jobs *JobsService
	// Geofences lists, reads, creates, updates and deletes geofences.
	Geofences *GeofencesService
	// MapSharingLinks lists, creates and deletes map sharing links.
	MapSharingLinks *MapSharingLinksService
	// Positions reads the last known position of each vehicle.
	Positions *PositionsService
	// Live follows vehicles live over the WebSocket stream (live.go).
	Live *LiveService

	core      *httpcore.Client
	tokens    *auth.Source
	transport *http.Transport // ours to close; nil when the caller gave an HTTP client
	pageCaps  pageCaps
	canWrite  bool
	scopes    string
	common    service
}

// service is the shared part of every service: the client it belongs to.
type service struct{ client *Client }

// NewClient returns a client for the given API credentials (from the API settings of a
// MyCarTracks account). It checks the options at once but fetches no token until the
// first call. By default it requests the read scope only; use
// WithScopes(ScopeRead, ScopeWrite) to create, update or delete.
func NewClient(clientID, clientSecret string, opts ...Option) (*Client, error) {
	cfg, err := newConfig(clientID, clientSecret, opts)
	if err != nil {
		return nil, err
	}
	hc, transport := cfg.HTTP()
	// One redactor knows the secret and every token, for the token endpoint's errors
	// and the API's.
	red := redact.New(clientID, clientSecret)
	tokens, err := auth.New(auth.Config{
		Redactor:     red,
		Provider:     Provider,
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     cfg.tokenURL,
		Scopes:       cfg.scopes,
		Style:        auth.InHeader,
		HTTPClient:   hc,
		UserAgent:    cfg.UserAgent,
		Logger:       cfg.Logger,
		Clock:        cfg.Clock,
	})
	if err != nil {
		return nil, err
	}
	core, err := httpcore.New(cfg.Core(httpcore.Config{
		Provider:     Provider,
		BaseURL:      cfg.baseURL,
		HTTPClient:   hc,
		Tokens:       tokens,
		RateWindow:   RateWindow,
		BudgetKey:    telematics.BudgetKey{Provider: Provider, ClientID: clientID, Limit: RateLimit, Window: RateWindow},
		DecodeError:  errorDecoder(red),
		Redactor:     red,
		MaxErrorBody: maxErrorBody,
	}))
	if err != nil {
		tokens.Close()
		return nil, err
	}
	c := &Client{core: core, tokens: tokens, transport: transport, canWrite: cfg.hasScope(ScopeWrite), scopes: strings.Join(cfg.scopes, " ")}
	c.common.client = c
	c.Vehicles = (*VehiclesService)(&c.common)
	c.VehicleGroups = (*VehicleGroupsService)(&c.common)
	c.Tracks = (*TracksService)(&c.common)
	c.Reports = (*ReportsService)(&c.common)
	c.Users = (*UsersService)(&c.common)
	c.Drivers = (*DriversService)(&c.common)
	c.Teams = (*TeamsService)(&c.common)
	c.Jobs = (*JobsService)(&c.common)
	c.Geofences = (*GeofencesService)(&c.common)
	c.MapSharingLinks = (*MapSharingLinksService)(&c.common)
	c.Positions = (*PositionsService)(&c.common)
	c.Live = newLiveService(c, cfg.Clock, hc, cfg.Logger)
	return c, nil
}

// FromEnv returns a client configured from the environment: MYCARTRACKS_CLIENT_ID and
// MYCARTRACKS_CLIENT_SECRET (required), MYCARTRACKS_SCOPE ("read" or "read write"),
// MYCARTRACKS_BASE_URL and MYCARTRACKS_TOKEN_URL (optional). Options given to FromEnv
// override the environment.
func FromEnv(opts ...Option) (*Client, error) {
	var env []Option
	if v := strings.TrimSpace(os.Getenv(EnvScope)); v != "" {
		env = append(env, WithScopes(v))
	}
	if v := strings.TrimSpace(os.Getenv(EnvBaseURL)); v != "" {
		env = append(env, WithBaseURL(v))
	}
	if v := strings.TrimSpace(os.Getenv(EnvTokenURL)); v != "" {
		env = append(env, WithTokenURL(v))
	}
	return NewClient(strings.TrimSpace(os.Getenv(EnvClientID)), strings.TrimSpace(os.Getenv(EnvClientSecret)), append(env, opts...)...)
}

// Close releases the client's token source, stopping a token request in progress, its
// share of a rate limiter given with WithRateLimiter or WithBudget, and the idle
// connections it opened (not those of an HTTP client given with WithHTTPClient). Calls
// made after Close fail with telematics.ErrClientClosed without being sent, also when the
// client still holds a valid token. Close may be called more than once.
func (c *Client) Close() {
	c.Live.close()
	c.tokens.Close()
	c.core.Close()
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
}

// Rate returns the request budget as the last response reported it (Limit and Remaining
// are -1 before the first response).
func (c *Client) Rate() telematics.Rate { return c.core.Rate() }

// BaseURL returns the API root the client sends requests to.
func (c *Client) BaseURL() string { return c.core.BaseURL() }

// Do calls an endpoint the SDK does not model: method and path (relative to the base URL,
// for example "/vehicles/7/odometer"), query parameters, a body encoded as JSON (nil for
// none) and out, which receives the decoded JSON body (nil to discard it, a *[]byte for
// the raw bytes). Errors, retries, pacing and token handling are those of every other
// call; a method other than GET and HEAD needs the write scope.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any, opts ...RequestOption) (*telematics.Response, error) {
	method = strings.ToUpper(method)
	if method == "" {
		method = http.MethodGet
	}
	ep := &endpoint{name: "Client.Do", method: method, path: path}
	ep.write = method != http.MethodGet && method != http.MethodHead
	if raw, ok := out.(*[]byte); ok && raw != nil && cap(*raw) > 0 {
		// The request loop reads a body into the capacity of the slice it is given; Do
		// hands back new memory each call, since the caller may still hold the old slice.
		var fresh []byte
		resp, err := c.send(ctx, ep, path, query, body, &fresh, opts)
		if err == nil {
			*raw = fresh
		}
		return resp, err
	}
	return c.send(ctx, ep, path, query, body, out, opts)
}

// call sends a request to a table endpoint, its path built from the template and ids.
func (c *Client) call(ctx context.Context, id endpointID, ids []string, query url.Values, body, out any, opts []RequestOption) (*telematics.Response, error) {
	ep := &endpoints[id]
	path, err := ep.format(ids...)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", Provider, ep.name, err)
	}
	return c.send(ctx, ep, path, query, body, out, opts)
}

// deleteByID deletes a resource. A 404 answering a retried attempt (Attempts > 1) is
// success: an earlier attempt whose answer was lost (a dropped connection, a 5xx sent
// after the change took effect) may have deleted the resource already.
func (c *Client) deleteByID(ctx context.Context, ep endpointID, id ID, opts []RequestOption) error {
	resp, err := c.call(ctx, ep, []string{id.String()}, nil, nil, nil, opts)
	var apiErr *APIError
	if err != nil && resp != nil && resp.Attempts > 1 && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return nil
	}
	return err
}

func (c *Client) send(ctx context.Context, ep *endpoint, path string, query url.Values, body, out any, opts []RequestOption) (*telematics.Response, error) {
	co, err := httpcore.ApplyCallOptions(Provider, reservedHeaders, opts)
	if err != nil {
		return nil, err
	}
	if ep.write && !c.canWrite {
		return nil, &ScopeError{Operation: ep.name, Method: ep.method, Scope: ScopeWrite, Granted: c.scopes}
	}
	req := &httpcore.Request{Method: ep.method, Path: path, Query: query, Body: body, Header: co.Header, Timeout: co.Timeout}
	resp, err := c.core.Do(ctx, req, out)
	co.Capture(resp)
	return resp, err
}
