package smartcar

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// WebhookEventType is a webhook event's eventType.
type WebhookEventType string

// The event types of payload version 4.0 ([C], docs/evidence.md Smartcar §9).
const (
	EventVerify       WebhookEventType = "VERIFY"
	EventVehicleState WebhookEventType = "VEHICLE_STATE"
	EventVehicleError WebhookEventType = "VEHICLE_ERROR"
)

// WebhookMode is a delivery's meta.mode: LIVE for real vehicles, TEST for the
// Dashboard's test deliveries ([R]).
type WebhookMode string

// The delivery modes.
const (
	WebhookModeLive WebhookMode = "LIVE"
	WebhookModeTest WebhookMode = "TEST"
)

// ErrMalformedWebhook: a delivery's body is not a Smartcar webhook event (not a JSON
// object, or neither an eventType nor a legacy eventName). It matches
// telematics.ErrInvalidInput; the handler answers it with 400.
var ErrMalformedWebhook = &webhookError{msg: "webhook: malformed event", kind: telematics.ErrInvalidInput}

// WebhookEvent is one decoded webhook delivery: a *VerifyEvent, *VehicleStateEvent,
// *VehicleErrorEvent or *UnknownWebhookEvent (an event type this package does not know,
// or a legacy payload it passes on raw). Switch on the type:
//
//	switch ev := ev.(type) {
//	case *smartcar.VehicleStateEvent:
//		for _, s := range ev.Signals { ... }
//	case *smartcar.VehicleErrorEvent:
//	}
type WebhookEvent interface {
	// Envelope returns what every event has: ids, type, version, mode, times, raw body.
	Envelope() *WebhookEnvelope
	isWebhookEvent()
}

// WebhookEnvelope is the part every webhook event shares.
type WebhookEnvelope struct {
	// EventID is stable across Smartcar's retries of one event: the key of
	// deduplication.
	EventID string
	Type    WebhookEventType
	// VehicleID is the top-level vehicleId or, where a payload lacks it ([R]),
	// data.vehicle.id.
	VehicleID string
	// Version is the payload version ("4.0"; "3.0" and "2.0" for legacy payloads).
	Version     string
	WebhookID   string
	WebhookName string
	// DeliveryID differs between retries of one event.
	DeliveryID string
	// DeliveredAt is meta.deliveredAt (epoch milliseconds or RFC 3339).
	DeliveredAt time.Time
	Mode        WebhookMode
	// SignalCount is meta.signalCount, when sent.
	SignalCount int
	// Raw is the body as received: the bytes the signature covers. It must not be
	// modified.
	Raw json.RawMessage
}

// Envelope returns e.
func (e *WebhookEnvelope) Envelope() *WebhookEnvelope { return e }

// Test reports whether the delivery is Dashboard test traffic (meta.mode TEST).
func (e *WebhookEnvelope) Test() bool {
	return strings.EqualFold(string(e.Mode), string(WebhookModeTest))
}

// VerifyEvent is the one-time VERIFY event of a new or changed webhook. The handler
// answers it itself (HashChallenge); subscribers do not receive it.
type VerifyEvent struct {
	WebhookEnvelope
	Challenge string
}

// WebhookUser is the vehicle owner an event is about.
type WebhookUser struct {
	ID string
	// ExternalID is the application's own id of the user, when sent ([T]).
	ExternalID string
}

// WebhookVehicle is the vehicle an event is about, as data.vehicle describes it.
type WebhookVehicle struct {
	ID, Make, Model string
	Year            int
	// Mode is the vehicle's mode (live, simulated); PowertrainType may be empty.
	Mode           VehicleMode
	PowertrainType string
}

// SignalRef names a signal without its value (in triggers and errors).
type SignalRef struct {
	Code  SignalCode
	Name  string
	Group SignalGroup
}

// Trigger is why a VEHICLE_STATE was sent: TriggerSignalUpdated with the signal, or
// TriggerFirstDelivery after a vehicle was subscribed.
type Trigger struct {
	Type string
	// Signal is the signal that changed (empty for a first delivery).
	Signal SignalRef
}

// The trigger types Smartcar documents.
const (
	TriggerSignalUpdated = "SIGNAL_UPDATED"
	TriggerFirstDelivery = "FIRST_DELIVERY"
)

// VehicleStateEvent is a VEHICLE_STATE event: every signal the webhook subscribes to,
// whether it changed or not, and the triggers that caused the delivery.
type VehicleStateEvent struct {
	WebhookEnvelope
	User     WebhookUser
	Vehicle  WebhookVehicle
	Signals  []WebhookSignal
	Triggers []Trigger
}

// WebhookSignal is a signal of a VEHICLE_STATE event. Stale is set by the handler when
// a value of the same signal of the same vehicle with a later oemUpdatedAt was already
// delivered (Smartcar does not order deliveries): a stale value is history, never the
// current value.
type WebhookSignal struct {
	Signal
	Stale bool
}

// Signal returns the event's signal with the code, if it has it.
func (e *VehicleStateEvent) Signal(code SignalCode) (*WebhookSignal, bool) {
	for i := range e.Signals {
		if e.Signals[i].Code == code {
			return &e.Signals[i], true
		}
	}
	return nil, false
}

// Positions returns the current (not stale) locations of the event as
// telematics.Position values, Provider "smartcar".
func (e *VehicleStateEvent) Positions() []telematics.Position {
	var out []telematics.Position
	for i := range e.Signals {
		if s := &e.Signals[i]; !s.Stale && s.OK() {
			if p, ok := s.Position(); ok && p.Valid() {
				out = append(out, p)
			}
		}
	}
	return out
}

// VehicleErrorEvent is a VEHICLE_ERROR event: errors that started (State ERROR) or
// cleared (State RESOLVED) on a vehicle.
type VehicleErrorEvent struct {
	WebhookEnvelope
	User    WebhookUser
	Vehicle WebhookVehicle
	Errors  []VehicleError
}

// VehicleError is one error of a VEHICLE_ERROR event.
type VehicleError struct {
	// ErrorDetail holds the type, code, description, suggested user message,
	// documentation link and resolution (empty when Smartcar sends null).
	ErrorDetail
	// State is ERROR while the condition lasts and RESOLVED once it cleared.
	State string
	// Signals are the signals the error affects.
	Signals []SignalRef
}

// Resolved reports whether the error cleared.
func (e *VehicleError) Resolved() bool { return strings.EqualFold(e.State, "RESOLVED") }

// UnknownWebhookEvent is an event this package does not decode: an unknown eventType, or
// a legacy payload (version 2.0 events other than verify) passed on raw with its
// version. Raw holds the body.
type UnknownWebhookEvent struct {
	WebhookEnvelope
}

func (*VerifyEvent) isWebhookEvent()         {}
func (*VehicleStateEvent) isWebhookEvent()   {}
func (*VehicleErrorEvent) isWebhookEvent()   {}
func (*UnknownWebhookEvent) isWebhookEvent() {}

// Wire forms.

type wireWebhookEvent struct {
	EventID   string        `json:"eventId"`
	EventType string        `json:"eventType"`
	VehicleID string        `json:"vehicleId"`
	Data      wireEventData `json:"data"`
	Triggers  []wireTrigger `json:"triggers"`
	Meta      struct {
		Version     string    `json:"version"`
		WebhookID   string    `json:"webhookId"`
		WebhookName string    `json:"webhookName"`
		DeliveryID  string    `json:"deliveryId"`
		DeliveredAt timestamp `json:"deliveredAt"`
		Mode        string    `json:"mode"`
		SignalCount flexInt   `json:"signalCount"`
	} `json:"meta"`
	// The legacy 2.0 form: {"version", "webhookId", "eventName", "mode", "payload"}.
	Version   string          `json:"version"`
	WebhookID string          `json:"webhookId"`
	EventName string          `json:"eventName"`
	Mode      string          `json:"mode"`
	Payload   json.RawMessage `json:"payload"`
}

type wireEventData struct {
	Challenge string `json:"challenge"`
	User      struct {
		ID         string `json:"id"`
		ExternalID string `json:"externalId"`
	} `json:"user"`
	Vehicle struct {
		ID             string  `json:"id"`
		Make           string  `json:"make"`
		Model          string  `json:"model"`
		Year           flexInt `json:"year"`
		Mode           string  `json:"mode"`
		PowertrainType string  `json:"powertrainType"`
	} `json:"vehicle"`
	Signals  []wireHookSignal   `json:"signals"`
	Errors   []wireVehicleError `json:"errors"`
	Triggers []wireTrigger      `json:"triggers"`
}

// wireHookSignal is a signal of a webhook payload: the flat form, whose status is an
// object ({"value", "error"}), decoded without a custom decoder on the way (the
// payload is decoded in one pass) and converted by wireSignal.signal.
type wireHookSignal struct {
	Code   string          `json:"code"`
	Name   string          `json:"name"`
	Group  string          `json:"group"`
	Body   json.RawMessage `json:"body"`
	Meta   wireSignalMeta  `json:"meta"`
	Status struct {
		Value string     `json:"value"`
		Error *wireError `json:"error"`
	} `json:"status"`
}

func (h *wireHookSignal) signal() Signal {
	w := wireSignal{wireSignalFields: wireSignalFields{Code: h.Code, Name: h.Name, Group: h.Group, Body: h.Body,
		Status: wireStatus{Value: h.Status.Value, Error: h.Status.Error}}, Meta: h.Meta}
	return w.signal()
}

// wireTrigger reads both documented shapes: {"type", "signal": {"code", "name",
// "group"}} and the flattened {"code", "name", "group"} ({"code": "FIRST_DELIVERY"}
// for a first delivery) ([C], inconsistent between pages).
type wireTrigger struct {
	Type   string        `json:"type"`
	Signal wireSignalRef `json:"signal"`
	wireSignalRef
}

type wireSignalRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Group string `json:"group"`
}

func (r wireSignalRef) ref() SignalRef {
	return SignalRef{Code: SignalCode(r.Code), Name: string(r.Name), Group: SignalGroup(r.Group)}
}

func (t *wireTrigger) trigger() Trigger {
	sig := t.Signal
	if sig.Code == "" {
		sig = t.wireSignalRef
	}
	typ := string(t.Type)
	switch {
	case typ == "" && strings.EqualFold(string(sig.Code), TriggerFirstDelivery):
		typ, sig = TriggerFirstDelivery, wireSignalRef{}
	case typ == "" && sig.Code != "":
		typ = TriggerSignalUpdated // the flattened form names only the signal ([I])
	}
	return Trigger{Type: typ, Signal: sig.ref()}
}

type wireVehicleError struct {
	wireError
	State   string          `json:"state"`
	Signals []wireSignalRef `json:"signals"`
}

// DecodeWebhookEvent decodes a webhook body into its typed event without checking its
// signature (the handler checks it first; VerifySignature does it alone). It tolerates
// the documented variations: both trigger shapes, a missing vehicleId (data.vehicle.id),
// deliveredAt as epoch milliseconds or RFC 3339, signals without status (version 3.0)
// and the legacy 2.0 form (verify decoded, other events passed on as
// UnknownWebhookEvent with their version). A body that is not a webhook event fails with
// ErrMalformedWebhook. The event's Raw is body itself, not a copy.
func DecodeWebhookEvent(body []byte) (WebhookEvent, error) {
	b := bytes.TrimLeft(body, " \t\r\n")
	if len(b) == 0 || b[0] != '{' {
		return nil, fmt.Errorf("%w: the body is not a JSON object", ErrMalformedWebhook)
	}
	// One pass. A member of an unexpected type is left empty and the rest decoded
	// (encoding/json goes on after an UnmarshalTypeError), unless it is data itself.
	var w wireWebhookEvent
	if err := json.Unmarshal(body, &w); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) || te.Field == "" || te.Field == "data" {
			return nil, fmt.Errorf("%w: %s", ErrMalformedWebhook, jsonProblem(err))
		}
	}
	env := WebhookEnvelope{
		EventID:     string(w.EventID),
		Type:        WebhookEventType(w.EventType),
		VehicleID:   string(cmp.Or(w.VehicleID, w.Data.Vehicle.ID)),
		Version:     string(cmp.Or(w.Meta.Version, w.Version)),
		WebhookID:   string(cmp.Or(w.Meta.WebhookID, w.WebhookID)),
		WebhookName: string(w.Meta.WebhookName),
		DeliveryID:  string(w.Meta.DeliveryID),
		DeliveredAt: w.Meta.DeliveredAt.Time,
		Mode:        WebhookMode(strings.ToUpper(string(cmp.Or(w.Meta.Mode, w.Mode)))),
		SignalCount: int(w.Meta.SignalCount),
		Raw:         body,
	}
	if env.Type == "" {
		if w.EventName == "" {
			return nil, fmt.Errorf("%w: neither eventType nor eventName", ErrMalformedWebhook)
		}
		return decodeLegacy(env, &w), nil
	}
	user := WebhookUser{ID: string(w.Data.User.ID), ExternalID: string(w.Data.User.ExternalID)}
	v := &w.Data.Vehicle
	vehicle := WebhookVehicle{ID: string(v.ID), Make: string(v.Make), Model: string(v.Model), Year: int(v.Year), Mode: VehicleMode(v.Mode), PowertrainType: string(v.PowertrainType)}
	switch env.Type {
	case EventVerify:
		return &VerifyEvent{WebhookEnvelope: env, Challenge: string(w.Data.Challenge)}, nil
	case EventVehicleState:
		ev := &VehicleStateEvent{WebhookEnvelope: env, User: user, Vehicle: vehicle, Signals: make([]WebhookSignal, len(w.Data.Signals))}
		for i := range w.Data.Signals {
			ev.Signals[i].Signal = w.Data.Signals[i].signal()
			ev.Signals[i].VehicleID = env.VehicleID
		}
		for _, ts := range [][]wireTrigger{w.Triggers, w.Data.Triggers} {
			for i := range ts {
				ev.Triggers = append(ev.Triggers, ts[i].trigger())
			}
		}
		return ev, nil
	case EventVehicleError:
		ev := &VehicleErrorEvent{WebhookEnvelope: env, User: user, Vehicle: vehicle, Errors: make([]VehicleError, len(w.Data.Errors))}
		for i := range w.Data.Errors {
			we := &w.Data.Errors[i]
			e := VehicleError{ErrorDetail: we.detail(), State: strings.ToUpper(string(we.State))}
			for _, r := range we.Signals {
				e.Signals = append(e.Signals, r.ref())
			}
			ev.Errors[i] = e
		}
		return ev, nil
	}
	return &UnknownWebhookEvent{WebhookEnvelope: env}, nil
}

// decodeLegacy decodes a version 2.0 payload: verify into a VerifyEvent, the rest
// passed on raw.
func decodeLegacy(env WebhookEnvelope, w *wireWebhookEvent) WebhookEvent {
	env.Version = cmp.Or(env.Version, "2.0")
	if strings.EqualFold(string(w.EventName), "verify") {
		env.Type = EventVerify
		var p struct {
			Challenge flexText `json:"challenge"`
		}
		_ = json.Unmarshal(w.Payload, &p)
		return &VerifyEvent{WebhookEnvelope: env, Challenge: string(p.Challenge)}
	}
	env.Type = WebhookEventType(w.EventName)
	return &UnknownWebhookEvent{WebhookEnvelope: env}
}

// jsonProblem describes a JSON error without quoting the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%s holds a JSON %s", cmp.Or(te.Field, "the body"), te.Value)
	}
	return "invalid JSON"
}

// String formats an event in one line for logs: type, mode, vehicle, event id and,
// for a VEHICLE_STATE, its triggers and signal count.
func (e *WebhookEnvelope) String() string {
	var b strings.Builder
	b.WriteString(string(e.Type))
	if e.Mode != "" {
		b.WriteString(" " + string(e.Mode))
	}
	if e.VehicleID != "" {
		b.WriteString(" vehicle " + e.VehicleID)
	}
	b.WriteString(" event " + e.EventID)
	if e.Version != "" && e.Version != "4.0" {
		b.WriteString(" (payload " + e.Version + ")")
	}
	return b.String()
}
