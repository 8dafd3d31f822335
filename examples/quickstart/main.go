// Command quickstart is the front door of fleetkit: one provider-neutral API over
// MyCarTracks and Smartcar. It lists the vehicles of both providers as one fleet
// (telematics.Merge), where each was last seen, then follows their live positions for a
// few seconds, merged from both into one subscription (the MyCarTracks WebSocket stream
// and the Smartcar poller).
//
//	go run ./examples/quickstart
//
// With no environment it starts both providers' simulated fleets in-process
// (mycartracks/mycartrackstest, smartcar/smartcartest) and says so; the simulated
// Smartcar cars drive, and are polled every two seconds. With MYCARTRACKS_CLIENT_ID and
// MYCARTRACKS_CLIENT_SECRET, or SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET, set, that
// provider is the real API (mycartracks.FromEnv and smartcar.FromEnv read the optional
// variables too); real Smartcar vehicles are polled at the pace Smartcar advises (about
// once every 30 minutes each), so expect one position per user of the application.
//
// The code below is the whole integration: every call goes through the
// telematics.Fleet interfaces, the same for any provider.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
	"github.com/fleetkit/fleetkit-go/examples/internal/connect"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	cli.Exit("quickstart", err)
}

type options struct {
	live time.Duration
	max  int
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := cli.FlagSet("quickstart", "one API over MyCarTracks and Smartcar: vehicles, last positions and a few seconds of merged live positions",
		"go run ./examples/quickstart [-live 5s] [-max 12]", stderr)
	fs.DurationVar(&o.live, "live", 5*time.Second, "how long to follow live positions (0: not at all)")
	fs.IntVar(&o.max, "max", 12, "stop following once this many live positions, from both providers, are shown")
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	return o, nil
}

func run(ctx context.Context, args []string, out, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "fleetkit quickstart: one API over MyCarTracks and Smartcar")
	// Both providers merged into one telematics.Fleet: vehicle ids become
	// "mycartracks:1001", "smartcar:36ab27d0-...". On the simulated Smartcar the cars
	// drive, so that polling finds them moving.
	fleet, _, closeAll, err := connect.Fleet(out, "all", "fleetkit-quickstart", connect.WithSmartcarSimulation(drive))
	if err != nil {
		return err
	}
	defer closeAll()

	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := printFleet(ctx, out, fleet); err != nil {
		return err
	}
	if o.live > 0 {
		if err := followLive(ctx, out, fleet, o.live, o.max); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\nReal APIs: set %s and %s, and/or %s and %s.\nMore: examples/fleet-report, examples/export-tracks, examples/sandbox.\n",
		mycartracks.EnvClientID, mycartracks.EnvClientSecret, smartcar.EnvClientID, smartcar.EnvClientSecret)
	return nil
}

// drive makes the simulated Smartcar cars move, their makers reporting every 2 s.
func drive(s *smartcartest.Server) {
	for _, id := range []string{smartcartest.VehicleModel3, smartcartest.VehicleID4, smartcartest.VehicleCamry, smartcartest.VehicleF150, smartcartest.VehicleBolt} {
		s.Drive(id, 40, 2*time.Second)
	}
}

// printFleet prints every vehicle with its last known position: Vehicles and
// LastPositions of the merged fleet.
func printFleet(ctx context.Context, out io.Writer, fleet telematics.Fleet) error {
	last := map[string]telematics.Position{}
	for p, err := range fleet.LastPositions(ctx) {
		if err != nil {
			return fmt.Errorf("reading last positions: %w", err)
		}
		last[p.VehicleID] = p
	}
	var rows [][]string
	for v, err := range fleet.Vehicles(ctx) {
		if err != nil {
			return fmt.Errorf("listing vehicles: %w", err)
		}
		seen, where := "-", "-"
		if p, ok := last[v.ID]; ok {
			seen, where = p.Time.UTC().Format("2006-01-02 15:04"), fmt.Sprintf("%.5f, %.5f", p.Latitude, p.Longitude)
		}
		rows = append(rows, []string{v.ID, name(v), seen, where})
	}
	fmt.Fprintf(out, "\nVehicles (%d) and where they were last seen\n", len(rows))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  VEHICLE\tNAME\tSEEN (UTC)\tPOSITION")
	for _, r := range rows {
		fmt.Fprintln(tw, "  "+strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func name(v telematics.Vehicle) string {
	if v.Name != "" {
		return v.Name
	}
	return strings.TrimSpace(v.Make + " " + v.Model)
}

// followLive prints the live positions of every vehicle, merged from both providers, for
// d, or until max have been shown and both providers have sent one. The resync events
// that open a subscription (the last known positions, printed above) are not shown.
func followLive(ctx context.Context, out io.Writer, fleet telematics.Fleet, d time.Duration, max int) error {
	var opts []telematics.SubscribeOption
	if os.Getenv(smartcar.EnvClientID) == "" {
		// The simulated Smartcar: poll every 2 s. Real vehicles keep the default pace.
		opts = append(opts, smartcar.WithPollInterval(2*time.Second), smartcar.WithPollBudget(20, time.Second))
	}
	sub, err := fleet.Live(ctx, nil, append(opts, telematics.EventsOnly())...)
	if err != nil {
		return fmt.Errorf("following live positions: %w", err)
	}
	defer sub.Close()
	fmt.Fprintf(out, "\nLive positions for up to %s, both providers on one channel\n", d)
	timer := time.NewTimer(d)
	defer timer.Stop()
	shown, total := 0, 0
	vehicles, providers := map[string]bool{}, map[string]bool{}
	for {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				return sub.Err()
			}
			if e.Kind != telematics.EventPosition {
				continue
			}
			p := e.Position
			total++
			vehicles[p.VehicleID], providers[p.Provider] = true, true
			if shown < max {
				shown++
				speed := ""
				if p.Has(telematics.HasSpeed) {
					speed = fmt.Sprintf("  %.0f km/h", p.Speed.KMH())
				}
				fmt.Fprintf(out, "  %s  %-46s %9.5f, %10.5f%s\n", p.Time.UTC().Format("15:04:05"), p.VehicleID, p.Latitude, p.Longitude, speed)
			}
			if shown >= max && len(providers) >= 2 {
				fmt.Fprintf(out, "  %d live positions from %d vehicles of %d providers\n", total, len(vehicles), len(providers))
				return nil
			}
		case <-timer.C:
			fmt.Fprintf(out, "  %d live positions from %d vehicles in %s\n", total, len(vehicles), d)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
