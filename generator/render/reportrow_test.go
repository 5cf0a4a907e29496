package render

import (
	"html/template"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
)

// FuzzReportRow checks that the hand-written report-row is, byte for byte,
// what the built-in template prints, in every language, for hostile ids
// and names and any durations.
func FuzzReportRow(f *testing.F) {
	f.Add("api", "API", int64(30*24*time.Hour), int64(time.Hour), int64(0), int64(90*time.Minute), int64(0), int64(2*time.Hour), 0.9991, uint8(1))
	f.Add(`a"b`, `<script>alert(1)</script> "q" & 'a' + b`, int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), 0.0, uint8(0))
	f.Add("web_1.x~", "\x00\xff\ufdd0", int64(time.Minute), int64(time.Second), int64(-time.Hour), int64(1), int64(59*time.Second), int64(400*24*time.Hour), 1.0, uint8(3))
	f.Add("api", `<b> "q" & 'a' + b`, int64(time.Hour), int64(0), int64(0), int64(0), int64(0), int64(0), 0.25, uint8(3))
	f.Add("ü", "Ärger", int64(time.Hour), int64(0), int64(time.Hour), int64(0), int64(time.Hour), int64(0), 0.5, uint8(1))
	r := newRenderer(f, "")
	sets := goPairs(f, r, "report.html", "report-row")
	f.Fuzz(func(t *testing.T, id, name string, known, down, probeDown, declaredDown, excluded, noData int64, up float64, shape uint8) {
		fig := &report.Figures{
			Component: report.Component{ID: id, Name: name, Probed: shape&1 != 0},
			Summary: uptime.Summary{
				Known: time.Duration(known), Down: time.Duration(down), Excluded: time.Duration(excluded), NoData: time.Duration(noData),
				Uptime: up, HasValue: shape&2 != 0,
			},
			ProbeDown: time.Duration(probeDown), DeclaredDown: time.Duration(declaredDown),
		}
		sameAsTemplate(t, sets, "row", func(s *pageSet) (template.HTML, error) { return s.reportRow(fig) })
	})
}

// TestReportRowOverridden checks that a site which redefines
// "report-row" gets its own rows.
func TestReportRowOverridden(t *testing.T) {
	checkOverrides(t, "report.html", "report-row", reportPage, []overrideCase{
		{name: "no override", builtin: true, want: `<tr><th scope="row"><a href="#component-api">API</a></th>`},
		{name: "report-row", files: map[string]string{"report.html": redefine(t, "report.html", "report-row", `<tr class="custom"><td>{{.Name}}</td></tr>`)}, want: `<tr class="custom"><td>API</td></tr>`},
	})
}

// reportPage renders the fixture with the sample site's reports and
// returns the first month's page.
func reportPage(tb *testing.T, r *Renderer) string {
	tb.Helper()
	snap := sitetest.Snapshot(tb, fixtureDir, fixtureNow)
	paths, out := renderAll(tb, r.Files(snap, WithReports(sampleReports(snap))))
	for _, p := range paths {
		if pageKind(p) == "report.html" {
			return string(out[p])
		}
	}
	tb.Fatal("got no report page, want one a month")
	return ""
}

// FuzzReportEntry checks that the hand-written report-entry is, byte for
// byte, what the built-in template prints, in every language, for hostile
// titles, slugs and roots, open and closed months, incidents and
// maintenance.
func FuzzReportEntry(f *testing.F) {
	f.Add("Website slow", "2026-11-20-slow", "../../", uint8(0))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, "a+b", "../../", uint8(1|2))
	f.Add("\x00\xff\xfe bad UTF-8 \ufdd0", "javascript:alert(1)", "", uint8(4|8))
	f.Add("title", "x y%20z", "https://example.com/", uint8(3|16))
	f.Add(`<b> "q" & 'a' + b`, "2026-11-20-hostile", "../../", uint8(1|16))
	f.Add("Slow package search", "2026-09-08-search-latency", "../../../", uint8(1|32))
	r := newRenderer(f, "")
	sets := goPairs(f, r, "report.html", "report-entry")
	now := fixtureNow
	monthStart := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, title, slug, root string, shape uint8) {
		in := &incident.Incident{Slug: slug, Title: title, Kind: incident.KindIncident, Started: now.Add(-50 * time.Hour)}
		if shape&1 != 0 {
			in.Resolved = now.Add(-time.Hour)
		}
		if shape&2 != 0 {
			in.Kind, in.ScheduledStart, in.ScheduledEnd = incident.KindMaintenance, now.Add(-3*time.Hour), now.Add(time.Duration(int(shape>>2&3)-1)*time.Hour)
		}
		if shape&32 != 0 {
			in.Untranslated = `en"<` // on a page in another language
		}
		m := &report.Month{Start: monthStart, End: now, ToDate: true}
		if shape&16 != 0 {
			m.End, m.ToDate = now.Add(-2*time.Hour), false // closed before the incident ended
		}
		p := &Page{Kind: "report", Root: root, Now: now, Report: m}
		sameAsTemplate(t, sets, "entry", func(s *pageSet) (template.HTML, error) { return s.reportEntry(p, in) })
	})
}

// TestReportEntryOverridden checks that a site which redefines
// "report-entry" gets its own lists, and one which redefines
// "report-component" its own sections.
func TestReportEntryOverridden(t *testing.T) {
	checkOverrides(t, "report.html", "report-entry", reportPage, []overrideCase{
		{name: "no override", builtin: true, want: `<li class="entry"><p class="entry-title"><a href="../../incidents/`},
		{name: "report-entry", files: map[string]string{"report.html": redefine(t, "report.html", "report-entry", `<li class="custom">{{.Incident.Title}}</li>`)}, want: `<li class="custom">`},
		{name: "report-component", files: map[string]string{"report.html": redefine(t, "report.html", "report-component", `<section class="custom">{{.Name}} {{.Page.Kind}}</section>`)}, builtin: true, want: `<section class="custom">API report</section>`},
	})
}

// FuzzReportComponent checks that the hand-written report-component is,
// byte for byte, what the built-in template prints, in every language,
// for hostile ids and names, any durations, with and without an
// objective.
func FuzzReportComponent(f *testing.F) {
	f.Add("api", "API", int64(time.Hour), int64(0), int64(90*time.Minute), uint8(0))
	f.Add(`a"b`, `<script>alert(1)</script> "q" & 'a' + b`, int64(0), int64(0), int64(0), uint8(1))
	f.Add("api", `<b> "q" & 'a' + b`, int64(time.Minute), int64(time.Second), int64(-time.Hour), uint8(1|2))
	f.Add("web_1.x~", "\x00\xff\ufdd0", int64(400*24*time.Hour), int64(1), int64(59*time.Second), uint8(2|4))
	snap := sitetest.Snapshot(f, fixtureDir, fixtureNow)
	components := report.Components(snap)
	for i := range components {
		components[i].Probed, components[i].Target = true, 0.999
	}
	// Probed all month, so that the objectives are measurable and have
	// a margin.
	la := snap.Site.Location
	intervals := map[string][]history.Interval{}
	for _, c := range components {
		intervals[c.ID] = []history.Interval{
			{Start: time.Date(2026, 10, 20, 0, 0, 0, 0, la), End: time.Date(2026, 11, 5, 9, 0, 0, 0, la), State: history.Up},
			{Start: time.Date(2026, 11, 5, 9, 0, 0, 0, la), End: time.Date(2026, 11, 5, 10, 0, 0, 0, la), State: history.Down},
			{Start: time.Date(2026, 11, 5, 10, 0, 0, 0, la), End: fixtureNow, State: history.Up},
		}
	}
	months := report.Months(report.Input{Components: components, Incidents: snap.Incidents, Intervals: intervals, PartialWeight: 0.3, MinCoverage: 0.5, Loc: la, Now: fixtureNow})
	month := months[len(months)-1]
	r := newRenderer(f, "")
	sets := goPairs(f, r, "report.html", "report-component")
	f.Fuzz(func(t *testing.T, id, name string, down, partial, noData int64, shape uint8) {
		fig := *month.Components[int(shape>>2)%len(month.Components)]
		fig.ID, fig.Name, fig.Probed = id, name, shape&1 != 0
		fig.Down, fig.Partial, fig.NoData = time.Duration(down), time.Duration(partial), time.Duration(noData)
		if shape&2 == 0 {
			fig.SLO = nil
		}
		p := &Page{Kind: "report", Root: "../../", Now: fixtureNow, Report: month, Site: snap.Site}
		sameAsTemplate(t, sets, "section", func(s *pageSet) (template.HTML, error) { return s.reportComponent(p, &fig) })
	})
}

// TestReportRowAllocations checks that a component's row in a month's
// summary, with time without data, words it without wording the message
// around it or the lengths a set has worded again: a report page has a
// row for every component.
func TestReportRowAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	r := newRenderer(t, "")
	fig := &report.Figures{
		Component: report.Component{ID: "api", Name: "API", Probed: true},
		Summary: uptime.Summary{
			Known: 29 * 24 * time.Hour, Down: 90 * time.Minute, NoData: 26 * time.Hour,
			Uptime: 0.9978, HasValue: true,
		},
		ProbeDown: time.Hour, DeclaredDown: 40 * time.Minute,
	}
	for _, tag := range []string{"en", "de", "ja", "ar"} {
		t.Run(tag, func(t *testing.T) {
			fast, _ := pageSets(t, r, "report.html", tag)
			if _, err := fast.reportRow(fig); err != nil {
				t.Fatal(err)
			}
			// The builder's buffer and the uptime (19 before, with the
			// message around the time without data and five lengths
			// worded anew, then 12 with the lengths).
			got := testing.AllocsPerRun(20, func() {
				if _, err := fast.reportRow(fig); err != nil {
					t.Fatal(err)
				}
			})
			if got > 2 {
				t.Errorf("got %.0f allocations a row, want at most 2", got)
			}
		})
	}
}
