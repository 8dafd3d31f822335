package mycartrackstest

import (
	"encoding/json"
	"testing"
)

// BenchmarkAppendTrackpoints computes and writes 10,000 points, as one page does.
func BenchmarkAppendTrackpoints(b *testing.B) {
	cfg := defaultConfig()
	cfg.vehicles, cfg.tracksPerVehicle, cfg.pointsPerTrack = 1, 1, 1_000_000
	t := newFleet(&cfg).tracks[0]
	buf := make([]byte, 0, 2<<20)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		buf = buf[:0]
		for i := range 10_000 {
			p := t.point(500_000 + i)
			buf = appendPoint(buf, &p, allPointFields)
		}
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkMarshalTrackpointsBaseline writes the same 10,000 points, precomputed, with
// encoding/json.
func BenchmarkMarshalTrackpointsBaseline(b *testing.B) {
	cfg := defaultConfig()
	cfg.vehicles, cfg.tracksPerVehicle, cfg.pointsPerTrack = 1, 1, 1_000_000
	t := newFleet(&cfg).tracks[0]
	type wire struct {
		ID        int64   `json:"id"`
		Time      int64   `json:"time"`
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Altitude  float64 `json:"altitude"`
		Speed     float64 `json:"speed"`
		Bearing   float64 `json:"bearing"`
		Accuracy  float64 `json:"accuracy"`
	}
	points := make([]wire, 10_000)
	for i := range points {
		p := t.point(500_000 + i)
		points[i] = wire{p.id, p.time, p.lat, p.lon, p.alt, p.speed, p.bearing, p.accuracy}
	}
	var n int
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		out, err := json.Marshal(points)
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.SetBytes(int64(n))
}

func TestAppendPointMatchesEncodingJSON(t *testing.T) {
	cfg := defaultConfig()
	f := newFleet(&cfg)
	for _, tr := range f.tracks[:3] {
		for i := 0; i < tr.n; i += 37 {
			p := tr.point(i)
			var got, want map[string]any
			if err := json.Unmarshal(appendPoint(nil, &p, allPointFields), &got); err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(map[string]any{"id": p.id, "time": p.time, "latitude": p.lat, "longitude": p.lon,
				"altitude": p.alt, "speed": p.speed, "bearing": p.bearing, "accuracy": p.accuracy})
			_ = json.Unmarshal(raw, &want)
			if len(got) != 8 || len(want) != 8 {
				t.Fatalf("got %v, want %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Fatalf("point %d of %d: %s = %v, want %v", i, tr.id, k, got[k], v)
				}
			}
		}
	}
}
