package mycartracks

import (
	"net/http"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// RequestOption changes one call; every method takes them as its last arguments.
type RequestOption func(*requestConfig)

type requestConfig struct {
	response *telematics.Response
	header   http.Header
}

func newRequestConfig(opts []RequestOption) requestConfig {
	var rc requestConfig
	for _, o := range opts {
		if o != nil {
			o(&rc)
		}
	}
	return rc
}

// WithResponse stores what the call learned from the provider's last answer in dst: the
// status, headers, request id, rate-limit budget and number of attempts. For the
// iterators of All methods it describes the last page fetched. It is filled in when the
// call fails too, as far as an answer arrived.
func WithResponse(dst *telematics.Response) RequestOption {
	return func(rc *requestConfig) { rc.response = dst }
}

// WithHeader adds a header to the call's requests.
func WithHeader(key, value string) RequestOption {
	return func(rc *requestConfig) {
		if rc.header == nil {
			rc.header = http.Header{}
		}
		rc.header.Add(key, value)
	}
}
