package smartcar_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// The request id comes from the SC-Request-Id header, and when it is missing from the
// body: errors[].meta.debug.requestId (real v3 traffic, [R]), errors[].meta.requestId,
// errors[].requestId or the flat form's requestId.
func TestErrorRequestIDSources(t *testing.T) {
	for _, tc := range []struct {
		name, header, body, want string
	}{
		{"header", "hdr-1", `{"errors":[{"status":"404","type":"RESOURCE_NOT_FOUND","code":"VEHICLE_NOT_FOUND","meta":{"debug":{"requestId":"body-1"}}}]}`, "hdr-1"},
		{"meta.debug.requestId", "", `{"errors":[{"status":"404","type":"RESOURCE_NOT_FOUND","code":"VEHICLE_NOT_FOUND","meta":{"debug":{"requestId":"dbg-2"}}}]}`, "dbg-2"},
		{"meta.requestId first", "", `{"errors":[{"status":"404","meta":{"requestId":"meta-3","debug":{"requestId":"dbg-3"}}}]}`, "meta-3"},
		{"entry requestId", "", `{"errors":[{"status":"404","requestId":"entry-4"}]}`, "entry-4"},
		{"flat requestId", "", `{"type":"RESOURCE_NOT_FOUND","code":"VEHICLE_NOT_FOUND","requestId":"flat-5","statusCode":404}`, "flat-5"},
		{"none", "", `{"errors":[{"status":"404"}]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newScripted(t, smartcar.WithMaxRetries(0))
			f.handle("GET /v3/vehicles/{id}", func(w http.ResponseWriter, r *http.Request) {
				if tc.header != "" {
					w.Header().Set("SC-Request-Id", tc.header)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(tc.body))
			})
			_, err := f.client.Vehicles.Get(context.Background(), "v")
			var apiErr *smartcar.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.want, apiErr.RequestID)
		})
	}
}

// Against the fake: an unknown vehicle is RESOURCE_NOT_FOUND:VEHICLE_NOT_FOUND in either
// error form, with the request id the header carried.
func TestUnknownVehicleBothForms(t *testing.T) {
	for _, form := range []smartcartest.ErrorForm{smartcartest.FormJSONAPI, smartcartest.FormFlat} {
		e := newFake(t, []smartcartest.Option{smartcartest.WithErrorForm(form)})
		_, err := e.client.Vehicles.Get(context.Background(), "00000000-aaaa-4bbb-8ccc-000000000000")
		var apiErr *smartcar.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, smartcar.ErrorTypeResourceNotFound, apiErr.Type)
		assert.Equal(t, smartcar.CodeVehicleNotFound, apiErr.Code)
		assert.Equal(t, smartcartest.RequestID(1), apiErr.RequestID)
		assert.Contains(t, err.Error(), "(request id "+smartcartest.RequestID(1)+")")
	}
}
