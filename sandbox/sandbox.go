// Package sandbox runs fleetkit's fake MyCarTracks and Smartcar over real HTTP, on an
// address of your choosing, so that any client can develop against them without
// provider accounts: a fleetkit program, curl, the providers' official SDKs, a program
// in another language.
//
//	sb, err := sandbox.Start(ctx, sandbox.Options{Addr: "127.0.0.1:8080"})
//	if err != nil {
//		return err
//	}
//	defer sb.Close()
//	sb.WriteExports(os.Stdout) // export MYCARTRACKS_CLIENT_ID='…' …
//
// The MyCarTracks fake (REST API, token endpoint and live-position WebSocket) listens on
// Addr, the Smartcar fake (token endpoint, Vehicle API, Management API) on the next port
// of the same host. Env returns the environment that points mycartracks.FromEnv and
// smartcar.FromEnv at them (and Smartcar's official SDKs, which read
// SMARTCAR_API_V3_ORIGIN); a program run with it talks to the sandbox. The fakes keep
// real time: MyCarTracks vehicles move on the live stream, and two Smartcar vehicles
// (the Model 3 and the Bolt) drive, their location changing every 30 seconds.
//
// With Options.WebhookURL the sandbox also plays Smartcar's webhook delivery: it sends
// a VERIFY challenge to that URL, then every WebhookInterval a VEHICLE_STATE event of
// each simulated vehicle, signed with the management token it exports as
// SMARTCAR_MANAGEMENT_TOKEN, so that a webhook receiver (smartcar.WebhookHandler, or
// any other) can be developed against it.
//
// The fakes' simulated fleets, behaviours and controls are those of packages
// mycartracks/mycartrackstest and smartcar/smartcartest; the MyCarTracks and Smartcar
// fields give them to a program that wants to steer the sandbox (inject a fault, put a
// vehicle to sleep).
package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// DefaultAddr is where the sandbox listens by default: a free loopback port.
const DefaultAddr = "127.0.0.1:0"

// DefaultWebhookInterval is the time between two rounds of webhooks by default: the
// pace at which the sandbox's driving vehicles move.
const DefaultWebhookInterval = 30 * time.Second

// EnvManagementToken is the variable Env sets to the token that signs the sandbox's
// webhooks (Smartcar's Application Management Token), when it sends any.
const EnvManagementToken = "SMARTCAR_MANAGEMENT_TOKEN"

// Options configures a sandbox.
type Options struct {
	// Addr is the host and port of the MyCarTracks fake (default DefaultAddr); the
	// Smartcar fake listens on the next port of the same host, or on a free port when
	// the port is 0. An address other than loopback makes the fakes reachable from
	// other machines: they hold no real data, but anyone may use them.
	Addr string
	// WebhookURL, when set, is where the sandbox sends signed Smartcar webhooks, as
	// Smartcar does to a registered callback URI: a VERIFY challenge (one attempt, sent
	// again each round until the receiver answers it with the right hash), then, once
	// verified, every WebhookInterval a VEHICLE_STATE event (payload version 4.0) of
	// each simulated vehicle with its current signals. Each is signed with
	// ManagementToken (hex HMAC-SHA256 of the body in SC-Signature); an event is retried
	// on Smartcar's schedule (25, 50, 100 s) until acknowledged with a 2xx. It must be
	// an absolute http or https URL.
	WebhookURL string
	// WebhookInterval is the time between two rounds of webhooks (default
	// DefaultWebhookInterval).
	WebhookInterval time.Duration
	// ManagementToken signs the webhooks (default: a random token). Env exports it as
	// SMARTCAR_MANAGEMENT_TOKEN when WebhookURL is set, so that the receiver checks the
	// signatures with it.
	ManagementToken string
	// OnWebhook, when set, is called after each webhook sent (VERIFY included) with its
	// outcome, from the sending goroutine; the next waits for it to return.
	OnWebhook func(Webhook)
}

// Webhook is the outcome of one webhook the sandbox sent.
type Webhook struct {
	// Type is the event type: "VERIFY" or "VEHICLE_STATE".
	Type string
	// EventID is the event's id (stable across the retries of one delivery).
	EventID string
	// VehicleID is the vehicle of a VEHICLE_STATE event.
	VehicleID string
	// Acknowledged is true when the receiver answered 2xx (for VERIFY: with the right
	// challenge hash).
	Acknowledged bool
	// Attempts is the number of HTTP requests the delivery took; Status the HTTP status
	// of the last (0 when it got no answer).
	Attempts, Status int
	// Err says why a webhook was not acknowledged.
	Err error
}

// Sandbox is a running pair of fakes. Close it when done.
type Sandbox struct {
	// MyCarTracks is the MyCarTracks fake: URL, BaseURL (the REST API root), TokenURL,
	// ClientID, ClientSecret, and its controls.
	MyCarTracks *mycartrackstest.Server
	// Smartcar is the Smartcar fake: URL, VehicleAPIURL, ManagementAPIURL, TokenURL,
	// ClientID, ClientSecret, and its controls.
	Smartcar *smartcartest.Server
	// WebhookURL and ManagementToken are those of the webhooks the sandbox sends (both
	// empty when it sends none).
	WebhookURL, ManagementToken string

	stop      context.CancelFunc // ends the webhook sender
	sent      chan struct{}      // closed when the webhook sender has ended
	transport *http.Transport    // the webhook sender's connections
	closeOnce sync.Once
}

// Start starts both fakes; ctx bounds the start only, the sandbox runs until Close. An
// address that cannot be listened on is an error naming it.
func Start(ctx context.Context, opts Options) (*Sandbox, error) {
	if opts.WebhookURL != "" {
		u, err := url.Parse(opts.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("sandbox: %w: webhook URL %q: an absolute http or https URL is needed", telematics.ErrInvalidInput, opts.WebhookURL)
		}
	}
	if opts.WebhookInterval < 0 {
		return nil, fmt.Errorf("sandbox: %w: webhook interval %v: must not be negative", telematics.ErrInvalidInput, opts.WebhookInterval)
	}
	addr := opts.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w: address %q: %v", telematics.ErrInvalidInput, addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65534 {
		return nil, fmt.Errorf("sandbox: %w: address %q: the port must be a number from 0 to 65534", telematics.ErrInvalidInput, addr)
	}
	var lc net.ListenConfig
	mctL, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: MyCarTracks: %w", err)
	}
	scPort := 0
	if p != 0 {
		scPort = p + 1
	}
	scL, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(scPort)))
	if err != nil {
		mctL.Close()
		return nil, fmt.Errorf("sandbox: Smartcar: %w", err)
	}
	sb := &Sandbox{
		MyCarTracks: mycartrackstest.NewServer(mycartrackstest.WithListener(mctL)),
		Smartcar:    smartcartest.NewServer(smartcartest.WithListener(scL)),
	}
	for _, id := range []string{smartcartest.VehicleModel3, smartcartest.VehicleBolt} {
		sb.Smartcar.Drive(id, 40, 30*time.Second)
	}
	if opts.WebhookURL != "" {
		sb.startWebhooks(opts)
	}
	return sb, nil
}

// startWebhooks starts the goroutine that sends the webhooks; Close ends it.
func (sb *Sandbox) startWebhooks(opts Options) {
	sb.WebhookURL, sb.ManagementToken = opts.WebhookURL, opts.ManagementToken
	if sb.ManagementToken == "" {
		var b [24]byte
		_, _ = rand.Read(b[:])
		sb.ManagementToken = hex.EncodeToString(b[:])
	}
	every := opts.WebhookInterval
	if every == 0 {
		every = DefaultWebhookInterval
	}
	report := opts.OnWebhook
	if report == nil {
		report = func(Webhook) {}
	}
	sb.transport = &http.Transport{}
	hc := &http.Client{Transport: sb.transport}
	ctx, stop := context.WithCancel(context.Background())
	sb.stop, sb.sent = stop, make(chan struct{})
	go func() {
		defer close(sb.sent)
		timer := time.NewTimer(0)
		defer timer.Stop()
		verified := false
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			// A sender per round, so that its record of deliveries does not grow.
			sender := smartcartest.NewSender(sb.WebhookURL, sb.ManagementToken, smartcartest.WithSenderHTTPClient(hc))
			if !verified {
				// One attempt, as Smartcar's VERIFY; the next round tries again.
				once := smartcartest.NewSender(sb.WebhookURL, sb.ManagementToken, smartcartest.WithSenderHTTPClient(hc), smartcartest.WithRetrySchedule())
				ok, err := once.Verify(ctx)
				if ctx.Err() != nil {
					return
				}
				verified = ok
				w := outcome(once)
				w.Acknowledged = ok
				if err == nil && !ok {
					err = fmt.Errorf("the VERIFY challenge was answered with the wrong hash")
				}
				w.Err = err
				report(w)
			}
			for _, id := range sb.Smartcar.VehicleIDs() {
				if !verified {
					break
				}
				ev, ok := sb.Smartcar.VehicleStateEvent("", id, time.Time{})
				if !ok {
					continue
				}
				sender.Deliver(ctx, ev, smartcartest.Signed)
				if ctx.Err() != nil {
					return
				}
				report(outcome(sender))
			}
			timer.Reset(every)
		}
	}()
}

// outcome describes the last delivery of sender.
func outcome(sender *smartcartest.Sender) Webhook {
	r := sender.Report()
	if len(r.Deliveries) == 0 {
		return Webhook{}
	}
	d := r.Deliveries[len(r.Deliveries)-1]
	w := Webhook{Type: d.Type, EventID: d.EventID, VehicleID: d.VehicleID, Acknowledged: d.Acknowledged, Attempts: len(d.Attempts)}
	if n := len(d.Attempts); n > 0 {
		last := d.Attempts[n-1]
		w.Status = last.Status
		if !d.Acknowledged {
			w.Err = last.Err
			if w.Err == nil {
				w.Err = fmt.Errorf("answered %d", last.Status)
			}
		}
	}
	return w
}

// Close stops both fakes and the webhooks, and closes their connections. It may be
// called more than once.
func (sb *Sandbox) Close() {
	sb.closeOnce.Do(func() {
		if sb.stop != nil {
			sb.stop()
			<-sb.sent
			sb.transport.CloseIdleConnections()
		}
	})
	sb.MyCarTracks.Close()
	sb.Smartcar.Close()
}

// Env returns the environment that points fleetkit's clients at the sandbox, as
// NAME=value entries (for exec.Cmd.Env): the variables mycartracks.FromEnv reads
// (MYCARTRACKS_CLIENT_ID, MYCARTRACKS_CLIENT_SECRET, MYCARTRACKS_BASE_URL,
// MYCARTRACKS_TOKEN_URL) and smartcar.FromEnv reads (SMARTCAR_CLIENT_ID,
// SMARTCAR_CLIENT_SECRET, SMARTCAR_VEHICLE_API_URL, SMARTCAR_MANAGEMENT_API_URL,
// SMARTCAR_TOKEN_URL), then the origins Smartcar's official SDKs read
// (SMARTCAR_API_V3_ORIGIN, which they append /v3 to, and SMARTCAR_API_ORIGIN,
// SMARTCAR_AUTH_ORIGIN and SMARTCAR_MANAGEMENT_API_ORIGIN, pointed at the sandbox so
// that nothing leaves it), and SMARTCAR_MANAGEMENT_TOKEN when the sandbox sends
// webhooks. The values hold the fakes' credentials and the sandbox's own token, which
// guard nothing real.
func (sb *Sandbox) Env() []string {
	m, s := sb.MyCarTracks, sb.Smartcar
	pairs := [][2]string{
		{mycartracks.EnvClientID, m.ClientID},
		{mycartracks.EnvClientSecret, m.ClientSecret},
		{mycartracks.EnvBaseURL, m.BaseURL},
		{mycartracks.EnvTokenURL, m.TokenURL},
		{smartcar.EnvClientID, s.ClientID},
		{smartcar.EnvClientSecret, s.ClientSecret},
		{smartcar.EnvVehicleAPIURL, s.VehicleAPIURL},
		{smartcar.EnvManagementAPIURL, s.ManagementAPIURL},
		{smartcar.EnvTokenURL, s.TokenURL},
		{"SMARTCAR_API_V3_ORIGIN", strings.TrimSuffix(s.VehicleAPIURL, "/v3")},
		{"SMARTCAR_API_ORIGIN", s.URL},
		{"SMARTCAR_AUTH_ORIGIN", s.URL},
		{"SMARTCAR_MANAGEMENT_API_ORIGIN", s.URL},
	}
	if sb.ManagementToken != "" {
		pairs = append(pairs, [2]string{EnvManagementToken, sb.ManagementToken})
	}
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0] + "=" + p[1]
	}
	return out
}

// WriteExports writes Env as "export NAME='value'" lines that a POSIX shell can eval,
// after comment lines naming the simulated users and vehicles that Smartcar calls need.
func (sb *Sandbox) WriteExports(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# fleetkit sandbox: MyCarTracks at %s, Smartcar at %s\n", sb.MyCarTracks.URL, sb.Smartcar.URL)
	fmt.Fprintf(&b, "# Smartcar users and vehicles (signal and command calls need the owner's sc-user-id):\n")
	for _, u := range []struct {
		name, id string
		vehicles []string
	}{
		{"Alice", smartcartest.UserAlice, []string{smartcartest.VehicleModel3 + " (Tesla Model 3, driving)", smartcartest.VehicleID4 + " (VW ID.4)"}},
		{"Bob", smartcartest.UserBob, []string{smartcartest.VehicleCamry + " (Toyota Camry)", smartcartest.VehicleF150 + " (Ford F-150)"}},
		{"Carol", smartcartest.UserCarol, []string{smartcartest.VehicleBolt + " (Chevrolet Bolt EV, driving)"}},
	} {
		fmt.Fprintf(&b, "#   %s %s: %s\n", u.name, u.id, strings.Join(u.vehicles, ", "))
	}
	if sb.WebhookURL != "" {
		fmt.Fprintf(&b, "# Signed Smartcar webhooks go to %s (VERIFY, then VEHICLE_STATE of each vehicle), signed with %s\n", sb.WebhookURL, EnvManagementToken)
	}
	for _, kv := range sb.Env() {
		name, value, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "export %s=%s\n", name, shellQuote(value))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shellQuote quotes s for a POSIX shell: in single quotes, each single quote written as
// '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
