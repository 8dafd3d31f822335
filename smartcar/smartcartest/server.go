package smartcartest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Paths of the three endpoints under the server's root.
const (
	VehiclePrefix    = "/vehicle/v3"
	ManagementPrefix = "/management/v3"
	TokenPath        = "/iam/oauth2/token"
)

// Default credentials of the fake's one application.
const (
	DefaultClientID     = "client_fleetkit_test"
	DefaultClientSecret = "smartcar-test-secret-do-not-log"
)

// Server is a fake Smartcar: the token endpoint, the Vehicle API and the Management
// API on one loopback HTTP server. Create it with NewServer and Close it when done. It is
// safe for concurrent use.
type Server struct {
	// URL is the server's root (http://127.0.0.1:port).
	URL string
	// VehicleURL and ManagementURL are the API roots (URL + VehiclePrefix, URL +
	// ManagementPrefix); TokenURL is the token endpoint.
	VehicleURL    string
	ManagementURL string
	TokenURL      string
	// ClientID and ClientSecret are the credentials the token endpoint accepts.
	ClientID     string
	ClientSecret string

	srv   *httptest.Server
	oauth *fakeoauth.Server
	clock telematics.Clock
	cfg   config

	mu             sync.Mutex
	users          map[string]bool
	vehicles       []*vehicle
	connections    []*connection
	subscriptions  []*subscription
	webhooks       map[string]bool
	faults         []Fault
	vehicleLimited map[string]time.Time
	appLimiter     *rate.Limiter
	seq            int

	// logMu guards the request log and the counters. It may be taken while mu is held
	// (a handler writing its answer), never the other way round.
	logMu    sync.Mutex
	requests []LoggedRequest
	stats    Stats
}

type config struct {
	clock         telematics.Clock
	clientID      string
	clientSecret  string
	tokenLifetime time.Duration
	appBurst      int
	appEvery      time.Duration
	unwrapped     bool
	legacyPaging  bool
}

// Option configures a Server.
type Option func(*config)

// WithClock makes the server keep time by clock: token expiry, Retry-After windows, the
// application bucket and every timestamp it writes. Share the clock with the client
// under test.
func WithClock(clock telematics.Clock) Option { return func(c *config) { c.clock = clock } }

// WithCredentials sets the credentials the token endpoint accepts.
func WithCredentials(clientID, clientSecret string) Option {
	return func(c *config) { c.clientID, c.clientSecret = clientID, clientSecret }
}

// WithTokenLifetime sets the lifetime of issued tokens (default one hour, as Smartcar's).
func WithTokenLifetime(d time.Duration) Option { return func(c *config) { c.tokenLifetime = d } }

// WithAppRateLimit enforces an application-wide token bucket on both APIs: burst
// requests, one more every interval. Smartcar's documented default is 120 and 30 s
// (2 per minute). Requests beyond it get 429 RATE_LIMIT:SMARTCAR_API with Retry-After.
// Off by default.
func WithAppRateLimit(burst int, every time.Duration) Option {
	return func(c *config) { c.appBurst, c.appEvery = burst, every }
}

// WithUnwrappedSignals answers GET /vehicles/{id}/signals/{code} with the bare signal
// object instead of a {"data": ...} document; Smartcar's examples show both.
func WithUnwrappedSignals() Option { return func(c *config) { c.unwrapped = true } }

// WithLegacyPaging uses the older spelling of page metadata: meta.page instead of
// meta.pageNumber and links.previous instead of links.prev.
func WithLegacyPaging() Option { return func(c *config) { c.legacyPaging = true } }

// NewServer starts a fake Smartcar on a loopback port, populated with the fleet
// described in the package documentation.
func NewServer(opts ...Option) *Server {
	cfg := config{clock: telematics.SystemClock, clientID: DefaultClientID, clientSecret: DefaultClientSecret, tokenLifetime: time.Hour}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, clock: cfg.clock, ClientID: cfg.clientID, ClientSecret: cfg.clientSecret, vehicleLimited: map[string]time.Time{}}
	s.oauth = fakeoauth.New(fakeoauth.Config{
		ClientID: cfg.clientID, ClientSecret: cfg.clientSecret, Auth: fakeoauth.AuthBody,
		Lifetime: cfg.tokenLifetime, Now: s.clock.Now,
	})
	if cfg.appBurst > 0 && cfg.appEvery > 0 {
		s.appLimiter = rate.NewLimiter(rate.Every(cfg.appEvery), cfg.appBurst)
	}
	s.seed()

	mux := http.NewServeMux()
	mux.Handle(TokenPath, s.oauth)
	s.routes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, apiErr{Type: "RESOURCE_NOT_FOUND", Code: "PATH", Title: "Not Found", Detail: "No such path: " + r.URL.Path})
	})
	s.srv = httptest.NewUnstartedServer(mux)
	s.URL = "http://" + s.srv.Listener.Addr().String()
	s.VehicleURL = s.URL + VehiclePrefix
	s.ManagementURL = s.URL + ManagementPrefix
	s.TokenURL = s.URL + TokenPath
	s.srv.Start()
	return s
}

// Close shuts the server down, closing every connection.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// ClientOptions returns the options that point a smartcar.Client at this server.
func (s *Server) ClientOptions() []smartcar.Option {
	return []smartcar.Option{
		smartcar.WithVehicleAPIURL(s.VehicleURL),
		smartcar.WithManagementAPIURL(s.ManagementURL),
		smartcar.WithTokenURL(s.TokenURL),
	}
}

// NewClient returns a smartcar.Client for this server with its credentials; opts are
// applied after the server's own.
func (s *Server) NewClient(opts ...smartcar.Option) (*smartcar.Client, error) {
	return smartcar.NewClient(s.ClientID, s.ClientSecret, append(s.ClientOptions(), opts...)...)
}

// RevokeTokens invalidates every issued token, as rotating the client secret does.
func (s *Server) RevokeTokens() { s.oauth.RevokeAll() }

// FailTokenRequests makes the next token requests fail with these statuses, in order.
func (s *Server) FailTokenRequests(statuses ...int) { s.oauth.FailNext(statuses...) }

// TokenSentInBody reports whether the last token grant had the credentials in the form
// body, as Smartcar requires.
func (s *Server) TokenSentInBody() bool { return s.oauth.LastClientAuth() == fakeoauth.AuthBody }

// LoggedRequest is one API request the server received, for assertions.
type LoggedRequest struct {
	// ID is the SC-Request-Id the server answered with ("req-000001").
	ID string
	// Time is when the request arrived, on the server's clock.
	Time   time.Time
	Method string
	// API is "vehicle" or "management".
	API string
	// Path is relative to the API root ("/vehicles/{id}/signals").
	Path  string
	Query url.Values
	// Header holds the request headers, Authorization removed.
	Header http.Header
	// UserID is the sc-user-id header.
	UserID string
	// UnitSystem is the SC-Unit-System header.
	UnitSystem string
	UserAgent  string
	// Authorized reports whether the request carried a valid token.
	Authorized bool
	// Body is the request body (at most 1 MiB of it).
	Body []byte
	// Status is the status the server answered; 0 for a dropped connection.
	Status int
}

// Stats counts what the server did.
type Stats struct {
	// Requests counts API requests, whatever their outcome.
	Requests int
	// Unauthorized counts API requests refused with 401.
	Unauthorized int
	// RateLimited counts API requests refused with 429 (the application bucket, a
	// vehicle's limit or an injected fault).
	RateLimited int
	// Faults counts injected faults (FailNext).
	Faults int
	// TokenRequests counts requests to the token endpoint, successful or not; Grants
	// counts the tokens it issued.
	TokenRequests, Grants int
}

// Requests returns the API requests received since the start or the last ResetRequests,
// oldest first, as copies. Token requests are not included (see Stats).
func (s *Server) Requests() []LoggedRequest {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	out := make([]LoggedRequest, len(s.requests))
	for i, r := range s.requests {
		out[i] = r
		out[i].Query = cloneValues(r.Query)
		out[i].Header = r.Header.Clone()
		out[i].Body = slices.Clone(r.Body)
	}
	return out
}

// CountRequests returns how many API requests had this method and path ("" matches
// any).
func (s *Server) CountRequests(method, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if (method == "" || r.Method == method) && (path == "" || r.Path == path) {
			n++
		}
	}
	return n
}

// ResetRequests empties the request log. Stats keep counting.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.requests = nil
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	s.logMu.Lock()
	st := s.stats
	s.logMu.Unlock()
	st.TokenRequests, st.Grants = s.oauth.Requests(), s.oauth.Grants()
	return st
}

// LimitVehicle rate-limits one vehicle for d: until then every request about it is
// answered 429 RATE_LIMIT:VEHICLE with a Retry-After of the time left.
func (s *Server) LimitVehicle(vehicleID string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vehicleLimited[vehicleID] = s.clock.Now().Add(d)
}

// apiHandler is a handler of an API route after the common checks passed.
type apiHandler func(w http.ResponseWriter, r *http.Request, rc *reqCtx)

// reqCtx is what the common checks learned about a request.
type reqCtx struct {
	api    string
	path   string
	body   []byte
	userID string
	now    time.Time
}

// handle registers an API route with the checks every request goes through: request
// id, log, authentication, application bucket, injected faults, per-vehicle limit.
func (s *Server) handle(mux *http.ServeMux, pattern string, h apiHandler) {
	method, full, _ := strings.Cut(pattern, " ")
	api, prefix := "vehicle", VehiclePrefix
	if strings.HasPrefix(full, ManagementPrefix) {
		api, prefix = "management", ManagementPrefix
	}
	mux.HandleFunc(method+" "+full, func(hw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		rc := &reqCtx{api: api, path: strings.TrimPrefix(r.URL.Path, prefix), body: body, userID: r.Header.Get("SC-User-Id")}
		_, authorized := s.oauth.Authenticate(r)
		header := r.Header.Clone()
		header.Del("Authorization")

		// The clock is read and the application bucket consulted under the lock, so
		// that the bucket sees times in the order the requests are logged (a manual
		// clock may jump between two reads).
		s.mu.Lock()
		rc.now = s.clock.Now()
		s.seq++
		id := fmt.Sprintf("req-%06d", s.seq)
		s.logMu.Lock()
		s.requests = append(s.requests, LoggedRequest{
			ID: id, Time: rc.now, Method: r.Method, API: api, Path: rc.path, Query: r.URL.Query(), Header: header,
			UserID: rc.userID, UnitSystem: r.Header.Get("SC-Unit-System"), UserAgent: r.UserAgent(), Authorized: authorized, Body: body,
		})
		s.stats.Requests++
		s.logMu.Unlock()
		var appWait time.Duration
		if authorized && s.appLimiter != nil {
			res := s.appLimiter.ReserveN(rc.now, 1)
			if appWait = res.DelayFrom(rc.now); appWait > 0 {
				res.CancelAt(rc.now)
			}
		}
		s.mu.Unlock()

		w := &loggingWriter{ResponseWriter: hw, s: s, id: id}
		w.Header().Set("SC-Request-Id", id)
		if !authorized {
			s.writeError(w, http.StatusUnauthorized, apiErr{Type: "AUTHENTICATION", Title: "Unauthorized", Detail: "The access token is missing, invalid or expired."})
			return
		}
		if appWait > 0 {
			w.Header().Set("Retry-After", seconds(appWait))
			s.writeError(w, http.StatusTooManyRequests, apiErr{Type: "RATE_LIMIT", Code: "SMARTCAR_API", Title: "Rate Limit", Detail: "The application exceeded its request budget."})
			return
		}
		if f, ok := s.takeFault(r.Method, rc.path); ok {
			s.applyFault(w, r, rc, f)
			return
		}
		if id := r.PathValue("vehicleID"); id != "" {
			s.mu.Lock()
			until, limited := s.vehicleLimited[id]
			s.mu.Unlock()
			if limited && rc.now.Before(until) {
				w.Header().Set("Retry-After", seconds(until.Sub(rc.now)))
				s.writeError(w, http.StatusTooManyRequests, apiErr{Type: "RATE_LIMIT", Code: "VEHICLE", Title: "Rate Limit",
					Detail: "The vehicle received too many requests. Retry after the time in the retry-after header."})
				return
			}
		}
		h(w, r, rc)
	})
}

// loggingWriter records the status of a response in the request log before the client
// can see it.
type loggingWriter struct {
	http.ResponseWriter
	s      *Server
	id     string
	status int
}

func (w *loggingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		w.s.answered(w.id, status)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *loggingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (DropConnection).
func (w *loggingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// answered notes the status of a logged request and counts it.
func (s *Server) answered(id string, status int) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	switch status {
	case http.StatusUnauthorized:
		s.stats.Unauthorized++
	case http.StatusTooManyRequests:
		s.stats.RateLimited++
	}
	for i := len(s.requests) - 1; i >= 0; i-- {
		if s.requests[i].ID == id {
			s.requests[i].Status = status
			return
		}
	}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func seconds(d time.Duration) string {
	return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
}

// apiErr is an error the fake answers with, in the JSON:API form unless the fault
// asks for another.
type apiErr struct {
	Type, Code, Title, Detail string
	Resolution                string
	Form                      ErrorForm
}

func (s *Server) writeError(w http.ResponseWriter, status int, e apiErr) {
	var body any
	switch e.Form {
	case FormFlat:
		flat := map[string]any{
			"type": e.Type, "code": nullable(e.Code), "description": e.Detail, "statusCode": status,
			"docURL":               "https://smartcar.com/docs/errors/api-errors",
			"suggestedUserMessage": e.Title, "resolution": map[string]any{"type": nullable(e.Resolution)},
		}
		if id := w.Header().Get("SC-Request-Id"); id != "" {
			flat["requestId"] = id
		}
		body = flat
	case FormOAuth:
		body = map[string]string{"error": strings.ToLower(cmp.Or(e.Code, e.Type)), "error_description": e.Detail}
	case FormNested:
		nested := map[string]any{"type": nullable(e.Type), "code": nullable(e.Code), "description": e.Detail}
		if e.Resolution != "" {
			nested["resolution"] = map[string]string{"type": e.Resolution}
		}
		if id := w.Header().Get("SC-Request-Id"); id != "" {
			nested["requestId"] = id
		}
		body = map[string]any{"error": nested}
	default:
		entry := map[string]any{"status": strconv.Itoa(status), "code": nullable(e.Code), "title": e.Title, "detail": e.Detail,
			"links": map[string]string{"about": "https://smartcar.com/docs/errors/api-errors"}}
		if e.Type != "" {
			entry["type"] = e.Type
		}
		if e.Resolution != "" {
			entry["resolution"] = map[string]string{"type": e.Resolution}
		}
		body = map[string]any{"errors": []any{entry}}
	}
	writeJSON(w, status, body)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// absolute makes an API path into the absolute URL links carry.
func (s *Server) absolute(api, path string, q url.Values) string {
	prefix := VehiclePrefix
	if api == "management" {
		prefix = ManagementPrefix
	}
	u := s.URL + prefix + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
