// Package mycartrackstest is a fake MyCarTracks API v3 server for tests, shaped like
// net/http/httptest: start one, point the client under test at it, assert, close it.
//
//	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(3))
//	defer srv.Close()
//	client, err := srv.NewClient() // or mycartracks.NewClient(srv.ClientID, srv.ClientSecret, srv.ClientOptions()...)
//
// The server listens on a loopback address and answers as fleetkit's MyCarTracks wire
// contract pins the API. It is a real HTTP server: there is nothing to mock, and a client
// is tested through the same code paths it uses in production.
//
// # The same shape as smartcartest
//
// Both fakes are built on one kit and read alike:
//
//   - URL is the server's root (http://127.0.0.1:PORT), as httptest.Server's. Each API
//     root has the name of the client option that takes it: here BaseURL
//     (mycartracks.WithBaseURL, URL + "/services/rest/v3"); in smartcartest
//     VehicleAPIURL and ManagementAPIURL. TokenURL is the token endpoint in both
//     (here URL + "/oauth/token").
//   - NewClient returns a client of the fake: its URLs, its credentials, its HTTP client
//     and its clock, then the caller's options. ClientOptions returns the same options
//     for a client built by hand.
//   - NewServer panics on an invalid option, naming every invalid one, as
//     httptest.NewServer panics when it cannot listen.
//   - Every API response carries a request id in UUID form, counting from
//     RequestID(1) (here X-Request-Id, in smartcartest SC-Request-Id).
//   - FailNext(faults...) queues faults, each answering the next API request that
//     passes authentication and the rate limit; FailTokenRequests(statuses...) fails
//     token requests; RevokeTokens invalidates every token.
//   - Requests, CountRequests and ResetRequests read the request log; Stats counts
//     requests, 401s, rate-limit refusals, faults, token requests and grants.
//
// # Authentication
//
// The token endpoint (TokenURL) grants client-credentials tokens to srv.ClientID and
// srv.ClientSecret presented with HTTP Basic authentication (credentials in the form
// body are refused), for the scopes "read" and "read write" (WithAllowedScopes narrows
// them; a refused scope is invalid_scope). Tokens live WithTokenLifetime (an hour by
// default) on the server's clock; RevokeTokens invalidates them all. API requests
// without a valid bearer token are answered 401 with WWW-Authenticate: Bearer
// error="invalid_token". Writes need the write scope: without it they are answered 403
// insufficient_scope. FailTokenRequests makes token requests fail.
//
// # The simulated fleet
//
// The data is an account computed from a seed (WithSeed): WithVehicles vehicles in
// depot groups around a few European cities, each with WithTracksPerVehicle tracks of
// WithPointsPerTrack points, plus users, drivers, teams, a job per vehicle and a
// geofence per depot. Tracks of a vehicle follow each other over the days before the
// fleet start (WithFleetStart; a fixed date by default, never the clock), each starting
// where the previous one parked. Points are a few seconds apart, with speeds from 0 to
// 130 km/h in cycles of driving and stopping, bearings that follow the road, altitudes
// and accuracies of 3–15 m.
//
// Points are never stored: each is computed from the seed, the track and its index in
// constant time, so a track of a million points costs nothing until a page of it is
// served. A track's summary (totalDistance, totalTime, movingTime, maxSpeed, avgSpeed)
// is computed from its points on first use: the distance is the haversine sum over the
// points as served.
//
// Servers built with the same options serve the same bytes, request ids included.
// Names, ids and times come from integer arithmetic and are the same on every platform;
// coordinates, speeds and distances are rounded to the precision they are served with,
// and are the same on every run on one platform.
//
// Fleet, TrackSummary and Trackpoint expose the simulated account, so that a test can
// check that a client paging through everything got every item once.
//
// # Lists, sorting and fields
//
// Lists answer {"data":[…]}, with "total" when includeTotal=true. offset is 0-based;
// limit is 1–1000 (1–10000 for trackpoints), 100 by default; anything else is a 400.
// sort takes comma-separated fields, "-" for descending; fields projects the objects.
// Unknown fields are a 400. Tracks are ordered by startTime then id unless sorted
// otherwise, and filtered by vehicleId and a startTime in [from, to) (epoch
// milliseconds).
//
// # Rate limit
//
// Every API request counts against a budget of fixed windows aligned to the server's
// start on its clock, 150 requests per 15 minutes unless WithBudget says otherwise,
// whatever its outcome (401s, 404s and injected faults included). Every API response
// carries X-Rate-Limit-Limit, X-Rate-Limit-Remaining and X-Rate-Limit-Reset (whole
// seconds until the window ends, rounded up) and X-Request-Id (RequestID). Once the budget is spent
// requests are answered 403 rate_limit_exceeded with X-Rate-Limit-Remaining: 0, or 429
// with Retry-After under WithRateLimitStatus(429); a request without a valid token is
// answered 401 first. WithoutRateLimit turns the limit and its headers off.
//
// Share a clock with the client under test (WithClock; any telematics.Clock) so that a
// client waiting for a window to reset sees it pass without sleeping.
//
// # Faults
//
// WithFaults and SetFaults make a share of API requests fail: 500, 502 (an HTML body)
// or 503 before the request is processed; a connection dropped after the status line,
// the headers and half of the body; or a 200 with the JSON body cut in half. The last two
// happen after the request was processed: a write took effect although the client saw
// a failure. Faults are drawn from a generator seeded by WithSeed, so the same sequence
// of requests meets the same faults on every run; FailNext scripts them one by one. They
// never touch the token endpoint. Faults.Latency delays every API request in real time.
//
// # Servers that misbehave
//
// Real servers differ from the contract in ways that lose data in a client that trusts
// them; these options reproduce them so that a client, the SDK's or your own code
// around it, can be tested against them. Each names a list by its path (Lists), or
// every list with AllLists:
//
//   - WithPageCap: at most n rows per page whatever the limit, silently (a 200 with a
//     shorter page). A client that takes a short page for the end of a list loses the
//     rest; fleetkit's client learns the cap and loses nothing.
//   - WithIgnoredOffset: every page starts at the first item.
//   - WithoutTotal: includeTotal is ignored; no answer carries a total.
//
// InsertRows and DeleteRows change a list while a client pages through it: rows inserted
// at its head make the next page repeat the last items of the page before, rows deleted
// from its head make a client paging by offset skip items it has not read.
//
// FailNext scripts answers that no contract allows but servers and gateways send:
// FaultNoData and FaultEmptyObject (a 200 whose JSON has no list envelope),
// FaultEchoToken (a 400 echoing the bearer token JSON-escaped and URL-encoded, and the
// client's credentials as Basic authorization) and FaultEndless (a 200 whose body
// streams until the client stops reading).
//
// # Assertions
//
// Requests returns the API requests received (method, path, query, headers without
// Authorization, body, token scopes, status, fault, time, request id); CountRequests
// counts them by method and path; Stats counts requests, 401s, rate-limit refusals,
// faults, token requests and grants.
package mycartrackstest
