package smartcartest_test

// Requests written from Smartcar's public documentation (summarised with its evidence in docs/evidence.md)
// with plain net/http, not with fleetkit's client: the fake must answer them as the
// reference describes.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

var uuidForm = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Item 1: a trailing slash is served as the path without it; every answer, a 404 or 401
// included, carries an SC-Request-Id in UUID form; authentication comes before routing.
func TestRoutingAndHeaders(t *testing.T) {
	r := newRaw(t)
	veh := "/vehicles/" + smartcartest.VehicleModel3
	tests := []struct {
		name   string
		method string
		url    string
		user   string
		token  string // "" keeps the valid token
		status int
		typ    string
	}{
		{"get vehicle", "GET", r.v(veh), "", "", 200, ""},
		{"get vehicle, trailing slash (Node SDK)", "GET", r.v(veh + "/"), "", "", 200, ""},
		{"signals, trailing slash", "GET", r.v(veh + "/signals/"), smartcartest.UserAlice, "", 200, ""},
		{"one signal, trailing slash", "GET", r.v(veh + "/signals/closure-islocked/"), smartcartest.UserAlice, "", 200, ""},
		{"connections, trailing slash", "GET", r.v("/connections/"), "", "", 200, ""},
		{"subscriptions, trailing slash", "GET", r.s.ManagementAPIURL + "/subscriptions/", "", "", 200, ""},
		{"webhooks, trailing slash", "GET", r.s.ManagementAPIURL + "/webhooks/", "", "", 200, ""},
		{"command, trailing slash", "POST", r.v(veh + "/commands/security/lock/"), smartcartest.UserAlice, "", 200, ""},
		{"unknown path", "GET", r.v("/nothing/here"), "", "", 404, "RESOURCE_NOT_FOUND"},
		{"unknown root path", "GET", r.s.URL + "/v2.0/vehicles", "", "", 404, "RESOURCE_NOT_FOUND"},
		{"unsupported method", "PUT", r.v("/connections"), "", "", 404, "RESOURCE_NOT_FOUND"},
		{"unknown path, bad token", "GET", r.v("/nothing/here"), "", "nope", 401, "AUTHENTICATION"},
		{"unknown root path, no token", "GET", r.s.URL + "/v2.0/vehicles", "", "-", 401, "AUTHENTICATION"},
		{"known path, bad token", "GET", r.v(veh + "/"), "", "nope", 401, "AUTHENTICATION"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, tc.url, nil)
			require.NoError(t, err)
			switch tc.token {
			case "":
				req.Header.Set("Authorization", "Bearer "+r.token)
			case "-":
			default:
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.user != "" {
				req.Header.Set("sc-user-id", tc.user)
			}
			res, err := r.hc.Do(req)
			require.NoError(t, err)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			require.Equal(t, tc.status, res.StatusCode, string(b))
			assert.Regexp(t, uuidForm, res.Header.Get("SC-Request-Id"))
			assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
			if tc.typ != "" {
				var m map[string]any
				require.NoError(t, json.Unmarshal(b, &m))
				assert.Equal(t, tc.typ, firstError(t, m)["type"])
			}
		})
	}
	ids := map[string]bool{}
	for _, l := range r.s.Requests() {
		assert.False(t, ids[l.ID], "request ids are unique")
		ids[l.ID] = true
		assert.False(t, strings.HasSuffix(l.Path, "/"), "logged without the slash: %s", l.Path)
	}
}

// Item 1: retry-after (seconds) is on a vehicle's 429 [C], not on the application's.
func TestRetryAfterWhereDocumented(t *testing.T) {
	r := newRaw(t, smartcartest.WithAppRateLimit(1, time.Minute))
	r.s.LimitVehicle(smartcartest.VehicleCamry, 42*time.Second)
	for _, tc := range []struct {
		name, url, retryAfter, code string
	}{
		{"vehicle limit", r.v("/vehicles/" + smartcartest.VehicleCamry), "42", "VEHICLE"},
		{"application limit", r.v("/vehicles/" + smartcartest.VehicleModel3), "", "SMARTCAR_API"},
	} {
		status, h, m := r.call(http.MethodGet, tc.url, "", "")
		assert.Equal(t, 429, status, tc.name)
		assert.Equal(t, tc.retryAfter, h.Get("Retry-After"), tc.name)
		assert.Equal(t, tc.code, firstError(t, m)["code"], tc.name)
	}
}

// Item 2: the token endpoint takes the credentials as a form body, a JSON body and
// HTTP Basic; a missing grant_type is 400 invalid_request.
func TestTokenRequestForms(t *testing.T) {
	s := smartcartest.NewServer()
	defer s.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID}, "client_secret": {s.ClientSecret}}
	jsonBody := `{"grant_type":"client_credentials","client_id":"` + s.ClientID + `","client_secret":"` + s.ClientSecret + `"}`
	tests := []struct {
		name, contentType, body string
		basic                   bool
		status                  int
		errCode                 string
	}{
		{"form body (docs' curl)", "application/x-www-form-urlencoded", form.Encode(), false, 200, ""},
		{"JSON body (reference schema)", "application/json", jsonBody, false, 200, ""},
		{"HTTP Basic", "application/x-www-form-urlencoded", "grant_type=client_credentials", true, 200, ""},
		{"missing grant_type, form", "application/x-www-form-urlencoded", "client_id=" + s.ClientID + "&client_secret=" + s.ClientSecret, false, 400, "invalid_request"},
		{"missing grant_type, JSON", "application/json", `{"client_id":"` + s.ClientID + `","client_secret":"` + s.ClientSecret + `"}`, false, 400, "invalid_request"},
		{"bad secret", "application/json", strings.Replace(jsonBody, s.ClientSecret, "wrong", 1), false, 401, "invalid_client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.TokenURL, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			if tc.basic {
				req.SetBasicAuth(s.ClientID, s.ClientSecret)
			}
			res, err := hc.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			var m map[string]any
			require.NoError(t, json.NewDecoder(res.Body).Decode(&m))
			require.Equal(t, tc.status, res.StatusCode, "%v", m)
			if tc.errCode != "" {
				assert.Equal(t, tc.errCode, m["error"])
				return
			}
			assert.Equal(t, "Bearer", m["token_type"])
			assert.EqualValues(t, 3600, m["expires_in"])
			token, _ := m["access_token"].(string)
			require.NotEmpty(t, token)
			api, _ := http.NewRequest(http.MethodGet, s.VehicleAPIURL+"/vehicles/"+smartcartest.VehicleCamry, nil)
			api.Header.Set("Authorization", "Bearer "+token)
			res2, err := hc.Do(api)
			require.NoError(t, err)
			res2.Body.Close()
			assert.Equal(t, 200, res2.StatusCode, "the token works")
		})
	}
}

// Item 3: errors in the documented v3 form by default, with the request id in
// meta.debug.requestId; the flat form of the official SDKs per server.
func TestErrorForms(t *testing.T) {
	cases := []struct {
		name, method, path, user string
		status                   int
		typ, code                string
	}{
		{"unknown vehicle", "GET", "/vehicles/00000000-aaaa-4bbb-8ccc-000000000000", "", 404, "RESOURCE_NOT_FOUND", "VEHICLE_NOT_FOUND"},
		{"unknown vehicle's signals", "GET", "/vehicles/nope/signals", smartcartest.UserAlice, 404, "RESOURCE_NOT_FOUND", "VEHICLE_NOT_FOUND"},
		{"unknown path", "GET", "/vehicles/" + smartcartest.VehicleModel3 + "/nope", "", 404, "RESOURCE_NOT_FOUND", "PATH"},
		{"missing sc-user-id", "GET", "/vehicles/" + smartcartest.VehicleModel3 + "/signals", "", 400, "VALIDATION", "PARAMETER"},
		{"another user's vehicle", "GET", "/vehicles/" + smartcartest.VehicleModel3 + "/signals", smartcartest.UserBob, 403, "PERMISSION", ""},
		{"unknown signal", "GET", "/vehicles/" + smartcartest.VehicleModel3 + "/signals/vin", smartcartest.UserAlice, 404, "RESOURCE_NOT_FOUND", "SIGNAL_NOT_FOUND"},
		{"not capable", "POST", "/vehicles/" + smartcartest.VehicleCamry + "/commands/charge/start", smartcartest.UserBob, 501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE"},
	}
	t.Run("JSON:API (default)", func(t *testing.T) {
		r := newRaw(t)
		for _, tc := range cases {
			status, h, m := r.call(tc.method, r.v(tc.path), tc.user, "")
			require.Equal(t, tc.status, status, tc.name)
			e := firstError(t, m)
			assert.Equal(t, tc.typ, e["type"], tc.name)
			if tc.code == "" {
				assert.Nil(t, e["code"], tc.name)
			} else {
				assert.Equal(t, tc.code, e["code"], tc.name)
			}
			assert.IsType(t, "", e["status"], "status is a string [C]")
			assert.NotEmpty(t, e["title"], tc.name)
			assert.NotEmpty(t, e["detail"], tc.name)
			assert.NotEmpty(t, e["links"].(map[string]any)["about"], tc.name)
			debug := e["meta"].(map[string]any)["debug"].(map[string]any)
			assert.Equal(t, h.Get("SC-Request-Id"), debug["requestId"], tc.name)
		}
	})
	t.Run("flat", func(t *testing.T) {
		r := newRaw(t, smartcartest.WithErrorForm(smartcartest.FormFlat))
		for _, tc := range cases {
			status, h, m := r.call(tc.method, r.v(tc.path), tc.user, "")
			require.Equal(t, tc.status, status, tc.name)
			assert.Equal(t, tc.typ, m["type"], tc.name)
			if tc.code == "" {
				assert.Nil(t, m["code"], tc.name)
			} else {
				assert.Equal(t, tc.code, m["code"], tc.name)
			}
			assert.EqualValues(t, tc.status, m["statusCode"], tc.name)
			assert.Equal(t, h.Get("SC-Request-Id"), m["requestId"], tc.name)
			for _, k := range []string{"description", "docURL", "resolution", "suggestedUserMessage"} {
				assert.Contains(t, m, k, tc.name)
			}
			assert.NotContains(t, m, "errors")
		}
		// A fault with its own form keeps it.
		r.s.FailNext(smartcartest.ServerError().InForm(smartcartest.FormJSONAPI))
		_, _, m := r.call(http.MethodGet, r.v("/connections"), "", "")
		assert.Equal(t, "SERVER", firstError(t, m)["type"])
	})
}

// Item 4: signal times are epoch milliseconds (RFC 3339 as a variant); page[...] is
// honoured on GET /signals.
func TestSignalTimesAndPaging(t *testing.T) {
	sig := "/vehicles/" + smartcartest.VehicleModel3 + "/signals"
	retrieved := smartcartest.Epoch.Add(-3 * time.Minute)
	updated := smartcartest.Epoch.Add(-5 * time.Minute)

	r := newRaw(t)
	_, _, m := r.call(http.MethodGet, r.v(sig+"/tractionbattery-stateofcharge"), smartcartest.UserAlice, "")
	meta := m["data"].(map[string]any)["meta"].(map[string]any)
	assert.Equal(t, map[string]any{"retrievedAt": float64(retrieved.UnixMilli()), "oemUpdatedAt": float64(updated.UnixMilli())}, meta)
	_, _, m = r.call(http.MethodGet, r.v(sig+"/climate-externaltemperature"), smartcartest.UserAlice, "")
	assert.Empty(t, m["data"].(map[string]any)["meta"], "an UNAVAILABLE reading has no times")

	rfc := newRaw(t, smartcartest.WithRFC3339SignalTimes())
	_, _, m = rfc.call(http.MethodGet, rfc.v(sig+"/tractionbattery-stateofcharge"), smartcartest.UserAlice, "")
	meta = m["data"].(map[string]any)["meta"].(map[string]any)
	assert.Equal(t, "2026-06-29T23:57:00.000Z", meta["retrievedAt"])
	assert.Equal(t, "2026-06-29T23:55:00.000Z", meta["oemUpdatedAt"])
	assert.Equal(t, "2026-06-29T23:57:01.000Z", meta["ingestedAt"])

	_, _, all := r.call(http.MethodGet, r.v(sig), smartcartest.UserAlice, "")
	total := len(all["data"].([]any))
	require.Greater(t, total, 10)
	assert.EqualValues(t, total, all["meta"].(map[string]any)["pageSize"], "all signals on one page by default [R]")
	assert.Nil(t, all["links"].(map[string]any)["next"])

	for _, tc := range []struct {
		query        string
		status, n    int
		next, prev   bool
		firstSignal  string
		pageNumberIs float64
	}{
		{"page%5Bsize%5D=5", 200, 5, true, false, "charge-chargelimits", 1},
		{"page%5Bsize%5D=5&page%5Bnumber%5D=2", 200, 5, true, true, "charge-timetocomplete", 2},
		{"page%5Bsize%5D=5&page%5Bnumber%5D=" + strconv.Itoa((total+4)/5), 200, total - 5*((total+4)/5-1), false, true, "", float64((total + 4) / 5)},
		{"page%5Bsize%5D=0", 400, 0, false, false, "", 0},
		{"page%5Bnumber%5D=0", 400, 0, false, false, "", 0},
	} {
		status, _, m := r.call(http.MethodGet, r.v(sig+"?"+tc.query), smartcartest.UserAlice, "")
		require.Equal(t, tc.status, status, tc.query)
		if status != 200 {
			assert.Equal(t, "PARAMETER", firstError(t, m)["code"])
			continue
		}
		data := m["data"].([]any)
		assert.Len(t, data, tc.n, tc.query)
		if tc.firstSignal != "" {
			assert.Equal(t, tc.firstSignal, data[0].(map[string]any)["id"], tc.query)
		}
		links := m["links"].(map[string]any)
		assert.Equal(t, tc.next, links["next"] != nil, tc.query)
		assert.Equal(t, tc.prev, links["prev"] != nil, tc.query)
		assert.Equal(t, tc.pageNumberIs, m["meta"].(map[string]any)["pageNumber"], tc.query)
		assert.EqualValues(t, total, m["meta"].(map[string]any)["totalCount"], tc.query)
		assert.Equal(t, "vehicle", m["included"].(map[string]any)["vehicle"].(map[string]any)["type"], tc.query)
	}
}

// Item 5: GET /webhooks and /webhooks/{id} with their documented filters and page sizes;
// the relationship links of a subscription lead somewhere; filter[user.externalId].
func TestManagementWebhooks(t *testing.T) {
	r := newRaw(t)
	m := r.s.ManagementAPIURL
	for _, tc := range []struct {
		query  string
		status int
		ids    []string
	}{
		{"", 200, []string{smartcartest.WebhookID, smartcartest.OtherWebhookID, smartcartest.DisabledWebhookID}},
		{"filter%5Bname%5D=Fleet+errors", 200, []string{smartcartest.OtherWebhookID}},
		{"filter%5BcallbackUri%5D=" + url.QueryEscape("https://example.com/smartcar/webhooks"), 200, []string{smartcartest.WebhookID}},
		{"filter%5BisEnabled%5D=false", 200, []string{smartcartest.DisabledWebhookID}},
		{"filter%5BisEnabled%5D=true&filter%5BautoSubscribe%5D=true", 200, []string{smartcartest.OtherWebhookID}},
		{"filter%5BautoSubscribe%5D=false&page%5Bsize%5D=1&page%5Bnumber%5D=2", 200, []string{smartcartest.DisabledWebhookID}},
		{"filter%5Bname%5D=nobody", 200, []string{}},
		{"filter%5BisEnabled%5D=yes", 400, nil},
		{"page%5Bsize%5D=100", 200, []string{smartcartest.WebhookID, smartcartest.OtherWebhookID, smartcartest.DisabledWebhookID}},
		{"page%5Bsize%5D=101", 400, nil},
	} {
		status, _, doc := r.call(http.MethodGet, m+"/webhooks?"+tc.query, "", "")
		require.Equal(t, tc.status, status, tc.query)
		if status != 200 {
			continue
		}
		ids := []string{}
		for _, d := range doc["data"].([]any) {
			w := d.(map[string]any)
			assert.Equal(t, "webhook", w["type"])
			ids = append(ids, w["id"].(string))
		}
		assert.Equal(t, tc.ids, ids, tc.query)
	}
	_, _, doc := r.call(http.MethodGet, m+"/webhooks", "", "")
	assert.EqualValues(t, 50, doc["meta"].(map[string]any)["pageSize"], "default page size 50 [C]")

	status, _, doc := r.call(http.MethodGet, m+"/webhooks/"+smartcartest.OtherWebhookID+"/", "", "")
	require.Equal(t, 200, status)
	attrs := doc["data"].(map[string]any)["attributes"].(map[string]any)
	assert.Equal(t, map[string]any{"name": "Fleet errors", "callbackUri": "https://example.com/smartcar/errors", "isEnabled": true, "autoSubscribe": true}, attrs)
	status, _, doc = r.call(http.MethodGet, m+"/webhooks/nope", "", "")
	assert.Equal(t, 404, status)
	assert.Equal(t, "WEBHOOK_NOT_FOUND", firstError(t, doc)["code"])

	// Every related link of a subscription answers.
	_, _, doc = r.call(http.MethodGet, m+"/subscriptions/"+smartcartest.SubscriptionOne, "", "")
	rels := doc["data"].(map[string]any)["relationships"].(map[string]any)
	for _, name := range []string{"webhook", "vehicle"} {
		related := rels[name].(map[string]any)["links"].(map[string]any)["related"].(string)
		status, _, res := r.call(http.MethodGet, related, "", "")
		assert.Equal(t, 200, status, related)
		assert.Equal(t, name, res["data"].(map[string]any)["type"])
	}

	for _, tc := range []struct {
		external string
		want     []string
	}{
		{smartcartest.ExternalIDBob, []string{smartcartest.ConnectionF150, smartcartest.ConnectionCamry}},
		{smartcartest.ExternalIDCarol, []string{smartcartest.ConnectionBolt}},
		{"nobody", []string{}},
	} {
		_, _, doc := r.call(http.MethodGet, r.v("/connections?filter%5Buser.externalId%5D="+tc.external), "", "")
		ids := []string{}
		for _, d := range doc["data"].([]any) {
			c := d.(map[string]any)
			ids = append(ids, c["id"].(string))
			assert.Equal(t, tc.external, c["attributes"].(map[string]any)["user"].(map[string]any)["externalId"])
		}
		assert.Equal(t, tc.want, ids, tc.external)
	}
}

// Item 6: charge schedules, daily as documented, weekly, workweek and delete as the
// reference lists them.
func TestChargeSchedules(t *testing.T) {
	r := newRaw(t)
	base := "/vehicles/" + smartcartest.VehicleModel3 + "/charge-schedules"
	loc := `"location":{"latitude":37.7749,"longitude":-122.4194}`
	tests := []struct {
		name, path, user, body string
		status                 int
		code                   string
	}{
		{"daily (docs' example)", base + "/daily", smartcartest.UserAlice, `{"data":{"attributes":{` + loc + `,"startTime":"08:00","stopTime":"10:00"}}}`, 200, ""},
		{"weekly", base + "/weekly", smartcartest.UserAlice, `{"data":{"attributes":{` + loc + `,"days":{"monday":{"startTime":"22:00","stopTime":"06:00"}}}}}`, 200, ""},
		{"workweek", base + "/workweek", smartcartest.UserAlice, `{"data":{"attributes":{` + loc + `,"weekdays":{"startTime":"01:00","stopTime":"05:00"},"weekends":{"startTime":"10:00","stopTime":"14:00"}}}}`, 200, ""},
		{"missing sc-user-id", base + "/daily", "", `{"data":{"attributes":{` + loc + `,"startTime":"08:00","stopTime":"10:00"}}}`, 400, "PARAMETER"},
		{"bad time", base + "/daily", smartcartest.UserAlice, `{"data":{"attributes":{` + loc + `,"startTime":"8am","stopTime":"10:00"}}}`, 400, "PARAMETER"},
		{"no location", base + "/daily", smartcartest.UserAlice, `{"data":{"attributes":{"startTime":"08:00","stopTime":"10:00"}}}`, 400, "PARAMETER"},
		{"weekly, bad day", base + "/weekly", smartcartest.UserAlice, `{"data":{"attributes":{` + loc + `,"days":{"funday":{"startTime":"22:00","stopTime":"06:00"}}}}}`, 400, "PARAMETER"},
		{"workweek, empty", base + "/workweek", smartcartest.UserAlice, `{"data":{"attributes":{` + loc + `}}}`, 400, "PARAMETER"},
		{"unknown kind", base + "/monthly", smartcartest.UserAlice, `{}`, 404, "PATH"},
		{"not a Tesla", "/vehicles/" + smartcartest.VehicleID4 + "/charge-schedules/daily", smartcartest.UserAlice, `{"data":{"attributes":{` + loc + `,"startTime":"08:00","stopTime":"10:00"}}}`, 501, "VEHICLE_NOT_CAPABLE"},
	}
	var scheduleIDs []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, m := r.call(http.MethodPost, r.v(tc.path), tc.user, tc.body)
			require.Equal(t, tc.status, status, "%v", m)
			if tc.code != "" {
				assert.Equal(t, tc.code, firstError(t, m)["code"])
				return
			}
			data := m["data"].(map[string]any)
			assert.Equal(t, "charge-schedule-execution", data["type"])
			a := data["attributes"].(map[string]any)
			assert.Equal(t, "create", a["action"])
			assert.Equal(t, tc.path[strings.LastIndex(tc.path, "/")+1:], a["scheduleType"])
			assert.Equal(t, map[string]any{"value": "SUCCESS"}, a["status"])
			id := a["scheduleId"].(string)
			assert.Equal(t, base+"/"+id, data["links"].(map[string]any)["schedule"])
			scheduleIDs = append(scheduleIDs, id)
		})
	}
	require.Len(t, scheduleIDs, 3)
	timers := func() []any {
		_, _, m := r.call(http.MethodGet, r.v("/vehicles/"+smartcartest.VehicleModel3+"/signals/charge-chargetimers"), smartcartest.UserAlice, "")
		return m["data"].(map[string]any)["attributes"].(map[string]any)["body"].(map[string]any)["values"].([]any)
	}
	got := timers()
	require.Len(t, got, 3)
	assert.Equal(t, "LOCATION", got[0].(map[string]any)["type"])
	assert.Equal(t, scheduleIDs[0], got[0].(map[string]any)["scheduleId"])

	status, _, m := r.call(http.MethodDelete, r.v(base+"/"+scheduleIDs[1]), smartcartest.UserAlice, "")
	require.Equal(t, 200, status)
	assert.Equal(t, "delete", m["data"].(map[string]any)["attributes"].(map[string]any)["action"])
	assert.Len(t, timers(), 2)
	status, _, m = r.call(http.MethodDelete, r.v(base+"/"+scheduleIDs[1]), smartcartest.UserAlice, "")
	assert.Equal(t, 404, status)
	assert.Equal(t, "CHARGE_SCHEDULE_NOT_FOUND", firstError(t, m)["code"])
}

// Item 6: a long-running command answers 202 at once, without Content-Length, and its
// final record later on the same connection; the state changes only then.
func TestLongRunningCommand(t *testing.T) {
	r := newRaw(t)
	r.s.SetLongRunning(smartcartest.VehicleModel3, true)
	req, _ := http.NewRequest(http.MethodPost, r.v("/vehicles/"+smartcartest.VehicleModel3+"/commands/security/unlock"), nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("sc-user-id", smartcartest.UserAlice)
	res, err := r.hc.Do(req) // returns with the header, before the body
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusAccepted, res.StatusCode)
	assert.EqualValues(t, -1, res.ContentLength, "no Content-Length")
	assert.Equal(t, 1, r.s.PendingCommands(smartcartest.VehicleModel3))
	s, _ := r.s.Signal(smartcartest.VehicleModel3, "closure-islocked")
	assert.JSONEq(t, `{"value":true}`, string(s.Body), "not applied yet")

	assert.Equal(t, 1, r.s.CompleteCommands(smartcartest.VehicleModel3))
	var doc map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&doc))
	attrs := doc["data"].(map[string]any)["attributes"].(map[string]any)
	assert.Equal(t, map[string]any{"value": "SUCCESS"}, attrs["status"])
	assert.Equal(t, "security-unlock", attrs["commandType"])
	s, _ = r.s.Signal(smartcartest.VehicleModel3, "closure-islocked")
	assert.JSONEq(t, `{"value":false}`, string(s.Body))
	assert.Zero(t, r.s.PendingCommands(smartcartest.VehicleModel3))
	assert.Zero(t, r.s.CompleteCommands(smartcartest.VehicleModel3), "nothing left")

	// AwaitLongRunning gives up with its context, and Close ends a held command.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, r.s.AwaitLongRunning(ctx, smartcartest.VehicleModel3, 1), context.Canceled)
	res2, err := r.hc.Do(req.Clone(context.Background()))
	require.NoError(t, err)
	require.NoError(t, r.s.AwaitLongRunning(context.Background(), smartcartest.VehicleModel3, 1))
	r.s.Close()
	_, err = io.ReadAll(res2.Body)
	res2.Body.Close()
	assert.Error(t, err, "closed without the final record")
}
