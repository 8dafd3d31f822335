package smartcar_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/redact/redacttest"
	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// opensslSignatures reads testdata/smartcar/webhooks/signatures.txt, which sign.sh
// writes with openssl: the signature of each payload file and the answer to each
// challenge ("challenge:TEXT"), keyed by name.
func opensslSignatures(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "smartcar", "webhooks", "signatures.txt"))
	require.NoError(t, err)
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if sig, name, ok := strings.Cut(line, " "); ok && !strings.HasPrefix(line, "#") {
			out[name] = sig
		}
	}
	require.NotEmpty(t, out)
	return out
}

// The vectors of the Go table and of openssl's file agree, and cover every payload.
func TestKnownSignaturesMatchOpenSSL(t *testing.T) {
	file := opensslSignatures(t)
	for name, sig := range knownSignatures {
		assert.Equal(t, file[name], sig, name)
	}
	payloads, err := filepath.Glob(filepath.Join("..", "testdata", "smartcar", "webhooks", "*.json"))
	require.NoError(t, err)
	for _, p := range payloads {
		assert.Contains(t, file, filepath.Base(p), "sign.sh signs every payload")
	}
}

// rawPost sends an HTTP/1.1 request written byte by byte on its own TCP connection —
// what curl sends, not net/http's client: lower-case header names, no Accept-Encoding,
// Content-Length or a chunked body — and reads the answer.
func rawPost(t *testing.T, rawURL string, headers []string, body []byte, chunked bool) (int, string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	var req bytes.Buffer
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n", u.Path, u.Host)
	for _, h := range headers {
		req.WriteString(h + "\r\n")
	}
	if chunked {
		req.WriteString("Transfer-Encoding: chunked\r\n\r\n")
		for rest := body; len(rest) > 0; {
			n := min(len(rest), 1000)
			fmt.Fprintf(&req, "%x\r\n%s\r\n", n, rest[:n])
			rest = rest[n:]
		}
		req.WriteString("0\r\n\r\n")
	} else {
		fmt.Fprintf(&req, "Content-Length: %d\r\n\r\n", len(body))
		req.Write(body)
	}
	_, err = conn.Write(req.Bytes())
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(answer)
}

// Every documented payload, POSTed as curl would with the signature openssl computed,
// is verified over its raw bytes (white space, 80.0 and 1.0, UTF-8 text) and delivered
// once with those bytes; chunked bodies too; a redelivery is acknowledged and not
// delivered again; a changed byte is refused.
func TestWebhookForeignClient(t *testing.T) {
	sigs := opensslSignatures(t)
	r := newHookRig(t)
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents(), telematics.WithBuffer(16))
	require.NoError(t, err)
	defer sub.Close()
	post := func(name string, body []byte, chunked bool) (int, string) {
		return rawPost(t, r.url, []string{"content-type: application/json", "sc-signature: " + sigs[name]}, body, chunked)
	}

	for name, challenge := range map[string]string{"verify_v4.json": "3a8b1c2d-challenge-7e6f", "verify_v2.json": "legacy-challenge-0001"} {
		status, answer := post(name, webhookFixture(t, name), false)
		assert.Equal(t, http.StatusOK, status, name)
		assert.JSONEq(t, `{"challenge":"`+sigs["challenge:"+challenge]+`"}`, answer, name)
	}
	events := []string{"vehicle_state_v4.json", "vehicle_state_flat_triggers.json", "vehicle_state_v3.json", "vehicle_error_v4.json", "schedule_v2.json"}
	for i, name := range events {
		body := webhookFixture(t, name)
		status, answer := post(name, body, i%2 == 1)
		require.Equal(t, http.StatusOK, status, "%s: %s", name, answer)
		ev := <-sub.Webhooks()
		assert.Equal(t, body, []byte(ev.Envelope().Raw), "%s: Raw is the signed body", name)
	}
	for _, name := range events[:4] {
		status, _ := post(name, webhookFixture(t, name), true)
		assert.Equal(t, http.StatusOK, status, "%s redelivered", name)
	}
	select {
	case ev := <-sub.Webhooks():
		t.Fatalf("a redelivery was delivered again: %s", ev.Envelope())
	default:
	}
	assert.EqualValues(t, 4, r.h.Stats().Duplicates)

	// One byte changed: 80.0 → 80 (what re-serialising a parsed body does).
	body := bytes.Replace(webhookFixture(t, "vehicle_state_v4.json"), []byte("80.0"), []byte("80"), 1)
	status, answer := post("vehicle_state_v4.json", body, false)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, answer, "does not match the body")
	testkit.AssertNoSecrets(t, map[string]string{"answer": answer, "log": r.logs.String()}, "", testToken, sigs["vehicle_state_v4.json"])
}

// A chunked body (no Content-Length to refuse it early) is cut at the size limit: 413.
func TestWebhookForeignClientOversizedChunked(t *testing.T) {
	r := newHookRig(t, smartcar.WithMaxWebhookBody(4<<10))
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents())
	require.NoError(t, err)
	defer sub.Close()
	body := append(webhookFixture(t, "vehicle_error_v4.json"), bytes.Repeat([]byte(" "), 4<<10)...)
	status, answer := rawPost(t, r.url, []string{"sc-signature: " + smartcar.HashChallenge(testToken, string(body))}, body, true)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, answer, "larger than 4096 bytes")
	assert.EqualValues(t, 1, r.h.Stats().TooLarge)
	assert.Zero(t, r.h.Stats().Delivered)
}

// A client that sends the headers and part of the body, then nothing, is answered 408
// once the read timeout passes on the handler's clock, and nothing is delivered.
func TestWebhookForeignClientSlowloris(t *testing.T) {
	r := newHookRig(t, smartcar.WithWebhookReadTimeout(3*time.Second))
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents())
	require.NoError(t, err)
	defer sub.Close()
	u, err := url.Parse(r.url)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	body := webhookFixture(t, "vehicle_state_v4.json")
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nsc-signature: %s\r\nContent-Length: %d\r\n\r\n%s", u.Path, u.Host, knownSignatures["vehicle_state_v4.json"], len(body), body[:len(body)/2])
	require.NoError(t, err)
	require.Eventually(t, func() bool { return r.hclock.Timers() == 1 }, 5*time.Second, time.Millisecond, "the read timer runs")
	r.hclock.Advance(3 * time.Second)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Contains(t, string(answer), "not received within 3s")
	assert.EqualValues(t, 1, r.h.Stats().SlowBodies)
	assert.Zero(t, r.h.Stats().Delivered)
}

// Signature headers holding a secret — the token itself, or the expected signature —
// in any encoding a client or proxy might produce: whatever is refused, neither the
// error, the answer nor the log quotes the token or the expected signature in any form.
func TestWebhookSignatureErrorsQuoteNoSecretInAnyForm(t *testing.T) {
	r := newHookRig(t, smartcar.WithPreviousManagementTokens(rotatedToken))
	sub, err := r.h.Subscribe(context.Background(), smartcar.WebhookEvents(), telematics.WithBuffer(64))
	require.NoError(t, err)
	defer sub.Close()
	body := webhookFixture(t, "vehicle_error_v4.json")
	expected := knownSignatures["vehicle_error_v4.json"]
	texts := testkit.Texts{}
	refused := 0
	for _, secret := range []string{testToken, rotatedToken, expected, strings.ToUpper(expected)} {
		for form, header := range redacttest.Forms(secret) {
			for _, h := range []string{header, "sha256=" + header, header + header, `"` + header + `"`} {
				err := smartcar.VerifySignature(body, h, testToken, rotatedToken)
				if err == nil {
					continue // the expected signature itself, in a form equal to it
				}
				refused++
				texts.AddError(fmt.Sprintf("VerifySignature %s %q", form, h[:min(len(h), 8)]), err)
				status, answer := r.post(t, body, h)
				assert.Equal(t, http.StatusUnauthorized, status)
				texts[fmt.Sprintf("answer %s %q", form, h[:min(len(h), 8)])] = answer
			}
		}
	}
	assert.Greater(t, refused, 40)
	texts["log"] = r.logs.String()
	testkit.AssertNoSecrets(t, texts, "", testToken, rotatedToken, expected)
}

// While a token is rotated, a VERIFY signed with either token is answered with the hash
// of the token that signed it (values from openssl with rotatedToken).
func TestWebhookVerifyDuringRotation(t *testing.T) {
	const (
		signedWithRotated = "eb130f791a2da4dbe53abc9f120a44c6c5d4412a7b62e616f88e02c4d1e22f87" // verify_v4.json
		rotatedAnswer     = "be574eed99cf043f6d20216cb6c9cc5d1d9b5eac3e37254dc00f84b081a28ebf" // 3a8b1c2d-challenge-7e6f
	)
	sigs := opensslSignatures(t)
	r := newHookRig(t, smartcar.WithPreviousManagementTokens(rotatedToken))
	body := webhookFixture(t, "verify_v4.json")
	status, answer := rawPost(t, r.url, []string{"sc-signature: " + signedWithRotated}, body, false)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"challenge":"`+rotatedAnswer+`"}`, answer)
	status, answer = rawPost(t, r.url, []string{"sc-signature: " + sigs["verify_v4.json"]}, body, false)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"challenge":"`+sigs["challenge:3a8b1c2d-challenge-7e6f"]+`"}`, answer)
}
