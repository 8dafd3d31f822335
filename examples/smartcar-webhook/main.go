// Command smartcar-webhook receives Smartcar webhooks: it verifies each delivery's
// SC-Signature, answers VERIFY, and logs every event in one line.
//
// Usage:
//
//	go run ./examples/smartcar-webhook [-addr 127.0.0.1:8080] [-path /smartcar/webhook] [-once]
//
// With SMARTCAR_MANAGEMENT_TOKEN set (the Application Management Token) it serves the
// real webhook at -addr. Without it, it generates a token and starts the fake Smartcar
// sender of package smartcartest against itself: VERIFY, a VEHICLE_STATE for each
// simulated vehicle, a VEHICLE_ERROR and a redelivered duplicate. -once exits (0) once
// the sender's deliveries are all acknowledged.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// EnvManagementToken names the variable holding the Application Management Token.
const EnvManagementToken = smartcar.EnvManagementToken

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "smartcar-webhook:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("smartcar-webhook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "smartcar-webhook: receive Smartcar webhooks, verify their signatures and log each event (without "+EnvManagementToken+" it plays the fake sender against itself).")
		fmt.Fprintln(stderr, "usage: smartcar-webhook [-addr host:port] [-path /smartcar/webhook] [-once]")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (simulated: 127.0.0.1:0 when left at the default)")
	path := fs.String("path", "/smartcar/webhook", "the callback path")
	once := fs.Bool("once", false, "exit after the fake sender's deliveries are all acknowledged (simulated mode)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	token := os.Getenv(EnvManagementToken)
	simulated := token == ""
	if simulated {
		var b [24]byte
		_, _ = rand.Read(b[:])
		token = hex.EncodeToString(b[:])
		if !isSet(fs, "addr") {
			*addr = "127.0.0.1:0"
		}
	}
	h, err := smartcar.NewWebhookHandler(token)
	if err != nil {
		return err
	}
	defer h.Close()
	h.HandleFunc(func(_ context.Context, ev smartcar.WebhookEvent) error {
		fmt.Fprintln(stdout, describe(ev))
		return nil
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(*path, h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		_ = srv.Shutdown(context.Background())
		<-served
	}()
	url := "http://" + ln.Addr().String() + *path
	if !simulated {
		fmt.Fprintf(stdout, "listening on %s (signatures checked with %s)\n", url, EnvManagementToken)
		select {
		case <-ctx.Done():
			return nil
		case err := <-served:
			return err
		}
	}
	fmt.Fprintf(stdout, "no %s: simulated — the fake Smartcar sender delivers to %s with a generated token\n", EnvManagementToken, url)
	if err := simulate(ctx, url, token, stdout); err != nil {
		return err
	}
	s := h.Stats()
	fmt.Fprintf(stdout, "done: %d events delivered, %d duplicate acknowledged, %d challenge answered\n", s.Delivered, s.Duplicates, s.Challenges)
	if *once {
		return nil
	}
	<-ctx.Done()
	return nil
}

// simulate plays Smartcar's side: VERIFY, then one VEHICLE_STATE per simulated vehicle,
// a VEHICLE_ERROR and the redelivery of an event already acknowledged.
func simulate(ctx context.Context, url, token string, stdout io.Writer) error {
	fleet := smartcartest.NewServer()
	defer fleet.Close()
	sender := smartcartest.NewSender(url, token)
	ok, err := sender.Verify(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("the VERIFY challenge was answered with the wrong hash")
	}
	fmt.Fprintln(stdout, "VERIFY answered with the right hash")
	var events []smartcartest.Event
	for _, id := range fleet.VehicleIDs() {
		ev, _ := fleet.VehicleStateEvent("", id, time.Time{})
		events = append(events, ev)
	}
	ev, _ := fleet.VehicleErrorEvent("", smartcartest.VehicleCamry, "VEHICLE_STATE", "ASLEEP", "ERROR")
	events = append(events, ev, events[0]) // the last one is a redelivery
	for _, ev := range events {
		if d := sender.Deliver(ctx, ev, smartcartest.Signed); !d.Acknowledged {
			return fmt.Errorf("event %s was not acknowledged", ev.EventID)
		}
	}
	return nil
}

// describe formats an event in one line.
func describe(ev smartcar.WebhookEvent) string {
	var b strings.Builder
	b.WriteString(ev.Envelope().String())
	switch ev := ev.(type) {
	case *smartcar.VehicleStateEvent:
		fmt.Fprintf(&b, " — %s %s %d, %d signals", ev.Vehicle.Make, ev.Vehicle.Model, ev.Vehicle.Year, len(ev.Signals))
		if s, ok := ev.Signal(smartcar.SignalTractionBatteryStateOfCharge); ok && s.OK() {
			fmt.Fprintf(&b, ", charge %s", s.Value)
		}
		if s, ok := ev.Signal(smartcar.SignalInternalCombustionEngineFuelLevel); ok && s.OK() {
			fmt.Fprintf(&b, ", fuel %s", s.Value)
		}
		for _, p := range ev.Positions() {
			fmt.Fprintf(&b, ", at %.5f,%.5f", p.Latitude, p.Longitude)
		}
	case *smartcar.VehicleErrorEvent:
		for _, e := range ev.Errors {
			fmt.Fprintf(&b, " — %s %s:%s %s", e.State, e.Type, e.Code, e.Message())
		}
	}
	return b.String()
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
