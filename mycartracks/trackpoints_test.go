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
	for _, k := range []string{"", "ID", "Latitude", "lats", "data", "total"} {
		assert.Equal(t, -1, tpKey([]byte(k)), k)
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
		{"empty object", `{}`, 0, -1, false},
		{"empty data", ` {"data":[]} `, 0, -1, false},
		{"null data", `{"data":null,"total":0}`, 0, 0, false},
		{"total null falls back to totalCount", `{"total":null,"totalCount":4,"data":[{}]}`, 1, 4, false},
		{"total wins", `{"totalCount":4,"total":5}`, 0, 5, false},
		{"last data wins", `{"data":[{},{}],"data":[{}]}`, 1, -1, false},
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
		{"bad total", `{"total":"many"}`, 0, -1, true},
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

// refDecodeTrackpointPage is the slow reference the scanner must agree with: encoding/json
// into map[string]json.RawMessage (last key wins), then the documented precedence of
// canonical names over aliases, null and "" meaning absent.
func refDecodeTrackpointPage(body []byte, keepRaw bool) ([]Trackpoint, int, error) {
	trim := bytes.TrimLeft(body, " \t\r\n")
	if len(trim) == 0 || trim[0] != '{' {
		return nil, -1, errors.New("not an object")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, -1, err
	}
	var items []Trackpoint
	if data, ok := top["data"]; ok && string(data) != "null" {
		if data[0] != '[' {
			return nil, -1, errors.New("data is not an array")
		}
		var elems []json.RawMessage
		if err := json.Unmarshal(data, &elems); err != nil {
			return nil, -1, err
		}
		for _, e := range elems {
			if e[0] != '{' {
				return nil, -1, errors.New("item is not an object")
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(e, &m); err != nil {
				return nil, -1, err
			}
			tp, err := refPoint(m)
			if err != nil {
				return nil, -1, err
			}
			if keepRaw {
				tp.Raw = e
			}
			items = append(items, tp)
		}
	}
	for _, k := range []string{"total", "totalCount"} {
		if v, ok := top[k]; ok && string(v) != "null" && string(v) != `""` {
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

func FuzzTrackpoints(f *testing.F) {
	for _, name := range []string{"trackpoints.json", "trackpoints_aliases.json"} {
		f.Add(readFixture(f, name), true)
	}
	for _, s := range []string{`{}`, `{"data":[{"id":1,"time":0,"lat":-0,"lng":1e2,"speed":"3.5"}],"total":"7"}`,
		`{"data":[{"latitude":1,"latitude":null,"lat":2}]}`, `{"data":[{"time":"2026-01-01 10:00:00"}]}`,
		`{"data":[{"id":9223372036854775807,"accuracy":1e-400}]}`, `{"d\u0061ta":[{"\u0069d":"5"}]}`,
		"{\"data\":[{\"x\":\"\xff\"}]}", `{"data":[{"heading":"-0x1p3"}]}`} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, keepRaw bool) {
		items, total, err := decodeTrackpointPage(body, nil, keepRaw)
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
