package smartcar

// Every path of both APIs, relative to their roots (docs/evidence.md, Smartcar §4–5).
// A correction from Smartcar's OpenAPI documents is a one-line change here.
const (
	// Vehicle API.
	pathConnections    = "/connections"
	pathConnection     = "/connections/%s"
	pathUser           = "/users/%s"
	pathVehicle        = "/vehicles/%s"
	pathSignals        = "/vehicles/%s/signals"
	pathSignal         = "/vehicles/%s/signals/%s"
	pathChargeStart    = "/vehicles/%s/commands/charge/start"
	pathChargeStop     = "/vehicles/%s/commands/charge/stop"
	pathChargeSetLimit = "/vehicles/%s/commands/charge/set-limit"
	pathLock           = "/vehicles/%s/commands/security/lock"
	pathUnlock         = "/vehicles/%s/commands/security/unlock"
	pathSetDestination = "/vehicles/%s/commands/navigation/set-destination"
	// Charge schedules: daily is documented [C]; weekly, workweek and the delete are
	// listed by a third party [T].
	pathScheduleDaily    = "/vehicles/%s/charge-schedules/daily"
	pathScheduleWeekly   = "/vehicles/%s/charge-schedules/weekly"
	pathScheduleWorkweek = "/vehicles/%s/charge-schedules/workweek"
	pathSchedule         = "/vehicles/%s/charge-schedules/%s"

	// Management API.
	pathSubscriptions = "/subscriptions"
	pathSubscription  = "/subscriptions/%s"
	pathWebhooks      = "/webhooks"
	pathWebhook       = "/webhooks/%s"
)

// Query parameters of the list endpoints (JSON:API filter and page families).
const (
	filterUserID         = "filter[userId]"
	filterVehicleID      = "filter[vehicleId]"
	filterVehicleMode    = "filter[vehicle.mode]"
	filterUserExternalID = "filter[user.externalId]"
	filterWebhookID      = "filter[webhookId]"
	filterName           = "filter[name]"
	filterCallbackURI    = "filter[callbackUri]"
	filterIsEnabled      = "filter[isEnabled]"
	filterAutoSubscribe  = "filter[autoSubscribe]"
)
