package specdrift

import (
	"fmt"
	"sort"
	"strings"
)

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true, "trace": true}

// findPath returns the document path matching full (the client's base path plus its
// path), comparing templates segment by segment: a document parameter matches any
// segment, a client parameter only a document parameter.
func (d *Document) findPath(full string) (string, map[string]any) {
	want := segments(full)
	var names []string
	for p := range d.paths {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		for _, cand := range d.fullForms(p) {
			if matchSegments(segments(cand), want) {
				return p, d.paths[p]
			}
		}
	}
	return "", nil
}

// fullForms are the absolute paths a document path may stand for: under its server's
// path, and as given.
func (d *Document) fullForms(p string) []string {
	if d.base == "" {
		return []string{p}
	}
	return []string{d.base + p, p}
}

func segments(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

func matchSegments(doc, want []string) bool {
	if len(doc) != len(want) {
		return false
	}
	for i := range doc {
		switch {
		case isParam(doc[i]):
		case isParam(want[i]) || doc[i] != want[i]:
			return false
		}
	}
	return true
}

// nearPath suggests the document path nearest to full.
func (d *Document) nearPath(full string) (string, string) {
	want := normalizeTemplate(full)
	best, bestDist := "", -1
	for p := range d.paths {
		cand := normalizeTemplate(d.fullForms(p)[0])
		dist := levenshtein(strings.ToLower(cand), strings.ToLower(want))
		if strings.EqualFold(cand, want) {
			return p, "differs in case"
		}
		if bestDist < 0 || dist < bestDist || dist == bestDist && p < best {
			best, bestDist = p, dist
		}
	}
	if bestDist >= 0 && bestDist <= max(2, len(segments(want)[len(segments(want))-1])/3) {
		return best, edits(bestDist)
	}
	return "", ""
}

func edits(n int) string {
	if n == 1 {
		return "1 edit away"
	}
	return fmt.Sprintf("%d edits away", n)
}

func normalizeTemplate(p string) string {
	segs := segments(p)
	for i, s := range segs {
		if isParam(s) {
			segs[i] = "{}"
		}
	}
	return "/" + strings.Join(segs, "/")
}
