package render

import (
	"bytes"
	"cmp"
	"errors"
	"html/template"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/internal/memtest"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/history"
)

// FuzzReportMain checks that the hand-written month's report page is,
// byte for byte, what the built-in "main" of report.html prints, in every
// language, for each month of a site whose components have objectives,
// with hostile component ids and names, incident titles and roots, a
// running and a closed month, months without incidents or maintenance,
// with revisions, and a page without its month.
func FuzzReportMain(f *testing.F) {
	f.Add("api", "API", "Website slow", "../../", "../../", uint8(0))
	f.Add(`a"b`, `<script>alert(1)</script> "q" & 'a' + b`, `<b>"x"</b> & +`, "../../", "../../", uint8(1))
	f.Add("web_1.x~", "\x00\xff\ufdd0", "\x00", "javascript:alert(1)//", "../../", uint8(2))
	f.Add("api", "Ärger", "title", "../../../", "x y%20z/", uint8(3|4))
	f.Add("api", "API", "title", "../../", "../../", uint8(8|16))
	f.Add("api", "API", "title", "../../", "../../", uint8(32))
	f.Add("a b", "API", "title", "../../", "../../", uint8(64|1))
	snap := sitetest.Snapshot(f, fixtureDir, fixtureNow)
	components := report.Components(snap)
	for i := range components {
		components[i].Probed, components[i].Target = true, 0.999
	}
	la := snap.Site.Location
	intervals := map[string][]history.Interval{}
	for i, c := range components {
		if i == 1 {
			// One component without data, whose objective is not
			// measurable.
			continue
		}
		intervals[c.ID] = []history.Interval{
			{Start: time.Date(2026, 9, 20, 0, 0, 0, 0, la), End: time.Date(2026, 11, 5, 9, 0, 0, 0, la), State: history.Up},
			{Start: time.Date(2026, 11, 5, 9, 0, 0, 0, la), End: time.Date(2026, 11, 5, 10, 0, 0, 0, la), State: history.Down},
			{Start: time.Date(2026, 11, 5, 10, 0, 0, 0, la), End: fixtureNow, State: history.Up},
		}
	}
	months := report.Months(report.Input{Components: components, Incidents: snap.Incidents, Intervals: intervals, PartialWeight: 0.3, MinCoverage: 0.5, Loc: la, Now: fixtureNow})
	r := newRenderer(f, "")
	sets := goPairs(f, r, "report.html", "main")
	f.Fuzz(func(t *testing.T, id, name, title, root, shared string, shape uint8) {
		m := *months[int(shape&3)%len(months)]
		m.Components = make([]*report.Figures, len(m.Components))
		for i, fig := range months[int(shape&3)%len(months)].Components {
			fig := *fig
			if i == 0 {
				fig.ID, fig.Name = id, name
			}
			if shape&64 != 0 {
				fig.SLO = nil
			}
			m.Components[i] = &fig
		}
		m.Incidents = append([]*incident.Incident(nil), m.Incidents...)
		if len(m.Incidents) > 0 {
			in := *m.Incidents[0]
			in.Title = title
			m.Incidents[0] = &in
		}
		if shape&4 != 0 {
			m.ToDate = !m.ToDate
		}
		if shape&8 != 0 {
			m.Incidents = nil
		}
		if shape&16 != 0 {
			m.Maintenance = nil
		}
		if shape&32 != 0 {
			m.Revisions = []report.Revision{{At: fixtureNow, From: []report.PublishedFigure{{ID: "api", Uptime: "99.5%", DownMinutes: 3}}}}
		}
		p := &Page{Kind: "report", Root: root, SharedRoot: shared, Now: fixtureNow, Site: snap.Site, Snap: snap, Report: &m}
		if shape&128 != 0 {
			p.Report = nil
		}
		// The fast set's "main" calls reportMain.
		sameAsTemplate(t, sets, "report page", func(s *pageSet) (template.HTML, error) {
			var b strings.Builder
			err := s.t.ExecuteTemplate(&b, "main", p)
			return template.HTML(b.String()), err
		})
	})
}

// TestReportMainOverridden checks that a site which redefines the month's
// page "main" gets its own page, and one which overrides a part the page
// draws (a row, a section) gets it in the page written by hand.
func TestReportMainOverridden(t *testing.T) {
	checkOverrides(t, "report.html", "main", reportPage, []overrideCase{
		{name: "no override", builtin: true, want: `<section aria-labelledby="summary">`},
		{name: "report-row", files: map[string]string{"report.html": redefine(t, "report.html", "report-row", `<tr class="custom"><td>{{.Name}}</td></tr>`)}, builtin: true, want: `<tr class="custom"><td>API</td></tr>`},
		{name: "report-component", files: map[string]string{"report.html": redefine(t, "report.html", "report-component", `<section class="custom">{{.Name}}</section>`)}, builtin: true, want: `<section class="custom">API</section>`},
		{name: "main", files: map[string]string{"report.html": `{{define "main"}}<p class="custom">{{.Report.Name}}</p>{{end}}`}, want: `<p class="custom">2026-`},
		{name: "main reworded", files: map[string]string{"report.html": strings.Replace(builtinSource(t, "report.html"), `<section aria-labelledby="summary">`, `<section aria-labelledby="summary" class="custom">`, 1)}, want: `<section aria-labelledby="summary" class="custom">`},
	})
}

// TestPageMainWrittenInPlace checks that the main of a month's report
// page, an incident page, an archive page and a component's page, written
// in Go into a page's buffer with room for them, is written straight into
// it: they allocate fewer bytes than they are long (0.15, 0.54, 0.62 and
// 0.63 a byte of the page; 0.22 for a report listing 180 entries, 0.06
// for an incident of 30 updates with headings). Before, each report row
// and section (most of it its calendar), an incident page's article and
// each entry of a list were strings of their own, grown and copied into
// the page: 1.64, 2.42, 1.68 and 1.87 a byte; then a report's entries
// (2.65, then 0.47 for their time ranges), an update's body with its
// headings moved down (0.94) and its time tag (0.22) still were.
func TestPageMainWrittenInPlace(t *testing.T) {
	memtest.SkipUnderRace(t)
	snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
	months := report.Months(report.Input{Components: report.Components(snap), Incidents: snap.Incidents, PartialWeight: 0.3, MinCoverage: 0.5, Loc: snap.Site.Location, Now: fixtureNow})
	listing := *snap.Components[0]
	listing.Incidents = slices.Repeat(snap.Incidents, 20)
	// An incident of many updates whose bodies have headings, which
	// its page moves down.
	updated := *snap.Incidents[0]
	updated.Updates = nil
	for i := range 30 {
		updated.Updates = append(updated.Updates, incident.Update{
			Time: fixtureNow.Add(-time.Duration(i) * time.Hour), Status: "monitoring",
			Body: template.HTML("<h3>Cause</h3>\n<p>" + strings.Repeat("The database failed over. ", 8) + "</p>\n<h4>Next</h4>\n<p>We watch it.</p>"),
		})
	}
	month := *months[len(months)-1]
	month.Incidents = slices.Repeat(snap.Incidents, 20)
	r := newRenderer(t, "")
	tests := []struct {
		name, page string
		p          *Page
		write      func(*pageSet, io.Writer, *Page) error
		// most is the bytes it may allocate a byte of the page, 1 if 0.
		most float64
	}{
		{name: "report", page: "report.html", p: &Page{Kind: "report", Root: "../../", SharedRoot: "../../", Now: fixtureNow, Site: snap.Site, Snap: snap, Report: months[len(months)-1]}, write: (*pageSet).reportMain},
		{name: "incident", page: "incident.html", p: &Page{Kind: "incident", Root: "../../", Now: fixtureNow, Site: snap.Site, Snap: snap, Incident: snap.Incidents[0]}, write: (*pageSet).writeIncidentMain},
		{name: "incident updates", page: "incident.html", p: &Page{Kind: "incident", Root: "../../", Now: fixtureNow, Site: snap.Site, Snap: snap, Incident: &updated}, write: (*pageSet).writeIncidentMain, most: 0.1},
		{name: "history", page: "history.html", p: &Page{Kind: "history", Root: "../", Now: fixtureNow, Site: snap.Site, Snap: snap, History: &History{Page: 1, Pages: 1, Months: byMonth(snap.Incidents, snap.Site.Location)}}, write: (*pageSet).historyMain},
		// A month that lists every incident many times: its entries, not
		// its calendars, are most of the page.
		{name: "report entries", page: "report.html", p: &Page{Kind: "report", Root: "../../", SharedRoot: "../../", Now: fixtureNow, Site: snap.Site, Snap: snap, Report: &month}, write: (*pageSet).reportMain, most: 0.3},
		// A component's page as the fixture has it, most of it its bars,
		// written in place (3.14 bytes a byte when they were a string of
		// their own, copied in); the rest is the latency charts' series.
		{name: "component bars", page: "component.html", p: &Page{Kind: "component", Root: "../../", Now: snap.Now, Site: snap.Site, Snap: snap, Component: snap.Components[0], ComponentFeeds: feeds(ComponentPath(snap.Components[0].ID))}, write: (*pageSet).componentMain, most: 2.8},
		// A component whose history lists every incident: its entries,
		// not its charts, are most of the page.
		{name: "component", page: "component.html", p: &Page{Kind: "component", Root: "../../", Now: snap.Now, Site: snap.Site, Snap: snap, Component: &listing, ComponentFeeds: feeds(ComponentPath(listing.ID))}, write: (*pageSet).componentMain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := pageSets(t, r, tt.page, "en")
			var b bytes.Buffer
			if err := tt.write(s, &b, tt.p); err != nil {
				t.Fatal(err)
			}
			n := b.Len()
			b.Grow(4 * n)
			var err error
			least := memtest.LeastBytes(10, func() {
				b.Reset()
				err = errors.Join(err, tt.write(s, &b, tt.p))
			})
			if err != nil {
				t.Fatal(err)
			}
			most := cmp.Or(tt.most, 1)
			if got := float64(least) / float64(n); got > most {
				t.Errorf("got %.2f bytes allocated a byte of a page of %d bytes, want at most %.2f", got, n, most)
			}
		})
	}
}
