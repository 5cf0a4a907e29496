package render

import (
	"html/template"
	"io"
	"strconv"

	"github.com/herald-status/herald/generator/status"
)

// indexMain writes to w what the built-in "main" of index.html prints for
// the page p, rather than executing it, as incidentMain does: the front
// page is the costliest template a site still executes, for the bars of
// each component, which the template took as one string each, and some
// ten calls through reflect a component. It draws the statuses with the
// set's memos and the past incidents with listEntry, so a site that
// overrides one of those still gets its own, and escapes each value as
// html/template does in its context (FuzzIndexMain holds the two to the
// same bytes). A page with active incidents or upcoming maintenance, whose
// cards draw the "affects" and "latest" partials, goes to the template,
// as does one whose links are not plain paths or whose words
// html/template would escape in an attribute.
func (s *pageSet) indexMain(w io.Writer, p *Page) error {
	if !s.plainIndex(p) {
		return s.t.ExecuteTemplate(w, builtinMain, p)
	}
	snap := p.Snap
	x := &pageWriter{w: w}
	x.str("\n<section class=\"banner banner-")
	x.text(snap.Overall.Indicator)
	x.str("\" aria-label=\"")
	x.str(s.fixed("page.overall_status"))
	x.str("\">\n<p class=\"banner-status\"><span class=\"banner-icon\" aria-hidden=\"true\"></span>")
	x.text(s.words.overall(snap.Overall))
	x.str("</p>")
	if len(snap.Overall.Stale) > 0 {
		names, err := s.list("name", snap.Overall.Stale)
		x.fail(err)
		x.str("\n<p class=\"banner-stale\">")
		x.str(string(s.words.t("index.stale_monitor", "components", names)))
		x.str("</p>")
	}
	x.str("\n<p class=\"banner-updated\"")
	if p.StaleAfter != 0 {
		x.str(" data-stale-after=\"")
		x.str(strconv.Itoa(p.StaleAfter))
		x.str("\" data-stale-text-before=\"")
		x.str(s.fixed("stale.before"))
		x.str("\" data-stale-text-after=\"")
		x.str(s.fixed("stale.after"))
		x.str("\"")
	}
	x.str(">")
	x.str(string(s.words.t("page.updated", "time", s.words.timeTag(p.Now))))
	x.str("</p>\n</section>\n<section aria-labelledby=\"components\">\n<h2 id=\"components\">")
	x.str(s.fixed("index.components"))
	x.str("</h2>")
	for _, g := range snap.Groups {
		x.str("\n<div class=\"group\">")
		if g.Name != "" {
			x.str("\n<div class=\"group-head\">\n<h3>")
			x.text(g.Name)
			x.str("</h3>\n")
			x.memo(s, "status", g.Status)
			x.str("\n</div>")
		}
		x.str("\n<ul class=\"rows\">")
		for _, c := range g.Components {
			s.writeIndexComponent(x, p, c)
		}
		x.str("\n</ul>\n</div>")
	}
	x.str("\n</section>\n<section aria-labelledby=\"past\">\n<h2 id=\"past\">")
	x.str(s.fixed("index.past_incidents"))
	x.str("</h2>")
	for _, d := range snap.Recent {
		x.str("\n<div class=\"day\">\n<h3>")
		x.str(string(s.words.dateTag(d.Date)))
		x.str("</h3>")
		if len(d.Incidents) > 0 {
			x.str("\n<ul class=\"entries\">")
			for _, in := range d.Incidents {
				x.part(func(b textWriter) error { return s.writeListEntry(b, p, in) })
			}
			x.str("\n</ul>")
		} else {
			x.note("muted", s.fixed("index.no_incidents"))
		}
		x.str("\n</div>")
	}
	x.str("\n<p class=\"more\"><a href=\"")
	x.str(p.Root)
	x.str("history/\">")
	x.str(s.fixed("history.title"))
	x.str("</a></p>\n</section>")
	return x.err
}

// plainIndex reports whether indexMain writes p: see there.
func (s *pageSet) plainIndex(p *Page) bool {
	snap := p.Snap
	if len(snap.Active) > 0 || len(snap.Upcoming) > 0 || !plainPath(p.Root) {
		return false
	}
	if !plainWords(template.HTML(s.fixed("page.overall_status"))) ||
		p.StaleAfter != 0 && (!plainWords(template.HTML(s.fixed("stale.before"))) || !plainWords(template.HTML(s.fixed("stale.after")))) {
		return false
	}
	for _, g := range snap.Groups {
		for _, c := range g.Components {
			if !plainPath(ComponentPath(c.ID)) {
				return false
			}
		}
	}
	return true
}

// writeIndexComponent writes the component c of indexMain's list.
func (s *pageSet) writeIndexComponent(x *pageWriter, p *Page, c *status.Component) {
	w := s.words
	x.str("\n<li class=\"comp\">\n<div class=\"comp-head\"><a href=\"")
	x.str(p.Root)
	x.str(ComponentPath(c.ID))
	x.str("\">")
	x.text(c.Name)
	x.str("</a> ")
	x.memo(s, "cstatus", c)
	x.str("</div>\n")
	// Room after the bars for the rest of the list.
	x.part(func(b textWriter) error { writeBars(b, 512, p, c); return nil })
	x.str("\n<p class=\"comp-foot\"><span>")
	x.str(string(w.n("component.days_ago", p.Site.HistoryDays)))
	x.str("</span> <span>")
	switch period := lastPeriod(c); {
	case !c.Monitored:
		x.str(s.fixed("component.not_monitored"))
	case period == nil:
	case period.Shown():
		x.str(string(w.t("component.uptime_figure", "percent", period.PercentIn(w.l))))
		if u := period.UnobservedIn(w.l); u != "" {
			x.str(" · ")
			x.text(u)
		}
	default:
		x.text(period.PercentIn(w.l))
	}
	x.str("</span> <span>")
	x.str(s.fixed("component.today"))
	x.str("</span></p>\n</li>")
}
