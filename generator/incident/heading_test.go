package incident

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// headingRE is what splitHeading must do, as the regular expression it
// replaced.
var headingRE = regexp.MustCompile(`^(.+?)\s+(?:—|–|-{1,2})\s+(.+?)\s*$`)

var headingCases = []struct{ name, heading string }{
	{"em dash", "2026-01-01 10:00 UTC — Resolved"},
	{"en dash", "2026-01-01 10:00 UTC – Resolved"},
	{"hyphen", "2026-01-01 10:00 - Resolved"},
	{"two hyphens", "2026-01-01 10:00 -- Resolved"},
	{"three hyphens", "2026-01-01 10:00 --- Resolved"},
	{"two dashes, the first splits", "2026-01-01 10:00 — Monitoring — again"},
	{"a dash without space before", "2026-01-01 10:00— Resolved"},
	{"a dash without space after", "2026-01-01 10:00 —Resolved"},
	{"a hyphen in a status word", "2026-01-01 10:00 — post-mortem"},
	{"tabs and runs of spaces", "2026-01-01\t10:00  \t—\t\t Resolved"},
	{"only a time", "2026-01-01 10:00"},
	{"nothing after the dash", "2026-01-01 10:00 —"},
	{"nothing before the dash", "— Resolved"},
	{"a line break in the time", "2026-01-01\n10:00 — Resolved"},
	{"a line break in the status", "2026-01-01 10:00 — Re\nsolved"},
	{"a line break around the dash", "2026-01-01 10:00\n—\nResolved"},
	{"a line break after a failed dash", "a -x\n- b"},
	{"a vertical tab is no space", "2026-01-01 10:00\v— Resolved"},
	{"a no-break space is no space", "2026-01-01 10:00\u00a0— Resolved"},
	{"a hyphen then a dash", "a - — b"},
	{"invalid UTF-8", "a \xe2\x80 — b"},
	{"empty", ""},
}

// TestSplitHeading holds splitHeading to the regular expression it
// replaced.
func TestSplitHeading(t *testing.T) {
	for _, tt := range headingCases {
		t.Run(tt.name, func(t *testing.T) {
			checkSplit(t, tt.heading)
		})
	}
}

func FuzzSplitHeading(f *testing.F) {
	for _, tt := range headingCases {
		f.Add(tt.heading)
	}
	f.Fuzz(func(t *testing.T, heading string) {
		checkSplit(t, strings.TrimSpace(heading))
	})
}

func checkSplit(t *testing.T, heading string) {
	t.Helper()
	when, status, ok := splitHeading(heading)
	m := headingRE.FindStringSubmatch(heading)
	if want := m != nil; ok != want {
		t.Fatalf("splitHeading(%q): got ok %v, want %v", heading, ok, want)
	}
	if ok && (when != m[1] || status != m[2]) {
		t.Errorf("splitHeading(%q): got %q, %q, want %q, %q", heading, when, status, m[1], m[2])
	}
}

// TestParseAllocs holds the parse of a file of many updates to the
// allocations it makes today: 495 for this file before the regular
// expression that split each timeline heading (two allocations a heading)
// was written out, 455 after, and 449 once the summary's words were put
// on one line in one copy instead of three.
func TestParseAllocs(t *testing.T) {
	p := testParser(t)
	for _, tt := range []struct {
		name string
		dash string
		max  float64
	}{
		{"em dashes", "—", 449},
		{"hyphens", "-", 449},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var src strings.Builder
			src.WriteString("---\ntitle: x\nstarted: 2026-01-01T00:00:00Z\ncomponents: [api]\nimpact: minor\n---\nSummary.\n")
			for i := range 20 {
				fmt.Fprintf(&src, "\n## 2026-01-01 %02d:05 UTC %s Monitoring\n\nWatching.\n", i, tt.dash)
			}
			data := []byte(src.String())
			if _, err := p.Parse("f.md", "f", data); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := testing.AllocsPerRun(20, func() { _, _ = p.Parse("f.md", "f", data) })
			if got > tt.max {
				t.Errorf("got %v allocations, want at most %v", got, tt.max)
			}
		})
	}
}
