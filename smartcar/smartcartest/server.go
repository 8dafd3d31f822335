package smartcartest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/internal/fakeapi"
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
	// URL is the server's root, http://127.0.0.1:PORT without a trailing slash, as
	// httptest.Server's.
	URL string
	// VehicleAPIURL and ManagementAPIURL are the API roots, URL + VehiclePrefix and URL +
	// ManagementPrefix: the values smartcar.WithVehicleAPIURL and
	// smartcar.WithManagementAPIURL take.
	VehicleAPIURL    string
	ManagementAPIURL string
	// TokenURL is the token endpoint, URL + TokenPath: the value smartcar.WithTokenURL
	// takes.
	TokenURL string
	// ClientID and ClientSecret are the credentials the token endpoint accepts.
	ClientID     string
	ClientSecret string

	srv   *httptest.Server
	oauth *fakeoauth.Server
	clock telematics.Clock
	cfg   config

	mu             sync.Mutex
	users          map[string]*user
	vehicles       []*vehicle
	connections    []*connection
	subscriptions  []*subscription
	webhooks       []*webhook
	faults         fakeapi.Queue[Fault]
	vehicleLimited map[string]time.Time
	appLimiter     *rate.Limiter
	seq            int // ids of executions, subscriptions, schedules
	added          int // vehicles AddVehicles added
	pending        []*heldCommand
	pendingChanged chan struct{} // closed and replaced when pending changes
	closing        chan struct{}
	closeOnce      sync.Once

	// log is the request log and its counters. Its lock may be taken while mu is held
	// (a handler writing its answer), never the other way round.
	log *fakeapi.Log[LoggedRequest]
}

// NewServer starts a fake Smartcar on a loopback port, populated with the fleet
// described in the package documentation. It panics when an option is invalid (a nil
// clock, empty credentials...), naming every invalid option, as httptest.NewServer
// panics when it cannot listen.
func NewServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	fakeapi.MustBeValid("smartcartest", cfg.validate()...)
	s := &Server{cfg: cfg, clock: cfg.clock, ClientID: cfg.clientID, ClientSecret: cfg.clientSecret, vehicleLimited: map[string]time.Time{},
		pendingChanged: make(chan struct{}), closing: make(chan struct{}), log: fakeapi.NewLog(LoggedRequest.clone, LoggedRequest.route)}
	// The token endpoint takes the credentials as the docs' examples send them, in a
	// form body [C]; as the documented schema lists them, in a JSON body [C] (a community
	// client sends JSON successfully [R]); and with HTTP Basic, which RFC 6749 §2.3.1
	// requires every server to support (Smartcar documents no refusal; [I]). A missing
	// grant_type is 400 invalid_request [C]; the answer has access_token, token_type
	// "Bearer" and expires_in [C]; a scope field is not documented [U] and not sent.
	s.oauth = fakeoauth.New(fakeoauth.Config{
		ClientID: cfg.clientID, ClientSecret: cfg.clientSecret, Auth: fakeoauth.AuthAny,
		Lifetime: cfg.tokenLifetime, Now: s.clock.Now, TokenType: "Bearer", AcceptJSON: true,
	})
	if cfg.appBurst > 0 {
		s.appLimiter = rate.NewLimiter(rate.Every(cfg.appEvery), cfg.appBurst)
	}
	s.seed()

	mux := http.NewServeMux()
	mux.Handle(TokenPath, s.oauth)
	s.routes(mux)
	// Any other path, and a documented path with a method it does not serve, goes
	// through the same checks as the API: a request id, then authentication, then 404
	// RESOURCE_NOT_FOUND:PATH (the code Smartcar documents for an unknown path [C];
	// that authentication comes first is our reading of real APIs' behaviour, [I]).
	s.handle(mux, "/", func(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
		s.writeError(w, http.StatusNotFound, apiErr{Type: "RESOURCE_NOT_FOUND", Code: "PATH", Title: "Not Found", Detail: "No such path: " + r.URL.Path})
	})
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A trailing slash is served as the path without it: Smartcar's Node SDK asks
		// for /v3/vehicles/{id}/ and the real API evidently answers it ([I] in
		// docs/evidence.md).
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			r.URL.Path = strings.TrimRight(p, "/")
			r.URL.RawPath = strings.TrimRight(r.URL.RawPath, "/")
			if r.URL.Path == "" {
				r.URL.Path = "/"
			}
		}
		mux.ServeHTTP(w, r)
	}))
	if cfg.listener != nil {
		s.srv.Listener.Close()
		s.srv.Listener = cfg.listener
	}
	s.URL = "http://" + s.srv.Listener.Addr().String()
	s.VehicleAPIURL = s.URL + VehiclePrefix
	s.ManagementAPIURL = s.URL + ManagementPrefix
	s.TokenURL = s.URL + TokenPath
	s.srv.Start()
	return s
}

// Close shuts the server down, closing every connection and ending the long-running
// commands still held.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Client returns an HTTP client for the server, whose idle connections Close closes.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// ClientOptions returns the options that point a smartcar.Client at this server: its
// API roots, its token endpoint, its HTTP client and its clock.
func (s *Server) ClientOptions() []smartcar.Option {
	return []smartcar.Option{
		smartcar.WithVehicleAPIURL(s.VehicleAPIURL),
		smartcar.WithManagementAPIURL(s.ManagementAPIURL),
		smartcar.WithTokenURL(s.TokenURL),
		smartcar.WithHTTPClient(s.Client()),
		smartcar.WithClock(s.clock),
	}
}

// NewClient returns a smartcar.Client of this server with its credentials; opts are
// applied after the server's own (ClientOptions). Close the client before the server.
func (s *Server) NewClient(opts ...smartcar.Option) (*smartcar.Client, error) {
	return smartcar.NewClient(s.ClientID, s.ClientSecret, append(s.ClientOptions(), opts...)...)
}

// RevokeTokens invalidates every issued token, as rotating the client secret does.
func (s *Server) RevokeTokens() { s.oauth.RevokeAll() }

// FailTokenRequests makes the next token requests fail with these statuses, in order.
func (s *Server) FailTokenRequests(statuses ...int) { s.oauth.FailNext(statuses...) }

// Grants returns how many access tokens the token endpoint issued.
func (s *Server) Grants() int { return s.oauth.Grants() }

// String describes the server without its secret.
func (s *Server) String() string { return "smartcartest.Server(" + s.URL + ")" }

// TokenSentInBody reports whether the last token grant had the credentials in the body
// (form or JSON), as Smartcar's examples send them, rather than in HTTP Basic.
func (s *Server) TokenSentInBody() bool { return s.oauth.LastClientAuth() == fakeoauth.AuthBody }

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

// apiOf says which API a path belongs to and the path relative to its root.
func apiOf(path string) (api, rel string) {
	switch {
	case path == ManagementPrefix || strings.HasPrefix(path, ManagementPrefix+"/"):
		return "management", strings.TrimPrefix(path, ManagementPrefix)
	case path == VehiclePrefix || strings.HasPrefix(path, VehiclePrefix+"/"):
		return "vehicle", strings.TrimPrefix(path, VehiclePrefix)
	}
	return "", path
}

// handle registers an API route with the checks every request goes through: request
// id, log, authentication, application bucket, injected faults, per-vehicle limit.
func (s *Server) handle(mux *http.ServeMux, pattern string, h apiHandler) {
	mux.HandleFunc(pattern, func(hw http.ResponseWriter, r *http.Request) {
		api, path := apiOf(r.URL.Path)
		in := fakeapi.Receive(r, s.oauth)
		authorized := in.Authorized
		rc := &reqCtx{api: api, path: path, body: in.Body, userID: r.Header.Get("SC-User-Id")}

		// The clock is read and the application bucket consulted under the lock, so
		// that the bucket sees times in the order the requests are logged (a manual
		// clock may jump between two reads).
		s.mu.Lock()
		t := s.log.Add(s.clock.Now, func(t fakeapi.Ticket) LoggedRequest {
			return LoggedRequest{
				ID: t.ID, Time: t.Time, Method: r.Method, API: api, Path: rc.path, Query: r.URL.Query(), Header: in.Header,
				UserID: rc.userID, UnitSystem: r.Header.Get("SC-Unit-System"), UserAgent: r.UserAgent(), Authorized: authorized, Body: in.Body,
			}
		})
		rc.now = t.Time
		var appWait time.Duration
		if authorized && s.appLimiter != nil {
			res := s.appLimiter.ReserveN(rc.now, 1)
			if appWait = res.DelayFrom(rc.now); appWait > 0 {
				res.CancelAt(rc.now)
			}
		}
		s.mu.Unlock()

		w := &loggingWriter{ResponseWriter: hw, s: s, n: t.N}
		w.Header().Set("SC-Request-Id", t.ID)
		if !authorized {
			s.writeError(w, http.StatusUnauthorized, apiErr{Type: "AUTHENTICATION", Title: "Unauthorized", Detail: "The access token is missing, invalid or expired."})
			return
		}
		if appWait > 0 {
			if s.cfg.appRetryAfter {
				w.Header().Set("Retry-After", seconds(appWait))
			}
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
				// A vehicle's limit carries retry-after in seconds [C].
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
	n      int64 // the request's number in the log
	status int
}

func (w *loggingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		w.s.answered(w.n, status)
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

func seconds(d time.Duration) string {
	return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
}

// apiErr is an error the fake answers with, in the server's form unless the fault asks
// for another.
type apiErr struct {
	Type, Code, Title, Detail string
	Resolution                string
	Form                      ErrorForm
}

func (s *Server) writeError(w http.ResponseWriter, status int, e apiErr) {
	var body any
	form := e.Form
	if form == FormDefault {
		form = s.cfg.errorForm
	}
	requestID := w.Header().Get("SC-Request-Id")
	switch form {
	case FormFlat:
		// The v2 / webhook form the official SDKs parse [C].
		flat := map[string]any{
			"type": e.Type, "code": nullable(e.Code), "description": e.Detail, "statusCode": status,
			"docURL":               "https://smartcar.com/docs/errors/api-errors",
			"suggestedUserMessage": e.Title, "resolution": map[string]any{"type": nullable(e.Resolution)},
		}
		if requestID != "" {
			flat["requestId"] = requestID
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
		// The documented v3 form [C], with the request id where real v3 traffic puts it,
		// meta.debug.requestId [R].
		entry := map[string]any{"status": strconv.Itoa(status), "code": nullable(e.Code), "title": e.Title, "detail": e.Detail,
			"links": map[string]string{"about": "https://smartcar.com/docs/errors/api-errors"}}
		if e.Type != "" {
			entry["type"] = e.Type
		}
		if e.Resolution != "" {
			entry["resolution"] = map[string]string{"type": e.Resolution}
		}
		if requestID != "" {
			entry["meta"] = map[string]any{"debug": map[string]any{"requestId": requestID}}
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
