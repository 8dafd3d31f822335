package telematics_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseTime(t *testing.T) {
	ref := time.Date(2026, 4, 16, 8, 29, 0, 0, time.UTC)
	ms := ref.UnixMilli()
	tests := []struct {
		in   string
		unit telematics.EpochUnit
		want time.Time
	}{
		{`null`, telematics.EpochMillis, time.Time{}},
		{``, telematics.EpochMillis, time.Time{}},
		{`0`, telematics.EpochMillis, time.Time{}},
		{`"0"`, telematics.EpochMillis, time.Time{}},
		{`""`, telematics.EpochMillis, time.Time{}},
		{`1776328140000`, telematics.EpochMillis, ref},
		{`"1776328140000"`, telematics.EpochMillis, ref},
		{`1776328140`, telematics.EpochSeconds, ref},
		{`"1776328140"`, telematics.EpochSeconds, ref},
		{`1776328140.5`, telematics.EpochSeconds, ref.Add(500 * time.Millisecond)},
		{`1776328140000.25`, telematics.EpochMillis, ref.Add(250 * time.Microsecond)},
		{`1.77632814e12`, telematics.EpochMillis, ref},
		{`"2026-04-16T08:29:00Z"`, telematics.EpochMillis, ref},
		{`"2026-04-16T10:29:00+02:00"`, telematics.EpochMillis, ref},
		{`"2026-04-16T08:29:00.123Z"`, telematics.EpochMillis, ref.Add(123 * time.Millisecond)},
		{`"2026-04-16 08:29:00Z"`, telematics.EpochMillis, ref},
		{`"2026-04-16T08:29:00"`, telematics.EpochMillis, ref},
		{`"2026-04-16"`, telematics.EpochMillis, time.Date(2026, 4, 16, 0, 0, 0, 0, time.UTC)},
		{` 1776328140000 `, telematics.EpochMillis, ref},
		{`-1000`, telematics.EpochMillis, time.Unix(-1, 0).UTC()},
	}
	for _, tc := range tests {
		got, err := telematics.ParseTime([]byte(tc.in), tc.unit)
		require.NoError(t, err, tc.in)
		assert.True(t, tc.want.Equal(got), "%s: got %v want %v", tc.in, got, tc.want)
		if !got.IsZero() {
			assert.Equal(t, time.UTC, got.Location(), tc.in)
		}
	}
	_ = ms

	for _, bad := range []string{`true`, `{}`, `[]`, `"yesterday"`, `"2026-13-45"`, `1e400`, `99999999999999999`, `"`, `NaN`, `"12:00"`} {
		_, err := telematics.ParseTime([]byte(bad), telematics.EpochMillis)
		assert.ErrorIs(t, err, telematics.ErrInvalidTime, bad)
	}
}

func TestTimestampJSON(t *testing.T) {
	var v struct {
		A telematics.Timestamp     `json:"a"`
		B telematics.UnixTimestamp `json:"b"`
		C telematics.Timestamp     `json:"c"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"a":1776328140000,"b":1776328140,"c":null}`), &v))
	assert.Equal(t, v.A.Time, v.B.Time)
	assert.True(t, v.C.IsZero())
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":1776328140000,"b":1776328140,"c":null}`, string(out))

	err = json.Unmarshal([]byte(`{"a":"not a time"}`), &v)
	assert.ErrorIs(t, err, telematics.ErrInvalidTime)
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{`null`, `0`, `1776328140000`, `"1776328140000"`, `"2026-04-16T08:29:00Z"`, `1.5`, `-1`,
		`"2026-04-16 08:29:00"`, `"`, `1e308`, `{}`} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, seconds bool) {
		unit := telematics.EpochMillis
		if seconds {
			unit = telematics.EpochSeconds
		}
		got, err := telematics.ParseTime(data, unit)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("error with a non-zero time for %q", data)
			}
			if len(err.Error()) > 64*4+64 { // %q of 64 bytes, plus the message
				t.Fatalf("error quotes too much input: %d bytes", len(err.Error()))
			}
			return
		}
		if !got.IsZero() {
			if got.Location() != time.UTC {
				t.Fatalf("not UTC for %q", data)
			}
			if got.Year() < 1 || got.Year() > 9999 {
				t.Fatalf("year %d out of range for %q", got.Year(), data)
			}
		}
	})
}

// RFC 3339 text is parsed without building an epoch-parse error on the way; numeric
// text still takes the epoch path.
func TestParseTimeStringRFC3339DoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := telematics.ParseTimeString("2026-06-30T00:03:53.743Z", telematics.EpochMillis); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per RFC 3339 parse", allocs)
	}
	for s, want := range map[string]time.Time{
		"1780222662364": time.UnixMilli(1780222662364).UTC(),
		"-1000":         time.UnixMilli(-1000).UTC(),
		"+1.5e3":        time.UnixMilli(1500).UTC(),
		"2026-01-31":    time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC),
	} {
		got, err := telematics.ParseTimeString(s, telematics.EpochMillis)
		if err != nil || !got.Equal(want) {
			t.Errorf("telematics.ParseTimeString(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
}
