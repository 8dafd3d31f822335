package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fleetkit/fleetkit-go/sandbox"
)

func (a *app) sandboxCommand() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "sandbox [--addr 127.0.0.1:0]",
		Short: "Run the simulated MyCarTracks and Smartcar servers for any client",
		Long: `sandbox runs the simulated MyCarTracks (REST API and live WebSocket) and Smartcar servers over
real HTTP until Ctrl-C, for any client: fleetkit, curl, the providers' official SDKs, a
program in another language. It prints the environment that points clients at them as
export lines a shell can eval:

  eval "$(fleetkit sandbox &)"   # or copy the lines into another terminal`,
		Example: "  fleetkit sandbox --addr 127.0.0.1:8700",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			sb, err := sandbox.Start(ctx, sandbox.Options{Addr: addr})
			if err != nil {
				return &usageError{err}
			}
			defer sb.Close()
			if err := sb.WriteExports(a.stdout); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "fleetkit sandbox: MyCarTracks at %s, Smartcar at %s; Ctrl-C stops them\n", sb.MyCarTracks.URL, sb.Smartcar.URL)
			<-ctx.Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", sandbox.DefaultAddr, "the address of the MyCarTracks server; Smartcar listens on the next port")
	return cmd
}
