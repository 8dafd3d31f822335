package smartcar_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

// BenchmarkWebhookVehicleState: a signed 20-signal VEHICLE_STATE delivery through
// WebhookHandler (read, verify, decode into typed signals and values, dedupe, stale
// check, hand to a callback) against a raw handler (read, crypto/hmac, json.Unmarshal
// into map[string]any), alternating in the same run. Target: ≤ 1.5× the baseline's
// time.
func BenchmarkWebhookVehicleState(b *testing.B) {
	fleet := smartcartest.NewServer()
	defer fleet.Close()
	fleet.PutSignal(smartcartest.VehicleCamry, smartcartest.SignalState{Code: "motion-currentspeed", Name: "CurrentSpeed", Group: "Motion", Body: json.RawMessage(`{"value":42.5,"unit":"km/h"}`)})
	fleet.PutSignal(smartcartest.VehicleCamry, smartcartest.SignalState{Code: "climate-internaltemperature", Name: "InternalTemperature", Group: "Climate", Body: json.RawMessage(`{"value":21.0,"unit":"degrees-celsius"}`)})
	const n = 256
	bodies, sigs := make([][]byte, n), make([]string, n)
	for i := range bodies {
		ev, _ := fleet.VehicleStateEvent(fmt.Sprintf("bench-%04d", i), smartcartest.VehicleCamry, smartcartest.Epoch.Add(time.Duration(i)*time.Second))
		bodies[i], sigs[i] = ev.Body, smartcartest.Sign(testToken, ev.Body)
	}
	var probe map[string]any
	if err := json.Unmarshal(bodies[0], &probe); err != nil {
		b.Fatal(err)
	}
	if got := len(probe["data"].(map[string]any)["signals"].([]any)); got != 20 {
		b.Fatalf("%d signals, want 20", got)
	}

	// The ids come round again every n deliveries: a retention of a nanosecond makes
	// each delivery fresh, so every one is decoded and handed over.
	h, err := smartcar.NewWebhookHandler(testToken, smartcar.WithDedupeRetention(time.Nanosecond))
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	var signals int
	h.HandleFunc(func(_ context.Context, ev smartcar.WebhookEvent) error {
		signals += len(ev.(*smartcar.VehicleStateEvent).Signals)
		return nil
	})
	raw := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		want, err := hex.DecodeString(r.Header.Get("SC-Signature"))
		mac := hmac.New(sha256.New, []byte(testToken))
		mac.Write(body)
		if err != nil || !hmac.Equal(mac.Sum(nil), want) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var v map[string]any
		if json.Unmarshal(body, &v) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		signals += len(v["data"].(map[string]any)["signals"].([]any))
		w.WriteHeader(http.StatusOK)
	})
	serve := func(handler http.Handler, i int) {
		req := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(bodies[i%n]))
		req.Header.Set(smartcar.SignatureHeader, sigs[i%n])
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	var ti, bi int
	smartcar.ReportRatio(b, func() { serve(h, ti); ti++ }, func() { serve(raw, bi); bi++ })
}
