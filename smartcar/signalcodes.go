package smartcar

// SignalCode identifies a signal: "{group}-{name}" in lower case, for example
// "tractionbattery-stateofcharge". The constants cover the published catalogue; any other
// code Smartcar sends is kept as is.
type SignalCode string

// SignalGroup is the group a signal belongs to, as Smartcar spells it ("TractionBattery").
type SignalGroup string

type signalInfo struct {
	code  SignalCode
	group SignalGroup
	name  string
}

var catalogueIndex = func() map[SignalCode]int {
	m := make(map[SignalCode]int, len(catalogue))
	for i, s := range catalogue {
		m[s.code] = i
	}
	return m
}()

// Known reports whether c is in the catalogue of this package.
func (c SignalCode) Known() bool {
	_, ok := catalogueIndex[c]
	return ok
}

// Group returns the group of a catalogued code, or "" for an unknown one.
func (c SignalCode) Group() SignalGroup {
	if i, ok := catalogueIndex[c]; ok {
		return catalogue[i].group
	}
	return ""
}

// Name returns the PascalCase name of a catalogued code ("StateOfCharge"), or "" for an
// unknown one. The lower-cased name is always the part of the code after the group; the
// capitals of names not seen in Smartcar's traffic are ours, so prefer Signal.Name, which
// holds the name Smartcar sent.
func (c SignalCode) Name() string {
	if i, ok := catalogueIndex[c]; ok {
		return catalogue[i].name
	}
	return ""
}

// Permission returns the permission a vehicle owner must grant for this signal, when it is
// documented. See SignalGroup.Permission.
func (c SignalCode) Permission() (Permission, bool) { return c.Group().Permission() }

// String returns the code.
func (c SignalCode) String() string { return string(c) }

// SignalCodes returns every catalogued code, in catalogue order (grouped, then by name).
func SignalCodes() []SignalCode {
	out := make([]SignalCode, len(catalogue))
	for i, s := range catalogue {
		out[i] = s.code
	}
	return out
}

// Codes returns the catalogued codes of the group.
func (g SignalGroup) Codes() []SignalCode {
	var out []SignalCode
	for _, s := range catalogue {
		if s.group == g {
			out = append(out, s.code)
		}
	}
	return out
}

// Permission returns the permission the vehicle owner must grant through Smartcar
// Connect for the signals of this group, and false when it is not documented.
//
// Smartcar publishes a per-signal permission table that we could not retrieve
// (docs/evidence.md, Smartcar §6.4), so no group has a documented permission yet and
// this returns ("", false) for every group rather than a guess. A missing permission shows
// up on the signal itself: its status is ERROR with error type PERMISSION (see
// Signal.NeedsPermission), and Connection.Permissions lists what was granted.
func (g SignalGroup) Permission() (Permission, bool) {
	p, ok := groupPermissions[g]
	return p, ok
}

// groupPermissions holds the documented permission of each signal group. Add an entry
// only with a confirmed source.
var groupPermissions = map[SignalGroup]Permission{}

// Permission is an OAuth permission a vehicle owner grants an application in Smartcar
// Connect ("read_odometer", "control_security").
type Permission string

// Permission names Smartcar uses ([T] list in docs/evidence.md, Smartcar §6.4).
const (
	PermissionReadAlerts              Permission = "read_alerts"
	PermissionReadBattery             Permission = "read_battery"
	PermissionReadCharge              Permission = "read_charge"
	PermissionReadChargeLocations     Permission = "read_charge_locations"
	PermissionReadChargeRecords       Permission = "read_charge_records"
	PermissionReadChargeEvents        Permission = "read_charge_events"
	PermissionReadClimate             Permission = "read_climate"
	PermissionReadCompass             Permission = "read_compass"
	PermissionReadDiagnostics         Permission = "read_diagnostics"
	PermissionReadEngineOil           Permission = "read_engine_oil"
	PermissionReadExtendedVehicleInfo Permission = "read_extended_vehicle_info"
	PermissionReadFuel                Permission = "read_fuel"
	PermissionReadLocation            Permission = "read_location"
	PermissionReadOdometer            Permission = "read_odometer"
	PermissionReadSecurity            Permission = "read_security"
	PermissionReadServiceHistory      Permission = "read_service_history"
	PermissionReadSpeedometer         Permission = "read_speedometer"
	PermissionReadThermometer         Permission = "read_thermometer"
	PermissionReadTires               Permission = "read_tires"
	PermissionReadUserProfile         Permission = "read_user_profile"
	PermissionReadVehicleInfo         Permission = "read_vehicle_info"
	PermissionReadVIN                 Permission = "read_vin"
	PermissionControlCharge           Permission = "control_charge"
	PermissionControlClimate          Permission = "control_climate"
	PermissionControlNavigation       Permission = "control_navigation"
	PermissionControlSecurity         Permission = "control_security"
	PermissionControlPin              Permission = "control_pin"
	PermissionControlTrunk            Permission = "control_trunk"
)
