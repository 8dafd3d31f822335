package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/fleetkit/fleetkit-go/sandbox"
)

func (a *app) sandboxCommand() *cobra.Command {
	var (
		addr, webhook   string
		webhookInterval time.Duration
	)
	cmd := &cobra.Command{
		Use:   "sandbox [--addr 127.0.0.1:0] [--webhook URL]",
		Short: "Run the simulated MyCarTracks and Smartcar servers for any client",
		Long: `sandbox runs the simulated MyCarTracks (REST API and live WebSocket) and Smartcar servers over
real HTTP until Ctrl-C, for any client: fleetkit, curl, the providers' official SDKs, a
program in another language. It prints the environment that points clients at them as
export lines a shell can eval:

  eval "$(fleetkit sandbox &)"   # or copy the lines into another terminal

With --webhook URL it also plays Smartcar's webhook sender: a VERIFY event, then every
--webhook-interval a VEHICLE_STATE event of each driving vehicle, signed with the exported
SMARTCAR_MANAGEMENT_TOKEN.`,
		Example: "  fleetkit sandbox --addr 127.0.0.1:8700\n  fleetkit sandbox --webhook http://127.0.0.1:8080/smartcar/webhook",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			sb, err := sandbox.Start(ctx, sandbox.Options{Addr: addr, WebhookURL: webhook, WebhookInterval: webhookInterval})
			if err != nil {
				return &usageError{err}
			}
			defer sb.Close()
			if err := sb.WriteExports(a.stdout); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "fleetkit sandbox: MyCarTracks at %s, Smartcar at %s; Ctrl-C stops them\n", sb.MyCarTracks.URL, sb.Smartcar.URL)
			if webhook != "" {
				fmt.Fprintf(a.stderr, "fleetkit sandbox: sending signed Smartcar webhooks to %s every %v (SC-Signature keyed with SMARTCAR_MANAGEMENT_TOKEN)\n", webhook, webhookInterval)
			}
			<-ctx.Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", sandbox.DefaultAddr, "the address of the MyCarTracks server; Smartcar listens on the next port")
	cmd.Flags().StringVar(&webhook, "webhook", "", "send signed Smartcar webhooks to this URL (VERIFY, then VEHICLE_STATE of the driving vehicles)")
	cmd.Flags().DurationVar(&webhookInterval, "webhook-interval", sandbox.DefaultWebhookInterval, "the time between two rounds of VEHICLE_STATE webhooks")
	return cmd
}
