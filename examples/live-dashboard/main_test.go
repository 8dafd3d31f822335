package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// TestMain runs the example itself when a test starts it as a process (clitest.Start).
func TestMain(m *testing.M) {
	clitest.Main(main)
	goleak.VerifyTestMain(m)
}

// browserTimeout bounds each wait on the browser; nothing in the test sleeps.
const browserTimeout = 30 * time.Second

// chromiumPath finds a Chromium or Chrome binary, or "".
func chromiumPath() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestDashboardInChromium serves the dashboard on a fake fleet whose clock the test
// holds, opens it in a real headless Chromium and checks that every vehicle gets a
// marker at the fake's position, that markers move when the fake moves the vehicles
// (LiveTick after advancing the clock), and that the badge goes through reconnecting
// back to connected when the fake drops the upstream connection.
func TestDashboardInChromium(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("no Chromium binary found: apt-get install -y chromium")
	}
	clock := clocktest.New(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	fake := mycartrackstest.NewServer(mycartrackstest.WithClock(clock), mycartrackstest.WithVehicles(5))
	defer fake.Close()
	client, err := mycartracks.NewClient(fake.ClientID, fake.ClientSecret,
		mycartracks.WithBaseURL(fake.BaseURL), mycartracks.WithTokenURL(fake.TokenURL), mycartracks.WithClock(clock))
	require.NoError(t, err)
	defer client.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srvCtx, stopServer := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(srvCtx, ln, client, io.Discard) }()
	defer func() {
		stopServer()
		require.NoError(t, <-served)
	}()

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 800),
	)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	defer func() {
		// Close the browser gracefully and wait for its process, so that no goroutine of
		// chromedp outlives the test.
		ctx, cancel := context.WithTimeout(browser, 10*time.Second)
		defer cancel()
		if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("closing chromium: %v", err)
		}
		cancelBrowser()
	}()
	// The first Run starts the browser: no timeout on its context.
	_, err = chromedp.Run(browser, chromedp.Evaluate[chromedp.Void](`1`))
	require.NoError(t, err, "starting %s", chromium)
	defer func() {
		if t.Failed() {
			screenshot(t, browser)
		}
	}()

	run := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(browser, browserTimeout)
		defer cancel()
		if _, err := chromedp.Run(ctx, a); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	markers := func() map[string][2]float64 {
		t.Helper()
		ctx, cancel := context.WithTimeout(browser, browserTimeout)
		defer cancel()
		m, err := chromedp.Run(ctx, chromedp.Evaluate[map[string][2]float64](
			`Object.fromEntries([...document.querySelectorAll("g.marker")].map(g => [g.dataset.vehicle, [+g.dataset.lat, +g.dataset.lon]]))`))
		require.NoError(t, err)
		return m
	}
	// want is the fake's position of every vehicle that reports, as the page shows it.
	want := func() map[string][2]float64 {
		out := map[string][2]float64{}
		for id, p := range fake.LivePositions() {
			out[strconv.FormatInt(id, 10)] = [2]float64{p.Latitude, p.Longitude}
		}
		return out
	}
	// atFakePositions waits until the page shows exactly the fake's positions.
	atFakePositions := func(what string) {
		t.Helper()
		w, err := json.Marshal(want())
		require.NoError(t, err)
		run(what, chromedp.Poll[chromedp.Void](`(() => {
			const want = `+string(w)+`;
			const got = {};
			for (const g of document.querySelectorAll("g.marker")) got[g.dataset.vehicle] = [+g.dataset.lat, +g.dataset.lon];
			const ids = Object.keys(want);
			return Object.keys(got).length === ids.length && ids.every(id => got[id] && got[id][0] === want[id][0] && got[id][1] === want[id][1]);
		})()`, chromedp.WithPollingTimeout(browserTimeout)))
	}
	badge := func(state string) {
		t.Helper()
		run("badge "+state, chromedp.Poll[chromedp.Void](`document.getElementById("badge").dataset.state === `+strconv.Quote(state),
			chromedp.WithPollingTimeout(browserTimeout)))
	}

	run("open the dashboard", chromedp.Navigate("http://"+ln.Addr().String()+"/"))
	badge("connected")
	require.NoError(t, waitConns(fake, 1))
	atFakePositions("a marker per vehicle at its last position")
	before := markers()
	require.Len(t, before, len(want()))

	// The fake moves every vehicle 5 s further on its clock.
	clock.Advance(5 * time.Second)
	fake.LiveTick()
	atFakePositions("markers at the moved positions")
	after := markers()
	for id, p := range after {
		require.NotEqual(t, before[id], p, "vehicle %s did not move", id)
	}

	// Record every state the badge shows from now on, then cut the upstream connection.
	// The client's backoff sleeps on the test clock, so the reconnection is quick: the
	// record shows the reconnecting state even when no poll could see it.
	run("watch the badge", chromedp.Evaluate[chromedp.Void](`(() => {
		window.badgeStates = [];
		new MutationObserver(() => window.badgeStates.push(document.getElementById("badge").dataset.state))
			.observe(document.getElementById("badge"), {attributes: true, attributeFilter: ["data-state"]});
	})()`))
	fake.DropLiveConnections()
	run("badge reconnecting then connected", chromedp.Poll[chromedp.Void](`(() => {
		const s = window.badgeStates, i = s.indexOf("reconnecting");
		return i >= 0 && s.indexOf("connected", i) > i && document.getElementById("badge").dataset.state === "connected";
	})()`, chromedp.WithPollingTimeout(browserTimeout)))
	require.NoError(t, waitConns(fake, 1))

	// Live again after the reconnection.
	clock.Advance(5 * time.Second)
	fake.LiveTick()
	atFakePositions("markers move after the reconnection")
}

func waitConns(fake *mycartrackstest.Server, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	return fake.WaitLiveConnections(ctx, n)
}

// screenshot saves what the browser shows under the test's temp dir (or under
// $DASHBOARD_SCREENSHOT_DIR, which outlives the test) and logs its path.
func screenshot(t *testing.T, browser context.Context) {
	dir := os.Getenv("DASHBOARD_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(browser, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	path := filepath.Join(dir, "live-dashboard.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the failure: %s", path)
}

func TestHelp(t *testing.T) {
	clitest.Help(t, "live-dashboard", func(args []string, _, stderr io.Writer) error {
		return run(context.Background(), args, stderr)
	})
}
