package render

import (
	"html/template"
	"strings"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/report"
)

// reportRow is the template function of that name: the "report-row"
// template of report.html, a component's row in a month's summary table,
// executed with f. A report page has a row for every component, each some
// fifteen calls through reflect, so while the set's "report-row" is the
// built-in one it is written here instead, escaped as html/template
// escapes it (FuzzReportRow holds the two to the same bytes). An id that
// html/template would percent-encode in the row's link gets the template.
func (s *pageSet) reportRow(f *report.Figures) (template.HTML, error) {
	return asHTML(func(b textWriter) error { return s.writeReportRow(b, f) })
}

// writeReportRow writes reportRow's row of f to b.
func (s *pageSet) writeReportRow(b textWriter, f *report.Figures) error {
	if !s.builtin["report-row"] || !unreserved(f.ID) {
		return s.t.ExecuteTemplate(b, "report-row", f)
	}
	w := s.words
	b.Grow(512)
	b.WriteString("\n<tr><th scope=\"row\"><a href=\"#component-")
	b.WriteString(f.ID)
	b.WriteString("\">")
	htmlEscaper.WriteString(b, f.Name)
	b.WriteString("</a></th>\n<td>")
	if f.Probed {
		htmlEscaper.WriteString(b, f.PercentIn(w.l))
	} else {
		b.WriteString("<span class=\"muted\">")
		b.WriteString(s.fixed("component.not_monitored"))
		b.WriteString("</span>")
	}
	s.writeDurations(b, f.Summary, f.ProbeDown, f.DeclaredDown)
	b.WriteString("</td>\n</tr>")
	return nil
}

// ReportComponent is a component's section of a month's report, the data
// of the "report-component" template: the page, and the component's
// figures, whose fields it has.
type ReportComponent struct {
	Page *Page
	*report.Figures
}

// reportComponent is the template function of that name: the
// "report-component" template of report.html executed with the
// ReportComponent of f on page p; written here, as reportRow writes
// "report-row", while the set's "report-component" is the built-in one
// (FuzzReportComponent holds the two to the same bytes).
func (s *pageSet) reportComponent(p *Page, f *report.Figures) (template.HTML, error) {
	return asHTML(func(b textWriter) error { return s.writeReportComponent(b, p, f) })
}

// writeReportComponent writes reportComponent's section of f on page p
// to b.
func (s *pageSet) writeReportComponent(b textWriter, p *Page, f *report.Figures) error {
	if !s.builtin["report-component"] || !unreserved(f.ID) {
		return s.t.ExecuteTemplate(b, "report-component", ReportComponent{p, f})
	}
	w := s.words
	none := s.fixed("report.none")
	b.Grow(256) // the heading; writeCalendar grows b to hold the rest
	fact := func(key string) {
		b.WriteString("\n<div><dt>")
		b.WriteString(s.fixed(key))
		b.WriteString("</dt><dd>")
	}
	length := func(key string, d time.Duration) {
		fact(key)
		if d == 0 {
			b.WriteString(none)
		} else {
			htmlEscaper.WriteString(b, s.length(d))
		}
		b.WriteString("</dd></div>")
	}
	b.WriteString("\n<section aria-labelledby=\"component-")
	b.WriteString(f.ID)
	b.WriteString("\">\n<h2 id=\"component-")
	b.WriteString(f.ID)
	b.WriteString("\">")
	htmlEscaper.WriteString(b, f.Name)
	b.WriteString("</h2>\n")
	writeCalendar(b, 1024, p, f)
	b.WriteString("\n<dl class=\"periods\">")
	fact("component.uptime")
	if f.Probed {
		htmlEscaper.WriteString(b, f.PercentIn(w.l))
	} else {
		b.WriteString(s.fixed("component.not_monitored"))
	}
	b.WriteString("</dd></div>")
	length("report.down", f.Down)
	length("status.partial_outage", f.Partial)
	length("component.no_data", f.NoData)
	if f.SLO != nil {
		sw := f.SLO.WordsIn(w.l)
		b.WriteString("\n<div><dt>")
		b.WriteString(string(w.t("report.objective_target", "target", sw.Target)))
		b.WriteString("</dt><dd>")
		htmlEscaper.WriteString(b, sw.State)
		if m := w.margin(f); m != "" {
			b.WriteString(s.fixed("list.separator"))
			htmlEscaper.WriteString(b, m)
		}
		b.WriteString("</dd></div>")
	}
	b.WriteString("\n</dl>\n</section>")
	return nil
}

// reportEntry is the template function of that name: the "report-entry"
// template of report.html, an incident or maintenance in a month's lists,
// executed with the Entry of in on the report's page p; written here, as
// listEntry writes "entry", while the set's "report-entry" is the built-in
// one (FuzzReportEntry holds the two to the same bytes).
func (s *pageSet) reportEntry(p *Page, in *incident.Incident) (template.HTML, error) {
	return asHTML(func(b textWriter) error { return s.writeReportEntry(b, p, in) })
}

// writeReportEntry writes reportEntry's entry of in on page p to b.
func (s *pageSet) writeReportEntry(b textWriter, p *Page, in *incident.Incident) error {
	if !s.builtin["report-entry"] || !plainLink(p, in) || p.Report == nil {
		return s.t.ExecuteTemplate(b, "report-entry", newEntry(s, p, in))
	}
	w := s.words
	b.WriteString("\n<li class=\"entry\"><p class=\"entry-title\"><a href=\"")
	writeIncidentLink(b, p, in)
	b.WriteString("\"")
	if in.Untranslated != "" {
		b.WriteString(" lang=\"")
		htmlEscaper.WriteString(b, in.Untranslated)
		b.WriteString("\"")
	}
	b.WriteString(">")
	htmlEscaper.WriteString(b, in.Title)
	b.WriteString("</a></p>\n<p class=\"excerpt\">")
	w.writeTimeRange(b, in.Start(), in.End())
	b.WriteString(" · ")
	if p.Report.OpenAtEnd(in) {
		b.WriteString(s.fixed("report.open_at_end"))
	} else {
		htmlEscaper.WriteString(b, w.lasted(in, p.Now))
	}
	b.WriteString("</p></li>")
	return nil
}

// unreserved reports whether s is made of the characters that
// html/template leaves as they are in a URL's query or fragment: URL
// escaping's unreserved characters.
func unreserved(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			return false
		}
	}
	return true
}
