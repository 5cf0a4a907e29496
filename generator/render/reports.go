package render

import (
	"slices"
	"time"

	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/i18n"
)

// Option adds to what Files renders.
type Option func(*options)

type options struct {
	reports     func() []*report.Month
	withReports bool // even when there are no months yet
}

// WithReports adds the pages of the monthly reports, reports/index.html
// and reports/YYYY-MM/index.html, for months oldest first as
// report.Months returns them (see docs/reports.md); api.ReportFiles
// writes their data.
func WithReports(months []*report.Month) Option {
	return WithReportsFrom(func() []*report.Month { return months })
}

// WithReportsFrom is WithReports with the months that months returns,
// which Files calls once, after it has planned every other page: the
// months may still be worked out on another core meanwhile.
func WithReportsFrom(months func() []*report.Month) Option {
	return func(o *options) { o.reports, o.withReports = months, true }
}

// ReportIndex is the reports/ page: every month and a year overview.
type ReportIndex struct {
	// Months are newest first.
	Months []*report.Month
	// Years are newest first, each with its twelve months side by side.
	Years []ReportYear
}

// ReportYear is one calendar year of reports.
type ReportYear struct {
	Year int
	// Months holds January to December.
	Months [12]ReportCell
}

// ReportCell is one month of a year overview.
type ReportCell struct {
	// Name is the month's short name in the site's language, "Jan".
	Name string
	// Month is its report; nil when there is none.
	Month *report.Month
}

// ReportsPath is the link to the reports index from the site root.
const ReportsPath = "reports/"

// ReportPath is the link to the report of month m from the site root,
// "reports/2026-11/".
func ReportPath(m *report.Month) string { return ReportsPath + m.Name() + "/" }

// reportIndex groups months (oldest first) for the reports page, the
// months named in l's language.
func reportIndex(months []*report.Month, l *i18n.Locale) *ReportIndex {
	idx := &ReportIndex{Months: slices.Clone(months)}
	slices.Reverse(idx.Months)
	for _, m := range idx.Months {
		y := m.Start.Year()
		if len(idx.Years) == 0 || idx.Years[len(idx.Years)-1].Year != y {
			year := ReportYear{Year: y}
			for i := range year.Months {
				year.Months[i].Name = l.MonthAbbr(time.Date(y, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC))
			}
			idx.Years = append(idx.Years, year)
		}
		idx.Years[len(idx.Years)-1].Months[m.Start.Month()-1].Month = m
	}
	return idx
}

// reportPages plans the reports index and a page per month.
func reportPages(months []*report.Month, newPage func(kind, file, link string) *Page, site status.Site) []plannedPage {
	l := site.L()
	idx := reportIndex(months, l)
	p := newPage("reports", ReportsPath+"index.html", ReportsPath)
	p.Reports = idx
	p.Title = l.T("reports.page_title", "site", site.Title)
	p.Description = l.T("reports.description", "site", site.Title)
	out := []plannedPage{{ReportsPath + "index.html", "reports.html", p, nil}}
	for _, m := range months {
		link := ReportPath(m)
		p := newPage("report", link+"index.html", link)
		p.Report = m
		month := l.MonthYear(m.Start)
		p.Title = l.T("report.page_title", "month", month, "site", site.Title)
		p.Description = l.T("report.description", "site", site.Title, "month", month)
		out = append(out, plannedPage{link + "index.html", "report.html", p, nil})
	}
	return out
}
