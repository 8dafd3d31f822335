package smartcar_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestSignalsListBEV(t *testing.T) {
	e := newFake(t, nil)
	set, err := e.client.Signals.List(context.Background(), smartcartest.VehicleModel3, alice())
	require.NoError(t, err)
	assert.Equal(t, smartcartest.UserAlice, e.srv.Requests()[0].UserID)
	require.NotNil(t, set.Vehicle)
	assert.Equal(t, "Model 3", set.Vehicle.Model)
	assert.Equal(t, smartcartest.VehicleModel3, set.VehicleID)

	get := func(code smartcar.SignalCode) *smartcar.Signal {
		t.Helper()
		s, ok := set.Get(code)
		require.True(t, ok, code)
		assert.Equal(t, smartcartest.VehicleModel3, s.VehicleID)
		return s
	}
	soc := get(smartcar.SignalTractionBatteryStateOfCharge)
	assert.True(t, soc.OK())
	assert.Equal(t, smartcar.UnitValue{Value: 72, Unit: "percent"}, soc.Value)
	assert.Equal(t, smartcar.GroupTractionBattery, soc.Group)
	assert.Equal(t, "StateOfCharge", soc.Name)
	assert.Equal(t, smartcartest.Epoch.Add(-5*time.Minute), soc.OEMUpdatedAt)
	assert.Equal(t, smartcartest.Epoch.Add(-3*time.Minute), soc.RetrievedAt)
	assert.Equal(t, soc.OEMUpdatedAt, soc.Time())

	rng := get(smartcar.SignalTractionBatteryRange)
	assert.Equal(t, smartcar.AdditionalValues{Value: 380, Unit: "km", Type: "DEFAULT",
		Additional: []smartcar.TypedValue{{Type: "IDEAL_CONDITIONS", Value: 410, Unit: "km"}}}, rng.Value)
	d, ok := rng.Telematics().Value.Distance()
	assert.True(t, ok)
	assert.InDelta(t, 380, d.Kilometres(), 1e-9)

	limits := get(smartcar.SignalChargeChargeLimits).Value.(smartcar.ChargeLimits)
	global, ok := limits.Global()
	assert.True(t, ok)
	assert.Equal(t, telematics.Percent(80), global)

	rate := get(smartcar.SignalChargeChargeRate)
	assert.Equal(t, telematics.SignalStatusError, rate.Status)
	assert.Equal(t, smartcar.ErrorTypeVehicleState, rate.Error.Type)
	assert.Equal(t, smartcar.CodeNotCharging, rate.Error.Code)
	assert.Equal(t, smartcar.UnitValue{Value: 30, Unit: "km/h"}, rate.Value, "the stale body is kept")

	sunroof := get(smartcar.SignalClosureSunroof)
	assert.Nil(t, sunroof.Value)
	assert.True(t, smartcar.IsNotCapable(sunroof.Error))

	ttc := get(smartcar.SignalChargeTimeToComplete)
	assert.Equal(t, telematics.SignalStatusUnavailable, ttc.Status)
	assert.Nil(t, ttc.Error)
	assert.True(t, ttc.RetrievedAt.IsZero())

	locked, ok := get(smartcar.SignalClosureIsLocked).Bool()
	assert.True(t, ok)
	assert.True(t, locked)
	vin, ok := get(smartcar.SignalVehicleIdentificationVIN).Text()
	assert.True(t, ok)
	assert.Equal(t, "5YJ3E1EA7PF000001", vin)

	pos, ok := get(smartcar.SignalLocationPreciseLocation).Position()
	require.True(t, ok)
	assert.True(t, pos.Valid())
	assert.True(t, pos.Has(telematics.HasHeading))
	assert.Equal(t, telematics.Heading(90), pos.Heading)
	assert.Equal(t, smartcartest.VehicleModel3, pos.VehicleID)
	_, ok = soc.Position()
	assert.False(t, ok)

	doors := get(smartcar.SignalClosureDoors).Value.(smartcar.ClosureGrid)
	assert.Len(t, doors.Closures, 4)
	assert.Equal(t, "4: 0 open, 4 locked", doors.String())

	for _, s := range set.Signals {
		assert.True(t, s.Code.Known(), "the fake only sends catalogued codes: %s", s.Code)
		assert.Equal(t, s.Code.Group(), s.Group, s.Code)
	}
}

func TestSignalsListICE(t *testing.T) {
	e := newFake(t, nil)
	set, err := e.client.Signals.List(context.Background(), smartcartest.VehicleCamry, bob())
	require.NoError(t, err)
	fuel, ok := set.Get(smartcar.SignalInternalCombustionEngineFuelLevel)
	require.True(t, ok)
	pc, ok := fuel.Telematics().Value.Percent()
	assert.True(t, ok)
	assert.Equal(t, telematics.Percent(63), pc)
	_, ok = set.Get(smartcar.SignalTractionBatteryStateOfCharge)
	assert.False(t, ok, "a combustion car has no traction battery")
	front, _ := set.Get(smartcar.SignalClosureFrontTrunk)
	assert.True(t, front.NeedsPermission())
	ts := set.Telematics()
	assert.Len(t, ts, len(set.Signals))
	for _, s := range ts {
		assert.Equal(t, "smartcar", s.Provider)
		assert.Equal(t, smartcartest.VehicleCamry, s.VehicleID)
	}
}

// WithUnitSystem sends SC-Unit-System with every request. Which units Smartcar answers
// in for imperial is not documented for v3 ([U]): the fake assumes "miles", and this test
// checks only that the header is sent and that a body in the unit it names is converted,
// not that Smartcar answers in miles.
func TestSignalsUnitSystemHeader(t *testing.T) {
	e := newFake(t, nil, smartcar.WithUnitSystem(smartcar.Imperial))
	set, err := e.client.Signals.List(context.Background(), smartcartest.VehicleCamry, bob())
	require.NoError(t, err)
	assert.Equal(t, "imperial", e.srv.Requests()[0].UnitSystem)
	odo, _ := set.Get(smartcar.SignalOdometerTraveledDistance)
	n, unit, ok := odo.Number()
	require.True(t, ok)
	d, ok := odo.Telematics().Value.Distance()
	require.True(t, ok, "the unit the body names (%q, the fake's spelling) is understood", unit)
	assert.InDelta(t, n*1.609344, d.Kilometres(), 1e-9, "converted from the unit the body names")
	assert.InDelta(t, 87210.6, d.Kilometres(), 0.2, "the fake converted the metric reading it holds")
}

func TestSignalsGet(t *testing.T) {
	for _, unwrapped := range []bool{false, true} {
		var opts []smartcartest.Option
		if unwrapped {
			opts = append(opts, smartcartest.WithUnwrappedSignals())
		}
		e := newFake(t, opts)
		s, err := e.client.Signals.Get(context.Background(), smartcartest.VehicleID4, smartcar.SignalTractionBatteryStateOfCharge, alice())
		require.NoError(t, err)
		assert.Equal(t, smartcar.UnitValue{Value: 45, Unit: "percent"}, s.Value)
		assert.Equal(t, smartcartest.VehicleID4, s.VehicleID)
		assert.Equal(t, e.srv.VehicleAPIURL+"/vehicles/"+smartcartest.VehicleID4+"/signals/tractionbattery-stateofcharge", s.SelfURL)
	}
}

func TestSignalsErrors(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()

	// Without the user id nothing is sent.
	_, err := e.client.Signals.List(ctx, smartcartest.VehicleModel3)
	assert.ErrorIs(t, err, smartcar.ErrUserIDRequired)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	assert.Contains(t, err.Error(), "WithUserID")
	_, err = e.client.Signals.Get(ctx, smartcartest.VehicleModel3, smartcar.SignalClosureIsLocked, smartcar.WithUserID("  "))
	assert.ErrorIs(t, err, smartcar.ErrUserIDRequired)
	assert.Zero(t, e.srv.CountRequests("", ""))

	_, err = e.client.Signals.List(ctx, smartcartest.VehicleModel3, bob())
	assert.ErrorIs(t, err, telematics.ErrForbidden, "another user's vehicle")
	_, err = e.client.Signals.List(ctx, "no-such-vehicle", bob())
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	_, err = e.client.Signals.Get(ctx, smartcartest.VehicleModel3, "vin", alice())
	assert.ErrorIs(t, err, telematics.ErrNotFound)
	var apiErr *smartcar.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, smartcar.ErrorCode("SIGNAL_NOT_FOUND"), apiErr.Code)
	_, err = e.client.Signals.Get(ctx, smartcartest.VehicleModel3, "", alice())
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)

	// A header sent without the user id is refused by Smartcar too.
	f := newScripted(t)
	f.handle("GET /v3/vehicles/{id}/signals", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "u-1", r.Header.Get("sc-user-id"))
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"data":null}`))
	})
	set, err := f.client.Signals.List(ctx, "v", smartcar.WithUserID("u-1"))
	require.NoError(t, err)
	assert.Empty(t, set.Signals)
}

// A code the catalogue does not know and a body of an unknown shape both survive.
func TestSignalsUnknownSurvive(t *testing.T) {
	e := newFake(t, nil)
	odd := json.RawMessage(`{"pressures":[2.4,2.5],"unit":"bar","extra":{"nested":true}}`)
	e.srv.PutSignal(smartcartest.VehicleModel3, smartcartest.SignalState{Code: "wheel-futuresensor", Name: "FutureSensor", Group: "Wheel", Body: odd})
	e.srv.PutSignal(smartcartest.VehicleModel3, smartcartest.SignalState{Code: "diagnostics-abs", Name: "ABS", Group: "Diagnostics",
		Body: json.RawMessage(`{"status":"ALERT","description":"ABS fault"}`)})
	set, err := e.client.Signals.List(context.Background(), smartcartest.VehicleModel3, alice())
	require.NoError(t, err)
	s, ok := set.Get("wheel-futuresensor")
	require.True(t, ok)
	assert.False(t, s.Code.Known())
	assert.Equal(t, smartcar.SignalGroup(""), s.Code.Group())
	assert.Equal(t, smartcar.SignalGroup("Wheel"), s.Group)
	assert.Equal(t, smartcar.RawValue{JSON: odd}, s.Value)
	assert.JSONEq(t, string(odd), string(s.Body))
	tv := s.Telematics().Value
	assert.Equal(t, telematics.KindObject, tv.Kind)
	assert.JSONEq(t, string(odd), string(tv.Raw))

	abs, _ := set.Get(smartcar.SignalDiagnosticsABS)
	assert.IsType(t, smartcar.RawValue{}, abs.Value)
}

// A signal whose members have unexpected types does not fail the list, and keeps every
// member that decodes: its status and body survive a name of the wrong type.
func TestSignalsMalformedEntry(t *testing.T) {
	f := newScripted(t)
	f.handle("GET /v3/vehicles/{id}/signals", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":[
			{"id":"closure-islocked","type":"signal","attributes":{"code":"closure-islocked","name":7,"group":"Closure","status":{"value":"SUCCESS"},"body":{"value":true}},
			 "meta":{"retrievedAt":"2026-06-30T00:03:53.743Z"}},
			{"id":"charge-ischarging","type":"signal","attributes":{"code":"charge-ischarging","status":"SUCCESS","body":{"value":false}}},
			{"id":"x-y","type":"signal","attributes":{"code":"x-y","status":5}},
			{"id":"charge-chargerate","type":"signal","attributes":{"code":["not","a","string"],"status":{"value":"ERROR","error":{"type":"VEHICLE_STATE","code":"NOT_CHARGING"}},"body":{"value":30,"unit":"km/h"}},"links":{"self":42}},
			{"id":"a-b","type":"signal","attributes":"broken","code":"a-b","body":{"value":1}}
		]}`))
	})
	set, err := f.client.Signals.List(context.Background(), "v", smartcar.WithUserID("u"))
	require.NoError(t, err)
	require.Len(t, set.Signals, 5)
	locked := set.Signals[0]
	assert.Equal(t, smartcar.SignalClosureIsLocked, locked.Code)
	assert.Empty(t, locked.Name, "the member of the wrong type is dropped")
	assert.Equal(t, smartcar.GroupClosure, locked.Group)
	assert.Equal(t, telematics.SignalStatusSuccess, locked.Status)
	assert.Equal(t, smartcar.BoolValue{Value: true}, locked.Value)
	assert.JSONEq(t, `{"value":true}`, string(locked.Body))
	assert.Equal(t, date(2026, 6, 30, 0, 3, 53, 743), locked.RetrievedAt)
	assert.Equal(t, "v", locked.VehicleID)

	assert.Equal(t, telematics.SignalStatusSuccess, set.Signals[1].Status, "a bare status string")
	assert.Equal(t, smartcar.BoolValue{}, set.Signals[1].Value)
	assert.Equal(t, smartcar.SignalCode("x-y"), set.Signals[2].Code)
	assert.Equal(t, telematics.SignalStatus(""), set.Signals[2].Status)

	rate := set.Signals[3]
	assert.Equal(t, smartcar.SignalChargeChargeRate, rate.Code, "the id stands in for a code of the wrong type")
	assert.Equal(t, telematics.SignalStatusError, rate.Status)
	require.NotNil(t, rate.Error)
	assert.Equal(t, smartcar.CodeNotCharging, rate.Error.Code)
	assert.Equal(t, smartcar.UnitValue{Value: 30, Unit: "km/h"}, rate.Value)

	flat := set.Signals[4]
	assert.Equal(t, smartcar.SignalCode("a-b"), flat.Code)
	assert.Equal(t, smartcar.UnitValue{Value: 1}, flat.Value)

	var one smartcar.Signal
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &one), "not an object")
	assert.Error(t, json.Unmarshal([]byte(`{"code":`), &one))
}

// A 200 whose body holds no signal is a malformed response, not an empty signal.
func TestSignalsGetNotASignal(t *testing.T) {
	for _, body := range []string{
		`[1,2]`,
		`{"data":null}`,
		`{}`,
		`{"data":{}}`,
		`{"data":{"type":"signal"}}`,
		`{"errors":[{"status":"404","type":"RESOURCE_NOT_FOUND","detail":"no such signal"}]}`,
		`{"meta":{"requestId":"r"}}`,
		`null`,
		`"closure-islocked"`,
	} {
		t.Run(body, func(t *testing.T) {
			f := newScripted(t)
			f.handle("GET /v3/vehicles/{id}/signals/{code}", func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(body))
			})
			sig, err := f.client.Signals.Get(context.Background(), "v", smartcar.SignalClosureIsLocked, smartcar.WithUserID("u"))
			assert.Nil(t, sig)
			assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
			assert.ErrorContains(t, err, "smartcar: ")
		})
	}
}

// Signals follow page links when Smartcar pages them, keep the vehicle the first page
// included, and stop on a circle.
func TestSignalsPaged(t *testing.T) {
	sig := func(code string) string {
		return `{"id":"` + code + `","type":"signal","attributes":{"code":"` + code + `","status":{"value":"SUCCESS"},"body":{"value":1}}}`
	}
	t.Run("two pages", func(t *testing.T) {
		f := newScripted(t)
		var queries []string
		f.handle("GET /v3/vehicles/{id}/signals", func(w http.ResponseWriter, r *http.Request) {
			queries = append(queries, r.URL.RawQuery)
			assert.Equal(t, "u", r.Header.Get("SC-User-Id"), "every page is read for the owner")
			switch r.URL.Query().Get("page[number]") {
			case "":
				_, _ = w.Write([]byte(`{"data":[` + sig("a-one") + `,` + sig("a-two") + `],"meta":{"pageNumber":1,"pageSize":2,"totalCount":3},` +
					`"links":{"next":"` + f.srv.URL + `/v3/vehicles/v/signals?page%5Bnumber%5D=2&page%5Bsize%5D=2"},` +
					`"included":{"vehicle":{"id":"v","type":"vehicle","attributes":{"make":"TESLA"}}}}`))
			case "2":
				_, _ = w.Write([]byte(`{"data":[` + sig("b-three") + `],"meta":{"pageNumber":2,"pageSize":2,"totalCount":3},"links":{"next":null}}`))
			default:
				t.Errorf("unexpected page %s", r.URL.RawQuery)
			}
		})
		set, err := f.client.Signals.List(context.Background(), "v", smartcar.WithUserID("u"))
		require.NoError(t, err)
		var codes []smartcar.SignalCode
		for _, s := range set.Signals {
			codes = append(codes, s.Code)
			assert.Equal(t, "v", s.VehicleID)
			assert.True(t, s.OK())
		}
		assert.Equal(t, []smartcar.SignalCode{"a-one", "a-two", "b-three"}, codes)
		require.NotNil(t, set.Vehicle)
		assert.Equal(t, "TESLA", set.Vehicle.Make)
		assert.Equal(t, []string{"", "page%5Bnumber%5D=2&page%5Bsize%5D=2"}, queries)
	})
	t.Run("links in a circle", func(t *testing.T) {
		f := newScripted(t)
		var calls int
		f.handle("GET /v3/vehicles/{id}/signals", func(w http.ResponseWriter, r *http.Request) {
			calls++
			switch r.URL.Query().Get("page[number]") {
			case "":
				_, _ = w.Write([]byte(`{"data":[` + sig("a-one") + `],"meta":{"totalCount":2},"links":{"next":"` + f.srv.URL + `/v3/vehicles/v/signals?page%5Bnumber%5D=2"}}`))
			case "2":
				_, _ = w.Write([]byte(`{"data":[` + sig("a-two") + `],"meta":{"totalCount":3},"links":{"next":"` + f.srv.URL + `/v3/vehicles/v/signals?page%5Bnumber%5D=2"}}`))
			}
		})
		_, err := f.client.Signals.List(context.Background(), "v", smartcar.WithUserID("u"))
		assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
		assert.ErrorContains(t, err, "circle")
		assert.Equal(t, 2, calls)
	})
	t.Run("more pages than MaxSignalPages", func(t *testing.T) {
		f := newScripted(t)
		var calls int
		f.handle("GET /v3/vehicles/{id}/signals", func(w http.ResponseWriter, r *http.Request) {
			calls++
			n, _ := strconv.Atoi(cmp.Or(r.URL.Query().Get("page[number]"), "1"))
			_, _ = w.Write([]byte(fmt.Sprintf(`{"data":[%s],"meta":{"pageNumber":%d,"pageSize":1,"totalCount":1000}}`, sig(fmt.Sprintf("s-%d", n)), n)))
		})
		set, err := f.client.Signals.List(context.Background(), "v", smartcar.WithUserID("u"))
		assert.Nil(t, set)
		assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
		assert.ErrorContains(t, err, fmt.Sprintf("more than %d pages", smartcar.MaxSignalPages))
		assert.Equal(t, smartcar.MaxSignalPages, calls)
	})
	t.Run("a success status with an error document", func(t *testing.T) {
		f := newScripted(t)
		f.handle("GET /v3/vehicles/{id}/signals", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"errors":[{"status":"500","type":"SERVER","detail":"oops"}]}`))
		})
		_, err := f.client.Signals.List(context.Background(), "v", smartcar.WithUserID("u"))
		assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
		f.handle("GET /v3/connections", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"data":[],"errors":[{"status":"500"}]}`))
		})
		_, err = f.client.Connections.List(context.Background(), nil)
		assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
		errs := allErrors(f.client.Connections.All(context.Background(), nil))
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], telematics.ErrMalformedResponse)

		f.handle("GET /mgmt/v3/subscriptions", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"data":[],"errors":[]}`))
		})
		p, err := f.client.Subscriptions.List(context.Background(), nil)
		require.NoError(t, err, "an empty error list is no error")
		assert.Empty(t, p.Items)
	})
}

// String and MarshalJSON have value receivers, so that a Signal printed or encoded by
// value formats like one by pointer; Vehicle.Telematics works on a value, as in
// mycartracks.
func TestValueReceivers(t *testing.T) {
	s := smartcar.Signal{Code: smartcar.SignalChargeChargeRate, Status: telematics.SignalStatusError, Value: smartcar.UnitValue{Value: 30, Unit: "km/h"},
		Error: &smartcar.ErrorDetail{Type: smartcar.ErrorTypeVehicleState, Code: smartcar.CodeNotCharging}}
	assert.Equal(t, "charge-chargerate ERROR 30 km/h (VEHICLE_STATE:NOT_CHARGING)", fmt.Sprint(s))
	assert.Equal(t, fmt.Sprint(&s), fmt.Sprint(s))
	set := smartcar.SignalSet{Signals: []smartcar.Signal{s}}
	assert.Equal(t, s.String(), fmt.Sprintf("%v", set.Signals[0]))
	byValue, err := json.Marshal(s)
	require.NoError(t, err)
	byPointer, err := json.Marshal(&s)
	require.NoError(t, err)
	assert.JSONEq(t, string(byPointer), string(byValue))
	assert.Equal(t, telematics.Vehicle{ID: "v", Provider: "smartcar", Make: "TESLA"}, smartcar.Vehicle{ID: "v", Make: "TESLA"}.Telematics())
}

func TestSignalCatalogue(t *testing.T) {
	codes := smartcar.SignalCodes()
	assert.Len(t, codes, 96, "93 catalogue codes and 3 from the compatibility matrix")
	seen := map[smartcar.SignalCode]bool{}
	for _, c := range codes {
		assert.False(t, seen[c], "duplicate %s", c)
		seen[c] = true
		assert.True(t, c.Known())
		assert.Equal(t, string(c), lower(string(c.Group()))+"-"+lower(c.Name()), "code is {group}-{name} in lower case")
		p, ok := c.Permission()
		assert.False(t, ok, "no permission is documented per signal")
		assert.Empty(t, p)
		assert.Equal(t, string(c), c.String())
	}
	counts := map[smartcar.SignalGroup]int{
		smartcar.GroupCharge: 21, smartcar.GroupClimate: 2, smartcar.GroupClosure: 8, smartcar.GroupConnectivitySoftware: 1,
		smartcar.GroupConnectivityStatus: 3, smartcar.GroupDiagnostics: 23, smartcar.GroupHVAC: 5, smartcar.GroupInternalCombustionEngine: 4,
		smartcar.GroupLocation: 2, smartcar.GroupLowVoltageBattery: 2, smartcar.GroupMotion: 1, smartcar.GroupOdometer: 1,
		smartcar.GroupService: 2, smartcar.GroupSurveillance: 2, smartcar.GroupTractionBattery: 8, smartcar.GroupTransmission: 2,
		smartcar.GroupVehicleIdentification: 5, smartcar.GroupVehicleUserAccount: 2, smartcar.GroupWheel: 2,
	}
	total := 0
	for g, n := range counts {
		assert.Len(t, g.Codes(), n, g)
		total += n
		_, ok := g.Permission()
		assert.False(t, ok)
	}
	assert.Equal(t, 96, total)
	assert.Equal(t, "PreciseLocation", smartcar.SignalLocationPreciseLocation.Name())
	assert.Equal(t, smartcar.GroupLocation, smartcar.SignalLocationPreciseLocation.Group())
	unknown := smartcar.SignalCode("vin")
	assert.False(t, unknown.Known())
	assert.Empty(t, unknown.Name())
	assert.Empty(t, unknown.Group())
	_, ok := unknown.Permission()
	assert.False(t, ok)
}

func lower(s string) string { return strings.ToLower(s) }
