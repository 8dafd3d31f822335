// Command live-positions follows every vehicle live, as the provider recommends: last
// positions over REST, then a stream and its WebSocket, with reconnection and resync.
// Without MYCARTRACKS_CLIENT_ID it runs against a simulated fleet started in-process.
//
//	go run ./examples/live-positions -duration 30s        # human lines
//	go run ./examples/live-positions -duration 0 -json    # JSON lines until Ctrl-C
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
	"github.com/fleetkit/fleetkit-go/examples/internal/connect"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func main() {
	cli.Exit("live-positions", run(os.Args[1:], os.Stdout, os.Stderr))
}

// line is one JSON output line.
type line struct {
	Kind      string   `json:"kind"`
	VehicleID string   `json:"vehicleId,omitempty"`
	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
	Speed     *float64 `json:"speed,omitempty"` // km/h
	Time      string   `json:"time,omitempty"`  // RFC 3339
	State     string   `json:"state,omitempty"`
	Code      string   `json:"code,omitempty"`
	Message   string   `json:"message,omitempty"`
	Error     string   `json:"error,omitempty"`
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := cli.FlagSet("live-positions", "follows every MyCarTracks vehicle live and prints its positions and the stream's state",
		"go run ./examples/live-positions [-duration 30s] [-json]", stderr)
	duration := fs.Duration("duration", 30*time.Second, "how long to follow (0: until Ctrl-C)")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	client, _, closeAll, err := connect.MyCarTracks(stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	sub, err := client.Live.Subscribe(ctx, mycartracks.LiveFilter{}, telematics.EventsOnly())
	if err != nil {
		return err
	}
	defer sub.Close()
	enc := json.NewEncoder(stdout)
	print := func(l line) {
		if *asJSON {
			_ = enc.Encode(l)
			return
		}
		switch l.Kind {
		case "state":
			fmt.Fprintf(stdout, "%-8s %s %s\n", l.Kind, l.State, l.Error)
		case "error":
			fmt.Fprintf(stdout, "%-8s %s %s\n", l.Kind, l.Code, l.Message)
		case "unknown":
			fmt.Fprintf(stdout, "%-8s (frame the SDK does not know)\n", l.Kind)
		default:
			fmt.Fprintf(stdout, "%-8s vehicle %-6s %s", l.Kind, l.VehicleID, l.Time)
			if l.Latitude != nil {
				fmt.Fprintf(stdout, " %10.6f %11.6f", *l.Latitude, *l.Longitude)
			}
			if l.Speed != nil {
				fmt.Fprintf(stdout, " %6.1f km/h", *l.Speed)
			}
			fmt.Fprintln(stdout)
		}
	}
	states := sub.States()
	for {
		select {
		case st, ok := <-states:
			if !ok {
				states = nil
				continue
			}
			l := line{Kind: "state", State: st.Conn.String(), Time: st.Since.UTC().Format(time.RFC3339)}
			if st.LastError != nil && st.Conn != telematics.StateConnected {
				l.Error = st.LastError.Error()
			}
			print(l)
		case ev, ok := <-sub.Events():
			if !ok {
				if err := sub.Err(); err != nil && ctx.Err() == nil {
					return err
				}
				return nil
			}
			print(eventLine(ev))
		}
	}
}

func eventLine(ev telematics.Event) line {
	l := line{Kind: ev.Kind.String(), VehicleID: ev.VehicleID, Code: ev.Code, Message: ev.Message}
	if !ev.Time.IsZero() {
		l.Time = ev.Time.UTC().Format(time.RFC3339)
	}
	p := ev.Position
	if p.Latitude != 0 || p.Longitude != 0 {
		l.Latitude, l.Longitude = &p.Latitude, &p.Longitude
	}
	if p.Has(telematics.HasSpeed) {
		kmh := p.Speed.KMH()
		l.Speed = &kmh
	}
	return l
}
