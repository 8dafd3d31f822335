package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/sandbox"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, opts sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

// env returns the sandbox's environment as a map.
func env(sb *sandbox.Sandbox) map[string]string {
	m := map[string]string{}
	for _, kv := range sb.Env() {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// plain is an HTTP client that is not fleetkit's: requests built from the references.
type plain struct {
	t  *testing.T
	hc *http.Client
}

func newPlain(t *testing.T) *plain {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &plain{t: t, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

func (p *plain) do(req *http.Request, out any) int {
	p.t.Helper()
	res, err := p.hc.Do(req)
	require.NoError(p.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(p.t, err)
	if out != nil && res.StatusCode < 300 {
		require.NoError(p.t, json.Unmarshal(b, out), string(b))
	}
	return res.StatusCode
}

func (p *plain) get(u, token string, header map[string]string, out any) int {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(p.t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return p.do(req, out)
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// TestPlainHTTPClients talks to both fakes of a running sandbox with net/http and a
// WebSocket client, as the MyCarTracks wire contract and the Smartcar v3 reference
// describe the APIs, using only what Env exports.
func TestPlainHTTPClients(t *testing.T) {
	sb := start(t, sandbox.Options{})
	e := env(sb)
	p := newPlain(t)

	// MyCarTracks: client credentials with HTTP Basic and a form body; then the REST
	// API with the bearer token.
	req, err := http.NewRequest(http.MethodPost, e["MYCARTRACKS_TOKEN_URL"], strings.NewReader("grant_type=client_credentials&scope=read"))
	require.NoError(t, err)
	req.SetBasicAuth(e["MYCARTRACKS_CLIENT_ID"], e["MYCARTRACKS_CLIENT_SECRET"])
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var mtok tokenAnswer
	require.Equal(t, 200, p.do(req, &mtok))
	assert.Equal(t, "bearer", strings.ToLower(mtok.TokenType))
	var vehicles struct {
		Data []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"data"`
	}
	require.Equal(t, 200, p.get(e["MYCARTRACKS_BASE_URL"]+"/vehicles", mtok.AccessToken, nil, &vehicles))
	require.NotEmpty(t, vehicles.Data)
	var last struct {
		Data []struct {
			VehicleID int64   `json:"vehicleId"`
			Latitude  float64 `json:"latitude"`
		} `json:"data"`
	}
	require.Equal(t, 200, p.get(e["MYCARTRACKS_BASE_URL"]+"/vehicles/lastPositions", mtok.AccessToken, nil, &last))
	require.NotEmpty(t, last.Data)
	assert.NotZero(t, last.Data[0].Latitude)

	// The live stream: create it, dial its URL (no bearer header), read a position.
	body := `{"vehicleIds":[` + strconv.FormatInt(vehicles.Data[0].ID, 10) + `]}`
	req, err = http.NewRequest(http.MethodPost, e["MYCARTRACKS_BASE_URL"]+"/vehicles/livePositions/stream", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+mtok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	var created struct {
		WebsocketURL string `json:"websocketUrl"`
	}
	require.Equal(t, 200, p.do(req, &created))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, created.WebsocketURL, &websocket.DialOptions{HTTPClient: p.hc})
	require.NoError(t, err)
	defer conn.CloseNow()
	for {
		_, frame, err := conn.Read(ctx)
		require.NoError(t, err, "a position frame within ten seconds")
		var f struct {
			Type      string `json:"type"`
			VehicleID int64  `json:"vehicleId"`
		}
		require.NoError(t, json.Unmarshal(frame, &f))
		if f.Type == "position" {
			assert.Equal(t, vehicles.Data[0].ID, f.VehicleID)
			break
		}
	}
	conn.Close(websocket.StatusNormalClosure, "done")

	// Smartcar: client credentials in a form body; connections, a vehicle, its signals
	// with the owner's sc-user-id.
	resp, err := p.hc.PostForm(e["SMARTCAR_TOKEN_URL"], url.Values{"grant_type": {"client_credentials"},
		"client_id": {e["SMARTCAR_CLIENT_ID"]}, "client_secret": {e["SMARTCAR_CLIENT_SECRET"]}})
	require.NoError(t, err)
	var stok tokenAnswer
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&stok))
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 3600, stok.ExpiresIn)
	var conns struct {
		Data []struct {
			Relationships struct {
				Vehicle struct{ Data struct{ ID string } }
				User    struct{ Data struct{ ID string } }
			}
		}
	}
	require.Equal(t, 200, p.get(e["SMARTCAR_VEHICLE_API_URL"]+"/connections", stok.AccessToken, nil, &conns))
	require.Len(t, conns.Data, 5)
	var vehicle struct {
		Data struct {
			ID         string
			Attributes struct{ Make, Model string }
		}
	}
	require.Equal(t, 200, p.get(e["SMARTCAR_VEHICLE_API_URL"]+"/vehicles/"+smartcartest.VehicleModel3, stok.AccessToken, nil, &vehicle))
	assert.Equal(t, "TESLA", vehicle.Data.Attributes.Make)
	user := map[string]string{"sc-user-id": smartcartest.UserAlice}
	var signals struct {
		Data []struct{ ID string }
	}
	require.Equal(t, 200, p.get(e["SMARTCAR_VEHICLE_API_URL"]+"/vehicles/"+smartcartest.VehicleModel3+"/signals", stok.AccessToken, user, &signals))
	assert.Greater(t, len(signals.Data), 10)
	var loc struct {
		Data struct {
			Attributes struct {
				Body struct{ Latitude, Longitude float64 }
			}
			Meta struct {
				OEMUpdatedAt int64 `json:"oemUpdatedAt"`
			}
		}
	}
	require.Equal(t, 200, p.get(e["SMARTCAR_VEHICLE_API_URL"]+"/vehicles/"+smartcartest.VehicleModel3+"/signals/location-preciselocation", stok.AccessToken, user, &loc))
	assert.InDelta(t, 37.7749, loc.Data.Attributes.Body.Latitude, 0.05, "the Model 3 drives around San Francisco")
	assert.InDelta(t, time.Now().UnixMilli(), loc.Data.Meta.OEMUpdatedAt, float64(time.Minute.Milliseconds()), "a live location, in real time")
	var webhooks struct{ Data []any }
	require.Equal(t, 200, p.get(e["SMARTCAR_MANAGEMENT_API_URL"]+"/webhooks", stok.AccessToken, nil, &webhooks))
	assert.Len(t, webhooks.Data, 3)
}

// TestFleetkitClientsFromEnv: a fleetkit program run with Env talks to the sandbox.
func TestFleetkitClientsFromEnv(t *testing.T) {
	sb := start(t, sandbox.Options{})
	for k, v := range env(sb) {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	mc, err := mycartracks.FromEnv()
	require.NoError(t, err)
	defer mc.Close()
	assert.Equal(t, sb.MyCarTracks.BaseURL, mc.BaseURL())
	page, err := mc.Vehicles.List(ctx, nil)
	require.NoError(t, err)
	assert.NotEmpty(t, page.Items)

	sc, err := smartcar.FromEnv()
	require.NoError(t, err)
	defer sc.Close()
	assert.Equal(t, sb.Smartcar.VehicleAPIURL, sc.VehicleAPIURL())
	sig, err := sc.Signals.Get(ctx, smartcartest.VehicleBolt, smartcar.SignalLocationPreciseLocation, smartcar.WithUserID(smartcartest.UserCarol))
	require.NoError(t, err)
	pos, ok := sig.Position()
	require.True(t, ok)
	assert.InDelta(t, 44.9778, pos.Latitude, 0.05)
}

// TestExportsEvalInAShell: the export lines set the same environment in a POSIX shell.
func TestExportsEvalInAShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	require.NoError(t, err, "a POSIX shell")
	sb := start(t, sandbox.Options{})
	var buf bytes.Buffer
	require.NoError(t, sb.WriteExports(&buf))
	assert.Contains(t, buf.String(), "# fleetkit sandbox: MyCarTracks at "+sb.MyCarTracks.URL)
	assert.Contains(t, buf.String(), smartcartest.UserAlice)
	file := filepath.Join(t.TempDir(), "sandbox.env")
	require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o600))
	cmd := exec.Command(sh, "-c", `eval "$(cat "$1")" && env`, "sh", file)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.Output()
	require.NoError(t, err)
	got := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			got[k] = v
		}
	}
	want := env(sb)
	for _, name := range []string{mycartracks.EnvClientID, mycartracks.EnvClientSecret, mycartracks.EnvBaseURL, mycartracks.EnvTokenURL,
		smartcar.EnvClientID, smartcar.EnvClientSecret, smartcar.EnvVehicleAPIURL, smartcar.EnvManagementAPIURL, smartcar.EnvTokenURL} {
		assert.NotEmpty(t, want[name], name)
		assert.Equal(t, want[name], got[name], name)
	}
	for k, v := range want {
		assert.Equal(t, v, got[k], k)
	}
}

func TestStartOnAnAddress(t *testing.T) {
	// A free port p with p+1 free too, found by listening.
	var port int
	for i := 0; i < 20 && port == 0; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		p := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		l.Close()
		if err == nil {
			l2.Close()
			port = p
		}
	}
	require.NotZero(t, port)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	sb := start(t, sandbox.Options{Addr: addr})
	assert.Equal(t, "http://"+addr, sb.MyCarTracks.URL)
	assert.Equal(t, "http://127.0.0.1:"+strconv.Itoa(port+1), sb.Smartcar.URL)

	// The address is taken now.
	_, err := sandbox.Start(context.Background(), sandbox.Options{Addr: addr})
	assert.Error(t, err)
	for _, bad := range []string{"nonsense", "127.0.0.1:http", "127.0.0.1:65535", "127.0.0.1:-1"} {
		_, err = sandbox.Start(context.Background(), sandbox.Options{Addr: bad})
		assert.ErrorIs(t, err, telematics.ErrInvalidInput, bad)
	}
	for _, bad := range []sandbox.Options{{WebhookURL: "127.0.0.1:1/hook"}, {WebhookURL: "ftp://127.0.0.1/hook"}, {WebhookURL: "http:///hook"},
		{WebhookURL: "http://127.0.0.1:1/hook", WebhookInterval: -time.Second}, {ManagementToken: "  "}} {
		_, err = sandbox.Start(context.Background(), bad)
		assert.ErrorIs(t, err, telematics.ErrInvalidInput, "%+v", bad)
	}

	sb.Close()
	sb.Close()
	_, err = http.Get(sb.MyCarTracks.URL)
	assert.Error(t, err, "closed")
}

// sdkScript reads a vehicle and its signals with Smartcar's official Node SDK, pointed
// at the sandbox by the environment Env exports. The SDK has no client-credentials
// grant, so the script fetches the application token itself.
const sdkScript = `
const smartcar = require('smartcar');
const env = process.env;
(async () => {
  const res = await fetch(env.SMARTCAR_TOKEN_URL, {method: 'POST',
    headers: {'Content-Type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({grant_type: 'client_credentials', client_id: env.SMARTCAR_CLIENT_ID, client_secret: env.SMARTCAR_CLIENT_SECRET})});
  const tok = await res.json();
  const v = await smartcar.getVehicle(tok.access_token, env.VEHICLE_ID);
  const vehicle = new smartcar.Vehicle(env.VEHICLE_ID, tok.access_token);
  const user = {'sc-user-id': env.USER_ID};
  const sigs = await vehicle.request('get', 'signals', null, user, '3');
  const loc = await vehicle.request('get', 'signals/location-preciselocation', null, user, '3');
  console.log(JSON.stringify({make: v.body.data.attributes.make, model: v.body.data.attributes.model,
    codes: sigs.body.data.map((s) => s.id), latitude: loc.body.data.attributes.body.latitude}));
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
`

// TestOfficialSmartcarNodeSDK reads a vehicle and its signals from the running sandbox
// with Smartcar's official Node SDK (npm smartcar 10.4.0).
func TestOfficialSmartcarNodeSDK(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	node, modules := testkit.NodeWithSmartcarSDK(ctx, t)
	sb := start(t, sandbox.Options{})
	dir := t.TempDir()
	script := filepath.Join(dir, "read.js")
	require.NoError(t, os.WriteFile(script, []byte(sdkScript), 0o600))
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = dir
	cmd.Env = append(append([]string{"PATH=" + os.Getenv("PATH"), "NODE_PATH=" + modules}, sb.Env()...),
		"VEHICLE_ID="+smartcartest.VehicleBolt, "USER_ID="+smartcartest.UserCarol)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "node: %s", stderr.String())
	var got struct {
		Make, Model string
		Codes       []string
		Latitude    float64
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), stdout.String())
	assert.Equal(t, "CHEVROLET", got.Make)
	assert.Equal(t, "Bolt EV", got.Model)
	assert.Contains(t, got.Codes, "tractionbattery-stateofcharge")
	assert.Contains(t, got.Codes, "location-preciselocation")
	assert.InDelta(t, 44.9778, got.Latitude, 0.05)
	var sdkRequests int
	for _, r := range sb.Smartcar.Requests() {
		if strings.HasPrefix(r.UserAgent, "Smartcar/10.4.0 ") {
			sdkRequests++
		}
	}
	assert.Equal(t, 3, sdkRequests, "the SDK's requests reached the sandbox")
}

// TestSignedWebhooks receives the sandbox's webhooks with fleetkit's WebhookHandler
// configured with the management token the sandbox exports: VERIFY is answered, then
// VEHICLE_STATE events of both driving vehicles arrive verified, with their location.
func TestSignedWebhooks(t *testing.T) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sb := start(t, sandbox.Options{WebhookURL: "http://" + l.Addr().String() + "/hooks/smartcar", WebhookInterval: 20 * time.Millisecond})
	require.NotNil(t, sb.Webhooks)
	token := env(sb)[smartcar.EnvManagementToken]
	require.NotEmpty(t, token)
	assert.Equal(t, sb.ManagementToken, token)
	var exports bytes.Buffer
	require.NoError(t, sb.WriteExports(&exports))
	assert.Contains(t, exports.String(), "export SMARTCAR_MANAGEMENT_TOKEN='"+token+"'")

	// The receiver subscribes before it serves: the sandbox's first deliveries wait in
	// the listener's backlog meanwhile.
	h, err := smartcar.NewWebhookHandler(token, smartcar.WithSignedVerifyOnly())
	require.NoError(t, err)
	defer h.Close()
	sub, err := h.Subscribe(context.Background(), smartcar.WebhookEvents())
	require.NoError(t, err)
	defer sub.Close()
	mux := http.NewServeMux()
	mux.Handle("/hooks/smartcar", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	defer func() {
		require.NoError(t, srv.Close())
		assert.ErrorIs(t, <-served, http.ErrServerClosed)
	}()

	seen := map[string]int{}
	timeout := time.After(30 * time.Second)
	for seen[smartcartest.VehicleModel3] < 2 || seen[smartcartest.VehicleBolt] < 2 {
		select {
		case ev := <-sub.Webhooks():
			st, ok := ev.(*smartcar.VehicleStateEvent)
			require.True(t, ok, "%T", ev)
			assert.Equal(t, smartcar.WebhookModeLive, st.Mode)
			loc, ok := st.Signal(smartcar.SignalLocationPreciseLocation)
			require.True(t, ok)
			require.True(t, loc.OK())
			require.Len(t, st.Positions(), 1)
			seen[st.VehicleID]++
		case <-timeout:
			require.FailNow(t, "the sandbox's webhooks did not arrive", "%v", seen)
		}
	}
	sb.Close() // stops the sender; what it delivered is final
	stats := h.Stats()
	assert.EqualValues(t, 1, stats.Challenges, "VERIFY answered once")
	assert.Zero(t, stats.Unauthorized, "every delivery was signed with the exported token")
	assert.Zero(t, stats.Malformed)
	rep := sb.Webhooks.Report()
	require.NotEmpty(t, rep.Deliveries)
	assert.Equal(t, "VERIFY", rep.Deliveries[0].Type, "VERIFY first")
	assert.True(t, rep.Deliveries[0].Acknowledged)
	for _, d := range rep.Deliveries[1:] {
		assert.Equal(t, "VEHICLE_STATE", d.Type)
		assert.Contains(t, []string{smartcartest.VehicleModel3, smartcartest.VehicleBolt}, d.VehicleID)
		for _, a := range d.Attempts {
			if a.Err == nil { // an attempt cut short by Close has no answer
				assert.Equal(t, http.StatusOK, a.Status)
			}
		}
	}
}

// TestWebhooksCloseWhileRetrying: a receiver that is down gets the VERIFY retried on
// Smartcar's schedule; Close ends the wait at once, and no goroutine is left (TestMain).
func TestWebhooksCloseWhileRetrying(t *testing.T) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	down := "http://" + l.Addr().String() + "/hook"
	require.NoError(t, l.Close())
	sb := start(t, sandbox.Options{WebhookURL: down, ManagementToken: "sandbox-token"})
	assert.Equal(t, "sandbox-token", env(sb)[smartcar.EnvManagementToken])
	require.Eventually(t, func() bool {
		rep := sb.Webhooks.Report()
		return len(rep.Deliveries) == 1 && len(rep.Deliveries[0].Attempts) == 1
	}, 10*time.Second, time.Millisecond)
	closed := make(chan struct{})
	go func() {
		sb.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the 25 s retry")
	}
	rep := sb.Webhooks.Report()
	require.Equal(t, 1, len(rep.Deliveries), "nothing is sent after Close")
	d := rep.Deliveries[0]
	assert.Equal(t, "VERIFY", d.Type)
	assert.False(t, d.Acknowledged)
	assert.True(t, d.GaveUp)
	require.Error(t, d.Attempts[0].Err)
	testkit.AssertNoSecrets(t, map[string]string{"error": d.Attempts[0].Err.Error()}, "sandbox-token")
}
