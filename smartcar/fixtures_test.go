package smartcar_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// dataOf returns the compact JSON of a fixture's data member (or of element i of it).
func dataOf(t *testing.T, file string, i int) string {
	t.Helper()
	var doc struct {
		Data json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(readFixture(t, file), &doc))
	if i < 0 {
		return compact(t, doc.Data)
	}
	var items []json.RawMessage
	require.NoError(t, json.Unmarshal(doc.Data, &items))
	return compact(t, items[i])
}

// takeRaw checks a model's Raw against want and clears it for struct comparison.
func takeRaw(t *testing.T, raw *json.RawMessage, want string) {
	t.Helper()
	assert.Equal(t, want, compact(t, *raw))
	*raw = nil
}

var fixtureConnection = smartcar.Connection{
	ID:        "553c49e4-...",
	UserID:    "218eda3b-...",
	VehicleID: "36ab27d0-...",
	Vehicle: smartcar.Vehicle{ID: "36ab27d0-...", Make: "TESLA", Model: "Model S", Year: 2014, PowertrainType: "BEV", Mode: smartcar.ModeLive,
		SelfURL: "https://vehicle.api.smartcar.com/v3/vehicles/36ab27d0-..."},
	Permissions: []smartcar.Permission{smartcar.PermissionReadVehicleInfo, smartcar.PermissionReadOdometer},
	CreatedAt:   date(2025, 5, 3, 2, 45, 45, 349),
	UpdatedAt:   date(2026, 6, 21, 2, 56, 21, 130),
	SelfURL:     "https://vehicle.api.smartcar.com/v3/connections/553c49e4-...",
}

func TestFixtureConnection(t *testing.T) {
	f := newScripted(t)
	f.serve("GET /v3/connections/{id}", 200, "connection.json")
	got, err := f.client.Connections.Get(context.Background(), "553c49e4-...")
	require.NoError(t, err)
	takeRaw(t, &got.Raw, dataOf(t, "connection.json", -1))
	assert.Equal(t, fixtureConnection, *got)
	assert.True(t, got.HasPermission(smartcar.PermissionReadOdometer))
	assert.False(t, got.HasPermission(smartcar.PermissionControlSecurity))
	assert.Equal(t, telematics.Vehicle{ID: "36ab27d0-...", Provider: "smartcar", Make: "TESLA", Model: "Model S", Year: 2014, Powertrain: "BEV"}, got.Vehicle.Telematics())
}

// The next link of the real paging form points at the production host; the client
// keeps its own host and sends the link's query there.
func TestFixtureConnectionPaging(t *testing.T) {
	f := newScripted(t)
	page1, page2 := readFixture(t, "connections_page1.json"), readFixture(t, "connections_page2.json")
	var queries []string
	f.handle("GET /v3/connections", func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("page[number]") == "2" {
			_, _ = w.Write(page2)
			return
		}
		_, _ = w.Write(page1)
	})
	ctx := context.Background()
	p, err := f.client.Connections.List(ctx, &smartcar.ConnectionListOptions{PageSize: 1})
	require.NoError(t, err)
	require.Len(t, p.Items, 1)
	takeRaw(t, &p.Items[0].Raw, dataOf(t, "connections_page1.json", 0))
	assert.Equal(t, fixtureConnection, p.Items[0])
	assert.Equal(t, 1, p.Number)
	assert.Equal(t, 1, p.Size)
	assert.Equal(t, 2, p.Total)
	assert.Equal(t, 2, p.NextPageNumber, "from the next link")
	assert.True(t, p.HasNext())
	assert.Equal(t, smartcar.PageLinks{
		Self:  "https://vehicle.api.smartcar.com/v3/connections?page%5Bnumber%5D=1&page%5Bsize%5D=1",
		First: "https://vehicle.api.smartcar.com/v3/connections?page%5Bnumber%5D=1&page%5Bsize%5D=1",
		Last:  "https://vehicle.api.smartcar.com/v3/connections?page%5Bnumber%5D=2&page%5Bsize%5D=1",
		Next:  "https://vehicle.api.smartcar.com/v3/connections?page%5Bnumber%5D=2&page%5Bsize%5D=1",
	}, p.Links)

	queries = nil
	var got []smartcar.Connection
	for c, err := range f.client.Connections.All(ctx, &smartcar.ConnectionListOptions{PageSize: 1}) {
		require.NoError(t, err)
		got = append(got, c)
	}
	require.Len(t, got, 2)
	assert.Equal(t, []string{"page%5Bsize%5D=1", "page%5Bnumber%5D=2&page%5Bsize%5D=1"}, queries)
	second := got[1]
	takeRaw(t, &second.Raw, dataOf(t, "connections_page2.json", 0))
	assert.Equal(t, smartcar.Connection{
		ID: "8d2f0b7a-...", UserID: "218eda3b-...", VehicleID: "a1d50709-...",
		Vehicle: smartcar.Vehicle{ID: "a1d50709-...", Make: "VOLKSWAGEN", Model: "ID.7", Year: 2025, Mode: smartcar.ModeLive,
			SelfURL: "https://vehicle.api.smartcar.com/v3/vehicles/a1d50709-..."},
		Permissions: []smartcar.Permission{smartcar.PermissionReadVehicleInfo},
		CreatedAt:   date(2025, 4, 1, 10, 0, 0, 0), UpdatedAt: date(2025, 4, 1, 10, 0, 0, 0),
		SelfURL: "https://vehicle.api.smartcar.com/v3/connections/8d2f0b7a-...",
	}, second)
}

func TestFixtureConnectionsLegacyPaging(t *testing.T) {
	f := newScripted(t)
	f.serve("GET /v3/connections", 200, "connections_legacy.json")
	p, err := f.client.Connections.List(context.Background(), &smartcar.ConnectionListOptions{PageNumber: 3})
	require.NoError(t, err)
	assert.Empty(t, p.Items)
	assert.Equal(t, 3, p.Number)
	assert.Equal(t, 10, p.Size)
	assert.Equal(t, 20, p.Total)
	assert.Equal(t, -1, p.NextPageNumber, "page 3 of 20 items by 10 is past the end")
	assert.False(t, p.HasNext())
	assert.Equal(t, smartcar.PageLinks{Self: "/connections?page[number]=3", First: "/connections?page[number]=1",
		Last: "/connections?page[number]=2", Prev: "/connections?page[number]=2"}, p.Links)
}

func TestFixtureVehicle(t *testing.T) {
	f := newScripted(t)
	f.serve("GET /v3/vehicles/{id}", 200, "vehicle.json")
	got, err := f.client.Vehicles.Get(context.Background(), "vehicle123")
	require.NoError(t, err)
	takeRaw(t, &got.Raw, dataOf(t, "vehicle.json", -1))
	assert.Equal(t, smartcar.Vehicle{ID: "vehicle123", Make: "Toyota", Model: "Camry", Year: 2020, PowertrainType: "ICE",
		Mode: smartcar.ModeLive, SelfURL: "/vehicles/vehicle123"}, *got)
}

func TestFixtureSignalWrappedAndUnwrapped(t *testing.T) {
	want := smartcar.Signal{
		Code: smartcar.SignalTractionBatteryStateOfCharge, Name: "StateOfCharge", Group: smartcar.GroupTractionBattery,
		VehicleID: "v1", Status: telematics.SignalStatusSuccess,
		Value: smartcar.UnitValue{Value: 57, Unit: "percent"}, Body: json.RawMessage(`{"value": 57, "unit": "percent"}`),
		SelfURL: "https://vehicle.api.smartcar.com/v3/vehicles/{id}/signals/tractionbattery-stateofcharge",
	}
	for _, tc := range []struct {
		file                           string
		retrieved, updated, ingestedAt time.Time
	}{
		{"signal_wrapped.json", date(2026, 6, 30, 0, 3, 53, 743), date(2026, 6, 29, 23, 55, 53, 0), date(2026, 6, 30, 0, 3, 55, 110)},
		{"signal_unwrapped.json", ms(1780222662364), ms(1780222506000), time.Time{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := newScripted(t)
			f.serve("GET /v3/vehicles/v1/signals/tractionbattery-stateofcharge", 200, tc.file)
			got, err := f.client.Signals.Get(context.Background(), "v1", smartcar.SignalTractionBatteryStateOfCharge, smartcar.WithUserID("u1"))
			require.NoError(t, err)
			w := want
			w.RetrievedAt, w.OEMUpdatedAt, w.IngestedAt = tc.retrieved, tc.updated, tc.ingestedAt
			assert.Equal(t, w, *got)
			assert.True(t, got.OK())
			n, unit, ok := got.Number()
			assert.True(t, ok)
			assert.Equal(t, 57.0, n)
			assert.Equal(t, "percent", unit)
			pc, ok := got.Telematics().Value.Percent()
			assert.True(t, ok)
			assert.Equal(t, telematics.Percent(57), pc)
		})
	}
}

func TestFixtureSignalsList(t *testing.T) {
	f := newScripted(t)
	f.serve("GET /v3/vehicles/{id}/signals", 200, "signals_list.json")
	set, err := f.client.Signals.List(context.Background(), "a1d50709-...", smartcar.WithUserID("218eda3b-..."))
	require.NoError(t, err)
	assert.Equal(t, "a1d50709-...", set.VehicleID)
	require.NotNil(t, set.Vehicle)
	set.Vehicle.Raw = nil
	assert.Equal(t, smartcar.Vehicle{ID: "a1d50709-...", Make: "VOLKSWAGEN", Model: "ID.4", Year: 2023, PowertrainType: "BEV", Mode: smartcar.ModeLive}, *set.Vehicle)
	require.Len(t, set.Signals, 12)

	const vid = "a1d50709-..."
	rfc := date(2026, 6, 30, 0, 3, 53, 743)
	want := []smartcar.Signal{
		{Code: "tractionbattery-stateofcharge", Name: "StateOfCharge", Group: "TractionBattery", VehicleID: vid, Status: "SUCCESS",
			Value:       smartcar.UnitValue{Value: 57, Unit: "percent"},
			RetrievedAt: rfc, OEMUpdatedAt: date(2026, 6, 29, 23, 55, 53, 0), IngestedAt: date(2026, 6, 30, 0, 3, 55, 110),
			SelfURL: "https://vehicle.api.smartcar.com/v3/vehicles/a1d50709-.../signals/tractionbattery-stateofcharge"}, // the only signal with a self link
		{Code: "tractionbattery-range", Name: "Range", Group: "TractionBattery", VehicleID: vid, Status: "SUCCESS",
			Value:       smartcar.AdditionalValues{Value: 300, Unit: "km", Type: "DEFAULT", Additional: []smartcar.TypedValue{{Type: "IDEAL_CONDITIONS", Value: 320, Unit: "km"}}},
			RetrievedAt: ms(1780222662364), OEMUpdatedAt: ms(1780222506000)},
		{Code: "charge-ischarging", Name: "IsCharging", Group: "Charge", VehicleID: vid, Status: "SUCCESS",
			Value: smartcar.BoolValue{Value: false}, RetrievedAt: rfc},
		{Code: "charge-chargelimits", Name: "ChargeLimits", Group: "Charge", VehicleID: vid, Status: "SUCCESS",
			Value: smartcar.ChargeLimits{Limits: []smartcar.ChargeLimit{{Type: "GLOBAL", Limit: 80}}, ActiveLimit: ptr(telematics.Percent(80)), Unit: "percent"}, RetrievedAt: rfc},
		{Code: "charge-chargerate", Name: "ChargeRate", Group: "Charge", VehicleID: vid, Status: "ERROR",
			Error: &smartcar.ErrorDetail{Type: "VEHICLE_STATE", Code: "NOT_CHARGING", Title: "Not Charging",
				Detail:      "The vehicle is unable to perform your request because it is not currently charging.",
				Description: "Deprecated. Use detail", Resolution: smartcar.ResolutionUnknown},
			Value:       smartcar.UnitValue{Value: 30, Unit: "km/h"},
			RetrievedAt: date(2026, 6, 29, 3, 57, 53, 614), OEMUpdatedAt: date(2026, 6, 29, 3, 55, 47, 0), IngestedAt: date(2026, 6, 30, 0, 3, 55, 110)},
		{Code: "closure-doors", Name: "Doors", Group: "Closure", VehicleID: vid, Status: "SUCCESS",
			Value: smartcar.ClosureGrid{RowCount: 2, ColumnCount: 2, Closures: []smartcar.Closure{
				{Row: 0, Column: 0, ClosureState: smartcar.ClosureState{IsOpen: ptr(false), IsLocked: ptr(true)}},
				{Row: 0, Column: 1, ClosureState: smartcar.ClosureState{IsOpen: ptr(false), IsLocked: ptr(true)}},
				{Row: 1, Column: 0, ClosureState: smartcar.ClosureState{IsOpen: ptr(false), IsLocked: ptr(true)}},
				{Row: 1, Column: 1, ClosureState: smartcar.ClosureState{IsOpen: ptr(true), IsLocked: ptr(false)}},
			}},
			RetrievedAt: date(2026, 6, 30, 0, 3, 53, 557)},
		{Code: "closure-reartrunk", Name: "RearTrunk", Group: "Closure", VehicleID: vid, Status: "SUCCESS",
			Value:       smartcar.ClosureState{IsOpen: ptr(false), IsLocked: ptr(true)},
			RetrievedAt: date(2026, 6, 30, 0, 3, 53, 557)},
		{Code: "closure-fronttrunk", Name: "FrontTrunk", Group: "Closure", VehicleID: vid, Status: "ERROR",
			Error: &smartcar.ErrorDetail{Type: "PERMISSION", Title: "Unknown", Detail: "Your application has insufficient permissions to access the requested resource.",
				Description: "Deprecated. Use detail", Resolution: smartcar.ResolutionReauthenticate},
			IngestedAt: date(2026, 3, 17, 15, 41, 40, 604)},
		{Code: "location-preciselocation", Name: "PreciseLocation", Group: "Location", VehicleID: vid, Status: "SUCCESS",
			Value:       smartcar.Location{Latitude: 52.52, Longitude: 13.405, Heading: 45, HasHeading: true, Direction: "NE", LocationType: "CURRENT"},
			RetrievedAt: rfc, OEMUpdatedAt: date(2026, 6, 29, 23, 55, 53, 0)},
		{Code: "tractionbattery-nominalcapacity", Name: "NominalCapacity", Group: "TractionBattery", VehicleID: vid, Status: "SUCCESS",
			Value:       smartcar.NominalCapacity{Source: "SMARTCAR", Capacity: ptr(77.0), Unit: "kWh", Available: []smartcar.CapacityOption{{Capacity: 77, Description: "Pro"}}},
			RetrievedAt: rfc},
		{Code: "vehicleidentification-vin", Name: "VIN", Group: "VehicleIdentification", VehicleID: vid, Status: "SUCCESS",
			Value: smartcar.TextValue{Value: "WVGZZZE2ZPP000001"}},
		{Code: "climate-externaltemperature", Name: "ExternalTemperature", Group: "Climate", VehicleID: vid, Status: "UNAVAILABLE"},
	}
	var doc struct {
		Data []struct {
			Attributes struct {
				Body json.RawMessage `json:"body"`
			} `json:"attributes"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(readFixture(t, "signals_list.json"), &doc))
	for i := range want {
		got := set.Signals[i]
		if b := doc.Data[i].Attributes.Body; b != nil {
			assert.Equal(t, compact(t, b), compact(t, got.Body), want[i].Code)
		} else {
			assert.Nil(t, got.Body, want[i].Code)
		}
		got.Body = nil
		assert.Equal(t, want[i], got, "signal %d", i)
	}
	// Position and the stale body behind an error.
	loc, ok := set.Get(smartcar.SignalLocationPreciseLocation)
	require.True(t, ok)
	pos, ok := loc.Position()
	require.True(t, ok)
	assert.Equal(t, telematics.Position{VehicleID: vid, Provider: "smartcar", Latitude: 52.52, Longitude: 13.405, Heading: 45,
		Time: date(2026, 6, 29, 23, 55, 53, 0), Known: telematics.HasHeading}, pos)
	rate, _ := set.Get(smartcar.SignalChargeChargeRate)
	assert.False(t, rate.OK())
	assert.ErrorIs(t, rate.Error, telematics.ErrConflict)
	tm := rate.Telematics()
	assert.Equal(t, &telematics.SignalError{Type: "VEHICLE_STATE", Code: "NOT_CHARGING", Message: "The vehicle is unable to perform your request because it is not currently charging.", Resolution: "UNKNOWN_RESOLUTION_TYPE"}, tm.Error)
	speed, ok := tm.Value.Speed()
	assert.True(t, ok, "the stale body survives the error")
	assert.InDelta(t, 30, speed.KMH(), 1e-9)
	front, _ := set.Get(smartcar.SignalClosureFrontTrunk)
	assert.True(t, front.NeedsPermission())
	assert.True(t, smartcar.NeedsReauthentication(front.Error))
	_, ok = set.Get("no-such-signal")
	assert.False(t, ok)
	assert.Len(t, set.Telematics(), 12)
}

func TestFixtureSignalBodies(t *testing.T) {
	var bodies map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(readFixture(t, "signal_bodies.json"), &bodies))
	want := map[string]smartcar.Value{
		"unitValue":             smartcar.UnitValue{Value: 57, Unit: "percent"},
		"unitValueSpecSpelling": smartcar.UnitValue{Value: 12.5, Unit: "kilowatt-hours"},
		"singleNumber":          smartcar.UnitValue{Value: 3},
		"singleString":          smartcar.TextValue{Value: "NOT_CHARGING"},
		"singleBoolean":         smartcar.BoolValue{Value: true},
		"additionalValues": smartcar.AdditionalValues{Value: 300, Unit: "km", Type: "DEFAULT", Additional: []smartcar.TypedValue{
			{Type: "IDEAL_CONDITIONS", Value: 320, Unit: "km"}, {Type: "ESTIMATED", Value: 290, Unit: "km"}, {Type: "RATED", Value: 310, Unit: "km"}}},
		"doors": smartcar.ClosureGrid{RowCount: 1, ColumnCount: 2, Closures: []smartcar.Closure{
			{Row: 0, Column: 0, ClosureState: smartcar.ClosureState{IsOpen: ptr(false), IsLocked: ptr(true)}},
			{Row: 0, Column: 1, ClosureState: smartcar.ClosureState{IsOpen: ptr(true), IsLocked: ptr(false)}}}},
		"chargeLimits": smartcar.ChargeLimits{Limits: []smartcar.ChargeLimit{{Type: "GLOBAL", Limit: 80}}, ActiveLimit: ptr(telematics.Percent(80)), Unit: "percent"},
		"location":     smartcar.Location{Latitude: 37.7749, Longitude: -122.4194, Heading: 270, HasHeading: true, Direction: "W", LocationType: "LAST_PARKED"},
		"rearTrunk":    smartcar.ClosureState{IsOpen: ptr(false), IsLocked: ptr(true)},
		"nominalCapacity": smartcar.NominalCapacity{Source: "USER_SELECTED", Capacity: ptr(75.0), Unit: "kWh",
			Available: []smartcar.CapacityOption{{Capacity: 75, Description: "Long Range"}, {Capacity: 60, Description: "Standard Range"}}},
	}
	require.Len(t, bodies, len(want))
	for name, b := range bodies {
		assert.Equal(t, want[name], smartcar.DecodeValue(b), name)
	}
}

func TestFixtureCommandExecution(t *testing.T) {
	f := newScripted(t)
	var sent []byte
	body := readFixture(t, "command_execution.json")
	f.handle("POST /v3/vehicles/{id}/commands/charge/set-limit", func(w http.ResponseWriter, r *http.Request) {
		sent = readAll(t, r)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	got, err := f.client.Commands.SetChargeLimit(context.Background(), "v1", 80, smartcar.WithUserID("u1"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"data":{"attributes":{"percent":80}}}`, string(sent))
	takeRaw(t, &got.Raw, dataOf(t, "command_execution.json", -1))
	assert.Equal(t, smartcar.CommandExecution{
		ID: "exec_9876543210", Type: "charge-set-limit", Status: "SUCCESS", ExecutionMode: "sync",
		Parameters: json.RawMessage(`{"percent": 80}`), ExecutedAt: date(2024, 1, 1, 12, 0, 0, 0), CompletedAt: date(2024, 1, 1, 12, 0, 2, 0),
		Duration: 2 * time.Second, HTTPStatus: 200,
	}, *got)
	assert.True(t, got.Succeeded())
	assert.False(t, got.LongRunning())
}

func TestFixtureSubscription(t *testing.T) {
	f := newScripted(t)
	f.serve("GET /mgmt/v3/subscriptions/{id}", 200, "subscription.json")
	f.serve("POST /mgmt/v3/subscriptions", 202, "subscription_created.json")
	ctx := context.Background()
	got, err := f.client.Subscriptions.Get(ctx, "3c90c3cc-...")
	require.NoError(t, err)
	takeRaw(t, &got.Raw, dataOf(t, "subscription.json", -1))
	assert.Equal(t, smartcar.Subscription{
		ID: "3c90c3cc-...", WebhookID: "5a8e5e38-...", UserID: "218eda3b-...", VehicleID: "36ab27d0-...",
		Vehicle:   smartcar.Vehicle{ID: "36ab27d0-...", Make: "TESLA", Model: "Model 3", Year: 2023, Mode: smartcar.ModeLive, PowertrainType: "BEV"},
		CreatedAt: date(2023, 11, 7, 5, 31, 56, 0), UpdatedAt: date(2023, 11, 7, 5, 31, 56, 0),
		SelfURL:    "https://management.api.smartcar.com/v3/subscriptions/3c90c3cc-...",
		WebhookURL: "https://management.api.smartcar.com/v3/webhooks/5a8e5e38-...", // the docs' links.related
	}, *got)
	res, err := f.client.Subscriptions.Subscribe(ctx, smartcar.SubscribeRequest{WebhookID: "w", UserID: "u", VehicleID: "v"})
	require.NoError(t, err)
	assert.Equal(t, smartcar.SubscribeResult{Message: "subscription creation in progress", HTTPStatus: 202}, *res)
}

func TestFixtureErrors(t *testing.T) {
	for _, tc := range []struct {
		file    string
		status  int
		headers []string
		want    smartcar.ErrorDetail
		reqID   string
		is      []error
		isNot   []error
		message string
	}{
		{file: "error_jsonapi.json", status: 400, headers: []string{"SC-Request-Id", "req-jsonapi"},
			want: smartcar.ErrorDetail{Status: 400, Type: "VALIDATION", Code: "BAD_REQUEST", Title: "Bad Request",
				Detail: "The request could not be understood by the server due to malformed syntax.",
				DocURL: "https://smartcar.com/docs/errors/api-errors/v3/validation-errors"},
			reqID: "req-jsonapi", is: []error{telematics.ErrInvalidInput}, isNot: []error{telematics.ErrUnavailable},
			message: "smartcar: GET URL: 400 Bad Request: VALIDATION:BAD_REQUEST: The request could not be understood by the server due to malformed syntax. (request id req-jsonapi)"},
		{file: "error_jsonapi_lowercase.json", status: 404,
			want:  smartcar.ErrorDetail{Status: 404, Code: "not_found", Title: "Not Found", Detail: "The requested resource was not found."},
			is:    []error{telematics.ErrNotFound},
			isNot: []error{telematics.ErrInvalidInput}},
		{file: "error_flat.json", status: 409,
			want: smartcar.ErrorDetail{Status: 409, Type: "VEHICLE_STATE", Code: "ASLEEP",
				Detail:               "vehicleId: vehicle did not respond",
				Description:          "The vehicle is in a sleep state and temporarily unable to perform your request.",
				Resolution:           smartcar.ResolutionRetryLater,
				SuggestedUserMessage: "Your car is asleep. Please wake it up and try again.",
				DocURL:               "https://smartcar.com/docs/errors/api-errors/vehicle-state-errors#asleep"},
			reqID: "5dea93a1-3f79-4246-90ef-71d4d2d0e4f2", is: []error{telematics.ErrConflict, telematics.ErrVehicleUnreachable},
			isNot: []error{telematics.ErrRateLimited}},
		{file: "error_oauth.json", status: 401,
			want: smartcar.ErrorDetail{Code: "invalid_client", Description: "Client authentication failed."},
			is:   []error{telematics.ErrUnauthorized}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := newScripted(t, smartcar.WithMaxRetries(0))
			f.serve("GET /v3/vehicles/{id}", tc.status, tc.file, tc.headers...)
			var resp telematics.Response
			_, err := f.client.Vehicles.Get(context.Background(), "v1", smartcar.WithResponse(&resp))
			var apiErr *smartcar.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, http.MethodGet, apiErr.Method)
			assert.Equal(t, f.srv.URL+"/v3/vehicles/v1", apiErr.URL)
			assert.Equal(t, []smartcar.ErrorDetail{tc.want}, apiErr.Errors)
			assert.Equal(t, tc.want.Type, apiErr.Type)
			assert.Equal(t, tc.want.Code, apiErr.Code)
			assert.Equal(t, tc.want.Message(), apiErr.Message)
			assert.Equal(t, tc.want.Resolution, apiErr.Resolution)
			assert.Equal(t, tc.reqID, apiErr.RequestID)
			assert.Equal(t, compact(t, readFixture(t, tc.file)), compact(t, apiErr.Body))
			assert.Equal(t, tc.status, resp.StatusCode)
			for _, s := range tc.is {
				assert.ErrorIs(t, err, s)
			}
			for _, s := range tc.isNot {
				assert.NotErrorIs(t, err, s)
			}
			if tc.message != "" {
				assert.Equal(t, tc.message, replaceURL(err.Error(), apiErr.URL))
			}
		})
	}
}

// The signals of a VEHICLE_STATE webhook use the flat form; Signal decodes it too.
func TestFixtureWebhookSignals(t *testing.T) {
	var payload struct {
		Data struct {
			Signals []smartcar.Signal `json:"signals"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(readFixture(t, "webhook_vehicle_state.json"), &payload))
	// A signal survives a round trip through its own JSON form.
	for _, s := range payload.Data.Signals {
		b, err := json.Marshal(s)
		require.NoError(t, err)
		var back smartcar.Signal
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, compact(t, s.Body), compact(t, back.Body))
		back.Body = s.Body
		assert.Equal(t, s, back)
	}
	sigs := payload.Data.Signals
	require.Len(t, sigs, 2)
	for i := range sigs {
		sigs[i].Body = nil
	}
	assert.Equal(t, []smartcar.Signal{
		{Code: "tractionbattery-stateofcharge", Name: "StateOfCharge", Group: "TractionBattery", Status: "SUCCESS",
			Value: smartcar.UnitValue{Value: 80, Unit: "percent"}, OEMUpdatedAt: ms(1780222506000), RetrievedAt: ms(1780222662364)},
		{Code: "charge-chargerate", Name: "ChargeRate", Group: "Charge", Status: "ERROR",
			Error: &smartcar.ErrorDetail{Type: "VEHICLE_STATE", Code: "NOT_CHARGING"},
			Value: smartcar.UnitValue{Value: 30, Unit: "km/h"}, OEMUpdatedAt: ms(1780222506000), RetrievedAt: ms(1780222662364)},
	}, sigs)
}

func replaceURL(s, url string) string { return strings.ReplaceAll(s, url, "URL") }

func readAll(t *testing.T, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return b
}
