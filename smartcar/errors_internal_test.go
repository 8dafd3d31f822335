package smartcar

import (
	"testing"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// FuzzDecodeError: any error body, at any status, decodes into an *APIError whose
// message is bounded and which matches the sentinels without panicking.
func FuzzDecodeError(f *testing.F) {
	for _, seed := range []string{
		`{"errors":[{"status":"400","type":"VALIDATION","code":"BAD_REQUEST","title":"Bad Request","detail":"x","links":{"about":"u"}}]}`,
		`{"type":"VEHICLE_STATE","code":"ASLEEP","description":"d","docURL":"u","statusCode":409,"requestId":"r","resolution":{"type":"RETRY_LATER"},"detail":[{"field":"f","message":"m"}]}`,
		`{"error":"invalid_client","error_description":"bad"}`, `<html>`, ``, `{"errors":[]}`, `{"errors":[null,1,"x"]}`,
		`{"error":{"message":"m"}}`, `{"detail":[[["x"]]]}`,
		`{"error":{"type":"RATE_LIMIT","code":"SMARTCAR_API","description":"d","resolution":{"type":"RETRY_LATER"},"meta":{"requestId":"r"}}}`,
		`{"error":{"code":"VEHICLE_NOT_FOUND","message":"m"},"error_description":"d"}`, `{"error":[{"type":"X"}]}`,
	} {
		f.Add([]byte(seed), 400)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		err := decodeError(&telematics.Response{Method: "POST", URL: "https://h/v3/x", StatusCode: status}, body)
		e, ok := err.(*APIError)
		if !ok {
			t.Fatalf("not an *APIError: %T", err)
		}
		if msg := e.Error(); len(msg) > 2000 {
			t.Fatalf("message of %d bytes", len(msg))
		}
		for _, s := range []error{telematics.ErrNotFound, telematics.ErrRateLimited, telematics.ErrVehicleUnreachable, ErrBilling} {
			_ = e.Is(s)
		}
		_ = e.MayHaveSucceeded()
	})
}
