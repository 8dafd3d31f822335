package mycartracks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodePageRawJSON(t *testing.T) {
	for name, body := range map[string]string{
		"canonical":            `{"data":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"total":2}`,
		"key in another case":  `{"Data":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"total":2}`,
		"last data wins":       `{"data":[{"id":9}],"data":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"total":2}`,
		"whitespace and nulls": "{ \"total\" : null , \"totalCount\": 2, \"data\" : [ {\"id\":1,\"name\":\"a\"} ,\n{\"id\":2,\"name\":\"b\"} ] }",
	} {
		t.Run(name, func(t *testing.T) {
			page := []byte(body)
			items, total, err := decodePage(page, vehicleFromWire)
			require.NoError(t, err)
			require.Len(t, items, 2)
			assert.Equal(t, 2, total)
			for i := range page {
				page[i] = ' ' // an item's Raw is its own copy, not a window on the page
			}
			assert.JSONEq(t, `{"id":1,"name":"a"}`, string(items[0].Raw))
			assert.JSONEq(t, `{"id":2,"name":"b"}`, string(items[1].Raw))
			assert.Equal(t, "b", items[1].Name)
		})
	}
	for _, bad := range []string{`{"data":{}}`, `{"data":[1]}`, `[`, `{"data":[{"id":"x"}]}`, `{"data":5,"data":[]}`} {
		_, _, err := decodePage([]byte(bad), vehicleFromWire)
		assert.Error(t, err, bad)
	}
	// A body without "data" is not a list; an empty or null "data" is an empty one.
	for _, body := range []string{`null`, `{}`, `{"total":0}`, `{"message":"upstream timeout"}`, `{"dat":[]}`} {
		_, _, err := decodePage([]byte(body), vehicleFromWire)
		assert.ErrorIs(t, err, errNoEnvelope, body)
	}
	for _, body := range []string{`{"data":[]}`, `{"data":null}`, `{"data":[{"id":1}],"data":null}`, `{"data":[{"id":1}],"DATA":[]}`, " {\"d\\u0061ta\" : [ ] } "} {
		items, total, err := decodePage([]byte(body), vehicleFromWire)
		require.NoError(t, err, body)
		assert.Empty(t, items, body)
		assert.Equal(t, -1, total)
	}
	// The last "data" in any case wins, for the items and for their Raw alike.
	items, _, err := decodePage([]byte(`{"data":[{"id":1,"name":"a"}],"Data":[{"id":2,"name":"b"}]}`), vehicleFromWire)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.EqualValues(t, 2, items[0].ID)
	assert.JSONEq(t, `{"id":2,"name":"b"}`, string(items[0].Raw))
}

// FuzzDataSpans: on any input the fast item scan ends without panicking (decodePage runs
// it before encoding/json validates the page), and on every page encoding/json accepts it
// finds whether the page has "data" and the same items' JSON as encoding/json does; and
// decodePage agrees with encoding/json on the page.
func FuzzDataSpans(f *testing.F) {
	for _, s := range []string{`{"data":[{"id":1,"name":"a\"]}"},[1,[2]],"x\\",null,true,-1.5e3, {} ]}`,
		`{"x":{"data":[1]},"data":[]}`, `{"data":[{"s":"\\\\"}],"data":[2,3]}`,
		`{"data":[{"id":1}],"Data":[{"id":2}]}`, `{"data":[{"id":1}],"data":null}`, `{"DATA":[{}]}`, `{}`, `null`,
		`{"data":5,"data":[{"id":1}]}`, `{"total":1,"total":null,"totalCount":2,"data":[]}`} {
		f.Add([]byte(s))
	}
	for _, s := range []string{`{"data":[{"a":"\`, `{"data":[}]}`, `{"data":[,,]`, `{"data":[{]]]}`, `{"data":["\"`, `{"data":[1 2]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		spans, found, ok := dataSpans(body)
		items, total, err := decodePage(body, func(w *json.RawMessage, raw json.RawMessage) json.RawMessage {
			if !bytes.Equal(*w, raw) {
				t.Fatalf("%q: an item's Raw %q is not its JSON %q", body, raw, *w)
			}
			return raw
		})
		var env wireList[json.RawMessage]
		if json.Unmarshal(body, &env) != nil {
			if err == nil {
				t.Fatalf("%q: encoding/json rejects the page, decodePage gave %d items", body, len(items))
			}
			return
		}
		var ref struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &ref); err != nil {
			t.Fatal(err)
		}
		refItems := env.Data
		if err == nil && total != env.total() {
			t.Fatalf("%q: total %d, encoding/json %d", body, total, env.total())
		}
		if ref.Data == nil {
			if !errors.Is(err, errNoEnvelope) {
				t.Fatalf("%q: no \"data\", decodePage gave %v", body, err)
			}
		} else if err != nil || len(items) != len(refItems) {
			t.Fatalf("%q: decodePage gave %d items and %v, encoding/json %d items", body, len(items), err, len(refItems))
		}
		if !ok {
			return // decodePage then takes the items from encoding/json
		}
		if found != (ref.Data != nil) {
			t.Fatalf("%q: the scan found \"data\" %v, encoding/json %v", body, found, ref.Data != nil)
		}
		if len(spans) != len(refItems) {
			t.Fatalf("%q: %d spans, encoding/json found %d items", body, len(spans), len(refItems))
		}
		for i := range spans {
			if !bytes.Equal(spans[i], refItems[i]) {
				t.Fatalf("%q: item %d: %q vs %q", body, i, spans[i], refItems[i])
			}
		}
	})
}

// BenchmarkDecodeVehiclesPage is the client's decoding of a page of 100 vehicles (models
// with their own Raw) beside encoding/json decoding it into plain structs: the part of
// BenchmarkVehiclesList that the network and the fake server do not blur.
func BenchmarkDecodeVehiclesPage(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"data":[`)
	for i := range 100 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":%d,"name":"Vehicle %d","description":"Delivery van","licensePlate":"BA-%03dXY","vin":"WVWZZZ1JZXW%06d","groupIds":[1,2]}`, 1000+i, i, i, i)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.Run("fleetkit", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			items, _, err := decodePage(body, vehicleFromWire)
			if err != nil || len(items) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json-baseline", func(b *testing.B) {
		type vehicle struct {
			ID           int64   `json:"id"`
			Name         string  `json:"name"`
			Description  string  `json:"description"`
			LicensePlate string  `json:"licensePlate"`
			VIN          string  `json:"vin"`
			GroupIDs     []int64 `json:"groupIds"`
		}
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var page struct {
				Data []vehicle `json:"data"`
			}
			if err := json.Unmarshal(body, &page); err != nil || len(page.Data) != 100 {
				b.Fatal(err)
			}
		}
	})
}
