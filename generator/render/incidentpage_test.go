package render

import (
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/i18n"
)

// pageSets returns the set of the page template name of r in the
// language tag as Files makes it, with the parts of the built-in theme
// written in Go, and the same set left to execute every template. Times
// are shown in Los Angeles, whose offset and abbreviation change in the
// year.
func pageSets(tb testing.TB, r *Renderer, name, tag string) (fast, tmpl *pageSet) {
	tb.Helper()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		tb.Fatal(err)
	}
	w := words{loc: la, l: i18n.For(tag)}
	fast, err = r.newSet(name, w)
	if err != nil {
		tb.Fatal(err)
	}
	t, err := r.set(name)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl = &pageSet{words: w, memo: map[memoKey]template.HTML{}}
	tmpl.t = t.Funcs(setFuncs(tmpl))
	tmpl.fixWords()
	return fast, tmpl
}

// goPair is a page's set in one language twice: fast writes the built-in
// templates of inGo in Go, tmpl executes them.
type goPair struct{ fast, tmpl *pageSet }

// goPairs are page's sets in en, de, ja and ar, failing tb unless fast
// writes the template name in Go.
func goPairs(tb testing.TB, r *Renderer, page, name string) map[string]goPair {
	tb.Helper()
	sets := map[string]goPair{}
	for _, tag := range []string{"en", "de", "ja", "ar"} {
		fast, tmpl := pageSets(tb, r, page, tag)
		if !fast.builtin[name] {
			tb.Fatalf("got the built-in %s taken for an override, want it written by hand", name)
		}
		sets[tag] = goPair{fast, tmpl}
	}
	return sets
}

// sameAsTemplate fails t where, in any language, what draw writes with
// the set that writes it in Go differs from what it writes with the
// template's.
func sameAsTemplate(t *testing.T, sets map[string]goPair, what string, draw func(*pageSet) (template.HTML, error)) {
	t.Helper()
	for tag, s := range sets {
		got, err := draw(s.fast)
		if err != nil {
			t.Fatal(err)
		}
		want, err := draw(s.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: got %s\n%s\nwant the template's\n%s", tag, what, got, want)
		}
	}
}

// FuzzIncidentMain checks that the hand-written incident page is, byte for
// byte, what the built-in "main" of incident.html prints, in every
// language and for hostile titles, bodies, summaries, status words,
// components and roots.
func FuzzIncidentMain(f *testing.F) {
	f.Add("Website slow", "<p>We are looking into it.</p>", "", "identified", "api", "../../", uint16(0))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, `<p>a &amp; <b>b</b> + "c" '\x00'</p>`, "<h2>What</h2><p>x</p>", `in"progress<`, "web", "../../", uint16(1))
	f.Add("\x00\xff\xfe bad UTF-8 \ufdd0", "<h2>Heading</h2><p>\x00\xff</p>", "<p>\u2028</p>", "resolved", "nope", "./", uint16(2))
	f.Add("title", "", "", "scheduled", "api", "javascript:alert(1)//", uint16(4))
	f.Add("Window", "<p>Started.</p>", "", "in_progress", "db", "../../", uint16(5))
	f.Add("Window", "<p>Done.</p>", "<p>Planned.</p>", "completed", "api", "../../", uint16(6))
	f.Add("Window", "<p>Verifying.</p>", "", "verifying", "web", "../../", uint16(7|8))
	f.Add(`Ärger "x"`, "<p>Body</p>", "<p>Sum</p>", "monitoring", "api", "../../", uint16(16|32))
	f.Add("", "", "", "", "", "../../", uint16(64|128|256))
	snap := sitetest.Snapshot(f, fixtureDir, fixtureNow)
	r := newRenderer(f, "")
	if !r.builtin["incident.html"]["main"] {
		f.Fatalf("got the built-in incident.html taken for an override, want its main written by hand")
	}
	sets := map[string][2]*pageSet{}
	for _, tag := range []string{"en", "de", "ja", "ar"} {
		fast, tmpl := pageSets(f, r, "incident.html", tag)
		sets[tag] = [2]*pageSet{fast, tmpl}
	}
	now := fixtureNow
	f.Fuzz(func(t *testing.T, title, body, summary, word, component, root string, shape uint16) {
		in := &incident.Incident{
			Slug: "slug", Title: title, Summary: template.HTML(summary),
			Kind:    incident.KindIncident,
			Impact:  []incident.Impact{incident.ImpactNone, incident.ImpactMinor, incident.ImpactMajor, incident.ImpactCritical}[shape%4],
			Started: now.Add(-2 * time.Hour),
		}
		// A maintenance window upcoming, in progress or over.
		if shape&4 != 0 {
			start := now.Add(time.Duration(int(shape>>3&3)-1) * 3 * time.Hour)
			in.Kind, in.ScheduledStart, in.ScheduledEnd = incident.KindMaintenance, start, start.Add(2*time.Hour)
		} else if shape&8 == 0 {
			in.Resolved = now.Add(-time.Hour)
		}
		if shape&64 == 0 {
			in.Updates = []incident.Update{
				{Time: now.Add(-time.Hour), Status: word, Body: template.HTML(body)},
				{Time: now.Add(-90 * time.Minute), Status: "investigating", Body: "<p>First.</p>"},
			}
		}
		if shape&128 == 0 {
			in.Affected = []incident.Affected{{ID: component, Status: incident.PartialOutage}, {ID: "api", Status: incident.Status(word)}}
		}
		if shape&32 != 0 {
			in.Untranslated = `en"<`
		}
		p := &Page{Kind: "incident", Root: root, Now: now, Snap: snap, Incident: in}
		if shape&256 != 0 {
			p.Incident = nil
		}
		for _, tag := range []string{"en", "de", "ja", "ar"} {
			fast, tmpl := sets[tag][0], sets[tag][1]
			got, err := fast.incidentMain(p)
			if err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			if err := tmpl.t.ExecuteTemplate(&want, "main", p); err != nil {
				t.Fatal(err)
			}
			if string(got) != want.String() {
				t.Errorf("%s: got incident page\n%s\nwant the template's\n%s", tag, got, want.String())
			}
		}
	})
}

// TestIncidentMainOverridden checks that a site which redefines the
// incident page's "main" gets its own page, and that one which overrides a
// partial the page draws (affected, status) gets it in the page written
// by hand.
func TestIncidentMainOverridden(t *testing.T) {
	checkOverrides(t, "incident.html", "main", renderedPage("incidents/2026-11-28-api-errors/index.html"), []overrideCase{
		{name: "no override", builtin: true, want: `<ul class="affected">`},
		{name: "status partial", files: map[string]string{"partials.html": redefine(t, "partials.html", "status", `<b class="custom">{{statusLabel .}}</b>`)}, builtin: true, want: `<b class="custom">`},
		{name: "affected partial", files: map[string]string{"incident.html": redefine(t, "incident.html", "affected", `<li class="custom">{{.ID}}</li>`)}, builtin: true, want: `<li class="custom">api</li>`},
		{name: "main", files: map[string]string{"incident.html": `{{define "main"}}<p class="custom">{{.Incident.Title}}</p>{{end}}`}, want: `<p class="custom">Elevated API error rates</p>`},
		{name: "main reworded", files: map[string]string{"incident.html": strings.Replace(builtinSource(t, "incident.html"), `<article class="incident">`, `<article class="incident custom">`, 1)}, want: `<article class="incident custom">`},
	})
}

// builtinSource is the embedded theme file name.
func builtinSource(tb testing.TB, name string) string {
	tb.Helper()
	return string(newRenderer(tb, "").sources[name].data)
}

// TestIncidentMainTimeTwice: a site whose words put an incident's time
// twice in a message (i18n/en.yaml) gets the time tag in both places, in
// the page written in Go as in the template (t filled in only the first,
// and left a private-use mark and a number in the second).
func TestIncidentMainTimeTwice(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(fixtureDir)); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "i18n"), 0o755); err != nil {
		t.Fatal(err)
	}
	msgs := "incident.ongoing_since_inline: \"since {time} (that is, {time})\"\nincident.completed_at: \"Completed {time}; {time}\"\nincident.upcoming_starts: \"Starts {time}, {time}\"\nincident.in_progress_since: \"Since {time}, {time}\"\n"
	if err := os.WriteFile(filepath.Join(dir, "i18n", "en.yaml"), []byte(msgs), 0o644); err != nil {
		t.Fatal(err)
	}
	snap := sitetest.Snapshot(t, dir, fixtureNow)
	r := newRenderer(t, "")
	w := words{loc: snap.Site.Location, l: snap.Site.L()}
	fast, err := r.newSet("incident.html", w)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &pageSet{words: w, memo: map[memoKey]template.HTML{}}
	set, err := r.set("incident.html")
	if err != nil {
		t.Fatal(err)
	}
	tmpl.t = set.Funcs(setFuncs(tmpl))
	tmpl.fixWords()
	saidTwice := 0
	for _, in := range snap.Incidents {
		t.Run(in.Slug, func(t *testing.T) {
			p := &Page{Kind: "incident", Root: "../../", Now: fixtureNow, Snap: snap, Incident: in}
			got, err := fast.incidentMain(p)
			if err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			if err := tmpl.t.ExecuteTemplate(&want, "main", p); err != nil {
				t.Fatal(err)
			}
			if string(got) != want.String() {
				t.Errorf("got incident page\n%s\nwant the template's\n%s", got, want.String())
			}
			if strings.ContainsRune(string(got), valueMark) || strings.Contains(string(got), valueHole) {
				t.Errorf("got a value's mark left in the page\n%s", got)
			}
			for _, twice := range []string{"(that is, <time", "; <time", ", <time"} {
				if strings.Contains(string(got), twice) {
					saidTwice++
				}
			}
		})
	}
	if saidTwice == 0 {
		t.Error("got no page with a message saying its time twice")
	}
}
