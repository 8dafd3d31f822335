package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// withBackend runs f with the providers the global flags select, closing them after.
func (a *app) withBackend(cmd *cobra.Command, f func(context.Context, *backend) error) error {
	b, err := a.open(cmd.Context())
	if err != nil {
		return err
	}
	defer b.Close()
	return f(cmd.Context(), b)
}

func (a *app) vehiclesCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "vehicles",
		Short:   "List the vehicles of the fleet",
		Example: "  fleetkit vehicles\n  fleetkit vehicles --provider smartcar --output json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withBackend(cmd, func(ctx context.Context, b *backend) error {
				p := newPrinter(a.stdout, a.format(false), vehicleColumns)
				for v, err := range b.fleet.Vehicles(ctx) {
					if err != nil {
						return fmt.Errorf("listing vehicles: %w", err)
					}
					if err := p.add(newVehicleRecord(v)); err != nil {
						return err
					}
				}
				return p.flush()
			})
		},
	}
}

func (a *app) positionsCommand() *cobra.Command {
	var (
		vehicles  []string
		olderThan time.Duration
	)
	cmd := &cobra.Command{
		Use:   "positions",
		Short: "Show the last known position of each vehicle, with its age",
		Example: `  fleetkit positions
  fleetkit positions --vehicle 1001 --vehicle 1002
  fleetkit positions --older-than 1h     # the vehicles that stopped updating`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if olderThan < 0 {
				return usagef("--older-than %s: want a positive duration", olderThan)
			}
			return a.withBackend(cmd, func(ctx context.Context, b *backend) error {
				now := a.now()
				p := newPrinter(a.stdout, a.format(false), positionColumns)
				for pos, err := range b.fleet.LastPositions(ctx, vehicles...) {
					if err != nil {
						return fmt.Errorf("reading last positions: %w", err)
					}
					if olderThan > 0 && now.Sub(pos.Time) < olderThan {
						continue
					}
					if err := p.add(newPositionRecord(pos, now)); err != nil {
						return err
					}
				}
				return p.flush()
			})
		},
	}
	cmd.Flags().StringSliceVar(&vehicles, "vehicle", nil, "only these vehicle ids (repeat or separate with commas)")
	cmd.Flags().DurationVar(&olderThan, "older-than", 0, "only positions older than this (1h, 30m): the vehicles that stopped updating")
	return cmd
}

func (a *app) tracksCommand() *cobra.Command {
	var vehicle, from, to string
	cmd := &cobra.Command{
		Use:     "tracks",
		Short:   "List the tracks (trips) of a vehicle in a time range",
		Example: "  fleetkit tracks --vehicle 1001 --from 2026-02-01 --to 2026-03-01\n  fleetkit tracks --vehicle 1001 --from 72h",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireVehicle(vehicle); err != nil {
				return err
			}
			start, end, err := a.timeRange(from, to)
			if err != nil {
				return err
			}
			return a.withBackend(cmd, func(ctx context.Context, b *backend) error {
				p := newPrinter(a.stdout, a.format(false), trackColumns)
				for t, err := range b.fleet.Tracks(ctx, vehicle, start, end) {
					if err != nil {
						return fmt.Errorf("listing the tracks of vehicle %s: %w", vehicle, err)
					}
					if err := p.add(newTrackRecord(t)); err != nil {
						return err
					}
				}
				return p.flush()
			})
		},
	}
	timeFlags(cmd, &vehicle, &from, &to)
	return cmd
}

// timeFlags adds --vehicle, --from and --to.
func timeFlags(cmd *cobra.Command, vehicle, from, to *string) {
	cmd.Flags().StringVar(vehicle, "vehicle", "", "the vehicle id (required)")
	cmd.Flags().StringVar(from, "from", "", "the start of the range: RFC 3339, a date, or a duration before now (24h); default no bound")
	cmd.Flags().StringVar(to, "to", "", "the end of the range, excluded; default no bound")
}

func (a *app) signalsCommand() *cobra.Command {
	var (
		vehicle string
		codes   []string
	)
	cmd := &cobra.Command{
		Use:     "signals",
		Short:   "Read the signals of a vehicle (state of charge, odometer, locks...)",
		Example: "  fleetkit signals --provider smartcar --vehicle VEHICLE_ID\n  fleetkit signals --vehicle VEHICLE_ID --signal tractionbattery-stateofcharge",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireVehicle(vehicle); err != nil {
				return err
			}
			return a.withBackend(cmd, func(ctx context.Context, b *backend) error {
				signals, err := b.fleet.Signals(ctx, vehicle, codes...)
				if err != nil {
					return fmt.Errorf("reading the signals of vehicle %s: %w", vehicle, err)
				}
				p := newPrinter(a.stdout, a.format(false), signalColumns)
				for _, s := range signals {
					if err := p.add(newSignalRecord(s)); err != nil {
						return err
					}
				}
				return p.flush()
			})
		},
	}
	cmd.Flags().StringVar(&vehicle, "vehicle", "", "the vehicle id (required)")
	cmd.Flags().StringSliceVar(&codes, "signal", nil, "only these signal codes (repeat or separate with commas); default all")
	return cmd
}

func (a *app) liveCommand() *cobra.Command {
	var (
		vehicles []string
		duration time.Duration
		count    int
	)
	cmd := &cobra.Command{
		Use:   "live",
		Short: "Follow live positions until Ctrl-C, --duration or --count",
		Long: `live prints live events (positions, vehicles going offline, stream errors) as they arrive,
one per line: a table row on a terminal, an NDJSON object otherwise.`,
		Example: "  fleetkit live --provider mycartracks\n  fleetkit live --duration 10m > positions.ndjson",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if duration < 0 || count < 0 {
				return usagef("--duration and --count must not be negative")
			}
			return a.withBackend(cmd, func(ctx context.Context, b *backend) error {
				if duration > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, duration)
					defer cancel()
				}
				sub, err := b.fleet.Live(ctx, vehicles, telematics.EventsOnly())
				if err != nil {
					return fmt.Errorf("subscribing to live positions: %w", err)
				}
				defer sub.Close()
				p := newStreamingPrinter(a.stdout, a.format(true), eventColumns)
				err = a.follow(ctx, cmd.CommandPath(), sub, p, count)
				// --output json prints its one document at the end, also after a failure.
				if ferr := p.flush(); err == nil {
					err = ferr
				}
				return err
			})
		},
	}
	cmd.Flags().StringSliceVar(&vehicles, "vehicle", nil, "only these vehicle ids; default all")
	cmd.Flags().DurationVar(&duration, "duration", 0, "stop after this long (10m); default until Ctrl-C")
	cmd.Flags().IntVar(&count, "count", 0, "stop after this many events; default no limit")
	return cmd
}

// follow prints the events of sub until count of them (0: no limit), the end of ctx
// (Ctrl-C or --duration: a normal end) or of the subscription. path is the command path
// that prefixes notices on stderr.
func (a *app) follow(ctx context.Context, path string, sub *telematics.Subscription, p *printer[eventRecord], count int) error {
	states, lastNotice := sub.States(), ""
	for n := 0; count == 0 || n < count; {
		select {
		case st, ok := <-states:
			if !ok {
				states = nil
				continue
			}
			// A connection that keeps failing would otherwise wait in
			// silence: say why on stderr, once per distinct reason.
			if notice := liveNotice(st); notice != "" && notice != lastNotice {
				lastNotice = notice
				fmt.Fprintf(a.stderr, "%s: %s\n", path, notice)
			}
		case e, ok := <-sub.Events():
			if !ok {
				if err := sub.Err(); err != nil && ctx.Err() == nil {
					return fmt.Errorf("live positions: %w", err)
				}
				return nil
			}
			if err := p.add(newEventRecord(e)); err != nil {
				return err
			}
			n++
		case <-ctx.Done():
			return nil // Ctrl-C or --duration: a normal end
		}
	}
	return nil
}

// liveNotice describes a live connection that is not connected, with the reason its last
// attempt failed ("" when it is connected or nothing failed). The reason comes from the
// SDK's errors, which never hold a secret.
func liveNotice(st telematics.StreamState) string {
	if st.LastError == nil || st.Conn == telematics.StateConnected || st.Conn == telematics.StateClosed {
		return ""
	}
	return fmt.Sprintf("%s: %s: retrying until Ctrl-C or --duration", st.Conn, oneLine(st.LastError.Error()))
}

// commandKinds are the commands the command command sends, in help order.
var commandKinds = []telematics.CommandKind{
	telematics.CommandLock, telematics.CommandUnlock, telematics.CommandStartCharge,
	telematics.CommandStopCharge, telematics.CommandSetChargeLimit, telematics.CommandSetDestination,
}

func (a *app) commandCommand() *cobra.Command {
	var (
		vehicle string
		yes     bool
	)
	cmd := &cobra.Command{
		Use:   "command lock|unlock|start-charge|stop-charge|charge-limit PERCENT|destination LAT,LON",
		Short: "Send a command to a vehicle (acts on a real vehicle: asks for confirmation)",
		Long: `command sends a command to a real vehicle. On a terminal it asks for confirmation; elsewhere it
refuses unless --yes is given.`,
		Example: `  fleetkit command lock --vehicle VEHICLE_ID
  fleetkit command charge-limit 80 --vehicle VEHICLE_ID --yes
  fleetkit command destination 48.8584,2.2945 --vehicle VEHICLE_ID`,
		ValidArgs: []string{"lock", "unlock", "start-charge", "stop-charge", "charge-limit", "destination"},
		Args:      cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := parseCommand(args)
			if err != nil {
				return err
			}
			if err := requireVehicle(vehicle); err != nil {
				return err
			}
			if !yes {
				if err := a.confirm(fmt.Sprintf("Send %s to vehicle %s? This acts on the real vehicle.", describeCommand(c), vehicle)); err != nil {
					return err
				}
			}
			return a.withBackend(cmd, func(ctx context.Context, b *backend) error {
				res, err := b.fleet.SendCommand(ctx, vehicle, c)
				if err != nil {
					return fmt.Errorf("sending %s to vehicle %s: %w", c.Kind, vehicle, err)
				}
				p := newPrinter(a.stdout, a.format(false), commandColumns)
				if err := p.add(commandRecord{VehicleID: vehicle, Command: string(c.Kind), Status: res.Status, Pending: res.Pending, RequestID: res.RequestID}); err != nil {
					return err
				}
				return p.flush()
			})
		},
	}
	cmd.Flags().StringVar(&vehicle, "vehicle", "", "the vehicle id (required)")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "send without asking for confirmation")
	return cmd
}

// parseCommand reads the command and its argument.
func parseCommand(args []string) (telematics.Command, error) {
	if len(args) == 0 {
		return telematics.Command{}, usagef("which command? want one of %s", kindList())
	}
	c := telematics.Command{Kind: telematics.CommandKind(args[0])}
	if !slices.Contains(commandKinds, c.Kind) {
		return c, usagef("unknown command %q: want one of %s", args[0], kindList())
	}
	needs := c.Kind == telematics.CommandSetChargeLimit || c.Kind == telematics.CommandSetDestination
	switch {
	case needs && len(args) != 2:
		return c, usagef("%s takes one argument (%s)", c.Kind, map[bool]string{true: "PERCENT", false: "LAT,LON"}[c.Kind == telematics.CommandSetChargeLimit])
	case !needs && len(args) != 1:
		return c, usagef("%s takes no argument", c.Kind)
	}
	switch c.Kind {
	case telematics.CommandSetChargeLimit:
		v, err := strconv.ParseFloat(strings.TrimSuffix(args[1], "%"), 64)
		if err != nil || v <= 0 || v > 100 {
			return c, usagef("charge-limit %q: want a percentage from 1 to 100", args[1])
		}
		c.ChargeLimit = telematics.Percent(v)
	case telematics.CommandSetDestination:
		lat, lon, err := parseLatLon(args[1])
		if err != nil {
			return c, err
		}
		c.Latitude, c.Longitude = lat, lon
	}
	return c, nil
}

// parseLatLon reads "LAT,LON" in WGS 84 degrees.
func parseLatLon(s string) (float64, float64, error) {
	s = strings.TrimSpace(s)
	bad := usagef("destination %q: want LAT,LON in degrees, such as 48.8584,2.2945", s)
	latText, lonText, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, bad
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(latText), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(lonText), 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, bad
	}
	return lat, lon, nil
}

func kindList() string {
	names := make([]string, len(commandKinds))
	for i, k := range commandKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// describeCommand names a command with its argument.
func describeCommand(c telematics.Command) string {
	switch c.Kind {
	case telematics.CommandSetChargeLimit:
		return fmt.Sprintf("charge-limit %s", c.ChargeLimit)
	case telematics.CommandSetDestination:
		return fmt.Sprintf("destination %g,%g", c.Latitude, c.Longitude)
	}
	return string(c.Kind)
}

// errNotConfirmed is a command that was not confirmed.
var errNotConfirmed = errors.New("not confirmed: nothing was sent")

// confirm asks question on the terminal and returns nil on yes. Without a terminal on
// stdin it refuses: a script must say --yes.
func (a *app) confirm(question string) error {
	if !a.stdinTTY {
		return usagef("refusing to act on a vehicle without confirmation: stdin is not a terminal; add --yes to confirm")
	}
	fmt.Fprintf(a.stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(a.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return errNotConfirmed
}

func (a *app) rateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rate",
		Short: "Show each provider's request budget as it last reported it",
		Long: `rate sends one light request to each provider (the first vehicle of the list) and shows the
budget its answer reported: requests remaining, the limit, and when the window resets. A
provider that sends no rate-limit headers (Smartcar documents none) shows "-".`,
		Example: "  fleetkit rate\n  fleetkit rate --provider mycartracks --output json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withBackend(cmd, func(ctx context.Context, b *backend) error {
				p := newPrinter(a.stdout, a.format(false), rateColumns)
				for _, prov := range b.providers {
					for _, err := range prov.fleet.Vehicles(ctx) {
						if err != nil {
							return fmt.Errorf("reading the %s budget: %w", prov.name, err)
						}
						break
					}
					if err := p.add(newRateRecord(prov.name, prov.rate())); err != nil {
						return err
					}
				}
				return p.flush()
			})
		},
	}
}
