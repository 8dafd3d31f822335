package mycartracks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/fleetkit/fleetkit-go/internal/stream"
	"github.com/fleetkit/fleetkit-go/telematics"
)

const benchFrames = 100_000

// benchLiveFrames are position frames as the provider sends them: ten vehicles, each
// frame a second after the one before, so that none is stale.
func benchLiveFrames() [][]byte {
	frames := make([][]byte, benchFrames)
	t0 := int64(1_700_000_000_000)
	for i := range frames {
		frames[i] = []byte(`{"type":"position","vehicleId":` + strconv.Itoa(1+i%10) +
			`,"position":{"time":` + strconv.FormatInt(t0+int64(i)*1000, 10) +
			`,"latitude":52.` + strconv.Itoa(100000+i) + `,"longitude":13.` + strconv.Itoa(400000+i) +
			`,"speed":42.5,"bearing":181.2,"accuracy":5}}`)
	}
	return frames
}

// benchFrameServer serves every WebSocket connection the same frames, then waits for the
// client to close.
func benchFrameServer(frames [][]byte) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		ctx := conn.CloseRead(r.Context())
		for _, f := range frames {
			if conn.Write(ctx, websocket.MessageText, f) != nil {
				return
			}
		}
		<-ctx.Done()
	}))
}

// benchProvider is the live provider with the stream already made: the session dials
// the loopback server, decodes with the MyCarTracks decoder and publishes.
type benchProvider struct{ url string }

func (p benchProvider) CreateStream(context.Context) (stream.Stream, error) {
	return stream.Stream{URL: p.url}, nil
}
func (benchProvider) LastPositions(context.Context) ([]telematics.Position, error) { return nil, nil }
func (benchProvider) Decode(frame []byte, ev *telematics.Event) (bool, error) {
	return decodeLiveFrame(frame, ev)
}

// BenchmarkLiveEndToEnd receives 100,000 position frames over a loopback WebSocket: with
// the stream core (read loop, MyCarTracks decoder, ordering check, hub, one subscriber
// whose buffer holds every position, so that none is dropped whatever the scheduling) and, as the baseline in the
// same run, with a bare coder/websocket Read and json.Unmarshal loop into a struct. The
// ratio sub-benchmark alternates both sides on every iteration and reports the
// live/baseline time quotient (target ≤ 1.3).
func BenchmarkLiveEndToEnd(b *testing.B) {
	frames := benchLiveFrames()
	srv := benchFrameServer(frames)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	live := func() {
		sess := stream.NewSession(stream.Config{Provider: benchProvider{url: url}, Name: Provider, HTTPClient: srv.Client(), ReadLimit: DefaultLiveReadLimitForBench})
		sub, err := sess.Subscribe(context.Background(), telematics.NewSubscribeConfig(telematics.PositionsOnly(), telematics.WithBuffer(benchFrames)))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for p := range sub.Positions() {
			if p.VehicleID == "" || p.Time.IsZero() {
				b.Fatalf("position %d: %+v", n, p)
			}
			if n++; n == benchFrames {
				break
			}
		}
		if n != benchFrames || sub.Dropped() != 0 {
			b.Fatalf("%d positions, %d dropped: %v", n, sub.Dropped(), sub.Err())
		}
		sub.Close()
		sess.Close()
	}
	type wire struct {
		Type      string `json:"type"`
		VehicleID int64  `json:"vehicleId"`
		Position  struct {
			Time                                          int64
			Latitude, Longitude, Speed, Bearing, Accuracy float64
		} `json:"position"`
	}
	baseline := func() {
		ctx := context.Background()
		conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: srv.Client()})
		if err != nil {
			b.Fatal(err)
		}
		conn.SetReadLimit(DefaultLiveReadLimitForBench)
		for i := 0; i < benchFrames; i++ {
			_, data, err := conn.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var w wire
			if err := json.Unmarshal(data, &w); err != nil || w.VehicleID == 0 {
				b.Fatalf("frame %d: %v", i, err)
			}
		}
		_ = conn.Close(websocket.StatusNormalClosure, "")
	}

	b.Run("live", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			live()
		}
		b.ReportMetric(float64(benchFrames)*float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	})
	b.Run("websocket-json-baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			baseline()
		}
		b.ReportMetric(float64(benchFrames)*float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	})
	b.Run("ratio", func(b *testing.B) {
		var liveTime, baseTime time.Duration
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			live()
			t1 := time.Now()
			baseline()
			liveTime += t1.Sub(t0)
			baseTime += time.Since(t1)
		}
		b.ReportMetric(float64(liveTime.Nanoseconds())/float64(b.N), "live-ns/op")
		b.ReportMetric(float64(baseTime.Nanoseconds())/float64(b.N), "baseline-ns/op")
		b.ReportMetric(float64(liveTime)/float64(baseTime), "live/baseline-time")
	})
}

// DefaultLiveReadLimitForBench is the stream core's default read limit, on both sides.
const DefaultLiveReadLimitForBench = stream.DefaultReadLimit
