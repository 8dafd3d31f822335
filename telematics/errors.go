package telematics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Every error a provider package returns matches the ones that describe
// it with errors.Is; errors.As then reaches the provider's own error type for details.
var (
	// ErrNotFound: the resource does not exist or is not visible to these credentials.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: the credentials or the access token were rejected.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: the credentials are valid but lack a permission or scope.
	ErrForbidden = errors.New("forbidden")
	// ErrRateLimited: a rate limit was hit; see [RateLimitError] for when to try again.
	ErrRateLimited = errors.New("rate limited")
	// ErrNotSupported: the provider, the vehicle or this SDK cannot do what was asked.
	ErrNotSupported = errors.New("not supported")
	// ErrInvalidInput: the request was rejected as invalid, by the SDK before sending it
	// or by the provider.
	ErrInvalidInput = errors.New("invalid input")
	// ErrConflict: the request conflicts with the state of the resource (already
	// subscribed, vehicle in a state that refuses the command).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: the provider failed or was unreachable (5xx, network errors) and
	// retrying did not help.
	ErrUnavailable = errors.New("provider unavailable")
	// ErrVehicleUnreachable: the vehicle is asleep, offline or out of coverage.
	ErrVehicleUnreachable = errors.New("vehicle unreachable")
	// ErrMalformedResponse: the provider answered with a body the SDK cannot decode.
	ErrMalformedResponse = errors.New("malformed response")
	// ErrResponseTooLarge: the provider answered with a body larger than the client accepts.
	ErrResponseTooLarge = errors.New("response too large")
	// ErrClientClosed: the call was made after the provider client was closed; nothing
	// was sent.
	ErrClientClosed = errors.New("client closed")
)

// SentinelForStatus returns the sentinel that describes an HTTP status, or nil for a
// status that has none (2xx, 3xx and unusual 4xx). Provider error types use it in their Is
// methods so that every provider maps statuses the same way.
func SentinelForStatus(status int) error {
	switch {
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return ErrInvalidInput
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound, status == http.StatusGone:
		return ErrNotFound
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusNotImplemented:
		return ErrNotSupported
	case status >= 500:
		return ErrUnavailable
	}
	return nil
}

// RateLimitError reports that a rate limit stopped a call: the provider rejected it (429,
// or a 403 the provider uses for exhausted budgets), or the client knew the budget was
// spent and the wait for it to refill was longer than the client is configured to wait.
// It matches [ErrRateLimited]; when the provider answered, Unwrap returns the provider's
// error.
type RateLimitError struct {
	Provider string
	// Method and URL identify the request; URL has credentials removed.
	Method, URL string
	// RetryAfter is how long the provider asked to wait, measured from when the error
	// was returned (zero when unknown).
	RetryAfter time.Duration
	// ResetAt is when the budget refills (zero when unknown).
	ResetAt time.Time
	// Limit and Remaining are the last known budget (-1 when unknown).
	Limit, Remaining int
	// Err is the provider's error when the provider answered; nil when the client
	// refused to send.
	Err error
}

// Error describes the failure for logs and messages; it never holds a secret. When the
// provider answered it is the provider error's text, which states the status, the
// provider's code and message, and the wait ("… (retry after 1m0s, request id …)").
// When the client refused to send it reads "<provider>: GET <url>: rate limited, request
// not sent: the budget is spent (retry after 3m0s, budget resets at <RFC 3339 time>)".
func (e *RateLimitError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	var b strings.Builder
	b.WriteString(e.Provider)
	b.WriteString(": ")
	writeOperation(&b, e.Method, e.URL)
	b.WriteString("rate limited, request not sent: the budget is spent")
	var notes []string
	if e.RetryAfter > 0 {
		notes = append(notes, "retry after "+e.RetryAfter.Round(time.Millisecond).String())
	}
	if !e.ResetAt.IsZero() {
		notes = append(notes, "budget resets at "+e.ResetAt.UTC().Format(time.RFC3339))
	}
	writeNotes(&b, notes)
	return b.String()
}

// writeOperation writes "GET <url>: ", or what of it is known.
func writeOperation(b *strings.Builder, method, url string) {
	switch {
	case method != "" && url != "":
		b.WriteString(method + " " + url + ": ")
	case method != "" || url != "":
		b.WriteString(method + url + ": ")
	}
}

// writeNotes writes the one trailing parenthesis of an error message.
func writeNotes(b *strings.Builder, notes []string) {
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
}

// Is reports whether target is [ErrRateLimited].
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// Unwrap returns the provider's error, if any.
func (e *RateLimitError) Unwrap() error { return e.Err }

// RequestError reports a call that produced no usable answer from the provider: a network
// failure, a timeout, a body that could not be read or decoded, or one that was too large.
// It matches [ErrUnavailable] for network failures and whatever its Err matches otherwise.
type RequestError struct {
	Provider string
	Method   string
	// URL is the request URL with credentials removed.
	URL string
	// Attempts is how many times the request was sent.
	Attempts int
	// Sent reports that the last attempt may have reached the provider. For a call that
	// is not safe to repeat the SDK then did not repeat it, and it may have succeeded.
	Sent bool
	Err  error
}

// Error describes the failure for logs and messages; it never holds a secret:
// "<provider>: POST <url>: <cause> (after 3 attempts, the request may have been
// applied)".
func (e *RequestError) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider)
	b.WriteString(": ")
	writeOperation(&b, e.Method, e.URL)
	fmt.Fprint(&b, e.Err)
	var notes []string
	if e.Attempts > 1 {
		notes = append(notes, fmt.Sprintf("after %d attempts", e.Attempts))
	}
	if e.MayHaveSucceeded() {
		notes = append(notes, mayHaveBeenApplied)
	}
	writeNotes(&b, notes)
	return b.String()
}

// mayHaveBeenApplied is the note of a call that may have taken effect, in the
// parenthesis at the end of its message; the provider APIErrors say the same
// (internal/httpcore's error text).
const mayHaveBeenApplied = "the request may have been applied"

// Unwrap returns the underlying error.
func (e *RequestError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrUnavailable] for failures of the network or of the
// provider's connection (not for cancelled contexts, oversized or malformed bodies).
func (e *RequestError) Is(target error) bool {
	if target != ErrUnavailable {
		return false
	}
	for _, not := range []error{ErrMalformedResponse, ErrResponseTooLarge, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(e.Err, not) {
			return false
		}
	}
	return true
}

// MayHaveSucceeded reports whether a call that changes state may have taken effect
// although it returned this error. Reads (GET, HEAD) never report it.
func (e *RequestError) MayHaveSucceeded() bool {
	return e.Sent && e.Method != http.MethodGet && e.Method != http.MethodHead
}

// MayHaveSucceeded reports whether err, or an error it wraps, says that the call may have
// taken effect despite failing. Every provider follows one rule: a write (any method but
// GET and HEAD) may have taken effect when
//
//   - its connection broke, or it timed out, after the request was sent
//     ([RequestError]), or its answer could not be read or decoded;
//   - the provider answered 500, 502, 504 or another 5xx other than 501 Not Implemented
//     and 503 Service Unavailable (which say the request was not acted on): the server,
//     or a proxy or vehicle maker behind it, may have applied the request before failing
//     or timing out. A provider error that says the request was refused (Smartcar's
//     UPSTREAM:RATE_LIMIT) reports false.
//
// Reads never report it. The SDK never repeats such a call by itself (unless it is safe
// to repeat: PUT, DELETE, a request marked idempotent); check the state before trying
// again. The error's message then ends with "the request may have been applied".
func MayHaveSucceeded(err error) bool {
	var m interface{ MayHaveSucceeded() bool }
	return errors.As(err, &m) && m.MayHaveSucceeded()
}

// AuthError reports that no access token could be obtained from the provider's token
// endpoint. Code is the OAuth error code ("invalid_client", "invalid_scope"...) when the
// endpoint sent one. It never holds the client secret. A refusal of the credentials
// matches [ErrUnauthorized], and also [ErrForbidden] for "invalid_scope" and
// "unauthorized_client" (the credentials may not have what was asked); a failure that may
// pass (5xx, network) matches [ErrUnavailable].
type AuthError struct {
	Provider string
	// Status is the HTTP status of the token endpoint (0 for network failures).
	Status int
	// Code and Description come from the OAuth error body.
	Code, Description string
	// Permanent reports that trying again with the same credentials cannot help.
	Permanent bool
	Err       error
}

// Error describes the failure for logs and messages; it never holds a secret.
func (e *AuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: access token request failed", e.Provider)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
		if hint := oauthHints[e.Code]; hint != "" {
			fmt.Fprintf(&b, " (%s)", hint)
		}
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	if e.Err != nil && e.Code == "" {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

var oauthHints = map[string]string{
	"invalid_client":      "the client ID or secret is wrong",
	"invalid_scope":       "the credentials may not request this scope",
	"unauthorized_client": "the client may not use the client-credentials grant or this scope",
	"invalid_grant":       "the grant was refused",
	"invalid_request":     "the token request was malformed",
}

// Is reports whether target is [ErrUnauthorized] (the endpoint refused the credentials),
// [ErrForbidden] (it refused the scope) or [ErrUnavailable] (a failure that may pass).
func (e *AuthError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Permanent && (e.Code != "" || (e.Status >= 400 && e.Status < 500))
	case ErrForbidden:
		return e.Code == "invalid_scope" || e.Code == "unauthorized_client"
	case ErrUnavailable:
		return !e.Permanent
	}
	return false
}

// Unwrap returns the underlying error, if any.
func (e *AuthError) Unwrap() error { return e.Err }
