package render

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/sitetest"
)

// FuzzHistoryMain checks that the hand-written archive page is, byte for
// byte, what the built-in "main" of history.html prints, in every
// language, for hostile titles, slugs, roots and neighbouring pages, on a
// first, middle and last page and on an empty archive.
func FuzzHistoryMain(f *testing.F) {
	f.Add("Website slow", "2026-11-20-slow", "../", "history/", "history/page/3/", 2, 3, uint8(0))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, "a+b", "../../../", "", "history/page/2/", 1, 2, uint8(1))
	f.Add("\x00\xff\xfe bad UTF-8 \ufdd0", "javascript:alert(1)", "", "history/page/4/", "", 5, 5, uint8(2))
	f.Add("title", "x y%20z", "javascript:alert(1)//", "history/", "history/page/3/", 2, 3, uint8(3))
	f.Add("title", "slug", "../", `"><b>`, "history/page/3/", 2, 1234567, uint8(4))
	f.Add("", "", "./", "", "", 1, 1, uint8(8))
	snap := sitetest.Snapshot(f, fixtureDir, fixtureNow)
	r := newRenderer(f, "")
	sets := goPairs(f, r, "history.html", "main")
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, slug, root, newer, older string, page, pages int, shape uint8) {
		h := &History{Page: page, Pages: pages, Newer: newer, Older: older}
		if shape&8 == 0 {
			ins := make([]*incident.Incident, 0, len(snap.Incidents))
			for i, in := range snap.Incidents {
				in := *in
				if i == int(shape&3) {
					in.Title, in.Slug = title, slug
				}
				if shape&4 != 0 {
					in.Untranslated = "de"
				}
				ins = append(ins, &in)
			}
			h.Months = byMonth(ins, la)
		}
		p := &Page{Kind: "history", Root: root, Now: fixtureNow, Site: snap.Site, Snap: snap, History: h}
		if shape&16 != 0 {
			p.History = nil
		}
		// The fast set's "main" calls historyMain.
		sameAsTemplate(t, sets, "archive page", func(s *pageSet) (template.HTML, error) {
			var b strings.Builder
			err := s.t.ExecuteTemplate(&b, "main", p)
			return template.HTML(b.String()), err
		})
	})
}

// TestHistoryMainOverridden checks that a site which redefines the
// archive's "main" gets its own page, and that one which overrides the
// "entry" partial gets it in the page written by hand.
func TestHistoryMainOverridden(t *testing.T) {
	checkOverrides(t, "history.html", "main", renderedPage("history/index.html"), []overrideCase{
		{name: "no override", builtin: true, want: `<section class="month">`},
		{name: "entry partial", files: map[string]string{"partials.html": redefine(t, "partials.html", "entry", `<li class="custom">{{.Incident.Title}}</li>`)}, builtin: true, want: `<li class="custom">`},
		{name: "main", files: map[string]string{"history.html": `{{define "main"}}<p class="custom">{{.History.Page}}</p>{{end}}`}, want: `<p class="custom">1</p>`},
		{name: "main reworded", files: map[string]string{"history.html": strings.Replace(builtinSource(t, "history.html"), `<section class="month">`, `<section class="month custom">`, 1)}, want: `<section class="month custom">`},
	})
}
