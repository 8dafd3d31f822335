package smartcartest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// chargeSchedule is a schedule set on a vehicle.
type chargeSchedule struct {
	id, kind string
	params   map[string]any
}

// scheduleKinds says which makes take which charge schedules: Tesla daily, weekly and
// workweek, Volvo daily only, every other make none (501 COMPATIBILITY:
// VEHICLE_NOT_CAPABLE) [C].
var scheduleKinds = map[string][]string{
	"TESLA": {"daily", "weekly", "workweek"},
	"VOLVO": {"daily"},
}

var clockTime = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

var weekdays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// window checks a {"startTime": "HH:MM", "stopTime": "HH:MM"} object.
func window(v any, name string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s must be an object with startTime and stopTime", name)
	}
	for _, k := range []string{"startTime", "stopTime"} {
		if t, _ := m[k].(string); !clockTime.MatchString(t) {
			return fmt.Errorf("%s.%s must be a time of day as HH:MM", name, k)
		}
	}
	return nil
}

// checkSchedule validates the attributes of a schedule request. The daily body is
// documented ({location: {latitude, longitude}, startTime, stopTime}) [C]; weekly
// ("days keyed by weekday") and workweek (weekdays, weekends) are [T], and the exact
// shapes the fake accepts — days: {monday: {startTime, stopTime}, ...} and weekdays /
// weekends: {startTime, stopTime} — are our reading of that [I].
func checkSchedule(kind string, a map[string]any) error {
	loc, ok := a["location"].(map[string]any)
	lat, ok1 := loc["latitude"].(float64)
	lon, ok2 := loc["longitude"].(float64)
	if !ok || !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return fmt.Errorf("location must hold a WGS 84 latitude and longitude")
	}
	switch kind {
	case "daily":
		return window(a, "attributes")
	case "weekly":
		days, ok := a["days"].(map[string]any)
		if !ok || len(days) == 0 {
			return fmt.Errorf("days must name at least one weekday")
		}
		for day, w := range days {
			if !slices.Contains(weekdays, day) {
				return fmt.Errorf("days.%s is not a weekday (monday to sunday)", day)
			}
			if err := window(w, "days."+day); err != nil {
				return err
			}
		}
	case "workweek":
		n := 0
		for _, k := range []string{"weekdays", "weekends"} {
			if w, ok := a[k]; ok {
				if err := window(w, k); err != nil {
					return err
				}
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("weekdays or weekends is required")
		}
	}
	return nil
}

// scheduleExecution renders the charge-schedule-execution resource of the docs'
// example [C]: its links.schedule is relative, as there. Callers hold s.mu.
func (s *Server) scheduleExecution(v *vehicle, action string, sched chargeSchedule, rc *reqCtx) map[string]any {
	s.seq++
	return map[string]any{
		"id": fmt.Sprintf("exec_%010d", s.seq), "type": "charge-schedule-execution",
		"attributes": map[string]any{"action": action, "scheduleType": sched.kind, "status": map[string]any{"value": "SUCCESS"},
			"executionMode": "sync", "scheduleId": sched.id, "parameters": sched.params},
		"links": map[string]any{"schedule": "/vehicles/" + v.id + "/charge-schedules/" + sched.id},
		"meta":  map[string]any{"executedAt": isoTime(rc.now), "completedAt": isoTime(rc.now), "durationInSeconds": 0},
	}
}

// chargeTimers rewrites the charge-chargetimers signal, through which Smartcar reports
// schedules: entries of type LOCATION carry scheduleType and scheduleId [C]; the other
// members of an entry are our assumption [I].
func (v *vehicle) chargeTimers(rc *reqCtx) {
	values := []any{}
	for _, sc := range v.schedules {
		e := map[string]any{"type": "LOCATION", "scheduleType": sc.kind, "scheduleId": sc.id}
		for k, p := range sc.params {
			e[k] = p
		}
		values = append(values, e)
	}
	v.put(SignalState{Code: "charge-chargetimers", Name: "ChargeTimers", Group: "Charge", Body: body(map[string]any{"values": values}),
		OEMUpdatedAt: rc.now, RetrievedAt: rc.now})
}

// setChargeSchedule serves POST /vehicles/{id}/charge-schedules/{daily|weekly|workweek}
// (sc-user-id required [C]).
func (s *Server) setChargeSchedule(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	kind := r.PathValue("kind")
	if !slices.Contains([]string{"daily", "weekly", "workweek"}, kind) {
		s.writeError(w, http.StatusNotFound, apiErr{Type: "RESOURCE_NOT_FOUND", Code: "PATH", Title: "Not Found", Detail: "No such path: " + r.URL.Path})
		return
	}
	attrs, err := commandAttributes(rc.body)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, badParameter("The request body is not a JSON:API document."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.connected(w, rc, r.PathValue("vehicleID"), true)
	if v == nil {
		return
	}
	if !slices.Contains(scheduleKinds[strings.ToUpper(v.make)], kind) {
		s.writeError(w, http.StatusNotImplemented, notCapable)
		return
	}
	if err := checkSchedule(kind, attrs); err != nil {
		s.writeError(w, http.StatusBadRequest, badParameter(err.Error()))
		return
	}
	if v.asleep {
		s.writeError(w, http.StatusConflict, apiErr{Type: "VEHICLE_STATE", Code: "ASLEEP", Title: "Asleep", Resolution: "RETRY_LATER",
			Detail: "The vehicle is asleep and cannot respond to this request."})
		return
	}
	s.seq++
	sched := chargeSchedule{id: fmt.Sprintf("sched_%06d", s.seq), kind: kind, params: attrs}
	v.schedules = append(v.schedules, sched)
	v.chargeTimers(rc)
	writeJSON(w, http.StatusOK, map[string]any{"data": s.scheduleExecution(v, "create", sched, rc)})
}

// deleteChargeSchedule serves DELETE /vehicles/{id}/charge-schedules/{scheduleId} ([T]
// in docs/evidence.md); that it answers an execution with action "delete" is our
// assumption [I].
func (s *Server) deleteChargeSchedule(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.connected(w, rc, r.PathValue("vehicleID"), true)
	if v == nil {
		return
	}
	i := slices.IndexFunc(v.schedules, func(sc chargeSchedule) bool { return sc.id == r.PathValue("scheduleID") })
	if i < 0 {
		s.writeError(w, http.StatusNotFound, notFound("Charge schedule"))
		return
	}
	sched := v.schedules[i]
	v.schedules = slices.Delete(v.schedules, i, i+1)
	v.chargeTimers(rc)
	writeJSON(w, http.StatusOK, map[string]any{"data": s.scheduleExecution(v, "delete", sched, rc)})
}
