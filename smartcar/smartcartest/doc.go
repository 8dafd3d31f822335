// Package smartcartest is a fake Smartcar for tests: an in-process HTTP server, shaped
// like net/http/httptest, that serves the token endpoint, the Vehicle API and the
// Management API of Smartcar's API v3 with the documented paths, envelopes and errors.
//
//	fake := smartcartest.NewServer()
//	defer fake.Close()
//	client, err := fake.NewClient() // or smartcar.NewClient(fake.ClientID, fake.ClientSecret, fake.ClientOptions()...)
//
// # Endpoints
//
// One loopback server carries all three: the token endpoint at TokenURL (client
// credentials in the form body only, as Smartcar requires; tokens last an hour, can be
// revoked and their requests made to fail), the Vehicle API under VehicleURL
// (/vehicle/v3) and the Management API under ManagementURL (/management/v3). Responses
// use Smartcar's JSON:API envelopes ("data", "meta", "links", "included") with absolute
// links pointing back at the fake, page metadata in the real form (pageNumber, prev) or,
// with WithLegacyPaging, the older one (page, previous). Every response carries an
// SC-Request-Id ("req-000001", counting). Errors are JSON:API error documents.
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
// REAUTHENTICATE). PutSignal and RemoveSignals change a vehicle's signals.
// The Model 3 is subscribed to WebhookID; OtherWebhookID has no subscriptions.
//
// # Behaviour
//
//   - sc-user-id: required on signals and commands (400 VALIDATION:PARAMETER when
//     missing); a vehicle of another user answers 403 PERMISSION and an unknown one 404
//     (the reference leaves both open; these are our assumptions).
//   - Commands change state: lock and unlock set closure-islocked and the doors, charge
//     start and stop set charge-ischarging (409 when unplugged or already in that state,
//     501 on combustion cars), set-limit sets charge-chargelimits (400 outside 50–100),
//     set-destination is kept (Destination). SetAsleep makes commands answer 409
//     VEHICLE_STATE:ASLEEP; SetLongRunning makes them answer 202 with the execution.
//   - Rate limits: LimitVehicle answers 429 RATE_LIMIT:VEHICLE with a Retry-After for a
//     while; WithAppRateLimit enforces an application bucket (429 SMARTCAR_API).
//   - Faults: FailNext queues failures for the next matching requests — Asleep,
//     UpstreamError, UpstreamRateLimit, ServerError, GatewayTimeout, RateLimited,
//     BillingLimit (430), NotCapable, PermissionDenied, DropConnection (the connection
//     is closed after the request was read) or any Fault — in the JSON:API, flat or
//     OAuth error form.
//   - Subscriptions are kept in memory; a second subscription of a vehicle to a webhook
//     answers 409.
//   - SC-Unit-System: imperial converts km, km/h and liters to "miles", "mph" and
//     "gallons" (rounded to 0.1). This is the fake's assumption, not Smartcar's
//     contract: Smartcar documents the header but not, for v3, which unit spellings an
//     imperial answer uses ([U] in the reference). A test that relies on these
//     spellings tests the fake.
//   - Requests returns every API request received as a LoggedRequest (id, time, method,
//     API, path, query, headers without Authorization, user id, unit system, user agent,
//     body and the status answered); CountRequests counts them by method and path and
//     Stats counts requests, 401s, 429s, injected faults, token requests and grants, as
//     mycartrackstest does. WithClock makes the fake keep time by the test's clock; the
//     application bucket takes its tokens at the time each request is logged.
package smartcartest
