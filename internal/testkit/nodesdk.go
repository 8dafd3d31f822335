package testkit

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// SmartcarNodeSDK is the official Smartcar Node SDK the tests run against the fakes.
const SmartcarNodeSDK = "smartcar@10.4.0"

// NodeWithSmartcarSDK returns the node program and a node_modules directory holding
// SmartcarNodeSDK (pass it as NODE_PATH). It needs node 18 or later (for fetch) and
// npm on PATH; it installs the SDK once into the user cache directory (or a temporary
// one) from the npm registry. The test is skipped when FLEETKIT_SKIP_NODE_SDK is set
// or node is missing or too old, with the reason.
func NodeWithSmartcarSDK(ctx context.Context, t *testing.T) (node, modules string) {
	t.Helper()
	if os.Getenv("FLEETKIT_SKIP_NODE_SDK") != "" {
		t.Skip("FLEETKIT_SKIP_NODE_SDK is set")
	}
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		t.Skip("the Smartcar Node SDK test needs node and npm on PATH: apt-get install -y nodejs npm")
	}
	if v, err := exec.CommandContext(ctx, node, "-p", "process.versions.node.split('.')[0]").Output(); err != nil {
		t.Fatalf("node -p: %v", err)
	} else if major, _ := strconv.Atoi(strings.TrimSpace(string(v))); major < 18 {
		t.Skipf("node %s is too old for the Smartcar Node SDK (it needs 18 or later for fetch): install a newer nodejs", strings.TrimSpace(string(v)))
	}
	return node, installNodeSDK(ctx, t, npm)
}

// installNodeSDK returns a node_modules directory holding the SDK: the one in the user
// cache when a previous run installed it there, otherwise a fresh npm install, moved
// into the cache when it is writable (atomically, so parallel runs do not collide).
func installNodeSDK(ctx context.Context, t *testing.T, npm string) string {
	t.Helper()
	version := strings.TrimPrefix(SmartcarNodeSDK, "smartcar@")
	installed := func(dir string) bool {
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", "smartcar", "package.json"))
		var pkg struct{ Version string }
		_, errLodash := os.Stat(filepath.Join(dir, "node_modules", "lodash", "package.json"))
		return err == nil && json.Unmarshal(b, &pkg) == nil && pkg.Version == version && errLodash == nil
	}
	var cacheDir string
	if base, err := os.UserCacheDir(); err == nil {
		cacheDir = filepath.Join(base, "fleetkit-go", "smartcar-node-sdk-"+version)
		if installed(cacheDir) {
			return filepath.Join(cacheDir, "node_modules")
		}
	}
	parent := t.TempDir()
	if cacheDir != "" && os.MkdirAll(filepath.Dir(cacheDir), 0o755) == nil {
		parent = filepath.Dir(cacheDir)
	}
	tmp, err := os.MkdirTemp(parent, "install-*")
	require.NoError(t, err)
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--no-save", "--loglevel=error", SmartcarNodeSDK)
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	if err != nil {
		_ = os.RemoveAll(tmp)
		t.Fatalf("npm install %s (needs the npm registry; FLEETKIT_SKIP_NODE_SDK=1 skips this test): %v\n%s", SmartcarNodeSDK, err, out)
	}
	require.True(t, installed(tmp), "npm installed %s incompletely", SmartcarNodeSDK)
	if cacheDir == "" || parent != filepath.Dir(cacheDir) {
		return filepath.Join(tmp, "node_modules")
	}
	if err := os.Rename(tmp, cacheDir); err != nil {
		_ = os.RemoveAll(tmp)
		if !installed(cacheDir) { // another run won the race, or the rename failed
			t.Fatalf("keeping the SDK in %s: %v", cacheDir, errors.Unwrap(err))
		}
	}
	return filepath.Join(cacheDir, "node_modules")
}
