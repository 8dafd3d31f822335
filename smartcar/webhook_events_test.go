package smartcar_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func decodeFixture(t *testing.T, name string) smartcar.WebhookEvent {
	t.Helper()
	ev, err := smartcar.DecodeWebhookEvent(webhookFixture(t, name))
	require.NoError(t, err)
	return ev
}

func TestDecodeVehicleState(t *testing.T) {
	ev, ok := decodeFixture(t, "vehicle_state_v4.json").(*smartcar.VehicleStateEvent)
	require.True(t, ok)
	assert.Equal(t, "bead8cd7-1b8e-4e8a-9f0c-3d2e1f0a9b8c", ev.EventID)
	assert.Equal(t, smartcar.EventVehicleState, ev.Type)
	assert.Equal(t, "a1d50709-3e2f-4c1b-8a9d-0e1f2a3b4c5d", ev.VehicleID)
	assert.Equal(t, "4.0", ev.Version)
	assert.Equal(t, smartcar.WebhookModeLive, ev.Mode)
	assert.False(t, ev.Test())
	assert.Equal(t, time.UnixMilli(1780222662654).UTC(), ev.DeliveredAt.UTC())
	assert.Equal(t, 4, ev.SignalCount)
	assert.Equal(t, smartcar.WebhookVehicle{ID: "a1d50709-3e2f-4c1b-8a9d-0e1f2a3b4c5d", Make: "VOLKSWAGEN", Model: "ID.7", Year: 2025, Mode: smartcar.ModeLive}, ev.Vehicle)
	assert.Equal(t, "218eda3b-5c1f-4a6e-9d38-0a6c1e2f4b01", ev.User.ID)
	assert.Equal(t, []smartcar.Trigger{
		{Type: smartcar.TriggerSignalUpdated, Signal: smartcar.SignalRef{Code: smartcar.SignalChargeIsCharging, Name: "IsCharging", Group: "Charge"}},
		{Type: smartcar.TriggerFirstDelivery},
	}, ev.Triggers)
	require.Len(t, ev.Signals, 4)
	soc, ok := ev.Signal(smartcar.SignalTractionBatteryStateOfCharge)
	require.True(t, ok)
	assert.Equal(t, smartcar.UnitValue{Value: 80, Unit: "percent"}, soc.Value)
	assert.Equal(t, ev.VehicleID, soc.VehicleID)
	rate, _ := ev.Signal(smartcar.SignalChargeChargeRate)
	assert.Equal(t, telematics.SignalStatusError, rate.Status)
	assert.Equal(t, smartcar.ErrorCode("NOT_CHARGING"), rate.Error.Code)
	nick, _ := ev.Signal("vehicleidentification-nickname")
	assert.Equal(t, smartcar.TextValue{Value: "Grüner Blitz ⚡ – «ID.7»"}, nick.Value)
	pos := ev.Positions()
	require.Len(t, pos, 1)
	assert.Equal(t, telematics.Position{VehicleID: ev.VehicleID, Provider: "smartcar", Latitude: 52.52, Longitude: 13.405, Heading: 1, Known: telematics.HasHeading,
		Time: time.UnixMilli(1780222500000).UTC()}, pos[0])
	assert.Contains(t, ev.String(), "VEHICLE_STATE LIVE vehicle a1d50709")
}

// The documented variations: flattened triggers, no vehicleId, RFC 3339 times, TEST mode,
// an error signal without meta.
func TestDecodeVehicleStateVariations(t *testing.T) {
	ev, ok := decodeFixture(t, "vehicle_state_flat_triggers.json").(*smartcar.VehicleStateEvent)
	require.True(t, ok)
	assert.Equal(t, "5e8f2a1b-6c3d-4e7f-9a0b-1c2d3e4f5a03", ev.VehicleID, "from data.vehicle.id")
	assert.True(t, ev.Test())
	assert.Equal(t, time.Date(2026, 6, 30, 0, 0, 1, 5e8, time.UTC), ev.DeliveredAt)
	assert.Equal(t, []smartcar.Trigger{
		{Type: smartcar.TriggerSignalUpdated, Signal: smartcar.SignalRef{Code: "closure-islocked", Name: "IsLocked", Group: "Closure"}},
		{Type: smartcar.TriggerFirstDelivery},
	}, ev.Triggers)
	locked, _ := ev.Signal("closure-islocked")
	assert.Equal(t, time.Date(2026, 6, 29, 23, 55, 0, 0, time.UTC), locked.OEMUpdatedAt)
	assert.Equal(t, time.Date(2026, 6, 29, 23, 57, 0, 0, time.UTC), locked.FetchedAt)
	sunroof, _ := ev.Signal("closure-sunroof")
	assert.True(t, sunroof.OEMUpdatedAt.IsZero())
	assert.Equal(t, smartcar.ErrorCode("VEHICLE_NOT_CAPABLE"), sunroof.Error.Code)
	assert.Empty(t, ev.Positions())
}

func TestDecodeVehicleError(t *testing.T) {
	ev, ok := decodeFixture(t, "vehicle_error_v4.json").(*smartcar.VehicleErrorEvent)
	require.True(t, ok)
	require.Len(t, ev.Errors, 2)
	e := ev.Errors[0]
	assert.Equal(t, smartcar.ErrorType("COMPATIBILITY"), e.Type)
	assert.Equal(t, smartcar.ErrorCode("VEHICLE_NOT_CAPABLE"), e.Code)
	assert.Equal(t, smartcar.ResolutionContactSupport, e.Resolution)
	assert.Equal(t, "Your car can't do this.", e.SuggestedUserMessage)
	assert.Contains(t, e.DocURL, "compatibility-errors")
	assert.False(t, e.Resolved())
	assert.Equal(t, []smartcar.SignalRef{{Code: "location-preciselocation", Name: "PreciseLocation", Group: "Location"}}, e.Signals)
	assert.True(t, ev.Errors[1].Resolved())
	assert.Empty(t, ev.Errors[1].Resolution, "resolution.type null")
	assert.Equal(t, "TESLA", ev.Vehicle.Make)
}

func TestDecodeLegacyAndUnknown(t *testing.T) {
	v, ok := decodeFixture(t, "verify_v2.json").(*smartcar.VerifyEvent)
	require.True(t, ok)
	assert.Equal(t, "legacy-challenge-0001", v.Challenge)
	assert.Equal(t, "2.0", v.Version)

	v4, ok := decodeFixture(t, "verify_v4.json").(*smartcar.VerifyEvent)
	require.True(t, ok)
	assert.Equal(t, "3a8b1c2d-challenge-7e6f", v4.Challenge)
	assert.Equal(t, time.Date(2025, 7, 31, 19, 38, 42, 332e6, time.UTC), v4.DeliveredAt)

	u, ok := decodeFixture(t, "schedule_v2.json").(*smartcar.UnknownWebhookEvent)
	require.True(t, ok)
	assert.Equal(t, "2.0", u.Version)
	assert.Equal(t, smartcar.WebhookEventType("schedule"), u.Type)
	assert.Equal(t, webhookFixture(t, "schedule_v2.json"), []byte(u.Raw))

	v3, ok := decodeFixture(t, "vehicle_state_v3.json").(*smartcar.VehicleStateEvent)
	require.True(t, ok)
	assert.Equal(t, "3.0", v3.Version)
	require.Len(t, v3.Signals, 1)
	assert.Equal(t, telematics.SignalStatusSuccess, v3.Signals[0].Status, "3.0 signals have no status")

	other, err := smartcar.DecodeWebhookEvent([]byte(`{"eventId":"x","eventType":"VEHICLE_FUTURE","data":{}}`))
	require.NoError(t, err)
	assert.IsType(t, &smartcar.UnknownWebhookEvent{}, other)
}

func TestDecodeMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"empty":         ``,
		"array":         `[1,2]`,
		"truncated":     `{"eventId":"x","eventType":"VEHICLE_STATE"`,
		"no type":       `{"eventId":"x"}`,
		"data a string": `{"eventId":"x","eventType":"VEHICLE_STATE","data":"nope"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := smartcar.DecodeWebhookEvent([]byte(body))
			assert.ErrorIs(t, err, smartcar.ErrMalformedWebhook)
			assert.ErrorIs(t, err, telematics.ErrInvalidInput)
		})
	}
	// One malformed signal costs only itself.
	ev, err := smartcar.DecodeWebhookEvent([]byte(`{"eventId":"x","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[{"code":"closure-islocked","body":{"value":true},"status":{"value":"SUCCESS"}},{"code":7,"meta":"x"}]}}`))
	require.NoError(t, err)
	require.Len(t, ev.(*smartcar.VehicleStateEvent).Signals, 2)
	assert.Equal(t, smartcar.BoolValue{Value: true}, ev.(*smartcar.VehicleStateEvent).Signals[0].Value)
}
