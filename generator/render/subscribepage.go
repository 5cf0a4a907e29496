package render

import (
	"io"
)

// subscribeMain writes to w what the built-in "main" of subscribe.html
// prints for the page p, rather than executing it, as incidentMain does:
// its table of feeds makes a call through reflect for each feed of each
// component, and as many again to escape them. It draws the sign-up,
// calendar and chat links with the set's memos, so a site that overrides
// one of those still gets its own, and escapes each value as
// html/template does in its context (FuzzSubscribeMain holds the two to
// the same bytes). A page whose links are not plain paths goes to the
// template.
func (s *pageSet) subscribeMain(w io.Writer, p *Page) error {
	sub := p.Subscribe
	if sub == nil {
		return nil
	}
	if !plainSubscribe(p) {
		return s.t.ExecuteTemplate(w, builtinMain, p)
	}
	t := s.words.t
	x := &pageWriter{w: w}
	x.str("\n<h1>")
	x.str(s.fixed("page.subscribe"))
	x.str("</h1>\n<p class=\"lead\">")
	x.str(string(t("subscribe.lead", "site", p.Site.Title)))
	x.str("</p>")
	if u := p.Site.EmailURL; u != "" {
		x.str("\n<section aria-labelledby=\"email\">\n<h2 id=\"email\">")
		x.str(s.fixed("subscribe.email"))
		x.str("</h2>\n<p>")
		x.memoWords(s, "subscribe.email_text", "link", "email-link", u)
		x.str("</p>\n</section>")
	}
	x.str("\n<section aria-labelledby=\"feeds\">\n<h2 id=\"feeds\">")
	x.str(s.fixed("subscribe.feeds"))
	x.str("</h2>\n<p>")
	x.str(s.fixed("subscribe.feeds_text"))
	x.str("</p>\n<table class=\"feed-table\">\n<thead>\n<tr><th scope=\"col\">")
	x.str(s.fixed("subscribe.follow"))
	x.str("</th>")
	for _, f := range sub.Site.Feeds {
		x.str("<th scope=\"col\">")
		x.text(f.Name)
		x.str("</th>")
	}
	x.str("</tr>\n</thead>\n<tbody>\n<tr><th scope=\"row\">")
	x.str(s.fixed("subscribe.everything"))
	x.str("</th>")
	everything := string(t("subscribe.feed_of", "name", t("subscribe.everything_inline")))
	writeFeedCells(x, p, sub.Site.Feeds, everything)
	x.str("</tr>")
	for _, c := range sub.Components {
		x.str("\n<tr><th scope=\"row\"><a href=\"")
		x.str(p.Root)
		x.str(c.Page)
		x.str("\">")
		x.text(c.Name)
		x.str("</a></th>")
		writeFeedCells(x, p, c.Feeds, string(t("subscribe.feed_of", "name", c.Name)))
		x.str("</tr>")
	}
	x.str("\n</tbody>\n</table>\n</section>\n<section aria-labelledby=\"calendar\">\n<h2 id=\"calendar\">")
	x.str(s.fixed("subscribe.calendar"))
	x.str("</h2>\n<p>")
	if x.err == nil {
		webcal, err := s.render("webcal-link", sub)
		x.fail(err)
		address, err := s.render("calendar-address", sub)
		x.fail(err)
		x.str(string(t("subscribe.calendar_text", "subscribe", webcal, "address", address)))
	}
	x.str("</p>\n</section>\n<section aria-labelledby=\"chat\">\n<h2 id=\"chat\">")
	x.str(s.fixed("subscribe.chat"))
	x.str("</h2>\n<p>")
	x.str(s.fixed("subscribe.chat_text"))
	x.str("</p>\n<ul>\n<li>")
	x.memoWords(s, "subscribe.slack", "command", "code", "/feed subscribe "+sub.Example)
	x.str("</li>\n<li>")
	x.str(s.fixed("subscribe.teams"))
	x.str("</li>\n<li>")
	x.str(s.fixed("subscribe.discord"))
	x.str("</li>\n</ul>\n</section>")
	return x.err
}

// writeFeedCells writes a row's cells of subscribeMain's table: a link
// to each feed, named for readers of the page and, hidden, for readers
// of the link alone by what.
func writeFeedCells(x *pageWriter, p *Page, feeds []Feed, what string) {
	for _, f := range feeds {
		x.str("<td><a href=\"")
		x.str(p.Root)
		x.str(f.Path)
		x.str("\">")
		x.text(f.Name)
		x.str("<span class=\"visually-hidden\">")
		x.str(what)
		x.str("</span></a></td>")
	}
}

// plainSubscribe reports whether subscribeMain writes p: see there.
func plainSubscribe(p *Page) bool {
	if !plainPath(p.Root) {
		return false
	}
	for _, row := range append([]FeedRow{p.Subscribe.Site}, p.Subscribe.Components...) {
		if !plainPath(row.Page) {
			return false
		}
		for _, f := range row.Feeds {
			if !plainPath(f.Path) {
				return false
			}
		}
	}
	return true
}
