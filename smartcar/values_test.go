package smartcar_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestDecodeValueShapes(t *testing.T) {
	raw := func(s string) smartcar.Value { return smartcar.RawValue{JSON: json.RawMessage(s)} }
	for _, tc := range []struct {
		body string
		want smartcar.Value
		text string
	}{
		{``, nil, ""},
		{`null`, nil, ""},
		{`{"value": 12.5, "unit": "kWh"}`, smartcar.UnitValue{Value: 12.5, Unit: "kWh"}, "12.5 kWh"},
		{`{"value": -3}`, smartcar.UnitValue{Value: -3}, "-3"},
		{`{"value": 1e3, "unit": "m"}`, smartcar.UnitValue{Value: 1000, Unit: "m"}, "1000 m"},
		{`{"value": false}`, smartcar.BoolValue{}, "false"},
		{`{"value": "57"}`, smartcar.TextValue{Value: "57"}, "57"},
		{`{"value": null}`, raw(`{"value": null}`), `{"value": null}`},
		{`{"value": [1, 2]}`, raw(`{"value": [1, 2]}`), ""},
		{`{"value": {"a": 1}}`, raw(`{"value": {"a": 1}}`), ""},
		{`{"unit": "percent"}`, raw(`{"unit": "percent"}`), ""},
		{`{"value": 3, "unit": 5}`, raw(`{"value": 3, "unit": 5}`), ""},
		{`[1, 2]`, raw(`[1, 2]`), "[1, 2]"},
		{`42`, raw(`42`), "42"},
		{`"text"`, raw(`"text"`), ""},
		{`{"latitude": 1.5, "longitude": 2.5}`, smartcar.Location{Latitude: 1.5, Longitude: 2.5}, "1.50000, 2.50000"},
		{`{"latitude": -33.9, "longitude": 151.2, "heading": -90, "direction": "W", "locationType": "LAST_PARKED"}`,
			smartcar.Location{Latitude: -33.9, Longitude: 151.2, Heading: 270, HasHeading: true, Direction: "W", LocationType: "LAST_PARKED"},
			"-33.90000, 151.20000 heading 270° (LAST_PARKED)"},
		{`{"latitude": "1", "longitude": 2}`, raw(`{"latitude": "1", "longitude": 2}`), ""},
		{`{"latitude": 1}`, raw(`{"latitude": 1}`), ""},
		{`{"isOpen": null}`, smartcar.ClosureState{}, "unknown"},
		{`{"isOpen": true}`, smartcar.ClosureState{IsOpen: ptr(true)}, "open"},
		{`{"isLocked": false}`, smartcar.ClosureState{IsLocked: ptr(false)}, "unlocked"},
		{`{"isOpen": "yes"}`, raw(`{"isOpen": "yes"}`), ""},
		{`{"values": []}`, smartcar.ValueList{Values: []json.RawMessage{}}, "0 values"},
		{`{"values": ["P0300", "P0171"]}`, smartcar.ValueList{Values: []json.RawMessage{json.RawMessage(`"P0300"`), json.RawMessage(`"P0171"`)}}, "2 values"},
		{`{"values": [{"row": 0, "column": 0, "pressure": 2.4}], "unit": "bar"}`,
			smartcar.ValueList{Values: []json.RawMessage{json.RawMessage(`{"row": 0, "column": 0, "pressure": 2.4}`)}, Unit: "bar"}, "1 values"},
		{`{"values": [{"row": 0, "column": 1, "isOpen": null}]}`,
			smartcar.ClosureGrid{Closures: []smartcar.Closure{{Row: 0, Column: 1}}}, "1: 0 open"},
		{`{"values": [{"row": 0, "isOpen": true}]}`, smartcar.ValueList{Values: []json.RawMessage{json.RawMessage(`{"row": 0, "isOpen": true}`)}}, ""},
		{`{"values": {"a": 1}}`, raw(`{"values": {"a": 1}}`), ""},
		{`{"values": [], "activeLimit": 90, "unit": "percent"}`,
			smartcar.ChargeLimits{Limits: []smartcar.ChargeLimit{}, ActiveLimit: ptr(telematics.Percent(90)), Unit: "percent"}, "active 90 percent"},
		{`{"values": [{"type": "GLOBAL", "limit": 80, "condition": null}, {"type": "LOCATION", "limit": 90, "condition": {"name": "Home", "address": "1 Main St", "latitude": 37.7, "longitude": -122.4}}], "activeLimit": null, "unit": "percent"}`,
			smartcar.ChargeLimits{Unit: "percent", Limits: []smartcar.ChargeLimit{{Type: "GLOBAL", Limit: 80},
				{Type: "LOCATION", Limit: 90, Condition: &smartcar.ChargeLimitCondition{Name: "Home", Address: "1 Main St", Latitude: ptr(37.7), Longitude: ptr(-122.4)}}}},
			"GLOBAL 80 percent; LOCATION 90 percent"},
		{`{"values": [{"type": "CONNECTOR", "limit": 70, "condition": {"connectorType": "CCS"}}]}`,
			smartcar.ChargeLimits{Limits: []smartcar.ChargeLimit{{Type: "CONNECTOR", Limit: 70, Condition: &smartcar.ChargeLimitCondition{ConnectorType: "CCS"}}}}, "CONNECTOR 70"},
		{`{"values": [{"type": "GLOBAL", "limit": 80}], "activeLimit": "high"}`,
			smartcar.ValueList{Values: []json.RawMessage{json.RawMessage(`{"type": "GLOBAL", "limit": 80}`)}}, ""},
		{`{"values": [{"type": "GLOBAL", "limit": 80, "condition": 5}]}`,
			smartcar.ValueList{Values: []json.RawMessage{json.RawMessage(`{"type": "GLOBAL", "limit": 80, "condition": 5}`)}}, ""},
		{`{"value": 300, "unit": "km", "additionalValues": [{"type": "RATED", "value": 310, "unit": "mi"}, {"type": "ESTIMATED", "value": null}]}`,
			smartcar.AdditionalValues{Value: 300, Unit: "km", Additional: []smartcar.TypedValue{{Type: "RATED", Value: 310, Unit: "mi"}}}, "300 km; RATED 310 mi"},
		{`{"value": "far", "additionalValues": []}`, raw(`{"value": "far", "additionalValues": []}`), ""},
		{`{"value": 1, "additionalValues": {"a": 1}}`, raw(`{"value": 1, "additionalValues": {"a": 1}}`), ""},
		{`{"capacity": null, "availableCapacities": [{"capacity": 60, "description": "SR"}]}`,
			smartcar.NominalCapacity{Available: []smartcar.CapacityOption{{Capacity: 60, Description: "SR"}}}, "unknown"},
		{`{"capacity": "big"}`, raw(`{"capacity": "big"}`), ""},
		{`{"capacity": 50, "availableCapacities": "none"}`, raw(`{"capacity": 50, "availableCapacities": "none"}`), ""},
		{`{"status": "OK", "description": "fine"}`, raw(`{"status": "OK", "description": "fine"}`), `{"status": "OK", "description": "fine"}`},
		{`{"value": 1,}`, raw(`{"value": 1,}`), ""},
	} {
		got := smartcar.DecodeValue(json.RawMessage(tc.body))
		assert.Equal(t, tc.want, got, tc.body)
		if got != nil && tc.text != "" {
			assert.Equal(t, tc.text, got.String(), tc.body)
		}
	}
	long := smartcar.RawValue{JSON: json.RawMessage(`{"x":"` + string(bytes.Repeat([]byte("y"), 200)) + `"}`)}
	assert.Len(t, []rune(long.String()), 81)
}

func TestSignalTelematicsKinds(t *testing.T) {
	for _, tc := range []struct {
		body string
		kind telematics.ValueKind
		str  string
	}{
		{`{"value": 72, "unit": "percent"}`, telematics.KindNumber, "72 percent"},
		{`{"value": 300, "unit": "km", "additionalValues": []}`, telematics.KindNumber, "300 km"},
		{`{"value": true}`, telematics.KindBool, "true"},
		{`{"value": "PARK"}`, telematics.KindString, "PARK"},
		{`{"latitude": 1, "longitude": 2}`, telematics.KindObject, `{"latitude": 1, "longitude": 2}`},
		{``, telematics.KindNone, ""},
	} {
		var s smartcar.Signal
		doc := `{"code":"a-b","status":{"value":"SUCCESS"}`
		if tc.body != "" {
			doc += `,"body":` + tc.body
		}
		assert.NoError(t, json.Unmarshal([]byte(doc+`}`), &s))
		v := s.Telematics().Value
		assert.Equal(t, tc.kind, v.Kind, tc.body)
		assert.Equal(t, tc.str, v.String(), tc.body)
	}
	var s smartcar.Signal
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &s), "a signal must be an object")
	assert.NoError(t, json.Unmarshal([]byte(`{"code":"a-b","body":{"value":1}}`), &s))
	assert.Equal(t, telematics.SignalStatusSuccess, s.Status, "webhook payloads before 4.0 have no status")
	assert.NoError(t, json.Unmarshal([]byte(`{"code":"a-b","status":{"error":{"type":"UPSTREAM"}}}`), &s))
	assert.Equal(t, telematics.SignalStatusError, s.Status)
	assert.Equal(t, "a-b ERROR (UPSTREAM)", s.String())
}

// FuzzDecodeValue: any body decodes without panicking, to nil only when absent or null,
// and a RawValue is the body itself.
func FuzzDecodeValue(f *testing.F) {
	for _, seed := range []string{
		`{"value": 57, "unit": "percent"}`, `{"value": true}`, `{"value": "x"}`, `null`, ``, `[]`,
		`{"value": 300, "unit": "km", "type": "DEFAULT", "additionalValues": [{"type": "IDEAL_CONDITIONS", "value": 320}]}`,
		`{"values": [{"row": 0, "column": 0, "isOpen": false, "isLocked": true}], "rowCount": 1, "columnCount": 1}`,
		`{"values": [{"type": "GLOBAL", "limit": 80}], "activeLimit": 80, "unit": "percent"}`,
		`{"latitude": 37.7, "longitude": -122.4, "heading": 90, "direction": "E", "locationType": "CURRENT"}`,
		`{"isOpen": false, "isLocked": true}`,
		`{"source": "SMARTCAR", "capacity": 75, "availableCapacities": [{"capacity": 75, "description": "LR"}], "unit": "kWh"}`,
		`{"values": ["P0300"]}`, `{"value": 1e400}`, `{"latitude": 1e308, "longitude": -1e308, "heading": 1e308}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v := smartcar.DecodeValue(body)
		trimmed := bytes.TrimSpace(body)
		if v == nil {
			if len(trimmed) != 0 && string(trimmed) != "null" {
				t.Fatalf("nil value for %q", body)
			}
			return
		}
		_ = v.String()
		if r, ok := v.(smartcar.RawValue); ok && !bytes.Equal(r.JSON, body) {
			t.Fatalf("raw value %q is not the body %q", r.JSON, body)
		}
		var s smartcar.Signal
		doc := append(append([]byte(`{"code":"a-b","status":{"value":"SUCCESS"},"body":`), body...), '}')
		if json.Valid(doc) {
			if err := json.Unmarshal(doc, &s); err != nil {
				t.Fatalf("signal with body %q: %v", body, err)
			}
			_ = s.Telematics()
			_, _ = s.Position()
		}
	})
}
