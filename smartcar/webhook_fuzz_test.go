package smartcar_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fleetkit/fleetkit-go/smartcar"
)

func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for name := range knownSignatures {
		seeds = append(seeds, webhookFixture(f, name))
	}
	return seeds
}

// FuzzVerifySignature: VerifySignature never panics and accepts a signature only when
// it is the HMAC of the body (computed here with crypto/hmac).
func FuzzVerifySignature(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		mac := hmac.New(sha256.New, []byte(testToken))
		mac.Write(b)
		f.Add(b, hex.EncodeToString(mac.Sum(nil)))
		f.Add(b, "")
	}
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		err := smartcar.VerifySignature(body, sig, testToken, rotatedToken)
		if err != nil {
			if strings.Contains(err.Error(), testToken) || (len(sig) > 8 && strings.Contains(err.Error(), sig)) {
				t.Fatalf("the error quotes a secret: %v", err)
			}
			return
		}
		want := map[string]bool{}
		for _, tok := range []string{testToken, rotatedToken} {
			mac := hmac.New(sha256.New, []byte(tok))
			mac.Write(body)
			want[hex.EncodeToString(mac.Sum(nil))] = true
		}
		if !want[strings.ToLower(strings.TrimSpace(sig))] {
			t.Fatalf("accepted a signature that is not the body's HMAC")
		}
	})
}

// FuzzDecodeWebhookEvent: decoding never panics, and the handler never delivers an
// unsigned body: it is refused, or answered as a VERIFY whose challenge cannot be an
// event.
func FuzzDecodeWebhookEvent(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	h, err := smartcar.NewWebhookHandler(testToken)
	if err != nil {
		f.Fatal(err)
	}
	defer h.Close()
	var delivered int
	h.HandleFunc(func(_ context.Context, ev smartcar.WebhookEvent) error { delivered++; return nil })
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := smartcar.DecodeWebhookEvent(body)
		if err == nil && ev.Envelope() == nil {
			t.Fatal("an event without an envelope")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body)))
		if delivered != 0 {
			t.Fatalf("an unsigned body was delivered (status %d)", rec.Code)
		}
		if rec.Code == http.StatusOK {
			v, ok := ev.(*smartcar.VerifyEvent)
			if !ok || strings.HasPrefix(strings.TrimLeft(v.Challenge, " \t\r\n"), "{") {
				t.Fatalf("an unsigned body was accepted: %q", body)
			}
		}
	})
}
