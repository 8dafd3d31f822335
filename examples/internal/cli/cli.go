// Package cli gives the example programs one command-line behaviour: -h (or -help)
// prints a one-line description and the usage on stderr and exits 0; a flag the program
// does not know prints the same and exits 2; any other error is printed as
// "name: error" on stderr and exits 1.
//
//	func main() { cli.Exit("smartcar-signals", run(ctx, os.Args[1:], os.Stdout, os.Stderr)) }
//
//	func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
//		fs := cli.FlagSet("smartcar-signals", "prints a vehicle's Smartcar signals as a table",
//			"go run ./examples/smartcar-signals [-vehicle ID] [-user ID]", stderr)
//		vehicleID := fs.String("vehicle", "", "…")
//		if err := cli.Parse(fs, args); err != nil {
//			return err
//		}
//		…
//	}
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// FlagSet returns a flag set for the program name whose usage, written to stderr, is
// "name: summary", then the usage line, then the flags with their defaults.
func FlagSet(name, summary, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "%s: %s\n\nUsage:\n  %s\n", name, summary, usage)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(out, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// UsageError is a command line the program cannot parse: an unknown flag, a bad value.
// The flag set has printed why and the usage.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Parse parses args with fs: after -h it returns flag.ErrHelp, for a command line it
// cannot parse a *UsageError (the flag set printed the usage in both cases), and an
// error for arguments left after the flags, which the examples take none of.
func Parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return flag.ErrHelp
	case err != nil:
		return &UsageError{Err: err}
	case fs.NArg() > 0:
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return &UsageError{Err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// Code is the exit status for the error a program's run returned: 0 for none and for
// flag.ErrHelp (-h), 2 for a *UsageError, 1 otherwise.
func Code(err error) int {
	var usage *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		return 2
	}
	return 1
}

// Exit ends the program with Code(err), printing "name: err" on stderr first for an
// error that is neither -h nor a usage error (those printed the usage already).
func Exit(name string, err error) {
	code := Code(err)
	if code == 1 {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	}
	os.Exit(code)
}
