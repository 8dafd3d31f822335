package smartcar

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Sentinel errors of this package. Every error also matches the telematics sentinels
// that describe it.
var (
	// ErrBilling: Smartcar refused the call for a billing reason (HTTP 430: the
	// vehicle's monthly request allowance is spent, too many vehicles, plan or account).
	//
	// It deliberately does not match telematics.ErrRateLimited: those limits reset
	// monthly or need a plan change, so neither the SDK nor a caller should retry.
	ErrBilling = errors.New(Provider + ": billing limit")
	// ErrAlreadySubscribed: the vehicle is already subscribed to the webhook (HTTP 409
	// from Subscriptions.Subscribe). It also matches telematics.ErrConflict.
	ErrAlreadySubscribed = fmt.Errorf("%s: already subscribed: %w", Provider, telematics.ErrConflict)
	// ErrUserIDRequired: the call reads or controls a vehicle on behalf of its owner and
	// needs WithUserID; nothing was sent. It also matches telematics.ErrInvalidInput.
	ErrUserIDRequired = fmt.Errorf("%s: %w: this call needs the vehicle owner's user id (pass smartcar.WithUserID)", Provider, telematics.ErrInvalidInput)
)

// StatusBilling is the non-standard HTTP status Smartcar uses for billing errors.
const StatusBilling = 430

// ErrorType is Smartcar's category of an error ("VEHICLE_STATE").
type ErrorType string

// The documented error types (docs/evidence.md, Smartcar §7) and their HTTP status.
const (
	ErrorTypeAuthentication           ErrorType = "AUTHENTICATION"             // 401
	ErrorTypePermission               ErrorType = "PERMISSION"                 // 403
	ErrorTypeValidation               ErrorType = "VALIDATION"                 // 400
	ErrorTypeResourceNotFound         ErrorType = "RESOURCE_NOT_FOUND"         // 404
	ErrorTypeConnectedServicesAccount ErrorType = "CONNECTED_SERVICES_ACCOUNT" // 400
	ErrorTypeVehicleState             ErrorType = "VEHICLE_STATE"              // 409
	ErrorTypeRateLimit                ErrorType = "RATE_LIMIT"                 // 429
	ErrorTypeBilling                  ErrorType = "BILLING"                    // 430
	ErrorTypeServer                   ErrorType = "SERVER"                     // 500
	ErrorTypeCompatibility            ErrorType = "COMPATIBILITY"              // 501
	ErrorTypeUpstream                 ErrorType = "UPSTREAM"                   // 502
)

// ErrorCode is Smartcar's code of an error within its type ("ASLEEP"). Codes are unique
// only together with their type: "RATE_LIMIT" is an UPSTREAM code, "VEHICLE" a
// RATE_LIMIT one.
type ErrorCode string

// The documented error codes, grouped by type.
const (
	// VALIDATION (BAD_REQUEST is the code of the JSON:API example).
	CodeParameter  ErrorCode = "PARAMETER"
	CodeBadRequest ErrorCode = "BAD_REQUEST"

	// RESOURCE_NOT_FOUND. VEHICLE_NOT_FOUND is seen in real v3 traffic for an unknown
	// vehicle ([R] in docs/evidence.md), not documented.
	CodePath            ErrorCode = "PATH"
	CodeVersion         ErrorCode = "VERSION"
	CodeInvalidPath     ErrorCode = "INVALID_PATH"
	CodeVehicleNotFound ErrorCode = "VEHICLE_NOT_FOUND"

	// CONNECTED_SERVICES_ACCOUNT.
	CodeAccountIssue         ErrorCode = "ACCOUNT_ISSUE"
	CodeAuthenticationFailed ErrorCode = "AUTHENTICATION_FAILED"
	CodeNoVehicles           ErrorCode = "NO_VEHICLES"
	CodePermission           ErrorCode = "PERMISSION"
	CodeSubscription         ErrorCode = "SUBSCRIPTION"
	CodeVehicleMissing       ErrorCode = "VEHICLE_MISSING"
	CodeVirtualKeyRequired   ErrorCode = "VIRTUAL_KEY_REQUIRED"

	// VEHICLE_STATE.
	CodeAsleep                   ErrorCode = "ASLEEP"
	CodeChargingInProgress       ErrorCode = "CHARGING_IN_PROGRESS"
	CodeChargingPlugNotConnected ErrorCode = "CHARGING_PLUG_NOT_CONNECTED"
	CodeDoorOpen                 ErrorCode = "DOOR_OPEN"
	CodeFullyCharged             ErrorCode = "FULLY_CHARGED"
	CodeNotCharging              ErrorCode = "NOT_CHARGING"
	CodeChargeFault              ErrorCode = "CHARGE_FAULT"
	CodeHoodOpen                 ErrorCode = "HOOD_OPEN"
	CodeIgnitionOn               ErrorCode = "IGNITION_ON"
	CodeInMotion                 ErrorCode = "IN_MOTION"
	CodeRemoteAccessDisabled     ErrorCode = "REMOTE_ACCESS_DISABLED"
	CodeTrunkOpen                ErrorCode = "TRUNK_OPEN"
	CodeUnknown                  ErrorCode = "UNKNOWN"
	CodeUnreachable              ErrorCode = "UNREACHABLE"
	CodeVehicleOfflineForService ErrorCode = "VEHICLE_OFFLINE_FOR_SERVICE"

	// RATE_LIMIT: the application's budget, or one vehicle's (with Retry-After).
	CodeSmartcarAPI ErrorCode = "SMARTCAR_API"
	CodeVehicle     ErrorCode = "VEHICLE"

	// BILLING.
	CodeInvalidPlan         ErrorCode = "INVALID_PLAN"
	CodeVehicleLimit        ErrorCode = "VEHICLE_LIMIT"
	CodeVehicleRequestLimit ErrorCode = "VEHICLE_REQUEST_LIMIT"
	CodeAccountSuspended    ErrorCode = "ACCOUNT_SUSPENDED"

	// SERVER.
	CodeInternal             ErrorCode = "INTERNAL"
	CodeMultipleRecordsFound ErrorCode = "MULTIPLE_RECORDS_FOUND"
	CodeRecordNotFound       ErrorCode = "RECORD_NOT_FOUND"

	// COMPATIBILITY.
	CodeMakeNotCompatible  ErrorCode = "MAKE_NOT_COMPATIBLE"
	CodeSmartcarNotCapable ErrorCode = "SMARTCAR_NOT_CAPABLE"
	CodeVehicleNotCapable  ErrorCode = "VEHICLE_NOT_CAPABLE"
	CodePlatformNotCapable ErrorCode = "PLATFORM_NOT_CAPABLE"

	// UPSTREAM (the vehicle maker's systems).
	CodeInvalidData  ErrorCode = "INVALID_DATA"
	CodeKnownIssue   ErrorCode = "KNOWN_ISSUE"
	CodeNoResponse   ErrorCode = "NO_RESPONSE"
	CodeRateLimit    ErrorCode = "RATE_LIMIT"
	CodeUnknownIssue ErrorCode = "UNKNOWN_ISSUE"
)

// ResolutionType says what can resolve an error.
type ResolutionType string

// The resolution types Smartcar documents or was seen to send.
const (
	ResolutionRetryLater         ResolutionType = "RETRY_LATER"
	ResolutionReauthenticate     ResolutionType = "REAUTHENTICATE"
	ResolutionContactSupport     ResolutionType = "CONTACT_SUPPORT"
	ResolutionUserActionRequired ResolutionType = "USER_ACTION_REQUIRED"
	ResolutionUnknown            ResolutionType = "UNKNOWN_RESOLUTION_TYPE"
)

// ErrorDetail is one error as Smartcar describes it: an entry of an error response, the
// error of a signal whose status is ERROR, or the error of a command execution. It
// matches the same telematics sentinels as an APIError of its type.
type ErrorDetail struct {
	// Status is the HTTP status the entry names (0 when it names none, as signal
	// errors do).
	Status int
	Type   ErrorType
	Code   ErrorCode
	// Title is a short summary; Detail the explanation; Description the older name
	// of Detail that Smartcar still sends.
	Title       string
	Detail      string
	Description string
	// Resolution says what can resolve the error; ResolutionURL links to how.
	Resolution    ResolutionType
	ResolutionURL string
	// SuggestedUserMessage is text Smartcar suggests showing the vehicle owner.
	SuggestedUserMessage string
	// DocURL links to Smartcar's documentation of the error.
	DocURL string
}

// Message returns the most specific explanation present: Detail, Description, Title or
// the suggested user message.
func (d *ErrorDetail) Message() string {
	if d == nil {
		return ""
	}
	for _, s := range []string{d.Detail, d.Description, d.Title, d.SuggestedUserMessage} {
		if s != "" {
			return s
		}
	}
	return ""
}

// Error formats the type, code, message and resolution.
func (d *ErrorDetail) Error() string {
	if d == nil {
		return Provider + ": no error"
	}
	var b strings.Builder
	b.WriteString(Provider + ": " + kind(d.Type, d.Code))
	if m := d.Message(); m != "" {
		b.WriteString(": ")
		b.WriteString(clean(m))
	}
	if d.Resolution != "" {
		b.WriteString(" (resolution: " + string(d.Resolution) + ")")
	}
	return b.String()
}

// Is reports whether the error is described by target (see APIError.Is). A nil detail
// (the Error of a signal that succeeded) matches nothing.
func (d *ErrorDetail) Is(target error) bool {
	return d != nil && matches(d.Status, d.Type, d.Code, target)
}

func (d *ErrorDetail) class() (ErrorType, ErrorCode, ResolutionType) {
	if d == nil {
		return "", "", ""
	}
	return d.Type, d.Code, d.Resolution
}

// APIError is an error response of the Vehicle or Management API. It decodes the
// JSON:API form ({"errors":[...]}), the flat form of Smartcar's v2 and webhooks
// ({"type","code","description",...}), the flat form nested under "error"
// ({"error":{"type","code","description",...}}) and the OAuth form
// ({"error","error_description"}); anything else is kept as text in Message. It matches the telematics sentinels (see Is),
// and errors.As reaches it through a *telematics.RateLimitError.
//
// Type, Code, Message and Resolution describe the first (usually only) error entry;
// Errors holds every entry in full (title, detail, description, documentation link,
// suggested user message).
type APIError struct {
	// StatusCode is the HTTP status (430 for billing errors).
	StatusCode int
	// Method and URL are the request's; URL has no credentials.
	Method string
	URL    string
	// Type and Code are Smartcar's classification of the error ("VEHICLE_STATE",
	// "ASLEEP"); either may be empty.
	Type ErrorType
	Code ErrorCode
	// Message is the human-readable explanation: the first entry's detail, description,
	// title or suggested user message, or the start of a body that is not an error
	// document.
	Message string
	// Resolution says what can resolve the error (RETRY_LATER, REAUTHENTICATE...).
	Resolution ResolutionType
	// Errors holds every error entry of the body: the entries of a JSON:API response,
	// the one entry of the flat and OAuth forms; empty for a body that has none.
	Errors []ErrorDetail
	// RequestID is Smartcar's id of the request (the SC-Request-Id header, or when it is
	// missing the body's: errors[].meta.debug.requestId, errors[].meta.requestId or the
	// flat form's requestId): quote it to Smartcar support.
	RequestID string
	// RetryAfter is the wait the Retry-After header asked for (per-vehicle rate
	// limits); when a rate limit stopped the call, the wait until the budget resets (see
	// telematics.Response.RetryAfter).
	RetryAfter time.Duration
	// Body is the raw answer, at most 64 KiB of it.
	Body []byte
	// Response describes the HTTP exchange.
	Response *telematics.Response

	alreadySubscribed bool
}

// Error formats method, URL, status, type:code and message, then in one parenthesis the
// resolution, the wait asked for, the request id and whether the call may have been
// applied (see MayHaveSucceeded), as every provider's APIError does; never a credential.
func (e *APIError) Error() string {
	var notes []string
	if e.Resolution != "" {
		notes = append(notes, "resolution: "+string(e.Resolution))
	}
	return httpcore.ErrorText{
		Provider: Provider, Method: e.Method, URL: e.URL,
		Status: statusText(e.StatusCode), Code: kind(e.Type, e.Code), Message: e.Message,
		Notes: notes, RetryAfter: e.RetryAfter, RequestID: e.RequestID,
		MayHaveSucceeded: e.MayHaveSucceeded(),
	}.String()
}

// Retryable reports whether repeating the call soon could help. It is false for the
// vehicle maker's own rate limit (502 UPSTREAM:RATE_LIMIT: Smartcar recommends polling at
// most every 30 minutes), for a 429 without Retry-After other than the application's
// RATE_LIMIT:SMARTCAR_API (for which Smartcar recommends exponential backoff), and for
// billing errors (the allowance resets monthly). The client never retries an error for
// which it is false: each retry of a vehicle read would count against the vehicle's
// monthly request allowance. True leaves the decision to the status and the method.
func (e *APIError) Retryable() bool {
	switch {
	case e.Type == ErrorTypeUpstream && e.Code == CodeRateLimit:
		return false
	case e.Type == ErrorTypeBilling, e.StatusCode == StatusBilling:
		return false
	case e.StatusCode == http.StatusTooManyRequests && e.RetryAfter <= 0:
		return e.Type == ErrorTypeRateLimit && e.Code == CodeSmartcarAPI
	}
	return true
}

// Is reports whether target describes the error. The error type decides when Smartcar
// sent a known one, the HTTP status otherwise:
//
//	AUTHENTICATION, 401               telematics.ErrUnauthorized
//	PERMISSION, CONNECTED_SERVICES_ACCOUNT, 403
//	                                  telematics.ErrForbidden
//	VALIDATION, 400, 422              telematics.ErrInvalidInput
//	RESOURCE_NOT_FOUND, 404, 410      telematics.ErrNotFound
//	VEHICLE_STATE, 409                telematics.ErrConflict, and for the codes ASLEEP,
//	                                  UNREACHABLE, VEHICLE_OFFLINE_FOR_SERVICE also
//	                                  telematics.ErrVehicleUnreachable
//	RATE_LIMIT, 429                   telematics.ErrRateLimited
//	BILLING, 430                      ErrBilling
//	COMPATIBILITY, 501                telematics.ErrNotSupported
//	SERVER, UPSTREAM, other 5xx       telematics.ErrUnavailable
//
// A 409 from Subscriptions.Subscribe also matches ErrAlreadySubscribed.
func (e *APIError) Is(target error) bool {
	if target == ErrAlreadySubscribed {
		return e.alreadySubscribed
	}
	return matches(e.StatusCode, e.Type, e.Code, target)
}

// MayHaveSucceeded reports whether the call may have taken effect although it failed:
// a command or other write answered with a 5xx other than 501 and 503 (500, 502, 504...),
// where Smartcar or the vehicle maker may have acted before the failure; the rule of every
// provider (see telematics.MayHaveSucceeded). A 502 UPSTREAM:RATE_LIMIT is a refusal and
// reports false, as does every 4xx (409, 429, 430...).
//
// These are our reading of Smartcar's documentation, not its contract: that a 503 means
// the command was not executed is our inference ([I] in docs/evidence.md), and that
// commands may answer 504 comes from a third-party write-up ([T]).
func (e *APIError) MayHaveSucceeded() bool {
	return httpcore.MayHaveSucceeded(e.Method, e.StatusCode) && !(e.Type == ErrorTypeUpstream && e.Code == CodeRateLimit)
}

func (e *APIError) class() (ErrorType, ErrorCode, ResolutionType) {
	return e.Type, e.Code, e.Resolution
}

// typeSentinel is the sentinel each known error type maps to.
var typeSentinel = map[ErrorType]error{
	ErrorTypeAuthentication:           telematics.ErrUnauthorized,
	ErrorTypePermission:               telematics.ErrForbidden,
	ErrorTypeConnectedServicesAccount: telematics.ErrForbidden,
	ErrorTypeValidation:               telematics.ErrInvalidInput,
	ErrorTypeResourceNotFound:         telematics.ErrNotFound,
	ErrorTypeVehicleState:             telematics.ErrConflict,
	ErrorTypeRateLimit:                telematics.ErrRateLimited,
	ErrorTypeBilling:                  ErrBilling,
	ErrorTypeServer:                   telematics.ErrUnavailable,
	ErrorTypeCompatibility:            telematics.ErrNotSupported,
	ErrorTypeUpstream:                 telematics.ErrUnavailable,
}

func matches(status int, typ ErrorType, code ErrorCode, target error) bool {
	if target == nil {
		return false
	}
	if target == telematics.ErrVehicleUnreachable {
		return typ == ErrorTypeVehicleState && (code == CodeAsleep || code == CodeUnreachable || code == CodeVehicleOfflineForService)
	}
	if s, known := typeSentinel[typ]; known {
		return s == target
	}
	if status == StatusBilling {
		return target == ErrBilling
	}
	return status != 0 && telematics.SentinelForStatus(status) == target
}

// classified is an error that carries Smartcar's classification.
type classified interface {
	class() (ErrorType, ErrorCode, ResolutionType)
}

// IsRateLimited reports whether err is a rate limit: the application's or a vehicle's
// (429, telematics.ErrRateLimited, including the client-side limiter), or the vehicle
// maker's own limit (502 UPSTREAM:RATE_LIMIT, for which Smartcar recommends polling at
// most every 30 minutes).
func IsRateLimited(err error) bool {
	if errors.Is(err, telematics.ErrRateLimited) {
		return true
	}
	var c classified
	if errors.As(err, &c) {
		typ, code, _ := c.class()
		return typ == ErrorTypeUpstream && code == CodeRateLimit
	}
	return false
}

// NeedsReauthentication reports whether the vehicle owner must go through Smartcar
// Connect again: the error's resolution is REAUTHENTICATE, a permission is missing, or
// the owner's connected-services account refused Smartcar. It works on API errors, on
// command errors and on the Error of a signal.
func NeedsReauthentication(err error) bool {
	var c classified
	if !errors.As(err, &c) {
		return false
	}
	typ, code, res := c.class()
	switch {
	case res == ResolutionReauthenticate, typ == ErrorTypePermission:
		return true
	case typ == ErrorTypeConnectedServicesAccount:
		return code == CodeAuthenticationFailed || code == CodePermission
	}
	return false
}

// IsVehicleAsleep reports whether err says the vehicle is asleep (VEHICLE_STATE:ASLEEP).
func IsVehicleAsleep(err error) bool {
	var c classified
	if !errors.As(err, &c) {
		return false
	}
	typ, code, _ := c.class()
	return typ == ErrorTypeVehicleState && code == CodeAsleep
}

// IsVehicleUnreachable reports whether err says the vehicle cannot be reached now
// (asleep, unreachable, offline for service): telematics.ErrVehicleUnreachable.
func IsVehicleUnreachable(err error) bool {
	return errors.Is(err, telematics.ErrVehicleUnreachable)
}

// IsNotCapable reports whether err says the vehicle, its make or Smartcar cannot do what
// was asked (COMPATIBILITY, 501): telematics.ErrNotSupported.
func IsNotCapable(err error) bool { return errors.Is(err, telematics.ErrNotSupported) }

// decodeError is the httpcore.ErrorDecoder of both APIs.
func decodeError(resp *telematics.Response, body []byte) error {
	r := *resp
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     resp.Method,
		URL:        resp.URL,
		RequestID:  resp.RequestID,
		RetryAfter: resp.RetryAfter,
		Body:       body,
		Response:   &r,
	}
	bodyRequestID := parseErrorBody(e, body)
	if e.RequestID == "" {
		e.RequestID = bodyRequestID
	}
	return e
}

// kind formats Smartcar's classification: "TYPE:CODE", or whichever of them is set.
func kind(typ ErrorType, code ErrorCode) string {
	switch {
	case typ != "" && code != "":
		return clean(string(typ)) + ":" + clean(string(code))
	case typ != "":
		return clean(string(typ))
	}
	return clean(string(code))
}

func statusText(status int) string {
	if status == StatusBilling {
		return "430 Billing Limit"
	}
	return httpcore.StatusText(status)
}

// clean makes provider text safe for an error string: one line, credentials removed,
// bounded in length.
func clean(s string) string { return httpcore.CleanText(s) }

// invalid prefixes an argument error (already matching telematics.ErrInvalidInput).
func invalid(err error) error { return fmt.Errorf("%s: %w", Provider, err) }

// malformed describes a success answer the SDK cannot use; malformedAt turns it into the
// error of the call.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{telematics.ErrMalformedResponse}, args...)...)
}

// malformedAt reports a malformed answer to resp as a *telematics.RequestError with the
// call's method and URL, as the request loop reports a body it cannot decode; any other
// error is returned as it is.
func malformedAt(resp *telematics.Response, err error) error {
	if !errors.Is(err, telematics.ErrMalformedResponse) {
		return err
	}
	return httpcore.Malformed(Provider, resp, err)
}

// invalidf reports an argument the SDK refuses before sending.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%s: %w: "+format, append([]any{Provider, telematics.ErrInvalidInput}, args...)...)
}
