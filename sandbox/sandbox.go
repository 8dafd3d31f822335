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
// With Options.WebhookURL the sandbox also plays Smartcar's webhook sender: it sends a
// VERIFY event, then VEHICLE_STATE events of the driving vehicles every
// WebhookInterval, signed with the sandbox's ManagementToken (exported as
// SMARTCAR_MANAGEMENT_TOKEN), so that a smartcar.WebhookHandler — or any receiver —
// can be developed against it.
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

// Options configures a sandbox.
type Options struct {
	// Addr is the host and port of the MyCarTracks fake (default DefaultAddr); the
	// Smartcar fake listens on the next port of the same host, or on a free port when
	// the port is 0. An address other than loopback makes the fakes reachable from
	// other machines: they hold no real data, but anyone may use them.
	Addr string
	// WebhookURL, when set, is where the sandbox sends signed Smartcar webhooks, as
	// Smartcar does to a webhook's callback URL: a VERIFY event first, then every
	// WebhookInterval a VEHICLE_STATE event of each driving vehicle (the Model 3 and the
	// Bolt, with their current location), each signed with ManagementToken in
	// SC-Signature and retried on Smartcar's schedule (25, 50, 100 s) until answered
	// 2xx. It must be an absolute http or https URL.
	WebhookURL string
	// WebhookInterval is the time between two rounds of VEHICLE_STATE events (default
	// DefaultWebhookInterval).
	WebhookInterval time.Duration
	// ManagementToken is the Application Management Token the webhooks are signed with
	// (default a random one); Env exports it as SMARTCAR_MANAGEMENT_TOKEN for the
	// receiver, smartcar.NewWebhookHandler(os.Getenv(smartcar.EnvManagementToken)).
	ManagementToken string
}

// DefaultWebhookInterval is the time between two rounds of webhooks by default: the
// driving vehicles' location changes every 30 s.
const DefaultWebhookInterval = 30 * time.Second

// Sandbox is a running pair of fakes. Close it when done.
type Sandbox struct {
	// MyCarTracks is the MyCarTracks fake: URL, BaseURL (the REST API root), TokenURL,
	// ClientID, ClientSecret, and its controls.
	MyCarTracks *mycartrackstest.Server
	// Smartcar is the Smartcar fake: URL, VehicleAPIURL, ManagementAPIURL, TokenURL,
	// ClientID, ClientSecret, and its controls.
	Smartcar *smartcartest.Server
	// ManagementToken is the Application Management Token of the Smartcar fake: the
	// webhooks it sends are signed with it.
	ManagementToken string
	// Webhooks is the signed webhook sender when Options.WebhookURL is set (nil
	// otherwise); its Report lists every delivery and whether it was acknowledged.
	Webhooks *smartcartest.Sender

	stop      context.CancelFunc
	done      chan struct{}
	transport *http.Transport
	closeOnce sync.Once
}

// Start starts both fakes; ctx bounds the start only, the sandbox runs until Close. An
// address that cannot be listened on is an error naming it.
func Start(ctx context.Context, opts Options) (*Sandbox, error) {
	if err := checkWebhookOptions(&opts); err != nil {
		return nil, err
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
		MyCarTracks:     mycartrackstest.NewServer(mycartrackstest.WithListener(mctL)),
		Smartcar:        smartcartest.NewServer(smartcartest.WithListener(scL)),
		ManagementToken: opts.ManagementToken,
	}
	for _, id := range drivingVehicles {
		sb.Smartcar.Drive(id, 40, 30*time.Second)
	}
	if opts.WebhookURL != "" {
		sb.startWebhooks(opts.WebhookURL, opts.WebhookInterval)
	}
	return sb, nil
}

// drivingVehicles are the Smartcar vehicles that drive, and whose webhooks are sent.
var drivingVehicles = []string{smartcartest.VehicleModel3, smartcartest.VehicleBolt}

// checkWebhookOptions validates the webhook options and fills in their defaults.
func checkWebhookOptions(opts *Options) error {
	if opts.WebhookInterval < 0 {
		return fmt.Errorf("sandbox: %w: WebhookInterval %v: must not be negative", telematics.ErrInvalidInput, opts.WebhookInterval)
	}
	if opts.WebhookInterval == 0 {
		opts.WebhookInterval = DefaultWebhookInterval
	}
	if opts.ManagementToken == "" {
		var raw [24]byte
		_, _ = rand.Read(raw[:])
		opts.ManagementToken = "sandbox-" + hex.EncodeToString(raw[:])
	} else if strings.TrimSpace(opts.ManagementToken) == "" {
		return fmt.Errorf("sandbox: %w: ManagementToken is blank", telematics.ErrInvalidInput)
	}
	if opts.WebhookURL == "" {
		return nil
	}
	u, err := url.Parse(opts.WebhookURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("sandbox: %w: WebhookURL %q: must be an absolute http or https URL", telematics.ErrInvalidInput, opts.WebhookURL)
	}
	return nil
}

// startWebhooks starts the goroutine that sends VERIFY, then a VEHICLE_STATE event of
// each driving vehicle every interval, each delivery (with its retries) in a goroutine
// of its own so that a receiver that is down does not delay the next round.
func (sb *Sandbox) startWebhooks(webhookURL string, interval time.Duration) {
	sb.transport = &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: len(drivingVehicles) + 1, IdleConnTimeout: 2 * interval}
	sb.Webhooks = smartcartest.NewSender(webhookURL, sb.ManagementToken, smartcartest.WithSenderHTTPClient(&http.Client{Transport: sb.transport}))
	ctx, cancel := context.WithCancel(context.Background())
	sb.stop, sb.done = cancel, make(chan struct{})
	go func() {
		defer close(sb.done)
		var wg sync.WaitGroup
		defer wg.Wait()
		_, _ = sb.Webhooks.Verify(ctx) // recorded in the report, like every delivery
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for ctx.Err() == nil {
			for _, id := range drivingVehicles {
				ev, ok := sb.Smartcar.VehicleStateEvent("", id, time.Time{})
				if !ok {
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					sb.Webhooks.Deliver(ctx, ev, smartcartest.Signed)
				}()
			}
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
}

// Close stops the webhooks and both fakes and closes their connections. It may be called
// more than once.
func (sb *Sandbox) Close() {
	sb.closeOnce.Do(func() {
		if sb.stop != nil {
			sb.stop()
			<-sb.done
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
// that nothing leaves it), and SMARTCAR_MANAGEMENT_TOKEN (smartcar.EnvManagementToken),
// the Application Management Token the sandbox's webhooks are signed with, for a
// receiver (examples/smartcar-webhook reads it). The values hold the fakes'
// credentials, which are not secrets.
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
		{smartcar.EnvManagementToken, sb.ManagementToken},
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
