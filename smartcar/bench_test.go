package smartcar_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// benchBodies are the body shapes of the 100-signal list, in turn: one of every shape of
// the reference. Their count (11) and the cycle of statuses (10) are coprime, so every
// shape appears with every status.
var benchBodies = []string{
	`{"value": 57, "unit": "percent"}`,
	`{"value": true}`,
	`{"value": "NOT_CHARGING"}`,
	`{"value": 300, "unit": "km", "type": "DEFAULT", "additionalValues": [{"type": "IDEAL_CONDITIONS", "value": 320}]}`,
	`{"values": [{"row": 0, "column": 0, "isOpen": false, "isLocked": true}, {"row": 0, "column": 1, "isOpen": false, "isLocked": true}, {"row": 1, "column": 0, "isOpen": false, "isLocked": true}, {"row": 1, "column": 1, "isOpen": false, "isLocked": true}], "rowCount": 2, "columnCount": 2}`,
	`{"values": [{"type": "GLOBAL", "limit": 80}], "activeLimit": 80, "unit": "percent"}`,
	`{"latitude": 37.7749, "longitude": -122.4194, "heading": 90, "direction": "E", "locationType": "CURRENT"}`,
	`{"isOpen": false, "isLocked": true}`,
	`{"source": "SMARTCAR", "capacity": 75, "availableCapacities": [{"capacity": 75, "description": "Long Range"}], "unit": "kWh"}`,
	`{"value": 48211.4, "unit": "km"}`,
	`{"value": 3}`,
}

// benchSignals returns n signals of every shape, some failed, in the fake's form.
func benchSignals(n int) []smartcartest.SignalState {
	out := make([]smartcartest.SignalState, n)
	for i := range out {
		s := smartcartest.SignalState{Code: fmt.Sprintf("group%d-signal%03d", i%7, i), Name: fmt.Sprintf("Signal%03d", i), Group: fmt.Sprintf("Group%d", i%7),
			Body: json.RawMessage(benchBodies[i%len(benchBodies)])}
		switch i % 10 {
		case 9:
			s.Status, s.ErrorType, s.ErrorCode, s.ErrorDetail, s.Resolution = "ERROR", "VEHICLE_STATE", "NOT_CHARGING", "The vehicle is not charging.", "RETRY_LATER"
		case 8:
			s.Status, s.Body = "UNAVAILABLE", nil
		}
		out[i] = s
	}
	return out
}

// fakeWith100 returns a fake whose Model 3 has exactly 100 signals.
func fakeWith100() *smartcartest.Server {
	fake := smartcartest.NewServer()
	fake.RemoveSignals(smartcartest.VehicleModel3)
	for _, s := range benchSignals(100) {
		fake.PutSignal(smartcartest.VehicleModel3, s)
	}
	return fake
}

// rawSignalList fetches the 100-signal list response as bytes with plain net/http.
func rawSignalList(b *testing.B, fake *smartcartest.Server) (token string, body []byte) {
	b.Helper()
	res, err := http.PostForm(fake.TokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {fake.ClientID}, "client_secret": {fake.ClientSecret}})
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	return tok.AccessToken, getSignals(b, fake, tok.AccessToken)
}

func getSignals(b *testing.B, fake *smartcartest.Server, token string) []byte {
	req, _ := http.NewRequest(http.MethodGet, fake.VehicleAPIURL+"/vehicles/"+smartcartest.VehicleModel3+"/signals", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("SC-User-Id", smartcartest.UserAlice)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("status %d: %v", res.StatusCode, err)
	}
	return body
}

// BenchmarkSignalsList reads 100 signals through the client (token, request loop, typed
// decode) and, as the baseline, with a bare net/http GET decoded into map[string]any,
// both against the same loopback fake. The ratio sub-benchmark runs both on every
// iteration and reports their quotients.
func BenchmarkSignalsList(b *testing.B) {
	fake := fakeWith100()
	defer fake.Close()
	ctx := context.Background()
	c, err := fake.NewClient()
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	token, _ := rawSignalList(b, fake)
	defer http.DefaultClient.CloseIdleConnections()
	client := func() {
		set, err := c.Signals.List(ctx, smartcartest.VehicleModel3, smartcar.WithUserID(smartcartest.UserAlice))
		if err != nil || len(set.Signals) != 100 {
			b.Fatal(err)
		}
	}
	baseline := func() {
		var m map[string]any
		if err := json.Unmarshal(getSignals(b, fake, token), &m); err != nil || len(m["data"].([]any)) != 100 {
			b.Fatal(err)
		}
	}
	b.Run("fleetkit", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			client()
		}
	})
	b.Run("net-http-baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			baseline()
		}
	})
	b.Run("ratio", func(b *testing.B) { smartcar.ReportRatio(b, client, baseline) })
}
