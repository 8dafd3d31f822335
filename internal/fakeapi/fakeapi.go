// Package fakeapi is the kit the providers' fake servers (mycartrackstest, smartcartest)
// are built on, so that what every fake does with a request is written once: read it
// with a bounded body and authenticate it (Receive), number it with a request id in one
// form (RequestID), log it and count it (Log, Stats), and answer it with a scripted
// fault (Queue). What a fake answers, and in which error form, stays with the fake.
package fakeapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fleetkit/fleetkit-go/internal/fakeoauth"
)

// MaxBody bounds what a fake reads of a request body: 1 MiB.
const MaxBody = 1 << 20

// ErrBodyTooLarge is Arrival.BodyErr for a body longer than MaxBody.
var ErrBodyTooLarge = errors.New("the request body exceeds 1 MiB")

// RequestID returns the request id a fake gives its n-th API request (from 1): a UUID,
// the form real APIs use, counting so that a test can predict it
// ("00000000-0000-4000-8000-000000000001").
func RequestID(n int64) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// Arrival is an API request as the gate let it in: its body, its headers and the
// token it presented.
type Arrival struct {
	// Body is the request body, at most MaxBody bytes of it.
	Body []byte
	// BodyErr says the body could not be read whole: a read error or ErrBodyTooLarge.
	BodyErr error
	// Header holds the request's headers without Authorization, for the log.
	Header http.Header
	// Grant is the presented token's grant; Authorized says whether it is valid.
	Grant      fakeoauth.Grant
	Authorized bool
}

// Receive reads r's body (at most MaxBody bytes) and checks its bearer token against
// oauth. It is the gate of every API request: a fake answers 401, in its own form, when
// Authorized is false.
func Receive(r *http.Request, oauth *fakeoauth.Server) Arrival {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err == nil && len(body) > MaxBody {
		err = ErrBodyTooLarge
	}
	a := Arrival{Body: body[:min(len(body), MaxBody)], BodyErr: err, Header: r.Header.Clone()}
	if len(a.Body) == 0 {
		a.Body = nil
	}
	a.Header.Del("Authorization")
	a.Grant, a.Authorized = oauth.Authenticate(r)
	return a
}

// CloneRequest returns copies of a logged request's query, headers and body that share
// nothing with them.
func CloneRequest(query url.Values, header http.Header, body []byte) (url.Values, http.Header, []byte) {
	q := make(url.Values, len(query))
	for k, v := range query {
		q[k] = slices.Clone(v)
	}
	return q, header.Clone(), slices.Clone(body)
}

// MustBeValid panics with a one-line message naming pkg and every error in errs (nil
// ones are skipped), as httptest.NewServer panics when it cannot listen: a fake built
// with an invalid option is a mistake in the test, not a condition to handle.
func MustBeValid(pkg string, errs ...error) {
	var msgs []string
	for _, err := range errs {
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) > 0 {
		panic(pkg + ": " + strings.Join(msgs, "; "))
	}
}
