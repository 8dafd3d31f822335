// Command smartcar-commands locks, unlocks or sets the charge limit of a vehicle through Smartcar and prints the execution; without SMARTCAR_CLIENT_ID it runs against a built-in fake.
//
// Usage:
//
//	go run ./examples/smartcar-commands [-action lock|unlock|limit] [-limit 80] [-vehicle ID] [-user ID]
//
// With SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET set it commands a real vehicle, so
// -vehicle is then required; against the fake it defaults to the first connected
// vehicle. The default action is lock. After the command it reads the signal the command
// changes, since Smartcar's answer does not carry the new state.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
	"github.com/fleetkit/fleetkit-go/examples/internal/connect"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	cli.Exit("smartcar-commands", err)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.FlagSet("smartcar-commands", "locks, unlocks or sets the charge limit of a vehicle through Smartcar and prints the execution",
		"go run ./examples/smartcar-commands [-action lock|unlock|limit] [-limit 80] [-vehicle ID] [-user ID]", stderr)
	action := fs.String("action", "lock", "lock, unlock or limit")
	limit := fs.Int("limit", 80, "charge limit in percent for -action limit (50–100)")
	vehicleID := fs.String("vehicle", "", "Smartcar vehicle id (required with real credentials)")
	userID := fs.String("user", "", "the vehicle owner's user id (default: from the vehicle's connection)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	var send func(c *smartcar.Client, vehicle string, owner smartcar.RequestOption) (*smartcar.CommandExecution, error)
	var readBack smartcar.SignalCode
	switch strings.ToLower(*action) {
	case "lock":
		send = func(c *smartcar.Client, v string, o smartcar.RequestOption) (*smartcar.CommandExecution, error) {
			return c.Commands.Lock(ctx, v, o)
		}
		readBack = smartcar.SignalClosureIsLocked
	case "unlock":
		send = func(c *smartcar.Client, v string, o smartcar.RequestOption) (*smartcar.CommandExecution, error) {
			return c.Commands.Unlock(ctx, v, o)
		}
		readBack = smartcar.SignalClosureIsLocked
	case "limit":
		send = func(c *smartcar.Client, v string, o smartcar.RequestOption) (*smartcar.CommandExecution, error) {
			return c.Commands.SetChargeLimit(ctx, v, *limit, o)
		}
		readBack = smartcar.SignalChargeChargeLimits
	default:
		return fmt.Errorf("unknown action %q: use lock, unlock or limit", *action)
	}

	client, simulated, closeAll, err := connect.Smartcar(stdout, "smartcar-commands-example")
	if err != nil {
		return err
	}
	defer closeAll()
	if !simulated && *vehicleID == "" {
		return errors.New("-vehicle is required when commanding real vehicles")
	}
	conn, err := connect.SmartcarConnection(ctx, client, *vehicleID, *userID)
	if err != nil {
		return err
	}
	owner := smartcar.WithUserID(conn.UserID)
	fmt.Fprintf(stdout, "%s vehicle %s (%s %s)...\n", strings.ToUpper(*action), conn.VehicleID, conn.Vehicle.Make, conn.Vehicle.Model)

	exec, err := send(client, conn.VehicleID, owner)
	if err != nil {
		switch {
		case telematics.MayHaveSucceeded(err):
			fmt.Fprintln(stdout, "The command's outcome is unknown: it may have reached the vehicle. Check its state before trying again.")
		case smartcar.IsVehicleUnreachable(err):
			fmt.Fprintln(stdout, "The vehicle cannot be reached now (asleep or offline); try again later.")
		case smartcar.IsRateLimited(err):
			fmt.Fprintln(stdout, "Rate limited; try again later.")
		}
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "execution\t%s\n", exec.ID)
	fmt.Fprintf(tw, "command\t%s\n", exec.Type)
	fmt.Fprintf(tw, "status\t%s (succeeded: %v)\n", exec.Status, exec.Succeeded())
	fmt.Fprintf(tw, "mode\t%s (HTTP %d, long-running: %v)\n", exec.ExecutionMode, exec.HTTPStatus, exec.LongRunning())
	if len(exec.Parameters) > 0 && string(exec.Parameters) != "{}" {
		fmt.Fprintf(tw, "parameters\t%s\n", exec.Parameters)
	}
	if exec.Duration > 0 {
		fmt.Fprintf(tw, "duration\t%s\n", exec.Duration)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s, err := client.Signals.Get(ctx, conn.VehicleID, readBack, owner)
	if err != nil {
		return fmt.Errorf("reading %s back: %w", readBack, err)
	}
	value := "-"
	if s.Value != nil {
		value = s.Value.String()
	}
	fmt.Fprintf(stdout, "now: %s = %s (%s)\n", readBack, value, s.Status)
	return nil
}
