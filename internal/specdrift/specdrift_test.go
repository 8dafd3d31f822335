package specdrift

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var reqs = []Requirement{
	{Operation: "Things.List", Method: "GET", Path: "/things", Query: []Name{{Name: "offset"}, {Name: "vehicleId", Aliases: []string{"carId"}}},
		List: true, Envelope: []Name{{Name: "data"}, {Name: "total", Aliases: []string{"totalCount"}}},
		Fields: []Name{{Name: "id"}, {Name: "vehicleId", Aliases: []string{"carId"}}, {Name: "where"}, {Name: "where.latitude", Aliases: []string{"where.lat"}},
			{Name: "trail"}, {Name: "trail[].latitude"}}},
	{Operation: "Things.Get", Method: "GET", Path: "/things/{thingId}", Fields: []Name{{Name: "id"}, {Name: "vehicleId"}}},
	{Operation: "Things.Delete", Method: "DELETE", Path: "/things/{thingId}"},
}

const clean = `{
 "openapi": "3.1.0",
 "servers": [{"url": "https://api.example.com/rest/v3/"}],
 "paths": {
  "/things": {
   "parameters": [{"$ref": "#/components/parameters/Offset"}],
   "get": {"parameters": [{"name": "vehicleId", "in": "query"}, {"name": "vehicleId", "in": "header"}],
    "responses": {"200": {"$ref": "#/components/responses/ThingPage"}}}
  },
  "/things/{id}": {
   "get": {"responses": {"200": {"content": {"application/json; charset=utf-8": {"schema": {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Thing"}}}}}}}},
   "delete": {"responses": {"204": {"description": "gone"}}}
  }
 },
 "components": {
  "parameters": {"Offset": {"name": "offset", "in": "query"}},
  "responses": {"ThingPage": {"content": {"application/json": {"schema": {"allOf": [
     {"$ref": "#/components/schemas/Envelope"},
     {"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}]}}}}},
  "schemas": {
   "Envelope": {"type": "object", "properties": {"total": {"type": "integer"}}},
   "Base": {"type": "object", "properties": {"id": {"type": "integer"}}},
   "Point": {"type": "object", "properties": {"latitude": {"type": "number"}}},
   "Thing": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {
     "vehicleId": {"type": "integer"},
     "where": {"$ref": "#/components/schemas/Point"},
     "trail": {"type": "array", "items": {"$ref": "#/components/schemas/Point"}}}}]}
  }
 }
}`

func check(t *testing.T, doc string) []Finding {
	t.Helper()
	d, err := Parse([]byte(doc))
	require.NoError(t, err)
	return d.Check(reqs, "/rest/v3")
}

func TestCleanDocument(t *testing.T) {
	assert.Empty(t, check(t, clean), "refs, allOf, envelopes, a data-wrapped object and renamed path parameters all match")
}

func TestDriftOfEachKind(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(string) string
		want    Finding
		wantAll int
	}{
		{"path in another case", func(s string) string { return strings.Replace(s, `"/things": {`, `"/Things": {`, 1) },
			Finding{Kind: KindPath, Operation: "Things.List", Suggestion: "/Things", Reason: "differs in case"}, 1},
		{"path renamed", func(s string) string { return strings.Replace(s, `"/things": {`, `"/thing": {`, 1) },
			Finding{Kind: KindPath, Operation: "Things.List", Suggestion: "/thing", Reason: "1 edit away"}, 1},
		{"path missing", func(s string) string { return strings.Replace(s, `"/things/{id}"`, `"/other/{id}"`, 1) },
			Finding{Kind: KindPath, Operation: "Things.Get"}, 2},
		{"method missing", func(s string) string { return strings.Replace(s, `"delete":`, `"patch":`, 1) },
			Finding{Kind: KindMethod, Operation: "Things.Delete"}, 1},
		{"query alias", func(s string) string {
			return strings.Replace(s, `"name": "vehicleId", "in": "query"`, `"name": "carId", "in": "query"`, 1)
		},
			Finding{Kind: KindQuery, Operation: "Things.List", Name: "vehicleId", Suggestion: "carId", Reason: "a name the client accepts as an alias"}, 1},
		{"query missing", func(s string) string {
			return strings.Replace(s, `"name": "offset", "in": "query"`, `"name": "offset", "in": "path"`, 1)
		},
			Finding{Kind: KindQuery, Operation: "Things.List", Name: "offset"}, 1},
		{"envelope total named differently", func(s string) string { return strings.Replace(s, `{"total": {"type"`, `{"totalCount": {"type"`, 1) },
			Finding{Kind: KindEnvelope, Operation: "Things.List", Name: "total", Suggestion: "totalCount", Reason: "a name the client accepts as an alias"}, 1},
		{"field alias", func(s string) string {
			return strings.Replace(s, `"vehicleId": {"type": "integer"}`, `"carId": {"type": "integer"}`, 1)
		},
			Finding{Kind: KindField, Operation: "Things.List", Name: "vehicleId", Suggestion: "carId", Reason: "a name the client accepts as an alias"}, 2},
		{"field spelling", func(s string) string {
			return strings.Replace(s, `"vehicleId": {"type": "integer"}`, `"vehicle_id": {"type": "integer"}`, 1)
		},
			Finding{Kind: KindField, Operation: "Things.List", Name: "vehicleId", Suggestion: "vehicle_id", Reason: "differs in spelling"}, 2},
		{"nested field alias", func(s string) string {
			return strings.Replace(s, `{"latitude": {"type": "number"}}`, `{"lat": {"type": "number"}}`, 1)
		},
			Finding{Kind: KindField, Operation: "Things.List", Name: "where.latitude", Suggestion: "lat", Reason: "a name the client accepts as an alias"}, 2},
		{"parent missing hides its children", func(s string) string { return strings.Replace(s, `"where": {`, `"there": {`, 1) },
			Finding{Kind: KindField, Operation: "Things.List", Name: "where", Suggestion: "there", Reason: "1 edit away"}, 1},
		{"bare array", func(s string) string {
			return strings.Replace(s, `"responses": {"200": {"$ref": "#/components/responses/ThingPage"}}`,
				`"responses": {"200": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}}`, 1)
		}, Finding{Kind: KindEnvelope, Operation: "Things.List", Name: "data"}, 1},
		{"undescribed response is a note", func(s string) string {
			return strings.Replace(s, `"responses": {"200": {"$ref": "#/components/responses/ThingPage"}}`, `"responses": {"200": {"description": "ok"}}`, 1)
		}, Finding{Kind: KindUnchecked, Operation: "Things.List"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.edit(clean)
			require.NotEqual(t, clean, doc, "the edit applied")
			got := check(t, doc)
			require.Len(t, got, tc.wantAll, "%v", got)
			f := got[0]
			assert.Equal(t, tc.want.Kind, f.Kind)
			assert.Equal(t, tc.want.Operation, f.Operation)
			assert.Equal(t, tc.want.Name, f.Name)
			assert.Equal(t, tc.want.Suggestion, f.Suggestion)
			assert.Equal(t, tc.want.Reason, f.Reason)
			assert.Equal(t, tc.want.Kind != KindUnchecked, f.Drift())
			assert.NotEmpty(t, f.String())
		})
	}
}

func TestDocumentPathsWithoutServers(t *testing.T) {
	doc := strings.Replace(clean, `"servers": [{"url": "https://api.example.com/rest/v3/"}],`, ``, 1)
	d, err := Parse([]byte(doc))
	require.NoError(t, err)
	assert.Empty(t, d.Check(reqs, ""))
	// Paths that carry the version themselves, under a server at the API root.
	doc = strings.NewReplacer(`"https://api.example.com/rest/v3/"`, `"https://api.example.com/rest"`,
		`"/things": {`, `"/v3/things": {`, `"/things/{id}"`, `"/v3/things/{id}"`).Replace(clean)
	d, err = Parse([]byte(doc))
	require.NoError(t, err)
	assert.Empty(t, d.Check(reqs, "/rest/v3"))
}

func TestParseRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":    `{`,
		"swagger 2":   `{"swagger":"2.0","paths":{}}`,
		"no version":  `{"paths":{}}`,
		"json array":  `[]`,
		"openapi 2.x": `{"openapi":"2.0"}`,
	} {
		_, err := Parse([]byte(doc))
		assert.Error(t, err, name)
	}
	_, err := Load(strings.NewReader(`{"openapi":"3.0.0"}`))
	assert.NoError(t, err)
}

func TestRefCyclesEnd(t *testing.T) {
	doc := `{"openapi":"3.0.0","paths":{"/things":{"get":{"responses":{"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}},
	 "components":{"schemas":{"A":{"$ref":"#/components/schemas/B"},"B":{"$ref":"#/components/schemas/A"}}}}`
	d, err := Parse([]byte(doc))
	require.NoError(t, err)
	got := d.Check(reqs[:1], "")
	require.NotEmpty(t, got)
	assert.Equal(t, KindUnchecked, got[len(got)-1].Kind)
}

func TestLevenshtein(t *testing.T) {
	assert.Equal(t, 0, levenshtein("abc", "abc"))
	assert.Equal(t, 1, levenshtein("tracks", "tracks2"))
	assert.Equal(t, 3, levenshtein("kitten", "sitting"))
	assert.Equal(t, 3, levenshtein("", "abc"))
}
