package smartcartest

import (
	"net/http"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/fakeapi"
)

// ErrorForm is the shape of an error body.
type ErrorForm int

const (
	// FormDefault is the server's form (WithErrorForm; FormJSONAPI unless set).
	FormDefault ErrorForm = iota
	// FormJSONAPI is the v3 form Smartcar documents: {"errors": [{"status", "type",
	// "code", "title", "detail", "links": {"about"}, "meta": {"debug": {"requestId"}}}]}.
	FormJSONAPI
	// FormFlat is the v2 / webhook form: {"type", "code", "description", "docURL",
	// "statusCode", "requestId", "resolution": {"type"}, "suggestedUserMessage"}.
	FormFlat
	// FormOAuth is the OAuth form: {"error", "error_description"}.
	FormOAuth
	// FormNested is the flat form nested under "error": {"error": {"type", "code",
	// "description", "resolution": {"type"}, "requestId"}}, as gateways and older
	// services answer.
	FormNested
)

// Fault is a failure the server injects instead of handling a request. Queue faults
// with FailNext; each is used once, by the first request it matches.
type Fault struct {
	// Method and Path select the requests the fault applies to; empty matches any.
	// Path is relative to the API root and matches by prefix
	// ("/vehicles/{id}/commands/").
	Method string
	Path   string
	// Status is the HTTP status of the error answer.
	Status int
	// Type, Code, Detail and Resolution fill the error body.
	Type, Code, Detail, Resolution string
	// Form is the shape of the error body (FormDefault: the server's).
	Form ErrorForm
	// RetryAfter, when set, is sent as the Retry-After header in whole seconds.
	RetryAfter time.Duration
	// Drop closes the connection after reading the request, without an answer: the
	// request reached the server and may have had an effect.
	Drop bool
	// ExecutionFailure answers a command with 200 and an execution record whose status
	// is ERROR with the Type and Code above, instead of an error response. (Smartcar
	// says a command's body decides its outcome; the shape of a failure is assumed.)
	ExecutionFailure bool
}

// On returns the fault restricted to requests with this method and path prefix.
func (f Fault) On(method, pathPrefix string) Fault {
	f.Method, f.Path = method, pathPrefix
	return f
}

// WithStatus returns the fault answering with another HTTP status.
func (f Fault) WithStatus(status int) Fault {
	f.Status = status
	return f
}

// InForm returns the fault answering in another error form.
func (f Fault) InForm(form ErrorForm) Fault {
	f.Form = form
	return f
}

// Asleep is 409 VEHICLE_STATE:ASLEEP.
func Asleep() Fault {
	return Fault{Status: http.StatusConflict, Type: "VEHICLE_STATE", Code: "ASLEEP", Resolution: "RETRY_LATER",
		Detail: "The vehicle is asleep and cannot respond to this request."}
}

// UpstreamError is 502 UPSTREAM:NO_RESPONSE: the vehicle maker did not answer.
func UpstreamError() Fault {
	return Fault{Status: http.StatusBadGateway, Type: "UPSTREAM", Code: "NO_RESPONSE", Resolution: "RETRY_LATER",
		Detail: "The vehicle maker's servers did not respond."}
}

// UpstreamRateLimit is 502 UPSTREAM:RATE_LIMIT: the vehicle maker's own limit.
func UpstreamRateLimit() Fault {
	return Fault{Status: http.StatusBadGateway, Type: "UPSTREAM", Code: "RATE_LIMIT", Resolution: "RETRY_LATER",
		Detail: "The vehicle maker rate limited the request."}
}

// ServerError is 500 SERVER:INTERNAL.
func ServerError() Fault {
	return Fault{Status: http.StatusInternalServerError, Type: "SERVER", Code: "INTERNAL", Detail: "Internal server error."}
}

// GatewayTimeout is 504 without a type, as a timed-out gateway answers.
func GatewayTimeout() Fault {
	return Fault{Status: http.StatusGatewayTimeout, Code: "GATEWAY_TIMEOUT", Detail: "The request timed out upstream."}
}

// DropConnection closes the connection after the request was read.
func DropConnection() Fault { return Fault{Drop: true} }

// RateLimited is 429 RATE_LIMIT:VEHICLE with a Retry-After.
func RateLimited(retryAfter time.Duration) Fault {
	return Fault{Status: http.StatusTooManyRequests, Type: "RATE_LIMIT", Code: "VEHICLE", RetryAfter: retryAfter,
		Detail: "The vehicle received too many requests."}
}

// BillingLimit is 430 BILLING:VEHICLE_REQUEST_LIMIT.
func BillingLimit() Fault {
	return Fault{Status: 430, Type: "BILLING", Code: "VEHICLE_REQUEST_LIMIT", Resolution: "CONTACT_SUPPORT",
		Detail: "The vehicle exceeded its monthly request allowance."}
}

// NotCapable is 501 COMPATIBILITY:VEHICLE_NOT_CAPABLE.
func NotCapable() Fault {
	return Fault{Status: http.StatusNotImplemented, Type: "COMPATIBILITY", Code: "VEHICLE_NOT_CAPABLE",
		Detail: "The vehicle is incapable of performing your request."}
}

// PermissionDenied is 403 PERMISSION with resolution REAUTHENTICATE.
func PermissionDenied() Fault {
	return Fault{Status: http.StatusForbidden, Type: "PERMISSION", Resolution: "REAUTHENTICATE",
		Detail: "Your application has insufficient permissions to access the requested resource."}
}

// FailNext queues faults, in order: each answers the next API request that passes
// authentication and the application bucket and that it matches (Fault.On; a fault
// without a method and path matches any), as mycartrackstest's FailNext does.
func (s *Server) FailNext(faults ...Fault) { s.faults.Push(faults...) }

func (s *Server) takeFault(method, path string) (Fault, bool) {
	f, ok := s.faults.Take(func(f Fault) bool {
		return (f.Method == "" || strings.EqualFold(f.Method, method)) && strings.HasPrefix(path, f.Path)
	})
	if ok {
		s.log.Tally(func(st *fakeapi.Stats) { st.Faults++ })
	}
	return f, ok
}

func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, rc *reqCtx, f Fault) {
	switch {
	case f.Drop:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
		return
	case f.ExecutionFailure:
		params, _ := commandAttributes(rc.body)
		s.mu.Lock()
		exec := s.execution(r.PathValue("vehicleID"), commandType(r), "sync", "ERROR", params, rc.now)
		s.mu.Unlock()
		exec["attributes"].(map[string]any)["status"] = map[string]any{"value": "ERROR", "error": map[string]any{
			"type": f.Type, "code": nullable(f.Code), "detail": f.Detail, "resolution": map[string]any{"type": nullable(f.Resolution)},
		}}
		writeJSON(w, http.StatusOK, map[string]any{"data": exec})
		return
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", seconds(f.RetryAfter))
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	s.writeError(w, status, apiErr{Type: f.Type, Code: f.Code, Title: http.StatusText(status), Detail: f.Detail, Resolution: f.Resolution, Form: f.Form})
}
