package smartcar_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// roundTrip checks that v survives json.Marshal then json.Unmarshal unchanged, the
// fields the wire form does not carry (Raw, and the names given) aside.
func roundTrip(t *testing.T, v any, notEncoded ...string) {
	t.Helper()
	want := reflect.New(reflect.TypeOf(v)).Elem()
	want.Set(reflect.ValueOf(v))
	for _, name := range append(notEncoded, "Raw") {
		if f := want.FieldByName(name); f.IsValid() {
			f.SetZero()
		}
	}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	back := reflect.New(reflect.TypeOf(v))
	require.NoError(t, json.Unmarshal(b, back.Interface()), "%T", v)
	if f := back.Elem().FieldByName("Raw"); f.IsValid() {
		assert.JSONEq(t, string(b), string(f.Bytes()), "%T keeps its JSON as Raw", v)
		f.SetZero()
	}
	assert.Equal(t, want.Interface(), back.Elem().Interface(), "%T: %s", v, b)
}

// Values built in Go survive json.Marshal then json.Unmarshal unchanged (Raw aside), as
// the models of package mycartracks do.
func TestModelsJSONRoundTripFromGo(t *testing.T) {
	at := time.Date(2026, 7, 1, 9, 30, 15, 123_456_789, time.UTC)
	vehicle := smartcar.Vehicle{ID: "v1", Make: "TESLA", Model: "Model 3", Year: 2023, PowertrainType: smartcar.PowertrainBEV,
		Mode: smartcar.ModeLive, SelfURL: "https://api.smartcar.com/v3/vehicles/v1"}
	attrs := vehicle
	attrs.SelfURL = ""
	linked := attrs
	linked.SelfURL = "https://api.smartcar.com/v3/vehicles/v1"
	for _, v := range []any{
		vehicle,
		smartcar.Vehicle{ID: "v2"},
		smartcar.Connection{ID: "c1", UserID: "u1", VehicleID: "v1", Vehicle: linked,
			Permissions: []smartcar.Permission{smartcar.PermissionReadOdometer, smartcar.PermissionControlSecurity},
			CreatedAt:   at, UpdatedAt: at.Add(time.Hour), SelfURL: "https://api.smartcar.com/v3/connections/c1"},
		smartcar.Connection{ID: "c2", Vehicle: smartcar.Vehicle{}},
		smartcar.Subscription{ID: "s1", WebhookID: "w1", UserID: "u1", VehicleID: "v1", Vehicle: attrs, CreatedAt: at, UpdatedAt: at,
			SelfURL: "https://management.api.smartcar.com/v3/subscriptions/s1"},
		smartcar.CommandExecution{ID: "exec_1", Type: "charge-set-limit", Status: smartcar.CommandStatusSuccess, ExecutionMode: "sync",
			Parameters: json.RawMessage(`{"percent":80}`), ExecutedAt: at, CompletedAt: at.Add(2 * time.Second), Duration: 2123456789},
		smartcar.CommandExecution{ID: "exec_2", Type: "security-unlock", Status: smartcar.CommandStatusError,
			Error: &smartcar.ErrorDetail{Status: 409, Type: smartcar.ErrorTypeVehicleState, Code: "ASLEEP", Title: "Asleep", Detail: "The vehicle is asleep.",
				Resolution: "RETRY_LATER", ResolutionURL: "https://smartcar.com/docs/errors", SuggestedUserMessage: "Try again later.", DocURL: "https://smartcar.com/docs"}},
		smartcar.Signal{Code: "tractionbattery-stateofcharge", Name: "StateOfCharge", Group: "TractionBattery", Status: telematics.SignalStatusSuccess,
			Value: smartcar.UnitValue{Value: 81.5, Unit: "percent"}, Body: json.RawMessage(`{"value":81.5,"unit":"percent"}`),
			OEMUpdatedAt: at, RetrievedAt: at.Add(time.Second), IngestedAt: at.Add(2 * time.Second), FetchedAt: at.Add(3 * time.Second),
			SelfURL: "https://api.smartcar.com/v3/vehicles/v1/signals/tractionbattery-stateofcharge"},
		smartcar.Signal{Code: "odometer-traveleddistance", Status: telematics.SignalStatusError,
			Error: &smartcar.ErrorDetail{Type: smartcar.ErrorTypeCompatibility, Code: "VEHICLE_NOT_CAPABLE", Detail: "Not supported.", Resolution: "CONTACT_SUPPORT"}},
	} {
		roundTrip(t, v)
	}
}

// The models the fake server sends survive json.Marshal then json.Unmarshal.
func TestModelsJSONRoundTripFromTheFake(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	n := 0
	for c, err := range e.client.Connections.All(ctx, nil) {
		require.NoError(t, err)
		roundTrip(t, c)
		n++
	}
	require.NotZero(t, n)
	v, err := e.client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
	require.NoError(t, err)
	roundTrip(t, *v)
	n = 0
	for s, err := range e.client.Subscriptions.All(ctx, nil) {
		require.NoError(t, err)
		roundTrip(t, s)
		n++
	}
	require.NotZero(t, n)
	n = 0
	for w, err := range e.client.Webhooks.All(ctx, nil) {
		require.NoError(t, err)
		roundTrip(t, w)
		n++
	}
	require.NotZero(t, n)
	ex, err := e.client.Commands.Lock(ctx, smartcartest.VehicleModel3, alice())
	require.NoError(t, err)
	roundTrip(t, *ex, "HTTPStatus")
	set, err := e.client.Signals.List(ctx, smartcartest.VehicleModel3, alice())
	require.NoError(t, err)
	require.NotEmpty(t, set.Signals)
	for _, s := range set.Signals {
		roundTrip(t, s, "VehicleID")
	}
}

// The wire form is Smartcar's: JSON:API names, meta times in RFC 3339.
func TestConnectionEncodesTheWireForm(t *testing.T) {
	c := smartcar.Connection{ID: "c1", UserID: "u1", VehicleID: "v1",
		Vehicle:     smartcar.Vehicle{ID: "v1", Make: "TESLA", Year: 2023, SelfURL: "https://api.smartcar.com/v3/vehicles/v1"},
		Permissions: []smartcar.Permission{smartcar.PermissionReadOdometer}, CreatedAt: time.UnixMilli(1767261600000)}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"c1","type":"connection",
		"attributes":{"permissions":["read_odometer"],"vehicle":{"make":"TESLA","year":2023}},
		"relationships":{"vehicle":{"data":{"id":"v1","type":"vehicle"},"links":{"related":"https://api.smartcar.com/v3/vehicles/v1"}},
			"user":{"data":{"id":"u1","type":"user"}}},
		"meta":{"createdAt":"2026-01-01T10:00:00Z"}}`, string(b))
}

// A model decodes from a fixture as the client decodes it, and encodes back to a form
// that decodes to the same value.
func TestModelsUnmarshalFixtures(t *testing.T) {
	var c smartcar.Connection
	require.NoError(t, json.Unmarshal([]byte(dataOf(t, "connection.json", -1)), &c))
	c.Raw = nil
	assert.Equal(t, fixtureConnection, c)
	roundTrip(t, c)
	var s smartcar.Subscription
	require.NoError(t, json.Unmarshal([]byte(dataOf(t, "subscription.json", -1)), &s))
	assert.Equal(t, "5a8e5e38-...", s.WebhookID)
	roundTrip(t, s)
	var x smartcar.CommandExecution
	require.NoError(t, json.Unmarshal([]byte(dataOf(t, "command_execution.json", -1)), &x))
	assert.Equal(t, 2*time.Second, x.Duration)
	roundTrip(t, x)
}
