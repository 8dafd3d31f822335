package textutil

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestClip(t *testing.T) {
	assert.Equal(t, "short", Clip("short", 10))
	assert.Equal(t, "exact", Clip("exact", 5))
	assert.Equal(t, "abc…", Clip("abcdef", 3))
	assert.Equal(t, "", Clip("abc", 0))
	// "Škoda": Š is two bytes; a cut inside it backs off to the boundary.
	assert.Equal(t, "…", Clip("Škoda", 1))
	assert.Equal(t, "Š…", Clip("Škoda", 2))
	assert.Equal(t, "Šk…", Clip("Škoda", 3))
}

// Clip never cuts a character in half, whatever its width and the limit.
func TestClipKeepsCharactersWhole(t *testing.T) {
	for _, s := range []string{strings.Repeat("é", 200), strings.Repeat("日本", 100), strings.Repeat("a🚗", 100), "ascii " + strings.Repeat("x", 400)} {
		for n := 0; n <= len(s)+1; n++ {
			got := Clip(s, n)
			if !utf8.ValidString(got) {
				t.Fatalf("Clip(%q…, %d) = %q: not valid UTF-8", s[:10], n, got)
			}
			body := strings.TrimSuffix(got, "…")
			if !strings.HasPrefix(s, body) || len(body) > n {
				t.Fatalf("Clip(%q…, %d) = %q: not a prefix of at most %d bytes", s[:10], n, got, n)
			}
			if len(s) <= n && got != s {
				t.Fatalf("Clip shortened a string that fits: %q", got)
			}
		}
	}
}

func FuzzClip(f *testing.F) {
	f.Add("Škoda Octavia", 3)
	f.Add("日本語のテキスト", 7)
	f.Fuzz(func(t *testing.T, s string, n int) {
		got := Clip(s, n)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Clip(%q, %d) = %q is not valid UTF-8", s, n, got)
		}
		if len(s) > n && n >= 1 && len(got) > n+len("…") {
			t.Fatalf("Clip(%q, %d) = %q is too long", s, n, got)
		}
	})
}
