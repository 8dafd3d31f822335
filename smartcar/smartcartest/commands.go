package smartcartest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"
)

// commandType names a command in its execution record. Smartcar documents
// charge-set-limit and security-unlock; the others follow the same pattern (assumed).
func commandType(r *http.Request) string {
	group, action := r.PathValue("group"), r.PathValue("action")
	if group == "charge" && action == "set-limit" {
		return "charge-set-limit"
	}
	return group + "-" + action
}

// commandAttributes reads {"data": {"attributes": {...}}}.
func commandAttributes(b []byte) (map[string]any, error) {
	if len(b) == 0 {
		return map[string]any{}, nil
	}
	var doc struct {
		Data struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if doc.Data.Attributes == nil {
		return map[string]any{}, nil
	}
	return doc.Data.Attributes, nil
}

// execution builds a command-execution resource. Callers hold s.mu.
func (s *Server) execution(vehicleID, typ, mode, status string, params map[string]any, now time.Time) map[string]any {
	s.seq++
	if params == nil {
		params = map[string]any{}
	}
	return map[string]any{
		"id": fmt.Sprintf("exec_%010d", s.seq), "type": "command-execution",
		"attributes": map[string]any{"commandType": typ, "status": map[string]any{"value": status}, "executionMode": mode, "parameters": params},
		"meta":       map[string]any{"executedAt": isoTime(now), "completedAt": isoTime(now.Add(2 * time.Second)), "durationInSeconds": 2},
	}
}

func (s *Server) command(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	params, err := commandAttributes(rc.body)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, badParameter("The request body is not a JSON:API document."))
		return
	}
	s.mu.Lock()
	v := s.connected(w, rc, r.PathValue("vehicleID"), true)
	if v == nil {
		s.mu.Unlock()
		return
	}
	typ := commandType(r)
	apply, status, e := s.plan(v, typ, params)
	if e != nil {
		s.mu.Unlock()
		s.writeError(w, status, *e)
		return
	}
	if v.asleep {
		s.mu.Unlock()
		s.writeError(w, http.StatusConflict, apiErr{Type: "VEHICLE_STATE", Code: "ASLEEP", Title: "Asleep", Resolution: "RETRY_LATER",
			Detail: "The vehicle is asleep and cannot respond to this request."})
		return
	}
	if !v.longRunning {
		apply(rc.now)
		exec := s.execution(v.id, typ, "sync", "SUCCESS", params, rc.now)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"data": exec})
		return
	}
	held := &heldCommand{vehicleID: v.id, done: make(chan struct{})}
	s.pending = append(s.pending, held)
	s.pendingChangedLocked()
	s.mu.Unlock()

	// 202 at once, without Content-Length: the final record follows on the same
	// connection when the command completes ([T]; see SetLongRunning).
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = http.NewResponseController(w).Flush()
	select {
	case <-held.done:
	case <-r.Context().Done():
	case <-s.closing:
		s.mu.Lock()
		s.dropHeld(held)
		s.mu.Unlock()
		// Break the connection rather than end the body cleanly: the client must not
		// take an empty body for the final answer.
		panic(http.ErrAbortHandler)
	}
	s.mu.Lock()
	s.dropHeld(held)
	now := s.clock.Now()
	apply(now)
	// executionMode "async" for a long-running command is our assumption: Smartcar
	// documents only "sync" [U].
	exec := s.execution(v.id, typ, "async", "SUCCESS", params, rc.now)
	exec["meta"] = map[string]any{"executedAt": isoTime(rc.now), "completedAt": isoTime(now), "durationInSeconds": int64(now.Sub(rc.now).Seconds())}
	s.mu.Unlock()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]any{"data": exec})
}

// pendingChangedLocked wakes AwaitLongRunning. Callers hold s.mu.
func (s *Server) pendingChangedLocked() {
	close(s.pendingChanged)
	s.pendingChanged = make(chan struct{})
}

// dropHeld removes a held command from the pending list. Callers hold s.mu.
func (s *Server) dropHeld(h *heldCommand) {
	if i := slices.Index(s.pending, h); i >= 0 {
		s.pending = slices.Delete(s.pending, i, i+1)
		s.pendingChangedLocked()
	}
}

// PendingCommands returns how many long-running commands of a vehicle have been
// answered 202 and wait for CompleteCommands.
func (s *Server) PendingCommands(vehicleID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.countPending(vehicleID)
}

func (s *Server) countPending(vehicleID string) int {
	n := 0
	for _, h := range s.pending {
		if h.vehicleID == vehicleID {
			n++
		}
	}
	return n
}

// AwaitLongRunning blocks until n long-running commands of a vehicle have been answered
// 202 and are held, or ctx ends.
func (s *Server) AwaitLongRunning(ctx context.Context, vehicleID string, n int) error {
	for {
		s.mu.Lock()
		count, changed := s.countPending(vehicleID), s.pendingChanged
		s.mu.Unlock()
		if count >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closing:
			return errors.New("smartcartest: server closed")
		}
	}
}

// CompleteCommands completes every held long-running command of a vehicle: each is
// applied and its final execution record (status SUCCESS) written on its connection.
// It returns how many it completed.
func (s *Server) CompleteCommands(vehicleID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	s.pending = slices.DeleteFunc(s.pending, func(h *heldCommand) bool {
		if h.vehicleID != vehicleID {
			return false
		}
		close(h.done)
		n++
		return true
	})
	if n > 0 {
		s.pendingChangedLocked()
	}
	return n
}

var notCapable = apiErr{Type: "COMPATIBILITY", Code: "VEHICLE_NOT_CAPABLE", Title: "Vehicle Not Capable", Detail: "The vehicle is incapable of performing your request."}

func vehicleState(code, detail string) *apiErr {
	return &apiErr{Type: "VEHICLE_STATE", Code: code, Title: code, Detail: detail}
}

// plan validates a command against the vehicle and returns what it changes.
func (s *Server) plan(v *vehicle, typ string, params map[string]any) (func(now time.Time), int, *apiErr) {
	set := func(code string, b json.RawMessage, now time.Time) {
		if sig := v.signal(code); sig != nil {
			sig.Status, sig.ErrorType, sig.ErrorCode, sig.ErrorDetail, sig.Resolution = "SUCCESS", "", "", "", ""
			sig.Body, sig.OEMUpdatedAt, sig.RetrievedAt = b, now, now
		}
	}
	electric := v.signal("tractionbattery-stateofcharge") != nil
	charging := func() bool {
		sig := v.signal("charge-ischarging")
		return sig != nil && string(sig.Body) == `{"value":true}`
	}
	switch typ {
	case "security-lock", "security-unlock":
		locked := typ == "security-lock"
		return func(now time.Time) {
			set("closure-islocked", single(locked), now)
			if d := v.signal("closure-doors"); d != nil {
				set("closure-doors", doors(2, 2, locked), now)
			}
		}, 0, nil
	case "charge-start", "charge-stop":
		if !electric {
			return nil, http.StatusNotImplemented, &notCapable
		}
		start := typ == "charge-start"
		if start {
			if plug := v.signal("charge-ischargingcableconnected"); plug == nil || string(plug.Body) != `{"value":true}` {
				return nil, http.StatusConflict, vehicleState("CHARGING_PLUG_NOT_CONNECTED", "The charging cable is not plugged in.")
			}
			if charging() {
				return nil, http.StatusConflict, vehicleState("CHARGING_IN_PROGRESS", "The vehicle is already charging.")
			}
		} else if !charging() {
			return nil, http.StatusConflict, vehicleState("NOT_CHARGING", "The vehicle is not charging.")
		}
		return func(now time.Time) {
			set("charge-ischarging", single(start), now)
			status := "NOT_CHARGING"
			if start {
				status = "CHARGING"
				set("charge-chargerate", unitValue(42, "km/h"), now)
			}
			set("charge-detailedchargingstatus", single(status), now)
		}, 0, nil
	case "charge-set-limit":
		if !electric {
			return nil, http.StatusNotImplemented, &notCapable
		}
		p, ok := params["percent"].(float64)
		if !ok || p != math.Trunc(p) || p < 50 || p > 100 {
			e := badParameter("percent must be a whole number from 50 to 100.")
			return nil, http.StatusBadRequest, &e
		}
		return func(now time.Time) { set("charge-chargelimits", chargeLimits(int(p), true), now) }, 0, nil
	case "navigation-set-destination":
		lat, ok1 := params["latitude"].(float64)
		lon, ok2 := params["longitude"].(float64)
		if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			e := badParameter("latitude and longitude are required WGS 84 coordinates.")
			return nil, http.StatusBadRequest, &e
		}
		return func(time.Time) { v.destination = []float64{lat, lon} }, 0, nil
	}
	e := notFound("Command " + typ)
	return nil, http.StatusNotFound, &e
}
