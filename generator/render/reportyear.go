package render

import (
	"html/template"
	"strconv"
	"strings"
)

// ReportYearTable is a year's overview table on the reports page, the
// data of the "report-year" template: the page, and the year, whose
// fields it has.
type ReportYearTable struct {
	Page *Page
	ReportYear
}

// reportYear is the template function of that name: the "report-year"
// template of reports.html executed with the ReportYearTable of y on page
// p. A year's table has a cell for every component and month, each some
// five calls through reflect (a site of 100 components over six years:
// 8,400 cells, 158,000 allocations), so while the set's "report-year" is
// the built-in one it is written here instead, escaped as html/template
// escapes it (FuzzReportYear holds the two to the same bytes). A table
// whose label html/template would escape in its attribute, whose links
// are not plain paths, or whose months lack a component's figures gets
// the template.
func (s *pageSet) reportYear(p *Page, y ReportYear) (template.HTML, error) {
	w := s.words
	label := w.t("reports.year_table", "year", strconv.Itoa(y.Year))
	if !s.builtin["report-year"] || !plainWords(label) || !s.plainYear(p, &y) {
		var b strings.Builder
		if err := s.t.ExecuteTemplate(&b, "report-year", ReportYearTable{p, y}); err != nil {
			return "", err
		}
		return template.HTML(b.String()), nil
	}
	year := strconv.Itoa(y.Year)
	unmonitored := string(w.t("component.not_monitored"))
	var b strings.Builder
	b.Grow(1024 + len(p.Snap.Components)*12*32)
	b.WriteString("\n<section aria-labelledby=\"year-")
	b.WriteString(year)
	b.WriteString("\">\n<h2 id=\"year-")
	b.WriteString(year)
	b.WriteString("\">")
	b.WriteString(year)
	b.WriteString("</h2>\n<div class=\"table-scroll\" role=\"region\" aria-label=\"")
	b.WriteString(string(label))
	b.WriteString("\" tabindex=\"0\">\n<table class=\"year\">\n<thead>\n<tr><th scope=\"col\">")
	b.WriteString(string(w.t("incident.component")))
	b.WriteString("</th>")
	for _, cell := range y.Months {
		b.WriteString("\n<th scope=\"col\">")
		if cell.Month != nil {
			b.WriteString("<a href=\"")
			b.WriteString(p.Rel(ReportPath(cell.Month)))
			b.WriteString("\">")
			htmlEscaper.WriteString(&b, cell.Name)
			b.WriteString("</a>")
		} else {
			htmlEscaper.WriteString(&b, cell.Name)
		}
		b.WriteString("</th>")
	}
	b.WriteString("\n</tr>\n</thead>\n<tbody>")
	for ci, c := range p.Snap.Components {
		b.WriteString("\n<tr><th scope=\"row\">")
		htmlEscaper.WriteString(&b, c.Name)
		b.WriteString("</th>")
		for _, cell := range y.Months {
			b.WriteString("\n<td>")
			switch m := cell.Month; {
			case m == nil:
				b.WriteString("<span class=\"muted\">–</span>")
			case m.Components[ci] == nil:
			case m.Components[ci].Probed:
				htmlEscaper.WriteString(&b, m.Components[ci].PercentIn(w.l))
			default:
				b.WriteString("<span class=\"muted\">")
				b.WriteString(unmonitored)
				b.WriteString("</span>")
			}
			b.WriteString("</td>")
		}
		b.WriteString("\n</tr>")
	}
	b.WriteString("\n</tbody>\n</table>\n</div>\n</section>")
	return template.HTML(b.String()), nil
}

// plainYear reports whether reportYear may write y on p in Go: every
// month's link is a plain path, and has figures for every component of
// the page's snapshot (the template's index of a missing one fails).
func (s *pageSet) plainYear(p *Page, y *ReportYear) bool {
	for _, cell := range y.Months {
		if m := cell.Month; m != nil && (len(m.Components) < len(p.Snap.Components) || !plainPath(p.Rel(ReportPath(m)))) {
			return false
		}
	}
	return true
}
