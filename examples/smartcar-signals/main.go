// Command smartcar-signals prints a vehicle's Smartcar signals as a table; without SMARTCAR_CLIENT_ID it runs against a built-in fake.
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
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fleetkit/fleetkit-go/examples/internal/connect"
	"github.com/fleetkit/fleetkit-go/smartcar"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "smartcar-signals:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("smartcar-signals", flag.ContinueOnError)
	fs.SetOutput(stdout)
	vehicleID := fs.String("vehicle", "", "Smartcar vehicle id (default: the first connected vehicle)")
	userID := fs.String("user", "", "the vehicle owner's user id (default: from the vehicle's connection)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	client, _, closeAll, err := connect.Smartcar(stdout, "smartcar-signals-example")
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
	fmt.Fprintf(stdout, "%s %s %d (%s, %s) — vehicle %s, %d signals\n\n", v.Make, v.Model, v.Year, orDash(v.PowertrainType), v.Mode, conn.VehicleID, len(set.Signals))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "READING\tUPDATED")
	for _, s := range set.Signals {
		updated := "-"
		if t := s.Time(); !t.IsZero() {
			updated = t.Format(time.RFC3339)
		}
		// A Signal prints as "code STATUS value (TYPE:CODE)".
		fmt.Fprintf(tw, "%s\t%s\n", s, updated)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
