package mycartracks

import (
	"time"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// RequestOption changes one call; every method takes them as its last arguments. An
// option given a value it cannot take fails the call with telematics.ErrInvalidInput
// before anything is sent. The smartcar package's RequestOption is built on the same
// per-call options, with the same WithHeader, WithResponse and WithRequestTimeout.
type RequestOption func(*httpcore.CallOptions)

// reservedHeaders are the headers of MyCarTracks that WithHeader refuses beyond those
// every client sets (Authorization, User-Agent, Accept, Content-Type, Content-Length).
var reservedHeaders = map[string]string{
	"Host": "set the API root with WithBaseURL",
}

// WithResponse stores what the call learned from the provider's last answer in dst: the
// status, headers, request id, rate-limit budget and number of attempts. For the
// iterators of All methods it describes the last page fetched. It is filled in when the
// call fails too, as far as an answer arrived.
func WithResponse(dst *telematics.Response) RequestOption {
	return RequestOption(httpcore.WithResponse(dst))
}

// WithHeader adds a header to the call's requests. Headers the client sets itself are
// refused with telematics.ErrInvalidInput before anything is sent: Authorization (the
// access token), User-Agent (use WithUserAgent), Accept, Content-Type, Content-Length
// and Host; so are a line break and an empty name.
func WithHeader(key, value string) RequestOption {
	return RequestOption(httpcore.WithHeader(key, value))
}

// WithRequestTimeout bounds each attempt of this call instead of the client's timeout
// (WithTimeout). It must be positive.
func WithRequestTimeout(d time.Duration) RequestOption {
	return RequestOption(httpcore.WithRequestTimeout(d))
}
