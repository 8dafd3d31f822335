package mycartracks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestTrackpointKeyTableInStep(t *testing.T) {
	for i, k := range trackpointKeys {
		assert.Equal(t, i, tpKey([]byte(k.name)), k.name)
	}
	for _, k := range []string{"", "lats", "data", "total", "ıd", "latitudes"} {
		assert.Equal(t, -1, tpKey([]byte(k)), k)
	}
	// Keys in another case match as encoding/json matches struct fields.
	for k, want := range map[string]int{"ID": 0, "Latitude": 2, "LNG": 5, "ſpeed": 8, "BeArInG": 9} {
		assert.Equal(t, want, tpKey([]byte(k)), k)
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/mycartracks/" + name)
	require.NoError(t, err)
	return b
}

func TestDecodeTrackpointFixtures(t *testing.T) {
	items, total, err := decodeTrackpointPage(readFixture(t, "trackpoints.json"), nil, false)
	require.NoError(t, err)
	assert.Equal(t, 3, total)
	require.Len(t, items, 3)
	p := items[0]
	assert.EqualValues(t, 9001, p.ID)
	assert.Equal(t, time.UnixMilli(1767261600000).UTC(), p.Position.Time)
	assert.Equal(t, 48.148598, p.Position.Latitude)
	assert.Equal(t, 17.107748, p.Position.Longitude)
	assert.InDelta(t, 15.0, p.Position.Speed.MPS(), 1e-9, "54 km/h is 15 m/s")
	assert.Equal(t, 140.5, p.Position.Altitude.Metres())
	assert.Equal(t, 90.0, p.Position.Heading.Degrees())
	assert.Equal(t, 5.0, p.Position.Accuracy.Metres())
	assert.Equal(t, telematics.HasAltitude|telematics.HasSpeed|telematics.HasHeading|telematics.HasAccuracy, p.Position.Known)
	assert.Equal(t, "mycartracks", p.Position.Provider)
	assert.Nil(t, p.Raw, "raw JSON is kept only when asked")
	assert.True(t, items[1].Position.Has(telematics.HasSpeed), "a speed of 0 was sent")
	assert.Zero(t, items[1].Position.Speed)
	assert.Equal(t, telematics.PositionFields(0), items[2].Position.Known, "no optional field was sent")

	items, total, err = decodeTrackpointPage(readFixture(t, "trackpoints_aliases.json"), nil, true)
	require.NoError(t, err)
	assert.Equal(t, 2, total, "totalCount as a string")
	require.Len(t, items, 2)
	a := items[0]
	assert.EqualValues(t, 9101, a.ID)
	assert.Equal(t, time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC), a.Position.Time)
	assert.Equal(t, 48.5, a.Position.Latitude)
	assert.Equal(t, 17.25, a.Position.Longitude)
	assert.Equal(t, 270.0, a.Position.Heading.Degrees(), "heading -90 normalised")
	assert.Equal(t, telematics.HasHeading, a.Position.Known, "null speed and empty altitude are absent")
	assert.True(t, json.Valid(a.Raw))
	assert.Contains(t, string(a.Raw), `"source": "gps"`)
	b := items[1]
	assert.Equal(t, 2.0, b.Position.Latitude, "latitude wins over lat")
	assert.Equal(t, 4.0, b.Position.Longitude, "lng wins over lon")
	assert.Equal(t, 20.0, b.Position.Heading.Degrees(), "bearing wins over heading")
	assert.Equal(t, time.UnixMilli(1767261605000).UTC(), b.Position.Time, "numeric string time")
}

func TestDecodeTrackpointPageCases(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		n     int
		total int
		err   bool
	}{
		{"empty object", `{}`, 0, -1, true},
		{"no data", `{"message":"upstream timeout","total":3}`, 0, -1, true},
		{"empty data", ` {"data":[]} `, 0, -1, false},
		{"null data", `{"data":null,"total":0}`, 0, 0, false},
		{"total null falls back to totalCount", `{"total":null,"totalCount":4,"data":[{}]}`, 1, 4, false},
		{"total wins", `{"totalCount":4,"total":5,"data":[]}`, 0, 5, false},
		{"last total wins", `{"total":"many","total":5,"data":[]}`, 0, 5, false},
		{"last null total falls back", `{"total":5,"total":null,"totalCount":3,"data":[]}`, 0, 3, false},
		{"last data wins", `{"data":[{},{}],"data":[{}]}`, 1, -1, false},
		{"last data wins over a number", `{"data":5,"data":[{"id":1}]}`, 1, -1, false},
		{"last data wins over an object", `{"data":{"id":1},"data":[{"id":1},{"id":2}]}`, 2, -1, false},
		{"last data wins over bad points", `{"data":[{"latitude":true},null,1],"data":[{}]}`, 1, -1, false},
		{"null data last", `{"data":[{"id":1}],"data":null}`, 0, -1, false},
		{"a last data that is no array", `{"data":[{"id":1}],"data":"x"}`, 0, -1, true},
		{"data in another case", `{"DATA":[{"LAT":1}],"Total":2}`, 1, 2, false},
		{"data in another case wins", `{"data":[{"id":1}],"Data":[]}`, 0, -1, false},
		{"escaped key", `{"d\u0061ta":[{"l\u0061t":1.5}]}`, 1, -1, false},
		{"unknown keys skipped", `{"meta":{"a":[true,false,null,"x\"y",-1.5e3]},"data":[{"z":[[]]}]}`, 1, -1, false},
		{"not an object", `[]`, 0, -1, true},
		{"null page", `null`, 0, -1, true},
		{"data not an array", `{"data":{}}`, 0, -1, true},
		{"item not an object", `{"data":[1]}`, 0, -1, true},
		{"null item", `{"data":[null]}`, 0, -1, true},
		{"latitude is a bool", `{"data":[{"latitude":true}]}`, 0, -1, true},
		{"latitude not a number", `{"data":[{"latitude":"north"}]}`, 0, -1, true},
		{"overflowing number", `{"data":[{"speed":1e400}]}`, 0, -1, true},
		{"fractional id", `{"data":[{"id":1.5}]}`, 0, -1, true},
		{"bad time", `{"data":[{"time":"yesterday"}]}`, 0, -1, true},
		{"bad total", `{"total":"many","data":[]}`, 0, -1, true},
		{"trailing data", `{"data":[]} x`, 0, -1, true},
		{"truncated", `{"data":[{"id":1,`, 0, -1, true},
		{"leading zero", `{"data":[{"id":01}]}`, 0, -1, true},
		{"control character", "{\"data\":[{\"x\":\"a\x01\"}]}", 0, -1, true},
		{"bad escape", `{"data":[{"x":"\q"}]}`, 0, -1, true},
		{"missing colon", `{"data" []}`, 0, -1, true},
		{"trailing comma", `{"data":[{},]}`, 0, -1, true},
		{"overridden bad value is ignored", `{"data":[{"latitude":true,"latitude":1}]}`, 1, -1, false},
		{"bad alias behind the canonical name is ignored", `{"data":[{"lat":"x","latitude":1}]}`, 1, -1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, total, err := decodeTrackpointPage([]byte(tc.body), nil, false)
			ritems, rtotal, rerr := refDecodeTrackpointPage([]byte(tc.body), false)
			if tc.err {
				assert.Error(t, err)
				assert.Error(t, rerr, "the reference decoder agrees")
				return
			}
			require.NoError(t, err)
			require.NoError(t, rerr)
			assert.Len(t, items, tc.n)
			assert.Equal(t, tc.total, total)
			assert.Equal(t, rtotal, total)
			assertSamePoints(t, ritems, items)
		})
	}
}

func TestDecodeTrackpointPageAppendsToDst(t *testing.T) {
	dst := make([]Trackpoint, 1, 8)
	dst[0].ID = 1
	items, _, err := decodeTrackpointPage([]byte(`{"data":[{"id":2}],"data":[{"id":3}]}`), dst, false)
	require.NoError(t, err)
	require.Len(t, items, 2)
	assert.EqualValues(t, 1, items[0].ID)
	assert.EqualValues(t, 3, items[1].ID)
}

func TestFastFloatAgreesWithStrconv(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "0.1", "48.148598", "-179.999999", "123456789012345", "0.000000000000001",
		"1234567890123456", "1.5e3", "9007199254740993", "17.1077480000000001", "-0.0", "359.99999999999999"} {
		want, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		got, err := fastFloat([]byte(s))
		require.NoError(t, err, s)
		assert.Equal(t, math.Float64bits(want), math.Float64bits(got), s)
	}
}

// refPage and refWirePoint are the reference the scanner must agree with: encoding/json
// decoding into structs with a json.RawMessage per key. encoding/json then decides what
// the scanner's rules say: which input is valid JSON, that a page is an object, that keys
// match in any case (as struct fields do), and that the last occurrence of a key wins,
// whatever an earlier one held (a RawMessage takes any value).
type refPage struct {
	Data       json.RawMessage `json:"data"`
	Total      json.RawMessage `json:"total"`
	TotalCount json.RawMessage `json:"totalCount"`
}

type refWirePoint struct {
	ID        json.RawMessage `json:"id"`
	Time      json.RawMessage `json:"time"`
	Latitude  json.RawMessage `json:"latitude"`
	Lat       json.RawMessage `json:"lat"`
	Longitude json.RawMessage `json:"longitude"`
	Lng       json.RawMessage `json:"lng"`
	Lon       json.RawMessage `json:"lon"`
	Altitude  json.RawMessage `json:"altitude"`
	Speed     json.RawMessage `json:"speed"`
	Bearing   json.RawMessage `json:"bearing"`
	Heading   json.RawMessage `json:"heading"`
	Accuracy  json.RawMessage `json:"accuracy"`
}

// present returns the keys the point holds, by canonical or alias name.
func (w *refWirePoint) present() map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	v := reflect.ValueOf(w).Elem()
	for i := range v.NumField() {
		if raw := v.Field(i).Interface().(json.RawMessage); raw != nil {
			m[v.Type().Field(i).Tag.Get("json")] = raw
		}
	}
	return m
}

// refDecodeTrackpointPage is the slow reference decoder: refPage and refWirePoint, then
// the documented rules for values: a page needs "data" (null or an array), a point is an
// object, null and "" mean absent, canonical names win over aliases, numbers may come as
// strings and times as ParseTime takes them.
func refDecodeTrackpointPage(body []byte, keepRaw bool) ([]Trackpoint, int, error) {
	var page refPage
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, -1, err // invalid JSON, or not an object
	}
	if page.Data == nil {
		return nil, -1, errors.New("no data") // also a body of null
	}
	var items []Trackpoint
	if string(page.Data) != "null" {
		if page.Data[0] != '[' {
			return nil, -1, errors.New("data is not an array")
		}
		var elems []json.RawMessage
		if err := json.Unmarshal(page.Data, &elems); err != nil {
			return nil, -1, err
		}
		for _, e := range elems {
			if e[0] != '{' {
				return nil, -1, errors.New("item is not an object")
			}
			var w refWirePoint
			if err := json.Unmarshal(e, &w); err != nil {
				return nil, -1, err
			}
			tp, err := refPoint(w.present())
			if err != nil {
				return nil, -1, err
			}
			if keepRaw {
				tp.Raw = e
			}
			items = append(items, tp)
		}
	}
	for _, v := range []json.RawMessage{page.Total, page.TotalCount} {
		if v != nil && string(v) != "null" && string(v) != `""` {
			n, err := refInt(v)
			if err != nil {
				return nil, -1, err
			}
			return items, int(n), nil
		}
	}
	return items, -1, nil
}

func refPoint(m map[string]json.RawMessage) (Trackpoint, error) {
	pick := func(names ...string) json.RawMessage {
		for _, n := range names {
			if v, ok := m[n]; ok && string(v) != "null" && string(v) != `""` {
				return v
			}
		}
		return nil
	}
	tp := Trackpoint{Position: telematics.Position{Provider: "mycartracks"}}
	if v := pick("id"); v != nil {
		n, err := refInt(v)
		if err != nil {
			return tp, err
		}
		tp.ID = ID(n)
	}
	if v := pick("time"); v != nil {
		ts, err := telematics.ParseTime(v, telematics.EpochMillis)
		if err != nil {
			return tp, err
		}
		tp.Position.Time = ts
	}
	floats := []struct {
		names []string
		set   func(float64)
	}{
		{[]string{"latitude", "lat"}, func(f float64) { tp.Position.Latitude = f }},
		{[]string{"longitude", "lng", "lon"}, func(f float64) { tp.Position.Longitude = f }},
		{[]string{"altitude"}, func(f float64) {
			tp.Position.Altitude, tp.Position.Known = telematics.Metres(f), tp.Position.Known|telematics.HasAltitude
		}},
		{[]string{"speed"}, func(f float64) {
			tp.Position.Speed, tp.Position.Known = telematics.KilometresPerHour(f), tp.Position.Known|telematics.HasSpeed
		}},
		{[]string{"bearing", "heading"}, func(f float64) {
			tp.Position.Heading, tp.Position.Known = telematics.Degrees(f), tp.Position.Known|telematics.HasHeading
		}},
		{[]string{"accuracy"}, func(f float64) {
			tp.Position.Accuracy, tp.Position.Known = telematics.Metres(f), tp.Position.Known|telematics.HasAccuracy
		}},
	}
	for _, fl := range floats {
		v := pick(fl.names...)
		if v == nil {
			continue
		}
		var f float64
		switch v[0] {
		case '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return tp, err
			}
			var err error
			if f, err = strconv.ParseFloat(s, 64); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return tp, fmt.Errorf("not a number: %q", s)
			}
		case 't', 'f', '{', '[':
			return tp, errors.New("not a number")
		default:
			if err := json.Unmarshal(v, &f); err != nil {
				return tp, err
			}
		}
		fl.set(f)
	}
	return tp, nil
}

func refInt(v json.RawMessage) (int64, error) {
	if v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, err
		}
		return strconv.ParseInt(s, 10, 64)
	}
	var n int64
	err := json.Unmarshal(v, &n)
	return n, err
}

func assertSamePoints(t testing.TB, want, got []Trackpoint) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("decoders disagree:\nreference %+v\nscanner   %+v", want, got)
	}
}

// FuzzTrackpointPageDifferential compares the scanner with encoding/json on arbitrary
// input (refDecodeTrackpointPage):
//   - input encoding/json rejects as JSON, the scanner rejects;
//   - a page encoding/json accepts as the envelope (an object whose last "data" is null or
//     an array of objects whose values convert), the scanner accepts, with the same total
//     and equal points field by field, Raw included;
//   - anything else (no "data", a point of the wrong type, a value that does not convert,
//     a bare array or null as the page) both reject.
//
// The reference reflects the scanner's documented rules, which are more tolerant than
// decoding into typed fields: null and "" mean absent, aliases (lat, lng, lon, heading)
// stand in for the canonical names, numbers may be strings, times take every ParseTime
// form, and an earlier "data" (or any key) may hold a value of another type, since the
// last occurrence wins. Where it is stricter than encoding/json into a []struct it says
// so in the reference too: a point must be an object (null is not a point).
func FuzzTrackpointPageDifferential(f *testing.F) {
	for _, name := range []string{"trackpoints.json", "trackpoints_aliases.json"} {
		f.Add(readFixture(f, name), true)
	}
	for _, s := range []string{`{}`, `{"data":[{"id":1,"time":0,"lat":-0,"lng":1e2,"speed":"3.5"}],"total":"7"}`,
		`{"data":[{"latitude":1,"latitude":null,"lat":2}]}`, `{"data":[{"time":"2026-01-01 10:00:00"}]}`,
		`{"data":[{"id":9223372036854775807,"accuracy":1e-400}]}`, `{"d\u0061ta":[{"\u0069d":"5"}]}`,
		"{\"data\":[{\"x\":\"\xff\"}]}", `{"data":[{"heading":"-0x1p3"}]}`,
		// Repeated keys: the last one wins, also for "data" and the totals.
		`{"data":5,"data":[{"id":1}]}`, `{"data":[{"id":1}],"data":null}`, `{"data":[{"id":1}],"data":[{"id":2},{"id":3}]}`,
		`{"data":[{"latitude":true}],"data":[]}`, `{"data":[null],"data":[{}]}`, `{"data":{"id":1},"data":[]}`,
		`{"data":[],"data":"x"}`, `{"total":5,"total":null,"totalCount":3,"data":[]}`, `{"total":"x","total":2,"data":[]}`,
		// Keys in another case, as encoding/json matches struct fields.
		`{"DATA":[{"LATITUDE":1,"Lng":2,"ſpeed":3}],"Total":4}`, `{"data":[{"lat":1,"LAT":2}],"Data":null}`,
		// Not the envelope.
		`null`, `[]`, `{"message":"upstream timeout"}`, `{"total":3}`} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, keepRaw bool) {
		items, total, err := decodeTrackpointPage(body, nil, keepRaw)
		if !json.Valid(body) {
			if err == nil {
				t.Fatalf("the scanner accepts %q, which is not JSON", body)
			}
			return
		}
		ritems, rtotal, rerr := refDecodeTrackpointPage(body, keepRaw)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("decoders disagree on %q:\nscanner error   %v\nreference error %v", body, err, rerr)
		}
		if err != nil {
			return
		}
		if total != rtotal {
			t.Fatalf("totals disagree on %q: %d vs %d", body, total, rtotal)
		}
		assertSamePoints(t, ritems, items)
	})
}

// trackpointPage builds a page of n points shaped like the API's.
func trackpointPage(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	t0 := int64(1767261600000)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"time":%d,"latitude":%.6f,"longitude":%.6f,"altitude":%.1f,"speed":%.1f,"bearing":%d,"accuracy":%d}`,
			1_000_000+i, t0+int64(i)*1000, 48.1+float64(i)*1e-5, 17.1+float64(i)*1e-5, 140+float64(i%50)/10, float64(i%1300)/10, i%360, 3+i%10)
	}
	fmt.Fprintf(&b, `],"total":%d}`, n)
	return b.Bytes()
}

// plainPoint is what a caller decoding with encoding/json alone would write.
type plainPoint struct {
	ID        int64   `json:"id"`
	Time      int64   `json:"time"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Altitude  float64 `json:"altitude"`
	Speed     float64 `json:"speed"`
	Bearing   float64 `json:"bearing"`
	Accuracy  float64 `json:"accuracy"`
}

// BenchmarkTrackpointPage decodes a 10,000-point page into telematics positions (units
// converted, aliases honoured) beside the baseline: encoding/json into a plain struct
// slice with no conversion at all.
func BenchmarkTrackpointPage(b *testing.B) {
	body := trackpointPage(MaxTrackpointPageSize)
	b.Run("fleetkit", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			items, _, err := decodeTrackpointPage(body, nil, false)
			if err != nil || len(items) != MaxTrackpointPageSize {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json-baseline", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var page struct {
				Data  []plainPoint `json:"data"`
				Total int          `json:"total"`
			}
			if err := json.Unmarshal(body, &page); err != nil || len(page.Data) != MaxTrackpointPageSize {
				b.Fatal(err)
			}
		}
	})
}

func TestFieldKeysContiguous(t *testing.T) {
	for k, key := range trackpointKeys {
		r := fieldKeys[key.field]
		assert.True(t, k >= r[0] && k < r[1], key.name)
	}
}
