package mycartracks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/internal/redact"
	"github.com/fleetkit/fleetkit-go/internal/textutil"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// maxErrorBody is how much of an error body the client reads; the rest is dropped.
const maxErrorBody = 64 << 10

// maxMessage bounds the message taken from an error body that is not JSON.
const maxMessage = 300

// APIError is an error answer of the MyCarTracks API (any status other than 2xx).
//
// It matches the telematics sentinels with errors.Is: telematics.ErrRateLimited for 429
// and for a 403 sent because the request budget is spent (see RateLimited: a rate-limit
// code, or no code at all and X-Rate-Limit-Remaining: 0); telematics.ErrForbidden for
// any other 403 (a missing scope or permission, also on the last request of a window;
// Scope then names the scope when the body does); ErrNotFound for 404,
// ErrInvalidInput for 400 and 422, ErrUnauthorized for 401, ErrConflict for 409 and
// ErrUnavailable for 5xx. When the call was stopped by a rate limit the client returns a
// *telematics.RateLimitError wrapping this error.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Method and URL identify the request; URL has credentials removed.
	Method, URL string
	// Code is the machine-readable error code of the body ("not_found",
	// "insufficient_scope"...), from whichever of error, code, type or title it used.
	Code string
	// Message is the human-readable text (message, error_description, detail or title;
	// for a body that is not JSON, its first few hundred characters).
	Message string
	// Errors lists the fields a validation error (400) refused.
	Errors []FieldError
	// Scope is the OAuth2 scope the body says the call needs, if it names one.
	Scope string
	// RequestID is the provider's identifier of the request (X-Request-Id).
	RequestID string
	// Rate is the budget the answer reported.
	Rate telematics.Rate
	// RetryAfter is the wait the answer asked for, if any (Retry-After); when a rate
	// limit stopped the call, the wait until the budget resets (see
	// telematics.Response.RetryAfter).
	RetryAfter time.Duration
	// Body is the raw answer, at most 64 KiB of it.
	Body []byte
}

// FieldError is one refused field of a validation error.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error formats method, URL, status, code and message, then in one parenthesis the
// refused fields, the scope the call needs, the wait asked for, the request id and
// whether the call may have been applied, as every provider's APIError does; it never
// holds a credential.
func (e *APIError) Error() string {
	notes := make([]string, 0, len(e.Errors)+1)
	for _, fe := range e.Errors {
		notes = append(notes, fe.Field+": "+fe.Message)
	}
	if e.Scope != "" {
		notes = append(notes, fmt.Sprintf("the call needs the %q scope", e.Scope))
	}
	return httpcore.ErrorText{
		Provider: Provider, Method: e.Method, URL: e.URL,
		Status: httpcore.StatusText(e.StatusCode), Code: e.Code, Message: e.Message,
		Notes: notes, RetryAfter: e.RetryAfter, RequestID: e.RequestID,
		MayHaveSucceeded: e.MayHaveSucceeded(),
	}.String()
}

// RateLimited reports whether the answer rejected the call because the request budget
// is spent: a 429, or a 403 whose error code names a rate limit ("rate_limit_exceeded",
// "RateLimitExceeded", "too_many_requests", "throttled"...). A 403 without any code is a
// rate limit when it was sent with no requests remaining or its message names a rate
// limit. A 403 with another code ("access_denied", "insufficient_scope") is a permission
// error even on the last request of a window.
func (e *APIError) RateLimited() bool {
	switch e.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusForbidden:
		if e.Code != "" {
			return namesRateLimit(e.Code) || e.Code == "429"
		}
		return e.Rate.Remaining == 0 || namesRateLimit(e.Message)
	}
	return false
}

// namesRateLimit reports whether an error code or message speaks of a rate limit, in
// any case and with any separators ("rate_limit_exceeded", "Rate limit exceeded",
// "TooManyRequests", "request throttled").
func namesRateLimit(s string) bool {
	s = rateLimitWordSep.Replace(strings.ToLower(s))
	return strings.Contains(s, "ratelimit") || strings.Contains(s, "toomanyrequests") || strings.Contains(s, "throttl")
}

var rateLimitWordSep = strings.NewReplacer("_", "", "-", "", " ", "", ".", "")

// MayHaveSucceeded reports whether the call may have taken effect although it failed: a
// write (any method but GET and HEAD) answered with a 5xx other than 501 and 503 (500,
// 502, 504...), which a server or a proxy in front of it also sends when the request was
// applied upstream, or timed out there; the rule of every provider (see
// telematics.MayHaveSucceeded, which finds it). Check the state before repeating such a
// call.
func (e *APIError) MayHaveSucceeded() bool {
	return httpcore.MayHaveSucceeded(e.Method, e.StatusCode)
}

// Is reports whether the error matches a telematics sentinel (see APIError).
func (e *APIError) Is(target error) bool {
	if e.RateLimited() {
		return target == telematics.ErrRateLimited
	}
	return target == telematics.SentinelForStatus(e.StatusCode)
}

// ScopeError reports a call refused by the client before sending it, because the client
// was not created with the scope the call needs (writes need ScopeWrite). It matches
// telematics.ErrForbidden.
type ScopeError struct {
	// Operation names the call ("Jobs.Create").
	Operation string
	Method    string
	// Scope is the scope the call needs; Granted the scopes the client requests.
	Scope   string
	Granted string
}

// Error describes the failure for logs and messages; it never holds a secret.
func (e *ScopeError) Error() string {
	return fmt.Sprintf("%s: %s (%s) needs the %q scope but the client requests %q; create it with WithScopes(ScopeRead, ScopeWrite) (request not sent)",
		Provider, e.Operation, e.Method, e.Scope, e.Granted)
}

// Is reports whether target is telematics.ErrForbidden.
func (e *ScopeError) Is(target error) bool { return target == telematics.ErrForbidden }

// errorBody is every error body shape the client understands: OAuth
// ({"error","error_description"}), {"message"}, {"code","message"}, the MyCarTracks form
// {"error","message","errors","scope"}, RFC 7807 ({"type","title","status","detail"})
// and {"error":{"code","message"}}.
type errorBody struct {
	Error       json.RawMessage `json:"error"`
	Description string          `json:"error_description"`
	Message     string          `json:"message"`
	Code        json.RawMessage `json:"code"`
	Type        string          `json:"type"`
	Title       string          `json:"title"`
	Detail      string          `json:"detail"`
	Scope       string          `json:"scope"`
	Errors      json.RawMessage `json:"errors"`
}

var (
	htmlTitleRe = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRe       = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRe     = regexp.MustCompile(`\s+`)
	scopeRe     = regexp.MustCompile(`(?i)\b(read|write)\s+scope\b|\bscope\s+"?(read|write)\b`)
)

// errorDecoder returns the decoder of error answers for a client: it removes the
// client's secrets from anything the server echoes back, in any encoding, besides the
// credentials httpcore.RedactString finds. The request loop has redacted the body
// already; the decoded fields are checked again.
func errorDecoder(red *redact.Redactor) httpcore.ErrorDecoder {
	return func(resp *telematics.Response, body []byte) error {
		e := decodeError(resp, body)
		e.Code = red.String(e.Code)
		e.Message = red.String(e.Message)
		for i := range e.Errors {
			e.Errors[i].Message = red.String(e.Errors[i].Message)
		}
		e.Body = red.Bytes(e.Body)
		return e
	}
}

// decodeError builds an *APIError from an error answer. It never fails: a body it cannot
// read still yields the status and the start of its text.
func decodeError(resp *telematics.Response, body []byte) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     resp.Method,
		URL:        resp.URL,
		RequestID:  resp.RequestID,
		Rate:       resp.Rate,
		RetryAfter: resp.RetryAfter,
		Body:       body,
	}
	trimmed := bytes.TrimSpace(body)
	var eb errorBody
	switch {
	case len(trimmed) == 0:
	case trimmed[0] == '{' && json.Unmarshal(trimmed, &eb) == nil:
		e.fromJSON(&eb)
	case trimmed[0] == '<':
		e.Message = htmlMessage(trimmed)
	default:
		e.Message = clip(spaceRe.ReplaceAllString(string(trimmed), " "))
	}
	e.Code = httpcore.RedactString(e.Code)
	e.Message = httpcore.RedactString(e.Message)
	for i := range e.Errors {
		e.Errors[i].Message = httpcore.RedactString(e.Errors[i].Message)
	}
	if e.Scope == "" && e.StatusCode == http.StatusForbidden {
		if m := scopeRe.FindStringSubmatch(e.Message); m != nil {
			e.Scope = strings.ToLower(m[1] + m[2])
		}
	}
	return e
}

func (e *APIError) fromJSON(eb *errorBody) {
	switch code := jsonText(eb.Error); {
	case code != "":
		e.Code = code
	case len(eb.Error) > 0 && eb.Error[0] == '{':
		var nested errorBody
		if json.Unmarshal(eb.Error, &nested) == nil {
			e.fromJSON(&nested)
			return
		}
	}
	if e.Code == "" {
		e.Code = jsonText(eb.Code)
	}
	if e.Code == "" && eb.Type != "" && eb.Type != "about:blank" {
		e.Code = eb.Type
	}
	for _, m := range []string{eb.Message, eb.Description, eb.Detail, eb.Title} {
		if m != "" {
			e.Message = clip(m)
			break
		}
	}
	if e.Code == "" && eb.Title != "" && e.Message != eb.Title {
		e.Code = eb.Title
	}
	e.Scope = eb.Scope
	if len(eb.Errors) > 0 && eb.Errors[0] == '[' {
		var fes []FieldError
		if json.Unmarshal(eb.Errors, &fes) == nil {
			e.Errors = fes
		}
	}
	if e.Scope == "" && strings.EqualFold(e.Code, "insufficient_scope") {
		e.Scope = ScopeWrite
		if m := scopeRe.FindStringSubmatch(e.Message); m != nil {
			e.Scope = strings.ToLower(m[1] + m[2])
		}
	}
}

// jsonText returns a JSON string's text or a number's digits; "" for anything else.
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	if _, err := strconv.ParseFloat(string(raw), 64); err == nil {
		return string(raw)
	}
	return ""
}

func htmlMessage(body []byte) string {
	if m := htmlTitleRe.FindSubmatch(body); m != nil {
		if t := strings.TrimSpace(spaceRe.ReplaceAllString(string(m[1]), " ")); t != "" {
			return "HTML error page: " + clip(t)
		}
	}
	text := strings.TrimSpace(spaceRe.ReplaceAllString(tagRe.ReplaceAllString(string(body), " "), " "))
	if text == "" {
		return "HTML error page"
	}
	return "HTML error page: " + clip(text)
}

func clip(s string) string { return textutil.Clip(s, maxMessage) }
