package smartcar_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

const model3 = smartcartest.VehicleModel3

func cmdPath(action string) string { return "/vehicles/" + model3 + "/commands/" + action }

func TestCommandsChangeState(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	islocked := func() bool {
		t.Helper()
		s, err := e.client.Signals.Get(ctx, model3, smartcar.SignalClosureIsLocked, alice())
		require.NoError(t, err)
		v, ok := s.Bool()
		require.True(t, ok)
		return v
	}

	ex, err := e.client.Commands.Unlock(ctx, model3, alice())
	require.NoError(t, err)
	assert.Equal(t, "security-unlock", ex.Type)
	assert.Equal(t, smartcar.CommandStatusSuccess, ex.Status)
	assert.True(t, ex.Succeeded())
	assert.False(t, ex.LongRunning())
	assert.Equal(t, http.StatusOK, ex.HTTPStatus)
	assert.Equal(t, "sync", ex.ExecutionMode)
	assert.Equal(t, epoch, ex.ExecutedAt)
	assert.Equal(t, epoch.Add(2*time.Second), ex.CompletedAt)
	assert.Equal(t, 2*time.Second, ex.Duration)
	assert.NotEmpty(t, ex.ID)
	assert.False(t, islocked())

	ex, err = e.client.Commands.Lock(ctx, model3, alice())
	require.NoError(t, err)
	assert.Equal(t, "security-lock", ex.Type)
	assert.True(t, islocked())
	s, err := e.client.Signals.Get(ctx, model3, smartcar.SignalClosureIsLocked, alice())
	require.NoError(t, err)
	assert.Equal(t, epoch, s.OEMUpdatedAt, "the reading is as new as the command")

	ex, err = e.client.Commands.SetChargeLimit(ctx, model3, 90, alice())
	require.NoError(t, err)
	assert.JSONEq(t, `{"percent":90}`, string(ex.Parameters))
	assert.JSONEq(t, `{"data":{"attributes":{"percent":90}}}`, string(e.srv.Requests()[len(e.srv.Requests())-1].Body))
	lim, err := e.client.Signals.Get(ctx, model3, smartcar.SignalChargeChargeLimits, alice())
	require.NoError(t, err)
	g, ok := lim.Value.(smartcar.ChargeLimits).Global()
	assert.True(t, ok)
	assert.Equal(t, telematics.Percent(90), g)

	_, err = e.client.Commands.StartCharge(ctx, model3, alice())
	require.NoError(t, err)
	ch, err := e.client.Signals.Get(ctx, model3, smartcar.SignalChargeIsCharging, alice())
	require.NoError(t, err)
	assert.Equal(t, smartcar.BoolValue{Value: true}, ch.Value)
	rate, err := e.client.Signals.Get(ctx, model3, smartcar.SignalChargeChargeRate, alice())
	require.NoError(t, err)
	assert.True(t, rate.OK(), "charging clears the NOT_CHARGING error")
	_, err = e.client.Commands.StartCharge(ctx, model3, alice())
	assert.ErrorIs(t, err, telematics.ErrConflict)
	_, err = e.client.Commands.StopCharge(ctx, model3, alice())
	require.NoError(t, err)
	_, err = e.client.Commands.StopCharge(ctx, model3, alice())
	var apiErr *smartcar.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, smartcar.CodeNotCharging, apiErr.Code)

	ex, err = e.client.Commands.SetDestination(ctx, model3, 48.8584, 2.2945, alice())
	require.NoError(t, err)
	assert.Equal(t, "navigation-set-destination", ex.Type)
	lat, lon, ok := e.srv.Destination(model3)
	assert.True(t, ok)
	assert.Equal(t, 48.8584, lat)
	assert.Equal(t, 2.2945, lon)
}

func TestCommandsRefusedByVehicle(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	_, err := e.client.Commands.StartCharge(ctx, smartcartest.VehicleCamry, bob())
	assert.ErrorIs(t, err, telematics.ErrNotSupported, "a combustion car does not charge")
	assert.True(t, smartcar.IsNotCapable(err))
	_, err = e.client.Commands.SetChargeLimit(ctx, smartcartest.VehicleCamry, 80, bob())
	assert.ErrorIs(t, err, telematics.ErrNotSupported)
	_, err = e.client.Commands.StartCharge(ctx, smartcartest.VehicleID4, alice())
	var apiErr *smartcar.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, smartcar.CodeChargingPlugNotConnected, apiErr.Code)
	assert.False(t, telematics.MayHaveSucceeded(err))
	_, err = e.client.Commands.Lock(ctx, smartcartest.VehicleCamry, alice())
	assert.ErrorIs(t, err, telematics.ErrForbidden, "someone else's car")

	e.srv.SetAsleep(smartcartest.VehicleF150, true)
	_, err = e.client.Commands.Lock(ctx, smartcartest.VehicleF150, bob())
	assert.True(t, smartcar.IsVehicleAsleep(err))
	assert.True(t, smartcar.IsVehicleUnreachable(err))
	asleep, err := e.client.Signals.Get(ctx, smartcartest.VehicleF150, smartcar.SignalConnectivityStatusIsAsleep, bob())
	require.NoError(t, err)
	assert.Equal(t, smartcar.BoolValue{Value: true}, asleep.Value)
}

func TestCommandsValidateBeforeSending(t *testing.T) {
	e := newFake(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		send func() (*smartcar.CommandExecution, error)
	}{
		{"limit 49", func() (*smartcar.CommandExecution, error) {
			return e.client.Commands.SetChargeLimit(ctx, model3, 49, alice())
		}},
		{"limit 101", func() (*smartcar.CommandExecution, error) {
			return e.client.Commands.SetChargeLimit(ctx, model3, 101, alice())
		}},
		{"latitude 91", func() (*smartcar.CommandExecution, error) {
			return e.client.Commands.SetDestination(ctx, model3, 91, 0, alice())
		}},
		{"longitude -181", func() (*smartcar.CommandExecution, error) {
			return e.client.Commands.SetDestination(ctx, model3, 0, -181, alice())
		}},
		{"NaN", func() (*smartcar.CommandExecution, error) {
			return e.client.Commands.SetDestination(ctx, model3, math.NaN(), 0, alice())
		}},
		{"no user", func() (*smartcar.CommandExecution, error) { return e.client.Commands.Unlock(ctx, model3) }},
		{"no vehicle", func() (*smartcar.CommandExecution, error) { return e.client.Commands.Lock(ctx, "", alice()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex, err := tc.send()
			assert.Nil(t, ex)
			assert.ErrorIs(t, err, telematics.ErrInvalidInput)
			assert.False(t, telematics.MayHaveSucceeded(err))
		})
	}
	for _, limit := range []int{smartcar.MinChargeLimit, smartcar.MaxChargeLimit} {
		_, err := e.client.Commands.SetChargeLimit(ctx, model3, limit, alice())
		assert.NoError(t, err)
	}
	assert.Equal(t, 2, e.srv.CountRequests("", ""), "only the valid limits were sent")
}

// A long-running command answers 202 at once and its final record later, on the same
// connection: the call returns only then, with the body's outcome.
func TestCommandLongRunning(t *testing.T) {
	e := newFake(t, nil)
	e.srv.SetLongRunning(model3, true)
	type result struct {
		ex  *smartcar.CommandExecution
		err error
	}
	done := make(chan result, 1)
	go func() {
		ex, err := e.client.Commands.Unlock(context.Background(), model3, alice())
		done <- result{ex, err}
	}()
	require.NoError(t, e.srv.AwaitLongRunning(context.Background(), model3, 1))
	s, _ := e.srv.Signal(model3, "closure-islocked")
	assert.JSONEq(t, `{"value":true}`, string(s.Body), "not applied before it completes")
	e.clock.Advance(3 * time.Minute)
	assert.Equal(t, 1, e.srv.CompleteCommands(model3))
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusAccepted, r.ex.HTTPStatus)
	assert.True(t, r.ex.LongRunning())
	assert.True(t, r.ex.Succeeded(), "the body, not the 202, says it succeeded")
	assert.Equal(t, 3*time.Minute, r.ex.Duration)
	s, _ = e.srv.Signal(model3, "closure-islocked")
	assert.JSONEq(t, `{"value":false}`, string(s.Body))
}

// A 202 is "in progress": only the body's status can say the command succeeded.
func TestCommandAcceptedBodies(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		succeeded bool
		mayHave   bool
		errIs     error
		failed    bool // a CommandError that matches no sentinel
	}{
		{name: "202 in progress", status: 202, body: `{"data":{"id":"exec_1","type":"command-execution","attributes":{"commandType":"security-lock","status":{"value":"IN_PROGRESS"},"executionMode":"async"}}}`},
		{name: "202 success", status: 202, succeeded: true, body: `{"data":{"id":"exec_2","attributes":{"status":{"value":"SUCCESS"}}}}`},
		{name: "202 empty body", status: 202, body: ``, mayHave: true, errIs: telematics.ErrMalformedResponse},
		{name: "200 no execution record", status: 200, body: `{}`, mayHave: true, errIs: telematics.ErrMalformedResponse},
		{name: "200 malformed", status: 200, body: `{"data":`, mayHave: true, errIs: telematics.ErrMalformedResponse},
		{name: "202 execution failed", status: 202, errIs: telematics.ErrVehicleUnreachable,
			body: `{"data":{"id":"exec_3","attributes":{"commandType":"security-lock","status":{"value":"ERROR","error":{"type":"VEHICLE_STATE","code":"UNREACHABLE","detail":"no answer"}}}}}`},
		{name: "200 ERROR without an error object", status: 200, failed: true,
			body: `{"data":{"id":"exec_3","attributes":{"commandType":"security-lock","status":{"value":"ERROR"}}}}`},
		{name: "200 bare ERROR status", status: 200, failed: true,
			body: `{"data":{"id":"exec_3","attributes":{"commandType":"security-lock","status":"error"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newScripted(t)
			calls := 0
			f.handle("POST /v3/vehicles/{id}/commands/security/lock", func(w http.ResponseWriter, r *http.Request) {
				calls++
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			ex, err := f.client.Commands.Lock(context.Background(), "v", smartcar.WithUserID("u"))
			assert.Equal(t, 1, calls)
			if tc.failed {
				var ce *smartcar.CommandError
				require.ErrorAs(t, err, &ce)
				require.NotNil(t, ex)
				assert.Same(t, ex, ce.Execution)
				assert.False(t, ex.Succeeded())
				assert.False(t, telematics.MayHaveSucceeded(err), "the body reported the outcome")
				assert.Nil(t, ex.Error)
				assert.Equal(t, "smartcar: POST "+f.srv.URL+"/v3/vehicles/v/commands/security/lock: command security-lock "+ex.Status+
					": the execution record gives no reason (execution exec_3)", err.Error())
				for _, s := range allSentinels {
					assert.NotErrorIs(t, err, s)
				}
				return
			}
			if tc.errIs != nil {
				assert.ErrorIs(t, err, tc.errIs)
				assert.Equal(t, tc.mayHave, telematics.MayHaveSucceeded(err))
				if tc.mayHave {
					assert.Contains(t, err.Error(), "may have")
				} else {
					var ce *smartcar.CommandError
					require.ErrorAs(t, err, &ce)
					require.NotNil(t, ex)
					assert.Same(t, ex, ce.Execution)
					assert.Equal(t, "ERROR", ex.Status)
					assert.Contains(t, err.Error(), "VEHICLE_STATE:UNREACHABLE: no answer")
					assert.Contains(t, err.Error(), "exec_3")
				}
				return
			}
			require.NoError(t, err)
			assert.True(t, ex.LongRunning())
			assert.Equal(t, tc.succeeded, ex.Succeeded())
		})
	}
}

// Every failure mode of a command: the error's kind, whether it may have succeeded, and
// that the SDK never sent it twice.
func TestCommandFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fault   smartcartest.Fault
		is      []error
		isNot   []error
		mayHave bool
		check   func(t *testing.T, err error)
	}{
		{name: "409 asleep", fault: smartcartest.Asleep(), is: []error{telematics.ErrConflict, telematics.ErrVehicleUnreachable},
			check: func(t *testing.T, err error) { assert.True(t, smartcar.IsVehicleAsleep(err)) }},
		{name: "429 vehicle rate limit", fault: smartcartest.RateLimited(90 * time.Second), is: []error{telematics.ErrRateLimited},
			check: func(t *testing.T, err error) {
				var rl *telematics.RateLimitError
				require.ErrorAs(t, err, &rl)
				assert.Equal(t, 90*time.Second, rl.RetryAfter, "a command is not retried, the wait is the caller's")
				var apiErr *smartcar.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, smartcar.CodeVehicle, apiErr.Code)
				assert.Equal(t, 90*time.Second, apiErr.RetryAfter)
			}},
		{name: "429 within the wait cap", fault: smartcartest.RateLimited(2 * time.Second), is: []error{telematics.ErrRateLimited}},
		{name: "430 billing", fault: smartcartest.BillingLimit(), is: []error{smartcar.ErrBilling}, isNot: []error{telematics.ErrRateLimited},
			check: func(t *testing.T, err error) {
				assert.Contains(t, err.Error(), "430 Billing Limit: BILLING:VEHICLE_REQUEST_LIMIT")
			}},
		{name: "501 not capable", fault: smartcartest.NotCapable(), is: []error{telematics.ErrNotSupported}, isNot: []error{telematics.ErrUnavailable}},
		{name: "403 permission", fault: smartcartest.PermissionDenied(), is: []error{telematics.ErrForbidden},
			check: func(t *testing.T, err error) { assert.True(t, smartcar.NeedsReauthentication(err)) }},
		{name: "500 server", fault: smartcartest.ServerError(), is: []error{telematics.ErrUnavailable}, mayHave: true},
		{name: "502 upstream", fault: smartcartest.UpstreamError(), is: []error{telematics.ErrUnavailable}, mayHave: true},
		{name: "502 upstream rate limit", fault: smartcartest.UpstreamRateLimit(), is: []error{telematics.ErrUnavailable},
			isNot: []error{telematics.ErrRateLimited}, check: func(t *testing.T, err error) { assert.True(t, smartcar.IsRateLimited(err)) }},
		{name: "504 gateway timeout", fault: smartcartest.GatewayTimeout(), is: []error{telematics.ErrUnavailable}, mayHave: true},
		{name: "connection dropped after the request was written", fault: smartcartest.DropConnection(), is: []error{telematics.ErrUnavailable}, mayHave: true,
			check: func(t *testing.T, err error) {
				var re *telematics.RequestError
				require.ErrorAs(t, err, &re)
				assert.True(t, re.Sent)
				assert.Contains(t, err.Error(), "the request may have been applied")
			}},
		{name: "execution failure in the body", fault: smartcartest.Fault{ExecutionFailure: true, Type: "VEHICLE_STATE", Code: "DOOR_OPEN", Detail: "a door is open"},
			is: []error{telematics.ErrConflict}, isNot: []error{telematics.ErrVehicleUnreachable}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newFake(t, nil)
			e.srv.FailNext(tc.fault.On(http.MethodPost, cmdPath("security/unlock")))
			ex, err := e.client.Commands.Unlock(context.Background(), model3, alice())
			require.Error(t, err)
			for _, s := range tc.is {
				assert.ErrorIs(t, err, s)
			}
			for _, s := range tc.isNot {
				assert.NotErrorIs(t, err, s)
			}
			assert.Equal(t, tc.mayHave, telematics.MayHaveSucceeded(err), err.Error())
			// The error says whether the command may have succeeded, in the words of
			// telematics.RequestError.
			if tc.mayHave {
				assert.Regexp(t, `[(, ]the request may have been applied\)$`, err.Error(), "the last note of the one parenthesis")
			} else {
				assert.NotContains(t, err.Error(), "may have")
			}
			assert.Equal(t, 1, e.srv.CountRequests(http.MethodPost, cmdPath("security/unlock")), "a command is sent once")
			if !tc.fault.ExecutionFailure {
				assert.Nil(t, ex)
			}
			if tc.check != nil {
				tc.check(t, err)
			}
			// The vehicle kept its state unless Smartcar answered.
			s, _ := e.srv.Signal(model3, "closure-islocked")
			assert.JSONEq(t, `{"value":true}`, string(s.Body))
		})
	}
}

// Each documented error form decodes on every endpoint.
func TestErrorFormsOnEveryEndpoint(t *testing.T) {
	type endpoint struct {
		method, path string
		call         func(c *smartcar.Client) error
	}
	ctx := context.Background()
	endpoints := []endpoint{
		{"GET", "/connections", func(c *smartcar.Client) error { _, err := c.Connections.List(ctx, nil); return err }},
		{"GET", "/connections/", func(c *smartcar.Client) error {
			_, err := c.Connections.Get(ctx, smartcartest.ConnectionModel3)
			return err
		}},
		{"DELETE", "/connections/", func(c *smartcar.Client) error { return c.Connections.Delete(ctx, smartcartest.ConnectionModel3) }},
		{"DELETE", "/users/", func(c *smartcar.Client) error { return c.Users.Delete(ctx, smartcartest.UserAlice) }},
		{"GET", "/vehicles/", func(c *smartcar.Client) error { _, err := c.Vehicles.Get(ctx, model3); return err }},
		{"GET", "/vehicles/" + model3 + "/signals", func(c *smartcar.Client) error {
			_, err := c.Signals.List(ctx, model3, alice())
			return err
		}},
		{"GET", "/vehicles/" + model3 + "/signals/", func(c *smartcar.Client) error {
			_, err := c.Signals.Get(ctx, model3, smartcar.SignalClosureIsLocked, alice())
			return err
		}},
		{"POST", cmdPath("charge/start"), func(c *smartcar.Client) error { _, err := c.Commands.StartCharge(ctx, model3, alice()); return err }},
		{"POST", cmdPath("charge/stop"), func(c *smartcar.Client) error { _, err := c.Commands.StopCharge(ctx, model3, alice()); return err }},
		{"POST", cmdPath("charge/set-limit"), func(c *smartcar.Client) error {
			_, err := c.Commands.SetChargeLimit(ctx, model3, 70, alice())
			return err
		}},
		{"POST", cmdPath("security/lock"), func(c *smartcar.Client) error { _, err := c.Commands.Lock(ctx, model3, alice()); return err }},
		{"POST", cmdPath("security/unlock"), func(c *smartcar.Client) error { _, err := c.Commands.Unlock(ctx, model3, alice()); return err }},
		{"POST", cmdPath("navigation/set-destination"), func(c *smartcar.Client) error {
			_, err := c.Commands.SetDestination(ctx, model3, 1, 2, alice())
			return err
		}},
		{"POST", "/subscriptions", func(c *smartcar.Client) error {
			_, err := c.Subscriptions.Subscribe(ctx, smartcar.SubscribeRequest{WebhookID: smartcartest.OtherWebhookID, UserID: smartcartest.UserAlice, VehicleID: model3})
			return err
		}},
		{"GET", "/subscriptions", func(c *smartcar.Client) error { _, err := c.Subscriptions.List(ctx, nil); return err }},
		{"GET", "/subscriptions/", func(c *smartcar.Client) error {
			_, err := c.Subscriptions.Get(ctx, smartcartest.SubscriptionOne)
			return err
		}},
		{"DELETE", "/subscriptions/", func(c *smartcar.Client) error { return c.Subscriptions.Unsubscribe(ctx, smartcartest.SubscriptionOne) }},
	}
	e := newFake(t, nil)
	for _, ep := range endpoints {
		for _, form := range []struct {
			name string
			form smartcartest.ErrorForm
			want smartcar.ErrorDetail
		}{
			{"jsonapi", smartcartest.FormJSONAPI, smartcar.ErrorDetail{Status: 403, Type: smartcar.ErrorTypePermission, Title: "Forbidden",
				Detail: "Your application has insufficient permissions to access the requested resource.", Resolution: smartcar.ResolutionReauthenticate,
				DocURL: "https://smartcar.com/docs/errors/api-errors"}},
			{"flat", smartcartest.FormFlat, smartcar.ErrorDetail{Status: 403, Type: smartcar.ErrorTypePermission,
				Description: "Your application has insufficient permissions to access the requested resource.", Resolution: smartcar.ResolutionReauthenticate,
				SuggestedUserMessage: "Forbidden", DocURL: "https://smartcar.com/docs/errors/api-errors"}},
			{"oauth", smartcartest.FormOAuth, smartcar.ErrorDetail{Code: "permission",
				Description: "Your application has insufficient permissions to access the requested resource."}},
		} {
			t.Run(ep.method+" "+ep.path+" "+form.name, func(t *testing.T) {
				e.srv.FailNext(smartcartest.PermissionDenied().On(ep.method, ep.path).InForm(form.form))
				err := ep.call(e.client)
				var apiErr *smartcar.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusForbidden, apiErr.StatusCode)
				assert.Equal(t, ep.method, apiErr.Method)
				assert.Equal(t, []smartcar.ErrorDetail{form.want}, apiErr.Errors)
				assert.Equal(t, form.want.Type, apiErr.Type)
				assert.Equal(t, form.want.Code, apiErr.Code)
				assert.Equal(t, form.want.Message(), apiErr.Message)
				assert.Equal(t, form.want.Resolution, apiErr.Resolution)
				assert.NotEmpty(t, apiErr.RequestID)
				assert.ErrorIs(t, err, telematics.ErrForbidden)
				assert.NotEmpty(t, apiErr.Body)
			})
		}
	}
}

// A failure description in the execution record is decoded in full.
func TestCommandExecutionFailureDecoded(t *testing.T) {
	e := newFake(t, nil)
	e.srv.FailNext(smartcartest.Fault{ExecutionFailure: true, Type: "VEHICLE_STATE", Code: "DOOR_OPEN", Detail: "a door is open", Resolution: "USER_ACTION_REQUIRED"})
	ex, err := e.client.Commands.Lock(context.Background(), model3, alice())
	var ce *smartcar.CommandError
	require.ErrorAs(t, err, &ce)
	assert.False(t, ex.Succeeded())
	assert.Equal(t, &smartcar.ErrorDetail{Type: "VEHICLE_STATE", Code: "DOOR_OPEN", Detail: "a door is open", Resolution: smartcar.ResolutionUserActionRequired}, ex.Error)
	assert.False(t, smartcar.IsVehicleAsleep(err))
	assert.False(t, smartcar.NeedsReauthentication(err))
	var raw map[string]any
	require.NoError(t, json.Unmarshal(ex.Raw, &raw))
	assert.Equal(t, "command-execution", raw["type"])
}

// An idempotency key would let net/http send a command again on a connection that
// broke after the request was written: the command is refused before anything is sent.
func TestCommandRefusesIdempotencyKey(t *testing.T) {
	for _, header := range []string{"Idempotency-Key", "x-idempotency-key"} {
		t.Run(header, func(t *testing.T) {
			e := newFake(t, nil)
			ctx := context.Background()
			// Warm the connection: a reused connection is the one net/http replays on.
			_, err := e.client.Vehicles.Get(ctx, model3)
			require.NoError(t, err)
			e.srv.FailNext(smartcartest.DropConnection().On(http.MethodPost, cmdPath("security/unlock")))
			ex, err := e.client.Commands.Unlock(ctx, model3, alice(), smartcar.WithHeader(header, "key-1"))
			assert.Nil(t, ex)
			assert.ErrorIs(t, err, telematics.ErrInvalidInput)
			assert.ErrorContains(t, err, "Idempotency-Key")
			assert.ErrorContains(t, err, "request not sent")
			assert.False(t, telematics.MayHaveSucceeded(err))
			assert.LessOrEqual(t, e.srv.CountRequests(http.MethodPost, cmdPath("security/unlock")), 1, "never sent twice")
			assert.Zero(t, e.srv.CountRequests(http.MethodPost, ""), "not sent at all")

			// Without the header the same command goes out once and is not repeated.
			_, err = e.client.Commands.Unlock(ctx, model3, alice())
			assert.True(t, telematics.MayHaveSucceeded(err))
			assert.Equal(t, 1, e.srv.CountRequests(http.MethodPost, cmdPath("security/unlock")))
		})
	}
}
