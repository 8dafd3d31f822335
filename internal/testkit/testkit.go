// Package testkit holds the helpers the tests of several packages share: a buffer a
// debug logger writes into from many goroutines, a recorder of the bearer tokens a
// client sends, a handler replaying a fixture, the texts an error shows, and the check
// that no secret is in any of them in any encoding (redacttest.Forms). Only tests
// import it.
package testkit

import (
	"bytes"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/internal/redact/redacttest"
)

// LockedBuffer is a bytes.Buffer that many goroutines may write at once, as the
// goroutines of a client share its logger. The zero value is ready to use.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written.
func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Reset forgets what was written.
func (b *LockedBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}

// DebugLogger returns a logger writing text lines at debug level, and the buffer it
// writes them into.
func DebugLogger() (*slog.Logger, *LockedBuffer) {
	buf := &LockedBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// TokenRecorder notes the bearer tokens of requests: as the transport of a client
// (Next sends them on) or from a test server's handler (Note). The zero value is ready
// to use as a Note-only recorder.
type TokenRecorder struct {
	// Next is the transport a RoundTrip sends the request on.
	Next http.RoundTripper

	mu     sync.Mutex
	tokens []string
}

// Note records r's bearer token, if any, and returns it.
func (rec *TokenRecorder) Note(r *http.Request) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return ""
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if !slices.Contains(rec.tokens, tok) {
		rec.tokens = append(rec.tokens, tok)
	}
	return tok
}

// RoundTrip notes the request's token and sends it with Next.
func (rec *TokenRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	rec.Note(r)
	return rec.Next.RoundTrip(r)
}

// Tokens returns the distinct tokens noted, in the order first seen.
func (rec *TokenRecorder) Tokens() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.tokens)
}

// Last returns the token noted last, "" when none was.
func (rec *TokenRecorder) Last() string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.tokens) == 0 {
		return ""
	}
	return rec.tokens[len(rec.tokens)-1]
}

// PanicMessage runs f and returns what it panicked with, formatted with %v; "" when it
// returned normally.
func PanicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// Reply returns a handler answering status with the JSON body and headers (name,
// value, ...): a recorded fixture served by a scripted test server.
func Reply(status int, body []byte, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// Texts are the texts a test searches for secrets, by where they come from.
type Texts map[string]string

// AddError adds what err shows, under name: its Error(), its %+v and %#v forms, and
// the Error() of every error in its tree (errors.Unwrap, single and multiple). A nil
// err adds nothing.
func (t Texts) AddError(name string, err error) Texts {
	if err == nil {
		return t
	}
	t[name+" Error"] = err.Error()
	t[name+" %+v"] = fmt.Sprintf("%+v", err)
	t[name+" %#v"] = fmt.Sprintf("%#v", err)
	i := 0
	var walk func(error)
	walk = func(e error) {
		var inner []error
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			inner = []error{u.Unwrap()}
		case interface{ Unwrap() []error }:
			inner = u.Unwrap()
		}
		for _, e := range inner {
			if e != nil {
				i++
				t[fmt.Sprintf("%s wrapped %d", name, i)] = e.Error()
				walk(e)
			}
		}
	}
	walk(err)
	return t
}

// ErrorTexts returns what err shows (see Texts.AddError), named "err ...".
func ErrorTexts(err error) Texts { return Texts{}.AddError("err", err) }

// AssertNoSecrets fails t for every text that holds one of secrets in any encoding
// redacttest.Forms lists (raw, JSON-escaped, URL-encoded, HTML...). A non-empty clientID
// adds the HTTP Basic credentials of clientID and the first secret, in every encoding
// too. Empty secrets are skipped. It reports whether nothing leaked.
func AssertNoSecrets(t assert.TestingT, texts map[string]string, clientID string, secrets ...string) bool {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	secrets = slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return s == "" })
	if len(secrets) == 0 {
		return true
	}
	leaks := redacttest.All(clientID, secrets...)
	ok := true
	for _, name := range slices.Sorted(maps.Keys(texts)) {
		for _, leak := range leaks {
			if strings.Contains(texts[name], leak) {
				ok = assert.Fail(t, "a secret leaked", "%s holds %q:\n%s", name, leak, texts[name])
				break
			}
		}
	}
	return ok
}
