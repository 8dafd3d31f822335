package mycartracks

import (
	"strings"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// The live stream's hot path: a position frame is decoded by the validating scanner
// (jsonscan.go) instead of encoding/json's reflection, with the fields' own
// UnmarshalJSON methods, so that it costs no allocation besides the vehicle id. Only
// the plain shape takes it: a frame of type "position" whose known keys appear once, in
// their exact spelling, with a vehicle id and a position object. Anything else (another
// type, an escaped value, a differently cased key, a duplicate, a null, a value its field
// refuses, invalid JSON) falls back to json.Unmarshal into wireLiveFrame, which decides
// exactly as before; so the fast path never changes an outcome, it only skips work.

// liveFrameKeys are the members of wireLiveFrame; liveFrameKey indexes them.
var liveFrameKeys = [...]string{"type", "event", "vehicleId", "carId", "time", "position", "lastPosition", "code", "message"}

const (
	lfType = iota
	lfEvent
	lfVehicleID
	lfCarID
	lfTime
	lfPosition
	numLiveFrameKeys
)

// livePointKeys are the members of wireLivePoint.
var livePointKeys = [...]string{"time", "latitude", "lat", "longitude", "lng", "lon", "altitude", "speed", "bearing", "heading", "accuracy"}

// foldsToKnown reports whether key matches one of known case-insensitively, as
// encoding/json would match it to a field.
func foldsToKnown(key []byte, known []string) bool {
	for _, k := range known {
		if strings.EqualFold(k, string(key)) {
			return true
		}
	}
	return false
}

// decodeLivePositionFast decodes a plain position frame into ev; ok is false when the
// frame is not one, and ev is then untouched.
func decodeLivePositionFast(frame []byte, ev *telematics.Event) (ok bool) {
	s := jsonScanner{b: frame}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return false
	}
	var spans [numLiveFrameKeys]valueSpan
	var pt wireLivePoint
	ptSeen := false
	fallback := false
	err := s.object(func(key []byte) error {
		i := -1
		switch string(key) {
		case "type":
			i = lfType
		case "event":
			i = lfEvent
		case "vehicleId":
			i = lfVehicleID
		case "carId":
			i = lfCarID
		case "time":
			i = lfTime
		case "position":
			i = lfPosition
		default:
			if foldsToKnown(key, liveFrameKeys[:]) {
				fallback = true // lastPosition, code, message, or another spelling
			}
			return s.skip()
		}
		if spans[i].set {
			fallback = true // a duplicate: encoding/json's last-wins rules
		}
		if i == lfPosition {
			if s.i >= len(s.b) || s.b[s.i] != '{' {
				fallback = true
				return s.skip()
			}
			spans[i].set, ptSeen = true, true
			return s.livePoint(&pt, &fallback)
		}
		return s.span(&spans[i])
	})
	if err != nil || fallback || !ptSeen {
		return false
	}
	if s.ws(); s.i != len(s.b) {
		return false
	}
	kind, ok := s.plainString(spans[lfType])
	if !ok {
		return false
	}
	if kind == "" {
		if kind, ok = s.plainString(spans[lfEvent]); !ok {
			return false
		}
	} else if spans[lfEvent].set {
		if _, ok := s.plainString(spans[lfEvent]); !ok {
			return false
		}
	}
	if kind != "position" {
		return false
	}
	var id, carID ID
	for _, f := range []struct {
		span valueSpan
		id   *ID
	}{{spans[lfVehicleID], &id}, {spans[lfCarID], &carID}} {
		if !f.span.set {
			continue
		}
		v := s.b[f.span.start:f.span.end]
		if string(v) == "null" || f.id.UnmarshalJSON(v) != nil {
			return false
		}
	}
	if !spans[lfVehicleID].set {
		if !spans[lfCarID].set {
			return false
		}
		id = carID
	}
	if spans[lfTime].set {
		var t telematics.Timestamp
		if t.UnmarshalJSON(s.b[spans[lfTime].start:spans[lfTime].end]) != nil {
			return false
		}
	}
	vid := id.neutral()
	if vid == "" {
		return false
	}
	ev.Raw = frame
	ev.VehicleID = vid
	ev.Kind = telematics.EventPosition
	ev.Position = pt.position(vid)
	ev.Time = ev.Position.Time
	return true
}

// plainString returns the text of a string value without escapes ("" when not set);
// ok is false for any other value.
func (s *jsonScanner) plainString(v valueSpan) (string, bool) {
	if !v.set {
		return "", true
	}
	b := s.b[v.start:v.end]
	if len(b) < 2 || b[0] != '"' || strings.IndexByte(string(b[1:len(b)-1]), '\\') >= 0 {
		return "", false
	}
	switch string(b[1 : len(b)-1]) {
	case "position":
		return "position", true
	case "":
		return "", true
	}
	return "other", true
}

// livePoint decodes a position object at s.i into pt with the fields' UnmarshalJSON.
func (s *jsonScanner) livePoint(pt *wireLivePoint, fallback *bool) error {
	var seen [len(livePointKeys)]bool
	return s.object(func(key []byte) error {
		var f *flexFloat
		i := -1
		switch string(key) {
		case "time":
			i = 0
		case "latitude":
			i, f = 1, &pt.Latitude
		case "lat":
			i, f = 2, &pt.Lat
		case "longitude":
			i, f = 3, &pt.Longitude
		case "lng":
			i, f = 4, &pt.Lng
		case "lon":
			i, f = 5, &pt.Lon
		case "altitude":
			i, f = 6, &pt.Altitude
		case "speed":
			i, f = 7, &pt.Speed
		case "bearing":
			i, f = 8, &pt.Bearing
		case "heading":
			i, f = 9, &pt.Heading
		case "accuracy":
			i, f = 10, &pt.Accuracy
		default:
			if foldsToKnown(key, livePointKeys[:]) {
				*fallback = true
			}
			return s.skip()
		}
		if seen[i] {
			*fallback = true
		}
		seen[i] = true
		var v valueSpan
		if err := s.span(&v); err != nil {
			return err
		}
		raw := s.b[v.start:v.end]
		var err error
		if f != nil {
			err = f.UnmarshalJSON(raw)
		} else {
			err = pt.Time.UnmarshalJSON(raw)
		}
		if err != nil {
			*fallback = true
		}
		return nil
	})
}
