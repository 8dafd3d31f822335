package smartcar

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
)

// CommandsService sends commands to vehicles. Every command needs the vehicle owner's
// WithUserID.
//
// A command is never repeated by the SDK once it may have reached Smartcar: unlocking or
// starting a charge twice is not harmless. When a command fails in a way that leaves its
// outcome open (the connection dropped after the request was written, a 5xx other than
// 501 and 503) its error says so: telematics.MayHaveSucceeded(err) is true, and the vehicle's state
// should be read (Signals.Get) before trying again. Refusals (4xx, including 409 vehicle
// state, 429 rate limits and 430 billing) report false.
//
// Smartcar documents no idempotency key for commands, so a command carrying an
// Idempotency-Key header (WithHeader) is refused before sending: net/http would replay
// such a request on a broken connection, and the vehicle could receive it twice.
//
// Each command may run for minutes: its attempt timeout is DefaultCommandTimeout (see
// WithCommandTimeout), and the context passed in bounds it as well.
type CommandsService service

// Charge limit bounds Smartcar accepts ([T] in docs/evidence.md).
const (
	MinChargeLimit = 50
	MaxChargeLimit = 100
)

// Status values of a command execution. Smartcar documents SUCCESS; ERROR is the status
// of a failed signal reading, assumed to be that of a failed command too ([U] in
// docs/evidence.md). Others may appear.
const (
	CommandStatusSuccess = "SUCCESS"
	CommandStatusError   = "ERROR"
)

// CommandExecution is Smartcar's record of a command: what was asked, its status and
// timing.
type CommandExecution struct {
	ID string
	// Type is the command ("charge-set-limit", "security-unlock").
	Type string
	// Status is the outcome as the body reported it ("SUCCESS"); Error, its error when
	// the body reported one. Smartcar does not document the shape of a failed
	// execution: the SDK assumes it is like a failed signal's, an error object in
	// attributes.status.error ([U] in docs/evidence.md).
	Status string
	Error  *ErrorDetail
	// ExecutionMode is how Smartcar ran it ("sync").
	ExecutionMode string
	// Parameters are the command's parameters as Smartcar recorded them.
	Parameters json.RawMessage
	// ExecutedAt, CompletedAt and Duration time the execution (zero when not sent).
	ExecutedAt  time.Time
	CompletedAt time.Time
	Duration    time.Duration
	// HTTPStatus is 200 for a command that completed within the request, 202 for a
	// long-running one (Smartcar documents both): 202 alone never means success, Status
	// does.
	HTTPStatus int
	// Raw is the execution resource as received.
	Raw json.RawMessage
}

// Succeeded reports whether the body said the command succeeded.
func (e *CommandExecution) Succeeded() bool { return strings.EqualFold(e.Status, CommandStatusSuccess) }

// LongRunning reports whether Smartcar answered 202, which it documents as "in process
// but long-running". Status still tells the outcome. A third-party write-up ([T] in
// docs/evidence.md) says commands that take longer than about 175 s answer 202 and deliver
// the final result on the same connection; the SDK relies only on the status code.
func (e *CommandExecution) LongRunning() bool { return e.HTTPStatus == http.StatusAccepted }

// CommandError reports a command whose execution record says it failed: Smartcar
// answered 200 or 202 with the status ERROR or an error in the body's status. It carries
// the record and matches the telematics sentinels of its error type, like an APIError
// (none when the record names no error). Smartcar does not document a failed execution;
// the SDK assumes the shape of a failed signal (see CommandExecution.Status).
type CommandError struct {
	Execution *CommandExecution
	Method    string
	URL       string
}

// Error describes the failed command without credentials.
func (e *CommandError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s: command %s", Provider, e.Method, e.URL, clean(e.Execution.Type))
	if e.Execution.Status != "" {
		b.WriteString(" " + clean(e.Execution.Status))
	}
	if d := e.Execution.Error; d != nil {
		b.WriteString(": " + kind(d.Type, d.Code))
		if m := d.Message(); m != "" {
			b.WriteString(": " + clean(m))
		}
	} else {
		b.WriteString(": the execution record gives no reason")
	}
	if e.Execution.ID != "" {
		b.WriteString(" (execution " + clean(e.Execution.ID) + ")")
	}
	return b.String()
}

// Is matches the sentinels of the execution's error type (see APIError.Is).
func (e *CommandError) Is(target error) bool {
	if d := e.Execution.Error; d != nil {
		return d.Is(target)
	}
	return false
}

// MayHaveSucceeded is false: the body reported the outcome.
func (e *CommandError) MayHaveSucceeded() bool { return false }

func (e *CommandError) class() (ErrorType, ErrorCode, ResolutionType) {
	if d := e.Execution.Error; d != nil {
		return d.class()
	}
	return "", "", ""
}

type wireCommand struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes struct {
		CommandType   string          `json:"commandType"`
		Status        wireStatus      `json:"status"`
		ExecutionMode string          `json:"executionMode"`
		Parameters    json.RawMessage `json:"parameters"`
		// A charge-schedule execution's.
		Action       string `json:"action"`
		ScheduleType string `json:"scheduleType"`
		ScheduleID   string `json:"scheduleId"`
	} `json:"attributes"`
	Links struct {
		Schedule link `json:"schedule"`
	} `json:"links"`
	Meta struct {
		ExecutedAt        timestamp       `json:"executedAt"`
		CompletedAt       timestamp       `json:"completedAt"`
		DurationInSeconds json.RawMessage `json:"durationInSeconds"`
	} `json:"meta"`
}

// UnmarshalJSON decodes a command execution resource as the Vehicle API sends it,
// keeping Raw. HTTPStatus, a property of the answer rather than of the resource, stays 0.
func (e *CommandExecution) UnmarshalJSON(b []byte) error {
	return unmarshalModel(b, e, commandFromWire)
}

func commandFromWire(w *wireCommand, raw json.RawMessage) CommandExecution {
	e := CommandExecution{
		ID:            w.ID,
		Type:          w.Attributes.CommandType,
		Status:        w.Attributes.Status.Value,
		ExecutionMode: w.Attributes.ExecutionMode,
		Parameters:    w.Attributes.Parameters,
		ExecutedAt:    w.Meta.ExecutedAt.Time,
		CompletedAt:   w.Meta.CompletedAt.Time,
		Raw:           raw,
	}
	if f, ok := number(w.Meta.DurationInSeconds); ok && f >= 0 && f < math.MaxInt64/float64(time.Second) {
		e.Duration = time.Duration(math.Round(f * float64(time.Second)))
	}
	if w.Attributes.Status.Error != nil {
		d := w.Attributes.Status.Error.detail()
		e.Error = &d
	}
	return e
}

// MarshalJSON encodes the execution as the Vehicle API sends it: {"id", "type",
// "attributes": {"commandType", "status": {"value", "error"}, "executionMode",
// "parameters"}, "meta": {"executedAt", "completedAt" (RFC 3339), "durationInSeconds"}}.
// HTTPStatus and Raw are not encoded.
func (e CommandExecution) MarshalJSON() ([]byte, error) {
	type status struct {
		Value string    `json:"value,omitempty"`
		Error *outError `json:"error,omitempty"`
	}
	type attributes struct {
		CommandType   string          `json:"commandType,omitempty"`
		Status        status          `json:"status"`
		ExecutionMode string          `json:"executionMode,omitempty"`
		Parameters    json.RawMessage `json:"parameters,omitempty"`
	}
	type meta struct {
		ExecutedAt        *time.Time `json:"executedAt,omitempty"`
		CompletedAt       *time.Time `json:"completedAt,omitempty"`
		DurationInSeconds float64    `json:"durationInSeconds,omitempty"`
	}
	return json.Marshal(struct {
		ID         string     `json:"id"`
		Type       string     `json:"type"`
		Attributes attributes `json:"attributes"`
		Meta       meta       `json:"meta"`
	}{
		ID: e.ID, Type: "command-execution",
		Attributes: attributes{e.Type, status{e.Status, errorOut(e.Error)}, e.ExecutionMode, e.Parameters},
		Meta:       meta{outTime(e.ExecutedAt), outTime(e.CompletedAt), e.Duration.Seconds()},
	})
}

// send posts a command and decodes its execution record.
func (s *CommandsService) send(ctx context.Context, format, vehicleID string, body any, opts []RequestOption) (*CommandExecution, error) {
	path, err := httpcore.Path(format, vehicleID)
	if err != nil {
		return nil, invalid(err)
	}
	exec, _, err := execute(ctx, s.c, http.MethodPost, path, body, opts)
	return exec, err
}

// execute sends a command or schedule request and decodes its execution record: a
// CommandError when the record reports a failure, a RequestError when there is none.
func execute(ctx context.Context, c *Client, method, path string, body any, opts []RequestOption) (*CommandExecution, *wireCommand, error) {
	var doc wireOne[json.RawMessage]
	resp, err := c.do(ctx, call{api: c.vehicleAPI, method: method, path: path, body: body, needUser: true, command: true}, &doc, opts)
	if err != nil {
		return nil, nil, err
	}
	var w wireCommand
	if doc.Data == nil || len(*doc.Data) == 0 || string(*doc.Data) == "null" || json.Unmarshal(*doc.Data, &w) != nil {
		// Smartcar accepted the command but said nothing of its outcome.
		return nil, nil, malformedAt(resp, malformed("command response with status %d has no execution record", resp.StatusCode))
	}
	e := commandFromWire(&w, keepRaw(*doc.Data))
	exec := &e
	exec.HTTPStatus = resp.StatusCode
	if exec.Error != nil || strings.EqualFold(exec.Status, CommandStatusError) {
		return exec, &w, &CommandError{Execution: exec, Method: resp.Method, URL: resp.URL}
	}
	return exec, &w, nil
}

// StartCharge starts charging the vehicle.
func (s *CommandsService) StartCharge(ctx context.Context, vehicleID string, opts ...RequestOption) (*CommandExecution, error) {
	return s.send(ctx, pathChargeStart, vehicleID, nil, opts)
}

// StopCharge stops charging the vehicle.
func (s *CommandsService) StopCharge(ctx context.Context, vehicleID string, opts ...RequestOption) (*CommandExecution, error) {
	return s.send(ctx, pathChargeStop, vehicleID, nil, opts)
}

// SetChargeLimit sets the vehicle's charge limit, in percent from MinChargeLimit to
// MaxChargeLimit; other values fail with telematics.ErrInvalidInput before sending.
func (s *CommandsService) SetChargeLimit(ctx context.Context, vehicleID string, percent int, opts ...RequestOption) (*CommandExecution, error) {
	if percent < MinChargeLimit || percent > MaxChargeLimit {
		return nil, invalidf("charge limit %d%% is outside %d–%d%%", percent, MinChargeLimit, MaxChargeLimit)
	}
	return s.send(ctx, pathChargeSetLimit, vehicleID, attributes(map[string]any{"percent": percent}), opts)
}

// Lock locks the vehicle.
func (s *CommandsService) Lock(ctx context.Context, vehicleID string, opts ...RequestOption) (*CommandExecution, error) {
	return s.send(ctx, pathLock, vehicleID, nil, opts)
}

// Unlock unlocks the vehicle.
func (s *CommandsService) Unlock(ctx context.Context, vehicleID string, opts ...RequestOption) (*CommandExecution, error) {
	return s.send(ctx, pathUnlock, vehicleID, nil, opts)
}

// SetDestination sends a destination to the vehicle's navigation system. Coordinates
// outside WGS 84 bounds fail with telematics.ErrInvalidInput before sending.
func (s *CommandsService) SetDestination(ctx context.Context, vehicleID string, latitude, longitude float64, opts ...RequestOption) (*CommandExecution, error) {
	if math.IsNaN(latitude) || latitude < -90 || latitude > 90 || math.IsNaN(longitude) || longitude < -180 || longitude > 180 {
		return nil, invalidf("destination %v, %v is not a WGS 84 latitude and longitude", latitude, longitude)
	}
	return s.send(ctx, pathSetDestination, vehicleID, attributes(map[string]any{"latitude": latitude, "longitude": longitude}), opts)
}

// attributes wraps a command's parameters in the JSON:API request document.
func attributes(a map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"attributes": a}}
}
