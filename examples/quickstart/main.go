// Command quickstart prints a MyCarTracks fleet at a glance: its vehicles, where each one
// was last seen, and the latest tracks with their distances.
//
//	go run ./examples/quickstart
//
// With MYCARTRACKS_CLIENT_ID unset it starts the built-in simulated fleet
// (mycartracks/mycartrackstest) in-process and says so in its first line; with
// MYCARTRACKS_CLIENT_ID and MYCARTRACKS_CLIENT_SECRET set it reads the real API
// (mycartracks.FromEnv also honours MYCARTRACKS_SCOPE, MYCARTRACKS_BASE_URL and
// MYCARTRACKS_TOKEN_URL).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fleetkit/fleetkit-go/examples/internal/connect"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func main() {
	tracks := flag.Int("tracks", 10, "how many of the latest tracks to show")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *tracks); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run prints the fleet report to out, against the real API when credentials are set and
// the simulated fleet otherwise.
func run(ctx context.Context, out io.Writer, latest int) error {
	client, _, closeAll, err := connect.MyCarTracks(out)
	if err != nil {
		return err
	}
	defer closeAll()

	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	names := map[mycartracks.ID]string{}
	if err := printVehicles(ctx, out, client, names); err != nil {
		return err
	}
	if err := printLastPositions(ctx, out, client); err != nil {
		return err
	}
	if err := printLatestTracks(ctx, out, client, names, latest); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nRate-limit budget: %s\n", client.Rate())
	return nil
}

func printVehicles(ctx context.Context, out io.Writer, c *mycartracks.Client, names map[mycartracks.ID]string) error {
	fmt.Fprintln(out, "\nVehicles")
	tw := table(out, "ID", "NAME", "PLATE", "VIN")
	n := 0
	for v, err := range c.Vehicles.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("listing vehicles: %w", err)
		}
		names[v.ID] = v.Name
		row(tw, v.ID, v.Name, dash(v.LicensePlate), dash(v.VIN))
		n++
	}
	if n == 0 {
		row(tw, "-", "(no vehicles)", "", "")
	}
	return tw.Flush()
}

func printLastPositions(ctx context.Context, out io.Writer, c *mycartracks.Client) error {
	fmt.Fprintln(out, "\nLast positions")
	tw := table(out, "VEHICLE", "SEEN (UTC)", "LATITUDE", "LONGITUDE", "SPEED", "HEADING", "ONLINE")
	for lp, err := range c.Positions.AllLast(ctx, nil) {
		if err != nil {
			return fmt.Errorf("reading last positions: %w", err)
		}
		p := lp.Position
		speed, heading := "-", "-"
		if p.Has(telematics.HasSpeed) {
			speed = fmt.Sprintf("%.0f km/h", p.Speed.KMH())
		}
		if p.Has(telematics.HasHeading) {
			heading = fmt.Sprintf("%s %s", p.Heading, p.Heading.Cardinal())
		}
		name := lp.VehicleName
		if name == "" {
			name = lp.VehicleID.String()
		}
		row(tw, name, stamp(p.Time), fmt.Sprintf("%.5f", p.Latitude), fmt.Sprintf("%.5f", p.Longitude), speed, heading, yesNo(lp.Online))
	}
	return tw.Flush()
}

func printLatestTracks(ctx context.Context, out io.Writer, c *mycartracks.Client, names map[mycartracks.ID]string, latest int) error {
	if latest <= 0 {
		return nil
	}
	page, err := c.Tracks.List(ctx, &mycartracks.TrackListOptions{ListOptions: mycartracks.ListOptions{
		Paging: mycartracks.Paging{Limit: min(latest, mycartracks.MaxPageSize)}, Sort: []string{"-startTime"}, IncludeTotal: true}})
	if err != nil {
		return fmt.Errorf("listing tracks: %w", err)
	}
	fmt.Fprintf(out, "\nLatest tracks (%d of %d)\n", len(page.Items), page.Total)
	tw := table(out, "TRACK", "VEHICLE", "STARTED (UTC)", "DURATION", "DISTANCE", "AVG", "MAX")
	var total telematics.Distance
	for _, t := range page.Items {
		total += t.TotalDistance
		vehicle := names[t.VehicleID]
		if vehicle == "" {
			vehicle = t.VehicleID.String()
		}
		row(tw, t.ID, vehicle, stamp(t.StartTime), t.TotalTime.Round(time.Second),
			fmt.Sprintf("%.2f km", t.TotalDistance.Kilometres()),
			fmt.Sprintf("%.0f km/h", t.AvgSpeed.KMH()), fmt.Sprintf("%.0f km/h", t.MaxSpeed.KMH()))
	}
	if len(page.Items) > 0 {
		row(tw, "", "", "", "total", fmt.Sprintf("%.2f km", total.Kilometres()), "", "")
	}
	return tw.Flush()
}

func table(out io.Writer, headers ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(headers, "\t"))
	return tw
}

func row(tw io.Writer, cells ...any) {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = fmt.Sprint(c)
	}
	fmt.Fprintln(tw, strings.Join(parts, "\t"))
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
