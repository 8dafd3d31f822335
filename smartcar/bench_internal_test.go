package smartcar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
)

// benchBodies holds one body of every shape of the reference (§6.2 "body is
// polymorphic"): unit values, single values (number, boolean, string), additional
// values, value arrays (a closure grid, charge limits) and objects (location, trunk,
// nominal capacity).
var benchBodies = []string{
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
	`{"value":3}`,
}

// benchStatus says what signal i of the benchmark list is: one in ten failed with a stale
// body, one in ten unavailable without a body. The body shapes (11) and the statuses
// (10) rotate on cycles of coprime lengths, so every shape appears with each status.
func benchStatus(i int) string {
	switch i % 10 {
	case 9:
		return "ERROR"
	case 8:
		return "UNAVAILABLE"
	}
	return "SUCCESS"
}

// signalListBody builds an n-signal list response in Smartcar's JSON:API form: the body
// shapes of benchBodies in turn, the statuses of benchStatus, RFC 3339 meta times and
// absolute links.
func signalListBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		code := fmt.Sprintf("group%d-signal%03d", i%7, i)
		status := `{"value":"SUCCESS"}`
		body := `,"body":` + benchBodies[i%len(benchBodies)]
		switch benchStatus(i) {
		case "ERROR":
			status = `{"value":"ERROR","error":{"type":"VEHICLE_STATE","code":"NOT_CHARGING","title":"NOT CHARGING","detail":"The vehicle is not charging.","description":"Deprecated. Use detail","resolution":{"type":"RETRY_LATER"}}}`
		case "UNAVAILABLE":
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
// encoding/json into map[string]any. The ratio sub-benchmark runs both on every
// iteration and reports their times, allocations and the typed/map quotients.
func BenchmarkDecodeSignalList(b *testing.B) {
	body := signalListBody(100)
	typed := func() {
		sigs, _, err := decodeSignalList(body)
		if err != nil || len(sigs) != 100 || sigs[0].Value == nil || sigs[1].RetrievedAt.IsZero() {
			b.Fatalf("decoded %d signals: %v", len(sigs), err)
		}
	}
	baseline := func() {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil || len(m["data"].([]any)) != 100 {
			b.Fatal(err)
		}
	}
	b.Run("typed", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			typed()
		}
	})
	b.Run("map-baseline", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			baseline()
		}
	})
	b.Run("ratio", func(b *testing.B) { reportRatio(b, typed, baseline) })
}

// reportRatio runs typed (the SDK's way) and baseline in turn b.N times and reports the
// time of each per operation, their allocations per operation (testing.AllocsPerRun: the
// whole process's, so a loopback fake's own allocations count on both sides) and the
// typed/baseline quotients. Its own ns/op is the time of both together.
func reportRatio(b *testing.B, typed, baseline func()) {
	typedAllocs, baseAllocs := testing.AllocsPerRun(10, typed), testing.AllocsPerRun(10, baseline)
	var typedTime, baseTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		typed()
		t1 := time.Now()
		baseline()
		typedTime += t1.Sub(t0)
		baseTime += time.Since(t1)
	}
	b.ReportMetric(float64(typedTime.Nanoseconds())/float64(b.N), "typed-ns/op")
	b.ReportMetric(float64(baseTime.Nanoseconds())/float64(b.N), "baseline-ns/op")
	b.ReportMetric(float64(typedTime)/float64(baseTime), "typed/baseline-time")
	b.ReportMetric(typedAllocs, "typed-allocs/op")
	b.ReportMetric(baseAllocs, "baseline-allocs/op")
	b.ReportMetric(typedAllocs/baseAllocs, "typed/baseline-allocs")
}

// The benchmark's body decodes to what it describes: every body shape appears with a
// successful status, one signal in ten failed with its stale body, one in ten
// unavailable.
func TestSignalListBody(t *testing.T) {
	sigs, l, err := decodeSignalList(signalListBody(100))
	if err != nil || len(sigs) != 100 || l.Included == nil {
		t.Fatalf("%d signals, %v", len(sigs), err)
	}
	statuses := map[string]int{}
	succeeded := map[string]bool{}
	for _, s := range sigs {
		statuses[string(s.Status)]++
		if s.OK() {
			var buf bytes.Buffer
			if err := json.Compact(&buf, s.Body); err != nil {
				t.Fatal(err)
			}
			succeeded[buf.String()] = true
		}
		if s.Status == "UNAVAILABLE" && s.Value != nil || s.Status == "ERROR" && (s.Value == nil || s.Error == nil) {
			t.Errorf("%s: %s with value %v and error %v", s.Code, s.Status, s.Value, s.Error)
		}
	}
	if want := map[string]int{"SUCCESS": 80, "ERROR": 10, "UNAVAILABLE": 10}; !maps.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	wantTypes := map[string]string{}
	for _, body := range benchBodies {
		if !succeeded[body] {
			t.Errorf("no successful signal has the body %s", body)
		}
		wantTypes[fmt.Sprintf("%T", DecodeValue(json.RawMessage(body)))] = body
	}
	for _, typ := range []string{"smartcar.UnitValue", "smartcar.BoolValue", "smartcar.TextValue", "smartcar.AdditionalValues", "smartcar.ClosureGrid",
		"smartcar.ChargeLimits", "smartcar.Location", "smartcar.ClosureState", "smartcar.NominalCapacity"} {
		if _, ok := wantTypes[typ]; !ok {
			t.Errorf("no body decodes to %s", typ)
		}
	}
}
