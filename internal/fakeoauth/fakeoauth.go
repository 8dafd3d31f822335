// Package fakeoauth is an OAuth2 client-credentials token endpoint for tests and for the
// providers' fake servers: it checks how the client authenticates, which scopes it asks
// for, counts grants, expires and revokes tokens, and can be told to fail.
package fakeoauth

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ClientAuth is how a client may present its credentials.
type ClientAuth int

const (
	// AuthAny accepts HTTP Basic and form-body credentials.
	AuthAny ClientAuth = iota
	// AuthBasic accepts only HTTP Basic (RFC 6749 §2.3.1, form-encoded id and secret).
	AuthBasic
	// AuthBody accepts only client_id and client_secret in the form body.
	AuthBody
)

// Config describes the one client the endpoint knows.
type Config struct {
	ClientID, ClientSecret string
	Auth                   ClientAuth
	// AllowedScopes are the scopes the client may be granted. A request for any other
	// scope fails with invalid_scope. Empty: scopes are ignored.
	AllowedScopes []string
	// DefaultScopes are granted when the request names none.
	DefaultScopes []string
	// Lifetime of issued tokens (default one hour).
	Lifetime time.Duration
	// Now is the endpoint's clock (default time.Now).
	Now func() time.Time
	// TokenType is the token_type of the response (default "bearer", as Spring's
	// authorization server writes it; Smartcar documents "Bearer").
	TokenType string
	// AcceptJSON also accepts the token request as a JSON object
	// ({"grant_type", "client_id", "client_secret", "scope"}) with Content-Type
	// application/json, besides the form body.
	AcceptJSON bool
}

// Grant is an issued token.
type Grant struct {
	Token   string
	Scopes  []string
	Expires time.Time
}

// HasScope reports whether the grant includes scope s.
func (g Grant) HasScope(s string) bool { return slices.Contains(g.Scopes, s) }

// Server is the token endpoint; mount it with http.Handle. Safe for concurrent use.
type Server struct {
	cfg Config

	mu       sync.Mutex
	grants   int
	tokens   map[string]*Grant
	failures []int
	lastAuth ClientAuth
	requests int
}

// New returns a token endpoint for cfg.
func New(cfg Config) *Server {
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenType == "" {
		cfg.TokenType = "bearer"
	}
	return &Server{cfg: cfg, tokens: map[string]*Grant{}}
}

// Grants returns how many tokens were issued.
func (s *Server) Grants() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants
}

// Requests returns how many token requests arrived, successful or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// LastClientAuth returns how the last successful request presented its credentials
// (AuthBasic or AuthBody).
func (s *Server) LastClientAuth() ClientAuth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastAuth
}

// FailNext makes the next len(statuses) token requests fail with these HTTP statuses, in
// order (for example 502 for an upstream failure).
func (s *Server) FailNext(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, statuses...)
}

// RevokeAll makes every issued token invalid, as a provider does when credentials are
// rotated.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Revoke makes one token invalid.
func (s *Server) Revoke(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
}

// Authenticate checks the bearer token of an API request. It returns the grant, or
// ok=false when the token is missing, unknown, revoked or expired.
func (s *Server) Authenticate(r *http.Request) (Grant, bool) {
	h := r.Header.Get("Authorization")
	tok, found := strings.CutPrefix(h, "Bearer ")
	if !found || tok == "" {
		return Grant{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.tokens[tok]
	if !ok || !s.cfg.Now().Before(g.Expires) {
		return Grant{}, false
	}
	return *g, true
}

// ServeHTTP implements the client-credentials grant.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	var fail int
	if len(s.failures) > 0 {
		fail, s.failures = s.failures[0], s.failures[1:]
	}
	s.mu.Unlock()
	if fail != 0 {
		writeError(w, fail, "temporarily_unavailable", "injected failure")
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "invalid_request", "token requests must be POST")
		return
	}
	if err := s.parseBody(r); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if !r.PostForm.Has("grant_type") || r.PostForm.Get("grant_type") == "" {
		// RFC 6749 §5.2: a required parameter is missing.
		writeError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	}
	if _, _, basic := r.BasicAuth(); basic && r.PostForm.Has("client_secret") {
		// RFC 6749 §2.3: one authentication method per request.
		writeError(w, http.StatusBadRequest, "invalid_request", "more than one client authentication method")
		return
	}
	auth, ok := s.checkClient(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth"`)
		writeError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		scopes = append([]string(nil), s.cfg.DefaultScopes...)
	}
	if len(s.cfg.AllowedScopes) > 0 {
		for _, sc := range scopes {
			if !slices.Contains(s.cfg.AllowedScopes, sc) {
				writeError(w, http.StatusBadRequest, "invalid_scope", "scope not allowed: "+sc)
				return
			}
		}
	}
	g := &Grant{Token: newToken(), Scopes: scopes, Expires: s.cfg.Now().Add(s.cfg.Lifetime)}
	s.mu.Lock()
	s.grants++
	s.tokens[g.Token] = g
	s.lastAuth = auth
	s.mu.Unlock()

	res := map[string]any{
		"access_token": g.Token,
		"token_type":   s.cfg.TokenType,
		"expires_in":   int64(s.cfg.Lifetime / time.Second),
	}
	if len(scopes) > 0 {
		res["scope"] = strings.Join(scopes, " ")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(res)
}

// parseBody reads the request parameters into r.PostForm: a form body, or with
// AcceptJSON a JSON object whose string values become the parameters.
func (s *Server) parseBody(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !s.cfg.AcceptJSON || mt != "application/json" {
		if r.ParseForm() != nil {
			return errors.New("malformed form body")
		}
		return nil
	}
	var obj map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&obj); err != nil {
		return errors.New("malformed JSON body")
	}
	r.PostForm = url.Values{}
	for k, v := range obj {
		switch v := v.(type) {
		case string:
			r.PostForm.Set(k, v)
		case nil:
		default:
			return errors.New(k + " must be a string")
		}
	}
	r.Form = r.PostForm
	return nil
}

func (s *Server) checkClient(r *http.Request) (ClientAuth, bool) {
	if id, secret, ok := r.BasicAuth(); ok {
		if s.cfg.Auth == AuthBody {
			return 0, false
		}
		return AuthBasic, s.matches(unescape(id), unescape(secret)) || s.matches(id, secret)
	}
	if s.cfg.Auth == AuthBasic {
		return 0, false
	}
	return AuthBody, s.matches(r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"))
}

func (s *Server) matches(id, secret string) bool {
	return id != "" && id == s.cfg.ClientID && secret == s.cfg.ClientSecret
}

func unescape(v string) string {
	if u, err := url.QueryUnescape(v); err == nil {
		return u
	}
	return v
}

func writeError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "fk_" + hex.EncodeToString(b)
}

// String describes the endpoint without its secret.
func (s *Server) String() string {
	return "fakeoauth(client " + s.cfg.ClientID + ", lifetime " + strconv.Itoa(int(s.cfg.Lifetime/time.Second)) + "s)"
}
