package smartcartest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics/clocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// raw is a plain HTTP client of the fake, without the SDK.
type raw struct {
	t     *testing.T
	s     *smartcartest.Server
	hc    *http.Client
	token string
}

func newRaw(t *testing.T, opts ...smartcartest.Option) *raw {
	t.Helper()
	s := smartcartest.NewServer(opts...)
	tr := &http.Transport{}
	t.Cleanup(func() { tr.CloseIdleConnections(); s.Close() })
	r := &raw{t: t, s: s, hc: &http.Client{Transport: tr}}
	status, _, body := r.post(s.TokenURL, "application/x-www-form-urlencoded",
		url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID}, "client_secret": {s.ClientSecret}}.Encode())
	require.Equal(t, 200, status, string(body))
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.NoError(t, json.Unmarshal(body, &tok))
	assert.Positive(t, tok.ExpiresIn)
	r.token = tok.AccessToken
	return r
}

func (r *raw) post(u, contentType, body string) (int, http.Header, []byte) {
	r.t.Helper()
	res, err := r.hc.Post(u, contentType, strings.NewReader(body))
	require.NoError(r.t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

// call sends an API request with the token and, when set, the user id.
func (r *raw) call(method, u, userID, body string) (int, http.Header, map[string]any) {
	r.t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(r.t, err)
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if userID != "" {
		req.Header.Set("SC-User-Id", userID)
	}
	res, err := r.hc.Do(req)
	require.NoError(r.t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	if len(b) > 0 {
		require.NoError(r.t, json.Unmarshal(b, &m), string(b))
	}
	return res.StatusCode, res.Header, m
}

func (r *raw) v(path string) string { return r.s.VehicleAPIURL + path }

// firstError returns errors[0] of a JSON:API error body.
func firstError(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	errs, ok := m["errors"].([]any)
	require.True(t, ok, "%v", m)
	require.Len(t, errs, 1)
	return errs[0].(map[string]any)
}

func TestTokenEndpoint(t *testing.T) {
	r := newRaw(t)
	// HTTP Basic is accepted too (see TestTokenRequestForms); TokenSentInBody tells.
	req, _ := http.NewRequest(http.MethodPost, r.s.TokenURL, strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(r.s.ClientID, r.s.ClientSecret)
	assert.True(t, r.s.TokenSentInBody())
	res, err := r.hc.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, 2, r.s.Stats().Grants)
	assert.False(t, r.s.TokenSentInBody())
	status, _, body := r.post(r.s.TokenURL, "application/x-www-form-urlencoded",
		url.Values{"grant_type": {"client_credentials"}, "client_id": {r.s.ClientID}, "client_secret": {r.s.ClientSecret}}.Encode())
	require.Equal(t, 200, status)
	assert.Contains(t, string(body), `"expires_in":3600`)
	assert.Equal(t, 3, r.s.Stats().TokenRequests)
}

func TestAuthentication(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	r := newRaw(t, smartcartest.WithClock(clock), smartcartest.WithTokenLifetime(10*time.Minute))
	status, h, _ := r.call(http.MethodGet, r.v("/connections"), "", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, smartcartest.RequestID(1), h.Get("SC-Request-Id"))

	clock.Advance(11 * time.Minute)
	status, _, m := r.call(http.MethodGet, r.v("/connections"), "", "")
	assert.Equal(t, 401, status, "expired")
	assert.Equal(t, "AUTHENTICATION", firstError(t, m)["type"])
	r.token = ""
	status, _, _ = r.call(http.MethodGet, r.v("/connections"), "", "")
	assert.Equal(t, 401, status, "missing")
	reqs := r.s.Requests()
	require.Len(t, reqs, 3)
	assert.True(t, reqs[0].Authorized)
	assert.False(t, reqs[1].Authorized)
	assert.Equal(t, "/connections", reqs[0].Path)
	assert.Equal(t, "vehicle", reqs[0].API)
	assert.Equal(t, clock.Now().Add(-11*time.Minute), reqs[0].Time)
}

func TestUnknownPath(t *testing.T) {
	r := newRaw(t)
	for _, u := range []string{r.s.URL + "/v2.0/vehicles", r.v("/vehicles/x/charge"), r.s.ManagementAPIURL + "/applications"} {
		status, _, m := r.call(http.MethodGet, u, "", "")
		assert.Equal(t, 404, status, u)
		e := firstError(t, m)
		assert.Equal(t, "RESOURCE_NOT_FOUND", e["type"])
		assert.Equal(t, "404", e["status"])
	}
}

func TestConnectionPagesHaveAbsoluteLinks(t *testing.T) {
	r := newRaw(t)
	status, _, m := r.call(http.MethodGet, r.v("/connections?page%5Bnumber%5D=2&page%5Bsize%5D=2&filter%5BuserId%5D=")+"", "", "")
	require.Equal(t, 200, status)
	assert.Equal(t, map[string]any{"pageNumber": 2.0, "pageSize": 2.0, "totalCount": 5.0, "orderBy": "createdAt", "orderDirection": "DESC"}, m["meta"])
	links := m["links"].(map[string]any)
	for _, k := range []string{"self", "first", "last", "next", "prev"} {
		assert.True(t, strings.HasPrefix(links[k].(string), r.s.VehicleAPIURL+"/connections?"), k)
	}
	assert.Contains(t, links["next"], "page%5Bnumber%5D=3")
	assert.Contains(t, links["prev"], "page%5Bnumber%5D=1")
	assert.Contains(t, links["last"], "page%5Bnumber%5D=3")
	data := m["data"].([]any)
	require.Len(t, data, 2)
	c := data[0].(map[string]any)
	assert.Equal(t, "connection", c["type"])
	rel := c["relationships"].(map[string]any)["vehicle"].(map[string]any)
	assert.True(t, strings.HasPrefix(rel["links"].(map[string]any)["related"].(string), r.s.VehicleAPIURL+"/vehicles/"))

	_, _, m = r.call(http.MethodGet, r.v("/connections?page%5Bnumber%5D=3&page%5Bsize%5D=2"), "", "")
	assert.Nil(t, m["links"].(map[string]any)["next"], "null at the end")

	for _, q := range []string{"page%5Bsize%5D=0", "page%5Bsize%5D=101", "page%5Bnumber%5D=x", "filter%5Bvehicle.mode%5D=fast"} {
		status, _, m = r.call(http.MethodGet, r.v("/connections?"+q), "", "")
		assert.Equal(t, 400, status, q)
		assert.Equal(t, "PARAMETER", firstError(t, m)["code"])
	}

	legacy := newRaw(t, smartcartest.WithLegacyPaging())
	_, _, m = legacy.call(http.MethodGet, legacy.v("/connections?page%5Bsize%5D=2"), "", "")
	assert.Equal(t, 1.0, m["meta"].(map[string]any)["page"])
	_, hasPrevious := m["links"].(map[string]any)["previous"]
	assert.True(t, hasPrevious)
}

func TestUserScoping(t *testing.T) {
	r := newRaw(t)
	sig := "/vehicles/" + smartcartest.VehicleModel3 + "/signals"
	status, _, m := r.call(http.MethodGet, r.v(sig), "", "")
	assert.Equal(t, 400, status, "missing sc-user-id")
	assert.Equal(t, "VALIDATION", firstError(t, m)["type"])
	status, _, m = r.call(http.MethodGet, r.v(sig), smartcartest.UserBob, "")
	assert.Equal(t, 403, status, "another user's vehicle")
	assert.Equal(t, "PERMISSION", firstError(t, m)["type"])
	status, _, _ = r.call(http.MethodGet, r.v("/vehicles/nope/signals"), smartcartest.UserBob, "")
	assert.Equal(t, 404, status)
	status, _, m = r.call(http.MethodGet, r.v(sig), smartcartest.UserAlice, "")
	assert.Equal(t, 200, status)
	assert.Equal(t, "vehicle", m["included"].(map[string]any)["vehicle"].(map[string]any)["type"])
	status, _, _ = r.call(http.MethodPost, r.v("/vehicles/"+smartcartest.VehicleModel3+"/commands/security/lock"), "", "")
	assert.Equal(t, 400, status)
}

func TestSignalShapes(t *testing.T) {
	r := newRaw(t, smartcartest.WithUnwrappedSignals())
	_, _, m := r.call(http.MethodGet, r.v("/vehicles/"+smartcartest.VehicleModel3+"/signals/charge-chargerate"), smartcartest.UserAlice, "")
	assert.Equal(t, "charge-chargerate", m["id"], "unwrapped")
	attrs := m["attributes"].(map[string]any)
	status := attrs["status"].(map[string]any)
	assert.Equal(t, "ERROR", status["value"])
	assert.Equal(t, "NOT_CHARGING", status["error"].(map[string]any)["code"])
	assert.Equal(t, map[string]any{"value": 30.0, "unit": "km/h"}, attrs["body"], "a stale body alongside the error")

	ok := smartcartest.SignalState{Code: "odometer-traveleddistance", Name: "TraveledDistance", Group: "Odometer", Body: json.RawMessage(`{"value":100,"unit":"km"}`)}
	require.True(t, r.s.PutSignal(smartcartest.VehicleCamry, ok))
	assert.False(t, r.s.PutSignal("nope", ok))
	req, _ := http.NewRequest(http.MethodGet, r.v("/vehicles/"+smartcartest.VehicleCamry+"/signals/odometer-traveleddistance"), nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("SC-User-Id", smartcartest.UserBob)
	req.Header.Set("SC-Unit-System", "imperial")
	res, err := r.hc.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	// "miles" is the fake's documented assumption, not a spelling Smartcar documents.
	assert.Contains(t, string(b), `"body":{"unit":"miles","value":62.1}`)
	assert.Equal(t, "imperial", r.s.Requests()[len(r.s.Requests())-1].UnitSystem)
	got, found := r.s.Signal(smartcartest.VehicleCamry, "odometer-traveleddistance")
	assert.True(t, found)
	assert.Equal(t, smartcartest.Epoch.Add(-5*time.Minute), got.OEMUpdatedAt)
	_, found = r.s.Signal(smartcartest.VehicleCamry, "tractionbattery-stateofcharge")
	assert.False(t, found)
}

func TestCommands(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	r := newRaw(t, smartcartest.WithClock(clock))
	cmd := func(vehicle, action, user, body string) (int, map[string]any) {
		status, _, m := r.call(http.MethodPost, r.v("/vehicles/"+vehicle+"/commands/"+action), user, body)
		return status, m
	}
	status, m := cmd(smartcartest.VehicleModel3, "security/unlock", smartcartest.UserAlice, "")
	require.Equal(t, 200, status)
	data := m["data"].(map[string]any)
	assert.Equal(t, "command-execution", data["type"])
	attrs := data["attributes"].(map[string]any)
	assert.Equal(t, "security-unlock", attrs["commandType"])
	assert.Equal(t, map[string]any{"value": "SUCCESS"}, attrs["status"])
	assert.Equal(t, "2026-07-01T12:00:00.000Z", data["meta"].(map[string]any)["executedAt"])
	s, _ := r.s.Signal(smartcartest.VehicleModel3, "closure-islocked")
	assert.JSONEq(t, `{"value":false}`, string(s.Body))
	assert.Equal(t, clock.Now(), s.OEMUpdatedAt)

	status, m = cmd(smartcartest.VehicleModel3, "charge/set-limit", smartcartest.UserAlice, `{"data":{"attributes":{"percent":49}}}`)
	assert.Equal(t, 400, status)
	assert.Equal(t, "PARAMETER", firstError(t, m)["code"])
	status, _ = cmd(smartcartest.VehicleModel3, "charge/set-limit", smartcartest.UserAlice, `{"data":{"attributes":{"percent":80.5}}}`)
	assert.Equal(t, 400, status)
	status, _ = cmd(smartcartest.VehicleModel3, "charge/set-limit", smartcartest.UserAlice, `not json`)
	assert.Equal(t, 400, status)
	status, _ = cmd(smartcartest.VehicleModel3, "navigation/set-destination", smartcartest.UserAlice, `{"data":{"attributes":{"latitude":100,"longitude":0}}}`)
	assert.Equal(t, 400, status)
	status, _ = cmd(smartcartest.VehicleModel3, "climate/start", smartcartest.UserAlice, "")
	assert.Equal(t, 404, status)
	status, m = cmd(smartcartest.VehicleF150, "charge/start", smartcartest.UserBob, "")
	assert.Equal(t, 501, status)
	assert.Equal(t, "COMPATIBILITY", firstError(t, m)["type"])

	r.s.SetAsleep(smartcartest.VehicleModel3, true)
	status, m = cmd(smartcartest.VehicleModel3, "security/unlock", smartcartest.UserAlice, "")
	assert.Equal(t, 409, status)
	assert.Equal(t, "ASLEEP", firstError(t, m)["code"])
	r.s.SetAsleep(smartcartest.VehicleModel3, false)
	s, _ = r.s.Signal(smartcartest.VehicleModel3, "closure-islocked")
	assert.JSONEq(t, `{"value":false}`, string(s.Body), "refused commands change nothing: still unlocked")
}

func TestFaults(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	r := newRaw(t, smartcartest.WithClock(clock))
	lock := "/vehicles/" + smartcartest.VehicleModel3 + "/commands/security/lock"
	r.s.FailNext(smartcartest.UpstreamError().On(http.MethodPost, lock), smartcartest.BillingLimit().InForm(smartcartest.FormFlat))

	// The first fault waits for its path; the second matches anything.
	status, _, m := r.call(http.MethodGet, r.v("/connections"), "", "")
	assert.Equal(t, 430, status)
	assert.Equal(t, "BILLING", m["type"])
	assert.Equal(t, 430.0, m["statusCode"])
	assert.Equal(t, smartcartest.RequestID(1), m["requestId"])
	status, _, m = r.call(http.MethodPost, r.v(lock), smartcartest.UserAlice, "")
	assert.Equal(t, 502, status)
	assert.Equal(t, "UPSTREAM", firstError(t, m)["type"])
	status, _, _ = r.call(http.MethodPost, r.v(lock), smartcartest.UserAlice, "")
	assert.Equal(t, 200, status, "each fault is used once")

	r.s.FailNext(smartcartest.RateLimited(90 * time.Second).InForm(smartcartest.FormOAuth))
	status, h, m := r.call(http.MethodGet, r.v("/connections"), "", "")
	assert.Equal(t, 429, status)
	assert.Equal(t, "90", h.Get("Retry-After"))
	assert.Equal(t, map[string]any{"error": "vehicle", "error_description": "The vehicle received too many requests."}, m)

	r.s.FailNext(smartcartest.DropConnection())
	// A fresh connection, so that net/http cannot replay the GET on another one.
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, r.v("/connections"), nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	_, err := (&http.Client{Transport: tr}).Do(req)
	assert.Error(t, err, "the connection is closed without an answer")
	assert.Equal(t, 5, r.s.CountRequests("", ""), "a dropped request is logged")

	r.s.FailNext(smartcartest.Fault{ExecutionFailure: true, Type: "VEHICLE_STATE", Code: "DOOR_OPEN"})
	status, _, m = r.call(http.MethodPost, r.v(lock), smartcartest.UserAlice, "")
	assert.Equal(t, 200, status)
	st := m["data"].(map[string]any)["attributes"].(map[string]any)["status"].(map[string]any)
	assert.Equal(t, "ERROR", st["value"])
	assert.Equal(t, "DOOR_OPEN", st["error"].(map[string]any)["code"])

	r.s.LimitVehicle(smartcartest.VehicleModel3, 1500*time.Millisecond)
	status, h, m = r.call(http.MethodGet, r.v("/vehicles/"+smartcartest.VehicleModel3), "", "")
	assert.Equal(t, 429, status)
	assert.Equal(t, "2", h.Get("Retry-After"), "whole seconds, rounded up")
	assert.Equal(t, "VEHICLE", firstError(t, m)["code"])
	status, _, _ = r.call(http.MethodGet, r.v("/vehicles/"+smartcartest.VehicleCamry), "", "")
	assert.Equal(t, 200, status, "other vehicles are not limited")
	clock.Advance(2 * time.Second)
	status, _, _ = r.call(http.MethodGet, r.v("/vehicles/"+smartcartest.VehicleModel3), "", "")
	assert.Equal(t, 200, status)
}

func TestAppRateLimit(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	r := newRaw(t, smartcartest.WithClock(clock), smartcartest.WithAppRateLimit(2, 30*time.Second))
	for i := 0; i < 2; i++ {
		status, _, _ := r.call(http.MethodGet, r.s.ManagementAPIURL+"/subscriptions", "", "")
		assert.Equal(t, 200, status)
	}
	status, h, m := r.call(http.MethodGet, r.v("/connections"), "", "")
	assert.Equal(t, 429, status, "the bucket spans both APIs")
	assert.Empty(t, h.Get("Retry-After"), "documented on a vehicle's limit only")
	assert.Equal(t, "SMARTCAR_API", firstError(t, m)["code"])
	clock.Advance(30 * time.Second)
	status, _, _ = r.call(http.MethodGet, r.v("/connections"), "", "")
	assert.Equal(t, 200, status)

	r = newRaw(t, smartcartest.WithClock(clock), smartcartest.WithAppRateLimit(1, 30*time.Second), smartcartest.WithAppRetryAfter())
	r.call(http.MethodGet, r.v("/connections"), "", "")
	status, h, _ = r.call(http.MethodGet, r.v("/connections"), "", "")
	assert.Equal(t, 429, status)
	assert.Equal(t, "30", h.Get("Retry-After"), "WithAppRetryAfter")
}

func TestSubscriptions(t *testing.T) {
	r := newRaw(t)
	m := r.s.ManagementAPIURL
	body := `{"data":{"attributes":{"webhookId":"` + smartcartest.OtherWebhookID + `","userId":"` + smartcartest.UserBob + `","vehicleId":"` + smartcartest.VehicleF150 + `"}}}`
	status, _, doc := r.call(http.MethodPost, m+"/subscriptions", "", body)
	assert.Equal(t, 202, status)
	assert.Equal(t, map[string]any{"meta": map[string]any{"message": "subscription creation in progress"}}, doc)
	status, _, doc = r.call(http.MethodPost, m+"/subscriptions", "", body)
	assert.Equal(t, 409, status)
	assert.Equal(t, "409", firstError(t, doc)["status"])
	for _, bad := range []string{`{`, `{"data":{"attributes":{"webhookId":"x"}}}`} {
		status, _, _ = r.call(http.MethodPost, m+"/subscriptions", "", bad)
		assert.Equal(t, 400, status, bad)
	}
	status, _, doc = r.call(http.MethodGet, m+"/subscriptions?filter%5BwebhookId%5D="+smartcartest.OtherWebhookID, "", "")
	assert.Equal(t, 200, status)
	data := doc["data"].([]any)
	require.Len(t, data, 1)
	sub := data[0].(map[string]any)
	assert.Equal(t, "subscription", sub["type"])
	assert.Equal(t, "FORD", sub["attributes"].(map[string]any)["vehicle"].(map[string]any)["make"])
	assert.Equal(t, 25.0, doc["meta"].(map[string]any)["pageSize"])
	status, _, _ = r.call(http.MethodGet, m+"/subscriptions?page%5Bsize%5D=101", "", "")
	assert.Equal(t, 400, status)
	self := sub["links"].(map[string]any)["self"].(string)
	assert.True(t, strings.HasPrefix(self, m+"/subscriptions/"))
	status, _, _ = r.call(http.MethodDelete, self, "", "")
	assert.Equal(t, 204, status)
	assert.False(t, r.s.Subscribed(smartcartest.OtherWebhookID, smartcartest.VehicleF150))
}

func TestRevokeAndResetRequests(t *testing.T) {
	r := newRaw(t)
	r.s.RevokeTokens()
	status, _, _ := r.call(http.MethodGet, r.v("/connections"), "", "")
	assert.Equal(t, 401, status)
	assert.Equal(t, 1, r.s.CountRequests(http.MethodGet, "/connections"))
	r.s.ResetRequests()
	assert.Empty(t, r.s.Requests())
	r.s.FailTokenRequests(503)
	status, _, _ = r.post(r.s.TokenURL, "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id="+r.s.ClientID+"&client_secret="+r.s.ClientSecret)
	assert.Equal(t, 503, status)
}

// The request log holds each request's id, headers without the token and the status it
// was answered with; Stats counts across ResetRequests.
func TestRequestLogAndStats(t *testing.T) {
	r := newRaw(t)
	status, h, _ := r.call(http.MethodGet, r.v("/vehicles/"+smartcartest.VehicleModel3), smartcartest.UserAlice, "")
	require.Equal(t, 200, status)
	r.s.FailNext(smartcartest.RateLimited(time.Second))
	status, _, _ = r.call(http.MethodGet, r.v("/connections"), "", "")
	require.Equal(t, 429, status)
	reqs := r.s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, h.Get("SC-Request-Id"), reqs[0].ID)
	assert.Equal(t, 200, reqs[0].Status)
	assert.Equal(t, 429, reqs[1].Status)
	assert.Empty(t, reqs[0].Header.Get("Authorization"), "the token is not kept")
	assert.Equal(t, smartcartest.UserAlice, reqs[0].Header.Get("SC-User-Id"))
	reqs[0].Header.Set("X-Changed", "1")
	assert.Empty(t, r.s.Requests()[0].Header.Get("X-Changed"), "copies")

	r.s.ResetRequests()
	token := r.token
	r.token = "wrong"
	status, _, _ = r.call(http.MethodGet, r.v("/connections"), "", "")
	require.Equal(t, 401, status)
	r.s.FailNext(smartcartest.DropConnection())
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, r.v("/connections"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	_, err := (&http.Client{Transport: tr}).Do(req)
	require.Error(t, err)
	reqs = r.s.Requests()
	require.Len(t, reqs, 2, "ResetRequests emptied the log")
	assert.Equal(t, 401, reqs[0].Status)
	assert.Zero(t, reqs[1].Status, "dropped without an answer")
	assert.Equal(t, smartcartest.Stats{Requests: 4, Unauthorized: 1, RateLimited: 1, Faults: 2, TokenRequests: 1, Grants: 1}, r.s.Stats())
}
