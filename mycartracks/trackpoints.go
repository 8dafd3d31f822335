package mycartracks

import (
	"bytes"
	"encoding/json"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Trackpoint is one recorded point of a track.
type Trackpoint struct {
	ID ID
	// Position holds the fix in SI units: speed (sent in km/h), heading (bearing in
	// degrees), altitude and accuracy (metres). Position.Known says which of the optional
	// fields the point carried.
	Position telematics.Position
	// Raw is the point's JSON. The list calls keep it only with
	// TrackpointListOptions.KeepRaw, sharing the memory of the page it came from;
	// json.Unmarshal keeps a copy.
	Raw json.RawMessage
}

// UnmarshalJSON decodes one point as trackpoint pages hold it (time in epoch ms, speed
// in km/h, bearing in degrees, altitude and accuracy in metres; the aliases lat, lng,
// lon and heading accepted), also from a {"data":{...}} envelope, keeping Raw.
func (tp *Trackpoint) UnmarshalJSON(b []byte) error {
	b = unwrapData(b)
	s := jsonScanner{b: b}
	s.ws()
	var slots [numTPKeys]valueSpan
	var p Trackpoint
	if err := s.point(&slots, &p); err != nil {
		return err
	}
	if s.ws(); s.i != len(s.b) {
		return s.fail("data after the trackpoint")
	}
	p.Raw = bytes.Clone(b)
	*tp = p
	return nil
}

// MarshalJSON encodes the point as the API sends it: time in epoch ms, speed in km/h,
// bearing in degrees, altitude and accuracy in metres; the optional fields only when
// Position.Known has them. Raw is not encoded.
func (tp Trackpoint) MarshalJSON() ([]byte, error) {
	p := &tp.Position
	w := struct {
		ID        ID       `json:"id"`
		Time      *int64   `json:"time,omitempty"`
		Latitude  float64  `json:"latitude"`
		Longitude float64  `json:"longitude"`
		Altitude  *float64 `json:"altitude,omitempty"`
		Speed     *float64 `json:"speed,omitempty"`
		Bearing   *float64 `json:"bearing,omitempty"`
		Accuracy  *float64 `json:"accuracy,omitempty"`
	}{ID: tp.ID, Time: epochMs(p.Time), Latitude: p.Latitude, Longitude: p.Longitude}
	if p.Has(telematics.HasAltitude) {
		w.Altitude = Ptr(p.Altitude.Metres())
	}
	if p.Has(telematics.HasSpeed) {
		w.Speed = Ptr(kmh(p.Speed))
	}
	if p.Has(telematics.HasHeading) {
		w.Bearing = Ptr(p.Heading.Degrees())
	}
	if p.Has(telematics.HasAccuracy) {
		w.Accuracy = Ptr(p.Accuracy.Metres())
	}
	return json.Marshal(w)
}
