package render

import (
	"html/template"
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
)

// FuzzComponentMain checks that the hand-written component page is, byte
// for byte, what the built-in "main" of component.html prints, in every
// language, for each component of a site with groups, active incidents
// and an unmonitored component and of one with objectives met, overspent
// and not measurable; with hostile names, groups, descriptions, incident
// titles and roots, each probe state, and without incidents.
func FuzzComponentMain(f *testing.F) {
	f.Add("API", "Core", "The public API.", "Website slow", "../../", uint8(0))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, `<b>"g"</b> & +`, "\x00\xff\ufdd0", `<i>"t"</i>`, "../../", uint8(1))
	f.Add("web", "", "", "title", "javascript:alert(1)//", uint8(2))
	f.Add("cdn", "Edge", "", "title", "x y%20z/", uint8(3|4))
	f.Add("api", "", "d", "title", "../../", uint8(8|16))
	f.Add("api", "", "d", "title", "../../", uint8(32|64))
	f.Add("api", "", "", "title", "../../", uint8(128|1))
	snaps := []*status.Snapshot{sitetest.Snapshot(f, fixtureDir, fixtureNow), sloSite(f, fixtureNow, "99.95%")}
	r := newRenderer(f, "")
	sets := goPairs(f, r, "component.html", "main")
	f.Fuzz(func(t *testing.T, name, group, description, title, root string, shape uint8) {
		snap := snaps[shape>>7]
		c := *snap.Components[int(shape&3)%len(snap.Components)]
		c.Name, c.Group, c.Description = name, group, description
		switch shape >> 2 & 3 {
		case 1:
			c.Monitored = !c.Monitored
		case 2:
			c.Probe = status.ProbeNoData
		case 3:
			c.Probe = status.ProbeStale
		}
		if shape&16 != 0 {
			c.Incidents = nil
		}
		if shape&32 != 0 {
			c.Active = nil
		}
		if len(c.Active) > 0 {
			in := *c.Active[0]
			in.Title = title
			if shape&64 != 0 {
				in.Untranslated = `de"<`
			}
			c.Active = append([]*incident.Incident{&in}, c.Active[1:]...)
		}
		p := &Page{Kind: "component", Root: root, Now: snap.Now, Site: snap.Site, Snap: snap, Component: &c, ComponentFeeds: feeds(ComponentPath(c.ID))}
		// The fast set's "main" calls componentMain.
		sameAsTemplate(t, sets, "component page", func(s *pageSet) (template.HTML, error) {
			var b strings.Builder
			err := s.t.ExecuteTemplate(&b, "main", p)
			return template.HTML(b.String()), err
		})
	})
}

// TestComponentMainOverridden checks that a site which redefines the
// component page's "main" gets its own page, and one which overrides a
// part the page draws (an incident, the latest update, a status) gets it
// in the page written by hand.
func TestComponentMainOverridden(t *testing.T) {
	checkOverrides(t, "component.html", "main", renderedPage("components/api/index.html"), []overrideCase{
		{name: "no override", builtin: true, want: `<section aria-labelledby="uptime">`},
		{name: "component-entry", files: map[string]string{"component.html": redefine(t, "component.html", "component-entry", `<li class="custom">{{.Incident.Title}}</li>`)}, builtin: true, want: `<li class="custom">`},
		{name: "latest partial", files: map[string]string{"partials.html": redefine(t, "partials.html", "latest", `<p class="custom">{{.Title}}</p>`)}, builtin: true, want: `<p class="custom">Elevated API error rates</p>`},
		{name: "cstatus partial", files: map[string]string{"partials.html": redefine(t, "partials.html", "cstatus", `<b class="custom">{{.Status}}</b>`)}, builtin: true, want: `<b class="custom">`},
		{name: "main", files: map[string]string{"component.html": `{{define "main"}}<p class="custom">{{.Component.Name}}</p>{{end}}`}, want: `<p class="custom">API</p>`},
		{name: "main reworded", files: map[string]string{"component.html": strings.Replace(builtinSource(t, "component.html"), `<section aria-labelledby="uptime">`, `<section aria-labelledby="uptime" class="custom">`, 1)}, want: `<section aria-labelledby="uptime" class="custom">`},
	})
}
