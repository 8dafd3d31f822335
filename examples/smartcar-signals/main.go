// Command smartcar-signals prints a vehicle's Smartcar signals as a table — status, typed value, when the vehicle
// reported it and how old that reading is; without SMARTCAR_CLIENT_ID it runs against a built-in fake.
//
// Usage:
//
//	go run ./examples/smartcar-signals [-vehicle ID] [-user ID]
//
// With SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET set it reads the real API (see
// smartcar.FromEnv for the other variables). Without -vehicle it shows the first
// connected vehicle; without -user it finds the vehicle's owner in its connection.
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
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	cli.Exit("smartcar-signals", err)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.FlagSet("smartcar-signals", "prints a vehicle's Smartcar signals as a table: status, typed value, when reported and how old",
		"go run ./examples/smartcar-signals [-vehicle ID] [-user ID]", stderr)
	vehicleID := fs.String("vehicle", "", "Smartcar vehicle id (default: the first connected vehicle)")
	userID := fs.String("user", "", "the vehicle owner's user id (default: from the vehicle's connection)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	client, simulated, closeAll, err := connect.Smartcar(stdout, "smartcar-signals-example")
	if err != nil {
		return err
	}
	defer closeAll()

	conn, err := connect.SmartcarConnection(ctx, client, *vehicleID, *userID)
	if err != nil {
		return err
	}
	set, err := client.Signals.List(ctx, conn.VehicleID, smartcar.WithUserID(conn.UserID))
	if err != nil {
		return err
	}
	v := conn.Vehicle
	if set.Vehicle != nil {
		v = *set.Vehicle
	}
	// Ages are measured from now; the fake's fleet was last refreshed at
	// smartcartest.Epoch, so its readings are aged from that moment.
	now, asOf := time.Now(), ""
	if simulated {
		now, asOf = smartcartest.Epoch, " (ages as of the simulated fleet's time, "+smartcartest.Epoch.Format(time.RFC3339)+")"
	}
	fmt.Fprintf(stdout, "%s %s %d (%s, %s) — vehicle %s, %d signals%s\n\n", v.Make, v.Model, v.Year, orDash(v.PowertrainType), v.Mode, conn.VehicleID, len(set.Signals), asOf)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "READING\tUPDATED\tAGE")
	for _, s := range set.Signals {
		updated, age := "-", "-"
		if t := s.Time(); !t.IsZero() {
			updated, age = t.Format(time.RFC3339), formatAge(now.Sub(t))
		}
		// A Signal prints as "code STATUS value (TYPE:CODE)".
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s, updated, age)
	}
	return tw.Flush()
}

// formatAge prints how old a reading is in its largest units: "42s", "3m", "5h12m",
// "12d"; a time ahead of the clock is "0s".
func formatAge(d time.Duration) string {
	switch d = max(d, 0).Round(time.Second); {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
