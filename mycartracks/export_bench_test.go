package mycartracks_test

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"iter"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

const exportPoints = 1_000_000

// heapPeak samples the live heap while an export runs.
type heapPeak struct {
	max uint64
	ms  runtime.MemStats
}

func (h *heapPeak) sample() {
	runtime.ReadMemStats(&h.ms)
	h.max = max(h.max, h.ms.HeapAlloc)
}

func (h *heapPeak) report(b *testing.B) {
	b.ReportMetric(float64(h.max)/(1<<20), "peak-heap-MiB")
}

// BenchmarkExportTrackGPX exports one track of a million points from the fake server to
// GPX: through Tracks.Positions (pages of 10,000 points decoded by the client and written
// by telematics/export as they arrive) beside the baseline, raw net/http + encoding/json
// paging into one slice and encoding/xml marshalling it. peak-heap-MiB is the largest
// live heap seen during the export (target for fleetkit: at most 64 MiB; for
// fleetkit-neutral, the same export through export.Tracks and Client.Fleet, 32 MiB).
func BenchmarkExportTrackGPX(b *testing.B) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(1),
		mycartrackstest.WithPointsPerTrack(exportPoints), mycartrackstest.WithoutRateLimit())
	defer srv.Close()
	ctx := context.Background()

	b.Run("fleetkit", func(b *testing.B) {
		c, err := srv.NewClient()
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		page, err := c.Tracks.List(ctx, nil)
		if err != nil || len(page.Items) != 1 {
			b.Fatal(err)
		}
		track := page.Items[0]
		var peak heapPeak
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			runtime.GC()
			w := export.NewGPX(io.Discard)
			n := 0
			points := func(yield func(telematics.Position, error) bool) {
				for p, err := range c.Tracks.Positions(ctx, track, nil) {
					if n++; n%50_000 == 0 {
						peak.sample()
					}
					if !yield(p, err) {
						return
					}
				}
			}
			if err := w.WriteTrack(track.Telematics(), iter.Seq2[telematics.Position, error](points)); err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			if w.Stats().Points != exportPoints {
				b.Fatalf("exported %d points", w.Stats().Points)
			}
		}
		peak.report(b)
	})

	// The same export through the provider-neutral API: export.Tracks over the client's
	// Fleet, the path a program that works with any provider takes (target: a peak heap
	// under 32 MiB).
	b.Run("fleetkit-neutral", func(b *testing.B) {
		c, err := srv.NewClient()
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		fleet := c.Fleet()
		vehicle := strconv.FormatInt(srv.Fleet().Vehicles[0].ID, 10)
		var peak heapPeak
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			runtime.GC()
			st, err := export.Tracks(ctx, io.Discard, export.GPX, fleet, vehicle, time.Time{}, time.Time{},
				export.WithProgressEvery(50_000), export.WithProgress(func(export.Progress) { peak.sample() }))
			if err != nil {
				b.Fatal(err)
			}
			if st.Points != exportPoints {
				b.Fatalf("exported %d points", st.Points)
			}
		}
		peak.report(b)
	})

	b.Run("net-http-baseline", func(b *testing.B) {
		hc := srv.Client()
		token := fetchToken(b, hc, srv)
		type point struct {
			Time      int64   `json:"time"`
			Latitude  float64 `json:"latitude"`
			Longitude float64 `json:"longitude"`
			Altitude  float64 `json:"altitude"`
			Speed     float64 `json:"speed"`
			Bearing   float64 `json:"bearing"`
		}
		type gpxPoint struct {
			Lat  float64 `xml:"lat,attr"`
			Lon  float64 `xml:"lon,attr"`
			Ele  float64 `xml:"ele"`
			Time string  `xml:"time"`
		}
		type gpxDoc struct {
			XMLName xml.Name   `xml:"gpx"`
			Version string     `xml:"version,attr"`
			Points  []gpxPoint `xml:"trk>trkseg>trkpt"`
		}
		trackID := srv.Fleet().Tracks()[0].ID
		var peak heapPeak
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			runtime.GC()
			var all []point
			for offset := 0; ; offset += mycartracks.MaxTrackpointPageSize {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.BaseURL+"/trackpoints/"+strconv.FormatInt(trackID, 10)+
					"?limit="+strconv.Itoa(mycartracks.MaxTrackpointPageSize)+"&offset="+strconv.Itoa(offset), nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var page struct {
					Data []point `json:"data"`
				}
				err = json.NewDecoder(res.Body).Decode(&page)
				res.Body.Close()
				if err != nil {
					b.Fatal(err)
				}
				all = append(all, page.Data...)
				if len(page.Data) < mycartracks.MaxTrackpointPageSize {
					break
				}
			}
			peak.sample()
			doc := gpxDoc{Version: "1.1", Points: make([]gpxPoint, len(all))}
			for j, p := range all {
				doc.Points[j] = gpxPoint{Lat: p.Latitude, Lon: p.Longitude, Ele: p.Altitude,
					Time: time.UnixMilli(p.Time).UTC().Format(time.RFC3339)}
			}
			bw := bufio.NewWriter(io.Discard)
			if err := xml.NewEncoder(bw).Encode(doc); err != nil {
				b.Fatal(err)
			}
			peak.sample()
			if len(doc.Points) != exportPoints {
				b.Fatalf("baseline exported %d points", len(doc.Points))
			}
		}
		peak.report(b)
	})
}
