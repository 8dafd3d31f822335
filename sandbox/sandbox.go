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
// The fakes' simulated fleets, behaviours and controls are those of packages
// mycartracks/mycartrackstest and smartcar/smartcartest; the MyCarTracks and Smartcar
// fields give them to a program that wants to steer the sandbox (inject a fault, put a
// vehicle to sleep).
package sandbox

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
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
	// WebhookURL, when set, is where signed Smartcar webhooks are to be sent. The signed
	// sender is not part of this version yet: Start refuses a WebhookURL with an error
	// matching telematics.ErrNotSupported.
	WebhookURL string
}

// Sandbox is a running pair of fakes. Close it when done.
type Sandbox struct {
	// MyCarTracks is the MyCarTracks fake: URL, BaseURL (the REST API root), TokenURL,
	// ClientID, ClientSecret, and its controls.
	MyCarTracks *mycartrackstest.Server
	// Smartcar is the Smartcar fake: URL, VehicleAPIURL, ManagementAPIURL, TokenURL,
	// ClientID, ClientSecret, and its controls.
	Smartcar *smartcartest.Server
}

// Start starts both fakes; ctx bounds the start only, the sandbox runs until Close. An
// address that cannot be listened on is an error naming it.
func Start(ctx context.Context, opts Options) (*Sandbox, error) {
	if opts.WebhookURL != "" {
		return nil, fmt.Errorf("sandbox: %w: sending signed Smartcar webhooks is not available in this version", telematics.ErrNotSupported)
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
	return sb, nil
}

// Close stops both fakes and closes their connections. It may be called more than once.
func (sb *Sandbox) Close() {
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
// that nothing leaves it). The values hold the fakes' credentials, which are not
// secrets.
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
