package render

import (
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/sitetest"
)

// entrySets returns the history page's set of r, as Files makes it, and
// the same set made to execute the "entry" template even where listEntry
// would write it by hand.
func entrySets(tb testing.TB, r *Renderer) (fast, tmpl *pageSet) {
	tb.Helper()
	mk := func(builtin bool) *pageSet {
		t, err := r.set("history.html")
		if err != nil {
			tb.Fatal(err)
		}
		s := &pageSet{words: words{loc: time.UTC}, memo: map[memoKey]template.HTML{}, builtin: map[string]bool{"entry": builtin}}
		s.t = t.Funcs(setFuncs(s))
		return s
	}
	return mk(r.builtin["history.html"]["entry"]), mk(false)
}

// FuzzListEntry checks that the hand-written entry is, byte for byte, what
// the built-in "entry" template prints, hostile titles, bodies, slugs and
// roots included.
func FuzzListEntry(f *testing.F) {
	f.Add("Website slow", "<p>We are looking into it.</p>", "2026-11-20-slow", "../../", uint8(0))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, `<p>a &amp; <b>b</b> + "c" '\x00'</p>`, "a+b", "./", uint8(1))
	f.Add("\x00\xff\xfe bad UTF-8", "<h2>Heading</h2><p>text</p>", "javascript:alert(1)", "", uint8(2))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, `<p>a &amp; <b>b</b> + "c" '\x00'</p>`, "2026-11-20-hostile", "../../", uint8(9))
	f.Add("\x00\xff\xfe bad UTF-8 \ufdd0", "<h2>Heading</h2><p>\x00\xff</p>", "slug", "./", uint8(20))
	f.Add("title", "", "x y%20z", "https://example.com/", uint8(3))
	f.Add("", "<p>\u2028\ufdd0</p>", "ü", "../", uint8(7))
	f.Add("Website slow", "<p>We are looking into it.</p>", "2026-11-20-slow", "../../../", uint8(32)) // untranslated
	r := newRenderer(f, "")
	fast, tmpl := entrySets(f, r)
	if !fast.builtin["entry"] {
		f.Fatalf("got the built-in theme's entry taken for an override, want it written by hand")
	}
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, title, body, slug, root string, shape uint8) {
		in := &incident.Incident{
			Slug: slug, Title: title,
			Kind:    incident.KindIncident,
			Impact:  []incident.Impact{incident.ImpactNone, incident.ImpactMinor, incident.ImpactMajor, incident.ImpactCritical}[shape%4],
			Started: now.Add(-2 * time.Hour),
		}
		if shape&4 != 0 {
			in.Kind, in.ScheduledStart, in.ScheduledEnd = incident.KindMaintenance, now.Add(time.Hour), now.Add(2*time.Hour)
		}
		if shape&8 == 0 {
			in.Resolved = now.Add(-time.Hour)
		}
		if shape&16 == 0 {
			in.Updates = []incident.Update{{Time: now.Add(-time.Hour), Status: incident.IncidentStatuses[int(shape)%len(incident.IncidentStatuses)], Body: template.HTML(body)}}
		}
		if shape&32 != 0 {
			in.Untranslated = "en" // on a page in another language
		}
		p := &Page{Kind: "history", Root: root, Now: now}
		got, err := fast.listEntry(p, in)
		if err != nil {
			t.Fatal(err)
		}
		want, err := tmpl.listEntry(p, in)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("got entry\n%s\nwant the template's\n%s", got, want)
		}
	})
}

// TestListEntryOverridden checks that a site which redefines "entry", in
// whichever of its files, gets its own entry in every list.
func TestListEntryOverridden(t *testing.T) {
	const custom = `{{define "entry"}}<li class="custom">{{.Incident.Title}}</li>{{end}}`
	tests := []struct {
		name    string
		files   map[string]string
		builtin bool   // listEntry may write the entry by hand
		span    string // in the page when the site redefines "span"
	}{
		{name: "no override", builtin: true},
		{name: "other partial overridden", files: map[string]string{"partials.html": redefine(t, "partials.html", "status", `{{statusLabel .}}`)}, builtin: true},
		{name: "span overridden", files: map[string]string{"partials.html": redefine(t, "partials.html", "span", `<i class="custom-span">{{.Title}}</i>`)}, builtin: true, span: `<i class="custom-span">`},
		{name: "partials.html", files: map[string]string{"partials.html": redefine(t, "partials.html", "entry", `<li class="custom">{{.Incident.Title}}</li>`)}},
		{name: "base.html", files: map[string]string{"base.html": `{{template "main" .}}` + custom}},
		{name: "history.html", files: map[string]string{"history.html": `{{define "main"}}<ul>{{range .History.Months}}{{range .Incidents}}{{listEntry $ .}}{{end}}{{end}}</ul>{{end}}` + custom}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := ""
			if tt.files != nil {
				dir = writeTemplates(t, tt.files)
			}
			r := newRenderer(t, dir)
			if got := r.builtin["history.html"]["entry"]; got != tt.builtin {
				t.Errorf("got entry built in %v, want %v", got, tt.builtin)
			}
			_, out := renderAll(t, r.Files(sitetest.Snapshot(t, fixtureDir, fixtureNow)))
			page := string(out["history/index.html"])
			if got, want := strings.Contains(page, `<li class="custom">`), !tt.builtin; got != want {
				t.Errorf("got the override's entry in history/index.html: %v, want %v", got, want)
			}
			if got, want := strings.Contains(page, `<li class="entry `), tt.builtin; got != want {
				t.Errorf("got the built-in entry in history/index.html: %v, want %v", got, want)
			}
			if tt.span != "" && !strings.Contains(page, tt.span) {
				t.Errorf("got history/index.html without %s, want the site's span", tt.span)
			}
		})
	}
}

// redefine is the built-in theme file with the template name's body
// replaced by body.
func redefine(tb testing.TB, file, name, body string) string {
	tb.Helper()
	src := builtinSource(tb, file)
	def := `{{- define "` + name + `"}}`
	if !strings.Contains(src, def) {
		tb.Fatalf("got no %s in the built-in %s", def, file)
	}
	return strings.Replace(src, def, def+body+`{{end}}{{define "`+name+`-was"}}`, 1)
}

// overrideCase is a site's own template files (none: the built-in
// theme), whether a set still writes a template in Go with them, and
// what a page then shows.
type overrideCase struct {
	name    string
	files   map[string]string
	builtin bool
	want    string
}

// checkOverrides runs each case: with its files, file's template name is
// written in Go exactly when the case says so, and the page that page
// renders holds the case's want.
func checkOverrides(t *testing.T, file, name string, page func(*testing.T, *Renderer) string, tests []overrideCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := ""
			if tt.files != nil {
				dir = writeTemplates(t, tt.files)
			}
			r := newRenderer(t, dir)
			if got := r.builtin[file][name]; got != tt.builtin {
				t.Errorf("got %s's %s built in %v, want %v", file, name, got, tt.builtin)
			}
			if got := page(t, r); !strings.Contains(got, tt.want) {
				t.Errorf("got a page without %s, want the site's own output\n%s", tt.want, got)
			}
		})
	}
}

// renderedPage renders the fixture and returns the page at path.
func renderedPage(path string) func(*testing.T, *Renderer) string {
	return func(t *testing.T, r *Renderer) string {
		_, out := renderAll(t, r.Files(sitetest.Snapshot(t, fixtureDir, fixtureNow)))
		return string(out[path])
	}
}

// FuzzComponentEntry checks that the hand-written component-entry is, byte
// for byte, what the built-in template prints, in every language, hostile
// titles, slugs, roots and status words included.
func FuzzComponentEntry(f *testing.F) {
	f.Add("Website slow", "2026-11-20-slow", "../../", "api", "partial_outage", uint8(0))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, "a+b", "../../", "api", `"><b>`, uint8(1))
	f.Add("\x00\xff\xfe bad UTF-8 \ufdd0", "javascript:alert(1)", "", "nope", "major_outage", uint8(2|4))
	f.Add("title", "x y%20z", "https://example.com/", "web", "", uint8(3|8))
	f.Add(`<b> "q" & 'a' + b`, "2026-11-20-hostile", "../../", "api", "partial_outage", uint8(1))
	r := newRenderer(f, "")
	snap := sitetest.Snapshot(f, fixtureDir, fixtureNow)
	sets := goPairs(f, r, "component.html", "component-entry")
	now := fixtureNow
	f.Fuzz(func(t *testing.T, title, slug, root, id, status string, shape uint8) {
		in := &incident.Incident{
			Slug: slug, Title: title,
			Kind:     incident.KindIncident,
			Impact:   []incident.Impact{incident.ImpactNone, incident.ImpactMinor, incident.ImpactMajor, incident.ImpactCritical}[shape%4],
			Started:  now.Add(-2 * time.Hour),
			Affected: []incident.Affected{{ID: "api", Status: incident.Status(status)}},
			Updates:  []incident.Update{{Time: now.Add(-time.Hour), Status: "identified", Body: "<p>x</p>"}},
		}
		if shape&4 != 0 {
			in.Kind, in.ScheduledStart, in.ScheduledEnd = incident.KindMaintenance, now.Add(time.Hour), now.Add(2*time.Hour)
		}
		if shape&8 != 0 {
			in.Untranslated = `en"<`
		}
		p := &Page{Kind: "component", Root: root, Now: now, Snap: snap, Component: snap.Component(id)}
		if p.Component == nil {
			return // the template fails on a page with no component, and so does componentEntry
		}
		sameAsTemplate(t, sets, "entry", func(s *pageSet) (template.HTML, error) { return s.componentEntry(p, in) })
	})
}

// TestComponentEntryOverridden checks that a site which redefines
// "component-entry", or overrides component.html without it, gets its own
// list of incidents.
func TestComponentEntryOverridden(t *testing.T) {
	checkOverrides(t, "component.html", "component-entry", renderedPage("components/api/index.html"), []overrideCase{
		{name: "no override", builtin: true, want: `<li class="entry `},
		{name: "component-entry", files: map[string]string{"component.html": redefine(t, "component.html", "component-entry", `<li class="custom">{{.Incident.Title}}</li>`)}, want: `<li class="custom">`},
		{name: "main without it", files: map[string]string{"component.html": `{{define "main"}}{{range .Component.Incidents}}<li class="own">{{.Title}}</li>{{end}}{{end}}`}, want: `<li class="own">`},
	})
}

// FuzzSpan checks that the span memo writes in Go is, byte for byte, what
// the built-in "span" template prints, in every language, for incidents
// and maintenance, ongoing or over, at any times.
func FuzzSpan(f *testing.F) {
	f.Add(int64(-2*time.Hour), int64(time.Hour), uint8(0))
	f.Add(int64(-2*time.Hour), int64(0), uint8(1))
	f.Add(int64(time.Hour), int64(2*time.Hour), uint8(2))
	f.Add(int64(-30*24*time.Hour), int64(40*24*time.Hour), uint8(3))
	f.Add(int64(-7*time.Hour), int64(6*time.Hour+59*time.Minute), uint8(2))
	r := newRenderer(f, "")
	sets := goPairs(f, r, "history.html", "span")
	f.Fuzz(func(t *testing.T, start, length int64, shape uint8) {
		from := fixtureNow.Add(time.Duration(start))
		in := &incident.Incident{Slug: "s", Title: "t", Kind: incident.KindIncident, Started: from}
		if shape&1 == 0 {
			in.Resolved = from.Add(time.Duration(length))
		}
		if shape&2 != 0 {
			in.Kind, in.ScheduledStart, in.ScheduledEnd = incident.KindMaintenance, from, from.Add(time.Duration(length))
		}
		sameAsTemplate(t, sets, "span", func(s *pageSet) (template.HTML, error) { return s.render("span", in) })
	})
}

// TestEntryAllocations checks that the entries written in Go allocate
// little beyond the string they return, once their span is drawn: a
// builder grown by doubling and the component's status words filled in
// again for each entry were most of a component page's allocations; and
// that a memo drawn once costs no more than its data's boxing.
func TestEntryAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	r := newRenderer(t, "")
	snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
	in := &incident.Incident{
		Slug: "2026-11-20-slow", Title: "Website slow and the API with it",
		Kind: incident.KindIncident, Impact: incident.ImpactMajor,
		Started:  fixtureNow.Add(-2 * time.Hour),
		Affected: []incident.Affected{{ID: "api", Status: incident.PartialOutage}},
		Updates:  []incident.Update{{Time: fixtureNow.Add(-time.Hour), Status: "identified", Body: "<p>We are looking into it.</p>"}},
	}
	tests := []struct {
		name, page string
		kind       string
		draw       func(*pageSet, *Page) (template.HTML, error)
		max        float64
	}{
		// The builder and its one buffer (19, then 5 with the link in
		// two strings and the status worded anew, then 3 with the link
		// in one).
		{name: "componentEntry", page: "component.html", kind: "component", draw: func(s *pageSet, p *Page) (template.HTML, error) { return s.componentEntry(p, in) }, max: 2},
		// The same, and the excerpt's six (17, then 11, then 9).
		{name: "listEntry", page: "history.html", kind: "history", draw: func(s *pageSet, p *Page) (template.HTML, error) { return s.listEntry(p, in) }, max: 8},
		// An incident page's timeline of one update: newEntry's link,
		// the slice and the update's time (4 before, with the update's
		// status worded anew).
		{name: "Timeline", page: "incident.html", kind: "incident", draw: func(s *pageSet, p *Page) (template.HTML, error) {
			newEntry(s, p, in).Timeline()
			return "", nil
		}, max: 3},
		// An affected component drawn once already: the struct boxed as
		// the memo's data, which reflect's check of it allocated again.
		{name: "memo of a struct", page: "incident.html", kind: "incident", draw: func(s *pageSet, p *Page) (template.HTML, error) {
			return s.render("affected", AffectedComponent{ID: "api", Component: p.Component, Link: "../../components/api/", Status: incident.PartialOutage})
		}, max: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fast, _ := pageSets(t, r, tt.page, "en")
			p := &Page{Kind: tt.kind, Root: "../../", Now: fixtureNow, Snap: snap, Component: snap.Component("api")}
			got := testing.AllocsPerRun(20, func() {
				if _, err := tt.draw(fast, p); err != nil {
					t.Fatal(err)
				}
			})
			if got > tt.max {
				t.Errorf("got %.0f allocations an entry, want at most %.0f", got, tt.max)
			}
		})
	}
}

// FuzzPlainLink holds plainLink, which the entries written in Go ask
// instead of making the link, to plainPath of the link itself.
func FuzzPlainLink(f *testing.F) {
	for _, slug := range []string{"2026-11-20-slow", "a/b", "a+b", "a b", "é", "a%2F", "~x_y.z", ""} {
		f.Add("../../", slug)
		f.Add("./", slug)
		f.Add("../ü/", slug)
	}
	f.Fuzz(func(t *testing.T, root, slug string) {
		p, in := &Page{Root: root}, &incident.Incident{Slug: slug}
		if got, want := plainLink(p, in), plainPath(incidentLink(root, slug)); got != want {
			t.Errorf("plainLink(%q, %q) = %v, want %v", root, slug, got, want)
		}
	})
}

// TestSpanDrawnOnce: the page sets of one call of Files share the spans
// they draw, so that an incident listed by the history, its components'
// pages and its month's report is worded once, not once in each set; a
// set with a span of its own (an override) draws its own.
func TestSpanDrawnOnce(t *testing.T) {
	snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
	for _, tt := range []struct {
		name     string
		override string // incident.html's, if any
		same     bool
	}{
		{name: "built-in", same: true},
		{name: "overridden in one set", override: builtinSource(t, "incident.html") + `{{define "span"}}<i>{{.Title}}</i>{{end}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := ""
			if tt.override != "" {
				dir = t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "incident.html"), []byte(tt.override), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			set := newRenderer(t, dir).setsOf(snap)
			for _, in := range snap.Incidents {
				var drawn []template.HTML
				for _, name := range []string{"history.html", "component.html", "incident.html"} {
					s, err := set(name)
					if err != nil {
						t.Fatal(err)
					}
					h, err := s.render("span", in)
					if err != nil {
						t.Fatal(err)
					}
					drawn = append(drawn, h)
				}
				if a, b := unsafe.StringData(string(drawn[0])), unsafe.StringData(string(drawn[1])); a != b {
					t.Errorf("%s: got a span drawn by the history's set and another by a component's, want one shared", in.Slug)
				}
				if same := unsafe.StringData(string(drawn[0])) == unsafe.StringData(string(drawn[2])); same != tt.same && drawn[0] != "" {
					t.Errorf("%s: got the incident page's span shared %v, want %v (%q, %q)", in.Slug, same, tt.same, drawn[0], drawn[2])
				}
			}
		})
	}
}
