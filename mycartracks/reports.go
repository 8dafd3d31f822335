package mycartracks

import (
	"context"
	"encoding/json"
	"net/url"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// ReportOptions selects the data of a report.
type ReportOptions struct {
	// VehicleID restricts the report to one vehicle (0: all vehicles).
	VehicleID ID
	// From and To bound the period (zero: the API's default).
	From, To time.Time
}

func (o *ReportOptions) query() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	if o.VehicleID != 0 {
		q.Set(qVehicleID, o.VehicleID.String())
	}
	encodeRange(q, o.From, o.To)
	return q
}

// SummaryRow is one vehicle's line of the summary report.
type SummaryRow struct {
	VehicleID   ID
	VehicleName string
	// Tracks is the number of tracks driven.
	Tracks      int
	Distance    telematics.Distance
	DrivingTime time.Duration
	MaxSpeed    telematics.Speed
	// Raw is the row's JSON as received.
	Raw json.RawMessage
}

type wireSummaryRow struct {
	VehicleID   *ID       `json:"vehicleId"`
	CarID       *ID       `json:"carId" alias:"vehicleId"`
	VehicleName string    `json:"vehicleName"`
	Tracks      int       `json:"tracks"`
	Distance    flexFloat `json:"distance"`
	DrivingTime flexFloat `json:"drivingTime"`
	MaxSpeed    flexFloat `json:"maxSpeed"`
}

// UnmarshalJSON decodes a row (distance in km, driving time in ms, speed in km/h).
func (r *SummaryRow) UnmarshalJSON(b []byte) error {
	return unmarshalModel(b, r, summaryRowFromWire)
}

func summaryRowFromWire(w *wireSummaryRow, raw json.RawMessage) SummaryRow {
	return SummaryRow{
		VehicleID:   firstID(w.VehicleID, w.CarID),
		VehicleName: w.VehicleName,
		Tracks:      w.Tracks,
		Distance:    telematics.Kilometres(w.Distance.v),
		DrivingTime: millis(w.DrivingTime),
		MaxSpeed:    telematics.KilometresPerHour(w.MaxSpeed.v),
		Raw:         raw,
	}
}

// MarshalJSON encodes the row as the API sends it (distance in km, driving time in ms,
// speed in km/h). Raw is not encoded.
func (r SummaryRow) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		VehicleID   ID      `json:"vehicleId"`
		VehicleName string  `json:"vehicleName"`
		Tracks      int     `json:"tracks"`
		Distance    float64 `json:"distance"`
		DrivingTime float64 `json:"drivingTime"`
		MaxSpeed    float64 `json:"maxSpeed"`
	}{r.VehicleID, r.VehicleName, r.Tracks, km(r.Distance), ms(r.DrivingTime), kmh(r.MaxSpeed)})
}

// DailyRow is one vehicle's day in the daily report.
type DailyRow struct {
	VehicleID ID
	// Date is the day as the API sends it ("2026-03-01").
	Date        string
	Tracks      int
	Distance    telematics.Distance
	DrivingTime time.Duration
	// Raw is the row's JSON as received.
	Raw json.RawMessage
}

type wireDailyRow struct {
	VehicleID   *ID       `json:"vehicleId"`
	CarID       *ID       `json:"carId" alias:"vehicleId"`
	Date        string    `json:"date"`
	Tracks      int       `json:"tracks"`
	Distance    flexFloat `json:"distance"`
	DrivingTime flexFloat `json:"drivingTime"`
}

// UnmarshalJSON decodes a row (distance in km, driving time in ms).
func (r *DailyRow) UnmarshalJSON(b []byte) error { return unmarshalModel(b, r, dailyRowFromWire) }

func dailyRowFromWire(w *wireDailyRow, raw json.RawMessage) DailyRow {
	return DailyRow{
		VehicleID:   firstID(w.VehicleID, w.CarID),
		Date:        w.Date,
		Tracks:      w.Tracks,
		Distance:    telematics.Kilometres(w.Distance.v),
		DrivingTime: millis(w.DrivingTime),
		Raw:         raw,
	}
}

// MarshalJSON encodes the row as the API sends it (distance in km, driving time in ms).
// Raw is not encoded.
func (r DailyRow) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		VehicleID   ID      `json:"vehicleId"`
		Date        string  `json:"date"`
		Tracks      int     `json:"tracks"`
		Distance    float64 `json:"distance"`
		DrivingTime float64 `json:"drivingTime"`
	}{r.VehicleID, r.Date, r.Tracks, km(r.Distance), ms(r.DrivingTime)})
}

// ReportsService reads reports (GET /reports/{reportType}). Reports are not paged.
type ReportsService service

// Summary returns the summary report: one row per vehicle. opts may be nil.
func (s *ReportsService) Summary(ctx context.Context, opts *ReportOptions, reqOpts ...RequestOption) ([]SummaryRow, error) {
	return reportRows[SummaryRow](ctx, s.client, epReportSummary, nil, opts, reqOpts)
}

// Daily returns the daily report: one row per vehicle and day. opts may be nil.
func (s *ReportsService) Daily(ctx context.Context, opts *ReportOptions, reqOpts ...RequestOption) ([]DailyRow, error) {
	return reportRows[DailyRow](ctx, s.client, epReportDaily, nil, opts, reqOpts)
}

// Rows returns the rows of any report type as raw JSON, for types the SDK does not
// model. An unknown type is an error matching telematics.ErrNotFound.
func (s *ReportsService) Rows(ctx context.Context, reportType string, opts *ReportOptions, reqOpts ...RequestOption) ([]json.RawMessage, error) {
	return reportRows[json.RawMessage](ctx, s.client, epReport, []string{reportType}, opts, reqOpts)
}

// reportRows reads the rows of a report: {"data":[...]}. A body without "data" is a
// malformed response, not an empty report; the last "data" wins.
func reportRows[T any](ctx context.Context, c *Client, ep endpointID, args []string, opts *ReportOptions, reqOpts []RequestOption) ([]T, error) {
	var body []byte
	resp, err := c.call(ctx, ep, args, opts.query(), nil, &body, reqOpts)
	if err != nil {
		return nil, err
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, malformed(resp, err)
	}
	if env.Data == nil {
		return nil, malformed(resp, errNoEnvelope)
	}
	var rows []T
	if err := json.Unmarshal(env.Data, &rows); err != nil {
		return nil, malformed(resp, err)
	}
	return rows, nil
}
