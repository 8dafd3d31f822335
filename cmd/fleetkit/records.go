package main

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// The records below are what the commands print and the MCP tools return: flat, with
// times in RFC 3339 (UTC) and the unit of every number in its name. A value the provider
// did not report is left out of JSON (omitzero, or a nil pointer for numbers where zero
// is a value) and shown as "-" in tables.

// vehicleRecord is one vehicle.
type vehicleRecord struct {
	Provider     string `json:"provider" jsonschema:"the provider of the vehicle"`
	ID           string `json:"id" jsonschema:"the vehicle id to pass to the other commands and tools"`
	Name         string `json:"name,omitzero"`
	Make         string `json:"make,omitzero"`
	Model        string `json:"model,omitzero"`
	Year         int    `json:"year,omitzero"`
	VIN          string `json:"vin,omitzero"`
	LicensePlate string `json:"licensePlate,omitzero"`
	Powertrain   string `json:"powertrain,omitzero"`
}

func newVehicleRecord(v telematics.Vehicle) vehicleRecord {
	return vehicleRecord{Provider: v.Provider, ID: v.ID, Name: v.Name, Make: v.Make, Model: v.Model,
		Year: v.Year, VIN: v.VIN, LicensePlate: v.LicensePlate, Powertrain: v.Powertrain}
}

var vehicleColumns = []column[vehicleRecord]{
	{"PROVIDER", func(r vehicleRecord) string { return r.Provider }},
	{"ID", func(r vehicleRecord) string { return r.ID }},
	{"NAME", func(r vehicleRecord) string { return r.Name }},
	{"MAKE", func(r vehicleRecord) string { return r.Make }},
	{"MODEL", func(r vehicleRecord) string { return r.Model }},
	{"YEAR", func(r vehicleRecord) string { return intCell(r.Year) }},
	{"PLATE", func(r vehicleRecord) string { return r.LicensePlate }},
	{"VIN", func(r vehicleRecord) string { return r.VIN }},
}

// positionRecord is one GPS fix, with its age when it is a last known position.
type positionRecord struct {
	Provider   string    `json:"provider"`
	VehicleID  string    `json:"vehicleId"`
	Time       time.Time `json:"time,omitzero" jsonschema:"when the fix was taken (RFC 3339, UTC)"`
	AgeSeconds *int64    `json:"ageSeconds,omitempty" jsonschema:"seconds between the fix and now"`
	Latitude   float64   `json:"latitude" jsonschema:"WGS 84 degrees"`
	Longitude  float64   `json:"longitude" jsonschema:"WGS 84 degrees"`
	SpeedKmh   *float64  `json:"speedKmh,omitempty"`
	HeadingDeg *float64  `json:"headingDeg,omitempty"`
	AltitudeM  *float64  `json:"altitudeM,omitempty"`
	AccuracyM  *float64  `json:"accuracyM,omitempty"`
}

// newPositionRecord converts p; a non-zero now adds the age of the fix.
func newPositionRecord(p telematics.Position, now time.Time) positionRecord {
	r := positionRecord{Provider: p.Provider, VehicleID: p.VehicleID, Time: utc(p.Time),
		Latitude: p.Latitude, Longitude: p.Longitude}
	if !now.IsZero() && !p.Time.IsZero() {
		age := int64(now.Sub(p.Time) / time.Second)
		r.AgeSeconds = &age
	}
	if p.Has(telematics.HasSpeed) {
		r.SpeedKmh = opt(p.Speed.KMH(), 1)
	}
	if p.Has(telematics.HasHeading) {
		r.HeadingDeg = opt(p.Heading.Degrees(), 0)
	}
	if p.Has(telematics.HasAltitude) {
		r.AltitudeM = opt(p.Altitude.Metres(), 1)
	}
	if p.Has(telematics.HasAccuracy) {
		r.AccuracyM = opt(p.Accuracy.Metres(), 1)
	}
	return r
}

var positionColumns = []column[positionRecord]{
	{"PROVIDER", func(r positionRecord) string { return r.Provider }},
	{"VEHICLE", func(r positionRecord) string { return r.VehicleID }},
	{"TIME", func(r positionRecord) string { return timeCell(r.Time) }},
	{"AGE", func(r positionRecord) string { return ageCell(r.AgeSeconds) }},
	{"LATITUDE", func(r positionRecord) string { return coordCell(r.Latitude) }},
	{"LONGITUDE", func(r positionRecord) string { return coordCell(r.Longitude) }},
	{"SPEED KM/H", func(r positionRecord) string { return floatCell(r.SpeedKmh, 1) }},
	{"HEADING", func(r positionRecord) string { return floatCell(r.HeadingDeg, 0) }},
}

// trackRecord is one trip.
type trackRecord struct {
	Provider              string    `json:"provider"`
	ID                    string    `json:"id" jsonschema:"the track id"`
	VehicleID             string    `json:"vehicleId"`
	Name                  string    `json:"name,omitzero"`
	Start                 time.Time `json:"start,omitzero" jsonschema:"RFC 3339, UTC"`
	End                   time.Time `json:"end,omitzero" jsonschema:"RFC 3339, UTC"`
	DistanceKm            float64   `json:"distanceKm"`
	DurationSeconds       int64     `json:"durationSeconds"`
	MovingDurationSeconds int64     `json:"movingDurationSeconds"`
	MaxSpeedKmh           float64   `json:"maxSpeedKmh"`
	AvgSpeedKmh           float64   `json:"avgSpeedKmh"`
}

func newTrackRecord(t telematics.Track) trackRecord {
	return trackRecord{Provider: t.Provider, ID: t.ID, VehicleID: t.VehicleID, Name: t.Name,
		Start: utc(t.Start), End: utc(t.End),
		DistanceKm:            round(t.Distance.Kilometres(), 3),
		DurationSeconds:       int64(t.Duration / time.Second),
		MovingDurationSeconds: int64(t.MovingDuration / time.Second),
		MaxSpeedKmh:           round(t.MaxSpeed.KMH(), 1),
		AvgSpeedKmh:           round(t.AvgSpeed.KMH(), 1),
	}
}

var trackColumns = []column[trackRecord]{
	{"PROVIDER", func(r trackRecord) string { return r.Provider }},
	{"VEHICLE", func(r trackRecord) string { return r.VehicleID }},
	{"TRACK", func(r trackRecord) string { return r.ID }},
	{"START", func(r trackRecord) string { return timeCell(r.Start) }},
	{"END", func(r trackRecord) string { return timeCell(r.End) }},
	{"DISTANCE KM", func(r trackRecord) string { return strconv.FormatFloat(r.DistanceKm, 'f', 2, 64) }},
	{"DURATION", func(r trackRecord) string { return (time.Duration(r.DurationSeconds) * time.Second).String() }},
	{"MAX KM/H", func(r trackRecord) string { return strconv.FormatFloat(r.MaxSpeedKmh, 'f', 1, 64) }},
}

// signalRecord is one signal reading. Value is a number, a boolean, a text or the
// provider's object, as the provider sent it; Unit is the provider's spelling.
type signalRecord struct {
	Provider     string    `json:"provider"`
	VehicleID    string    `json:"vehicleId"`
	Code         string    `json:"code" jsonschema:"the signal code, such as tractionbattery-stateofcharge"`
	Group        string    `json:"group,omitzero"`
	Name         string    `json:"name,omitzero"`
	Status       string    `json:"status" jsonschema:"SUCCESS, ERROR or UNAVAILABLE"`
	Value        any       `json:"value,omitempty" jsonschema:"the value: a number, boolean, text or object"`
	Unit         string    `json:"unit,omitzero"`
	Error        string    `json:"error,omitzero" jsonschema:"why the reading failed"`
	OEMUpdatedAt time.Time `json:"oemUpdatedAt,omitzero"`
	RetrievedAt  time.Time `json:"retrievedAt,omitzero"`
}

func newSignalRecord(s telematics.Signal) signalRecord {
	r := signalRecord{Provider: s.Provider, VehicleID: s.VehicleID, Code: s.Code, Group: s.Group, Name: s.Name,
		Status: string(s.Status), Unit: s.Value.Unit, OEMUpdatedAt: utc(s.OEMUpdatedAt), RetrievedAt: utc(s.RetrievedAt)}
	switch s.Value.Kind {
	case telematics.KindNumber:
		if !math.IsNaN(s.Value.Number) && !math.IsInf(s.Value.Number, 0) {
			r.Value = s.Value.Number
		}
	case telematics.KindBool:
		r.Value = s.Value.Bool
	case telematics.KindString:
		r.Value = s.Value.Text
	case telematics.KindObject:
		if json.Valid(s.Value.Raw) {
			r.Value = json.RawMessage(s.Value.Raw)
		}
	}
	if s.Error != nil {
		r.Error = s.Error.Error()
	}
	return r
}

var signalColumns = []column[signalRecord]{
	{"PROVIDER", func(r signalRecord) string { return r.Provider }},
	{"VEHICLE", func(r signalRecord) string { return r.VehicleID }},
	{"SIGNAL", func(r signalRecord) string { return r.Code }},
	{"STATUS", func(r signalRecord) string { return r.Status }},
	{"VALUE", func(r signalRecord) string { return clip(valueCell(r.Value), 60) }},
	{"UNIT", func(r signalRecord) string { return r.Unit }},
	{"UPDATED", func(r signalRecord) string { return timeCell(r.OEMUpdatedAt) }},
	{"ERROR", func(r signalRecord) string { return clip(r.Error, 60) }},
}

// rateRecord is a provider's request budget as it last reported it.
type rateRecord struct {
	Provider  string    `json:"provider"`
	Known     bool      `json:"known" jsonschema:"false when the provider has not reported a budget"`
	Limit     *int      `json:"limit,omitempty" jsonschema:"requests allowed per window"`
	Remaining *int      `json:"remaining,omitempty" jsonschema:"requests left in the current window"`
	Reset     time.Time `json:"reset,omitzero" jsonschema:"when the window ends (RFC 3339, UTC)"`
}

func newRateRecord(provider string, r telematics.Rate) rateRecord {
	rec := rateRecord{Provider: provider, Known: r.Known(), Reset: utc(r.Reset).Truncate(time.Second)}
	if r.Limit >= 0 {
		rec.Limit = &r.Limit
	}
	if r.Remaining >= 0 {
		rec.Remaining = &r.Remaining
	}
	return rec
}

var rateColumns = []column[rateRecord]{
	{"PROVIDER", func(r rateRecord) string { return r.Provider }},
	{"REMAINING", func(r rateRecord) string { return intPtrCell(r.Remaining) }},
	{"LIMIT", func(r rateRecord) string { return intPtrCell(r.Limit) }},
	{"RESET", func(r rateRecord) string { return timeCell(r.Reset) }},
}

// eventRecord is one live event.
type eventRecord struct {
	Kind      string `json:"kind" jsonschema:"position, offline, resync, error or unknown"`
	VehicleID string `json:"vehicleId,omitzero"`
	*positionRecord
	Code    string `json:"code,omitzero"`
	Message string `json:"message,omitzero"`
}

func newEventRecord(e telematics.Event) eventRecord {
	r := eventRecord{Kind: e.Kind.String(), VehicleID: e.VehicleID, Code: e.Code, Message: e.Message}
	if e.Position.Valid() {
		p := newPositionRecord(e.Position, time.Time{})
		r.positionRecord = &p
	}
	return r
}

var eventColumns = []column[eventRecord]{
	{"KIND", func(r eventRecord) string { return r.Kind }},
	{"VEHICLE", func(r eventRecord) string { return r.VehicleID }},
	{"TIME", func(r eventRecord) string { return r.with(func(p *positionRecord) string { return timeCell(p.Time) }) }},
	{"LATITUDE", func(r eventRecord) string {
		return r.with(func(p *positionRecord) string { return coordCell(p.Latitude) })
	}},
	{"LONGITUDE", func(r eventRecord) string {
		return r.with(func(p *positionRecord) string { return coordCell(p.Longitude) })
	}},
	{"SPEED KM/H", func(r eventRecord) string {
		return r.with(func(p *positionRecord) string { return floatCell(p.SpeedKmh, 1) })
	}},
	{"MESSAGE", func(r eventRecord) string { return r.Message }},
}

func (r eventRecord) with(f func(*positionRecord) string) string {
	if r.positionRecord == nil {
		return ""
	}
	return f(r.positionRecord)
}

// commandRecord is the outcome of a command the provider accepted.
type commandRecord struct {
	VehicleID string `json:"vehicleId"`
	Command   string `json:"command"`
	Status    string `json:"status" jsonschema:"the provider's status of the command"`
	Pending   bool   `json:"pending" jsonschema:"true when the vehicle has not finished acting yet"`
	RequestID string `json:"requestId,omitzero" jsonschema:"the provider's request id, to quote to its support"`
}

var commandColumns = []column[commandRecord]{
	{"VEHICLE", func(r commandRecord) string { return r.VehicleID }},
	{"COMMAND", func(r commandRecord) string { return r.Command }},
	{"STATUS", func(r commandRecord) string { return r.Status }},
	{"PENDING", func(r commandRecord) string { return strconv.FormatBool(r.Pending) }},
	{"REQUEST", func(r commandRecord) string { return r.RequestID }},
}

// The cells of tables.

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func valueCell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// ageCell shows an age in seconds the way a person reads it: 45s, 12m30s, 5h20m, 3d4h.
func ageCell(s *int64) string {
	if s == nil {
		return ""
	}
	d := time.Duration(*s) * time.Second
	switch {
	case d < 0:
		return "-" + ageCell(ptr(-*s))
	case d < time.Hour:
		return d.String()
	case d < 48*time.Hour:
		return strings.TrimSuffix(d.Truncate(time.Minute).String(), "0s")
	}
	days := d / (24 * time.Hour)
	return strconv.Itoa(int(days)) + "d" + strconv.Itoa(int((d-days*24*time.Hour)/time.Hour)) + "h"
}

func ptr[T any](v T) *T { return &v }

func coordCell(v float64) string { return strconv.FormatFloat(v, 'f', 5, 64) }

func floatCell(v *float64, decimals int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', decimals, 64)
}

func intCell(v int) string {
	if v == 0 {
		return ""
	}
	return strconv.Itoa(v)
}

func intPtrCell(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}

// round returns v rounded to decimals places, 0 when v is not finite (JSON has no NaN).
func round(v float64, decimals int) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}

// opt returns v rounded to decimals places, or nil when v is not finite.
func opt(v float64, decimals int) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	r := round(v, decimals)
	return &r
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
