// Package mycartracks is a client for the MyCarTracks REST API v3 (GPS fleet tracking):
// vehicles and groups, tracks and their trackpoints, reports, users, drivers, teams,
// jobs, geofences, map sharing links and last positions.
//
// # Creating a client
//
// Create API credentials in the MyCarTracks settings (Settings → API), then:
//
//	client, err := mycartracks.NewClient(clientID, clientSecret)
//	if err != nil { ... }
//	defer client.Close()
//
// or read MYCARTRACKS_CLIENT_ID, MYCARTRACKS_CLIENT_SECRET and, optionally,
// MYCARTRACKS_SCOPE, MYCARTRACKS_BASE_URL and MYCARTRACKS_TOKEN_URL with [FromEnv].
// The client gets its OAuth2 token itself (client credentials, HTTP Basic, as the
// provider documents), renews it before it expires and, when the API refuses a token
// (revoked, rotated credentials), fetches a new one and replays the call once.
//
// Options set the URLs, scopes, the HTTP client, a slog logger, a User-Agent prefix,
// retries ([WithMaxRetries]; 0 turns them off), the longest rate-limit wait
// ([WithMaxWait]; 0 never waits), client-side pacing ([WithBudget], [WithRateLimiter]),
// the attempt timeout ([WithTimeout]) and the clock. They and their validation are those
// of package smartcar wherever the two mean the same: an option given a value it cannot
// take (a negative wait, a nil HTTP client, a line break in the User-Agent) makes
// [NewClient] fail with an error matching telematics.ErrInvalidInput that lists every
// such mistake, not only the first. A per-call [WithHeader] refuses the headers the
// client sets itself; the zero ID and a negative Offset or Limit are refused before
// anything is sent.
//
// # Services
//
// Calls are grouped by resource, each taking a context first and per-call options
// ([WithResponse], [WithHeader], [WithRequestTimeout]) last:
//
//	v, err := client.Vehicles.Get(ctx, 7)
//	page, err := client.Tracks.List(ctx, &mycartracks.TrackListOptions{VehicleID: 7, From: from, To: to})
//	rows, err := client.Reports.Summary(ctx, &mycartracks.ReportOptions{From: from, To: to})
//	last, err := client.Positions.Last(ctx, nil)
//
// Models keep units typed: speeds are telematics.Speed (sent in km/h), distances
// telematics.Distance (sent in km), durations time.Duration (sent in ms), times
// time.Time in UTC (sent as epoch milliseconds). Each model keeps the JSON it was
// decoded from in Raw, its own copy, so fields the SDK does not model stay reachable
// (trackpoints keep it only with TrackpointListOptions.KeepRaw). json.Marshal writes a
// model back in the API's names and units, so json.Unmarshal reads the same value from
// it. Telematics methods convert to the provider-neutral types of package telematics,
// where an absent identifier is "".
//
// # Paging
//
// Every list has a single-page List, returning a [Page] with the items, the total when
// ListOptions.IncludeTotal asks for it and the offset of the next page, and an All
// iterator that fetches pages of [MaxPageSize] as the loop needs them:
//
//	for track, err := range client.Tracks.All(ctx, nil) {
//		if err != nil {
//			return err // yielded once; the loop ends
//		}
//		for p, err := range client.Tracks.AllTrackpoints(ctx, track.ID, nil) {
//			...
//		}
//	}
//
// Breaking out of the loop stops fetching. An iterator keeps no state between loops:
// ranging over it again starts from the beginning, and several goroutines may range over
// it at once. Trackpoints page with [MaxTrackpointPageSize] through a dedicated decoder;
// AllTrackpoints holds one page at a time however long the track is. A Limit above
// MaxPageSize (MaxTrackpointPageSize for trackpoints) is sent as that maximum, never
// refused.
//
// # How a list ends
//
// MyCarTracks does not publish its largest page size, and a server may return fewer items
// than the limit asked for without saying so. A short page is therefore not proof that a
// list ended, and All never takes it for one unless the client knows it. It ends a list
// on:
//
//   - an empty page;
//   - a page that reaches the total the API reports (All asks for includeTotal on every
//     list that has it: all but Positions.AllLast);
//   - a page shorter than a page size the API is known to honour: the client remembers,
//     per endpoint and for its whole life, the largest page each endpoint returned (the
//     API's cap is at least that). When two consecutive pages of a list come back with
//     the same number of items below the limit, that number is the cap, and later
//     pages ask for it.
//
// Otherwise, one more request at the offset after the page decides: an empty answer ends
// the list. List reports such a page with NextOffset after its items, and -1 only when the
// page is known to be the last.
//
// What it costs: nothing with a total, nothing for a page of the full limit, and
// nothing once a page at least as long as a list has been seen. Without a total (an
// endpoint or server that sends none), the first list of an endpoint that ends in a short
// page costs one extra request, and so does every later list that is at least as long
// as the longest page seen so far while shorter than the limit. For lists of random
// lengths that is about the logarithm of their number (2,000 tracks of random lengths
// below a 137-point cap: 21 extra requests in all, measured), but in the worst case —
// lists each longer than all before, or a list of the same length listed again and again,
// below the limit — it is one extra request per list. The rule relies on a cap that does
// not shrink during the client's life: a server that lowers it is noticed only through the
// total.
//
// A page that contradicts the list is an error matching telematics.ErrMalformedResponse,
// yielded after the items before it, never a loop: a page repeating the items of the page
// before (an API that ignores offset, detected within two pages), items at or past the
// reported total, or an empty page before it.
//
// # What offset paging cannot guarantee
//
// Pages are read at different moments. All pages in an order that does not change between
// pages (by id, or in /tracks2's documented order: start time, then id), and drops an item
// whose id the previous page held: rows inserted before the current offset while paging
// push the previous page's last items into the next one. But a row deleted before the
// current offset pulls the next items back, and as many of them are missed; a row
// inserted where the loop has already passed is not seen. For a list that must be complete and
// consistent, page through data that no longer changes: tracks of a time range that has
// closed (TrackListOptions.From and To in the past), the trackpoints of a finished track.
// A Sort of your own should end with a unique field ("id"), or items that tie may change
// places between pages.
//
// # Errors
//
// Every error matches the sentinels of package telematics with errors.Is
// (telematics.ErrNotFound, ErrUnauthorized, ErrForbidden, ErrRateLimited,
// ErrInvalidInput, ErrUnavailable...), and errors.As reaches the details: an [*APIError]
// for an answer of the API (status, code, message, refused fields, request id, raw
// body), a *telematics.RateLimitError when a rate limit stopped the call, a
// *telematics.AuthError when no token could be had, a *telematics.RequestError for
// network failures and undecodable answers. Messages name the provider once and read
// alike in both providers:
//
//	mycartracks: GET <url>: 404 Not Found: not_found: <message> (request id <id>)
//
// with one trailing parenthesis: refused fields, the scope the call needs, retry after,
// request id, "the request may have been applied". Error strings never hold the client
// secret or a token. telematics.MayHaveSucceeded reports a write that may have taken effect
// although it failed: its connection broke after sending, or it was answered with a 5xx
// other than 501 and 503 (500, 502, 504...). A DELETE retried after such a failure and
// then answered 404 returns nil, since the first attempt may have deleted the object.
// Calls made after [Client.Close] fail with telematics.ErrClientClosed.
//
// A success status whose body is not a list page (no "data" member: {}, null,
// {"message":"upstream timeout"}) is a *telematics.RequestError matching
// telematics.ErrMalformedResponse, never an empty list; {"data":[]} and {"data":null}
// are empty. Keys repeated in a page follow encoding/json: the last one wins.
//
// # Rate limits
//
// MyCarTracks allows 150 requests per 15-minute window by default and reports the budget
// in X-Rate-Limit-* headers on every answer; [Client.Rate] returns the last one. When the
// budget is spent the client waits for the window to reset before sending, instead of
// spending a request on a certain refusal, and a rate-limit refusal (a 429, or a 403
// whose code names a rate limit or, without a code, sent with X-Rate-Limit-Remaining: 0)
// is waited out and retried a second past the reset; one that gives no reset is taken
// to last [RateWindow]. A 403 with another code is a permission error, also on the last
// request of a window. The wait can be up to a whole window, so the default
// [DefaultMaxWait] is 16 minutes: long exports run through. Interactive code that prefers
// to fail fast lowers it with [WithMaxWait] (zero never waits); a longer wait then
// returns a *telematics.RateLimitError at once. The maximum wait bounds all the
// rate-limit waits of one call together; other retries stop when their next wait, a
// Retry-After included, would pass a minute of retrying. [WithBudget] or
// [WithRateLimiter] (the last one given wins) add client-side pacing, for example to
// share one account's budget between processes.
//
// # Write scope
//
// A client requests the read scope unless created with WithScopes(ScopeRead,
// ScopeWrite). Without the write scope, Create, Update and Delete (and [Client.Do] with a
// method other than GET) return a [*ScopeError] matching telematics.ErrForbidden
// without sending anything. A 403 from the API for a missing scope is an *APIError whose
// Scope names it.
//
// # Endpoints the SDK does not model
//
// [Client.Do] calls any path with the client's authentication, retries, pacing and
// errors:
//
//	var odometer struct{ Value float64 `json:"value"` }
//	_, err := client.Do(ctx, http.MethodGet, "/vehicles/7/odometer", nil, nil, &odometer)
//
// # Assumptions
//
// The provider's OpenAPI document was not available when this package was written; most
// paths beyond vehicles, tracks, trackpoints and last positions, and most field names,
// follow fleetkit's pinned wire contract. [Endpoints] lists what the client relies on,
// and `go run ./cmd/fleetkit drift --openapi openapi.json` compares it with the
// provider's document. The package mycartrackstest is a fake server for tests.
package mycartracks
