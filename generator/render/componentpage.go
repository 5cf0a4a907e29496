package render

import (
	"io"

	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
)

// componentMain writes to w what the built-in "main" of component.html
// prints for the page p, rather than executing it, as incidentMain does:
// a component's page makes a call through reflect for each of its
// incidents and some forty more, each with its escapers. It draws the
// incidents with componentEntry, the statuses, the objective's verdict
// and the subscribe link with the set's memos and each active incident's
// latest update with the set's "latest", so a site that overrides one of
// those still gets its own, and escapes each value as html/template does
// in its context (FuzzComponentMain holds the two to the same bytes). A
// page whose links are not plain paths goes to the template.
func (s *pageSet) componentMain(w io.Writer, p *Page) error {
	if !s.plainComponent(p) {
		return s.t.ExecuteTemplate(w, builtinMain, p)
	}
	x := &pageWriter{w: w}
	if c := p.Component; c != nil {
		s.writeComponent(x, p, c)
	}
	x.str("\n<section aria-labelledby=\"subscribe\">\n<h2 id=\"subscribe\">")
	x.str(s.fixed("page.subscribe"))
	x.str("</h2>\n<p>")
	x.str(s.fixed("component.follow"))
	x.feedLinks(p.Root, p.ComponentFeeds)
	x.str("</p>\n<p>")
	x.memoWords(s, "component.every_way", "link", "subscribe-link", p.Root)
	x.str("</p>\n</section>\n<p class=\"more\"><a href=\"")
	x.str(p.Root)
	x.str("\">")
	x.str(s.fixed("index.current_status"))
	x.str("</a> · <a href=\"")
	x.str(p.Root)
	x.str("history/\">")
	x.str(s.fixed("history.title"))
	x.str("</a></p>")
	return x.err
}

// plainComponent reports whether componentMain writes p: see there.
func (s *pageSet) plainComponent(p *Page) bool {
	if !plainPath(p.Root) {
		return false
	}
	for _, f := range p.ComponentFeeds {
		if !plainPath(f.Path) {
			return false
		}
	}
	if c := p.Component; c != nil {
		for _, in := range c.Active {
			if !plainPath(incidentPath(in)) {
				return false
			}
		}
	}
	return true
}

// writeComponent writes the component c of componentMain.
func (s *pageSet) writeComponent(x *pageWriter, p *Page, c *status.Component) {
	w := s.words
	x.str("\n<p class=\"eyebrow\">")
	if c.Group != "" {
		x.text(c.Group)
	} else {
		x.str(s.fixed("incident.component"))
	}
	x.str("</p>\n<h1>")
	x.text(c.Name)
	x.str("</h1>")
	if c.Description != "" {
		x.str("\n<p class=\"lead\">")
		x.text(c.Description)
		x.str("</p>")
	}
	x.str("\n<p class=\"current\">")
	x.memoWords(s, "index.current_status_of", "status", "cstatus", c)
	x.str("</p>")
	switch {
	case !c.Monitored:
		x.note("note", s.fixed("component.not_monitored_note"))
	case c.Probe == status.ProbeNoData:
		x.note("note", s.fixed("index.no_result_yet"))
	case c.Probe == status.ProbeStale:
		x.note("note", s.fixed("index.not_reported_recently"))
	}
	x.str("\n<section aria-labelledby=\"uptime\">\n<h2 id=\"uptime\">")
	x.str(s.fixed("component.uptime"))
	x.str("</h2>\n")
	// Room after the bars for the periods and the latency charts.
	x.part(func(b textWriter) error { writeBars(b, 4096, p, c); return nil })
	x.str("\n<p class=\"comp-foot\"><span>")
	x.str(string(w.n("component.days_ago", p.Site.HistoryDays)))
	x.str("</span> <span>")
	x.str(s.fixed("component.today"))
	x.str("</span></p>")
	if c.Monitored {
		x.str("\n<dl class=\"periods\">")
		for _, period := range c.Periods {
			x.str("\n<div><dt>")
			x.text(w.periodLabel(period))
			x.str("</dt><dd>")
			s.writeUptime(x, period.Summary)
			x.str("</dd></div>")
		}
		x.str("\n</dl>")
	} else {
		x.note("muted", s.fixed("component.no_probe_note"))
	}
	x.str("\n</section>")
	if c.SLO != nil {
		s.writeObjective(x, c.SLO)
	}
	if c.Monitored {
		x.str("\n<section aria-labelledby=\"latency\">\n<h2 id=\"latency\">")
		x.str(s.fixed("component.response_time"))
		x.str("</h2>")
		for _, h := range latencyCharts(p, c) {
			x.str("\n")
			x.str(string(h))
		}
		x.str("\n</section>")
	}
	if len(c.Active) > 0 {
		x.str("\n<section aria-labelledby=\"active\">\n<h2 id=\"active\">")
		x.str(s.fixed("index.happening_now"))
		x.str("</h2>")
		for _, in := range c.Active {
			e := newEntry(s, p, in)
			x.str("\n<article class=\"card ")
			x.text(e.ImpactClass)
			x.str("\">\n<h3><a href=\"")
			x.str(e.Link)
			x.str("\"")
			lang(x, in)
			x.str(">")
			x.text(in.Title)
			x.str("</a></h3>\n<p class=\"meta\"><span class=\"badge\">")
			x.text(e.ImpactLabel)
			x.str("</span> <strong>")
			x.text(e.Status)
			x.str("</strong> · ")
			x.memo(s, "span", in)
			x.str("</p>")
			if x.err == nil {
				x.err = s.t.ExecuteTemplate(x.w, "latest", in)
			}
			x.str("\n</article>")
		}
		x.str("\n</section>")
	}
	x.str("\n<section aria-labelledby=\"history\">\n<h2 id=\"history\">")
	x.str(s.fixed("history.title"))
	x.str("</h2>")
	if len(c.Incidents) > 0 {
		x.str("\n<ul class=\"entries\">")
		for _, in := range c.Incidents {
			x.part(func(b textWriter) error { return s.writeComponentEntry(b, p, in) })
		}
		x.str("\n</ul>")
	} else {
		x.note("muted", s.fixed("index.no_incidents"))
	}
	x.str("\n</section>")
}

// writeObjective writes componentMain's section on the objective b.
func (s *pageSet) writeObjective(x *pageWriter, b *slo.Budget) {
	sw := b.WordsIn(s.words.l)
	x.str("\n<section aria-labelledby=\"slo\">\n<h2 id=\"slo\">")
	x.str(s.fixed("slo.objective"))
	x.str("</h2>\n<p>")
	state, err := s.render("strong", sw.State)
	x.fail(err)
	x.str(string(s.words.t("slo.sentence", "target", sw.Target, "window", sw.Window, "state", state)))
	x.str("</p>")
	if b.State == slo.NotMeasurable {
		x.note("muted", s.fixed("slo.too_little"))
	} else {
		x.str("\n<dl class=\"periods\">\n<div><dt>")
		x.str(s.fixed("component.uptime"))
		x.str("</dt><dd>")
		s.writeUptime(x, b.Summary)
		for _, f := range [...]struct{ key, value string }{
			{"slo.error_budget", sw.Allowed}, {"slo.used", sw.Used}, {"slo.budget_left", sw.Left},
		} {
			x.str("</dd></div>\n<div><dt>")
			x.str(s.fixed(f.key))
			x.str("</dt><dd>")
			x.text(f.value)
		}
		x.str("</dd></div>\n</dl>")
		x.note("muted", string(s.words.t("slo.burn", "burn", sw.Burn)))
	}
	x.str("\n</section>")
}

// writeUptime writes an uptime and, when there was time without data,
// how long, as {{percent .}}{{with unobserved .}} · {{.}}{{end}} does.
func (s *pageSet) writeUptime(x *pageWriter, sum uptime.Summary) {
	x.text(sum.PercentIn(s.words.l))
	if u := sum.UnobservedIn(s.words.l); u != "" {
		x.str(" · ")
		x.text(u)
	}
}

// note writes a paragraph of the class with the words h, which are HTML.
func (x *pageWriter) note(class, h string) {
	x.str("\n<p class=\"")
	x.str(class)
	x.str("\">")
	x.str(h)
	x.str("</p>")
}

// memoWords writes the message key with its value name filled by the
// set's memo of the template tmpl with data.
func (x *pageWriter) memoWords(s *pageSet, key, name, tmpl string, data any) {
	if x.err != nil {
		return
	}
	h, err := s.render(tmpl, data)
	x.fail(err)
	x.str(string(s.words.t(key, name, h)))
}
