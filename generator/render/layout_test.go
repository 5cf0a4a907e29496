package render

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/templates"
)

// FuzzLayout checks that a page laid out by writeLayout, or by the
// template where it declines, is byte for byte what the built-in base.html
// prints, for every page template, in every language, with hostile
// titles, descriptions, URLs, links, language and component names.
func FuzzLayout(f *testing.F) {
	f.Add("Title", "Description", "https://status.example.com/x/", "Example", "English", "../en/", uint8(0))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, "\x00\xff\ufdd0 '\"", "https://e.com/a?b=c&d=e+f#g", `</title><script>`, `"><b>`, "../de/", uint8(1|2|4))
	f.Add("t", "d", "javascript:alert(1)", "s", "n", "javascript:alert(1)", uint8(1|2|4|8))
	f.Add("t", "d", "https://e.com/a b/'q'/(x)", "s", "n", "a b/(c)", uint8(1|2|4|8))
	f.Add("t", "d", "https://e.com/it's", "s", "n", "../it's/", uint8(1|2|4))
	f.Add("t", "d", "mailto:a@b.c", "s", "n", "HTTP://E.COM/%zz", uint8(1|2|8))
	f.Add("t", "d", "", "s", "n", "./", uint8(1|2))
	snap := sitetest.Snapshot(f, fixtureDir, fixtureNow)
	r := newRenderer(f, "")
	planned := firstPlanned(snap, r)
	sets := map[string]goPair{}
	for _, name := range templates.Pages() {
		if planned[name] == nil {
			continue
		}
		for _, tag := range []string{"en", "de", "ar"} {
			fast, tmpl := pageSets(f, r, name, tag)
			if fast.layout == nil {
				f.Fatalf("got the built-in base.html of %s taken for an override, want it written by hand", name)
			}
			// Pages as Files plans them are written in Go.
			if ok, err := fast.writeLayout(new(strings.Builder), planned[name]); err != nil || !ok {
				f.Fatalf("%s: got writeLayout %v, %v; want true", name, ok, err)
			}
			sets[name+" "+tag] = goPair{fast, tmpl}
		}
	}
	f.Fuzz(func(t *testing.T, title, desc, url, siteTitle, langName, link string, shape uint8) {
		for key, s := range sets {
			p := *planned[strings.Fields(key)[0]]
			p.Title, p.Description, p.Site.Title = title, desc, siteTitle
			if p.Component != nil {
				c := *p.Component
				c.Name = siteTitle
				p.Component = &c
			}
			if shape&1 != 0 {
				p.URL = url
			}
			if shape&2 != 0 {
				p.Languages = []Alternate{
					{Tag: "en", Name: langName, URL: url, Link: link, Current: true},
					{Tag: `d"e`, Name: "Deutsch", URL: "https://status.example.com/de/", Link: "../de/"},
				}
			}
			if shape&4 != 0 {
				p.Script = link
			}
			if shape&8 != 0 {
				p.Root = link
			}
			var got strings.Builder
			ok, err := s.fast.writeLayout(&got, &p)
			if err == nil && !ok {
				err = s.fast.t.ExecuteTemplate(&got, templates.Layout, &p)
			}
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			var want strings.Builder
			if err := s.tmpl.t.ExecuteTemplate(&want, templates.Layout, &p); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if got.String() != want.String() {
				t.Errorf("%s: got page\n%s\nwant the template's\n%s", key, got.String(), want.String())
			}
		}
	})
}

// FuzzFrame checks that a frame part written by pageSet.frame, or by the
// template where it declines, is byte for byte what the built-in
// base.html prints, for the frame of every page template, in every
// language, with hostile site titles, links, roots and feeds.
func FuzzFrame(f *testing.F) {
	f.Add("Example", "Home", "https://example.com/", "../", "RSS", "history.rss", uint8(0))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, `"><b>`, "https://e.com/a?b=c&d=e+f#g", "../../", "\x00\xff\ufdd0", "a&b+c", uint8(1|2))
	f.Add("t", "n", "javascript:alert(1)", "javascript:alert(1)//", "f", "x", uint8(1))
	f.Add("t", "n", "https://e.com/a b/'q'/(x)", "a b/(c)", "f", "it's", uint8(2))
	f.Add("t", "n", "mailto:a@b.c", "HTTP://E.COM/%zz", "f", "%4", uint8(1|2))
	f.Add("t", "n", "", "", "", "", uint8(0))
	snap := sitetest.Snapshot(f, fixtureDir, fixtureNow)
	r := newRenderer(f, "")
	planned := firstPlanned(snap, r)
	sets := map[string]goPair{}
	for _, name := range templates.Pages() {
		p := planned[name]
		if p == nil {
			continue
		}
		for _, tag := range []string{"en", "de", "ar"} {
			fast, tmpl := pageSets(f, r, name, tag)
			for _, part := range frameParts {
				if _, ok, err := fast.frame(part, p.Frame); err != nil || !ok || !fast.builtin[part] {
					f.Fatalf("%s: got %s written in Go %v, %v, want true", name, part, ok && fast.builtin[part], err)
				}
			}
			sets[name+" "+tag] = goPair{fast, tmpl}
		}
	}
	f.Fuzz(func(t *testing.T, siteTitle, linkName, linkURL, root, feedName, feedPath string, shape uint8) {
		for key, s := range sets {
			fr := *planned[strings.Fields(key)[0]].Frame
			fr.Site.Title, fr.Root = siteTitle, root
			fr.Site.Links = []config.Link{{Name: linkName, URL: linkURL}, {Name: "Home", URL: "https://example.com/"}}
			if shape&1 != 0 {
				fr.Feeds = append(slices.Clone(fr.Feeds), Feed{Name: feedName, Path: feedPath})
			}
			if shape&2 != 0 {
				fr.Reports = !fr.Reports
			}
			for _, part := range frameParts {
				got, ok, err := s.fast.frame(part, &fr)
				if err == nil && !ok {
					got, err = execute(s.fast, part, &fr)
				}
				if err != nil {
					t.Fatalf("%s, %s: %v", key, part, err)
				}
				want, err := execute(s.tmpl, part, &fr)
				if err != nil {
					t.Fatalf("%s, %s: %v", key, part, err)
				}
				if got != want {
					t.Errorf("%s, %s: got\n%s\nwant the template's\n%s", key, part, got, want)
				}
			}
		}
	})
}

// execute is what set s's template name prints for data.
func execute(s *pageSet, name string, data any) (template.HTML, error) {
	var b strings.Builder
	err := s.t.ExecuteTemplate(&b, name, data)
	return template.HTML(b.String()), err
}

// TestLayoutOverridden checks that a site which overrides base.html gets
// its own layout on every page, and one which overrides a part the layout
// draws (a page's head, the header) gets it in the layout written by hand.
func TestLayoutOverridden(t *testing.T) {
	header := strings.Replace(builtinSource(t, "base.html"), `<header class="site-header">`, `<header class="site-header custom">`, 1)
	generator := strings.Replace(builtinSource(t, "base.html"), `<meta name="generator" content="herald">`, `<meta name="generator" content="custom">`, 1)
	tests := []struct {
		name    string
		files   map[string]string
		builtin bool // writeLayout lays the pages out
		want    map[string]string
	}{
		{name: "no override", builtin: true, want: map[string]string{"index.html": `<header class="site-header">`}},
		{name: "head", files: map[string]string{"history.html": builtinSource(t, "history.html") + `{{define "head"}}<meta name="custom">{{end}}`}, builtin: true, want: map[string]string{"history/index.html": `<meta charset="utf-8"><meta name="custom">`}},
		{name: "site-header in base.html", files: map[string]string{"base.html": header}, builtin: true, want: map[string]string{"index.html": `<header class="site-header custom">`, "incidents/2026-11-28-api-errors/index.html": `<header class="site-header custom">`}},
		{name: "site-footer in a page", files: map[string]string{"history.html": builtinSource(t, "history.html") + `{{define "site-footer"}}<footer class="custom">{{.Kind}}</footer>{{end}}`}, builtin: true, want: map[string]string{"history/index.html": `<footer class="custom">history</footer>`, "index.html": `<footer class="site-footer">`}},
		{name: "base.html", files: map[string]string{"base.html": generator}, want: map[string]string{"index.html": `<meta name="generator" content="custom">`, "incidents/2026-11-28-api-errors/index.html": `<meta name="generator" content="custom">`}},
		{name: "base.html only a header", files: map[string]string{"base.html": `<!doctype html><p class="custom">{{.Title}}</p>{{template "main" .}}`}, want: map[string]string{"404.html": `<!doctype html><p class="custom">`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := ""
			if tt.files != nil {
				dir = writeTemplates(t, tt.files)
			}
			r := newRenderer(t, dir)
			if got := r.builtin["index.html"][templates.Layout]; got != tt.builtin {
				t.Errorf("got the layout built in %v, want %v", got, tt.builtin)
			}
			_, out := renderAll(t, r.Files(sitetest.Snapshot(t, fixtureDir, fixtureNow)))
			for page, want := range tt.want {
				if got := string(out[page]); !strings.Contains(got, want) {
					t.Errorf("got %s without %s, want the site's own output", page, want)
				}
			}
		})
	}
}

// TestLayoutAllocations counts what writeLayout allocates for a page as
// Files plans it, less what the page's main allocates: the links to the
// page's stylesheet, icon and component feeds are written as the page's
// root and the path from it, not joined into a string for each page.
func TestLayoutAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
	r := newRenderer(t, "")
	planned := firstPlanned(snap, r)
	tests := []struct {
		page string
		main func(*pageSet, io.Writer, *Page) error
		want float64
	}{
		// 3, 2 and 25 when the links were joined for each page; a
		// component's feeds are titled with its name, which each of its
		// three titles allocates.
		{"incident.html", (*pageSet).writeIncidentMain, 1},
		{"history.html", (*pageSet).historyMain, 0},
		{"component.html", (*pageSet).componentMain, 23},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			s, _ := pageSets(t, r, tt.page, "en")
			p := planned[tt.page]
			var b bytes.Buffer
			count := func(write func() error) float64 {
				b.Reset()
				if err := write(); err != nil {
					t.Fatal(err)
				}
				b.Grow(4 * b.Len())
				return testing.AllocsPerRun(20, func() {
					b.Reset()
					if err := write(); err != nil {
						t.Fatal(err)
					}
				})
			}
			page := count(func() error {
				if ok, err := s.writeLayout(&b, p); err != nil || !ok {
					return fmt.Errorf("got writeLayout %v, %w; want true", ok, err)
				}
				return nil
			})
			main := count(func() error { return tt.main(s, &b, p) })
			if got := page - main; got > tt.want {
				t.Errorf("got %.0f allocations of the layout around a page's main, want at most %.0f", got, tt.want)
			}
		})
	}
}

// firstPlanned maps each page template to the first page that Files
// plans with it for snap, completed as it is before it is rendered.
func firstPlanned(snap *status.Snapshot, r *Renderer) map[string]*Page {
	planned := map[string]*Page{}
	for _, pp := range pages(snap, assets{css: r.cssPath, script: r.scriptPath}, 2, options{}) {
		if _, ok := planned[pp.template]; !ok {
			if pp.finish != nil {
				pp.finish()
			}
			planned[pp.template] = pp.Page
		}
	}
	return planned
}

// TestIncidentMainAllocations holds an incident page's article to no
// allocation once its set has worded what it says: its own link, which it
// never writes, the list of the components it affects and, for each, a
// link and a memo's key boxed were made for each page; its time tags in
// messages, its window and its duration were strings of their own.
func TestIncidentMainAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
	r := newRenderer(t, "")
	s, _ := pageSets(t, r, "incident.html", "en")
	for _, tt := range []struct {
		slug string
		want float64 // 15, 12, 6, 15 and 8 at first; then 9, 8, 2, 11 and 2
	}{
		{"2026-12-03-database-maintenance", 0},
		{"2026-11-28-api-errors", 0},
		{"2026-11-20-hostile", 0},
		{"2026-10-14-cdn-upgrade", 0},
		{"2026-03-09-outage", 0},
	} {
		t.Run(tt.slug, func(t *testing.T) {
			i := slices.IndexFunc(snap.Incidents, func(in *incident.Incident) bool { return in.Slug == tt.slug })
			if i < 0 {
				t.Fatalf("no incident %s in the fixture", tt.slug)
			}
			p := &Page{Kind: "incident", Root: "../../", Now: fixtureNow, Site: snap.Site, Snap: snap, Incident: snap.Incidents[i]}
			var b bytes.Buffer
			write := func() {
				b.Reset()
				if err := s.writeIncidentMain(&b, p); err != nil {
					t.Fatal(err)
				}
			}
			write()
			b.Grow(4 * b.Len())
			if got := testing.AllocsPerRun(20, write); got > tt.want {
				t.Errorf("got %v allocations, want at most %v", got, tt.want)
			}
		})
	}
}
