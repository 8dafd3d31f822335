// Package smartcar is a client for Smartcar's API v3: the Vehicle API (connections,
// vehicles, signals, commands, charge schedules) and the Management API (webhooks and
// their subscriptions).
//
// # Client
//
// Create one client per application with its API credentials (Smartcar Dashboard → API
// Credentials), or from the environment, and close it when done:
//
//	client, err := smartcar.NewClient(clientID, clientSecret)
//	client, err := smartcar.FromEnv() // SMARTCAR_CLIENT_ID, SMARTCAR_CLIENT_SECRET, ...
//	defer client.Close()
//
// The client fetches one application token (client credentials in the form body of
// https://iam.smartcar.com/oauth2/token), shares it between both APIs and every
// goroutine, renews it a minute before its hour is up and replaces it once when Smartcar
// refuses it. Options set the API and token URLs, the HTTP client, a slog logger (silent
// by default; credentials are never logged), the unit system (SC-Unit-System; which
// units v3 answers in for imperial is undocumented), a
// User-Agent prefix, retries (WithMaxRetries; 0 turns them off), the longest rate-limit
// wait (WithMaxWait; 0 never waits), client-side pacing (WithAppRateLimit, WithBudget,
// WithRateLimiter), timeouts (WithTimeout, WithCommandTimeout) and the clock. The
// options and their validation are those of package mycartracks wherever the two mean
// the same: an option given a value it cannot take (a negative wait, a nil HTTP client,
// a line break in the User-Agent) makes NewClient fail with an error matching
// telematics.ErrInvalidInput that lists every such mistake, not only the first.
//
// Every method takes a context first and per-call options last: WithUserID,
// WithResponse (the status, headers and request id of the exchange), WithHeader (which
// refuses the headers the client sets itself: Authorization, SC-User-Id, User-Agent,
// Accept, Content-Type, Content-Length, Host) and WithRequestTimeout, as in mycartracks.
// An empty or blank id and a negative PageNumber or PageSize are refused before anything
// is sent.
//
// Client.Do reaches endpoints the SDK does not model (charge-port commands, the
// Management API's applications) on either API with the same token, errors and retries; POST and PATCH are
// never repeated. Client.Rate returns the budget of the last rate-limit headers, if
// Smartcar sends any.
//
// # Users
//
// An application token sees every vehicle of the application. Calls made on behalf of a
// vehicle owner carry their user id (the sc-user-id header), which Smartcar Connect
// returns when they connect a vehicle and every Connection holds:
//
//	set, err := client.Signals.List(ctx, vehicleID, smartcar.WithUserID(userID))
//
// Signal and command calls require it: without it they fail with ErrUserIDRequired
// (matching telematics.ErrInvalidInput) and send nothing.
//
// # Connections
//
// Connections.List returns one page (Page, with Smartcar's page number, size, Total,
// links and NextPageNumber, the page All would fetch next: pass it as PageNumber while
// HasNext); Connections.All iterates over every connection, following Smartcar's next
// links lazily and stopping on the last page, the total or a break:
//
//	for conn, err := range client.Connections.All(ctx, &smartcar.ConnectionListOptions{UserID: userID}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(conn.VehicleID, conn.Vehicle.Make, conn.Permissions)
//	}
//
// Connections.Delete disconnects a vehicle; Users.Delete removes a user with all their
// connections.
//
// Connection, Vehicle, Subscription and CommandExecution keep the resource they were
// decoded from in Raw, their own copy. json.Marshal writes a model back in Smartcar's
// JSON:API form, and a Signal in the webhook form, so json.Unmarshal reads the same
// value from it (Raw aside; CommandExecution.HTTPStatus and Signal.VehicleID are not
// part of the resource).
//
// # Signals
//
// Signals.List reads every signal of a vehicle (following page links, at most
// MaxSignalPages pages), Signals.Get one, by SignalCode (constants
// for the whole catalogue, with Group and Name). Each Signal carries its status, its
// error (ErrorDetail: type, code, detail, resolution) when the reading failed — the call
// itself still succeeds — and its body decoded into a typed Value: UnitValue, BoolValue,
// TextValue, AdditionalValues, Location, ClosureState, ClosureGrid, ChargeLimits,
// NominalCapacity, ValueList, or RawValue for a shape this package does not know. A
// failed reading may still carry its last known body, so check OK:
//
//	soc, _ := set.Get(smartcar.SignalTractionBatteryStateOfCharge)
//	if soc.OK() {
//		v := soc.Value.(smartcar.UnitValue) // {Value: 72, Unit: "percent"}
//	}
//
// Signal.Telematics converts to the provider-neutral telematics.Signal (with unit-aware
// Percent, Distance and Speed), Signal.Position a location to a telematics.Position.
// Times accept epoch milliseconds and RFC 3339 text; 0 means unknown.
//
// # Commands
//
// CommandsService starts and stops charging, sets the charge limit (50–100 %), locks,
// unlocks and sends destinations. Each returns the CommandExecution Smartcar recorded.
// A 202 Accepted means the command ran long, not that it succeeded: Succeeded reports
// what the body says. Commands are never repeated automatically once they may have
// reached Smartcar, and an error that leaves the outcome open says so:
//
//	exec, err := client.Commands.Unlock(ctx, vehicleID, smartcar.WithUserID(userID))
//	switch {
//	case telematics.MayHaveSucceeded(err):
//		// the connection broke after sending, or Smartcar answered a 5xx but 501, 503:
//		// read closure-islocked before trying again
//	case smartcar.IsVehicleAsleep(err):
//		// 409 VEHICLE_STATE:ASLEEP
//	case err == nil && exec.Succeeded():
//	}
//
// Each command attempt may take DefaultCommandTimeout (310 s, as Smartcar's own SDKs);
// other calls DefaultTimeout (WithTimeout).
//
// ChargeSchedulesService sets daily (documented), weekly and workweek schedules (from a
// third party's listing) and deletes them; each returns a ChargeScheduleExecution with
// the schedule's id. Makes that take no schedules answer 501 (IsNotCapable).
//
// # Live positions by polling
//
// PollPositions follows vehicles' positions without webhooks: it reads each vehicle's
// location signal on a schedule that fits the budgets (each vehicle at most every
// WithPollInterval, 30 minutes by default as Smartcar advises; requests spread evenly
// and never faster than half the application budget, WithPollBudget), backs off per
// vehicle on a 429 (after its Retry-After) and from a sleeping vehicle, and returns the
// telematics.Subscription every live source returns:
//
//	sub, err := client.PollPositions(ctx, vehicleIDs, smartcar.WithPollUserID(userID))
//	defer sub.Close()
//	for p := range sub.Positions() {
//		fmt.Println(p.VehicleID, p.Latitude, p.Longitude, p.Time)
//	}
//
// When the webhook receiver runs too, give both one PositionTracker
// (WithPositionTracker here, WithWebhookPositionTracker on the handler) and merge their
// subscriptions (telematics.MergeSubscriptions): a fix is published once, by whichever
// source delivers it first, and neither publishes a fix older than one the other
// already published.
//
// # Webhooks and subscriptions
//
// WebhooksService lists (List, All; filters name, callback URI, enabled, auto-subscribe)
// and reads (Get) the webhooks created in the Dashboard. SubscriptionsService subscribes
// a vehicle to one (Subscribe; a second subscription fails with ErrAlreadySubscribed),
// lists (List, All), reads and deletes (Unsubscribe) subscriptions; a Subscription's
// WebhookURL is its webhook's link.
//
// # Receiving webhooks
//
// WebhookHandler is the http.Handler of a webhook's callback URL: it checks
// SC-Signature on the raw body (VerifySignature, HashChallenge), answers VERIFY, decodes
// events (DecodeWebhookEvent: VehicleStateEvent, VehicleErrorEvent) and hands them to
// subscriptions (Subscribe, a *telematics.Subscription with typed Webhooks under
// WebhookEvents, and Positions) and callbacks (HandleFunc), answering 200 only once they
// accepted the event and 503 otherwise, so that Smartcar redelivers; duplicate eventIds
// are acknowledged but not delivered again (MemoryDedupeStore or a shared
// telematics.DedupeStore) and out-of-order values are marked Stale. With
// WithWebhookPositionTracker, the handler's Positions share the poller's
// PositionTracker: a location is published only when newer than the last fix either
// source published for its vehicle (Stats counts the others as TrackedPositions).
//
// # Errors
//
// An error response is an *APIError (reach it with errors.As) holding Smartcar's Type,
// Code, Message and Resolution, every error entry in Errors (title, detail, suggested
// user message, documentation link), the request id (quote it to Smartcar support),
// Retry-After and the raw Body, as mycartracks.APIError does. It decodes the JSON:API
// form of v3, the flat form of v2 and webhooks (also nested under "error"), and the
// OAuth form, each keeping its classification. Its message reads like every provider's
// (see the README's Errors section):
//
//	smartcar: GET <url>: 429 Too Many Requests: RATE_LIMIT:SMARTCAR_API: <message> (retry after 1h0m0s, request id <id>)
//
// with one trailing parenthesis: resolution, retry after, request id, and "the request
// may have been applied" for a command or other write that may have taken effect
// (telematics.MayHaveSucceeded reports it too). A malformed success answer is a
// *telematics.RequestError with the method and URL, matching
// telematics.ErrMalformedResponse; a call after Close fails with
// telematics.ErrClientClosed. It matches the telematics sentinels with errors.Is — see
// APIError.Is for the table — plus ErrBilling for Smartcar's non-standard 430 status. Billing errors deliberately do not match
// telematics.ErrRateLimited: the allowance resets monthly, so waiting and retrying is
// wrong. IsRateLimited, NeedsReauthentication, IsVehicleAsleep, IsVehicleUnreachable
// and IsNotCapable answer the common questions.
//
// # Rate limits
//
// A vehicle's 429 carries Retry-After: reads wait for it (and a second past it) when it
// is within the maximum wait (WithMaxWait, default 60 s, for all the rate-limit waits of
// one call together) and otherwise fail at once with a
// *telematics.RateLimitError, never hammering a sleeping car; commands never wait. Limits
// that a quick retry cannot lift are never retried, since every retry of a vehicle read
// counts against the vehicle's monthly allowance (APIError.Retryable): the vehicle
// maker's 502 UPSTREAM:RATE_LIMIT, a vehicle's 429 without Retry-After, and billing
// errors.
//
// WithAppRateLimit paces the client to Smartcar's application budget (120 requests,
// refilled at 2 a minute) across goroutines and both APIs.
//
// # Testing
//
// Package smartcartest is a fake Smartcar on a loopback port with a simulated fleet,
// commands that change state, injectable faults and a request log; Server.NewClient
// returns a client wired to it.
package smartcar
