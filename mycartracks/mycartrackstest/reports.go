package mycartrackstest

import (
	"net/http"
	"strconv"
	"time"
)

// row is one line of a report: values by field name.
type row struct {
	id     int64
	values map[string]any
}

func (r row) objectID() int64       { return r.id }
func (r row) field(name string) any { return r.values[name] }

var (
	summaryReportFields = []string{"vehicleId", "vehicleName", "tracks", "distance", "drivingTime", "maxSpeed"}
	dailyReportFields   = []string{"vehicleId", "date", "tracks", "distance", "drivingTime"}
)

// report serves /reports/{type}: per-vehicle ("summary") or per-vehicle-and-day
// ("daily", by the UTC date of the track's start) totals of the tracks whose start is in
// [from, to), optionally of one vehicle.
func (s *Server) report(c *call) reply {
	kind := c.args[0]
	if kind != "summary" && kind != "daily" {
		return newError(http.StatusNotFound, "not_found", "report type "+strconv.Quote(kind)+" not found").reply()
	}
	rq, err := parseRangeQuery(c)
	if err != nil {
		return err.reply()
	}

	var rows []row
	for _, v := range s.fleet.vehicles {
		if !rq.keepsVehicle(v.id) {
			continue
		}
		var cur map[string]any // the row tracks are being added to
		if kind == "summary" {
			cur = map[string]any{"vehicleId": v.id, "vehicleName": v.name, "tracks": int64(0),
				"distance": 0.0, "drivingTime": int64(0), "maxSpeed": 0.0}
			rows = append(rows, row{id: v.id, values: cur})
		}
		for _, t := range v.tracks {
			if !rq.keepsStart(t.start) {
				continue
			}
			sum := t.summary()
			if kind == "daily" {
				date := time.UnixMilli(t.start).UTC().Format(time.DateOnly)
				if cur == nil || cur["date"] != date {
					cur = map[string]any{"vehicleId": v.id, "date": date, "tracks": int64(0),
						"distance": 0.0, "drivingTime": int64(0)}
					rows = append(rows, row{id: v.id, values: cur})
				}
			} else {
				cur["maxSpeed"] = max(cur["maxSpeed"].(float64), sum.maxSpeed)
			}
			cur["tracks"] = cur["tracks"].(int64) + 1
			cur["distance"] = round(cur["distance"].(float64)+sum.distance, 1000)
			cur["drivingTime"] = cur["drivingTime"].(int64) + sum.movingMs
		}
	}

	fields := summaryReportFields
	if kind == "daily" {
		fields = dailyReportFields
	}
	buf := getBuffer()
	b := append(*buf, `{"data":[`...)
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendObject(b, r, fields)
	}
	b = append(b, "]}"...)
	return jsonReply(http.StatusOK, buf, b)
}
