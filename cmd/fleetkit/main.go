// Command fleetkit reads and acts on vehicle fleets of every provider fleetkit supports
// (MyCarTracks, Smartcar) from a terminal, a script or an AI agent.
//
//	go install github.com/fleetkit/fleetkit-go/cmd/fleetkit@latest
//	fleetkit --sandbox vehicles                  # the built-in simulated fleets, no account needed
//	fleetkit positions --provider mycartracks    # MYCARTRACKS_CLIENT_ID and _SECRET set
//	fleetkit export --vehicle 1001 --format gpx -o may.gpx
//	fleetkit mcp                                 # a Model Context Protocol server over stdio
//
// Every command works over the provider-neutral API of package telematics; --provider
// selects mycartracks, smartcar or all of those whose credentials are set. Credentials
// come from the providers' environment variables (mycartracks.FromEnv, smartcar.FromEnv);
// with --sandbox the commands run against simulated fleets started in-process instead.
//
// Output is an aligned table on a terminal, --output json (one document) or ndjson (one
// object per line) for scripts. Errors are one line on stderr saying what to do, and the
// exit status names their class: 2 usage, 3 authentication, 4 rate limit, 5 not found,
// 1 any other failure.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := newApp(os.Stdin, os.Stdout, os.Stderr).run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
