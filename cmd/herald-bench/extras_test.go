package main

import (
	"strings"
	"testing"
	"time"
)

func TestBuiltIn(t *testing.T) {
	for _, tc := range []struct {
		line string
		want time.Duration // 0: no match
	}{
		{"rebuilt 12 files in 12 ms: incidents/a.md", 12 * time.Millisecond},
		{"built 6022 files in 120ms", 120 * time.Millisecond},
		{"rebuilt 3 files in 1.5 s: timer", 1500 * time.Millisecond},
		{"rebuilt 3 files in 850 µs: timer", 850 * time.Microsecond},
		{"rebuilt 3 files in 850us", 850 * time.Microsecond},
		{"watching status in the background", 0},
	} {
		var got time.Duration
		if m := builtIn.FindStringSubmatch(tc.line); m != nil {
			got, _ = time.ParseDuration(m[1] + strings.Replace(m[2], "us", "µs", 1))
		}
		if got != tc.want {
			t.Errorf("%q: got %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestTarget(t *testing.T) {
	for _, tc := range []struct {
		t    target
		want string
	}{
		{target{name: "a", got: 1, limit: 2, measured: true}, "| PASS |"},
		{target{name: "a", got: 3, limit: 2, measured: true}, "| MISS |"},
		{target{name: "a", got: 1, limit: 2, measured: true, atLeast: true}, "| MISS |"},
		{target{name: "a", got: 3, limit: 2, measured: true, atLeast: true}, "| PASS |"},
		{target{name: "a", why: "no"}, "| SKIP |"},
	} {
		if got := tc.t.String(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%+v: got %q, want it to start %q", tc.t, got, tc.want)
		}
	}
}
