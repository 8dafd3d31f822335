package smartcar

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// signalListBody builds a 100-signal list response in Smartcar's JSON:API form: every
// documented body shape in turn, one signal in ten failed with a stale body, one in ten
// unavailable, RFC 3339 meta times and absolute links.
func signalListBody(n int) []byte {
	bodies := []string{
		`{"value":57,"unit":"percent"}`,
		`{"value":true}`,
		`{"value":"NOT_CHARGING"}`,
		`{"value":300,"unit":"km","type":"DEFAULT","additionalValues":[{"type":"IDEAL_CONDITIONS","value":320}]}`,
		`{"values":[{"row":0,"column":0,"isOpen":false,"isLocked":true},{"row":0,"column":1,"isOpen":false,"isLocked":true},{"row":1,"column":0,"isOpen":false,"isLocked":true},{"row":1,"column":1,"isOpen":false,"isLocked":true}],"rowCount":2,"columnCount":2}`,
		`{"values":[{"type":"GLOBAL","limit":80,"condition":null}],"activeLimit":80,"unit":"percent"}`,
		`{"latitude":37.7749,"longitude":-122.4194,"heading":90,"direction":"E","locationType":"CURRENT"}`,
		`{"isOpen":false,"isLocked":true}`,
		`{"source":"SMARTCAR","capacity":75,"availableCapacities":[{"capacity":75,"description":"Long Range"}],"unit":"kWh"}`,
		`{"value":48211.4,"unit":"km"}`,
	}
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		code := fmt.Sprintf("group%d-signal%03d", i%7, i)
		status := `{"value":"SUCCESS"}`
		body := `,"body":` + bodies[i%len(bodies)]
		switch i % 10 {
		case 9:
			status = `{"value":"ERROR","error":{"type":"VEHICLE_STATE","code":"NOT_CHARGING","title":"NOT CHARGING","detail":"The vehicle is not charging.","description":"Deprecated. Use detail","resolution":{"type":"RETRY_LATER"}}}`
		case 8:
			status, body = `{"value":"UNAVAILABLE"}`, ""
		}
		fmt.Fprintf(&b, `{"id":%q,"type":"signal","attributes":{"code":%q,"name":"Signal%03d","group":"Group%d","status":%s%s},`+
			`"meta":{"ingestedAt":"2026-06-29T23:57:01.000Z","retrievedAt":"2026-06-29T23:57:00.000Z","oemUpdatedAt":"2026-06-29T23:55:00.000Z"},`+
			`"links":{"self":"https://vehicle.api.smartcar.com/v3/vehicles/36ab27d0-8f3e-4c55-a2a1-7d0e8b1c2a01/signals/%s"}}`,
			code, code, i, i%7, status, body, code)
	}
	fmt.Fprintf(&b, `],"meta":{"pageNumber":1,"pageSize":%d,"totalCount":%d},"links":{"self":"https://vehicle.api.smartcar.com/v3/vehicles/v/signals","next":null,"prev":null},`+
		`"included":{"vehicle":{"id":"v","type":"vehicle","attributes":{"make":"TESLA","model":"Model 3","year":2023,"mode":"live","powertrainType":"BEV"}}}}`, n, n)
	return []byte(b.String())
}

// BenchmarkDecodeSignalList decodes one 100-signal list response as Signals.List does
// (typed signals and values, times parsed) and, as the baseline in the same run, with
// encoding/json into map[string]any.
func BenchmarkDecodeSignalList(b *testing.B) {
	body := signalListBody(100)
	b.Run("typed", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sigs, _, err := decodeSignalList(body)
			if err != nil || len(sigs) != 100 || sigs[0].Value == nil || sigs[1].RetrievedAt.IsZero() {
				b.Fatalf("decoded %d signals: %v", len(sigs), err)
			}
		}
	})
	b.Run("map-baseline", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil || len(m["data"].([]any)) != 100 {
				b.Fatal(err)
			}
		}
	})
}

// The benchmark's body decodes to what it describes.
func TestSignalListBody(t *testing.T) {
	sigs, l, err := decodeSignalList(signalListBody(100))
	if err != nil || len(sigs) != 100 || l.Included == nil {
		t.Fatalf("%d signals, %v", len(sigs), err)
	}
	counts := map[string]int{}
	for _, s := range sigs {
		counts[fmt.Sprintf("%s %T", s.Status, s.Value)]++
	}
	want := map[string]int{
		"SUCCESS smartcar.UnitValue": 10, "SUCCESS smartcar.BoolValue": 10, "SUCCESS smartcar.TextValue": 10,
		"SUCCESS smartcar.AdditionalValues": 10, "SUCCESS smartcar.ClosureGrid": 10, "SUCCESS smartcar.ChargeLimits": 10,
		"SUCCESS smartcar.Location": 10, "SUCCESS smartcar.ClosureState": 10, "UNAVAILABLE <nil>": 10, "ERROR smartcar.UnitValue": 10,
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("%s: %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
}
