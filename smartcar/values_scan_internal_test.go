package smartcar

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// scanAgrees checks scanFlatBody against encoding/json on b: when the scanner reads b,
// encoding/json reads the same probe (and the same entries from its values); it returns
// whether the scanner read it.
func scanAgrees(t *testing.T, b []byte) bool {
	t.Helper()
	var fast bodyProbe
	if !scanFlatBody(b, &fast) {
		return false
	}
	var slow bodyProbe
	if err := json.Unmarshal(b, &slow); err != nil {
		t.Fatalf("the scanner read %q, encoding/json fails: %v", b, err)
	}
	if fast.entriesDecoded {
		var entries []entryProbe
		if err := json.Unmarshal(fast.Values, &entries); err != nil || !reflect.DeepEqual(entries, fast.entries) {
			t.Fatalf("values of %q: scanner %+v, encoding/json %+v (%v)", b, fast.entries, entries, err)
		}
	}
	fast.entries, fast.entriesDecoded = nil, false
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q: scanner %+v, encoding/json %+v", b, fast, slow)
	}
	return true
}

func TestScanFlatBodyAgrees(t *testing.T) {
	var shapes map[string]json.RawMessage
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "smartcar", "signal_bodies.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &shapes); err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for name, b := range shapes {
		read[name] = scanAgrees(t, b)
	}
	// The scalar shapes, doors and charge limits take the fast path; additional values
	// and capacities (lists of another form) the slow one.
	for name, want := range map[string]bool{"unitValue": true, "singleString": true, "singleBoolean": true, "doors": true, "chargeLimits": true,
		"location": true, "rearTrunk": true, "additionalValues": false, "nominalCapacity": false} {
		if read[name] != want {
			t.Errorf("%s: fast path %v, want %v", name, read[name], want)
		}
	}
	for _, tt := range []struct {
		body string
		fast bool
	}{
		{` { "value" : 80.0 , "unit" : "percent" } `, true},
		{`{"value":-0.5e-3,"unit":"km"}`, true},
		{`{"value":"Grüner Blitz ⚡"}`, true},
		{`{"value":null,"unit":null,"latitude":null}`, true},
		{`{"latitude":1,"longitude":2,"heading":null,"extra":"x","n":7}`, true},
		{`{"values":[],"activeLimit":80}`, true},
		{`{"values":[{"type":"GLOBAL","limit":80,"condition":null}],"activeLimit":80,"unit":"percent"}`, true},
		{`{"values":[{"row":0,"column":1,"isOpen":null}],"rowCount":1,"columnCount":2}`, true},
		{`{}`, true},
		// The slow path: what the scanner does not read exactly as encoding/json.
		{`{"Value":1}`, false},                      // matched regardless of case
		{`{"VALUE":1,"value":2}`, false},            // idem
		{`{"valuſ":1}`, false},                      // a non-ASCII name
		{`{"value":1,"value":2}`, false},            // duplicate
		{`{"value":"a\"b"}`, false},                 // escape
		{"{\"value\":\"\xff\"}", false},             // invalid UTF-8
		{`{"unit":5}`, false},                       // wrong type
		{`{"latitude":1e400,"longitude":0}`, false}, // out of range
		{`{"rowCount":2.0}`, false},                 // not an int
		{`{"value":01}`, false},
		{`{"value":1.}`, false},
		{`{"value":-}`, false},
		{`{"value":1} x`, false},
		{`{"value":1,}`, false},
		{`{"value":tru}`, false},
		{`{"values":[1,2]}`, false},
		{`{"values":[{"row":0},]}`, false},
		{`{"values":[{"condition":{"name":"home"}}]}`, false},
		{`{"additionalValues":[]}`, false},
		{`{"other":{"a":1}}`, false},
		{`[]`, false},
		{``, false},
	} {
		if got := scanAgrees(t, []byte(tt.body)); got != tt.fast {
			t.Errorf("%s: fast path %v, want %v", tt.body, got, tt.fast)
		}
	}
}

// FuzzScanFlatBody: whatever the scanner reads, encoding/json reads the same way.
func FuzzScanFlatBody(f *testing.F) {
	for _, b := range benchBodies {
		f.Add([]byte(b))
	}
	f.Add([]byte(`{"value":null,"Unit":"x"}`))
	f.Add([]byte(`{"values":[{"row":0,"column":0,"isOpen":false}],"rowCount":1}`))
	f.Fuzz(func(t *testing.T, b []byte) { scanAgrees(t, b) })
}
