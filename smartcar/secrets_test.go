package smartcar_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// tokenRecorder notes every bearer token the client sends.
type tokenRecorder struct {
	mu     sync.Mutex
	tokens map[string]bool
	base   http.RoundTripper
}

func (r *tokenRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		r.mu.Lock()
		r.tokens[tok] = true
		r.mu.Unlock()
	}
	return r.base.RoundTrip(req)
}

// The whole failing story with a debug logger: token failures and revocation, rate
// limits, server errors, dropped connections, command failures. Neither the client
// secret nor any token appears in the log or in any error.
func TestSecretsNeverLeak(t *testing.T) {
	var logBuf bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logBuf, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	rec := &tokenRecorder{tokens: map[string]bool{}, base: tr}
	e := newEnv(t, nil, smartcar.WithLogger(logger), smartcar.WithHTTPClient(&http.Client{Transport: rec}))
	ctx := context.Background()
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	e.fake.FailTokenRequests(502)
	_, err := e.client.Vehicles.Get(ctx, model3)
	require.NoError(t, err)
	e.fake.RevokeTokens()
	e.fake.FailNext(smartcartest.ServerError(), smartcartest.RateLimited(time.Second))
	_, err = e.client.Signals.List(ctx, model3, alice())
	require.NoError(t, err)
	e.fake.LimitVehicle(model3, time.Hour)
	_, err = e.client.Signals.List(ctx, model3, alice())
	keep(err)
	e.clock.Advance(2 * time.Hour)
	for _, f := range []smartcartest.Fault{smartcartest.DropConnection(), smartcartest.UpstreamError(), smartcartest.Asleep(),
		smartcartest.PermissionDenied().InForm(smartcartest.FormOAuth), {ExecutionFailure: true, Type: "VEHICLE_STATE", Code: "DOOR_OPEN"}} {
		e.fake.FailNext(f.On(http.MethodPost, ""))
		_, err = e.client.Commands.Unlock(ctx, model3, alice())
		keep(err)
	}
	e.fake.FailNext(smartcartest.Fault{Status: 400, Detail: "echo Bearer " + firstToken(rec) + " client_secret=" + e.fake.ClientSecret})
	_, err = e.client.Vehicles.Get(ctx, model3)
	keep(err)

	bad, err := smartcar.NewClient(e.fake.ClientID, "wrong-"+e.fake.ClientSecret, append(e.fake.ClientOptions(), smartcar.WithLogger(logger))...)
	require.NoError(t, err)
	defer bad.Close()
	_, err = bad.Vehicles.Get(ctx, model3)
	keep(err)

	require.Len(t, errs, 8)
	secrets := []string{e.fake.ClientSecret}
	for tok := range rec.tokens {
		secrets = append(secrets, tok)
	}
	require.Greater(t, len(secrets), 2, "several tokens were issued")
	logMu.Lock()
	log := logBuf.String()
	logMu.Unlock()
	require.Contains(t, log, "fleetkit request")
	require.Contains(t, log, "fleetkit token")
	for _, s := range secrets {
		assert.NotContains(t, log, s)
		for _, e := range errs {
			for u := e; u != nil; u = errors.Unwrap(u) {
				assert.NotContains(t, u.Error(), s)
			}
		}
	}
}

func firstToken(r *tokenRecorder) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for tok := range r.tokens {
		return tok
	}
	return ""
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
