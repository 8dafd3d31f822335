// Command live-dashboard serves a live map of every vehicle: a Go server follows the
// provider's flow (last positions, stream, WebSocket, reconnection) through one
// mycartracks subscription per browser tab and pushes updates to the page over its own
// WebSocket. The page is self-contained (embedded, no internet assets). Without
// MYCARTRACKS_CLIENT_ID it runs against a simulated fleet started in-process.
//
//	go run ./examples/live-dashboard -addr 127.0.0.1:8080
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
	"github.com/fleetkit/fleetkit-go/examples/internal/connect"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics"
)

//go:embed index.html
var page []byte

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	cli.Exit("live-dashboard", err)
}

// run parses the flags, connects (the real API or the simulated fleet) and serves the
// dashboard until ctx ends.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := cli.FlagSet("live-dashboard", "serves a live map of every MyCarTracks vehicle in the browser",
		"go run ./examples/live-dashboard [-addr 127.0.0.1:8080]", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	client, _, closeAll, err := connect.MyCarTracks(stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "dashboard at http://%s/\n", ln.Addr())
	return serve(ctx, ln, client, stderr)
}

// serve runs the dashboard on ln until ctx ends, and returns once every browser tab's
// handler has finished.
func serve(ctx context.Context, ln net.Listener, client *mycartracks.Client, log io.Writer) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	names := map[string]string{}
	for v, err := range client.Vehicles.All(ctx, nil) {
		if err != nil {
			fmt.Fprintln(log, "vehicle names:", err)
			break
		}
		names[v.ID.String()] = v.Name
	}
	var tabs sync.WaitGroup
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		tabs.Add(1)
		defer tabs.Done()
		tab(ctx, w, r, client, names)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	shutdown := make(chan struct{})
	go func() {
		defer close(shutdown)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	stop() // a listener failure ends the tabs too
	<-shutdown
	// Shutdown does not wait for hijacked connections: the tabs end with ctx.
	tabs.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// msg is one update for the page.
type msg struct {
	Kind      string  `json:"kind"`
	VehicleID string  `json:"vehicleId,omitempty"`
	Name      string  `json:"name,omitempty"`
	Latitude  float64 `json:"latitude,omitempty"`
	Longitude float64 `json:"longitude,omitempty"`
	Speed     float64 `json:"speed"`
	Time      int64   `json:"time,omitempty"` // epoch ms
	State     string  `json:"state,omitempty"`
}

// tab feeds one browser tab from its own subscription (they share one upstream).
func tab(ctx context.Context, w http.ResponseWriter, r *http.Request, client *mycartracks.Client, names map[string]string) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	tabCtx := conn.CloseRead(ctx)
	sub, err := client.Live.Subscribe(tabCtx, mycartracks.LiveFilter{}, telematics.EventsOnly())
	if err != nil {
		_ = conn.Close(websocket.StatusInternalError, "subscribe failed")
		return
	}
	defer sub.Close()
	send := func(m msg) bool {
		b, _ := json.Marshal(m)
		wctx, cancel := context.WithTimeout(tabCtx, 10*time.Second)
		defer cancel()
		return conn.Write(wctx, websocket.MessageText, b) == nil
	}
	if !send(msg{Kind: "state", State: sub.State().Conn.String()}) {
		return
	}
	for {
		select {
		case st, ok := <-sub.States():
			if !ok {
				return
			}
			if !send(msg{Kind: "state", State: st.Conn.String()}) {
				return
			}
		case ev, ok := <-sub.Events():
			if !ok {
				return
			}
			m := msg{Kind: ev.Kind.String(), VehicleID: ev.VehicleID, Name: names[ev.VehicleID]}
			if m.Name == "" {
				m.Name = "vehicle " + ev.VehicleID
			}
			p := ev.Position
			m.Latitude, m.Longitude, m.Speed = p.Latitude, p.Longitude, p.Speed.KMH()
			if !ev.Time.IsZero() {
				m.Time = ev.Time.UnixMilli()
			}
			switch ev.Kind {
			case telematics.EventPosition, telematics.EventResync, telematics.EventOffline:
				if !send(m) {
					return
				}
			}
		}
	}
}
