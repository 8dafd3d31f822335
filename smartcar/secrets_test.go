package smartcar_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// The whole failing story with a debug logger: token failures and revocation, rate
// limits, server errors, dropped connections, command failures. Neither the client
// secret nor any token appears in the log or in any error.
func TestSecretsNeverLeak(t *testing.T) {
	logger, logBuf := testkit.DebugLogger()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	rec := &testkit.TokenRecorder{Next: tr}
	e := newFake(t, nil, smartcar.WithLogger(logger), smartcar.WithHTTPClient(&http.Client{Transport: rec}))
	ctx := context.Background()
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	e.srv.FailTokenRequests(502)
	_, err := e.client.Vehicles.Get(ctx, model3)
	require.NoError(t, err)
	e.srv.RevokeTokens()
	e.srv.FailNext(smartcartest.ServerError(), smartcartest.RateLimited(time.Second))
	_, err = e.client.Signals.List(ctx, model3, alice())
	require.NoError(t, err)
	e.srv.LimitVehicle(model3, time.Hour)
	_, err = e.client.Signals.List(ctx, model3, alice())
	keep(err)
	e.clock.Advance(2 * time.Hour)
	for _, f := range []smartcartest.Fault{smartcartest.DropConnection(), smartcartest.UpstreamError(), smartcartest.Asleep(),
		smartcartest.PermissionDenied().InForm(smartcartest.FormOAuth), {ExecutionFailure: true, Type: "VEHICLE_STATE", Code: "DOOR_OPEN"}} {
		e.srv.FailNext(f.On(http.MethodPost, ""))
		_, err = e.client.Commands.Unlock(ctx, model3, alice())
		keep(err)
	}
	e.srv.FailNext(smartcartest.Fault{Status: 400, Detail: "echo Bearer " + rec.Last() + " client_secret=" + e.srv.ClientSecret})
	_, err = e.client.Vehicles.Get(ctx, model3)
	keep(err)

	bad, err := smartcar.NewClient(e.srv.ClientID, "wrong-"+e.srv.ClientSecret, append(e.srv.ClientOptions(), smartcar.WithLogger(logger))...)
	require.NoError(t, err)
	defer bad.Close()
	_, err = bad.Vehicles.Get(ctx, model3)
	keep(err)

	require.Len(t, errs, 8)
	tokens := rec.Tokens()
	require.Greater(t, len(tokens), 1, "several tokens were issued")
	log := logBuf.String()
	require.Contains(t, log, "fleetkit request")
	require.Contains(t, log, "fleetkit token")
	texts := testkit.Texts{"log": log}
	for i, err := range errs {
		texts.AddError(fmt.Sprint("error ", i), err)
	}
	testkit.AssertNoSecrets(t, texts, e.srv.ClientID, append([]string{e.srv.ClientSecret}, tokens...)...)
}
