// Command fleet-report prints a report of a fleet through the provider-neutral API, the
// same code for every provider: its vehicles, where each was last seen and how long ago,
// and the distance each drove in a period where the provider records tracks.
//
//	go run ./examples/fleet-report                          # both providers, merged
//	go run ./examples/fleet-report -provider mycartracks -from 2026-02-01 -to 2026-02-28
//	go run ./examples/fleet-report -provider smartcar -json
//
// -provider is mycartracks, smartcar or all (the default: both merged with
// telematics.Merge, vehicle ids provider:id). Each provider is the real API when its
// credentials are in the environment (MYCARTRACKS_CLIENT_ID and
// MYCARTRACKS_CLIENT_SECRET, SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET) and a
// simulated fleet otherwise. The period is -from to -to (days, -to included); by default
// the 30 days up to now, or every track when every provider is simulated (their
// histories lie at fixed dates). Smartcar records no trips: its distance is "n/a" (null
// in -json), not zero. -json prints one JSON document on stdout for scripts.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
	"github.com/fleetkit/fleetkit-go/examples/internal/connect"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, time.Now())
	stop()
	cli.Exit("fleet-report", err)
}

type options struct {
	provider string
	from, to time.Time
	period   bool // -from or -to given
	json     bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := cli.FlagSet("fleet-report", "reports vehicles, last known positions with their age and the distance driven, the same way for every provider",
		"go run ./examples/fleet-report [-provider mycartracks|smartcar|all] [-from DAY] [-to DAY] [-json]", stderr)
	fs.StringVar(&o.provider, "provider", "all", connect.ProviderUsage)
	from := fs.String("from", "", "first day of the period (YYYY-MM-DD; default: 30 days before -to)")
	to := fs.String("to", "", "last day of the period, included (YYYY-MM-DD; default: today)")
	fs.BoolVar(&o.json, "json", false, "print JSON on stdout")
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	var err error
	if *from != "" {
		if o.from, err = time.Parse(time.DateOnly, *from); err != nil {
			return o, fmt.Errorf("-from %q is not YYYY-MM-DD", *from)
		}
	}
	if *to != "" {
		if o.to, err = time.Parse(time.DateOnly, *to); err != nil {
			return o, fmt.Errorf("-to %q is not YYYY-MM-DD", *to)
		}
		o.to = o.to.AddDate(0, 0, 1)
	}
	o.period = *from != "" || *to != ""
	if !o.from.IsZero() && !o.to.IsZero() && !o.from.Before(o.to) {
		return o, errors.New("-from must be before -to")
	}
	return o, nil
}

// Report is what fleet-report prints; -json prints it as is.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	Provider    string    `json:"provider"`
	// From and To bound the period of the distances (null: unbounded).
	From     *time.Time      `json:"from"`
	To       *time.Time      `json:"to"`
	Vehicles []VehicleReport `json:"vehicles"`
	// DistanceKm sums the distances known.
	DistanceKm float64 `json:"distance_km"`
}

// VehicleReport is one vehicle of the report.
type VehicleReport struct {
	ID       string    `json:"id"`
	Provider string    `json:"provider"`
	Name     string    `json:"name"`
	LastSeen *LastSeen `json:"last_seen"`
	// DistanceKm and Tracks are null when the provider records no tracks.
	DistanceKm *float64 `json:"distance_km"`
	Tracks     *int     `json:"tracks"`
}

// LastSeen is a vehicle's last known position.
type LastSeen struct {
	Time       time.Time `json:"time"`
	AgeSeconds int64     `json:"age_seconds"`
	Latitude   float64   `json:"latitude"`
	Longitude  float64   `json:"longitude"`
	SpeedKmh   *float64  `json:"speed_kmh"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, now time.Time) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	fleet, simulated, closeAll, err := connect.Fleet(stderr, o.provider, "fleetkit-fleet-report")
	if err != nil {
		return err
	}
	defer closeAll()
	if !o.period && !simulated {
		o.to = now
		o.from = now.AddDate(0, 0, -30)
	} else if o.period && o.to.IsZero() {
		o.to = now
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	r, err := report(ctx, fleet, o.from, o.to, now)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return printReport(stdout, r)
}

// report builds the report through the capability interfaces only.
func report(ctx context.Context, fleet telematics.Fleet, from, to, now time.Time) (*Report, error) {
	r := &Report{GeneratedAt: now.UTC(), Provider: fleet.Provider(), Vehicles: []VehicleReport{}}
	if !from.IsZero() {
		r.From = ptr(from.UTC())
	}
	if !to.IsZero() {
		r.To = ptr(to.UTC())
	}
	for v, err := range fleet.Vehicles(ctx) {
		if err != nil {
			return nil, fmt.Errorf("listing vehicles: %w", err)
		}
		r.Vehicles = append(r.Vehicles, VehicleReport{ID: v.ID, Provider: v.Provider, Name: displayName(v)})
	}
	last := map[string]telematics.Position{}
	for p, err := range fleet.LastPositions(ctx) {
		if err != nil {
			return nil, fmt.Errorf("reading last positions: %w", err)
		}
		last[p.VehicleID] = p
	}
	for i := range r.Vehicles {
		v := &r.Vehicles[i]
		if p, ok := last[v.ID]; ok {
			v.LastSeen = &LastSeen{Time: p.Time.UTC(), AgeSeconds: int64(now.Sub(p.Time) / time.Second), Latitude: p.Latitude, Longitude: p.Longitude}
			if p.Has(telematics.HasSpeed) {
				v.LastSeen.SpeedKmh = ptr(p.Speed.KMH())
			}
		}
		var dist telematics.Distance
		n := 0
		supported := true
		for t, err := range fleet.Tracks(ctx, v.ID, from, to) {
			if errors.Is(err, telematics.ErrNotSupported) {
				supported = false
				break
			}
			if err != nil {
				return nil, fmt.Errorf("listing tracks of %s: %w", v.ID, err)
			}
			dist += t.Distance
			n++
		}
		if supported {
			v.DistanceKm, v.Tracks = ptr(dist.Kilometres()), ptr(n)
			r.DistanceKm += dist.Kilometres()
		}
	}
	return r, nil
}

func displayName(v telematics.Vehicle) string {
	if v.Name != "" {
		return v.Name
	}
	name := strings.TrimSpace(v.Make + " " + v.Model)
	if v.Year > 0 {
		name += fmt.Sprintf(" (%d)", v.Year)
	}
	return name
}

func printReport(out io.Writer, r *Report) error {
	fmt.Fprintf(out, "\n%d vehicles (%s), distances %s\n", len(r.Vehicles), r.Provider, period(r))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VEHICLE\tNAME\tLAST SEEN (UTC)\tAGE\tPOSITION\tTRACKS\tDISTANCE")
	for _, v := range r.Vehicles {
		seen, age, pos := "-", "-", "-"
		if s := v.LastSeen; s != nil {
			seen = s.Time.Format("2006-01-02 15:04")
			age = humanAge(time.Duration(s.AgeSeconds) * time.Second)
			pos = fmt.Sprintf("%.5f, %.5f", s.Latitude, s.Longitude)
		}
		tracks, dist := "n/a", "n/a"
		if v.DistanceKm != nil {
			tracks, dist = fmt.Sprint(*v.Tracks), fmt.Sprintf("%.1f km", *v.DistanceKm)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Name, seen, age, pos, tracks, dist)
	}
	fmt.Fprintf(tw, "\t\t\t\t\ttotal\t%.1f km\n", r.DistanceKm)
	return tw.Flush()
}

func period(r *Report) string {
	switch {
	case r.From == nil && r.To == nil:
		return "over every track"
	case r.From == nil:
		return "up to " + r.To.Format(time.DateOnly)
	case r.To == nil:
		return "from " + r.From.Format(time.DateOnly)
	}
	return fmt.Sprintf("from %s to %s", r.From.Format(time.DateOnly), r.To.Format(time.DateOnly))
}

// humanAge formats an age to two units at most: "45s", "12m", "3h 05m", "4d 2h", "8mo".
func humanAge(d time.Duration) string {
	switch {
	case d < 0:
		return "in the future"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	case d < 60*24*time.Hour:
		days := int(d.Hours() / 24)
		return fmt.Sprintf("%dd %dh", days, int(d.Hours())%24)
	}
	return fmt.Sprintf("%dmo", int(d.Hours()/24/30))
}

func ptr[T any](v T) *T { return &v }
