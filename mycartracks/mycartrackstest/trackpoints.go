package mycartrackstest

import (
	"net/http"
	"strconv"
)

// trackpointSchema is only used to parse the list parameters of /trackpoints: points are
// written by appendPoint, not through the object interface, as they are the hot path.
var trackpointSchema = &schema{
	noun:   "trackpoint",
	fields: []string{"id", "time", "latitude", "longitude", "altitude", "speed", "bearing", "accuracy"},
}

// pointFields is a set of trackpoint fields, bit i standing for trackpointSchema.fields[i].
type pointFields uint8

const allPointFields pointFields = 1<<8 - 1

// pointKeys are the keys of the fields as written, separator included.
var pointKeys = [8]string{`"id":`, `"time":`, `"latitude":`, `"longitude":`, `"altitude":`, `"speed":`, `"bearing":`, `"accuracy":`}

// trackpoints serves /trackpoints/{trackId}: a page of the track's points, computed as
// they are written, in time order (or reversed with sort=-time).
func (s *Server) trackpoints(c *call) reply {
	id, rerr := c.pathID(0, "track")
	if rerr != nil {
		return rerr.reply()
	}
	t, ok := s.fleet.trackByID[id]
	if !ok {
		return notFound("track", id).reply()
	}
	p, rerr := parseListParams(c.query, trackpointSchema, maxTrackpointLimit)
	if rerr != nil {
		return rerr.reply()
	}
	descending := false
	for i, k := range p.sort {
		if k.name != "time" && k.name != "id" {
			return badRequest("trackpoints can only be sorted by time or id").reply()
		}
		if i == 0 {
			descending = k.desc
		}
	}
	var mask pointFields
	for _, f := range p.fields {
		for i, name := range trackpointSchema.fields {
			if f == name {
				mask |= 1 << i
			}
		}
	}

	q := s.quirks("/trackpoints")
	if q.ignoreOffset {
		p.offset = 0
	}
	if q.cap > 0 {
		p.limit = min(p.limit, q.cap)
	}
	p.includeTotal = p.includeTotal && !q.noTotal
	from, to := min(p.offset, t.n), min(p.offset+p.limit, t.n)
	buf := getBuffer()
	b := *buf
	if need := (to-from)*150 + 64; cap(b) < need {
		b = make([]byte, 0, need)
	}
	b = append(b, `{"data":[`...)
	for j := from; j < to; j++ {
		i := j
		if descending {
			i = t.n - 1 - j
		}
		if j > from {
			b = append(b, ',')
		}
		pt := t.point(i)
		b = appendPoint(b, &pt, mask)
	}
	b = append(b, ']')
	if p.includeTotal {
		b = append(b, `,"total":`...)
		b = strconv.AppendInt(b, int64(t.n), 10)
	}
	b = append(b, '}')
	return jsonReply(http.StatusOK, buf, b)
}

// appendPoint writes one trackpoint as JSON, with strconv rather than reflection.
func appendPoint(b []byte, p *point, mask pointFields) []byte {
	if mask == allPointFields {
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, p.id, 10)
		b = append(b, `,"time":`...)
		b = strconv.AppendInt(b, p.time, 10)
		b = append(b, `,"latitude":`...)
		b = strconv.AppendFloat(b, p.lat, 'f', -1, 64)
		b = append(b, `,"longitude":`...)
		b = strconv.AppendFloat(b, p.lon, 'f', -1, 64)
		b = append(b, `,"altitude":`...)
		b = strconv.AppendFloat(b, p.alt, 'f', -1, 64)
		b = append(b, `,"speed":`...)
		b = strconv.AppendFloat(b, p.speed, 'f', -1, 64)
		b = append(b, `,"bearing":`...)
		b = strconv.AppendFloat(b, p.bearing, 'f', -1, 64)
		b = append(b, `,"accuracy":`...)
		b = strconv.AppendFloat(b, p.accuracy, 'f', -1, 64)
		return append(b, '}')
	}
	b = append(b, '{')
	first := true
	for i, key := range pointKeys {
		if mask&(1<<i) == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, key...)
		switch i {
		case 0:
			b = strconv.AppendInt(b, p.id, 10)
		case 1:
			b = strconv.AppendInt(b, p.time, 10)
		default:
			b = strconv.AppendFloat(b, [...]float64{p.lat, p.lon, p.alt, p.speed, p.bearing, p.accuracy}[i-2], 'f', -1, 64)
		}
	}
	return append(b, '}')
}
