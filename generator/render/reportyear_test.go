package render

import (
	"fmt"
	"html/template"
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/i18n"
)

// FuzzReportYear checks that the hand-written report-year is, byte for
// byte, what the built-in template prints, in every language, for hostile
// component and month names and roots, probed and unprobed components,
// uptimes with and without a value, and months without figures for a
// component.
func FuzzReportYear(f *testing.F) {
	f.Add("API", "Jan", "../", 0.9991, uint8(1|2))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, `<b>"Jän"</b> & +`, "../", 0.0, uint8(0))
	f.Add("\x00\xff\ufdd0", "\x00", "javascript:alert(1)//", 1.0, uint8(1|4))
	f.Add("Ärger", "Mär", "x y%20z/", 0.5, uint8(1|2|8))
	f.Add("web", "Dez", "", 0.25, uint8(2|16))
	snap := sitetest.Snapshot(f, fixtureDir, fixtureNow)
	months := sampleReports(snap)
	r := newRenderer(f, "")
	sets := goPairs(f, r, "reports.html", "report-year")
	f.Fuzz(func(t *testing.T, component, month, root string, up float64, shape uint8) {
		s := *snap
		s.Components = make([]*status.Component, len(snap.Components))
		for i, c := range snap.Components {
			c := *c
			if i == 0 {
				c.Name = component
			}
			s.Components[i] = &c
		}
		y := ReportYear{Year: 2026}
		for i := range y.Months {
			y.Months[i].Name = i18n.For("en").MonthAbbr(months[0].Start.AddDate(0, i-int(months[0].Start.Month())+1, 0))
		}
		y.Months[0].Name = month
		for k, m := range months {
			m := *m
			m.Components = make([]*report.Figures, len(m.Components))
			for i, fig := range months[k].Components {
				fig := *fig
				fig.Probed, fig.HasValue, fig.Uptime = shape&1 != 0, shape&2 != 0, up
				m.Components[i] = &fig
			}
			if shape&4 != 0 {
				m.Components[len(m.Components)-1] = nil
			}
			y.Months[m.Start.Month()-1].Month = &m
		}
		if shape&8 != 0 {
			y.Months[0].Month = y.Months[10].Month
		}
		p := &Page{Kind: "reports", Root: root, Now: fixtureNow, Site: s.Site, Snap: &s}
		sameAsTemplate(t, sets, "year", func(s *pageSet) (template.HTML, error) { return s.reportYear(p, y) })
	})
}

// TestReportYearOverridden checks that a site which redefines
// "report-year", or the reports page's "main" as it stood before there
// was one, gets its own tables.
func TestReportYearOverridden(t *testing.T) {
	page := func(t *testing.T, r *Renderer) string {
		return string(reportsIndex(t, r, sitetest.Snapshot(t, fixtureDir, fixtureNow)).page)
	}
	checkOverrides(t, "reports.html", "report-year", page, []overrideCase{
		{name: "no override", builtin: true, want: `<table class="year">`},
		{name: "report-year", files: map[string]string{"reports.html": redefine(t, "reports.html", "report-year", `<table class="custom">{{.Year}} {{.Page.Kind}}</table>`)}, want: `<table class="custom">2026 reports</table>`},
		{name: "main", files: map[string]string{"reports.html": `{{define "main"}}{{range .Reports.Years}}<p class="custom">{{.Year}}</p>{{end}}{{end}}`}, want: `<p class="custom">2026</p>`},
	})
}

// TestReportYearAllocations checks that the cells of the reports page's
// year tables cost less than an allocation each: a site's page with 60
// components more against the page without them. Executed, report-year's
// template allocated some twenty times a cell.
func TestReportYearAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	// page is the allocations of the reports page of the fixture with n
	// components more, and its cells with figures.
	page := func(n int) (allocs float64, cells int) {
		snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
		for i := range n {
			c := *snap.Components[i%len(snap.Components)]
			c.ID, c.Name = fmt.Sprintf("c%d", i), fmt.Sprintf("Component %d", i)
			snap.Components = append(snap.Components, &c)
		}
		got := reportsIndex(t, newRenderer(t, ""), snap)
		for _, m := range got.months {
			cells += len(m.Components)
		}
		return testing.AllocsPerRun(10, func() {
			if err := got.file.Render(discard{}); err != nil {
				t.Fatal(err)
			}
		}), cells
	}
	a0, c0 := page(0)
	a1, c1 := page(60)
	if a1-a0 >= float64(c1-c0) {
		t.Errorf("got %.0f allocations more for %d cells more, want fewer than one a cell", a1-a0, c1-c0)
	}
}

// reportsPage is the reports index of a site, with the months it shows.
type reportsPage struct {
	file   File
	page   []byte
	months []*report.Month
}

// reportsIndex renders r's reports index of snap, with its sample
// reports.
func reportsIndex(tb testing.TB, r *Renderer, snap *status.Snapshot) reportsPage {
	tb.Helper()
	months := sampleReports(snap)
	for _, f := range r.Files(snap, WithReports(months)) {
		if f.Path == ReportsPath+"index.html" {
			var b strings.Builder
			if err := f.Render(&b); err != nil {
				tb.Fatal(err)
			}
			return reportsPage{f, []byte(b.String()), months}
		}
	}
	tb.Fatal("got no reports index, want one")
	return reportsPage{}
}

// discard is io.Discard without its pool of buffers, which would count
// as allocations.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
