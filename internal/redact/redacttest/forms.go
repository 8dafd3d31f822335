// Package redacttest lists the encodings a server may echo a secret in, for the tests
// of every package that must never let one through.
package redacttest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Forms returns the encodings a server may echo s in, by name.
func Forms(s string) map[string]string {
	jsonStd, _ := json.Marshal(s) // \u003c, \u003e, \u0026
	return map[string]string{
		"raw":            s,
		"json":           strings.Trim(string(jsonStd), `"`),
		"json slash":     strings.ReplaceAll(strings.Trim(string(jsonStd), `"`), "/", `\/`),
		"json all":       jsonEscapeAll(s, "%04x"),
		"json all upper": jsonEscapeAll(s, "%04X"),
		"query":          url.QueryEscape(s),
		"query lower":    lowerHex(url.QueryEscape(s)),
		"path":           url.PathEscape(s),
		"percent all":    percentAll(s),
		"html":           htmlEscape(s),
	}
}

func jsonEscapeAll(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := 0xD800+((r-0x10000)>>10), 0xDC00+((r-0x10000)&0x3FF)
			fmt.Fprintf(&b, `\u`+format+`\u`+format, r1, r2)
			continue
		}
		fmt.Fprintf(&b, `\u`+format, r)
	}
	return b.String()
}

func lowerHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			b.WriteString(strings.ToLower(s[i : i+3]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func htmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '/':
			b.WriteString("&#47;")
		case r > 127 || r == '<' || r == '>':
			fmt.Fprintf(&b, "&#x%x;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// BasicForms returns the HTTP Basic credentials of id and secret a client may have sent.
func BasicForms(id, secret string) []string {
	var out []string
	for _, p := range []string{id + ":" + secret, url.QueryEscape(id) + ":" + url.QueryEscape(secret)} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			out = append(out, enc.EncodeToString([]byte(p)))
		}
	}
	return out
}

// All returns every form of every secret, with the Basic credentials of id and the
// first secret when id is not empty.
func All(id string, secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		for _, f := range Forms(s) {
			out = append(out, f)
		}
	}
	if id != "" && len(secrets) > 0 {
		for _, b := range BasicForms(id, secrets[0]) {
			for _, f := range Forms(b) {
				out = append(out, f)
			}
		}
	}
	return out
}
