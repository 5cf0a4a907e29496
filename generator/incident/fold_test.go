package incident

import (
	"strings"
	"testing"
)

// TestFoldCase holds foldCase's ASCII shortcut to foldRunes, and both to
// strings.EqualFold: two slugs fold to one key exactly when EqualFold
// matches them.
func TestFoldCase(t *testing.T) {
	var ascii []string
	for b := range 128 {
		ascii = append(ascii, string(rune(b)))
	}
	slugs := append(ascii, "", "2026-11-28-db-outage", "DB-Outage", "kelvin", "KELVIN", "\u212aelvin", "sso", "ſso", "Straße", "STRASSE", "störung", "STÖRUNG", "a\xffb")
	for _, s := range slugs {
		if got, want := foldCase(s), foldRunes(s); got != want {
			t.Errorf("foldCase(%q) = %q, foldRunes says %q", s, got, want)
		}
	}
	for _, a := range slugs {
		for _, b := range slugs {
			if same, fold := strings.EqualFold(a, b), foldCase(a) == foldCase(b); same != fold {
				t.Errorf("%q and %q: EqualFold says %v, foldCase says %v", a, b, same, fold)
			}
		}
	}
}
