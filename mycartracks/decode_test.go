package mycartracks

import (
	"bytes"
	"encoding/json"
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
	for _, bad := range []string{`{"data":{}}`, `{"data":[1]}`, `[`, `{"data":[{"id":"x"}]}`} {
		_, _, err := decodePage([]byte(bad), vehicleFromWire)
		assert.Error(t, err, bad)
	}
	items, total, err := decodePage([]byte(`null`), vehicleFromWire)
	require.NoError(t, err)
	assert.Empty(t, items)
	assert.Equal(t, -1, total)
}

// FuzzDataSpans: on any input the fast item scan ends without panicking (decodePage runs
// it before encoding/json validates the page), and on every page encoding/json accepts it
// finds the same items' JSON as encoding/json does.
func FuzzDataSpans(f *testing.F) {
	for _, s := range []string{`{"data":[{"id":1,"name":"a\"]}"},[1,[2]],"x\\",null,true,-1.5e3, {} ]}`,
		`{"x":{"data":[1]},"data":[]}`, `{"data":[{"s":"\\\\"}],"data":[2,3]}`} {
		f.Add([]byte(s))
	}
	for _, s := range []string{`{"data":[{"a":"\`, `{"data":[}]}`, `{"data":[,,]`, `{"data":[{]]]}`, `{"data":["\"`, `{"data":[1 2]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		spans, ok := dataSpans(body)
		var ref listEnvelope[json.RawMessage]
		if json.Unmarshal(body, &ref) != nil {
			return
		}
		if !ok {
			return // decodePage then takes the items from encoding/json
		}
		if len(spans) != len(ref.Data) {
			// Only a "data" key in another case may make them differ.
			if bytes.Contains(bytes.ToLower(body), []byte(`"data"`)) && !bytes.Contains(body, []byte(`"data"`)) {
				return
			}
			t.Fatalf("%q: %d spans, encoding/json found %d items", body, len(spans), len(ref.Data))
		}
		for i := range spans {
			if !bytes.Equal(spans[i], ref.Data[i]) {
				t.Fatalf("%q: item %d: %q vs %q", body, i, spans[i], ref.Data[i])
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
