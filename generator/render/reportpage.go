package render

import (
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/uptime"
)

// reportMain writes to w what the built-in "main" of report.html prints
// for the page p, rather than executing it, as incidentMain does: a
// month's page makes a call through reflect for each component's row,
// section and objective and each incident, and a dozen for the whole
// site's row, each with its escapers. It draws rows, sections and entries
// with reportRow, reportComponent and reportEntry, so a site that
// overrides one of those still gets its own, and escapes each value as
// html/template does in its context (FuzzReportMain holds the two to the
// same bytes). A month with revisions, links that are not plain paths or
// ids, and a table label html/template would escape go to the template.
func (s *pageSet) reportMain(w io.Writer, p *Page) error {
	if !s.plainReport(p) {
		return s.t.ExecuteTemplate(w, builtinMain, p)
	}
	x := &pageWriter{w: w}
	if m := p.Report; m != nil {
		s.writeReport(x, p, m)
	}
	x.str("\n<p class=\"more\"><a href=\"")
	x.str(p.Root)
	x.str(ReportsPath + "\">")
	x.str(s.fixed("report.all_reports"))
	x.str("</a></p>")
	return x.err
}

// plainReport reports whether reportMain writes p: see there.
func (s *pageSet) plainReport(p *Page) bool {
	if !plainPath(p.Root) {
		return false
	}
	m := p.Report
	if m == nil {
		return true
	}
	if len(m.Revisions) > 0 || !plainPath(p.SharedRoot) || !plainPath(m.Name()) || !plainWords(template.HTML(s.fixed("report.summary_table"))) {
		return false
	}
	for _, f := range m.Components {
		if f.SLO != nil && !unreserved(f.ID) {
			return false
		}
	}
	return true
}

// writeReport writes the month m of reportMain.
func (s *pageSet) writeReport(x *pageWriter, p *Page, m *report.Month) {
	w := s.words
	x.str("\n<p class=\"eyebrow\"><a href=\"")
	x.str(p.Root)
	x.str(ReportsPath + "\">")
	x.str(s.fixed("reports.title"))
	x.str("</a></p>\n<h1>")
	x.text(w.l.MonthYear(m.Start.In(w.loc)))
	if m.ToDate {
		x.str(" <span class=\"muted\">")
		x.str(s.fixed("report.to_date"))
		x.str("</span></h1>\n<p class=\"note\">")
		x.str(string(w.t("report.running", "time", w.timeTag(m.End))))
		x.str("</p>")
	} else {
		x.str("</h1>")
	}
	x.str("\n<p class=\"lead\">")
	x.str(s.fixed("report.lead"))
	x.str(" ")
	x.str(s.fixed("report.download"))
	for i, ext := range [...]string{".csv\">CSV</a> · ", ".json\">JSON</a>.</p>"} {
		if i == 0 {
			x.str(" <a href=\"")
		} else {
			x.str("<a href=\"")
		}
		x.str(p.SharedRoot)
		x.str(ReportsPath)
		x.str(m.Name())
		x.str(ext)
	}
	x.str("\n<section aria-labelledby=\"summary\">\n<h2 id=\"summary\">")
	x.str(s.fixed("report.summary"))
	x.str("</h2>\n<div class=\"table-scroll\" role=\"region\" aria-label=\"")
	x.str(s.fixed("report.summary_table"))
	x.str("\" tabindex=\"0\">\n<table class=\"report\">\n<thead>\n<tr>")
	s.heads(x, "incident.component", "component.uptime", "report.observed", "report.down", "report.probe_down", "report.declared_down", "impact.maintenance")
	x.str("</tr>\n</thead>\n<tbody>\n<tr><th scope=\"row\">")
	x.str(s.fixed("report.whole_site"))
	x.str("</th>\n<td>")
	x.part(func(b textWriter) error {
		htmlEscaper.WriteString(b, m.Site.PercentIn(w.l))
		s.writeDurations(b, m.Site.Summary, m.Site.ProbeDown, m.Site.DeclaredDown)
		return nil
	})
	x.str("</td>\n</tr>")
	for _, f := range m.Components {
		x.part(func(b textWriter) error { return s.writeReportRow(b, f) })
	}
	x.str("\n</tbody>\n</table>\n</div>\n<p class=\"muted\">")
	x.str(string(w.t("report.down_note", "partial", w.printedUptime(m.PartialPercent()+"%"))))
	x.str("</p>")
	if m.HasSLO() {
		s.writeObjectives(x, m)
	}
	x.str("\n</section>")
	for _, f := range m.Components {
		x.part(func(b textWriter) error { return s.writeReportComponent(b, p, f) })
	}
	for _, l := range [...]struct {
		id, title, none string
		ins             []*incident.Incident
	}{
		{"incidents", "report.incidents", "report.no_incidents", m.Incidents},
		{"maintenance", "impact.maintenance", "report.no_maintenance", m.Maintenance},
	} {
		x.str("\n<section aria-labelledby=\"" + l.id + "\">\n<h2 id=\"" + l.id + "\">")
		x.str(s.fixed(l.title))
		x.str("</h2>")
		if len(l.ins) == 0 {
			x.str("\n<p class=\"muted\">")
			x.str(s.fixed(l.none))
			x.str("</p>")
		} else {
			x.str("\n<ul class=\"entries\">")
			for _, in := range l.ins {
				x.part(func(b textWriter) error { return s.writeReportEntry(b, p, in) })
			}
			x.str("\n</ul>")
		}
		x.str("\n</section>")
	}
}

// writeObjectives writes reportMain's table of the month's objectives.
func (s *pageSet) writeObjectives(x *pageWriter, m *report.Month) {
	w := s.words
	x.str("\n<h3 id=\"objectives\">")
	x.str(s.fixed("report.objectives"))
	x.str("</h3>\n<div class=\"table-scroll\" role=\"region\" aria-labelledby=\"objectives\" tabindex=\"0\">\n<table class=\"report\">\n<thead>\n<tr>")
	s.heads(x, "incident.component", "report.target", "component.uptime", "report.verdict", "report.margin", "slo.budget_left")
	x.str("</tr>\n</thead>\n<tbody>")
	for _, f := range m.Components {
		if f.SLO == nil {
			continue
		}
		sw := f.SLO.WordsIn(w.l)
		x.str("\n<tr><th scope=\"row\"><a href=\"#component-")
		x.str(f.ID)
		x.str("\">")
		x.text(f.Name)
		x.str("</a></th>\n<td>")
		x.text(sw.Target)
		x.str("</td>\n<td>")
		x.text(f.Summary.PercentIn(w.l))
		x.str("</td>\n<td>")
		x.text(sw.State)
		x.str("</td>\n<td>")
		if mg := w.margin(f); mg != "" {
			x.text(mg)
		} else {
			x.str("<span class=\"muted\">")
			x.str(s.fixed("report.none"))
			x.str("</span>")
		}
		x.str("</td>\n<td>")
		x.text(sw.Left)
		if f.SLO.State != slo.NotMeasurable {
			x.str(" <span class=\"muted\">")
			x.str(string(w.t("report.of_allowed", "allowed", sw.Allowed)))
			x.str("</span>")
		}
		x.str("</td>\n</tr>")
	}
	x.str("\n</tbody>\n</table>\n</div>\n<p class=\"muted\">")
	if m.ToDate {
		x.str(s.fixed("report.objectives_note_running"))
	} else {
		x.str(s.fixed("report.objectives_note"))
	}
	x.str("</p>")
}

// heads writes a table's column headings, the messages keys.
func (s *pageSet) heads(x *pageWriter, keys ...string) {
	for _, k := range keys {
		x.str("<th scope=\"col\">")
		x.str(s.fixed(k))
		x.str("</th>")
	}
}

// writeDurations writes the cells of a summary row that follow its
// uptime, from the time observed to the maintenance, as report-row writes
// them: a nonzero duration in words, else "none".
func (s *pageSet) writeDurations(b textWriter, sum uptime.Summary, probeDown, declaredDown time.Duration) {
	none := s.fixed("report.none")
	length := func(d time.Duration) {
		if d == 0 {
			b.WriteString(none)
			return
		}
		htmlEscaper.WriteString(b, s.length(d))
	}
	b.WriteString("</td>\n<td>")
	length(sum.Known)
	if sum.NoData != 0 {
		b.WriteString(" <span class=\"muted\">· ")
		for i, part := range s.around("bars.no_data", "duration") {
			if i > 0 {
				htmlEscaper.WriteString(b, s.length(sum.NoData))
			}
			b.WriteString(part)
		}
		b.WriteString("</span>")
	}
	for _, d := range []time.Duration{sum.Down, probeDown, declaredDown, sum.Excluded} {
		b.WriteString("</td>\n<td>")
		length(d)
	}
}

// fixed is the message key, without values, in the set's language:
// worded once a set, as fixWords words it once in the templates.
func (s *pageSet) fixed(key string) string {
	return once(s, &s.worded, key, func() string { return string(s.words.t(key)) })
}

// around is the message key, in the set's language, split where words
// fills in its value name, worded once a set: a row of every report
// words the time without data. The value goes between each part and the
// next (a message may say it twice, or not at all), escaped, as t
// escapes it.
func (s *pageSet) around(key, name string) []string {
	return once(s, &s.holes, [2]string{key, name}, func() []string {
		return strings.Split(string(s.words.t(key, name, template.HTML(valueHole))), valueHole)
	})
}

// valueHole is a private-use character, which no catalog holds and
// which is not valueMark: it marks where around's value goes.
const valueHole = "\uE001"

// length is words.length of d, worded once a set for each minute it
// rounds to: the rows and sections of every month's report word the
// same lengths of months and days many times.
func (s *pageSet) length(d time.Duration) string {
	d = d.Round(time.Minute)
	return once(s, &s.lengths, d, func() string { return s.words.length(d) })
}
