package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSandboxCommand: "fleetkit sandbox" prints the environment of its servers, and a
// second fleetkit run with that environment (no --sandbox) reads both providers from
// them; Ctrl-C stops the servers.
func TestSandboxCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		a := newApp(strings.NewReader(""), w, io.Discard)
		done <- a.run(ctx, []string{"sandbox"})
		w.Close()
	}()

	needed := []string{"MYCARTRACKS_CLIENT_ID", "MYCARTRACKS_CLIENT_SECRET", "MYCARTRACKS_BASE_URL", "MYCARTRACKS_TOKEN_URL",
		"SMARTCAR_CLIENT_ID", "SMARTCAR_CLIENT_SECRET", "SMARTCAR_VEHICLE_API_URL", "SMARTCAR_MANAGEMENT_API_URL", "SMARTCAR_TOKEN_URL"}
	env := map[string]string{}
	missing := func() bool {
		return slices.ContainsFunc(needed, func(name string) bool { _, ok := env[name]; return !ok })
	}
	lines := bufio.NewScanner(out)
	for missing() && lines.Scan() {
		line, ok := strings.CutPrefix(lines.Text(), "export ")
		if !ok {
			continue
		}
		name, value, _ := strings.Cut(line, "=")
		env[name] = strings.Trim(value, "'")
	}
	require.Contains(t, env, "MYCARTRACKS_CLIENT_ID")
	require.Contains(t, env, "SMARTCAR_CLIENT_ID")

	for _, name := range needed {
		t.Setenv(name, env[name])
	}
	r := cliWith(t, "", func(a *app) { a.getenv = os.Getenv }, "--output", "ndjson", "vehicles")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 10, strings.Count(r.stdout, "\n"), "five vehicles of each provider")
	assert.Contains(t, r.stdout, `"id":"mycartracks:1001"`)
	assert.Contains(t, r.stdout, `"provider":"smartcar"`)

	cancel()
	go func() { _, _ = io.Copy(io.Discard, out) }()
	assert.Equal(t, exitOK, <-done)
}

// TestSandboxWebhooks: with --webhook the sandbox sends Smartcar's VERIFY event to the
// URL, signed; a URL that is not absolute http(s) is a usage error.
func TestSandboxWebhooks(t *testing.T) {
	bodies := make(chan string, 16)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("SC-Signature") != "" {
			bodies <- string(b)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer receiver.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- newApp(strings.NewReader(""), io.Discard, io.Discard).run(ctx, []string{"sandbox", "--webhook", receiver.URL + "/hook", "--webhook-interval", "1h"})
	}()
	assert.Contains(t, <-bodies, `"VERIFY"`, "the first webhook is signed VERIFY")
	cancel()
	assert.Equal(t, exitOK, <-done)

	r := cli(t, "", "sandbox", "--webhook", "127.0.0.1:1/hook")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "must be an absolute http or https URL")
}
