package incident

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/internal/memtest"
)

const testConfig = `title: Test Status
base_url: https://status.example.com/
timezone: America/Los_Angeles
components:
  - {id: website, name: Website, group: Web}
  - {id: api, name: API, group: Web}
  - {id: cdn, name: CDN}
`

func testParser(tb testing.TB) *Parser {
	tb.Helper()
	cfg, err := config.Parse(tb.TempDir(), []byte(testConfig))
	if err != nil {
		tb.Fatal(err)
	}
	return NewParser(cfg)
}

func TestParse(t *testing.T) {
	p := testParser(t)
	src := `---
title: Gallery down after reboot
components:
  website: major_outage
  api: partial_outage
started: 2012-03-09 00:00
---
The gallery was **down**.

More summary.

## 2012-03-09 07:52 PST — Resolved
Back up.

## 2012-03-09 07:30 PST — Investigating
Looking.

` + "```" + `
## not a heading inside code
` + "```" + `
`
	in, err := p.Parse("incidents/outage.md", "outage", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if in.Title != "Gallery down after reboot" || in.Kind != KindIncident {
		t.Errorf("got title %q kind %q", in.Title, in.Kind)
	}
	if got, want := in.Impact, ImpactCritical; got != want {
		t.Errorf("got impact %s, want %s (derived from the worst status)", got, want)
	}
	if got, want := len(in.Updates), 2; got != want {
		t.Fatalf("got %d updates, want %d", got, want)
	}
	if got, want := in.Updates[0].Status, "resolved"; got != want {
		t.Errorf("got newest status %q, want %q", got, want)
	}
	if got, want := in.Updates[1].Line, 15; got != want {
		t.Errorf("got second heading on line %d, want %d", got, want)
	}
	if !strings.Contains(string(in.Updates[1].Body), "## not a heading inside code") {
		t.Errorf("code block lost from update body: %s", in.Updates[1].Body)
	}
	if got, want := in.Resolved.UTC().Format(time.RFC3339), "2012-03-09T15:52:00Z"; got != want {
		t.Errorf("got resolved %s, want %s (taken from the resolved update)", got, want)
	}
	if got, want := in.SummaryText, "The gallery was down. More summary."; got != want {
		t.Errorf("got summary text %q, want %q", got, want)
	}
	if !strings.Contains(string(in.Summary), "<strong>down</strong>") {
		t.Errorf("summary not rendered: %s", in.Summary)
	}
}

func TestParseListFormImpliesStatus(t *testing.T) {
	p := testParser(t)
	for impact, want := range map[string]Status{"none": Operational, "minor": DegradedPerformance, "major": PartialOutage, "critical": MajorOutage} {
		src := "---\ntitle: T\ncomponents: [website, api]\nimpact: " + impact + "\nstarted: 2026-01-01 10:00\n---\n"
		in, err := p.Parse("x.md", "x", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range in.Affected {
			if a.Status != want {
				t.Errorf("impact %s: got %s for %s, want %s", impact, a.Status, a.ID, want)
			}
		}
	}
}

func TestParseMaintenance(t *testing.T) {
	p := testParser(t)
	src := `---
title: Database upgrade
type: maintenance
components: [api]
scheduled_start: 2026-12-03 22:00
scheduled_end: 2026-12-04 00:00
---
We will upgrade.

## 2026-11-24 10:00 PST — Scheduled
Announced.
`
	in, err := p.Parse("m.md", "m", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.Affected[0].Status, UnderMaintenance; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	// Dated by the notice, not by the window's future start, so feeds do
	// not carry dates from the future.
	if got, want := in.UpdatedAt(), at("2026-11-24T18:00:00Z"); !got.Equal(want) {
		t.Errorf("got updated %v, want %v", got, want)
	}
	if got, want := in.Announced(), at("2026-11-24T18:00:00Z"); !got.Equal(want) {
		t.Errorf("got announced %v, want %v", got, want)
	}
	for _, tt := range []struct {
		now         string
		phase       Phase
		statusWord  string
		description string
	}{
		{"2026-11-28T15:00:00Z", PhaseUpcoming, "scheduled", "before the window"},
		{"2026-12-04T06:30:00Z", PhaseActive, "in_progress", "inside the window"},
		{"2026-12-04T08:00:00Z", PhaseOver, "completed", "at the end"},
	} {
		if got := in.PhaseAt(at(tt.now)); got != tt.phase {
			t.Errorf("%s: got phase %s, want %s", tt.description, got, tt.phase)
		}
		if got := in.StatusAt(at(tt.now)); got != tt.statusWord {
			t.Errorf("%s: got status %s, want %s", tt.description, got, tt.statusWord)
		}
	}
}

// TestParseErrors checks that each mistake is reported at its place, with
// every mistake of a file in one error.
func TestParseErrors(t *testing.T) {
	p := testParser(t)
	tests := []struct {
		name string
		src  string
		want []string // substrings, one per expected error, in order
	}{
		{"no front matter", "# hello\n", []string{"f.md:1:1: no front matter"}},
		{"unclosed front matter", "---\ntitle: x\n", []string{"f.md:1:1: front matter is not closed"}},
		{"broken yaml", "---\ntitle: [x\n---\n", []string{"f.md:", "invalid YAML"}},
		{"missing title", "---\nstarted: 2026-01-01 10:00\ncomponents: {api: major_outage}\n---\n", []string{"f.md:2:1: missing title"}},
		{"unknown key", "---\ntitle: x\nstarted: 2026-01-01 10:00\ncomponets: {api: major_outage}\n---\n", []string{`f.md:4:1: unknown key "componets" (did you mean "components"?)`}},
		{"unknown component", "---\ntitle: x\nstarted: 2026-01-01 10:00\ncomponents:\n  apii: major_outage\n---\n", []string{`f.md:5:3: unknown component "apii" (did you mean "api"?`}},
		{"unknown component status", "---\ntitle: x\nstarted: 2026-01-01 10:00\ncomponents:\n  api: broken\n---\n", []string{`f.md:5:3: unknown status "broken" for component "api"`}},
		{"unknown impact", "---\ntitle: x\nstarted: 2026-01-01 10:00\nimpact: huge\n---\n", []string{`f.md:4:9: unknown impact "huge"`}},
		{"list without impact", "---\ntitle: x\nstarted: 2026-01-01 10:00\ncomponents: [api]\n---\n", []string{"f.md:4:13: a list of components needs an impact"}},
		{"wrong date", "---\ntitle: x\nstarted: 2026-02-30 10:00\n---\n", []string{"f.md:3:10: started: invalid time", "day out of range"}},
		{"dst gap", "---\ntitle: x\nstarted: 2026-03-08 02:30\n---\n", []string{"f.md:3:10: started:", "does not exist"}},
		{"resolved before started", "---\ntitle: x\nstarted: 2026-01-02 10:00\nresolved: 2026-01-01 10:00\n---\n", []string{"f.md:4:11: resolved (2026-01-01 10:00 PST) is before started (2026-01-02 10:00 PST)"}},
		{"missing started", "---\ntitle: x\n---\nbody\n", []string{"missing started"}},
		{"bad heading", "---\ntitle: x\nstarted: 2026-01-01 10:00\n---\nsummary\n\n## Root cause\n", []string{`f.md:7:4: timeline heading "Root cause" does not parse`}},
		{"unknown status word", "---\ntitle: x\nstarted: 2026-01-01 10:00\n---\n## 2026-01-01 10:05 PST — Fixed\n", []string{`f.md:5:29: unknown incident status "Fixed"`}},
		{"unknown zone", "---\ntitle: x\nstarted: 2026-01-01 10:00\n---\n## 2026-01-01 10:05 EST — Resolved\n", []string{`f.md:5:4: timeline heading: unknown time zone abbreviation "EST"`, "-05:00"}},
		{"update before start", "---\ntitle: x\nstarted: 2026-01-02 10:00\n---\n## 2026-01-01 10:05 PST — Investigating\n", []string{"f.md:5:4: update at 2026-01-01 10:05 PST is before the incident started"}},
		{"maintenance status in incident", "---\ntitle: x\nstarted: 2026-01-01 10:00\n---\n## 2026-01-01 10:05 PST — Completed\n", []string{`unknown incident status "Completed"`}},
		{"maintenance end before start", "---\ntitle: x\ntype: maintenance\ncomponents: [api]\nscheduled_start: 2026-01-02 10:00\nscheduled_end: 2026-01-02 09:00\n---\n", []string{"f.md:6:16: scheduled_end is not after scheduled_start"}},
		{"maintenance without window", "---\ntitle: x\ntype: maintenance\n---\n", []string{"maintenance without scheduled_start", "maintenance without scheduled_end"}},
		{"started on maintenance", "---\ntitle: x\ntype: maintenance\nstarted: 2026-01-01 10:00\nscheduled_start: 2026-01-02 10:00\nscheduled_end: 2026-01-02 11:00\n---\n", []string{"f.md:4:10: started is not used by maintenance files (use scheduled_start)"}},
		{"unknown type", "---\ntitle: x\ntype: outage\nstarted: 2026-01-01 10:00\n---\n", []string{`f.md:3:7: unknown type "outage"`}},
		{"several at once", "---\ntitle: x\nstarted: 2026-01-01 10:00\ncomponents: {nope: major_outage, api: bad}\n---\n## yesterday — Resolved\n", []string{`unknown component "nope"`, `unknown status "bad"`, `f.md:6:4: timeline heading: invalid time "yesterday"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Parse("f.md", "f", []byte(tt.src))
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			got := err.Error()
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("got:\n%s\nwant (in order) %q", got, w)
				}
				rest = rest[i+len(w):]
			}
			var pos *diag.Error
			if !errors.As(err, &pos) && !errors.As(err, new(diag.List)) {
				t.Fatalf("got %T, want a positioned error", err)
			}
		})
	}
}

func TestLoadReportsEveryBadFile(t *testing.T) {
	site := t.TempDir()
	if err := os.WriteFile(filepath.Join(site, config.FileName), []byte(testConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(site)
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "secret.md")
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(site, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := "---\ntitle: ok\nstarted: 2026-01-01 10:00\ncomponents: {api: major_outage}\n---\n"
	write("incidents/good.md", good)
	write("incidents/2025/good.md", good) // duplicate slug
	write("incidents/bad-utf8.md", "---\ntitle: caf\xe9\n---\n")
	write("incidents/huge.md", good+strings.Repeat("x", MaxFileSize))
	write("incidents/unknown.md", "---\ntitle: x\nstarted: 2026-01-01 10:00\ncomponents: {nope: major_outage}\n---\n")
	write("incidents/.draft.md", "not even front matter") // dotfiles are ignored
	write("incidents/notes.txt", "ignored")
	if err := os.WriteFile(outside, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(site, "incidents/escape.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("good.md", filepath.Join(site, "incidents/alias.md")); err != nil {
		t.Fatal(err)
	}

	ins, err := Load(context.Background(), site, NewParser(cfg))
	if err == nil {
		t.Fatal("got no error")
	}
	want := []string{
		"incidents/bad-utf8.md:2:11: invalid UTF-8",
		"incidents/escape.md:1:1: symlink points outside the site folder",
		`incidents/good.md:1:1: duplicate slug "good": incidents/2025/good.md has the same file name`,
		"incidents/huge.md:1:1: file is 1048652 bytes, over the 1048576 byte limit",
		`incidents/unknown.md:4:14: unknown component "nope"`,
	}
	got := strings.Split(err.Error(), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d errors:\n%s\nwant %d", len(got), err, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("error %d: got %q, want prefix %q", i, got[i], want[i])
		}
	}
	// The good files still parse: callers can show what is valid.
	var slugs []string
	for _, in := range ins {
		slugs = append(slugs, in.Slug)
	}
	if got, want := strings.Join(slugs, ","), "alias,good,good"; got != want {
		t.Errorf("got parsed %s, want %s", got, want)
	}
}

func TestMarkdownIsSafe(t *testing.T) {
	p := testParser(t)
	src := "---\ntitle: x\nstarted: 2026-01-01 10:00\n---\n" +
		"Hi <script>alert(1)</script> there.\n\n<div onclick=\"x()\">block</div>\n\n" +
		"[click](javascript:alert(1)) [ok](https://example.com) ![img](javascript:alert(2)) <javascript:alert(3)> [v](VBScript:msgbox)\n"
	in, err := p.Parse("x.md", "x", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := string(in.Summary)
	for _, bad := range []string{"<script", "<div", "javascript:alert(1)\"", "href=\"javascript", "src=\"javascript", "href=\"VBScript"} {
		if strings.Contains(got, bad) {
			t.Errorf("rendered %q contains %q", got, bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;div onclick=&quot;x()&quot;&gt;block&lt;/div&gt;", "click", `<a href="https://example.com">ok</a>`} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered %q, want it to contain %q", got, want)
		}
	}

	cfg := *p.cfg
	cfg.Markdown.UnsafeHTML = true
	in, err = NewParser(&cfg).Parse("x.md", "x", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(in.Summary); !strings.Contains(got, "<script>alert(1)</script>") || strings.Contains(got, "href=\"javascript") {
		t.Errorf("with unsafe_html: got %q, want raw HTML kept and javascript: links still dropped", got)
	}
}

// TestCheckClock checks that an incident starting more than StartSlack
// after the clock is an error, placed at the started key, or at the
// heading of the update it starts with, while maintenance may lie ahead.
func TestCheckClock(t *testing.T) {
	p := testParser(t)
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC) // 07:00 PST
	tests := []struct {
		name string
		src  string
		want string // the error; "" for none
	}{
		{"started in the past", "---\ntitle: x\nstarted: 2026-11-28 06:00\n---\n", ""},
		{"started up to 5 minutes ahead", "---\ntitle: x\nstarted: 2026-11-28 07:05\n---\n", ""},
		{"started tomorrow", "---\ntitle: x\ncomponents: {api: major_outage}\nstarted: 2026-11-29 06:00\n---\n",
			"f.md:4:1: started (2026-11-29 06:00 PST) is after the clock (2026-11-28 07:00 PST) (check the date for a typo; for planned work, write `type: maintenance` with scheduled_start and scheduled_end)"},
		{"started 6 minutes ahead, as an instant", "---\ntitle: x\nstarted:   2026-11-28T15:06:00Z\n---\n",
			"f.md:3:1: started (2026-11-28 07:06 PST) is after the clock (2026-11-28 07:00 PST)"},
		{"started tomorrow, the value on the next line", "---\ntitle: x\nstarted:\n  2026-11-29 06:00\n---\n",
			"f.md:3:1: started (2026-11-29 06:00 PST) is after the clock"},
		{"started next year, by its only update", "---\ntitle: x\n---\nSummary.\n\n## 2027-11-28 06:00 PST — Investigating\n",
			"f.md:6:4: the first update (2027-11-28 06:00 PST) is after the clock (2026-11-28 07:00 PST)"},
		{"maintenance ahead", "---\ntitle: x\ntype: maintenance\ncomponents: [api]\nscheduled_start: 2026-12-03 22:00\nscheduled_end: 2026-12-04 00:00\n---\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := p.Parse("f.md", "f", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if err := p.CheckClock([]*Incident{in}, now); err != nil {
				got = err.Error()
				if !errors.As(err, new(diag.List)) {
					t.Errorf("got %T, want a diag.List", err)
				}
			}
			if tt.want == "" && got != "" || !strings.HasPrefix(got, tt.want) {
				t.Errorf("got error %q, want %q", got, tt.want)
			}
		})
	}
}

// TestParseComponentsDecodedAgain checks that a front matter value that
// fails to decode, which makes strictyaml decode the rest again, is the
// only error: the components, decoded twice, were each said to be listed
// twice.
func TestParseComponentsDecodedAgain(t *testing.T) {
	p := testParser(t)
	for _, tt := range []struct{ name, components string }{
		{"a map", "components:\n  api: partial_outage\n"},
		{"a list", "components: [api, cdn]\nimpact: minor\n"},
		{"one id", "components: api\nimpact: minor\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Parse("f.md", "f", []byte("---\ntitle: x\n"+tt.components+"draft: maybe\nstarted: 2026-01-01 10:00\n---\n"))
			if err == nil {
				t.Fatal("got no error")
			}
			if got, want := err.Error(), `draft must be true or false, found "maybe"`; strings.Count(got, "\n") != 0 || !strings.Contains(got, want) {
				t.Errorf("got:\n%s\nwant one error, %q", got, want)
			}
		})
	}
}

// TestLineIndex checks lineIndex's lines and columns, asked in the
// order of the body and back, and that it allocates nothing (2
// allocations when it was a table of the lines' starts).
func TestLineIndex(t *testing.T) {
	memtest.SkipUnderRace(t)
	body := []byte(strings.Repeat("Some words on a line.\n", 40) + "last")
	index := &lineIndex{body: body, first: 5}
	for _, tt := range []struct {
		name              string
		off, line, column int
	}{
		{"start", 0, 5, 1},
		{"inside the first line", 3, 5, 4},
		{"its line break", 21, 5, 22},
		{"the second line", 22, 6, 1},
		{"the last line", len(body) - 1, 45, 4},
		{"the end", len(body), 45, 5},
		{"past the end", len(body) + 2, 45, 7},
		{"back to the second line", 25, 6, 4},
		{"the same line again", 23, 6, 2},
		{"back to the start", 0, 5, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if line, col := index.at(tt.off); line != tt.line || col != tt.column {
				t.Errorf("at(%d): got %d:%d, want %d:%d", tt.off, line, col, tt.line, tt.column)
			}
		})
	}
	if got := testing.AllocsPerRun(50, func() {
		x := lineIndex{body: body, first: 5}
		x.at(len(body) - 1)
	}); got > 0 {
		t.Errorf("got %v allocations, want none", got)
	}
}

// TestParseAllocations holds the parse of an incident of four updates to
// one array for its updates (115 -> 113 allocations), and to one string,
// one document and pooled buffers for its rendered sections (110 -> 98),
// its front matter's texts tagged without the yaml package (93), its
// status words found without a lowered copy (89) and its keys decoded
// by strictyaml itself (81, then 80 with fewer arrays of its own), and
// its lines counted without a table of their starts (78). An incident
// of three components takes one array for them, and one for what they
// affect, not growing ones (89 -> 85, then 82). Its front matter's Doc
// released for the next file to reuse (78 -> 72 and 82 -> 76, a list of
// three 76), and the components in one array of the tree's, not a growing
// one (71, 73 and 73). The title copied into a string of its own, one
// more, so that an incident keeps none of its front matter's text alive
// (TestParsedIncidentKeepsNoFrontMatter): 72, 74 and 74.
func TestParseAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	const updates = "## 2024-03-01 11:00 UTC — Resolved\nFixed.\n\n## 2024-03-01 10:40 UTC — Monitoring\nWatching.\n\n" +
		"## 2024-03-01 10:20 UTC — Identified\nFound it.\n\n## 2024-03-01 10:05 UTC — Investigating\nLooking.\n"
	for _, tt := range []struct {
		name string
		src  string
		want float64
	}{
		{"four updates", "---\ntitle: API errors\ncomponents:\n  api: partial_outage\nstarted: 2024-03-01T10:00:00Z\n---\nSome requests fail.\n\n" + updates, 72},
		{"three components", "---\ntitle: API errors\ncomponents:\n  api: partial_outage\n  website: degraded_performance\n  cdn: major_outage\nstarted: 2024-03-01T10:00:00Z\n---\nSome requests fail.\n\n" + updates, 74},
		{"three components listed", "---\ntitle: API errors\ncomponents: [api, website, cdn]\nimpact: major\nstarted: 2024-03-01T10:00:00Z\n---\nSome requests fail.\n\n" + updates, 74},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testParser(t)
			src := []byte(tt.src)
			got := testing.AllocsPerRun(50, func() {
				if _, err := p.Parse("x.md", "x", src); err != nil {
					t.Fatal(err)
				}
			})
			if got > tt.want {
				t.Errorf("got %v allocations, want at most %v", got, tt.want)
			}
		})
	}
}

// TestParsedIncidentKeepsNoFrontMatter holds what a parsed incident keeps
// alive: a title, a component's id and status or an impact that is a
// part of the front matter's text kept all of it to the end of a build.
// Each front matter here pads its title with 4,000 spaces, so that an
// incident keeping its text keeps those too.
func TestParsedIncidentKeepsNoFrontMatter(t *testing.T) {
	const (
		pad     = 4000
		parsed  = 200
		body    = "Some requests fail.\n\n## 2024-03-01 11:00 UTC — Resolved\nFixed.\n\n## 2024-03-01 10:05 UTC — Investigating\nLooking.\n"
		started = "started: 2024-03-01T10:00:00Z\n"
	)
	title := "title: API errors" + strings.Repeat(" ", pad) + "\n"
	for _, tt := range []struct {
		name, frontMatter string
	}{
		{"title", title + started},
		{"components and statuses", title + "components:\n  api: partial_outage\n  website: degraded_performance\n" + started},
		{"components listed and impact", title + "components: [api, website]\nimpact: major\n" + started},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testParser(t)
			src := []byte("---\n" + tt.frontMatter + "---\n" + body)
			kept := make([]*Incident, parsed)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for i := range kept {
				in, err := p.Parse("x.md", "x", src)
				if err != nil {
					t.Fatal(err)
				}
				kept[i] = in
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			if got := int(after.HeapAlloc-before.HeapAlloc) / parsed; got >= pad {
				t.Errorf("got %d bytes kept alive an incident, want fewer than the %d of the title's padding", got, pad)
			}
			runtime.KeepAlive(kept)
		})
	}
}
