package main

import (
	"runtime/debug"
	"testing"
)

// TestCollectLessWhileLoading checks that a build loads at GOGC 200 and
// then puts back the collector's setting, and that it leaves a GOGC the
// user set alone.
func TestCollectLessWhileLoading(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	gcPercent := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }

	restore := collectLessWhileLoading(&env{getenv: func(string) string { return "" }})
	if got := gcPercent(); got != loadingGCPercent {
		t.Errorf("GOGC while loading = %d, want %d", got, loadingGCPercent)
	}
	restore()
	if got := gcPercent(); got != 100 {
		t.Errorf("GOGC after loading = %d, want 100 back", got)
	}

	debug.SetGCPercent(50) // as GOGC=50 in the environment would
	restore = collectLessWhileLoading(&env{getenv: func(k string) string {
		if k == "GOGC" {
			return "50"
		}
		return ""
	}})
	if got := gcPercent(); got != 50 {
		t.Errorf("GOGC while loading = %d, want the user's 50", got)
	}
	restore()
	if got := gcPercent(); got != 50 {
		t.Errorf("GOGC after loading = %d, want the user's 50", got)
	}
}
