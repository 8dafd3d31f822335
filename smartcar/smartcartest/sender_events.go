package smartcartest

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"
)

// eventSeq numbers the ids of events built without one.
var eventSeq atomic.Int64

// NewEventID returns a fresh event id in UUID form.
func NewEventID() string {
	return fmt.Sprintf("e0e0e0e0-0000-4000-8000-%012d", eventSeq.Add(1))
}

// VerifyEvent is a VERIFY event (payload version 4.0) carrying challenge.
func VerifyEvent(challenge string) Event {
	id := NewEventID()
	return Event{EventID: id, Type: "VERIFY", Body: mustJSON(map[string]any{
		"eventId": id, "eventType": "VERIFY", "data": map[string]any{"challenge": challenge},
		"meta": map[string]any{"version": "4.0", "webhookId": WebhookID, "webhookName": "Example Webhook",
			"deliveryId": NewEventID(), "deliveredAt": isoTime(Epoch)},
	})}
}

// VehicleStateEvent builds a VEHICLE_STATE event (payload version 4.0, mode LIVE) with
// every signal of a simulated vehicle as a read would return it now (a driving
// vehicle's location where it is on the server's clock), each updated at updated (zero:
// as read), triggered by the location and delivered at the server's clock time (or
// shortly after updated). ok is false for an unknown vehicle. An empty eventID gets a
// fresh one.
func (s *Server) VehicleStateEvent(eventID, vehicleID string, updated time.Time) (ev Event, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.vehicleByID(vehicleID)
	if v == nil {
		return Event{}, false
	}
	if eventID == "" {
		eventID = NewEventID()
	}
	now := s.clock.Now()
	signals := make([]any, 0, len(v.signals))
	for _, sig := range v.signals {
		sig = v.current(sig, now)
		status := map[string]any{"value": sig.Status}
		if sig.Status == "ERROR" {
			status["error"] = map[string]any{"type": sig.ErrorType, "code": nullable(sig.ErrorCode)}
		}
		m := map[string]any{"code": sig.Code, "name": sig.Name, "group": sig.Group, "status": status}
		if sig.Body != nil {
			t := sig.OEMUpdatedAt
			if !updated.IsZero() {
				t = updated
			}
			m["body"] = sig.Body
			m["meta"] = map[string]any{"oemUpdatedAt": t.UnixMilli(), "retrievedAt": t.Add(2 * time.Second).UnixMilli()}
		}
		signals = append(signals, m)
	}
	delivered := now
	if !updated.IsZero() {
		delivered = updated.Add(3 * time.Second)
	}
	return Event{EventID: eventID, Type: "VEHICLE_STATE", VehicleID: vehicleID, Body: mustJSON(map[string]any{
		"eventId": eventID, "eventType": "VEHICLE_STATE", "vehicleId": vehicleID,
		"data": map[string]any{
			"user":    map[string]any{"id": v.owner},
			"vehicle": map[string]any{"id": v.id, "make": v.make, "model": v.model, "year": v.year, "mode": v.mode, "powertrainType": nullable(v.powertrain)},
			"signals": signals,
		},
		"triggers": []any{map[string]any{"type": "SIGNAL_UPDATED", "signal": map[string]any{"code": "location-preciselocation", "name": "PreciseLocation", "group": "Location"}}},
		"meta": map[string]any{"version": "4.0", "webhookId": WebhookID, "webhookName": "Example Webhook", "deliveryId": NewEventID(),
			"deliveredAt": delivered.UnixMilli(), "mode": "LIVE", "signalCount": len(signals)},
	})}, true
}

// VehicleErrorEvent builds a VEHICLE_ERROR event (payload version 4.0) of a simulated
// vehicle with one error of the given type and code in state ERROR or RESOLVED,
// affecting the location signal. ok is false for an unknown vehicle.
func (s *Server) VehicleErrorEvent(eventID, vehicleID, errType, code, state string) (ev Event, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.vehicleByID(vehicleID)
	if v == nil {
		return Event{}, false
	}
	if eventID == "" {
		eventID = NewEventID()
	}
	return Event{EventID: eventID, Type: "VEHICLE_ERROR", VehicleID: vehicleID, Body: mustJSON(map[string]any{
		"eventId": eventID, "eventType": "VEHICLE_ERROR", "vehicleId": vehicleID,
		"data": map[string]any{
			"user":    map[string]any{"id": v.owner},
			"vehicle": map[string]any{"id": v.id, "make": v.make, "model": v.model, "year": v.year},
			"errors": []any{map[string]any{"type": errType, "code": nullable(code), "state": state,
				"description": "The vehicle reported " + code + ".", "resolution": map[string]any{"type": nil},
				"signals": []any{map[string]any{"code": "location-preciselocation", "name": "PreciseLocation", "group": "Location"}}}},
		},
		"meta": map[string]any{"version": "4.0", "webhookId": OtherWebhookID, "webhookName": "Fleet errors", "deliveryId": NewEventID(),
			"deliveredAt": Epoch.UnixMilli(), "mode": "LIVE"},
	})}, true
}

// VehicleIDs returns the ids of the simulated vehicles, in the fleet's order.
func (s *Server) VehicleIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, len(s.vehicles))
	for i, v := range s.vehicles {
		ids[i] = v.id
	}
	return ids
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
