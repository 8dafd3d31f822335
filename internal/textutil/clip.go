// Package textutil holds the small text helpers the providers share.
package textutil

import "unicode/utf8"

// Clip shortens s to at most n bytes, cutting on a character boundary and marking the cut
// with "…", for provider messages quoted in errors. n < 1 returns "".
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
