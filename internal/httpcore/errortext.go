package httpcore

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/textutil"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// ErrorText is what a provider's APIError says, in the order every provider says it:
//
//	<provider>: <METHOD> <URL>: <status>: <code>: <message> (<notes>, retry after <d>, request id <id>, the request may have been applied)
//
// for example
//
//	smartcar: GET https://vehicle.api.smartcar.com/v3/connections: 429 Too Many Requests: RATE_LIMIT:SMARTCAR_API: Too many requests (retry after 1h0m0s, request id 5d1f…)
//	mycartracks: DELETE https://mycartracks.com/services/rest/v3/jobs/7: 502 Bad Gateway (request id req-1, the request may have been applied)
//
// Absent parts are left out with their separator; all that follows the message sits in
// one trailing parenthesis, in that fixed order. Provider text (code, message, notes,
// request id) is put on one line, stripped of credentials and clipped.
type ErrorText struct {
	Provider    string
	Method, URL string
	// Status is the formatted HTTP status (StatusText, or a provider's own wording for a
	// status net/http does not know).
	Status string
	// Code is the provider's classification: "TYPE:CODE" or a code ("not_found").
	Code    string
	Message string
	// Notes are what only this provider says (refused fields, the scope the call needs,
	// Smartcar's resolution): the parenthesis starts with them.
	Notes      []string
	RetryAfter time.Duration
	RequestID  string
	// MayHaveSucceeded adds "the request may have been applied" (see MayHaveSucceeded).
	MayHaveSucceeded bool
}

// String formats the message.
func (t ErrorText) String() string {
	var b strings.Builder
	b.WriteString(t.Provider)
	b.WriteString(": ")
	switch {
	case t.Method != "" && t.URL != "":
		b.WriteString(t.Method + " " + t.URL + ": ")
	case t.Method != "" || t.URL != "":
		b.WriteString(t.Method + t.URL + ": ")
	}
	b.WriteString(t.Status)
	code := CleanText(t.Code)
	if code != "" {
		b.WriteString(": " + code)
	}
	if m := CleanText(t.Message); m != "" && m != code {
		b.WriteString(": " + m)
	}
	notes := make([]string, 0, len(t.Notes)+3)
	for _, n := range t.Notes {
		if n = CleanText(n); n != "" {
			notes = append(notes, n)
		}
	}
	if t.RetryAfter > 0 {
		notes = append(notes, "retry after "+t.RetryAfter.Round(time.Millisecond).String())
	}
	if id := CleanText(t.RequestID); id != "" {
		notes = append(notes, "request id "+id)
	}
	if t.MayHaveSucceeded {
		notes = append(notes, mayHaveBeenApplied)
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	return b.String()
}

// mayHaveBeenApplied is the note of a call that may have taken effect; telematics'
// RequestError says the same.
const mayHaveBeenApplied = "the request may have been applied"

// maxText bounds one piece of provider text in an error message.
const maxText = 300

// CleanText makes provider text safe for an error message: one line, credentials
// removed (RedactString), at most a few hundred bytes.
func CleanText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return textutil.Clip(RedactString(s), maxText)
}

// MayHaveSucceeded is the one rule of every provider for an error answer: a write (any
// method but GET and HEAD; an unknown method counts as no write) answered with a 5xx
// other than 501 Not Implemented and 503 Service Unavailable may have taken effect, for
// the server, or a proxy or vehicle maker behind it, may have applied it before failing
// or timing out. A provider whose error says the request was refused reports false on top
// of this rule.
func MayHaveSucceeded(method string, status int) bool {
	switch method {
	case "", http.MethodGet, http.MethodHead:
		return false
	}
	return status >= 500 && status != http.StatusNotImplemented && status != http.StatusServiceUnavailable
}

// StatusText formats a status for error messages: "404 Not Found".
func StatusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return strconv.Itoa(status) + " " + t
	}
	return strconv.Itoa(status)
}

// Malformed reports a success answer that a provider could not use (a body that breaks
// the API's rules although it decodes) as the request loop reports one it could not
// decode: a *telematics.RequestError matching telematics.ErrMalformedResponse, with the
// method, URL and attempts of resp (nil when unknown). An err that is already a
// *telematics.RequestError is returned as it is.
func Malformed(provider string, resp *telematics.Response, err error) error {
	var re *telematics.RequestError
	if errors.As(err, &re) {
		return err
	}
	if !errors.Is(err, telematics.ErrMalformedResponse) {
		err = fmt.Errorf("%w: %v", telematics.ErrMalformedResponse, err)
	}
	re = &telematics.RequestError{Provider: provider, Sent: true, Err: err}
	if resp != nil {
		re.Method, re.URL, re.Attempts = resp.Method, resp.URL, resp.Attempts
	}
	return re
}
