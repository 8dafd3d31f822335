package redisbudget_test

import (
	"errors"
	"go/version"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goList runs go list in the module's root with args and returns its output's lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = ".."
	out, err := cmd.Output()
	var stderr string
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		stderr = string(exit.Stderr)
	}
	require.NoError(t, err, "go list %s: %s", strings.Join(args, " "), stderr)
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestNoLibraryPackageImportsRedis: go-redis is this package's alone. No library
// package (telematics, internal, the providers and their fakes) depends on it, and its
// go directive does not raise the module's.
func TestNoLibraryPackageImportsRedis(t *testing.T) {
	lines := goList(t, "-f", `{{.ImportPath}} {{join .Deps " "}}`,
		"./telematics/...", "./internal/...", "./mycartracks/...", "./smartcar/...")
	seen := map[string]bool{}
	for _, line := range lines {
		pkg, deps, _ := strings.Cut(line, " ")
		seen[pkg] = true
		for _, dep := range strings.Fields(deps) {
			assert.False(t, strings.HasPrefix(dep, "github.com/redis/"), "%s depends on %s", pkg, dep)
		}
	}
	for _, pkg := range []string{"telematics", "internal/httpcore", "mycartracks", "smartcar", "smartcar/smartcartest"} {
		assert.True(t, seen["github.com/fleetkit/fleetkit-go/"+pkg], "%s listed", pkg)
	}

	ours := goList(t, "-m", "-f", "{{.GoVersion}}")[0]
	redis := goList(t, "-m", "-f", "{{.GoVersion}}", "github.com/redis/go-redis/v9")[0]
	require.NotEmpty(t, ours)
	require.NotEmpty(t, redis)
	assert.Equal(t, "1.25.0", ours, "the go directive the house promises")
	assert.LessOrEqual(t, version.Compare("go"+redis, "go"+ours), 0, "go-redis needs go %s, more than our %s", redis, ours)
}
