package smartcartest

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"time"
)

// Ids of the simulated fleet.
const (
	// Alice owns two electric cars: a Tesla Model 3 plugged in and an ID.4 that is not.
	UserAlice        = "218eda3b-5c1f-4a6e-9d38-0a6c1e2f4b01"
	VehicleModel3    = "36ab27d0-8f3e-4c55-a2a1-7d0e8b1c2a01"
	VehicleID4       = "4b7c1e2a-93d0-4f6b-8e25-1c9a7f3d5b02"
	ConnectionModel3 = "553c49e4-0c8e-4a71-b6d4-2f1e9a8c7d01"
	ConnectionID4    = "553c49e4-0c8e-4a71-b6d4-2f1e9a8c7d02"

	// Bob owns two combustion vehicles: a Toyota Camry and a Ford F-150.
	UserBob         = "7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e02"
	VehicleCamry    = "5e8f2a1b-6c3d-4e7f-9a0b-1c2d3e4f5a03"
	VehicleF150     = "6f9a3b2c-7d4e-4f80-8b1c-2d3e4f5a6b04"
	ConnectionCamry = "553c49e4-0c8e-4a71-b6d4-2f1e9a8c7d03"
	ConnectionF150  = "553c49e4-0c8e-4a71-b6d4-2f1e9a8c7d04"

	// Carol has one of Smartcar's simulated vehicles, a Chevrolet Bolt EV.
	UserCarol       = "9a0b1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c03"
	VehicleBolt     = "7a0b4c3d-8e5f-4a91-9c2d-3e4f5a6b7c05"
	ConnectionBolt  = "553c49e4-0c8e-4a71-b6d4-2f1e9a8c7d05"
	SubscriptionOne = "3c90c3cc-0d44-4b50-8888-8dd25736052a"

	// WebhookID, OtherWebhookID and DisabledWebhookID are webhooks the application
	// created in the Dashboard (see Webhooks). The Model 3 is subscribed to WebhookID
	// from the start.
	WebhookID         = "5a8e5e38-1f2b-4c3d-9e4f-5a6b7c8d9e01"
	OtherWebhookID    = "5a8e5e38-1f2b-4c3d-9e4f-5a6b7c8d9e02"
	DisabledWebhookID = "5a8e5e38-1f2b-4c3d-9e4f-5a6b7c8d9e03"

	// The external ids the application gave its users in Smartcar Connect, which
	// filter[user.externalId] selects by ([T] in docs/evidence.md).
	ExternalIDAlice = "crm-alice-0001"
	ExternalIDBob   = "crm-bob-0002"
	ExternalIDCarol = "crm-carol-0003"
)

// The webhooks of the fleet, as GET /webhooks lists them. Smartcar documents the
// endpoint and its filters (name, callbackUri, isEnabled, autoSubscribe) [C]; that the
// attributes carry those names is our inference from the filters [I].
var fleetWebhooks = []webhookSeed{
	{WebhookID, "Example Webhook", "https://example.com/smartcar/webhooks", true, false},
	{OtherWebhookID, "Fleet errors", "https://example.com/smartcar/errors", true, true},
	{DisabledWebhookID, "Old endpoint", "https://old.example.com/hook", false, false},
}

type webhookSeed struct {
	id, name, callbackURI  string
	enabled, autoSubscribe bool
}

// Epoch is the time the fleet's data was last refreshed: signal and resource times are
// set relative to it, so that they are the same in every run.
var Epoch = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// SignalState is a signal of a simulated vehicle, as PutSignal sets it.
type SignalState struct {
	Code, Name, Group string
	// Status is SUCCESS (the default), ERROR or UNAVAILABLE.
	Status string
	// ErrorType, ErrorCode, ErrorDetail and Resolution describe an ERROR.
	ErrorType, ErrorCode, ErrorDetail, Resolution string
	// Body is the signal body; nil sends none (an ERROR may still carry a stale one).
	Body json.RawMessage
	// OEMUpdatedAt and RetrievedAt time the reading (zero: Epoch).
	OEMUpdatedAt, RetrievedAt time.Time
}

type vehicle struct {
	id, make, model string
	year            int
	powertrain      string
	mode            string
	owner           string
	permissions     []string
	asleep          bool
	longRunning     bool
	signals         []*SignalState
	destination     []float64
	schedules       []chargeSchedule
	motion          *motion // Drive
}

type user struct {
	externalID string
}

type webhook struct {
	webhookSeed
	createdAt time.Time
}

// heldCommand is a long-running command whose 202 was sent and whose final answer waits
// for CompleteCommands.
type heldCommand struct {
	vehicleID string
	done      chan struct{}
}

type connection struct {
	id, userID, vehicleID string
	createdAt, updatedAt  time.Time
}

type subscription struct {
	id, webhookID, userID, vehicleID string
	createdAt                        time.Time
}

// find returns the first item match accepts and its index, or nil and -1.
func find[T any](items []*T, match func(*T) bool) (*T, int) {
	i := slices.IndexFunc(items, match)
	if i < 0 {
		return nil, -1
	}
	return items[i], i
}

// serveOne answers a GET of one resource: look it up and render it under s.mu, then
// write it in a data envelope, or 404 naming what was not found.
func serveOne[T any](s *Server, w http.ResponseWriter, what string, lookup func() (*T, int), resource func(*T) map[string]any) {
	s.mu.Lock()
	item, _ := lookup()
	var res map[string]any
	if item != nil {
		res = resource(item)
	}
	s.mu.Unlock()
	if item == nil {
		s.writeError(w, http.StatusNotFound, notFound(what))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": res})
}

func (v *vehicle) signal(code string) *SignalState {
	s, _ := find(v.signals, func(s *SignalState) bool { return s.Code == code })
	return s
}

func (v *vehicle) put(s SignalState) {
	if s.Status == "" {
		s.Status = "SUCCESS"
	}
	if s.OEMUpdatedAt.IsZero() {
		s.OEMUpdatedAt = Epoch.Add(-5 * time.Minute)
	}
	if s.RetrievedAt.IsZero() {
		s.RetrievedAt = Epoch.Add(-3 * time.Minute)
	}
	if cur := v.signal(s.Code); cur != nil {
		*cur = s
		return
	}
	v.signals = append(v.signals, &s)
	slices.SortFunc(v.signals, func(a, b *SignalState) int {
		switch {
		case a.Code < b.Code:
			return -1
		case a.Code > b.Code:
			return 1
		}
		return 0
	})
}

func body(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func unitValue(v float64, unit string) json.RawMessage {
	if unit == "" {
		return body(map[string]any{"value": v})
	}
	return body(map[string]any{"value": v, "unit": unit})
}

func single(v any) json.RawMessage { return body(map[string]any{"value": v}) }

func ok(code, name, group string, b json.RawMessage) SignalState {
	return SignalState{Code: code, Name: name, Group: group, Body: b}
}

func failed(code, name, group, typ, errCode, detail, resolution string, stale json.RawMessage) SignalState {
	return SignalState{Code: code, Name: name, Group: group, Status: "ERROR", ErrorType: typ, ErrorCode: errCode,
		ErrorDetail: detail, Resolution: resolution, Body: stale}
}

func unavailable(code, name, group string) SignalState {
	return SignalState{Code: code, Name: name, Group: group, Status: "UNAVAILABLE"}
}

func doors(rows, cols int, locked bool) json.RawMessage {
	var values []map[string]any
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			values = append(values, map[string]any{"row": r, "column": c, "isOpen": false, "isLocked": locked})
		}
	}
	return body(map[string]any{"values": values, "rowCount": rows, "columnCount": cols})
}

func windows(rows, cols int) json.RawMessage {
	var values []map[string]any
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			values = append(values, map[string]any{"row": r, "column": c, "isOpen": false})
		}
	}
	return body(map[string]any{"values": values, "rowCount": rows, "columnCount": cols})
}

func chargeLimits(limit int, active bool) json.RawMessage {
	b := map[string]any{"values": []any{map[string]any{"type": "GLOBAL", "limit": limit, "condition": nil}}, "unit": "percent", "activeLimit": nil}
	if active {
		b["activeLimit"] = limit
	}
	return body(b)
}

func location(lat, lon, heading float64, dir string) json.RawMessage {
	return body(map[string]any{"latitude": lat, "longitude": lon, "heading": heading, "direction": dir, "locationType": "CURRENT"})
}

func rangeBody(km, ideal float64) json.RawMessage {
	return body(map[string]any{"value": km, "unit": "km", "type": "DEFAULT",
		"additionalValues": []any{map[string]any{"type": "IDEAL_CONDITIONS", "value": ideal}}})
}

const (
	detailNotCharging = "The vehicle is unable to perform your request because it is not currently charging."
	detailNotCapable  = "The vehicle is incapable of performing your request."
	detailPermission  = "Your application has insufficient permissions to access the requested resource. Please prompt the user to re-authenticate using Smartcar Connect."
)

// bevSignals is the signal set of an electric car.
func bevSignals(v *vehicle, soc, rangeKm, capacity, odometerKm, lat, lon float64, plugged bool, vin string) {
	v.put(ok("tractionbattery-stateofcharge", "StateOfCharge", "TractionBattery", unitValue(soc, "percent")))
	v.put(ok("tractionbattery-range", "Range", "TractionBattery", rangeBody(rangeKm, math.Round(rangeKm*1.08))))
	v.put(ok("tractionbattery-nominalcapacity", "NominalCapacity", "TractionBattery", body(map[string]any{
		"source": "SMARTCAR", "capacity": capacity, "unit": "kWh",
		"availableCapacities": []any{map[string]any{"capacity": capacity, "description": "Standard"}, map[string]any{"capacity": capacity + 20, "description": "Long Range"}},
	})))
	v.put(ok("charge-ischarging", "IsCharging", "Charge", single(false)))
	v.put(ok("charge-ischargingcableconnected", "IsChargingCableConnected", "Charge", single(plugged)))
	v.put(ok("charge-detailedchargingstatus", "DetailedChargingStatus", "Charge", single("NOT_CHARGING")))
	v.put(ok("charge-chargelimits", "ChargeLimits", "Charge", chargeLimits(80, plugged)))
	v.put(failed("charge-chargerate", "ChargeRate", "Charge", "VEHICLE_STATE", "NOT_CHARGING", detailNotCharging, "UNKNOWN_RESOLUTION_TYPE", unitValue(30, "km/h")))
	v.put(unavailable("charge-timetocomplete", "TimeToComplete", "Charge"))
	common(v, odometerKm, lat, lon, vin)
}

// iceSignals is the signal set of a combustion vehicle.
func iceSignals(v *vehicle, fuel, liters, rangeKm, odometerKm, lat, lon float64, vin string) {
	v.put(ok("internalcombustionengine-fuellevel", "FuelLevel", "InternalCombustionEngine", unitValue(fuel, "percent")))
	v.put(ok("internalcombustionengine-amountremaining", "AmountRemaining", "InternalCombustionEngine", unitValue(liters, "liters")))
	v.put(ok("internalcombustionengine-range", "Range", "InternalCombustionEngine", unitValue(rangeKm, "km")))
	v.put(ok("internalcombustionengine-oillife", "OilLife", "InternalCombustionEngine", unitValue(80, "percent")))
	v.put(ok("lowvoltagebattery-stateofcharge", "StateOfCharge", "LowVoltageBattery", unitValue(88, "percent")))
	v.put(failed("closure-fronttrunk", "FrontTrunk", "Closure", "PERMISSION", "", detailPermission, "REAUTHENTICATE", nil))
	v.put(unavailable("diagnostics-dtccount", "DTCCount", "Diagnostics"))
	common(v, odometerKm, lat, lon, vin)
}

func common(v *vehicle, odometerKm, lat, lon float64, vin string) {
	v.put(ok("closure-islocked", "IsLocked", "Closure", single(true)))
	v.put(ok("closure-doors", "Doors", "Closure", doors(2, 2, true)))
	v.put(ok("closure-windows", "Windows", "Closure", windows(2, 2)))
	v.put(ok("closure-reartrunk", "RearTrunk", "Closure", body(map[string]any{"isOpen": false, "isLocked": true})))
	v.put(failed("closure-sunroof", "Sunroof", "Closure", "COMPATIBILITY", "VEHICLE_NOT_CAPABLE", detailNotCapable, "UNKNOWN_RESOLUTION_TYPE", nil))
	v.put(ok("location-preciselocation", "PreciseLocation", "Location", location(lat, lon, 90, "E")))
	v.put(ok("odometer-traveleddistance", "TraveledDistance", "Odometer", unitValue(odometerKm, "km")))
	v.put(ok("motion-currentspeed", "CurrentSpeed", "Motion", unitValue(0, "km/h")))
	v.put(ok("vehicleidentification-vin", "VIN", "VehicleIdentification", single(vin)))
	v.put(ok("connectivitystatus-isonline", "IsOnline", "ConnectivityStatus", single(true)))
	v.put(ok("connectivitystatus-isasleep", "IsAsleep", "ConnectivityStatus", single(false)))
	v.put(unavailable("climate-externaltemperature", "ExternalTemperature", "Climate"))
}

// seed builds the fleet.
func (s *Server) seed() {
	s.users = map[string]*user{
		UserAlice: {ExternalIDAlice}, UserBob: {ExternalIDBob}, UserCarol: {ExternalIDCarol},
	}
	for i, w := range fleetWebhooks {
		s.webhooks = append(s.webhooks, &webhook{webhookSeed: w, createdAt: Epoch.AddDate(0, -2, i)})
	}
	readEV := []string{"read_vehicle_info", "read_battery", "read_charge", "read_location", "read_odometer", "read_security", "read_vin", "control_charge", "control_security", "control_navigation"}
	readICE := []string{"read_vehicle_info", "read_fuel", "read_location", "read_odometer", "read_security", "read_vin", "read_engine_oil", "control_security"}

	model3 := &vehicle{id: VehicleModel3, make: "TESLA", model: "Model 3", year: 2023, powertrain: "BEV", mode: "live", owner: UserAlice, permissions: readEV}
	bevSignals(model3, 72, 380, 57.5, 48211.4, 37.7749, -122.4194, true, "5YJ3E1EA7PF000001")
	id4 := &vehicle{id: VehicleID4, make: "VOLKSWAGEN", model: "ID.4", year: 2022, powertrain: "BEV", mode: "live", owner: UserAlice, permissions: readEV}
	bevSignals(id4, 45, 190, 77, 30512, 52.5200, 13.4050, false, "WVGZZZE2ZNP000002")
	id4.put(failed("climate-internaltemperature", "InternalTemperature", "Climate", "PERMISSION", "", detailPermission, "REAUTHENTICATE", nil))
	camry := &vehicle{id: VehicleCamry, make: "TOYOTA", model: "Camry", year: 2020, powertrain: "ICE", mode: "live", owner: UserBob, permissions: readICE}
	iceSignals(camry, 63, 38.4, 540, 87210.6, 40.7128, -74.0060, "4T1B11HK5LU000003")
	f150 := &vehicle{id: VehicleF150, make: "FORD", model: "F-150", year: 2021, powertrain: "ICE", mode: "live", owner: UserBob, permissions: readICE}
	iceSignals(f150, 21, 25.9, 160, 120455, 41.8781, -87.6298, "1FTFW1E50MF000004")
	f150.put(ok("closure-islocked", "IsLocked", "Closure", single(false)))
	f150.put(ok("closure-doors", "Doors", "Closure", doors(2, 2, false)))
	bolt := &vehicle{id: VehicleBolt, make: "CHEVROLET", model: "Bolt EV", year: 2021, powertrain: "", mode: "simulated", owner: UserCarol, permissions: readEV}
	bevSignals(bolt, 90, 350, 65, 1520, 44.9778, -93.2650, true, "1G1FY6S00M4000005")
	s.vehicles = []*vehicle{model3, id4, camry, f150, bolt}

	for i, c := range []struct{ id, vehicle string }{
		{ConnectionModel3, VehicleModel3}, {ConnectionID4, VehicleID4}, {ConnectionCamry, VehicleCamry},
		{ConnectionF150, VehicleF150}, {ConnectionBolt, VehicleBolt},
	} {
		created := Epoch.AddDate(0, 0, -30+i)
		s.connections = append(s.connections, &connection{id: c.id, userID: s.vehicleByID(c.vehicle).owner, vehicleID: c.vehicle, createdAt: created, updatedAt: created.Add(time.Hour)})
	}
	s.subscriptions = []*subscription{{id: SubscriptionOne, webhookID: WebhookID, userID: UserAlice, vehicleID: VehicleModel3, createdAt: Epoch.AddDate(0, 0, -7)}}
}

func (s *Server) vehicleByID(id string) *vehicle {
	v, _ := find(s.vehicles, func(v *vehicle) bool { return v.id == id })
	return v
}

// PutSignal adds a signal to a vehicle or replaces the one with the same code (to give
// a test an unknown code, an odd body or a long list). It reports false for an unknown
// vehicle.
func (s *Server) PutSignal(vehicleID string, sig SignalState) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.vehicleByID(vehicleID)
	if v == nil {
		return false
	}
	v.put(sig)
	return true
}

// RemoveSignals removes every signal of a vehicle.
func (s *Server) RemoveSignals(vehicleID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.vehicleByID(vehicleID); v != nil {
		v.signals = nil
	}
}

// Signal returns a signal of a vehicle as the server holds it (a driving vehicle's
// location as a read would answer it now).
func (s *Server) Signal(vehicleID, code string) (SignalState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.vehicleByID(vehicleID); v != nil {
		if sig := v.current(v.signal(code), s.clock.Now()); sig != nil {
			return *sig, true
		}
	}
	return SignalState{}, false
}

// SetAsleep puts a vehicle to sleep or wakes it: a sleeping vehicle refuses commands with
// 409 VEHICLE_STATE:ASLEEP and reports connectivitystatus-isasleep true.
func (s *Server) SetAsleep(vehicleID string, asleep bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.vehicleByID(vehicleID); v != nil {
		v.asleep = asleep
		if sig := v.signal("connectivitystatus-isasleep"); sig != nil {
			sig.Body = single(asleep)
		}
	}
}

// SetLongRunning makes a vehicle's commands long-running, as Smartcar describes them:
// the answer is 202 Accepted, whose body alone tells the outcome [C]; the fake sends the
// 202 header at once, without Content-Length, and holds the connection until
// CompleteCommands, then writes the final execution record on it and applies the
// command (a third party's description of commands taking over about 175 s, [T]). The
// command is also applied when the client goes away meanwhile (the vehicle got it; [I]).
// Close ends held commands without an answer body.
func (s *Server) SetLongRunning(vehicleID string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.vehicleByID(vehicleID); v != nil {
		v.longRunning = on
	}
}

// Destination returns the last destination sent to a vehicle.
func (s *Server) Destination(vehicleID string) (latitude, longitude float64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.vehicleByID(vehicleID); v != nil && v.destination != nil {
		return v.destination[0], v.destination[1], true
	}
	return 0, 0, false
}

// Subscribed reports whether a vehicle is subscribed to a webhook.
func (s *Server) Subscribed(webhookID, vehicleID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, _ := find(s.subscriptions, func(sub *subscription) bool { return sub.webhookID == webhookID && sub.vehicleID == vehicleID })
	return sub != nil
}
