package mycartrackstest

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Defaults of a Server.
const (
	DefaultVehicles         = 5
	DefaultTracksPerVehicle = 10
	DefaultPointsPerTrack   = 200
	DefaultSeed             = 1
	DefaultBudget           = 150
	DefaultBudgetWindow     = 15 * time.Minute
	DefaultTokenLifetime    = time.Hour
	DefaultClientID         = "fleetkit-test-client"
	DefaultClientSecret     = "fleetkit-test-secret-do-not-log"
	// MaxPointsPerTrack bounds WithPointsPerTrack: trackpoint ids are derived from the
	// track id and the point's index.
	MaxPointsPerTrack = 100_000_000
)

// DefaultFleetStart is when the simulated history ends unless WithFleetStart says
// otherwise: every track lies before it. It is fixed, not the current time, so the data
// is the same on every run.
var DefaultFleetStart = time.Date(2026, time.March, 2, 8, 0, 0, 0, time.UTC)

// Option configures a Server.
type Option func(*config)

type config struct {
	vehicles, tracksPerVehicle, pointsPerTrack int
	// pointsBetween: each track's length is drawn in [pointsPerTrack, maxPointsPerTrack].
	pointsBetween     bool
	maxPointsPerTrack int
	seed              int64
	fleetStart        time.Time
	clock             telematics.Clock

	budget       int
	window       time.Duration
	unlimited    bool
	budgetStatus int

	tokenLifetime          time.Duration
	clientID, clientSecret string
	scopes                 []string

	faults Faults
	live   liveConfig

	listener net.Listener

	lists    map[string]listQuirks // by list (Lists, AllLists)
	listErrs []error
}

func defaultConfig() config {
	return config{
		vehicles:         DefaultVehicles,
		tracksPerVehicle: DefaultTracksPerVehicle,
		pointsPerTrack:   DefaultPointsPerTrack,
		seed:             DefaultSeed,
		fleetStart:       DefaultFleetStart,
		clock:            telematics.SystemClock,
		budget:           DefaultBudget,
		window:           DefaultBudgetWindow,
		budgetStatus:     http.StatusForbidden,
		tokenLifetime:    DefaultTokenLifetime,
		clientID:         DefaultClientID,
		clientSecret:     DefaultClientSecret,
		scopes:           []string{"read", "write"},
	}
}

// validate returns an error for every invalid option.
func (c *config) validate() []error {
	var errs []error
	check := func(bad bool, format string, args ...any) {
		if bad {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.vehicles < 0, "WithVehicles(%d): must not be negative", c.vehicles)
	check(c.tracksPerVehicle < 0, "WithTracksPerVehicle(%d): must not be negative", c.tracksPerVehicle)
	check(!c.pointsBetween && (c.pointsPerTrack < 0 || c.pointsPerTrack > MaxPointsPerTrack),
		"WithPointsPerTrack(%d): must be between 0 and %d", c.pointsPerTrack, MaxPointsPerTrack)
	check(c.pointsBetween && (c.pointsPerTrack < 0 || c.maxPointsPerTrack < c.pointsPerTrack || c.maxPointsPerTrack > MaxPointsPerTrack),
		"WithPointsPerTrackBetween(%d, %d): need 0 <= min <= max <= %d", c.pointsPerTrack, c.maxPointsPerTrack, MaxPointsPerTrack)
	check(c.clock == nil, "WithClock: the clock must not be nil")
	check(!c.unlimited && (c.budget < 1 || c.window <= 0), "WithBudget(%d, %v): the limit and the window must be positive", c.budget, c.window)
	check(c.budgetStatus != http.StatusForbidden && c.budgetStatus != http.StatusTooManyRequests,
		"WithRateLimitStatus(%d): must be 403 or 429", c.budgetStatus)
	check(c.tokenLifetime <= 0, "WithTokenLifetime(%v): must be positive", c.tokenLifetime)
	check(c.clientID == "" || c.clientSecret == "", "WithCredentials: the client id and secret must not be empty")
	errs = append(errs, c.listErrs...)
	return append(errs, c.faults.validate())
}

// WithVehicles sets how many vehicles the simulated fleet has (default 5; 0 is allowed).
func WithVehicles(n int) Option { return func(c *config) { c.vehicles = n } }

// WithTracksPerVehicle sets how many tracks each vehicle drove (default 10; 0 is allowed).
func WithTracksPerVehicle(n int) Option { return func(c *config) { c.tracksPerVehicle = n } }

// WithPointsPerTrack sets how many trackpoints every track has (default 200, at most
// MaxPointsPerTrack). Points are computed when served, never stored, so a track of a
// million points costs nothing until it is read.
func WithPointsPerTrack(n int) Option {
	return func(c *config) { c.pointsPerTrack, c.pointsBetween = n, false }
}

// WithPointsPerTrackBetween gives each track a number of trackpoints drawn from the seed,
// uniformly in [min, max], instead of one number for every track (WithPointsPerTrack):
// tracks of many lengths in no particular order, as a real account has.
func WithPointsPerTrackBetween(min, max int) Option {
	return func(c *config) { c.pointsPerTrack, c.maxPointsPerTrack, c.pointsBetween = min, max, true }
}

// WithSeed chooses the simulated fleet and the sequence of random faults (default 1).
// Servers built with the same options serve the same bytes.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithFleetStart sets when the simulated history ends: every track ends before t, the
// most recent ones shortly before it (default DefaultFleetStart). Generated times depend
// on t only, never on the clock.
func WithFleetStart(t time.Time) Option { return func(c *config) { c.fleetStart = t } }

// WithClock sets the server's clock (default telematics.SystemClock). It drives the rate
// limit windows, token expiry, the request log and the "in the future" checks of map
// sharing links. Share a telematics/clocktest clock, or any telematics.Clock, with the
// client under test so that waiting for a window to reset takes no real time.
func WithClock(clock telematics.Clock) Option { return func(c *config) { c.clock = clock } }

// WithBudget sets the rate limit: limit API requests per fixed window, windows aligned to
// the server's start on its clock (default 150 per 15 minutes).
func WithBudget(limit int, window time.Duration) Option {
	return func(c *config) { c.budget, c.window, c.unlimited = limit, window, false }
}

// WithoutRateLimit turns the rate limit off: no request is refused for the budget and no
// X-Rate-Limit-* header is sent.
func WithoutRateLimit() Option { return func(c *config) { c.unlimited = true } }

// WithRateLimitStatus sets the status of a request refused for the budget: 403 (the
// default, as MyCarTracks documents) or 429, which also carries Retry-After.
func WithRateLimitStatus(status int) Option { return func(c *config) { c.budgetStatus = status } }

// WithTokenLifetime sets how long issued access tokens are valid (default one hour), on
// the server's clock.
func WithTokenLifetime(d time.Duration) Option { return func(c *config) { c.tokenLifetime = d } }

// WithCredentials sets the client id and secret the token endpoint accepts (default
// DefaultClientID and DefaultClientSecret).
func WithCredentials(clientID, clientSecret string) Option {
	return func(c *config) { c.clientID, c.clientSecret = clientID, clientSecret }
}

// WithAllowedScopes sets the scopes the credentials may be granted (default "read" and
// "write"). A token request for another scope fails with invalid_scope; with only "read"
// allowed, asking for "read write" fails.
func WithAllowedScopes(scopes ...string) Option {
	return func(c *config) { c.scopes = append([]string(nil), scopes...) }
}

// WithListener serves on l instead of a new listener on a loopback port: an address
// chosen by the caller (package sandbox serves the fake to any client this way). URL is
// "http://" + l.Addr(); Close closes l.
func WithListener(l net.Listener) Option { return func(c *config) { c.listener = l } }

// WithFaults injects failures into API responses from the start (see Faults).
func WithFaults(f Faults) Option { return func(c *config) { c.faults = f } }
