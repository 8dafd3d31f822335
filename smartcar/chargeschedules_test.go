package smartcar_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestChargeSchedules(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	home := smartcar.ScheduleLocation{Latitude: 37.7749, Longitude: -122.4194}

	daily, err := e.client.ChargeSchedules.SetDaily(ctx, model3, smartcar.DailyChargeSchedule{Location: home, Window: smartcar.ChargeWindow{StartTime: "08:00", StopTime: "10:00"}}, alice())
	require.NoError(t, err)
	assert.True(t, daily.Succeeded())
	assert.Equal(t, "create", daily.Action)
	assert.Equal(t, "daily", daily.ScheduleType)
	assert.NotEmpty(t, daily.ScheduleID)
	assert.Equal(t, "/vehicles/"+model3+"/charge-schedules/"+daily.ScheduleID, daily.ScheduleURL)
	assert.Equal(t, "charge-schedule-daily", daily.Type)
	assert.Equal(t, http.StatusOK, daily.HTTPStatus)
	req := e.srv.Requests()[0]
	assert.JSONEq(t, `{"data":{"attributes":{"location":{"latitude":37.7749,"longitude":-122.4194},"startTime":"08:00","stopTime":"10:00"}}}`, string(req.Body),
		"the documented body")
	assert.Equal(t, smartcartest.UserAlice, req.UserID)

	weekly, err := e.client.ChargeSchedules.SetWeekly(ctx, model3, smartcar.WeeklyChargeSchedule{Location: home,
		Days: map[time.Weekday]smartcar.ChargeWindow{time.Monday: {StartTime: "22:00", StopTime: "06:00"}, time.Saturday: {StartTime: "12:00", StopTime: "14:00"}}}, alice())
	require.NoError(t, err)
	assert.Equal(t, "weekly", weekly.ScheduleType)
	work, err := e.client.ChargeSchedules.SetWorkweek(ctx, model3, smartcar.WorkweekChargeSchedule{Location: home, Weekdays: &smartcar.ChargeWindow{StartTime: "01:00", StopTime: "05:00"}}, alice())
	require.NoError(t, err)
	assert.Equal(t, "workweek", work.ScheduleType)

	set, err := e.client.Signals.Get(ctx, model3, "charge-chargetimers", alice())
	require.NoError(t, err)
	var timers struct {
		Values []struct{ Type, ScheduleType, ScheduleID string }
	}
	require.NoError(t, json.Unmarshal(set.Body, &timers))
	require.Len(t, timers.Values, 3)
	assert.Equal(t, "LOCATION", timers.Values[1].Type)
	assert.Equal(t, weekly.ScheduleID, timers.Values[1].ScheduleID)

	del, err := e.client.ChargeSchedules.Delete(ctx, model3, weekly.ScheduleID, alice())
	require.NoError(t, err)
	assert.Equal(t, "delete", del.Action)
	_, err = e.client.ChargeSchedules.Delete(ctx, model3, weekly.ScheduleID, alice())
	assert.ErrorIs(t, err, telematics.ErrNotFound)

	// Only Tesla (and Volvo, daily) take schedules.
	_, err = e.client.ChargeSchedules.SetDaily(ctx, smartcartest.VehicleID4, smartcar.DailyChargeSchedule{Location: home, Window: smartcar.ChargeWindow{StartTime: "08:00", StopTime: "10:00"}}, alice())
	assert.True(t, smartcar.IsNotCapable(err), "%v", err)

	// Refused before sending.
	n := e.srv.CountRequests("", "")
	for name, call := range map[string]func() error{
		"no user": func() error {
			_, err := e.client.ChargeSchedules.SetDaily(ctx, model3, smartcar.DailyChargeSchedule{Location: home, Window: smartcar.ChargeWindow{StartTime: "08:00", StopTime: "10:00"}})
			return err
		},
		"bad time": func() error {
			_, err := e.client.ChargeSchedules.SetDaily(ctx, model3, smartcar.DailyChargeSchedule{Location: home, Window: smartcar.ChargeWindow{StartTime: "8", StopTime: "10:00"}}, alice())
			return err
		},
		"bad location": func() error {
			_, err := e.client.ChargeSchedules.SetDaily(ctx, model3, smartcar.DailyChargeSchedule{Location: smartcar.ScheduleLocation{Latitude: 91}, Window: smartcar.ChargeWindow{StartTime: "08:00", StopTime: "10:00"}}, alice())
			return err
		},
		"no days": func() error {
			_, err := e.client.ChargeSchedules.SetWeekly(ctx, model3, smartcar.WeeklyChargeSchedule{Location: home}, alice())
			return err
		},
		"no windows": func() error {
			_, err := e.client.ChargeSchedules.SetWorkweek(ctx, model3, smartcar.WorkweekChargeSchedule{Location: home}, alice())
			return err
		},
	} {
		assert.ErrorIs(t, call(), telematics.ErrInvalidInput, name)
	}
	assert.Equal(t, n, e.srv.CountRequests("", ""), "nothing sent")

	// A failed execution is a CommandError carrying the schedule's record.
	e.srv.FailNext(smartcartest.Fault{ExecutionFailure: true, Type: "VEHICLE_STATE", Code: "UNREACHABLE"})
	failed, err := e.client.ChargeSchedules.SetDaily(ctx, model3, smartcar.DailyChargeSchedule{Location: home, Window: smartcar.ChargeWindow{StartTime: "08:00", StopTime: "10:00"}}, alice())
	var ce *smartcar.CommandError
	require.ErrorAs(t, err, &ce)
	assert.Same(t, &failed.CommandExecution, ce.Execution)
	assert.True(t, smartcar.IsVehicleUnreachable(err))
}
