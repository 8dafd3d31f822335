package mycartrackstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/fakeapi"
	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
	"github.com/fleetkit/fleetkit-go/mycartracks"
)

const (
	apiBase   = "/services/rest/v3"
	tokenPath = "/oauth/token"
)

// Server is a fake MyCarTracks API v3 on a loopback address: a token endpoint and every
// REST endpoint of the v3 contract over a deterministic simulated fleet. Its methods are
// safe for concurrent use.
type Server struct {
	// URL is the server's root, http://127.0.0.1:PORT without a trailing slash, as
	// httptest.Server's.
	URL string
	// BaseURL is the root of the REST API, URL + "/services/rest/v3": the value
	// mycartracks.WithBaseURL takes.
	BaseURL string
	// TokenURL is the OAuth2 token endpoint, URL + "/oauth/token": the value
	// mycartracks.WithTokenURL takes.
	TokenURL string
	// ClientID and ClientSecret are the credentials the token endpoint accepts, over
	// HTTP Basic authentication only.
	ClientID, ClientSecret string

	cfg    config
	hs     *httptest.Server
	oauth  *fakeoauth.Server
	fleet  *fleet
	budget *budget
	faults *faultPlan
	store  *store
	log    *fakeapi.Log[LoggedRequest]
	churn  churn
	live   *liveSim

	closing   chan struct{}
	closeOnce sync.Once
}

// NewServer starts a server and returns it; call Close when done. It panics when an
// option is invalid (a negative count, a non-positive budget window...), naming every
// invalid option, as httptest.NewServer panics when it cannot listen.
func NewServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	fakeapi.MustBeValid("mycartrackstest", cfg.validate()...)
	s := &Server{
		ClientID:     cfg.clientID,
		ClientSecret: cfg.clientSecret,
		cfg:          cfg,
		log:          fakeapi.NewLog(LoggedRequest.clone, LoggedRequest.route),
		closing:      make(chan struct{}),
	}
	s.fleet = newFleet(&s.cfg)
	s.oauth = fakeoauth.New(fakeoauth.Config{
		ClientID:      cfg.clientID,
		ClientSecret:  cfg.clientSecret,
		Auth:          fakeoauth.AuthBasic,
		AllowedScopes: cfg.scopes,
		DefaultScopes: []string{"read"},
		Lifetime:      cfg.tokenLifetime,
		Now:           cfg.clock.Now,
	})
	s.budget = &budget{limit: cfg.budget, window: cfg.window, off: cfg.unlimited, start: cfg.clock.Now()}
	s.faults = newFaultPlan(uint64(cfg.seed), cfg.faults)
	s.store = newStore(s.fleet)

	mux := http.NewServeMux()
	mux.Handle(tokenPath, s.oauth)
	mux.HandleFunc(apiBase+"/", s.serveAPI)
	mux.HandleFunc(livePath, s.serveLive)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeReply(w, errorReply(http.StatusNotFound, "not_found", "no such path; the API is under "+apiBase))
	})
	s.hs = httptest.NewUnstartedServer(mux)
	if cfg.listener != nil {
		s.hs.Listener.Close()
		s.hs.Listener = cfg.listener
	}
	s.hs.Start()
	s.URL = s.hs.URL
	s.BaseURL = s.URL + apiBase
	s.TokenURL = s.URL + tokenPath
	s.live = newLiveSim(s)
	return s
}

// Close shuts the server down: it cuts injected latency short, closes the connections
// and waits for the requests being served. Calling it again does nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.live.close()
		s.hs.Close()
	})
}

// Client returns an HTTP client for the server, whose idle connections Close closes.
func (s *Server) Client() *http.Client { return s.hs.Client() }

// ClientOptions returns the options that point a mycartracks.Client at this server: its
// base URL, its token endpoint, its HTTP client and its clock.
func (s *Server) ClientOptions() []mycartracks.Option {
	return []mycartracks.Option{
		mycartracks.WithBaseURL(s.BaseURL),
		mycartracks.WithTokenURL(s.TokenURL),
		mycartracks.WithHTTPClient(s.Client()),
		mycartracks.WithClock(s.cfg.clock),
	}
}

// NewClient returns a mycartracks.Client of this server with its credentials; opts are
// applied after the server's own (ClientOptions). Close the client before the server.
func (s *Server) NewClient(opts ...mycartracks.Option) (*mycartracks.Client, error) {
	return mycartracks.NewClient(s.ClientID, s.ClientSecret, append(s.ClientOptions(), opts...)...)
}

// RevokeTokens makes every access token issued so far invalid: API requests that present
// one are answered 401, as when credentials are rotated.
func (s *Server) RevokeTokens() { s.oauth.RevokeAll() }

// Grants returns how many access tokens the token endpoint issued.
func (s *Server) Grants() int { return s.oauth.Grants() }

// String describes the server without its secret.
func (s *Server) String() string { return "mycartrackstest.Server(" + s.URL + ")" }

// call is one API request on its way to a handler.
type call struct {
	r     *http.Request
	query url.Values
	grant fakeoauth.Grant
	args  []string // the path's wildcards
	body  []byte
	now   time.Time
}

// serveAPI logs the request, counts it against the budget, authenticates it, draws its
// fault, routes it and writes the reply, in that order.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	in := fakeapi.Receive(r, s.oauth)
	query := r.URL.Query()
	t := s.log.Add(s.cfg.clock.Now, func(t fakeapi.Ticket) LoggedRequest {
		return LoggedRequest{
			ID: t.ID, Time: t.Time, Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, apiBase),
			Query: query, Header: in.Header, Body: in.Body,
		}
	})
	h := w.Header()
	h.Set("X-Request-Id", t.ID)
	q := s.budget.take(t.Time)
	if q.enabled {
		h.Set("X-Rate-Limit-Limit", strconv.Itoa(q.limit))
		h.Set("X-Rate-Limit-Remaining", strconv.Itoa(q.remaining))
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(q.reset, 10))
	}

	fault := NoFault
	var rep reply
	switch {
	case !in.Authorized:
		rep = unauthorized(r)
	case !q.allowed:
		rep = s.rateLimited(q)
	default:
		var latency time.Duration
		fault, latency = s.faults.draw()
		sleep(r.Context(), s.closing, latency)
		switch {
		case fault == FaultEchoToken:
			rep = s.echoToken(r)
		case fault.status() != 0:
			rep = faultReply(fault)
		case errors.Is(in.BodyErr, fakeapi.ErrBodyTooLarge):
			rep = errorReply(http.StatusRequestEntityTooLarge, "payload_too_large", "the request body exceeds 1 MiB")
		case in.BodyErr != nil:
			rep = errorReply(http.StatusBadRequest, "invalid_request", "the request body could not be read")
		default:
			rep = s.route(&call{r: r, query: query, grant: in.Grant, body: in.Body, now: t.Time})
		}
	}
	status := rep.status
	if fault == FaultMalformed {
		status = http.StatusOK
	}
	// Noted before the answer leaves, so that a client holding its answer finds it in
	// the log.
	s.log.Tally(func(st *fakeapi.Stats) {
		switch {
		case !in.Authorized:
			st.Unauthorized++
		case !q.allowed:
			st.RateLimited++
		case fault != NoFault:
			st.Faults++
		}
	})
	s.log.Update(t.N, func(e *LoggedRequest) {
		e.Status, e.Fault = status, fault
		if in.Authorized {
			e.Scopes = slices.Clone(in.Grant.Scopes)
		}
	})
	switch fault {
	case FaultEndless:
		s.endless(w, r)
	case FaultDropped:
		dropReply(w, rep)
	case FaultMalformed:
		writeReply(w, malformed(rep))
	default:
		writeReply(w, rep)
	}
}

func (s *Server) route(c *call) reply {
	path := strings.TrimPrefix(c.r.URL.Path, apiBase+"/")
	segs := strings.Split(path, "/")
	for i := range endpoints {
		e := &endpoints[i]
		args, ok := e.match(segs)
		if !ok {
			continue
		}
		h := e.handler(c.r.Method)
		if h == nil {
			rep := errorReply(http.StatusMethodNotAllowed, "method_not_allowed",
				c.r.Method+" is not allowed on /"+path)
			rep.header = http.Header{"Allow": {e.allow()}}
			return rep
		}
		c.args = args
		return h(s, c)
	}
	return errorReply(http.StatusNotFound, "not_found", "no endpoint "+c.r.Method+" /"+path)
}

// reply is a complete answer, built before anything is written so that faults can cut
// it short.
type reply struct {
	status      int
	contentType string // default application/json; none without a body
	body        []byte
	buf         *[]byte // the pooled buffer body lives in, if any
	header      http.Header
}

var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 16<<10)
	return &b
}}

// maxPooledBuffer keeps the pool from holding on to the buffers of huge pages.
const maxPooledBuffer = 8 << 20

func getBuffer() *[]byte { return bufPool.Get().(*[]byte) }

// jsonReply wraps a body built in the pooled buffer buf.
func jsonReply(status int, buf *[]byte, body []byte) reply {
	return reply{status: status, body: body, buf: buf}
}

func (r *reply) release() {
	if r.buf != nil && cap(r.body) <= maxPooledBuffer {
		*r.buf = r.body[:0]
		bufPool.Put(r.buf)
	}
	r.buf = nil
}

func writeReply(w http.ResponseWriter, rep reply) {
	defer rep.release()
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	if rep.status != http.StatusNoContent {
		ct := rep.contentType
		if ct == "" {
			ct = "application/json"
		}
		h.Set("Content-Type", ct)
		h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// dropReply sends the status line, the headers and half of the body, then makes the
// server close the connection.
func dropReply(w http.ResponseWriter, rep reply) {
	defer rep.release()
	if len(rep.body) < 2 {
		panic(http.ErrAbortHandler)
	}
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body[:len(rep.body)/2])
	_ = http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}

// malformed turns rep into a 200 whose JSON body is cut in half.
func malformed(rep reply) reply {
	rep.status, rep.contentType, rep.header = http.StatusOK, "", nil
	if len(rep.body) < 2 {
		rep.release()
		rep.body = []byte("{")
		return rep
	}
	rep.body = rep.body[:len(rep.body)/2]
	return rep
}

// apiError is the error body of the API.
type apiError struct {
	Error       string       `json:"error"`
	Description string       `json:"error_description,omitempty"`
	Message     string       `json:"message,omitempty"`
	Scope       string       `json:"scope,omitempty"`
	Errors      []fieldError `json:"errors,omitempty"`
}

// fieldError is one validation failure.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// requestError is a failure a handler reports; reply turns it into an answer.
type requestError struct {
	status  int
	body    apiError
	headers http.Header
}

func (e *requestError) Error() string { return e.body.Message }

func newError(status int, code, message string) *requestError {
	return &requestError{status: status, body: apiError{Error: code, Message: message}}
}

func badRequest(format string, args ...any) *requestError {
	return newError(http.StatusBadRequest, "invalid_request", fmt.Sprintf(format, args...))
}

func notFound(noun string, id any) *requestError {
	return newError(http.StatusNotFound, "not_found", fmt.Sprintf("%s %v not found", noun, id))
}

func (e *requestError) reply() reply {
	b, _ := json.Marshal(e.body)
	return reply{status: e.status, body: b, header: e.headers}
}

func errorReply(status int, code, message string) reply {
	return newError(status, code, message).reply()
}

func unauthorized(r *http.Request) reply {
	desc := "the access token is invalid, expired or revoked"
	if r.Header.Get("Authorization") == "" {
		desc = "a bearer access token is required"
	}
	e := &requestError{
		status:  http.StatusUnauthorized,
		body:    apiError{Error: "invalid_token", Description: desc},
		headers: http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}},
	}
	return e.reply()
}

func (s *Server) rateLimited(q quota) reply {
	rep := errorReply(s.cfg.budgetStatus, "rate_limit_exceeded", "Rate limit exceeded, retry after the reset window")
	if s.cfg.budgetStatus == http.StatusTooManyRequests {
		rep.header = http.Header{"Retry-After": {strconv.FormatInt(q.reset, 10)}}
	}
	return rep
}

func faultReply(k FaultKind) reply {
	switch k {
	case FaultBadGateway:
		return reply{
			status:      http.StatusBadGateway,
			contentType: "text/html; charset=utf-8",
			body:        []byte("<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"),
		}
	case FaultUnavailable:
		return errorReply(http.StatusServiceUnavailable, "service_unavailable", "the service is temporarily unavailable (injected fault)")
	case FaultNoData:
		return reply{status: http.StatusOK, body: []byte(`{"message":"upstream timeout"}`)}
	case FaultEmptyObject, FaultEndless:
		return reply{status: http.StatusOK, body: []byte(`{}`)}
	}
	return errorReply(http.StatusInternalServerError, "internal_error", "internal server error (injected fault)")
}

// requireWrite refuses a token without the write scope.
func requireWrite(c *call) *requestError {
	if c.grant.HasScope("write") {
		return nil
	}
	e := newError(http.StatusForbidden, "insufficient_scope", "this operation requires the write scope")
	e.body.Scope = "write"
	return e
}

// pathID parses the i-th path wildcard as an id.
func (c *call) pathID(i int, noun string) (int64, *requestError) {
	id, err := strconv.ParseInt(c.args[i], 10, 64)
	if err != nil {
		return 0, badRequest("%s id must be an integer, got %q", noun, c.args[i])
	}
	return id, nil
}
