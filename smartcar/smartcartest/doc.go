// Package smartcartest is a fake Smartcar for tests: an in-process HTTP server, shaped
// like net/http/httptest, that serves the token endpoint, the Vehicle API and the
// Management API of Smartcar's API v3 with the documented paths, envelopes and errors.
//
//	fake := smartcartest.NewServer()
//	defer fake.Close()
//	client, err := fake.NewClient() // or smartcar.NewClient(fake.ClientID, fake.ClientSecret, fake.ClientOptions()...)
//
// # The same shape as mycartrackstest
//
// Both fakes are built on one kit and read alike:
//
//   - URL is the server's root (http://127.0.0.1:PORT), as httptest.Server's. Each API
//     root has the name of the client option that takes it: here VehicleAPIURL
//     (smartcar.WithVehicleAPIURL, URL + VehiclePrefix) and ManagementAPIURL
//     (smartcar.WithManagementAPIURL, URL + ManagementPrefix); in mycartrackstest
//     BaseURL. TokenURL is the token endpoint in both (here URL + TokenPath).
//   - NewClient returns a client of the fake: its URLs, its credentials, its HTTP client
//     and its clock, then the caller's options. ClientOptions returns the same options
//     for a client built by hand.
//   - NewServer panics on an invalid option, naming every invalid one, as
//     httptest.NewServer panics when it cannot listen.
//   - Every API response carries a request id in UUID form, counting from
//     RequestID(1) (here SC-Request-Id, in mycartrackstest X-Request-Id).
//   - FailNext(faults...) queues faults, each answering the next API request that
//     passes authentication and the rate limit (here: that it also matches, see
//     Fault.On); FailTokenRequests(statuses...) fails token requests; RevokeTokens
//     invalidates every token.
//   - Requests, CountRequests and ResetRequests read the request log; Stats counts
//     requests, 401s, rate-limit refusals, faults, token requests and grants.
//
// # Endpoints
//
// One loopback server carries all three: the token endpoint at TokenURL, the Vehicle API
// under VehicleAPIURL (/vehicle/v3) and the Management API under ManagementAPIURL
// (/management/v3). Point Smartcar's own SDKs at it with SMARTCAR_API_V3_ORIGIN =
// URL + "/vehicle" (they append /v3/vehicles/...).
//
// The token endpoint takes the client credentials as a form body (the docs' examples), a
// JSON body (the documented schema) or HTTP Basic; a missing grant_type is 400
// invalid_request; it answers access_token, token_type "Bearer" and expires_in. Tokens
// last an hour, can be revoked and their requests made to fail.
//
// Responses use Smartcar's JSON:API envelopes ("data", "meta", "links", "included") with
// absolute links pointing back at the fake, page metadata in the real form (pageNumber,
// prev) or, with WithLegacyPaging, the older one (page, previous). A trailing slash on a
// path is served as the path without it. Every response, a 401 or 404 included, carries
// an SC-Request-Id in UUID form, counting (RequestID(n)); authentication is checked
// before the path, so an unknown path with a bad token is 401. Errors are in the
// documented v3 form ({"errors": [...]}, with meta.debug.requestId as in real traffic) or,
// with WithErrorForm(FormFlat), in the flat form Smartcar's official SDKs parse.
// Signal times are epoch milliseconds (WithRFC3339SignalTimes: RFC 3339 with
// ingestedAt).
//
// Each behaviour the fake assumes rather than takes from Smartcar's documentation says
// so in a comment with its evidence mark from docs/evidence.md: [C]
// confirmed, [R] seen in real traffic, [T] third-party, [I] our inference, [U] unknown.
//
// # The fleet
//
// Three users and five vehicles, the same in every run (times are relative to Epoch):
//
//	UserAlice  VehicleModel3  TESLA Model 3 2023, BEV, plugged in, 72 %
//	           VehicleID4     VOLKSWAGEN ID.4 2022, BEV, not plugged in, 45 %
//	UserBob    VehicleCamry   TOYOTA Camry 2020, ICE, locked
//	           VehicleF150    FORD F-150 2021, ICE, unlocked
//	UserCarol  VehicleBolt    CHEVROLET Bolt EV 2021, simulated, powertrain unknown
//
// Electric cars report state of charge, range (with additional values), nominal
// capacity, charging state, charge limits; combustion cars fuel level, amount, range, oil
// life; all report lock state, doors, windows, trunk, location, odometer, speed, VIN and
// connectivity. Some signals fail as on real cars: charge-chargerate is ERROR
// VEHICLE_STATE:NOT_CHARGING with its stale body, closure-sunroof ERROR
// COMPATIBILITY:VEHICLE_NOT_CAPABLE, climate-externaltemperature UNAVAILABLE, and a
// permission is missing for closure-fronttrunk on combustion cars and
// climate-internaltemperature on the ID.4 (ERROR PERMISSION, resolution
// REAUTHENTICATE). PutSignal and RemoveSignals change a vehicle's signals. Drive sets a
// vehicle moving on a circle, its location (and oemUpdatedAt) changing at each of its
// maker's reports, until Park; AddVehicles connects any number of simulated vehicles
// to a user, for tests of large fleets.
// The application has three webhooks (WebhookID, OtherWebhookID with auto-subscribe,
// DisabledWebhookID); the Model 3 is subscribed to WebhookID. The users have the
// external ids ExternalIDAlice, ExternalIDBob and ExternalIDCarol.
//
// # Behaviour
//
//   - sc-user-id: required on signals, commands and charge schedules (400
//     VALIDATION:PARAMETER when missing); a vehicle of another user answers 403
//     PERMISSION ([I]) and an unknown one 404 RESOURCE_NOT_FOUND:VEHICLE_NOT_FOUND ([R]).
//   - Signals: GET /signals answers every signal on one page unless page[size] and
//     page[number] ask for a page; an unknown code is 404 SIGNAL_NOT_FOUND.
//   - Commands change state: lock and unlock set closure-islocked and the doors, charge
//     start and stop set charge-ischarging (409 when unplugged or already in that state,
//     501 on combustion cars), set-limit sets charge-chargelimits (400 outside 50–100),
//     set-destination is kept (Destination). SetAsleep makes commands answer 409
//     VEHICLE_STATE:ASLEEP, and signal reads too under WithSleepingReads. SetLongRunning makes them long-running: 202 at once, without
//     Content-Length, and the final execution record on the same connection when the
//     test calls CompleteCommands (AwaitLongRunning waits for the 202s, PendingCommands
//     counts them); the command takes effect only then.
//   - Charge schedules: daily, weekly and workweek schedules on the Tesla (501
//     COMPATIBILITY:VEHICLE_NOT_CAPABLE on the other makes), deleted by id, reported in
//     the charge-chargetimers signal.
//   - Rate limits: LimitVehicle answers 429 RATE_LIMIT:VEHICLE with a Retry-After for a
//     while; WithAppRateLimit enforces an application bucket (429 SMARTCAR_API, without
//     Retry-After unless WithAppRetryAfter).
//   - Faults: FailNext queues failures for the next matching requests — Asleep,
//     UpstreamError, UpstreamRateLimit, ServerError, GatewayTimeout, RateLimited,
//     BillingLimit (430), NotCapable, PermissionDenied, DropConnection (the connection
//     is closed after the request was read) or any Fault — in the JSON:API, flat or
//     OAuth error form.
//   - Management API: GET /webhooks (filters name, callbackUri, isEnabled,
//     autoSubscribe; page size 50 by default, 100 at most) and GET /webhooks/{id};
//     subscriptions are kept in memory, with links.related to their webhook and
//     vehicle; a second subscription of a vehicle to a webhook answers 409.
//   - Connections: filter[userId], filter[vehicleId], filter[vehicle.mode] and
//     filter[user.externalId].
//   - SC-Unit-System: imperial converts km, km/h and liters to "miles", "mph" and
//     "gallons" (rounded to 0.1). This is the fake's assumption, not Smartcar's
//     contract: Smartcar documents the header but not, for v3, which unit spellings an
//     imperial answer uses ([U] in docs/evidence.md). A test that relies on these
//     spellings tests the fake.
//   - Requests returns every API request received as a LoggedRequest (id, time, method,
//     API, path, query, headers without Authorization, user id, unit system, user agent,
//     body and the status answered); CountRequests counts them by method and path and
//     Stats counts requests, 401s, 429s, injected faults, token requests and grants. WithClock makes the fake keep time by the test's clock; the
//     application bucket takes its tokens at the time each request is logged.
//
// # Webhook sender
//
// NewSender signs (hex HMAC-SHA256 of the raw body in SC-Signature) and POSTs webhook
// events to a receiver: VERIFY (Sender.Verify checks the answer), and the VEHICLE_STATE
// and VEHICLE_ERROR events of the fleet (Server.VehicleStateEvent,
// Server.VehicleErrorEvent). It retries on Smartcar's schedule (25, 50, 100 s) on its
// clock (WithSenderClock: a clocktest.Clock makes the waits instant), can spoil a
// delivery (Tampered, Unsigned, WrongToken, Oversized, Slowloris), mixes duplicates and
// reordering (DeliverAll with a Scenario) and reports every attempt (Report).
package smartcartest
