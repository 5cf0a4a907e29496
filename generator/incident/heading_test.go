package incident

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/internal/memtest"
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
// allocations it makes today. It made 495: splitting each timeline heading
// by hand, not with a regular expression, saved two a heading (455);
// putting the summary's words on one line in one copy, six (449);
// splitting each heading's time by hand, two a heading again (409); and
// reading a heading's text in one copy into an update kept by value, two
// a heading more (369).
func TestParseAllocs(t *testing.T) {
	memtest.SkipUnderRace(t)
	p := testParser(t)
	for _, tt := range []struct {
		name string
		dash string
		max  float64
	}{
		{"em dashes", "—", 369},
		{"hyphens", "-", 369},
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

// headingTimeRE is what splitHeadingTime must do, as the regular
// expression it replaced.
var headingTimeRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?)(?:\s*(Z|[+-]\d{2}(?::?\d{2})?|\s[A-Za-z][A-Za-z0-9]*))?$`)

var headingTimeCases = []struct{ name, time string }{
	{"no zone", "2026-01-01 10:05"},
	{"seconds", "2026-01-01 10:05:30"},
	{"T", "2026-01-01T10:05"},
	{"one-digit hour", "2026-01-01 9:05"},
	{"three-digit hour", "2026-01-01 100:05"},
	{"three-digit minute", "2026-01-01 10:050"},
	{"short seconds", "2026-01-01 10:05:3"},
	{"UTC", "2026-01-01 10:05 UTC"},
	{"abbreviation with digits", "2026-01-01 10:05 \tGMT0"},
	{"abbreviation without space", "2026-01-01 10:05PST"},
	{"abbreviation with a sign", "2026-01-01 10:05 PST+1"},
	{"Z", "2026-01-01 10:05Z"},
	{"Z after space", "2026-01-01 10:05 Z"},
	{"Zulu", "2026-01-01 10:05Zulu"},
	{"Zulu after space", "2026-01-01 10:05 Zulu"},
	{"offset", "2026-01-01 10:05 -08:00"},
	{"offset without colon", "2026-01-01 10:05+0530"},
	{"offset of hours", "2026-01-01 10:05 +05"},
	{"offset cut short", "2026-01-01 10:05 +05:3"},
	{"offset with a colon only", "2026-01-01 10:05 +05:"},
	{"offset of one digit", "2026-01-01 10:05 +5"},
	{"RFC 3339", "2026-01-01T10:05:00Z"},
	{"short year", "226-01-01 10:05"},
	{"slashes", "2026/01/01 10:05"},
	{"date only", "2026-01-01"},
	{"non-ASCII digits", "２０２６-01-01 10:05"},
	{"empty", ""},
}

// TestSplitHeadingTime holds splitHeadingTime to the regular expression
// it replaced.
func TestSplitHeadingTime(t *testing.T) {
	for _, tt := range headingTimeCases {
		t.Run(tt.name, func(t *testing.T) { checkSplitTime(t, tt.time) })
	}
}

func FuzzSplitHeadingTime(f *testing.F) {
	for _, tt := range headingTimeCases {
		f.Add(tt.time)
	}
	f.Fuzz(func(t *testing.T, s string) { checkSplitTime(t, strings.TrimSpace(s)) })
}

func checkSplitTime(t *testing.T, s string) {
	t.Helper()
	wall, zone, ok := splitHeadingTime(s)
	m := headingTimeRE.FindStringSubmatch(s)
	if want := m != nil; ok != want {
		t.Fatalf("splitHeadingTime(%q): got ok %v, want %v", s, ok, want)
	}
	if ok && (wall != m[1] || zone != strings.TrimSpace(m[2])) {
		t.Errorf("splitHeadingTime(%q): got %q, %q, want %q, %q", s, wall, zone, m[1], strings.TrimSpace(m[2]))
	}
}
