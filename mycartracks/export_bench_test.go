package mycartracks_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

const exportPoints = 1_000_000

// neutralPeakLimit is the most heap the export through the neutral API may use.
const neutralPeakLimit = 32 << 20

// BenchmarkExportTrackGPX exports one track of a million points from the fake server to
// GPX three ways, alternating in every iteration (the order rotates from one iteration
// to the next, so that neither side always runs on a warmer or a more loaded machine):
//
//   - fleetkit: the provider-specific path, Tracks.Positions (pages of 10,000 points
//     decoded by the client) written by telematics/export as they arrive;
//   - neutral: the same export through the provider-neutral API, export.Tracks over
//     Client.Fleet, the one call a program that works with any provider makes;
//   - baseline: what a competent user writes with net/http and encoding/json alone,
//     streaming too: each page decoded into a slice and written out as GPX (the same
//     elements: position, elevation, time, speed and course) before the next is asked for.
//
// It reports, per side, the time of one export (<side>-ms) and the largest heap seen
// during it (<side>-peak-MiB; the fake server runs in this process and counts in every
// side alike), and the ratios of the neutral path to the two others. The neutral path
// must stay under 32 MiB of heap: the benchmark fails otherwise.
//
//	go test -run '^$' -bench ExportTrackGPX -benchtime 3x ./mycartracks
func BenchmarkExportTrackGPX(b *testing.B) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(1), mycartrackstest.WithTracksPerVehicle(1),
		mycartrackstest.WithPointsPerTrack(exportPoints), mycartrackstest.WithoutRateLimit())
	defer srv.Close()
	ctx := context.Background()
	c, err := srv.NewClient()
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	page, err := c.Tracks.List(ctx, nil)
	if err != nil || len(page.Items) != 1 {
		b.Fatal("the track:", err)
	}
	track := page.Items[0]
	fleet := c.Fleet()
	vehicle := strconv.FormatInt(srv.Fleet().Vehicles[0].ID, 10)
	hc := srv.Client()
	token := fetchToken(b, hc, srv)

	sides := []struct {
		name string
		run  func() (int, error)
	}{
		{"fleetkit", func() (int, error) {
			w := export.NewGPX(io.Discard)
			if err := w.WriteTrack(track.Telematics(), c.Tracks.Positions(ctx, track, nil)); err != nil {
				return 0, err
			}
			return w.Stats().Points, w.Close()
		}},
		{"neutral", func() (int, error) {
			st, err := export.Tracks(ctx, io.Discard, export.GPX, fleet, vehicle, time.Time{}, time.Time{})
			return st.Points, err
		}},
		{"baseline", func() (int, error) {
			return rawGPXExport(ctx, hc, srv.BaseURL, token, track.ID.String(), io.Discard)
		}},
	}
	elapsed := make([]time.Duration, len(sides))
	peak := make([]uint64, len(sides))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range sides {
			j := (i + k) % len(sides)
			runtime.GC()
			h := testkit.StartHeapSampler()
			start := time.Now()
			n, err := sides[j].run()
			elapsed[j] += time.Since(start)
			peak[j] = max(peak[j], h.End())
			if err != nil {
				b.Fatalf("%s: %v", sides[j].name, err)
			}
			if n != exportPoints {
				b.Fatalf("%s exported %d points", sides[j].name, n)
			}
		}
	}
	b.StopTimer()
	ms := func(j int) float64 { return float64(elapsed[j].Milliseconds()) / float64(b.N) }
	mib := func(j int) float64 { return float64(peak[j]) / (1 << 20) }
	for j, s := range sides {
		b.ReportMetric(ms(j), s.name+"-ms")
		b.ReportMetric(mib(j), s.name+"-peak-MiB")
	}
	b.ReportMetric(mib(1)/mib(0), "neutral/fleetkit-heap")
	b.ReportMetric(ms(1)/ms(0), "neutral/fleetkit-time")
	b.ReportMetric(mib(1)/mib(2), "neutral/baseline-heap")
	b.ReportMetric(ms(1)/ms(2), "neutral/baseline-time")
	b.ReportMetric(0, "ns/op") // the three sides' times are reported above, one by one
	if peak[1] > neutralPeakLimit {
		b.Errorf("the export through the neutral API peaked at %.1f MiB of heap, over %d MiB", mib(1), neutralPeakLimit>>20)
	}
}

// rawGPXExport is the baseline: it pages through a track's points with net/http and
// encoding/json and writes each page as GPX, buffered, before asking for the next. It
// returns the number of points written.
func rawGPXExport(ctx context.Context, hc *http.Client, base, token, trackID string, dst io.Writer) (int, error) {
	const pageSize = mycartracks.MaxTrackpointPageSize
	type point struct {
		Time      int64   `json:"time"`
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Altitude  float64 `json:"altitude"`
		Speed     float64 `json:"speed"`
		Bearing   float64 `json:"bearing"`
	}
	w := bufio.NewWriter(dst)
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<gpx version="1.1" creator="baseline" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">`+
		"\n<trk><trkseg>\n")
	n := 0
	for offset := 0; ; offset += pageSize {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/trackpoints/"+trackID+
			"?limit="+strconv.Itoa(pageSize)+"&offset="+strconv.Itoa(offset), nil)
		if err != nil {
			return n, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := hc.Do(req)
		if err != nil {
			return n, err
		}
		var page struct {
			Data []point `json:"data"`
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil {
			return n, err
		}
		if res.StatusCode != http.StatusOK {
			return n, fmt.Errorf("status %d", res.StatusCode)
		}
		for _, p := range page.Data {
			fmt.Fprintf(w, `<trkpt lat="%.7f" lon="%.7f"><ele>%.1f</ele><time>%s</time>`+
				`<extensions><gpxtpx:TrackPointExtension><gpxtpx:speed>%.2f</gpxtpx:speed><gpxtpx:course>%.1f</gpxtpx:course></gpxtpx:TrackPointExtension></extensions></trkpt>`+"\n",
				p.Latitude, p.Longitude, p.Altitude, time.UnixMilli(p.Time).UTC().Format(time.RFC3339), p.Speed/3.6, p.Bearing)
		}
		n += len(page.Data)
		if len(page.Data) < pageSize {
			break
		}
	}
	fmt.Fprint(w, "</trkseg></trk>\n</gpx>\n")
	return n, w.Flush()
}
