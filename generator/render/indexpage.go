package render

import (
	"html/template"
	"io"
	"strconv"

	"github.com/herald-status/herald/generator/incident"
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
// same bytes); the cards of active incidents and maintenance draw the
// set's "affects" and "latest". A page whose links are not plain paths,
// or whose words html/template would escape in an attribute, goes to the
// template.
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
	x.str("</p>\n</section>")
	s.writeCards(x, p, ofKind(snap.Active, "incident"), "active", "index.active_incidents")
	s.writeCards(x, p, ofKind(snap.Active, "maintenance"), "in-progress", "index.maintenance_in_progress")
	s.writeCards(x, p, snap.Upcoming, "upcoming", "index.scheduled_maintenance")
	x.str("\n<section aria-labelledby=\"components\">\n<h2 id=\"components\">")
	x.str(s.fixed("index.components"))
	x.str("</h2>")
	// Growing by doubling would copy the page five times on a site of
	// twenty components, each copy into fresh memory; a writer that is
	// no buffer has nothing to grow.
	if b, ok := w.(textWriter); ok {
		b.Grow(indexSize(snap))
	}
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
	if !plainPath(p.Root) {
		return false
	}
	for _, ins := range [...][]*incident.Incident{snap.Active, snap.Upcoming} {
		for _, in := range ins {
			if !plainPath(incidentPath(in)) {
				return false
			}
		}
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

// writeCards writes indexMain's section id of the incidents ins, headed
// with the words key, when there are any: active incidents, maintenance
// in progress, or upcoming maintenance.
func (s *pageSet) writeCards(x *pageWriter, p *Page, ins []*incident.Incident, id, key string) {
	if len(ins) == 0 {
		return
	}
	w := s.words
	x.str("\n<section aria-labelledby=\"")
	x.str(id)
	x.str("\">\n<h2 id=\"")
	x.str(id)
	x.str("\">")
	x.str(s.fixed(key))
	x.str("</h2>")
	for _, in := range ins {
		e := newEntry(s, p, in)
		x.str("\n<article class=\"card ")
		if id == "active" {
			x.text(e.ImpactClass)
		} else {
			x.str("impact-maintenance")
		}
		x.str("\">\n<h3><a href=\"")
		x.str(e.Link)
		x.str("\"")
		lang(x, in)
		x.str(">")
		x.text(in.Title)
		x.str("</a></h3>\n<p class=\"meta\"><span class=\"badge\">")
		switch id {
		case "active":
			x.text(e.ImpactLabel)
			x.str("</span> <strong>")
			x.text(e.Status)
			x.str("</strong> · ")
			x.str(string(w.t("incident.since", "time", w.timeTag(in.Started))))
		case "in-progress":
			x.text(e.Status)
			x.str("</span> ")
			x.str(string(w.timeRange(in.ScheduledStart, in.ScheduledEnd)))
		default:
			x.str(s.fixed("update.scheduled"))
			x.str("</span> ")
			x.str(string(w.timeRange(in.ScheduledStart, in.ScheduledEnd)))
		}
		x.str("</p>")
		if x.err == nil {
			x.err = s.t.ExecuteTemplate(x.w, "affects", e)
		}
		if id != "upcoming" {
			if x.err == nil {
				x.err = s.t.ExecuteTemplate(x.w, "latest", in)
			}
			x.str("\n</article>")
			continue
		}
		body, ok := in.Summary, in.Summary != ""
		if u := in.Latest(); !ok && u != nil {
			body, ok = u.Body, true
		}
		if ok {
			x.str("\n<div class=\"prose\"")
			lang(x, in)
			x.str(">")
			x.str(string(headingsFrom(4, body)))
			x.str("</div>")
		}
		x.str("\n<p class=\"more\"><a href=\"")
		x.str(e.Link)
		x.str("\">")
		x.str(s.fixed("incident.details"))
		x.str("<span class=\"visually-hidden\">")
		x.str(string(w.t("incident.details_hidden", "title", in.Title)))
		x.str("</span></a></p>\n</article>")
	}
	x.str("\n</section>")
}

// lang writes the lang attribute of an incident written in another
// language than the site's.
func lang(x *pageWriter, in *incident.Incident) {
	if in.Untranslated != "" {
		x.str(" lang=\"")
		x.text(in.Untranslated)
		x.str("\"")
	}
}

// indexSize is about what the rest of indexMain's page takes from its
// list of components on: their bars, some 100 bytes a day and 200 more
// for a day's link to its incidents, then the past incidents and the
// footer.
func indexSize(snap *status.Snapshot) int {
	n := 4096
	for _, g := range snap.Groups {
		for _, c := range g.Components {
			n += 100*len(c.Days) + 1024
			for _, d := range c.Days {
				if len(d.Incidents) > 0 {
					n += 200
				}
			}
		}
	}
	for _, d := range snap.Recent {
		n += 128 + 1024*len(d.Incidents)
	}
	return n
}
