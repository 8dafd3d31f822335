package smartcar

import (
	"context"
	"errors"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
)

// ChargeSchedulesService sets and deletes a vehicle's charging schedules. Every call
// needs the vehicle owner's WithUserID. Smartcar documents the daily schedule (Tesla and
// Volvo; other makes answer 501 COMPATIBILITY:VEHICLE_NOT_CAPABLE, see IsNotCapable)
// [C]; weekly and workweek schedules (Tesla) and deleting a schedule come from a third
// party's listing of the specification [T], and the exact request bodies of those are
// our reading of it [I]. Schedules are read back through the charge-chargetimers signal
// (entries of type LOCATION carry scheduleType and scheduleId) [C].
//
// Like commands, schedule requests are sent once and never repeated by the SDK (DELETE
// excepted, which net/http and the SDK may repeat on a dropped connection).
type ChargeSchedulesService service

// ScheduleLocation is where a schedule applies: the charging location.
type ScheduleLocation struct {
	Latitude, Longitude float64
}

// ChargeWindow is a time of day to start and to stop charging, as "HH:MM" (24 h, the
// vehicle's local time).
type ChargeWindow struct {
	StartTime, StopTime string
}

// DailyChargeSchedule charges every day in one window [C].
type DailyChargeSchedule struct {
	Location ScheduleLocation
	Window   ChargeWindow
}

// WeeklyChargeSchedule charges on the named weekdays, each in its own window [T]/[I]:
// sent as {"days": {"monday": {"startTime", "stopTime"}, ...}}.
type WeeklyChargeSchedule struct {
	Location ScheduleLocation
	Days     map[time.Weekday]ChargeWindow
}

// WorkweekChargeSchedule charges on weekdays in one window and at weekends in another
// [T]/[I]; either may be nil, not both.
type WorkweekChargeSchedule struct {
	Location ScheduleLocation
	Weekdays *ChargeWindow
	Weekends *ChargeWindow
}

// ChargeScheduleExecution is Smartcar's record of a schedule request
// (type "charge-schedule-execution"): the execution (Status, Error, timings, HTTPStatus)
// and which schedule it concerns. Its Type is "charge-schedule-" plus the schedule type.
type ChargeScheduleExecution struct {
	CommandExecution
	// Action is "create" (documented) or "delete".
	Action string
	// ScheduleType is "daily", "weekly" or "workweek".
	ScheduleType string
	// ScheduleID names the schedule: pass it to Delete.
	ScheduleID string
	// ScheduleURL is links.schedule (a path relative to the Vehicle API in Smartcar's
	// example).
	ScheduleURL string
}

var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func (w ChargeWindow) check(name string) error {
	if !hhmm.MatchString(w.StartTime) || !hhmm.MatchString(w.StopTime) {
		return invalidf("%s window %q–%q: start and stop must be times of day as HH:MM", name, w.StartTime, w.StopTime)
	}
	return nil
}

func (w ChargeWindow) wire() map[string]any {
	return map[string]any{"startTime": w.StartTime, "stopTime": w.StopTime}
}

func (l ScheduleLocation) wire() (map[string]any, error) {
	if math.IsNaN(l.Latitude) || l.Latitude < -90 || l.Latitude > 90 || math.IsNaN(l.Longitude) || l.Longitude < -180 || l.Longitude > 180 {
		return nil, invalidf("schedule location %v, %v is not a WGS 84 latitude and longitude", l.Latitude, l.Longitude)
	}
	return map[string]any{"latitude": l.Latitude, "longitude": l.Longitude}, nil
}

// SetDaily sets a daily charging schedule. Invalid times or coordinates fail with
// telematics.ErrInvalidInput before sending.
func (s *ChargeSchedulesService) SetDaily(ctx context.Context, vehicleID string, sched DailyChargeSchedule, opts ...RequestOption) (*ChargeScheduleExecution, error) {
	loc, err := sched.Location.wire()
	if err != nil {
		return nil, err
	}
	if err := sched.Window.check("daily"); err != nil {
		return nil, err
	}
	a := sched.Window.wire()
	a["location"] = loc
	return s.post(ctx, pathScheduleDaily, vehicleID, a, opts)
}

// SetWeekly sets a weekly charging schedule (at least one day).
func (s *ChargeSchedulesService) SetWeekly(ctx context.Context, vehicleID string, sched WeeklyChargeSchedule, opts ...RequestOption) (*ChargeScheduleExecution, error) {
	loc, err := sched.Location.wire()
	if err != nil {
		return nil, err
	}
	if len(sched.Days) == 0 {
		return nil, invalidf("a weekly schedule needs at least one day")
	}
	days := map[string]any{}
	for d, w := range sched.Days {
		if d < time.Sunday || d > time.Saturday {
			return nil, invalidf("%d is not a weekday", d)
		}
		name := strings.ToLower(d.String())
		if err := w.check(name); err != nil {
			return nil, err
		}
		days[name] = w.wire()
	}
	return s.post(ctx, pathScheduleWeekly, vehicleID, map[string]any{"location": loc, "days": days}, opts)
}

// SetWorkweek sets a schedule with one window on weekdays and one at weekends.
func (s *ChargeSchedulesService) SetWorkweek(ctx context.Context, vehicleID string, sched WorkweekChargeSchedule, opts ...RequestOption) (*ChargeScheduleExecution, error) {
	loc, err := sched.Location.wire()
	if err != nil {
		return nil, err
	}
	if sched.Weekdays == nil && sched.Weekends == nil {
		return nil, invalidf("a workweek schedule needs a weekday or a weekend window")
	}
	a := map[string]any{"location": loc}
	for name, w := range map[string]*ChargeWindow{"weekdays": sched.Weekdays, "weekends": sched.Weekends} {
		if w == nil {
			continue
		}
		if err := w.check(name); err != nil {
			return nil, err
		}
		a[name] = w.wire()
	}
	return s.post(ctx, pathScheduleWorkweek, vehicleID, a, opts)
}

// Delete deletes a schedule by the ScheduleID of its creation [T].
func (s *ChargeSchedulesService) Delete(ctx context.Context, vehicleID, scheduleID string, opts ...RequestOption) (*ChargeScheduleExecution, error) {
	path, err := httpcore.Path(pathSchedule, vehicleID, scheduleID)
	if err != nil {
		return nil, invalid(err)
	}
	return s.run(ctx, http.MethodDelete, path, nil, opts)
}

func (s *ChargeSchedulesService) post(ctx context.Context, format, vehicleID string, attrs map[string]any, opts []RequestOption) (*ChargeScheduleExecution, error) {
	path, err := httpcore.Path(format, vehicleID)
	if err != nil {
		return nil, invalid(err)
	}
	return s.run(ctx, http.MethodPost, path, attributes(attrs), opts)
}

func (s *ChargeSchedulesService) run(ctx context.Context, method, path string, body any, opts []RequestOption) (*ChargeScheduleExecution, error) {
	exec, w, err := execute(ctx, s.c, method, path, body, opts)
	if exec == nil {
		return nil, err
	}
	out := &ChargeScheduleExecution{CommandExecution: *exec, Action: w.Attributes.Action, ScheduleType: w.Attributes.ScheduleType,
		ScheduleID: w.Attributes.ScheduleID, ScheduleURL: w.Links.Schedule.href}
	if out.Type == "" && out.ScheduleType != "" {
		out.Type = "charge-schedule-" + out.ScheduleType
	}
	var ce *CommandError
	if err != nil && errors.As(err, &ce) {
		ce.Execution = &out.CommandExecution
	}
	return out, err
}
