package smartcartest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

// nodeSDKScript uses the SDK as an integrator would, against origins taken from the
// environment. The SDK has no client-credentials grant, so the script fetches the
// application token itself, with the JSON body the token reference lists.
const nodeSDKScript = `
const smartcar = require('smartcar');
const env = process.env;

async function token(url) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({grant_type: 'client_credentials', client_id: env.CLIENT_ID, client_secret: env.CLIENT_SECRET}),
  });
  const body = await res.json();
  return {status: res.status, tokenType: body.token_type, expiresIn: body.expires_in, accessToken: body.access_token};
}

function sdkError(e) {
  return {name: e.name, type: e.type, code: e.code === undefined ? null : e.code, statusCode: e.statusCode,
    description: e.description, requestId: e.requestId, resolution: e.resolution && e.resolution.type,
    retryAfter: e.retryAfter, docURL: e.docURL};
}

async function expectError(f) {
  try { await f(); } catch (e) { return sdkError(e); }
  throw new Error('no error');
}

(async () => {
  const out = {};
  const tok = await token(env.TOKEN_URL);
  out.token = {status: tok.status, tokenType: tok.tokenType, expiresIn: tok.expiresIn};

  const v = await smartcar.getVehicle(tok.accessToken, env.VEHICLE_ID);
  out.vehicle = {id: v.body.data.id, make: v.body.data.attributes.make, model: v.body.data.attributes.model,
    year: v.body.data.attributes.year, requestId: v.headers['sc-request-id']};

  const vehicle = new smartcar.Vehicle(env.VEHICLE_ID, tok.accessToken);
  const user = {'sc-user-id': env.USER_ID};
  const sigs = await vehicle.request('get', 'signals', null, user, '3');
  // (The SDK replaces the body's meta with the response headers, so meta is not read.)
  out.signals = {count: sigs.body.data.length, codes: sigs.body.data.map((s) => s.id),
    includedType: sigs.body.included.vehicle.type, requestId: sigs.meta['sc-request-id']};
  const sig = await vehicle.request('get', 'signals/tractionbattery-stateofcharge', null, user, '3');
  out.signal = {code: sig.body.data.attributes.code, value: sig.body.data.attributes.body.value,
    unit: sig.body.data.attributes.body.unit, retrievedAt: sig.body.data.meta.retrievedAt,
    oemUpdatedAt: sig.body.data.meta.oemUpdatedAt};

  // The SDK's own v3 helpers send no sc-user-id: the fake refuses them as documented.
  out.getSignalsError = await expectError(() => vehicle.getSignals());
  out.getSignalError = await expectError(() => vehicle.getSignal('closure-islocked'));

  const cmd = await vehicle.request('post', 'commands/security/unlock', null, user, '3');
  out.command = {type: cmd.body.data.type, commandType: cmd.body.data.attributes.commandType,
    status: cmd.body.data.attributes.status.value};
  const after = await vehicle.request('get', 'signals/closure-islocked', null, user, '3');
  out.lockedAfter = after.body.data.attributes.body.value;

  out.unknownVehicle = await expectError(() => smartcar.getVehicle(tok.accessToken, 'no-such-vehicle'));
  out.otherUser = await expectError(() => vehicle.request('get', 'signals', null, {'sc-user-id': env.OTHER_USER_ID}, '3'));
  out.badToken = await expectError(() => smartcar.getVehicle('not-a-token', env.VEHICLE_ID));
  out.rateLimited = await expectError(() => smartcar.getVehicle(tok.accessToken, env.LIMITED_VEHICLE_ID));

  // The same SDK against a fake answering in the documented v3 form: the SDK cannot read it.
  env.SMARTCAR_API_V3_ORIGIN = env.JSONAPI_V3_ORIGIN;
  const tok2 = await token(env.JSONAPI_TOKEN_URL);
  out.jsonapiError = await expectError(() => smartcar.getVehicle(tok2.accessToken, 'no-such-vehicle'));

  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
`

// nodeSDKResult is what the script prints.
type nodeSDKResult struct {
	Token struct {
		Status    int
		TokenType string
		ExpiresIn int
	}
	Vehicle struct {
		ID, Make, Model, RequestID string
		Year                       int
	}
	Signals struct {
		Count                   int
		Codes                   []string
		IncludedType, RequestID string
	}
	Signal struct {
		Code, Unit                string
		Value                     float64
		RetrievedAt, OEMUpdatedAt int64
	}
	GetSignalsError, GetSignalError sdkError
	Command                         struct{ Type, CommandType, Status string }
	LockedAfter                     bool
	UnknownVehicle, OtherUser       sdkError
	BadToken, RateLimited           sdkError
	JSONAPIError                    sdkError
}

type sdkError struct {
	Name, Type, Description, RequestID, Resolution, RetryAfter, DocURL string
	Code                                                               *string
	StatusCode                                                         int
}

// TestOfficialNodeSDK runs Smartcar's official Node SDK (npm smartcar 10.4.0) against
// the fake over loopback: getVehicle (which asks for /v3/vehicles/{id}/ with a trailing
// slash), signals and a command through vehicle.request with sc-user-id, and errors the
// SDK reads with their type and code from the flat form (WithErrorForm(FormFlat)).
//
// It needs node (18 or later, for fetch) and npm (testkit.NodeWithSmartcarSDK installs
// the SDK once). Set FLEETKIT_SKIP_NODE_SDK=1 to skip it on a machine without the
// registry.
func TestOfficialNodeSDK(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	node, modules := testkit.NodeWithSmartcarSDK(ctx, t)

	// A manual clock: the Retry-After the SDK reads is the limit's time left, which a
	// real clock would shorten while node starts.
	clock := clocktest.New(smartcartest.Epoch)
	fake := smartcartest.NewServer(smartcartest.WithErrorForm(smartcartest.FormFlat), smartcartest.WithClock(clock))
	defer fake.Close()
	jsonapi := smartcartest.NewServer()
	defer jsonapi.Close()
	fake.LimitVehicle(smartcartest.VehicleCamry, 30*time.Second)

	dir := t.TempDir()
	script := filepath.Join(dir, "run.js")
	require.NoError(t, os.WriteFile(script, []byte(nodeSDKScript), 0o600))
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"NODE_PATH="+modules,
		// The SDK builds {SMARTCAR_API_V3_ORIGIN}/v3/vehicles/...; the fake's Vehicle API
		// is at {URL}/vehicle/v3. The other origins the SDK reads (v2 API, its
		// authorization-code token endpoint, v2 management) point at the fake too, so
		// that nothing can leave the machine.
		"SMARTCAR_API_V3_ORIGIN="+strings.TrimSuffix(fake.VehicleAPIURL, "/v3"),
		"SMARTCAR_API_ORIGIN="+fake.URL,
		"SMARTCAR_AUTH_ORIGIN="+fake.URL,
		"SMARTCAR_MANAGEMENT_API_ORIGIN="+fake.URL,
		"JSONAPI_V3_ORIGIN="+strings.TrimSuffix(jsonapi.VehicleAPIURL, "/v3"),
		"TOKEN_URL="+fake.TokenURL,
		"JSONAPI_TOKEN_URL="+jsonapi.TokenURL,
		"CLIENT_ID="+fake.ClientID,
		"CLIENT_SECRET="+fake.ClientSecret,
		"VEHICLE_ID="+smartcartest.VehicleModel3,
		"LIMITED_VEHICLE_ID="+smartcartest.VehicleCamry,
		"USER_ID="+smartcartest.UserAlice,
		"OTHER_USER_ID="+smartcartest.UserBob,
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "node: %s", stderr.String())

	var got nodeSDKResult
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), stdout.String())
	assert.Equal(t, 200, got.Token.Status)
	assert.Equal(t, "Bearer", got.Token.TokenType)
	assert.Equal(t, 3600, got.Token.ExpiresIn)

	assert.Equal(t, smartcartest.VehicleModel3, got.Vehicle.ID)
	assert.Equal(t, "TESLA", got.Vehicle.Make)
	assert.Equal(t, 2023, got.Vehicle.Year)
	assert.Regexp(t, uuidForm, got.Vehicle.RequestID)

	assert.Len(t, got.Signals.Codes, got.Signals.Count)
	assert.Greater(t, got.Signals.Count, 10, "every signal on the one page")
	assert.Regexp(t, uuidForm, got.Signals.RequestID)
	assert.Contains(t, got.Signals.Codes, "tractionbattery-stateofcharge")
	assert.Equal(t, "vehicle", got.Signals.IncludedType)
	assert.Equal(t, "tractionbattery-stateofcharge", got.Signal.Code)
	assert.Equal(t, 72.0, got.Signal.Value)
	assert.Equal(t, "percent", got.Signal.Unit)
	assert.Equal(t, smartcartest.Epoch.Add(-3*time.Minute).UnixMilli(), got.Signal.RetrievedAt, "epoch milliseconds, as the SDK's typedefs")
	assert.Equal(t, smartcartest.Epoch.Add(-5*time.Minute).UnixMilli(), got.Signal.OEMUpdatedAt)

	for _, e := range []sdkError{got.GetSignalsError, got.GetSignalError} {
		assert.Equal(t, "SmartcarError", e.Name)
		assert.Equal(t, "VALIDATION", e.Type)
		assert.Equal(t, "PARAMETER", deref(e.Code))
		assert.Equal(t, 400, e.StatusCode)
		assert.Contains(t, e.Description, "sc-user-id")
	}

	assert.Equal(t, "command-execution", got.Command.Type)
	assert.Equal(t, "security-unlock", got.Command.CommandType)
	assert.Equal(t, "SUCCESS", got.Command.Status)
	assert.False(t, got.LockedAfter, "the command changed the vehicle")

	assert.Equal(t, sdkError{Name: "SmartcarError", Type: "RESOURCE_NOT_FOUND", Code: ptr("VEHICLE_NOT_FOUND"), StatusCode: 404,
		Description: "Vehicle was not found.", RequestID: got.UnknownVehicle.RequestID, DocURL: "https://smartcar.com/docs/errors/api-errors"}, got.UnknownVehicle)
	assert.Regexp(t, uuidForm, got.UnknownVehicle.RequestID)
	assert.Equal(t, "PERMISSION", got.OtherUser.Type)
	assert.Equal(t, 403, got.OtherUser.StatusCode)
	assert.Equal(t, "REAUTHENTICATE", got.OtherUser.Resolution)
	assert.Equal(t, "AUTHENTICATION", got.BadToken.Type)
	assert.Equal(t, 401, got.BadToken.StatusCode)
	assert.Equal(t, "RATE_LIMIT", got.RateLimited.Type)
	assert.Equal(t, "VEHICLE", deref(got.RateLimited.Code))
	assert.Equal(t, "30", got.RateLimited.RetryAfter, "the SDK reads retry-after")
	// The documented v3 form reaches the SDK's users as an unknown error ([C] in the
	// reference, §11): why the flat form is selectable.
	assert.Equal(t, "SDK_ERROR", got.JSONAPIError.Type)
	assert.Equal(t, 404, got.JSONAPIError.StatusCode)

	// What the fake saw: the trailing slash of getVehicle, the SDK's User-Agent, the
	// user id on the signal and command requests.
	var sawVehicle, sawCommand bool
	for _, r := range fake.Requests() {
		assert.True(t, strings.HasPrefix(r.UserAgent, "Smartcar/10.4.0 "), r.UserAgent)
		switch {
		case r.Method == "GET" && r.Path == "/vehicles/"+smartcartest.VehicleModel3 && r.Authorized:
			sawVehicle = true
		case r.Method == "POST":
			sawCommand = r.Path == "/vehicles/"+smartcartest.VehicleModel3+"/commands/security/unlock" && r.UserID == smartcartest.UserAlice
		}
	}
	assert.True(t, sawVehicle)
	assert.True(t, sawCommand)
}

func ptr(s string) *string { return &s }

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}
