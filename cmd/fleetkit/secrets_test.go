package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
	"github.com/fleetkit/fleetkit-go/internal/redact/redacttest"
	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/smartcar"
)

// The credentials of the hostile server: a secret with characters that every encoding
// of redacttest.Forms writes differently.
const (
	hostileClientID = "fleet-client-7Jd2"
	hostileSecret   = "s3cr/et+Zq8v&2<LmN>4pX7=é"
)

// hostile is a provider that grants tokens, then answers every API request with an error
// of status whose message echoes what the client sent (its bearer token, the client
// secret and the Basic credentials) in one encoding of redacttest.Forms. A token request
// fails the same way when tokenStatus is set.
type hostile struct {
	srv      *httptest.Server
	oauth    *fakeoauth.Server
	provider string

	mu          sync.Mutex
	status      int
	tokenStatus int
	form        string
	tokens      map[string]bool // the tokens seen since set
	seen        int             // API requests with a token, in all
}

// set sets the answers: the status of API errors, that of token requests (0: granted)
// and the encoding of the echo.
func (h *hostile) set(status, tokenStatus int, form string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status, h.tokenStatus, h.form = status, tokenStatus, form
	h.tokens = map[string]bool{}
}

func newHostile(t *testing.T, provider string) *hostile {
	t.Helper()
	h := &hostile{provider: provider, tokens: map[string]bool{}}
	h.oauth = fakeoauth.New(fakeoauth.Config{ClientID: hostileClientID, ClientSecret: hostileSecret, AcceptJSON: true})
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.tokenStatus != 0 {
			h.answer(w, h.tokenStatus, r.Header.Get("Authorization"), true)
			return
		}
		h.oauth.ServeHTTP(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if token != "" {
			h.tokens[token] = true
			h.seen++
		}
		h.answer(w, h.status, token, false)
	})
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	if provider == providerMyCarTracks {
		t.Setenv(mycartracks.EnvClientID, hostileClientID)
		t.Setenv(mycartracks.EnvClientSecret, hostileSecret)
		t.Setenv(mycartracks.EnvBaseURL, h.srv.URL+"/services/rest/v3")
		t.Setenv(mycartracks.EnvTokenURL, h.srv.URL+"/oauth/token")
	} else {
		t.Setenv(smartcar.EnvClientID, hostileClientID)
		t.Setenv(smartcar.EnvClientSecret, hostileSecret)
		t.Setenv(smartcar.EnvVehicleAPIURL, h.srv.URL+"/vehicle/v3")
		t.Setenv(smartcar.EnvManagementAPIURL, h.srv.URL+"/management/v3")
		t.Setenv(smartcar.EnvTokenURL, h.srv.URL+"/oauth/token")
	}
	return h
}

// answer writes the error of status in the provider's form (the OAuth form for a token
// request), echoing sent (a token or the Authorization header), the secret and the Basic
// credentials.
func (h *hostile) answer(w http.ResponseWriter, status int, sent string, tokenRequest bool) {
	echo := func(v string) string { return redacttest.Forms(v)[h.form] }
	msg := fmt.Sprintf("you sent %s with secret %s, basic %s", echo(sent), echo(hostileSecret), echo(redacttest.BasicForms(hostileClientID, hostileSecret)[0]))
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "3600")
	}
	w.WriteHeader(status)
	switch {
	case tokenRequest:
		_, _ = fmt.Fprintf(w, `{"error":"invalid_client","error_description":"%s"}`, msg)
	case h.provider == providerMyCarTracks:
		_, _ = fmt.Fprintf(w, `{"error":"refused","message":"%s"}`, msg)
	default:
		_, _ = fmt.Fprintf(w, `{"errors":[{"status":"%d","type":"REFUSED","code":"X","detail":"%s"}]}`, status, msg)
	}
}

// secrets returns the secrets the server could echo since set: the client secret and
// the tokens it was sent.
func (h *hostile) secrets() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []string{hostileSecret}
	for token := range h.tokens {
		out = append(out, token)
	}
	return out
}

// requests returns how many API requests carried a token.
func (h *hostile) requests() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen
}

// hostileStatuses are the errors the hostile server answers, each in turn.
var hostileStatuses = []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests}

// forms are the names of the encodings of redacttest.Forms, in order.
var forms = slices.Sorted(maps.Keys(redacttest.Forms("x")))

// TestNoSecretOnScreen: whatever a provider echoes back (the token, the client secret,
// the Basic credentials, in any encoding), no command prints it on stdout or stderr.
func TestNoSecretOnScreen(t *testing.T) {
	env := func(a *app) { a.getenv = os.Getenv }
	commands := map[string][][]string{
		providerMyCarTracks: {
			{"vehicles"}, {"positions"}, {"tracks", "--vehicle", "1001"}, {"rate"},
			{"export", "--vehicle", "1001", "--format", "csv"},
		},
		providerSmartcar: {
			{"vehicles"}, {"positions"}, {"signals", "--vehicle", "v1"}, {"rate"},
			{"command", "lock", "--vehicle", "v1", "--yes"},
		},
	}
	for _, provider := range []string{providerMyCarTracks, providerSmartcar} {
		t.Run(provider, func(t *testing.T) {
			h := newHostile(t, provider)
			// Every status with every command, the token granted or refused; the
			// encodings take turns, so each meets every status and most commands.
			i := 0
			for _, status := range hostileStatuses {
				for _, tokenRefused := range []bool{false, true} {
					for _, args := range commands[provider] {
						form := forms[i%len(forms)]
						i++
						h.set(status, map[bool]int{true: status}[tokenRefused], form)
						r := cliWith(t, "", env, append([]string{"--provider", provider, "--output", "json"}, args...)...)
						name := fmt.Sprintf("%d %s token refused %t: %s", status, form, tokenRefused, strings.Join(args, " "))
						assert.NotEqual(t, exitOK, r.code, name)
						assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%s: one line: %q", name, r.stderr)
						testkit.AssertNoSecrets(t, map[string]string{name + " stdout": r.stdout, name + " stderr": r.stderr}, hostileClientID, h.secrets()...)
					}
				}
			}
			assert.Positive(t, h.requests(), "the server saw tokens it could echo")
		})
	}
}

// TestMCPNoSecretInToolErrors: a tool's error result carries the provider's message, and
// never a secret it echoed.
func TestMCPNoSecretInToolErrors(t *testing.T) {
	for _, provider := range []string{providerMyCarTracks, providerSmartcar} {
		t.Run(provider, func(t *testing.T) {
			h := newHostile(t, provider)
			a := newApp(strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
			a.provider = provider
			b, err := a.open(context.Background())
			require.NoError(t, err)
			defer b.Close()
			cs := connectInMemory(t, newMCPServer(b, func() time.Time { return testNow }, true))
			vehicle := map[string]string{providerMyCarTracks: "1001", providerSmartcar: "v1"}[provider]
			calls := readToolArgs(vehicle)
			delete(calls, "rate_budget") // it calls no provider
			calls["lock_vehicle"] = map[string]any{"vehicleId": vehicle}
			calls["set_charge_limit"] = map[string]any{"vehicleId": vehicle, "percent": 80}
			i := 0
			for _, status := range hostileStatuses {
				for _, tool := range slices.Sorted(maps.Keys(calls)) {
					args, form := calls[tool], forms[i%len(forms)]
					i++
					h.set(status, 0, form)
					res := call(t, cs, tool, args, nil)
					name := fmt.Sprintf("%s %d %s", tool, status, form)
					require.True(t, res.IsError, name)
					text := errorText(res)
					if !strings.Contains(text, "not supported") {
						assert.Contains(t, text, "you sent REDACTED with secret REDACTED", "%s: the provider's message", name)
					}
					testkit.AssertNoSecrets(t, map[string]string{name: text}, hostileClientID, h.secrets()...)
				}
			}
		})
	}
}

// connectInMemory connects the SDK's client to srv over the in-memory transport.
func connectInMemory(t *testing.T, srv *mcp.Server) *mcp.ClientSession {
	t.Helper()
	st, ct := mcp.NewInMemoryTransports()
	ctx, cancel := context.WithCancel(context.Background())
	ss, err := srv.Connect(ctx, st, nil)
	require.NoError(t, err)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(ctx, ct, nil)
	require.NoError(t, err)
	t.Cleanup(func() { cs.Close(); ss.Wait(); cancel() })
	return cs
}

// TestLiveSaysWhyItWaits: live against a provider that keeps failing keeps retrying until
// Ctrl-C, and says why on stderr (never with a secret) instead of waiting in silence;
// Ctrl-C then ends it normally.
func TestLiveSaysWhyItWaits(t *testing.T) {
	h := newHostile(t, providerMyCarTracks)
	for _, status := range []int{http.StatusNotFound, http.StatusTooManyRequests} {
		h.set(status, 0, "json all")
		ctx, cancel := context.WithCancel(context.Background())
		errOut, w := io.Pipe()
		var out bytes.Buffer
		done := make(chan int, 1)
		go func() {
			a := newApp(strings.NewReader(""), &out, w)
			a.getenv = os.Getenv
			done <- a.run(ctx, []string{"--provider", "mycartracks", "live"})
			w.Close()
		}()
		line, err := bufio.NewReader(errOut).ReadString('\n')
		require.NoError(t, err)
		assert.Regexp(t, `^fleetkit live: connecting: mycartracks: .*`+strconv.Itoa(status)+`.*you sent REDACTED with secret REDACTED.*: retrying until Ctrl-C or --duration\n$`, line)
		testkit.AssertNoSecrets(t, map[string]string{"stderr": line}, hostileClientID, h.secrets()...)
		cancel()
		go func() { _, _ = io.Copy(io.Discard, errOut) }()
		assert.Equal(t, exitOK, <-done, "Ctrl-C is a normal end")
		assert.Empty(t, out.String())
	}
}
