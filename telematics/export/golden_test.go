package export_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics/export"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/export")

func goldenPath(name string) string {
	return filepath.Join("..", "..", "testdata", "export", name)
}

// checkGolden compares got with the golden file name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := goldenPath(name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestGolden -update to create it")
	require.Equal(t, string(want), string(got), "output differs from %s (go test -run TestGolden -update rewrites it)", path)
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		format export.Format
		opts   []export.Option
		write  func(*export.Writer) error
	}{
		{"tracks.gpx", export.GPX, nil, writeFixture},
		{"tracks.geojson", export.GeoJSON, nil, writeFixture},
		{"tracks.csv", export.CSV, nil, writeFixture},
		{"empty.gpx", export.GPX, nil, (*export.Writer).Close},
		{"empty.geojson", export.GeoJSON, nil, (*export.Writer).Close},
		{"empty.csv", export.CSV, nil, (*export.Writer).Close},
		{"options.gpx", export.GPX, optionsUnderTest(), writeFixture},
		{"options.geojson", export.GeoJSON, optionsUnderTest(), writeFixture},
		{"options.csv", export.CSV, optionsUnderTest(), writeFixture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w, err := export.New(tt.format, &out, tt.opts...)
			require.NoError(t, err)
			require.NoError(t, tt.write(w))
			checkGolden(t, tt.name, out.Bytes())
			if tt.format == export.CSV {
				sep := ','
				if tt.opts != nil {
					sep = ';'
				}
				_, err = parseCSV(out.Bytes(), sep)
			} else {
				err = parse(tt.format, out.Bytes())
			}
			require.NoError(t, err, "golden output does not parse back:\n%s", out.Bytes())
		})
	}
}

func optionsUnderTest() []export.Option {
	return []export.Option{
		export.WithCreator(`Acme "Fleet" & Co`),
		export.WithName("Van <7>, May 2026"),
		export.WithTime(time.Date(2026, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))),
		export.WithPrecision(5),
		export.WithSeparator(';'),
		export.WithCRLF(false),
	}
}
