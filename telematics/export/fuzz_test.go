package export_test

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

// FuzzWriters writes random positions and tracks (NaN, infinities, extreme values, out of
// range times, text with control characters and invalid UTF-8) in every format and
// checks that the output parses back with the positions where they belong.
func FuzzWriters(f *testing.F) {
	f.Add(48.1486, 17.1077, 140.5, 13.9, 90.0, 4.0, uint8(15), int64(1778000000), "7", "1001", "Morning", uint8(7))
	f.Add(math.NaN(), math.Inf(1), math.Inf(-1), math.NaN(), math.NaN(), math.NaN(), uint8(255), int64(0), "", "", "", uint8(0))
	f.Add(-90.0, 180.0, 1e308, -1e308, -720.25, math.Copysign(0, -1), uint8(15), int64(-62135596801), "\x00\x01\r\n", "\"<&>'", "\xff\xfe\u2028", uint8(15))
	f.Add(89.999999999, 179.9999999999, -1e-300, 5e-324, 359.9999999, 1e21, uint8(15), int64(253402300800), "a,b;c\td", "x\"y", "]]>--><!--", uint8(3))
	f.Add(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, uint8(0), int64(1), " ", "\t", "\r", uint8(16))
	f.Fuzz(func(t *testing.T, lat, lon, alt, speed, heading, acc float64, known uint8, sec int64,
		vehicle, trackID, name string, prec uint8) {
		p := telematics.Position{
			VehicleID: vehicle, Provider: name,
			Latitude: lat, Longitude: lon,
			Altitude: telematics.Metres(alt), Speed: telematics.MetresPerSecond(speed),
			Heading: telematics.Heading(heading), Accuracy: telematics.Metres(acc),
			Time:  time.Unix(sec, int64(known)*1_000_000).UTC(),
			Known: telematics.PositionFields(known & 0x0F),
		}
		if known&0x80 != 0 {
			p.Time = time.Time{}
		}
		mirror := p
		mirror.Latitude, mirror.Longitude = lon/2, lat
		tr := telematics.Track{
			ID: trackID, VehicleID: vehicle, Provider: vehicle, Name: name, Category: trackID,
			Start: p.Time, End: time.Unix(-sec, 0), Distance: telematics.Metres(alt),
			Duration: time.Duration(sec), MaxSpeed: telematics.Speed(speed), AvgSpeed: telematics.Speed(acc),
		}
		valid := 0
		for _, q := range []telematics.Position{p, mirror, p} {
			if q.Valid() {
				valid++
			}
		}
		decimals := int(prec % (export.MaxPrecision + 1))
		tolerance := math.Pow(10, -float64(decimals))

		for _, format := range allFormats {
			var out bytes.Buffer
			w, err := export.New(format, &out, export.WithName(name), export.WithCreator(vehicle), export.WithPrecision(decimals))
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WritePositions(seq(p)); err != nil {
				t.Fatal(err)
			}
			if err := w.WriteTrack(tr, seq(p, mirror, p)); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			wantPoints := valid + boolToInt(p.Valid())
			if got := w.Stats(); got.Points != wantPoints || got.Skipped != 4-wantPoints || got.Tracks != 1 {
				t.Fatalf("%s: stats %+v, want %d points", format, got, wantPoints)
			}
			data := out.Bytes()
			switch format {
			case export.GPX:
				doc, err := parseGPX(data)
				if err != nil {
					t.Fatalf("gpx: %v\n%s", err, data)
				}
				if len(doc.Trks) != 1 || len(doc.Trks[0].Segs[0].Pts) != valid || len(doc.Wpts) != boolToInt(p.Valid()) {
					t.Fatalf("gpx: wrong number of points\n%s", data)
				}
				if p.Valid() {
					checkCoordinate(t, doc.Wpts[0].Lat, doc.Wpts[0].Lon, p, tolerance, true)
				}
			case export.GeoJSON:
				fc, err := parseGeoJSON(data)
				if err != nil {
					t.Fatalf("geojson: %v\n%s", err, data)
				}
				if len(fc.Features) != 1+boolToInt(p.Valid()) {
					t.Fatalf("geojson: %d features\n%s", len(fc.Features), data)
				}
				if p.Valid() {
					pos := coordinates[[]float64](t, fc.Features[0].Geometry)
					checkCoordinate(t, pos[1], pos[0], p, tolerance, false)
				}
			case export.CSV:
				rows, err := parseCSV(data, ',')
				if err != nil {
					t.Fatalf("csv: %v\n%q", err, data)
				}
				if len(rows) != wantPoints {
					t.Fatalf("csv: %d rows, want %d\n%q", len(rows), wantPoints, data)
				}
			}
		}
	})
}

func checkCoordinate(t *testing.T, lat, lon float64, p telematics.Position, tolerance float64, gpx bool) {
	t.Helper()
	if gpx && lon == -180 && p.Longitude > 0 {
		lon = 180
	}
	if math.Abs(lat-p.Latitude) > tolerance || math.Abs(lon-p.Longitude) > tolerance {
		t.Fatalf("read back (%v, %v), wrote (%v, %v)", lat, lon, p.Latitude, p.Longitude)
	}
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
