package specdrift

import (
	"sort"
	"strings"
)

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// suggest returns the available name nearest to want: a known alias, the same name in
// another case or spelling, or one a few edits away.
func suggest(want Name, available []string) (string, string) {
	for _, a := range want.Aliases {
		for _, have := range available {
			if have == a {
				return have, "a name the client accepts as an alias"
			}
		}
	}
	for _, have := range available {
		if strings.EqualFold(have, want.Name) {
			return have, "differs in case"
		}
	}
	squash := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	for _, have := range available {
		if squash(have) == squash(want.Name) {
			return have, "differs in spelling"
		}
	}
	best, bestDist := "", -1
	for _, have := range available {
		dist := levenshtein(strings.ToLower(have), strings.ToLower(want.Name))
		if bestDist < 0 || dist < bestDist {
			best, bestDist = have, dist
		}
	}
	if bestDist >= 0 && bestDist <= max(1, len(want.Name)/4) {
		return best, edits(bestDist)
	}
	return "", ""
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
