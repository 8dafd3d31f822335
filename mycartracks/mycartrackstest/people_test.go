package mycartrackstest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

func TestUsersDriversTeams(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(6))
	tok := token(t, srv, "read")

	tests := []struct {
		path   string
		fields []string
		count  int
	}{
		{"/users", []string{"email", "id", "name"}, 4},
		{"/drivers", []string{"id", "name", "phone"}, 6},
		{"/teams", []string{"id", "memberIds", "name"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var p page
			getOK(t, srv, tok, tt.path+"?includeTotal=true", &p)
			require.Len(t, p.Data, tt.count)
			assert.Equal(t, tt.count, *p.Total)
			for _, item := range p.Data {
				assert.Equal(t, tt.fields, keys(item))
				var one map[string]any
				getOK(t, srv, tok, fmt.Sprintf("%s/%d", tt.path, int64(item["id"].(float64))), &one)
				assert.Equal(t, item, one)
			}
			res := get(t, srv, tok, tt.path+"/1")
			assert.Equal(t, http.StatusNotFound, res.status)
			assert.Equal(t, "not_found", res.apiError(t).Error)
			assert.Equal(t, http.StatusBadRequest, get(t, srv, tok, tt.path+"/x").status)

			getOK(t, srv, tok, tt.path+"?sort=-name&fields=name&limit=2", &p)
			assert.Len(t, p.Data, 2)
			assert.GreaterOrEqual(t, p.Data[0]["name"], p.Data[1]["name"])
		})
	}

	var users struct {
		Data []struct{ Email string }
	}
	getOK(t, srv, tok, "/users", &users)
	for _, u := range users.Data {
		assert.True(t, strings.HasSuffix(u.Email, "@fleet.example"), u.Email)
	}
	var teams struct {
		Data []struct{ MemberIDs []int64 }
	}
	getOK(t, srv, tok, "/teams", &teams)
	var drivers page
	getOK(t, srv, tok, "/drivers", &drivers)
	assert.ElementsMatch(t, drivers.ids("id"), append(teams.Data[0].MemberIDs, teams.Data[1].MemberIDs...),
		"every driver is in one team")
}

func TestReports(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(3), mycartrackstest.WithTracksPerVehicle(7),
		mycartrackstest.WithPointsPerTrack(100))
	tok := token(t, srv, "read")
	fleet := srv.Fleet()

	type summaryRow struct {
		VehicleID   int64   `json:"vehicleId"`
		VehicleName string  `json:"vehicleName"`
		Tracks      int     `json:"tracks"`
		Distance    float64 `json:"distance"`
		DrivingTime int64   `json:"drivingTime"`
		MaxSpeed    float64 `json:"maxSpeed"`
	}
	type dailyRow struct {
		VehicleID   int64   `json:"vehicleId"`
		Date        string  `json:"date"`
		Tracks      int     `json:"tracks"`
		Distance    float64 `json:"distance"`
		DrivingTime int64   `json:"drivingTime"`
	}
	expect := func(v mycartrackstest.Vehicle, keep func(mycartrackstest.Track) bool) (summaryRow, []dailyRow) {
		s := summaryRow{VehicleID: v.ID, VehicleName: v.Name}
		var days []dailyRow
		for _, tr := range v.Tracks {
			if !keep(tr) {
				continue
			}
			sum, _ := srv.TrackSummary(tr.ID)
			s.Tracks++
			s.Distance += sum.Distance
			s.DrivingTime += sum.MovingTime.Milliseconds()
			s.MaxSpeed = max(s.MaxSpeed, sum.MaxSpeed)
			date := tr.Start.Format("2006-01-02")
			if len(days) == 0 || days[len(days)-1].Date != date {
				days = append(days, dailyRow{VehicleID: v.ID, Date: date})
			}
			d := &days[len(days)-1]
			d.Tracks++
			d.Distance += sum.Distance
			d.DrivingTime += sum.MovingTime.Milliseconds()
		}
		return s, days
	}

	var summary struct{ Data []summaryRow }
	getOK(t, srv, tok, "/reports/summary", &summary)
	require.Len(t, summary.Data, 3)
	var allDays []dailyRow
	for i, v := range fleet.Vehicles {
		want, days := expect(v, func(mycartrackstest.Track) bool { return true })
		got := summary.Data[i]
		assert.InDelta(t, want.Distance, got.Distance, 1e-6)
		want.Distance = got.Distance
		assert.Equal(t, want, got)
		allDays = append(allDays, days...)
	}
	var daily struct{ Data []dailyRow }
	getOK(t, srv, tok, "/reports/daily", &daily)
	require.Len(t, daily.Data, len(allDays))
	for i := range allDays {
		assert.InDelta(t, allDays[i].Distance, daily.Data[i].Distance, 1e-6)
		allDays[i].Distance = daily.Data[i].Distance
	}
	assert.Equal(t, allDays, daily.Data)

	v := fleet.Vehicles[1]
	from, to := v.Tracks[2].Start, v.Tracks[5].Start
	getOK(t, srv, tok, fmt.Sprintf("/reports/summary?vehicleId=%d&from=%d&to=%d", v.ID, from.UnixMilli(), to.UnixMilli()), &summary)
	require.Len(t, summary.Data, 1)
	want, _ := expect(v, func(tr mycartrackstest.Track) bool { return !tr.Start.Before(from) && tr.Start.Before(to) })
	assert.Equal(t, 3, summary.Data[0].Tracks)
	assert.InDelta(t, want.Distance, summary.Data[0].Distance, 1e-6)

	getOK(t, srv, tok, "/reports/summary?from=1&to=2", &summary)
	for _, r := range summary.Data {
		assert.Zero(t, r.Tracks, "vehicles without tracks in range still have a row")
	}
	getOK(t, srv, tok, "/reports/daily?from=1&to=2", &daily)
	assert.Empty(t, daily.Data)

	res := get(t, srv, tok, "/reports/weekly")
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, errorBody{Error: "not_found", Message: `report type "weekly" not found`}, res.apiError(t))
	assert.Equal(t, http.StatusBadRequest, get(t, srv, tok, "/reports/summary?from=x").status)
	assert.Equal(t, http.StatusBadRequest, get(t, srv, tok, "/reports/daily?vehicleId=x").status)
	assert.Equal(t, http.StatusBadRequest, get(t, srv, tok, "/reports/daily?to=x").status)
}
