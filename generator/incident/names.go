package incident

import (
	"cmp"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What an incident file's name means: whether a scan skips it, its slug,
// the slug's case folded for the check of slugs that differ only in
// case, the order a walk finds it in, and how messages print it.

// hiddenPath reports whether a slash-separated path below incidents/ has
// a component that Scan skips: dotfiles and names starting with "_".
func hiddenPath(rel string) bool {
	for _, c := range strings.Split(rel, "/") {
		if hidden(c) {
			return true
		}
	}
	return false
}

// hidden reports whether Scan skips a name inside incidents/: editors'
// dotfiles and drafts, whose names start with "_".
func hidden(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// shown is rel as messages print it: control characters escaped, so that
// a bad name cannot break the line it is printed on.
func shown(rel string) string {
	if !strings.ContainsFunc(rel, unicode.IsControl) {
		return rel
	}
	q := strconv.Quote(rel)
	return q[1 : len(q)-1]
}

// slugOf is the slug of the incident file at rel: its name without .md.
func slugOf(rel string) string { return strings.TrimSuffix(path.Base(rel), ".md") }

// foldCase maps every spelling of s that strings.EqualFold matches to one.
// It runs over every slug at every scan, so an ASCII slug, the common
// case, takes a shortcut: there the least spelling of a letter is its
// capital ('k' also folds to the Kelvin sign, and 's' to 'ſ', both above
// it), and any other byte folds only to itself.
func foldCase(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return foldRunes(s)
		}
	}
	return strings.ToUpper(s)
}

// foldRunes is foldCase for any string: each rune becomes the least of
// the runes it folds to.
func foldRunes(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

// walkOrder compares slash-separated paths as filepath.WalkDir orders
// them: by their first differing component.
func walkOrder(a, b string) int {
	for {
		ca, ra, moreA := strings.Cut(a, "/")
		cb, rb, moreB := strings.Cut(b, "/")
		if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
		if !moreA || !moreB {
			return cmp.Compare(len(ra), len(rb)) // one is a prefix folder of the other
		}
		a, b = ra, rb
	}
}
