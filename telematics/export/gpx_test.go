package export_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

func exportGPX(t *testing.T, opts []export.Option, write func(*export.Writer) error) *gpxDoc {
	t.Helper()
	var out bytes.Buffer
	w := export.NewGPX(&out, opts...)
	require.NoError(t, write(w))
	require.NoError(t, w.Close())
	doc, err := parseGPX(out.Bytes())
	require.NoError(t, err, "%s", out.Bytes())
	return doc
}

func TestGPXDocument(t *testing.T) {
	doc := exportGPX(t, nil, writeFixture)
	assert.Equal(t, export.GPXNamespace, doc.XMLName.Space)
	assert.Equal(t, "1.1", doc.Version)
	assert.Equal(t, export.DefaultCreator, doc.Creator)
	assert.Nil(t, doc.Metadata, "no metadata without WithName or WithTime")
	require.Len(t, doc.Wpts, 2)
	require.Len(t, doc.Trks, 5)

	trk := doc.Trks[0]
	assert.Equal(t, "Morning delivery", trk.Name)
	assert.Equal(t, "business", trk.Type)
	assert.Equal(t, "mycartracks", trk.Src)
	assert.Equal(t, "vehicle 7, track 1001, distance 12.35 km, duration 25m0s, moving 20m0s, max speed 95.0 km/h, average speed 45.0 km/h", trk.Desc)
	require.Len(t, trk.Segs, 1)
	require.Len(t, trk.Segs[0].Pts, 4)

	pt := trk.Segs[0].Pts[0]
	assert.Equal(t, baseLat, pt.Lat, "lat attribute holds the latitude")
	assert.Equal(t, baseLon, pt.Lon, "lon attribute holds the longitude")
	require.NotNil(t, pt.Ele)
	assert.Equal(t, 140.5, *pt.Ele)
	require.NotNil(t, pt.Time)
	assert.Equal(t, "2026-05-04T07:30:00Z", *pt.Time)
	require.NotNil(t, pt.Ext)
	require.NotNil(t, pt.Ext.TPE.Speed)
	assert.InDelta(t, 13.89, *pt.Ext.TPE.Speed, 1e-9, "50 km/h in m/s")
	require.NotNil(t, pt.Ext.TPE.Course)
	assert.Equal(t, 90.0, *pt.Ext.TPE.Course)

	sparse := doc.Trks[1].Segs[0].Pts
	require.Len(t, sparse, 3, "the (0, 0) position is skipped")
	assert.Nil(t, sparse[0].Ele)
	assert.Nil(t, sparse[0].Time)
	assert.Nil(t, sparse[0].Ext)
	assert.Equal(t, "2026-05-04T07:30:01.5Z", *sparse[1].Time, "fractional seconds kept")
	assert.Nil(t, sparse[1].Ext.TPE.Course)
	assert.Nil(t, sparse[2].Ele, "a NaN altitude is not written")

	assert.Equal(t, "Parked", doc.Trks[2].Name)
	require.Len(t, doc.Trks[2].Segs, 1)
	assert.Empty(t, doc.Trks[2].Segs[0].Pts)
	assert.Len(t, doc.Trks[3].Segs[0].Pts, 1)

	// Escaping: markup round-trips; what XML cannot hold becomes U+FFFD.
	assert.Equal(t, "Tom & \"Jerry's\" <trip>\n\tline two\ufffd\x7f C:\\dir ünïcode \u2028 end\ufffd", doc.Trks[4].Name)
	assert.Equal(t, `vehicle 9, "north", track x"1005<`, doc.Trks[4].Desc)

	wpt := doc.Wpts[0]
	assert.Equal(t, "7", wpt.Name)
	assert.Equal(t, "mycartracks", wpt.Src)
	assert.Equal(t, baseLat, wpt.Lat)
	assert.Equal(t, "8", doc.Wpts[1].Name)
	assert.Empty(t, doc.Wpts[1].Src)
}

func TestGPXMetadata(t *testing.T) {
	at := time.Date(2026, 6, 1, 14, 0, 0, 250_000_000, time.FixedZone("CEST", 2*3600))
	doc := exportGPX(t, []export.Option{
		export.WithCreator("dispatch <v2>"), export.WithName("Fleet & co"), export.WithTime(at),
	}, func(*export.Writer) error { return nil })
	assert.Equal(t, "dispatch <v2>", doc.Creator)
	require.NotNil(t, doc.Metadata)
	assert.Equal(t, "Fleet & co", doc.Metadata.Name)
	assert.Equal(t, "2026-06-01T12:00:00.25Z", doc.Metadata.Time, "UTC")

	doc = exportGPX(t, []export.Option{export.WithTime(at)}, func(*export.Writer) error { return nil })
	require.NotNil(t, doc.Metadata)
	assert.Empty(t, doc.Metadata.Name)
}

func TestGPXEmptyCreatorKeepsTheDefault(t *testing.T) {
	doc := exportGPX(t, []export.Option{export.WithCreator("")}, func(*export.Writer) error { return nil })
	assert.Equal(t, export.DefaultCreator, doc.Creator, "creator is a required attribute")
}

func TestGPXEdgeValues(t *testing.T) {
	known := telematics.HasAltitude | telematics.HasSpeed | telematics.HasHeading | telematics.HasAccuracy
	tests := []struct {
		name  string
		p     telematics.Position
		check func(t *testing.T, pt gpxPoint, raw string)
	}{
		{
			"longitude 180 is -180",
			telematics.Position{Latitude: 10, Longitude: 180},
			func(t *testing.T, pt gpxPoint, _ string) { assert.Equal(t, -180.0, pt.Lon) },
		},
		{
			"longitude rounding to 180 is -180",
			telematics.Position{Latitude: 10, Longitude: 179.999999999},
			func(t *testing.T, pt gpxPoint, _ string) { assert.Equal(t, -180.0, pt.Lon) },
		},
		{
			"negative zero",
			telematics.Position{Latitude: -0.00000001, Longitude: 5, Speed: telematics.Speed(-0.0001), Known: telematics.HasSpeed},
			func(t *testing.T, pt gpxPoint, raw string) {
				assert.Contains(t, raw, `lat="0"`)
				assert.Contains(t, raw, `<gpxtpx:speed>0</gpxtpx:speed>`)
			},
		},
		{
			"negative speed is not written",
			telematics.Position{Latitude: 1, Longitude: 1, Speed: telematics.KilometresPerHour(-5), Known: telematics.HasSpeed},
			func(t *testing.T, pt gpxPoint, _ string) { assert.Nil(t, pt.Ext) },
		},
		{
			"course rounding to 360 is 0",
			telematics.Position{Latitude: 1, Longitude: 1, Heading: 359.999, Known: telematics.HasHeading},
			func(t *testing.T, pt gpxPoint, _ string) { assert.Equal(t, 0.0, *pt.Ext.TPE.Course) },
		},
		{
			"heading outside [0, 360) is normalised",
			telematics.Position{Latitude: 1, Longitude: 1, Heading: -90, Known: telematics.HasHeading},
			func(t *testing.T, pt gpxPoint, _ string) { assert.Equal(t, 270.0, *pt.Ext.TPE.Course) },
		},
		{
			"non-finite fields are not written",
			telematics.Position{Latitude: 1, Longitude: 1, Altitude: telematics.Metres(inf()), Speed: telematics.Speed(nan()), Heading: telematics.Heading(inf()), Known: known},
			func(t *testing.T, pt gpxPoint, _ string) {
				assert.Nil(t, pt.Ele)
				assert.Nil(t, pt.Ext)
			},
		},
		{
			"fields not known are not written",
			telematics.Position{Latitude: 1, Longitude: 1, Altitude: 100, Speed: 10, Heading: 10},
			func(t *testing.T, pt gpxPoint, _ string) {
				assert.Nil(t, pt.Ele)
				assert.Nil(t, pt.Ext)
			},
		},
		{
			"a time RFC 3339 cannot hold is not written",
			telematics.Position{Latitude: 1, Longitude: 1, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
			func(t *testing.T, pt gpxPoint, _ string) { assert.Nil(t, pt.Time) },
		},
		{
			"a time in another zone is written in UTC",
			telematics.Position{Latitude: 1, Longitude: 1, Time: time.Date(2026, 1, 1, 1, 0, 0, 123_000_000, time.FixedZone("X", 3600))},
			func(t *testing.T, pt gpxPoint, _ string) { assert.Equal(t, "2026-01-01T00:00:00.123Z", *pt.Time) },
		},
		{
			"huge altitude stays a decimal",
			telematics.Position{Latitude: 1, Longitude: 1, Altitude: 1e300, Known: telematics.HasAltitude},
			func(t *testing.T, pt gpxPoint, raw string) {
				assert.Equal(t, 1e300, *pt.Ele)
				assert.NotContains(t, raw, "e+")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := export.NewGPX(&out)
			require.NoError(t, w.WriteTrack(telematics.Track{}, seq(tt.p)))
			require.NoError(t, w.Close())
			doc, err := parseGPX(out.Bytes())
			require.NoError(t, err, "%s", out.Bytes())
			tt.check(t, doc.Trks[0].Segs[0].Pts[0], out.String())
		})
	}
}

func TestGPXPrecision(t *testing.T) {
	for _, tt := range []struct {
		prec     int
		lat, lon string
	}{
		{0, "48", "17"},
		{3, "48.149", "17.108"},
		{7, "48.1486", "17.1077"},
		{9, "48.123456789", "17.987654321"},
	} {
		var out bytes.Buffer
		w := export.NewGPX(&out, export.WithPrecision(tt.prec))
		p := telematics.Position{Latitude: 48.1486, Longitude: 17.1077}
		if tt.prec == 9 {
			p = telematics.Position{Latitude: 48.1234567891, Longitude: 17.9876543211}
		}
		require.NoError(t, w.WriteTrack(telematics.Track{}, seq(p)))
		require.NoError(t, w.Close())
		assert.True(t, strings.Contains(out.String(), `<trkpt lat="`+tt.lat+`" lon="`+tt.lon+`">`), "precision %d: %s", tt.prec, out.String())
	}
}
