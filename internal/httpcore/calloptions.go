package httpcore

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// CallOptions is what the per-call options of every provider set: each provider's
// RequestOption is a func(*CallOptions), built by the constructors below (WithHeader,
// WithResponse, WithRequestTimeout) and by its own (smartcar.WithUserID, through
// SetProviderHeader). ApplyCallOptions runs them and checks the result.
type CallOptions struct {
	// Header holds the headers of the call: WithHeader's, and after ApplyCallOptions the
	// provider's own (SetProviderHeader) too.
	Header http.Header
	// Response, when set, receives what the call learned of its last response (Capture).
	Response *telematics.Response
	// Timeout bounds each attempt of the call instead of the client's timeout; 0 keeps it.
	Timeout time.Duration

	own  http.Header // set by provider options, exempt from the reserved-header check
	errs []error
}

// Fail records an error of an option; ApplyCallOptions reports them all.
func (o *CallOptions) Fail(format string, args ...any) {
	o.errs = append(o.errs, fmt.Errorf(format, args...))
}

// SetProviderHeader sets a header that a provider-specific option owns (smartcar's
// SC-User-Id), which WithHeader refuses; an empty value removes it. A line break is
// refused.
func (o *CallOptions) SetProviderHeader(key, value string) {
	if strings.ContainsAny(key+value, "\r\n") {
		o.Fail("the %s header contains a line break", key)
		return
	}
	if o.own == nil {
		o.own = http.Header{}
	}
	if value == "" {
		o.own.Del(key)
		return
	}
	o.own.Set(key, value)
}

// Capture stores resp in the call's Response, when one was asked for and resp is known.
func (o *CallOptions) Capture(resp *telematics.Response) {
	if o.Response != nil && resp != nil {
		*o.Response = *resp
	}
}

// WithHeader adds a header to the call. A line break, an empty name and the headers the
// client sets itself (see ApplyCallOptions) are refused.
func WithHeader(key, value string) func(*CallOptions) {
	return func(o *CallOptions) {
		if strings.ContainsAny(key+value, "\r\n") {
			o.Fail("header %q contains a line break", key)
			return
		}
		key = strings.TrimSpace(key)
		if key == "" {
			o.Fail("empty header name")
			return
		}
		if o.Header == nil {
			o.Header = http.Header{}
		}
		o.Header.Add(key, value)
	}
}

// WithResponse stores what the call learned of its last response in dst.
func WithResponse(dst *telematics.Response) func(*CallOptions) {
	return func(o *CallOptions) { o.Response = dst }
}

// WithRequestTimeout bounds each attempt of the call; d must be positive.
func WithRequestTimeout(d time.Duration) func(*CallOptions) {
	return func(o *CallOptions) {
		if err := SetPositive(&o.Timeout, "request timeout", d); err != nil {
			o.errs = append(o.errs, err)
		}
	}
}

// reservedHeaders are the headers every client sets itself, with what to do instead.
var reservedHeaders = map[string]string{
	"Authorization":  "the client sends its access token",
	"User-Agent":     "use WithUserAgent",
	"Accept":         "the client always asks for JSON",
	"Content-Type":   "the client always sends JSON",
	"Content-Length": "the client computes it",
	"Host":           "set the API URL with the client's options",
}

// ApplyCallOptions runs a call's options and checks them: a header WithHeader may not set
// (the ones every client sets, and the provider's own in reserved, keyed by canonical
// name with what to do instead), and every option's error. All the errors come back as
// one matching telematics.ErrInvalidInput, and the call is not sent.
func ApplyCallOptions[O ~func(*CallOptions)](provider string, reserved map[string]string, opts []O) (CallOptions, error) {
	var co CallOptions
	for _, o := range opts {
		if o != nil {
			o(&co)
		}
	}
	if len(co.Header) > 0 {
		for _, key := range slices.Sorted(maps.Keys(co.Header)) {
			why, ok := reserved[key]
			if !ok {
				why, ok = reservedHeaders[key]
			}
			if ok {
				co.Fail("the %s header cannot be set with WithHeader: %s", key, why)
			}
		}
	}
	if len(co.errs) > 0 {
		return CallOptions{}, fmt.Errorf("%w (request not sent)", Invalid(provider, co.errs...))
	}
	if len(co.own) > 0 {
		if co.Header == nil {
			co.Header = http.Header{}
		}
		for k, v := range co.own {
			co.Header[k] = v
		}
	}
	return co, nil
}

// CheckPaging refuses a negative page position or size before anything is sent; posName
// and sizeName are the names of the caller's fields (Offset and Limit, PageNumber and
// PageSize).
func CheckPaging(provider, posName string, pos int, sizeName string, size int) error {
	var errs []error
	if pos < 0 {
		errs = append(errs, fmt.Errorf("%s %d is negative", posName, pos))
	}
	if size < 0 {
		errs = append(errs, fmt.Errorf("%s %d is negative", sizeName, size))
	}
	if err := Invalid(provider, errs...); err != nil {
		return fmt.Errorf("%w (request not sent)", err)
	}
	return nil
}
