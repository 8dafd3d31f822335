// Command sandbox runs fleetkit's fake MyCarTracks (REST API and live WebSocket) and
// Smartcar (Vehicle and Management APIs) over real HTTP until Ctrl-C, for any client:
// a fleetkit program, curl, the providers' official SDKs, another language. It prints
// the base URLs, token URLs and credentials as export lines a shell can eval, with the
// names mycartracks.FromEnv and smartcar.FromEnv read.
//
//	go run ./examples/sandbox -addr 127.0.0.1:8080 -env-file sandbox.env
//	# in another shell:
//	. ./sandbox.env && go run ./examples/smartcar-signals
//
// MyCarTracks listens on -addr, Smartcar on the next port (both free ports with the
// default 127.0.0.1:0). With -webhook URL it also sends signed Smartcar webhooks there
// (VERIFY, then VEHICLE_STATE events of the driving vehicles every -webhook-interval),
// signed with the exported SMARTCAR_MANAGEMENT_TOKEN, which examples/smartcar-webhook
// reads. See package sandbox.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli"
	"github.com/fleetkit/fleetkit-go/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	cli.Exit("sandbox", err)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.FlagSet("sandbox", "runs the fake MyCarTracks and Smartcar over real HTTP and prints their URLs and credentials as shell exports",
		"go run ./examples/sandbox [-addr 127.0.0.1:0] [-webhook URL [-webhook-interval 30s]] [-env-file FILE] [-duration 0]", stderr)
	addr := fs.String("addr", sandbox.DefaultAddr, "MyCarTracks listens here, Smartcar on the next port (port 0: free ports)")
	webhook := fs.String("webhook", "", "send signed Smartcar webhooks to this URL (VERIFY, then VEHICLE_STATE of the driving vehicles), signed with the exported SMARTCAR_MANAGEMENT_TOKEN")
	webhookInterval := fs.Duration("webhook-interval", sandbox.DefaultWebhookInterval, "time between two rounds of VEHICLE_STATE webhooks")
	envFile := fs.String("env-file", "", "also write the export lines to this file")
	duration := fs.Duration("duration", 0, "how long to run (0: until Ctrl-C)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	sb, err := sandbox.Start(ctx, sandbox.Options{Addr: *addr, WebhookURL: *webhook, WebhookInterval: *webhookInterval})
	if err != nil {
		return err
	}
	defer func() {
		sb.Close()
		if sb.Webhooks != nil {
			rep := sb.Webhooks.Report()
			fmt.Fprintf(stderr, "Webhooks: %d deliveries, %d acknowledged, %d given up.\n", len(rep.Deliveries), rep.Acknowledged(), rep.GaveUp())
		}
	}()
	var exports bytes.Buffer
	if err := sb.WriteExports(&exports); err != nil {
		return err
	}
	if *envFile != "" {
		if err := os.WriteFile(*envFile, exports.Bytes(), 0o600); err != nil {
			return err
		}
	}
	if _, err := stdout.Write(exports.Bytes()); err != nil {
		return err
	}
	if *envFile != "" {
		fmt.Fprintf(stderr, "Sandbox running. In another shell: . %s   then run any fleetkit program. Ctrl-C stops it.\n", *envFile)
	} else {
		fmt.Fprintln(stderr, "Sandbox running. Copy the export lines above into another shell, then run any fleetkit program. Ctrl-C stops it.")
	}
	if *webhook != "" {
		fmt.Fprintf(stderr, "Sending signed Smartcar webhooks to %s: VERIFY, then VEHICLE_STATE of the driving vehicles every %v (SC-Signature keyed with SMARTCAR_MANAGEMENT_TOKEN).\n", *webhook, *webhookInterval)
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	<-ctx.Done()
	return nil
}
