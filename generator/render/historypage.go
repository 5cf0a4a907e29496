package render

import (
	"html/template"
	"io"
)

// historyMain writes to w what the built-in "main" of history.html prints
// for the page p, rather than executing it, as incidentMain does: each of
// a large site's archive pages makes some forty calls through reflect,
// most of them to draw its entries. It draws each entry with listEntry,
// so a site that overrides "entry" still gets its own, and escapes each
// value as html/template does in its context (FuzzHistoryMain holds the
// two to the same bytes). A page whose links are not plain paths, which
// html/template would filter, and words html/template would escape in the
// pager's label, go to the template.
func (s *pageSet) historyMain(w io.Writer, p *Page) error {
	h := p.History
	if !plainPath(p.Root) || h != nil && h.Pages > 1 && (!plainWords(template.HTML(s.fixed("history.nav"))) ||
		h.Newer != "" && !plainPath(p.Rel(h.Newer)) || h.Older != "" && !plainPath(p.Rel(h.Older))) {
		return s.t.ExecuteTemplate(w, builtinMain, p)
	}
	x := &pageWriter{w: w}
	if h != nil {
		x.str("\n<h1>")
		x.str(s.fixed("history.title"))
		if h.Page > 1 {
			x.str(" <span class=\"muted\">")
			x.str(string(s.words.t("history.heading_page", "page", h.Page, "pages", h.Pages)))
			x.str("</span>")
		}
		x.str("</h1>")
		for _, m := range h.Months {
			x.str("\n<section class=\"month\">\n<h2>")
			x.str(string(s.words.monthTag(m.Date)))
			x.str("</h2>\n<ul class=\"entries\">")
			for _, in := range m.Incidents {
				x.part(func(b textWriter) error { return s.writeListEntry(b, p, in) })
			}
			x.str("\n</ul>\n</section>")
		}
		if len(h.Months) == 0 {
			x.str("\n<p class=\"muted\">")
			x.str(s.fixed("index.no_incidents"))
			x.str("</p>")
		}
		if h.Pages > 1 {
			x.str("\n<nav class=\"pager\" aria-label=\"")
			x.str(s.fixed("history.nav"))
			x.str("\">")
			if h.Newer != "" {
				x.str("\n<a rel=\"prev\" href=\"")
				x.str(p.Rel(h.Newer))
				x.str("\">")
				x.str(s.fixed("history.newer"))
				x.str("</a>")
			}
			x.str("\n<span>")
			x.str(string(s.words.t("history.page_of", "page", h.Page, "pages", h.Pages)))
			x.str("</span>")
			if h.Older != "" {
				x.str("\n<a rel=\"next\" href=\"")
				x.str(p.Rel(h.Older))
				x.str("\">")
				x.str(s.fixed("history.older"))
				x.str("</a>")
			}
			x.str("\n</nav>")
		}
	}
	x.str("\n<p class=\"more\"><a href=\"")
	x.str(p.Root)
	x.str("\">")
	x.str(s.fixed("index.current_status"))
	x.str("</a></p>")
	return x.err
}
