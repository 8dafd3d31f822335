package smartcar

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestPollPlan(t *testing.T) {
	for _, tc := range []struct {
		n               int
		interval        time.Duration
		budgetN         int
		budgetPer       time.Duration
		period, spacing time.Duration
	}{
		{1, 30 * time.Minute, 1, time.Minute, 30 * time.Minute, 30 * time.Minute},
		{5, 30 * time.Minute, 1, time.Minute, 30 * time.Minute, 6 * time.Minute},
		{30, 30 * time.Minute, 1, time.Minute, 30 * time.Minute, time.Minute},
		{500, 30 * time.Minute, 1, time.Minute, 500 * time.Minute, time.Minute},
		{500, 30 * time.Minute, 60, time.Minute, 30 * time.Minute, 3600 * time.Millisecond},
		{4, time.Second, 10, time.Second, time.Second, 250 * time.Millisecond},
		{4, time.Second, 1, time.Second, 4 * time.Second, time.Second},
	} {
		period, spacing := pollPlan(tc.n, tc.interval, tc.budgetN, tc.budgetPer)
		assert.Equal(t, tc.period, period, "%+v", tc)
		assert.Equal(t, tc.spacing, spacing, "%+v", tc)
	}
	// Half of Smartcar's documented refill, or of the client's limiter.
	assert.Equal(t, time.Minute, defaultPollSpacing(0))
	assert.Equal(t, time.Minute, defaultPollSpacing(1.0/30))
	assert.Equal(t, 12*time.Second, defaultPollSpacing(10.0/60))
	p := &poller{period: 10 * time.Minute, maxBackoff: time.Hour}
	assert.Equal(t, []time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, time.Hour},
		[]time.Duration{p.backoff(0), p.backoff(1), p.backoff(2), p.backoff(3), p.backoff(50)})
}

func TestClassifyPoll(t *testing.T) {
	api := func(status int, typ ErrorType, code ErrorCode, retryAfter time.Duration) error {
		return &APIError{StatusCode: status, Type: typ, Code: code, RetryAfter: retryAfter, Method: "GET", URL: "u"}
	}
	limited := func(err error) error {
		return &telematics.RateLimitError{Provider: Provider, RetryAfter: time.Hour, Err: err}
	}
	sig := func(status telematics.SignalStatus, d *ErrorDetail) *Signal {
		return &Signal{Status: status, Error: d, Value: Location{Latitude: 1, Longitude: 2}}
	}
	for name, tc := range map[string]struct {
		sig        *Signal
		err        error
		kind       pollKind
		asleep     bool
		retryAfter time.Duration
		code       string
	}{
		"success":            {sig: sig(telematics.SignalStatusSuccess, nil), kind: pollOK},
		"signal asleep":      {sig: sig(telematics.SignalStatusError, &ErrorDetail{Type: ErrorTypeVehicleState, Code: CodeAsleep}), kind: pollBackoff, asleep: true, code: "VEHICLE_STATE:ASLEEP"},
		"signal permission":  {sig: sig(telematics.SignalStatusError, &ErrorDetail{Type: ErrorTypePermission}), kind: pollMax, code: "PERMISSION"},
		"signal other":       {sig: sig(telematics.SignalStatusError, &ErrorDetail{Type: ErrorTypeUpstream, Code: CodeUnknown}), kind: pollBackoff, code: "UPSTREAM:UNKNOWN"},
		"signal unavailable": {sig: sig(telematics.SignalStatusUnavailable, nil), kind: pollBackoff, code: "UNAVAILABLE"},
		"vehicle 429":        {err: limited(api(429, ErrorTypeRateLimit, CodeVehicle, 2*time.Hour)), kind: pollRetryAfter, retryAfter: 2 * time.Hour, code: "RATE_LIMIT:VEHICLE"},
		"vehicle 429 bare":   {err: api(429, ErrorTypeRateLimit, CodeVehicle, 0), kind: pollBackoff, code: "RATE_LIMIT:VEHICLE"},
		"app 429":            {err: limited(api(429, ErrorTypeRateLimit, CodeSmartcarAPI, 0)), kind: pollAppLimited, code: "RATE_LIMIT:SMARTCAR_API"},
		"client-side":        {err: limited(nil), kind: pollAppLimited, retryAfter: time.Hour},
		"asleep":             {err: api(409, ErrorTypeVehicleState, CodeAsleep, 0), kind: pollBackoff, asleep: true, code: "VEHICLE_STATE:ASLEEP"},
		"upstream limit":     {err: api(502, ErrorTypeUpstream, CodeRateLimit, 0), kind: pollBackoff, code: "UPSTREAM:RATE_LIMIT"},
		"billing":            {err: api(430, ErrorTypeBilling, CodeVehicleRequestLimit, 0), kind: pollMax, code: "BILLING:VEHICLE_REQUEST_LIMIT"},
		"not found":          {err: api(404, ErrorTypeResourceNotFound, CodeVehicleNotFound, 0), kind: pollMax, code: "RESOURCE_NOT_FOUND:VEHICLE_NOT_FOUND"},
		"server":             {err: api(500, ErrorTypeServer, CodeInternal, 0), kind: pollUnreachableApp, code: "SERVER:INTERNAL"},
		"network":            {err: fmt.Errorf("smartcar: GET u: %w", telematics.ErrUnavailable), kind: pollUnreachableApp, code: "UNAVAILABLE"},
		"unauthorized":       {err: api(401, ErrorTypeAuthentication, "", 0), kind: pollPermanent, code: "AUTHENTICATION"},
		"closed":             {err: fmt.Errorf("x: %w", telematics.ErrClientClosed), kind: pollPermanent},
	} {
		t.Run(name, func(t *testing.T) {
			o := classifyPoll(tc.sig, tc.err)
			assert.Equal(t, tc.kind, o.kind)
			assert.Equal(t, tc.asleep, o.asleep)
			assert.Equal(t, tc.retryAfter, o.retryAfter)
			assert.Equal(t, tc.code, o.code)
			if tc.sig != nil {
				_, ok := o.position()
				assert.True(t, ok, "a location sent with an error is still the last known fix")
				if tc.kind != pollOK {
					assert.NotEmpty(t, o.message(nil))
				}
			}
		})
	}
	assert.Equal(t, "boom", pollOutcome{}.message(errors.New("boom")))
}
