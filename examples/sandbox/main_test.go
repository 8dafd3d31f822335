package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRunUntilCancelled starts the sandbox, reads its exports and uses them with a
// fleetkit client while it runs; cancelling the context stops it.
func TestRunUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	envFile := filepath.Join(t.TempDir(), "sandbox.env")
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-env-file", envFile}, pw, &stderr)
		pw.Close()
		done <- err
	}()
	exports := map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && strings.HasPrefix(line, "export ") {
			exports[k] = strings.Trim(v, "'")
		}
		if strings.HasPrefix(line, "export SMARTCAR_MANAGEMENT_API_ORIGIN=") {
			break
		}
	}
	file, err := os.ReadFile(envFile)
	require.NoError(t, err)
	assert.Contains(t, string(file), "export SMARTCAR_TOKEN_URL=")

	for k, v := range exports {
		t.Setenv(k, v)
	}
	client, err := smartcar.FromEnv()
	require.NoError(t, err)
	v, err := client.Vehicles.Get(ctx, smartcartest.VehicleModel3)
	require.NoError(t, err)
	assert.Equal(t, "TESLA", v.Make)
	client.Close()

	cancel()
	go io.Copy(io.Discard, pr) // drain what is left
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox did not stop")
	}
	assert.Contains(t, stderr.String(), "Sandbox running. In another shell: . "+envFile)
}

func TestRunForADuration(t *testing.T) {
	var stdout, stderr strings.Builder
	require.NoError(t, run(context.Background(), []string{"-duration", "10ms"}, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "export MYCARTRACKS_BASE_URL='http://127.0.0.1:")
	assert.Contains(t, stderr.String(), "Copy the export lines")
}

func TestRunRefuses(t *testing.T) {
	err := run(context.Background(), []string{"-addr", "nonsense"}, io.Discard, io.Discard)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	err = run(context.Background(), []string{"-webhook", "127.0.0.1:1/hook", "-duration", "1ms"}, io.Discard, io.Discard)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	err = run(context.Background(), []string{"-webhook", "http://127.0.0.1:1/hook", "-webhook-interval", "-1s", "-duration", "1ms"}, io.Discard, io.Discard)
	assert.ErrorIs(t, err, telematics.ErrInvalidInput)
	err = run(context.Background(), []string{"-env-file", filepath.Join(t.TempDir(), "no", "such", "dir"), "-duration", "1ms"}, io.Discard, io.Discard)
	assert.Error(t, err)
}

func TestHelp(t *testing.T) {
	clitest.Help(t, "sandbox", func(args []string, stdout, stderr io.Writer) error {
		return run(context.Background(), args, stdout, stderr)
	})
}

// TestRunSendsSignedWebhooks runs the sandbox with -webhook against a plain receiver
// that acknowledges every delivery; the test checks each one's SC-Signature with the
// exported SMARTCAR_MANAGEMENT_TOKEN.
func TestRunSendsSignedWebhooks(t *testing.T) {
	type delivery struct {
		body []byte
		sig  string
	}
	got := make(chan delivery, 64)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case got <- delivery{b, r.Header.Get(smartcar.SignatureHeader)}:
		default:
		}
	}))
	defer receiver.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-webhook", receiver.URL + "/hook", "-webhook-interval", "10ms"}, pw, &stderr)
		pw.Close()
		done <- err
	}()
	token := ""
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "export "+smartcar.EnvManagementToken+"="); ok {
			token = strings.Trim(v, "'")
			break
		}
	}
	require.NotEmpty(t, token)
	go io.Copy(io.Discard, pr) // drain what is left

	types := map[string]int{}
	timeout := time.After(30 * time.Second)
	for types["VEHICLE_STATE"] < 2 {
		select {
		case d := <-got:
			assert.Equal(t, smartcartest.Sign(token, d.body), d.sig, "signed with the exported token")
			require.NoError(t, smartcar.VerifySignature(d.body, d.sig, token))
			var ev struct {
				EventType string `json:"eventType"`
			}
			require.NoError(t, json.Unmarshal(d.body, &ev))
			if len(types) == 0 {
				assert.Equal(t, "VERIFY", ev.EventType, "VERIFY first")
			}
			types[ev.EventType]++
		case <-timeout:
			require.FailNow(t, "no webhook arrived", "%v", types)
		}
	}
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox did not stop")
	}
	assert.Contains(t, stderr.String(), "Sending signed Smartcar webhooks to "+receiver.URL+"/hook")
	assert.Contains(t, stderr.String(), "Webhooks: ")
}
