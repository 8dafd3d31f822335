package mycartracks

import (
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
			items, total, err := decodePage([]byte(body), vehicleFromWire)
			require.NoError(t, err)
			require.Len(t, items, 2)
			assert.Equal(t, 2, total)
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
