package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// The values of --provider.
const (
	providerAll         = "all"
	providerMyCarTracks = "mycartracks"
	providerSmartcar    = "smartcar"
)

// app is one run of the command: its standard streams, whether each is a terminal, its
// clock, and the global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// stdinTTY, stdoutTTY and stderrTTY say which streams are terminals: a table and a
	// confirmation prompt need one, a progress bar is drawn only on one.
	stdinTTY, stdoutTTY, stderrTTY bool
	now                            func() time.Time
	getenv                         func(string) string

	// The global flags.
	provider     string
	output       string
	sandbox      bool
	smartcarUser string

	// started is set once a command's own code runs: an error before it came from
	// parsing the command line.
	started bool
}

// newApp returns the command on these streams, each checked for a terminal.
func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{
		stdin: stdin, stdout: stdout, stderr: stderr,
		stdinTTY: isTerminal(stdin), stdoutTTY: isTerminal(stdout), stderrTTY: isTerminal(stderr),
		now: time.Now, getenv: os.Getenv,
	}
}

// isTerminal reports whether f is a file open on a terminal (a character device).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// run runs the command line args and returns the exit status; an error is printed on
// stderr in one line.
func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(protectNegativeLatLon(args))
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if !a.started {
		var ue *usageError
		if !errors.As(err, &ue) {
			err = &usageError{err}
		}
	}
	path := "fleetkit"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	code, msg := classify(err, path)
	fmt.Fprintln(a.stderr, msg)
	return code
}

// negativeLatLon is a LAT,LON argument with a negative latitude (south of the equator):
// the flag parser would read it as flags.
var negativeLatLon = regexp.MustCompile(`^-[0-9]+(\.[0-9]+)?,-?[0-9]+(\.[0-9]+)?$`)

// protectNegativeLatLon lets "command destination -33.86,151.21" through the flag parser:
// no flag is spelt like a LAT,LON pair, so such an argument gets a leading space, which
// parseLatLon trims.
func protectNegativeLatLon(args []string) []string {
	out := slices.Clone(args)
	for i, arg := range out {
		if negativeLatLon.MatchString(arg) {
			out[i] = " " + arg
		}
	}
	return out
}

// rootCommand builds the command tree.
func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "fleetkit",
		Short: "Read and act on MyCarTracks and Smartcar fleets from a terminal, a script or an AI agent",
		Long: `fleetkit reads vehicle fleets through one API for every provider: vehicles, last known
positions, tracks and their exports, signals, live positions, commands, and the request budget.

Credentials come from the environment: MYCARTRACKS_CLIENT_ID and MYCARTRACKS_CLIENT_SECRET,
SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET (see the README for the optional ones). With
--sandbox every command runs against simulated fleets started in-process, without an account.

Exit status: 0 success, 1 provider or other failure, 2 usage, 3 authentication, 4 rate limit,
5 not found.`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.provider, "provider", providerAll, "the provider: mycartracks, smartcar, or all of those with credentials")
	pf.StringVar(&a.output, "output", "", "the output format: table (default on a terminal), json (one document) or ndjson (one object per line)")
	pf.BoolVar(&a.sandbox, "sandbox", false, "run against the built-in simulated fleets instead of the real APIs")
	pf.StringVar(&a.smartcarUser, "smartcar-user", "", "the Smartcar user whose vehicles to use (default: every connected vehicle)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if !slices.Contains([]string{providerAll, providerMyCarTracks, providerSmartcar}, a.provider) {
			return usagef("--provider %q: want mycartracks, smartcar or all", a.provider)
		}
		if a.output != "" && !slices.Contains([]string{formatTable, formatJSON, formatNDJSON}, a.output) {
			return usagef("--output %q: want table, json or ndjson", a.output)
		}
		a.started = true
		return nil
	}
	root.AddCommand(
		a.vehiclesCommand(),
		a.positionsCommand(),
		a.tracksCommand(),
		a.exportCommand(),
		a.signalsCommand(),
		a.liveCommand(),
		a.commandCommand(),
		a.rateCommand(),
		a.sandboxCommand(),
		a.driftCommand(),
		a.mcpCommand(),
	)
	return root
}

// format returns the output format: --output, or a table (for live: ndjson when stdout
// is not a terminal).
func (a *app) format(streaming bool) string {
	switch {
	case a.output != "":
		return a.output
	case streaming && !a.stdoutTTY:
		return formatNDJSON
	}
	return formatTable
}

// noArgs accepts no positional argument, as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

// parseTime reads a time flag: RFC 3339, a date (YYYY-MM-DD, midnight UTC), or a duration
// before now ("24h"). Empty is the zero time (no bound).
func (a *app) parseTime(flag, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return a.now().Add(-d).UTC(), nil
	}
	return time.Time{}, usagef("--%s %q: want an RFC 3339 time (2026-03-01T08:00:00Z), a date (2026-03-01) or a duration before now (24h)", flag, s)
}

// timeRange reads --from and --to.
func (a *app) timeRange(from, to string) (time.Time, time.Time, error) {
	f, err := a.parseTime("from", from)
	if err != nil {
		return f, f, err
	}
	t, err := a.parseTime("to", to)
	if err != nil {
		return f, t, err
	}
	if !f.IsZero() && !t.IsZero() && !f.Before(t) {
		return f, t, usagef("--from %s is not before --to %s", f.Format(time.RFC3339), t.Format(time.RFC3339))
	}
	return f, t, nil
}

// requireVehicle checks that --vehicle was given.
func requireVehicle(id string) error {
	if strings.TrimSpace(id) == "" {
		return usagef("--vehicle is required ('fleetkit vehicles' lists the ids)")
	}
	return nil
}
