package export_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

func exportGeoJSON(t *testing.T, opts []export.Option, write func(*export.Writer) error) (*geoCollection, []byte) {
	t.Helper()
	var out bytes.Buffer
	w := export.NewGeoJSON(&out, opts...)
	require.NoError(t, write(w))
	require.NoError(t, w.Close())
	fc, err := parseGeoJSON(out.Bytes())
	require.NoError(t, err, "%s", out.Bytes())
	return fc, out.Bytes()
}

func coordinates[T any](t *testing.T, g *geoGeometry) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(g.Coordinates, &v))
	return v
}

func TestGeoJSONDocument(t *testing.T) {
	fc, raw := exportGeoJSON(t, nil, writeFixture)
	assert.Nil(t, fc.Name)
	assert.NotContains(t, string(raw), "crs")
	require.Len(t, fc.Features, 7, "2 positions and 5 tracks")

	// Positions: Point features, [lon, lat(, alt)].
	p := fc.Features[0]
	assert.Nil(t, p.ID)
	require.Equal(t, "Point", p.Geometry.Type)
	assert.Equal(t, []float64{baseLon, baseLat, 140.5}, coordinates[[]float64](t, p.Geometry), "longitude first")
	assert.Equal(t, map[string]any{
		"vehicle_id": "7", "provider": "mycartracks", "time": "2026-05-04T07:30:00Z",
		"speed_kmh": 50.0, "heading_deg": 90.0, "accuracy_m": 4.25,
	}, p.Properties)
	assert.Equal(t, []float64{151.2093, -33.8688}, coordinates[[]float64](t, fc.Features[1].Geometry), "no altitude: two numbers")
	assert.Equal(t, map[string]any{
		"vehicle_id": "8", "provider": nil, "time": nil, "speed_kmh": nil, "heading_deg": nil, "accuracy_m": nil,
	}, fc.Features[1].Properties)

	// A track with every field.
	trk := fc.Features[2]
	assert.Equal(t, "1001", trk.ID)
	require.Equal(t, "LineString", trk.Geometry.Type)
	line := coordinates[[][]float64](t, trk.Geometry)
	require.Len(t, line, 4)
	assert.Equal(t, []float64{baseLon, baseLat, 140.5}, line[0], "longitude first")
	assert.Equal(t, []float64{17.1137, 48.1516, 143.5}, line[3])
	assert.Equal(t, map[string]any{
		"track_id": "1001", "vehicle_id": "7", "provider": "mycartracks", "name": "Morning delivery",
		"category": "business", "start": "2026-05-04T07:30:00Z", "end": "2026-05-04T07:31:30Z",
		"distance_m": 12345.0, "duration_s": 1500.0, "moving_duration_s": 1200.0,
		"max_speed_kmh": 95.0, "avg_speed_kmh": 45.0, "points": 4.0, "skipped_points": 0.0,
	}, trk.Properties)

	// Missing fields and a skipped position.
	sparse := fc.Features[3]
	assert.Equal(t, [][]float64{{17.2, 48.2}, {17.21, 48.21}, {17.22, 48.22}}, coordinates[[][]float64](t, sparse.Geometry))
	assert.Nil(t, sparse.Properties["name"])
	assert.Nil(t, sparse.Properties["start"])
	assert.Equal(t, 1.0, sparse.Properties["skipped_points"])

	// No position: null geometry. One position: a Point.
	assert.Nil(t, fc.Features[4].Geometry)
	assert.Equal(t, 0.0, fc.Features[4].Properties["points"])
	require.Equal(t, "Point", fc.Features[5].Geometry.Type)
	assert.Equal(t, []float64{151.2093, -33.8688}, coordinates[[]float64](t, fc.Features[5].Geometry))

	// Escaping round-trips; invalid UTF-8 becomes U+FFFD.
	esc := fc.Features[6]
	assert.Equal(t, `x"1005<`, esc.ID)
	assert.Equal(t, "Tom & \"Jerry's\" <trip>\n\tline two\x01\x7f C:\\dir ünïcode \u2028 end\ufffd", esc.Properties["name"])
	assert.Equal(t, "9, \"north\"", esc.Properties["vehicle_id"])
}

func TestGeoJSONName(t *testing.T) {
	fc, _ := exportGeoJSON(t, []export.Option{export.WithName("Van \"7\"")}, func(*export.Writer) error { return nil })
	require.NotNil(t, fc.Name)
	assert.Equal(t, "Van \"7\"", *fc.Name)
	assert.Empty(t, fc.Features)
}

func TestGeoJSONGeometryByPointCount(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, ""}, {1, "Point"}, {2, "LineString"}, {3, "LineString"}} {
		fc, _ := exportGeoJSON(t, nil, func(w *export.Writer) error {
			// Invalid positions around the valid ones do not count.
			ps := []telematics.Position{{}}
			for i := range tt.n {
				ps = append(ps, full(i), telematics.Position{Latitude: 100, Longitude: 1})
			}
			return w.WriteTrack(telematics.Track{ID: "t"}, seq(ps...))
		})
		f := fc.Features[0]
		if tt.want == "" {
			assert.Nil(t, f.Geometry)
			continue
		}
		require.NotNil(t, f.Geometry)
		assert.Equal(t, tt.want, f.Geometry.Type, "%d points", tt.n)
		if tt.n >= 2 {
			assert.Len(t, coordinates[[][]float64](t, f.Geometry), tt.n)
		}
	}
}

func TestGeoJSONEdgeValues(t *testing.T) {
	known := telematics.HasAltitude | telematics.HasSpeed | telematics.HasHeading | telematics.HasAccuracy
	fc, raw := exportGeoJSON(t, []export.Option{export.WithPrecision(3)}, func(w *export.Writer) error {
		return w.WritePositions(seq(
			telematics.Position{Latitude: -89.99999, Longitude: 180, Speed: -2, Heading: 720.5, Accuracy: -1, Known: known},
			telematics.Position{Latitude: 1, Longitude: 1, Altitude: telematics.Metres(nan()), Speed: telematics.Speed(inf()), Heading: telematics.Heading(nan()), Accuracy: telematics.Metres(inf()), Known: known},
		))
	})
	assert.NotContains(t, string(raw), "NaN")
	assert.NotContains(t, string(raw), "Inf")
	assert.Equal(t, []float64{180, -90, 0}, coordinates[[]float64](t, fc.Features[0].Geometry), "180 is valid in GeoJSON")
	assert.Equal(t, -7.2, fc.Features[0].Properties["speed_kmh"], "CSV and GeoJSON keep a negative speed")
	assert.Equal(t, 0.5, fc.Features[0].Properties["heading_deg"])
	assert.Equal(t, -1.0, fc.Features[0].Properties["accuracy_m"])
	assert.Equal(t, []float64{1, 1}, coordinates[[]float64](t, fc.Features[1].Geometry))
	for _, k := range []string{"speed_kmh", "heading_deg", "accuracy_m"} {
		assert.Nil(t, fc.Features[1].Properties[k], k)
	}
}

func TestGeoJSONTrackPropertiesNonFinite(t *testing.T) {
	fc, _ := exportGeoJSON(t, nil, func(w *export.Writer) error {
		return w.WriteTrack(telematics.Track{Distance: telematics.Metres(nan()), MaxSpeed: telematics.Speed(inf())}, nil)
	})
	assert.Nil(t, fc.Features[0].Properties["distance_m"])
	assert.Nil(t, fc.Features[0].Properties["max_speed_kmh"])
	assert.Nil(t, fc.Features[0].Properties["track_id"])
	_, hasID := fc.Features[0].Properties["id"]
	assert.False(t, hasID)
}

// Every position of a LineString has the dimension of the first: a missing altitude
// repeats the last known one, an altitude in a line that began without one is dropped.
func TestGeoJSONLineDimensionIsUniform(t *testing.T) {
	noAlt := func(i int) telematics.Position {
		p := full(i)
		p.Known &^= telematics.HasAltitude
		return p
	}
	for _, tt := range []struct {
		name   string
		points []telematics.Position
		want   [][]float64
	}{
		{"3D line, gaps carried forward", []telematics.Position{full(0), noAlt(1), full(2), noAlt(3)}, [][]float64{
			{baseLon, baseLat, 140.5}, {baseLon + 0.002, baseLat + 0.001, 140.5},
			{baseLon + 0.004, baseLat + 0.002, 142.5}, {baseLon + 0.006, baseLat + 0.003, 142.5}}},
		{"2D line drops later altitudes", []telematics.Position{noAlt(0), full(1), full(2)}, [][]float64{
			{baseLon, baseLat}, {baseLon + 0.002, baseLat + 0.001}, {baseLon + 0.004, baseLat + 0.002}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fc, _ := exportGeoJSON(t, nil, func(w *export.Writer) error {
				return w.WriteTrack(telematics.Track{ID: "t"}, seq(tt.points...))
			})
			got := coordinates[[][]float64](t, fc.Features[0].Geometry)
			require.Len(t, got, len(tt.want))
			for i := range got {
				require.Len(t, got[i], len(tt.want[i]), "position %d", i)
				for j := range got[i] {
					assert.InDelta(t, tt.want[i][j], got[i][j], 1e-9, "position %d element %d", i, j)
				}
			}
		})
	}
}
