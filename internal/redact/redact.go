// Package redact removes a client's secrets from text that came back from a server or
// the network (error bodies, error strings, log lines) before any of it is kept.
//
// A server may echo a secret in another encoding than the one it was sent in, so a
// Redactor compares the secrets with the decoded text, not only with the raw bytes: it
// finds a secret however its characters are written, raw or as JSON escapes (\/,
// \u00XX in either case, surrogate pairs), URL escapes (%XX in either case, + for a
// space) or HTML character references (&#47;, &#x2F;, &amp;...), mixed freely, and
// replaces the whole encoded span with REDACTED. It also knows the HTTP Basic
// credentials built from the client id and secret (base64 of id:secret, the id and the
// secret form-encoded or not, in the standard and URL alphabets, with and without
// padding), themselves in any of those encodings.
package redact

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Replacement replaces every secret found.
const Replacement = "REDACTED"

// MinLength is the length below which a secret is not looked for: replacing every
// occurrence of two or three characters would destroy the text and leak the secret by
// what it removed.
const MinLength = 6

// maxTokens is how many tokens a Redactor remembers besides its fixed secrets: the
// current one and a few it replaced, which a server may still echo.
const maxTokens = 4

// Redactor knows the secrets of one client: the client secret and its Basic
// credentials, fixed at New, and the latest tokens, added as they are granted. A nil
// *Redactor knows none. It is safe for concurrent use.
type Redactor struct {
	fixed []string

	mu     sync.Mutex
	tokens []string
}

// New returns a Redactor of a client's credentials. The client id is not a secret and
// is looked for only inside the Basic credentials.
func New(clientID, clientSecret string) *Redactor {
	r := &Redactor{}
	r.fixed = appendSecret(r.fixed, clientSecret)
	if clientSecret != "" {
		pairs := []string{clientID + ":" + clientSecret, url.QueryEscape(clientID) + ":" + url.QueryEscape(clientSecret)}
		for _, p := range pairs {
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
				r.fixed = appendSecret(r.fixed, enc.EncodeToString([]byte(p)))
			}
		}
	}
	return r
}

// AddToken makes r look for tok (an access or refresh token) from now on. It remembers
// the latest few.
func (r *Redactor) AddToken(tok string) {
	if r == nil || len(tok) < MinLength {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := slices.Index(r.tokens, tok); i >= 0 {
		if i == len(r.tokens)-1 {
			return
		}
		r.tokens = slices.Delete(r.tokens, i, i+1)
	}
	if len(r.tokens) == maxTokens {
		r.tokens = slices.Delete(r.tokens, 0, 1)
	}
	r.tokens = append(r.tokens, tok)
}

// secrets returns what r looks for, with extra, longest first so that a secret inside
// another is not found first.
func (r *Redactor) secrets(extra []string) []string {
	var all []string
	if r != nil {
		r.mu.Lock()
		all = make([]string, 0, len(r.fixed)+len(r.tokens)+len(extra))
		all = append(append(all, r.fixed...), r.tokens...)
		r.mu.Unlock()
	}
	for _, e := range extra {
		all = appendSecret(all, e)
	}
	slices.SortFunc(all, func(a, b string) int { return len(b) - len(a) })
	return all
}

func appendSecret(list []string, s string) []string {
	if len(s) < MinLength || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// String returns s with every secret r knows, and extra, replaced in any encoding.
func (r *Redactor) String(s string, extra ...string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	out := r.Bytes(b, extra...)
	if &out[0] == &b[0] && len(out) == len(b) {
		return s
	}
	return string(out)
}

// Bytes returns b with every secret r knows, and extra, replaced in any encoding. It
// returns b itself when it holds none, and new memory otherwise.
func (r *Redactor) Bytes(b []byte, extra ...string) []byte {
	if len(b) == 0 {
		return b
	}
	for _, s := range r.secrets(extra) {
		b = replace(b, s)
	}
	return b
}

// replace replaces every encoding of secret in b.
func replace(b []byte, secret string) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		if end := match(b, i, secret); end > i {
			if out == nil {
				out = make([]byte, 0, len(b))
			}
			out = append(append(out, b[last:i]...), Replacement...)
			i, last = end, end
			continue
		}
		i++
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// match returns where an encoding of secret that starts at b[p] ends, or -1.
func match(b []byte, p int, secret string) int {
	if c := b[p]; c != secret[0] && c != '%' && c != '\\' && c != '&' && c != '+' {
		return -1
	}
	budget := 64 * len(secret) // bounds the backtracking on pathological text
	return matchFrom(b, p, secret, &budget)
}

func matchFrom(b []byte, p int, rest string, budget *int) int {
	for len(rest) > 0 {
		if p >= len(b) {
			return -1
		}
		if *budget--; *budget < 0 {
			return -1
		}
		c := b[p]
		var dec [utf8.UTFMax]byte
		if n, w := unescape(b, p, &dec); w > 0 && strings.HasPrefix(rest, string(dec[:n])) {
			if c == rest[0] {
				// The escape's first character is also the secret's: try both readings.
				if end := matchFrom(b, p+w, rest[n:], budget); end >= 0 {
					return end
				}
				p, rest = p+1, rest[1:]
				continue
			}
			p, rest = p+w, rest[n:]
			continue
		}
		if c == rest[0] || c == '+' && rest[0] == ' ' {
			p, rest = p+1, rest[1:]
			continue
		}
		return -1
	}
	return p
}

// unescape decodes the escape at b[p] into dec: it returns the decoded length and the
// escape's width, or a zero width when b[p] starts none.
func unescape(b []byte, p int, dec *[utf8.UTFMax]byte) (n, width int) {
	switch b[p] {
	case '%':
		if p+2 < len(b) {
			if h, ok := hexValue(b[p+1 : p+3]); ok {
				dec[0] = byte(h)
				return 1, 3
			}
		}
	case '\\':
		if p+1 >= len(b) {
			return 0, 0
		}
		switch e := b[p+1]; e {
		case '"', '\\', '/':
			dec[0] = e
			return 1, 2
		case 'b', 'f', 'n', 'r', 't':
			dec[0] = jsonEscapes[e]
			return 1, 2
		case 'u':
			if p+6 > len(b) {
				return 0, 0
			}
			r, ok := hexValue(b[p+2 : p+6])
			if !ok {
				return 0, 0
			}
			width = 6
			if r >= 0xD800 && r < 0xDC00 && p+12 <= len(b) && b[p+6] == '\\' && b[p+7] == 'u' {
				if lo, ok := hexValue(b[p+8 : p+12]); ok && lo >= 0xDC00 && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					width = 12
				}
			}
			return utf8.EncodeRune(dec[:], rune(r)), width
		}
	case '&':
		end := p + 1
		for end < len(b) && end-p <= 10 && b[end] != ';' {
			end++
		}
		if end >= len(b) || b[end] != ';' {
			return 0, 0
		}
		ref := string(b[p+1 : end])
		var r int
		switch {
		case strings.HasPrefix(ref, "#x") || strings.HasPrefix(ref, "#X"):
			v, ok := hexValue([]byte(ref[2:]))
			if !ok {
				return 0, 0
			}
			r = v
		case strings.HasPrefix(ref, "#"):
			for _, d := range ref[1:] {
				if d < '0' || d > '9' || r > utf8.MaxRune {
					return 0, 0
				}
				r = r*10 + int(d-'0')
			}
			if len(ref) == 1 {
				return 0, 0
			}
		default:
			v, ok := htmlEntities[ref]
			if !ok {
				return 0, 0
			}
			r = int(v)
		}
		if r > utf8.MaxRune {
			return 0, 0
		}
		return utf8.EncodeRune(dec[:], rune(r)), end + 1 - p
	}
	return 0, 0
}

var (
	jsonEscapes  = [256]byte{'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}
	htmlEntities = map[string]rune{"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\'', "sol": '/', "plus": '+', "equals": '='}
)

// hexValue parses 1 to 6 hexadecimal digits of either case.
func hexValue(h []byte) (int, bool) {
	if len(h) == 0 || len(h) > 6 {
		return 0, false
	}
	v := 0
	for _, c := range h {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
