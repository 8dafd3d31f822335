package redact_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/internal/redact"
	"github.com/fleetkit/fleetkit-go/internal/redact/redacttest"
)

// Secrets with every character that encodings treat specially.
const (
	clientID = "client 7/fleet@mycartracks.com"
	secret   = "s3cr+t/with<odd>&chars= é"
	token    = "tok/en+with<odd>chars=="
)

func TestEveryEncodingIsRedacted(t *testing.T) {
	r := redact.New(clientID, secret)
	r.AddToken(token)
	secrets := map[string]string{"secret": secret, "token": token}
	for i, b := range redacttest.BasicForms(clientID, secret) {
		secrets[fmt.Sprint("basic ", i)] = b
	}
	for name, s := range secrets {
		for form, enc := range redacttest.Forms(s) {
			t.Run(name+"/"+form, func(t *testing.T) {
				text := `{"error":"invalid_token","message":"refused ` + enc + ` (again: ` + enc + `)"}`
				got := r.String(text)
				assert.NotContains(t, got, enc)
				assert.Equal(t, 2, strings.Count(got, redact.Replacement), got)
				assert.True(t, strings.HasPrefix(got, `{"error":"invalid_token","message":"refused `), got)
				assert.True(t, strings.HasSuffix(got, `)"}`), got)
				if strings.HasPrefix(form, "json") {
					var m map[string]string
					assert.NoError(t, json.Unmarshal([]byte(got), &m), "the JSON stays valid")
				}
			})
		}
	}
}

func TestNothingElseIsTouched(t *testing.T) {
	r := redact.New(clientID, secret)
	r.AddToken(token)
	for _, text := range []string{
		"", "plain text", `{"message":"tok/en+with<odd>chars"}`, "%zz%2", `\u12`, "&#;&#x;&unknown;", "s3cr+t",
		strings.Repeat("%25", 1000), strings.Repeat(`\u0073`, 1000),
	} {
		assert.Equal(t, text, r.String(text))
	}
	b := []byte("nothing secret here")
	assert.Same(t, &b[0], &r.Bytes(b)[0], "no copy when nothing is found")
}

func TestTokensAndExtras(t *testing.T) {
	var none *redact.Redactor
	assert.Equal(t, "a REDACTED b", none.String("a per-call-token b", "per-call-token"))
	assert.Equal(t, "short abc", none.String("short abc", "abc"), "secrets below MinLength are not looked for")

	r := redact.New("id", "")
	for i := range 6 {
		r.AddToken(fmt.Sprintf("token-number-%d", i))
	}
	got := r.String("token-number-0 token-number-2 token-number-5")
	assert.Equal(t, "token-number-0 REDACTED REDACTED", got, "the latest four tokens are remembered")
	r.AddToken("token-number-2")
	r.AddToken("token-number-6")
	assert.Equal(t, "REDACTED token-number-3", r.String("token-number-2 token-number-3"), "a token added again stays")
}

func TestSecretWithEscapeCharacters(t *testing.T) {
	const s = `50%25+\u00a&#x;`
	r := redact.New("id", s)
	for _, enc := range []string{s, url.QueryEscape(s), strings.Trim(mustJSON(s), `"`), redacttest.Forms(s)["percent all"]} {
		assert.Equal(t, "<REDACTED>", r.String("<"+enc+">"), enc)
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func FuzzRedact(f *testing.F) {
	f.Add("refused " + url.QueryEscape(secret))
	f.Add(redacttest.Forms(token)["json all"])
	f.Fuzz(func(t *testing.T, text string) {
		r := redact.New(clientID, secret)
		r.AddToken(token)
		got := r.String(text)
		for _, s := range []string{secret, token} {
			assert.NotContains(t, got, s)
		}
	})
}
