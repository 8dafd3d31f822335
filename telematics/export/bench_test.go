package export_test

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

// benchPoints is the size of the track of the benchmarks: a day of 1 Hz fixes is 86,400,
// a long-haul month of them about a million.
const benchPoints = 1_000_000

// peakHeapLimit is the most heap an export of benchPoints positions may use.
const peakHeapLimit = 64 << 20

// heapPeak samples runtime.MemStats.HeapAlloc (live and not yet collected heap) at
// checkpoints and keeps the largest value. ReadMemStats stops the world, so the streaming
// benchmarks sample once every 64Ki positions.
type heapPeak struct {
	peak uint64
	ms   runtime.MemStats
}

func (h *heapPeak) sample() {
	runtime.ReadMemStats(&h.ms)
	h.peak = max(h.peak, h.ms.HeapAlloc)
}

func (h *heapPeak) report(b *testing.B) {
	b.ReportMetric(float64(h.peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchPoints, "ns/point")
}

// sampledSource yields the synthetic track, sampling the heap as it goes.
func sampledSource(h *heapPeak) func(yield func(telematics.Position, error) bool) {
	return func(yield func(telematics.Position, error) bool) {
		for i := range benchPoints {
			if i&(1<<16-1) == 0 {
				h.sample()
			}
			if !yield(synthetic(i), nil) {
				return
			}
		}
		h.sample()
	}
}

// BenchmarkExport1M exports a track of a million positions to io.Discard with the
// streaming Writer ("stream") and, in the same run, the naive way ("marshal": collect the
// positions in a slice, marshal the whole document with encoding/xml, encoding/json or
// encoding/csv, write it).
//
//	go test -run '^$' -bench Export1M -benchmem -benchtime 1x ./telematics/export
func BenchmarkExport1M(b *testing.B) {
	track := telematics.Track{ID: "1", VehicleID: "7", Name: "Long haul"}
	for _, f := range allFormats {
		b.Run(f.String()+"/stream", func(b *testing.B) {
			b.ReportAllocs()
			var h heapPeak
			runtime.GC()
			for range b.N {
				w, err := export.New(f, io.Discard)
				if err != nil {
					b.Fatal(err)
				}
				if err := w.WriteTrack(track, sampledSource(&h)); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			h.report(b)
			if h.peak > peakHeapLimit {
				b.Errorf("peak heap %d MiB, want at most %d MiB", h.peak>>20, peakHeapLimit>>20)
			}
		})
		b.Run(f.String()+"/marshal", func(b *testing.B) {
			b.ReportAllocs()
			var h heapPeak
			runtime.GC()
			for range b.N {
				if err := naive[f](track, sampledSource(&h), &h); err != nil {
					b.Fatal(err)
				}
			}
			h.report(b)
		})
	}
}

type naiveGPX struct {
	XMLName xml.Name `xml:"http://www.topografix.com/GPX/1/1 gpx"`
	Version string   `xml:"version,attr"`
	Creator string   `xml:"creator,attr"`
	Trk     struct {
		Name   string `xml:"name"`
		Trkseg struct {
			Pts []naiveTrkpt `xml:"trkpt"`
		} `xml:"trkseg"`
	} `xml:"trk"`
}

type naiveTrkpt struct {
	Lat  float64   `xml:"lat,attr"`
	Lon  float64   `xml:"lon,attr"`
	Ele  float64   `xml:"ele"`
	Time time.Time `xml:"time"`
	Ext  struct {
		TPE struct {
			Speed  float64 `xml:"gpxtpx:speed"`
			Course float64 `xml:"gpxtpx:course"`
		} `xml:"gpxtpx:TrackPointExtension"`
	} `xml:"extensions"`
}

type naiveFeature struct {
	Type     string `json:"type"`
	Geometry struct {
		Type        string       `json:"type"`
		Coordinates [][3]float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type positions = func(yield func(telematics.Position, error) bool)

var naive = map[export.Format]func(telematics.Track, positions, *heapPeak) error{
	export.GPX: func(t telematics.Track, ps positions, h *heapPeak) error {
		doc := naiveGPX{Version: "1.1", Creator: "naive"}
		doc.Trk.Name = t.Name
		for p, err := range ps {
			if err != nil {
				return err
			}
			pt := naiveTrkpt{Lat: p.Latitude, Lon: p.Longitude, Ele: p.Altitude.Metres(), Time: p.Time}
			pt.Ext.TPE.Speed, pt.Ext.TPE.Course = p.Speed.MPS(), p.Heading.Degrees()
			doc.Trk.Trkseg.Pts = append(doc.Trk.Trkseg.Pts, pt)
		}
		out, err := xml.Marshal(doc)
		if err != nil {
			return err
		}
		h.sample()
		_, err = io.Discard.Write(out)
		return err
	},
	export.GeoJSON: func(t telematics.Track, ps positions, h *heapPeak) error {
		f := naiveFeature{Type: "Feature", Properties: map[string]any{"track_id": t.ID, "name": t.Name}}
		f.Geometry.Type = "LineString"
		for p, err := range ps {
			if err != nil {
				return err
			}
			f.Geometry.Coordinates = append(f.Geometry.Coordinates, [3]float64{p.Longitude, p.Latitude, p.Altitude.Metres()})
		}
		out, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": []naiveFeature{f}})
		if err != nil {
			return err
		}
		h.sample()
		_, err = io.Discard.Write(out)
		return err
	},
	export.CSV: func(t telematics.Track, ps positions, h *heapPeak) error {
		records := [][]string{export.CSVColumns()}
		for p, err := range ps {
			if err != nil {
				return err
			}
			records = append(records, []string{
				p.VehicleID, t.ID, p.Time.Format(time.RFC3339Nano),
				strconv.FormatFloat(p.Latitude, 'f', 7, 64), strconv.FormatFloat(p.Longitude, 'f', 7, 64),
				strconv.FormatFloat(p.Altitude.Metres(), 'f', 2, 64), strconv.FormatFloat(p.Speed.KMH(), 'f', 2, 64),
				strconv.FormatFloat(p.Heading.Degrees(), 'f', 2, 64), strconv.FormatFloat(p.Accuracy.Metres(), 'f', 2, 64),
			})
		}
		h.sample()
		return csv.NewWriter(io.Discard).WriteAll(records)
	},
}
