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

func TestCSVRows(t *testing.T) {
	var out bytes.Buffer
	w := export.NewCSV(&out)
	require.NoError(t, writeFixture(w))
	assert.True(t, strings.HasPrefix(out.String(), strings.Join(export.CSVColumns(), ",")+"\r\n"), "RFC 4180 CRLF")
	rows, err := parseCSV(out.Bytes(), ',')
	require.NoError(t, err)
	require.Len(t, rows, 12)

	assert.Equal(t, []string{"7", "", "2026-05-04T07:30:00Z", "48.1486", "17.1077", "140.5", "50", "90", "4.25"}, rows[0], "a position has no track")
	assert.Equal(t, []string{"8", "", "", "-33.8688", "151.2093", "", "", "", ""}, rows[1], "unknown fields are empty cells")
	assert.Equal(t, []string{"7", "1001", "2026-05-04T07:30:00Z", "48.1486", "17.1077", "140.5", "50", "90", "4.25"}, rows[2])
	assert.Equal(t, []string{"7", "1002", "2026-05-04T07:30:01.5Z", "48.21", "17.21", "", "30", "", ""}, rows[7], "fractional seconds, speed only")
	assert.Equal(t, []string{"8", "1004", "2026-05-04T07:30:00Z", "-33.8688", "151.2093", "", "", "", ""}, rows[9], "the track's vehicle id stands in")
	assert.Equal(t, `x"1005<`, rows[10][1], "quoting round-trips")
}

func TestCSVOptions(t *testing.T) {
	var out bytes.Buffer
	w := export.NewCSV(&out, export.WithSeparator('\t'), export.WithCRLF(false), export.WithPrecision(2))
	require.NoError(t, w.WriteTrack(telematics.Track{ID: "a\tb", VehicleID: "v"}, seq(full(0))))
	require.NoError(t, w.Close())
	assert.Equal(t, strings.Join(export.CSVColumns(), "\t")+"\n"+
		"7\t\"a\tb\"\t2026-05-04T07:30:00Z\t48.15\t17.11\t140.5\t50\t90\t4.25\n", out.String())
	_, err := parseCSV(out.Bytes(), '\t')
	require.NoError(t, err)
}

func TestCSVCellsNeedingQuotes(t *testing.T) {
	var out bytes.Buffer
	w := export.NewCSV(&out)
	ids := []string{"a,b", `say "hi"`, "line\nbreak", " lead", "\x00ctl"}
	for _, id := range ids {
		require.NoError(t, w.WriteTrack(telematics.Track{ID: id}, seq(telematics.Position{VehicleID: id, Latitude: 1, Longitude: 2, Time: time.Unix(1, 5).UTC()})))
	}
	require.NoError(t, w.Close())
	rows, err := parseCSV(out.Bytes(), ',')
	require.NoError(t, err)
	require.Len(t, rows, len(ids))
	for i, id := range ids {
		assert.Equal(t, id, rows[i][0])
		assert.Equal(t, id, rows[i][1])
		assert.Equal(t, "1970-01-01T00:00:01.000000005Z", rows[i][2])
	}
}

func TestCSVColumnsIsACopy(t *testing.T) {
	cols := export.CSVColumns()
	cols[0] = "changed"
	assert.Equal(t, "vehicle_id", export.CSVColumns()[0])
}

func TestCSVSpeedOverflowingKMHIsUnknown(t *testing.T) {
	var out bytes.Buffer
	w := export.NewCSV(&out)
	p := telematics.Position{Latitude: 1, Longitude: 1, Speed: telematics.MetresPerSecond(-1e308), Known: telematics.HasSpeed}
	require.NoError(t, w.WritePositions(seq(p)))
	require.NoError(t, w.Close())
	rows, err := parseCSV(out.Bytes(), ',')
	require.NoError(t, err)
	assert.Equal(t, "", rows[0][6], "-1e308 m/s is -Inf km/h")
}
