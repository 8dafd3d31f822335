package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fleetkit/fleetkit-go/telematics"
)

func (a *app) sandboxCommand() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the simulated MyCarTracks and Smartcar servers for any client",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// TODO(w11b): sandbox.Start.
			return fmt.Errorf("the sandbox server is not built yet: %w", telematics.ErrNotSupported)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "the address to listen on (loopback)")
	return cmd
}
