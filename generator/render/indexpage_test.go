package render

import (
	"bytes"
	"html/template"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
)

// FuzzIndexMain checks that the hand-written front page is, byte for
// byte, what the built-in "main" of index.html prints, in every language,
// for hostile component and group names and ids, titles, roots and
// indicators, with and without stale monitors, the stale-page warning,
// active incidents and past incidents.
func FuzzIndexMain(f *testing.F) {
	f.Add("API", "api", "Core", "Website slow", "./", "none", uint16(0))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, "a+b", `<b>"g"</b> & +`, `<i>"t"</i>`, "./", `"><b>`, uint16(1|2|4))
	f.Add("\x00\xff\ufdd0", "x y", "", "\x00\xff\xfe bad UTF-8", "javascript:alert(1)//", "major", uint16(2|8))
	f.Add("web", "web", "Edge", "title", "x y%20z/", "minor", uint16(3|16))
	f.Add("api", "api", "", "title", "../", "critical", uint16(32|64))
	f.Add("api", "api", "", "title", "", "maintenance", uint16(128|4))
	f.Add("Website slow", "2026-11-20-slow", "", `<b>"t"</b> & +`, "./", "minor", uint16(1|256))
	f.Add("api", "a b", "", "title", "./", "major", uint16(1|512|64))
	f.Add("api", "api", "", "\x00\xff", "../", "maintenance", uint16(1|8))
	base := sitetest.Snapshot(f, fixtureDir, fixtureNow)
	r := newRenderer(f, "")
	sets := goPairs(f, r, "index.html", "main")
	f.Fuzz(func(t *testing.T, name, id, group, title, root, indicator string, shape uint16) {
		snap := *base
		snap.Overall.Indicator = indicator
		if shape&1 == 0 {
			snap.Active, snap.Upcoming = nil, nil
		} else {
			// Each kind of card, the first with the hostile title; maintenance
			// in progress is the upcoming one begun.
			snap.Active, snap.Upcoming = nil, nil
			for _, in := range append(append([]*incident.Incident(nil), base.Active...), base.Upcoming...) {
				in := *in
				if len(snap.Active) == 0 {
					in.Title, in.Slug = title, id
				}
				if shape&256 != 0 {
					in.Summary = ""
				} else {
					in.Summary = "<h2>Plan</h2>" + in.Summary
				}
				if shape&512 != 0 {
					in.Untranslated = `de"<`
				}
				if in.Kind == incident.KindMaintenance {
					snap.Upcoming = append(snap.Upcoming, &in)
					begun := in
					begun.ScheduledStart = snap.Now.Add(-time.Hour)
					begun.Updates = nil
					snap.Active = append(snap.Active, &begun)
					continue
				}
				snap.Active = append(snap.Active, &in)
			}
		}
		if shape&2 == 0 {
			snap.Overall.Stale = nil
		} else {
			snap.Overall.Stale = base.Components
		}
		snap.Groups = make([]*status.Group, 0, len(base.Groups))
		for i, g := range base.Groups {
			g := *g
			if i == 0 {
				g.Name = group
				g.Components = append([]*status.Component(nil), g.Components...)
				c := *g.Components[0]
				c.Name, c.ID = name, id
				switch shape >> 3 & 3 {
				case 1:
					c.Monitored = !c.Monitored
				case 2:
					c.Monitored, c.Probe, c.Status = true, status.ProbeStale, incident.Operational
				case 3:
					c.Periods = nil
				}
				g.Components[0] = &c
			}
			snap.Groups = append(snap.Groups, &g)
		}
		snap.Recent = append([]status.Day(nil), base.Recent...)
		for i, d := range snap.Recent {
			if len(d.Incidents) > 0 {
				in := *d.Incidents[0]
				in.Title = title
				if shape&64 != 0 {
					in.Untranslated = `de"<`
				}
				snap.Recent[i].Incidents = append([]*incident.Incident{&in}, d.Incidents[1:]...)
				break
			}
		}
		if shape&128 != 0 {
			snap.Recent = nil
		}
		p := &Page{Kind: "index", Root: root, Now: snap.Now, Site: snap.Site, Snap: &snap}
		if shape&4 != 0 {
			p.StaleAfter = 900
		}
		// The fast set's "main" calls indexMain.
		sameAsTemplate(t, sets, "front page", func(s *pageSet) (template.HTML, error) {
			var b strings.Builder
			err := s.t.ExecuteTemplate(&b, "main", p)
			return template.HTML(b.String()), err
		})
	})
}

// TestIndexMainOverridden checks that a site which redefines the front
// page's "main" gets its own page, and that one which overrides the
// "cstatus" or "entry" partial gets it in the page written by hand.
func TestIndexMainOverridden(t *testing.T) {
	checkOverrides(t, "index.html", "main", renderedPage("index.html"), []overrideCase{
		{name: "no override", builtin: true, want: `<li class="comp">`},
		{name: "cstatus partial", files: map[string]string{"partials.html": redefine(t, "partials.html", "cstatus", `<span class="custom">{{.Name}}</span>`)}, builtin: true, want: `<span class="custom">`},
		{name: "entry partial", files: map[string]string{"partials.html": redefine(t, "partials.html", "entry", `<li class="custom">{{.Incident.Title}}</li>`)}, builtin: true, want: `<li class="custom">`},
		{name: "main", files: map[string]string{"index.html": `{{define "main"}}<p class="custom">{{len .Snap.Groups}}</p>{{end}}`}, want: `<p class="custom">`},
		{name: "main reworded", files: map[string]string{"index.html": strings.Replace(builtinSource(t, "index.html"), `<li class="comp">`, `<li class="comp custom">`, 1)}, want: `<li class="comp custom">`},
	})
}

// BenchmarkIndexPage renders the fixture's front page with the built-in
// theme, as a build does. HERALD_BENCH_SITE names another site to render.
func BenchmarkIndexPage(b *testing.B) {
	dir := fixtureDir
	if d := os.Getenv("HERALD_BENCH_SITE"); d != "" {
		dir = d
	}
	snap := sitetest.Snapshot(b, dir, fixtureNow)
	var index File
	for _, f := range newRenderer(b, "").Files(snap) {
		if f.Path == "index.html" {
			index = f
		}
	}
	if index.Render == nil {
		b.Fatal("got no index.html")
	}
	b.ReportAllocs()
	for b.Loop() {
		// A fresh buffer: a build's pooled ones are its smaller pages'.
		var buf bytes.Buffer
		if err := index.Render(&buf); err != nil {
			b.Fatal(err)
		}
	}
}
