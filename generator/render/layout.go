package render

import (
	"html/template"
	"io"
	"strings"
	"text/template/parse"
)

// layout is what a set needs to write the built-in base.html in Go.
type layout struct {
	// head: the set's "head" template prints something, so the layout
	// executes it.
	head bool
	// The layout's fixed words: the language's tag and direction, the
	// skip link and the language switcher's label.
	tag, dir, skip, switcher string
	// switcherPlain: switcher holds nothing that html/template would
	// escape in an attribute, as fixWords writes it in.
	switcherPlain bool
}

// newLayout is the layout of set s, whose base.html is the built-in one.
func newLayout(s *pageSet) *layout {
	h := s.t.Lookup("head")
	l := &layout{
		head: h != nil && h.Tree != nil && !parse.IsEmptyTree(h.Tree.Root),
		tag:  s.words.l.Tag(), dir: s.words.l.Dir(),
		skip:     string(s.words.t("page.skip_to_content")),
		switcher: string(s.words.t("language.switcher")),
	}
	l.switcherPlain = plainWords(template.HTML(l.switcher))
	return l
}

// plainWords reports whether html/template writes the words h, in a quoted
// attribute, as they are: it would strip their tags and escape quotes,
// angle brackets, "+" and NUL, and a written "&" is best left to it too.
func plainWords(h template.HTML) bool { return !strings.ContainsAny(string(h), "\"'`<>+&\x00") }

// writeLayout writes page p as the built-in base.html lays it out, in Go:
// every page of a site runs the layout, whose twenty-odd values each cost
// html/template one or more calls through reflect. It escapes each value
// as html/template does in its context (FuzzLayout holds the two to the
// same bytes); "head" and "main" are the set's own templates, and the
// feeds, header and footer its memos. It reports false, having written
// nothing, for a page it leaves to the template: a page with a link that
// is not a plain URL (see plainURL), and a component's page whose feed
// titles html/template would escape in their attribute (see plainWords).
func (s *pageSet) writeLayout(w io.Writer, p *Page) (bool, error) {
	l := s.layout
	if !s.plainLayout(p) {
		return false, nil
	}
	var feeds [len(componentFeeds)]template.HTML
	if c := p.Component; c != nil {
		var ok bool
		if feeds, ok = s.feedTitles(c.Name); !ok {
			return false, nil
		}
	}
	x := &pageWriter{w: w}
	x.str("<!doctype html>\n<html lang=\"")
	x.str(l.tag)
	x.str("\" dir=\"")
	x.str(l.dir)
	x.str("\">\n<head>\n<meta charset=\"utf-8\">")
	if l.head {
		x.exec(s, "head", p)
	}
	x.str("\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	x.text(p.Title)
	x.str("</title>\n<meta name=\"description\" content=\"")
	x.text(p.Description)
	x.str("\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"generator\" content=\"herald\">")
	if p.URL != "" {
		x.str("\n<link rel=\"canonical\" href=\"")
		x.text(p.URL)
		x.str("\">\n<meta property=\"og:url\" content=\"")
		x.text(p.URL)
		x.str("\">")
		if len(p.Languages) > 0 {
			for _, a := range p.Languages {
				x.str("\n<link rel=\"alternate\" hreflang=\"")
				x.text(a.Tag)
				x.str("\" href=\"")
				x.text(a.URL)
				x.str("\">")
			}
			x.str("\n<link rel=\"alternate\" hreflang=\"x-default\" href=\"")
			x.text(p.Languages[0].URL)
			x.str("\">")
		}
	}
	x.str("\n<meta property=\"og:type\" content=\"website\">\n<meta property=\"og:site_name\" content=\"")
	x.text(p.Site.Title)
	x.str("\">\n<meta property=\"og:title\" content=\"")
	x.text(p.Title)
	x.str("\">\n<meta property=\"og:description\" content=\"")
	x.text(p.Description)
	x.str("\">")
	x.memo(s, "site-feeds", p.Frame)
	// Links are written as the page's root and the path from there, not
	// joined (Page.Rel) into a string for each page: escaping either
	// escapes each character alone.
	if c := p.Component; c != nil {
		x.alternateLinks(&feeds, p.Root, ComponentPath(c.ID))
	}
	x.str("\n<link rel=\"stylesheet\" href=\"")
	x.text(p.Root)
	x.text(p.Stylesheet)
	x.str("\">")
	if p.Script != "" {
		x.str("\n<script src=\"")
		x.text(p.Root)
		x.text(p.Script)
		x.str("\" defer></script>")
	}
	x.str("\n<link rel=\"icon\" href=\"")
	x.text(p.Root)
	x.text(p.Favicon)
	x.str("\" type=\"image/svg+xml\">\n</head>\n<body>")
	if p.BaseHref == "" {
		x.str("\n<a class=\"skip\" href=\"#main\">")
		x.str(l.skip)
		x.str("</a>")
	}
	x.memo(s, "site-header", p.Frame)
	x.str("\n<main id=\"main\" class=\"wrap\">")
	if s.mainInGo != nil {
		if x.err == nil {
			x.err = s.mainInGo(x.w, p)
		}
	} else {
		x.exec(s, "main", p)
	}
	x.str("\n</main>")
	if len(p.Languages) > 0 {
		x.str("\n<nav class=\"wrap languages\" aria-label=\"")
		x.str(l.switcher)
		x.str("\">\n<p>")
		for i, a := range p.Languages {
			if i > 0 {
				x.str(" · ")
			}
			x.str("<a href=\"")
			x.text(a.Link)
			x.str("\" hreflang=\"")
			x.text(a.Tag)
			x.str("\" lang=\"")
			x.text(a.Tag)
			x.str("\"")
			if a.Current {
				x.str(" aria-current=\"page\"")
			}
			x.str(">")
			x.text(a.Name)
			x.str("</a>")
		}
		x.str("</p>\n</nav>")
	}
	x.memo(s, "site-footer", p.Frame)
	x.str("\n</body>\n</html>\n")
	return true, x.err
}

// feedTitles are the titles of componentFeeds for the site or component
// name, and whether html/template writes each in its attribute as it is
// (plainWords).
func (s *pageSet) feedTitles(name string) (titles [len(componentFeeds)]template.HTML, ok bool) {
	for i, f := range componentFeeds {
		titles[i] = s.words.t(f.title, "site", name)
		if !plainWords(titles[i]) {
			return titles, false
		}
	}
	return titles, true
}

// alternateLinks writes base.html's <link rel="alternate"> to each of
// componentFeeds in dir, from root, titled titles: the site's in its
// "site-feeds", a component's in the head of its page.
func (x *pageWriter) alternateLinks(titles *[len(componentFeeds)]template.HTML, root, dir string) {
	for i, f := range componentFeeds {
		x.str("\n<link rel=\"alternate\" type=\"")
		x.str(f.mediaType)
		x.str("\" title=\"")
		x.str(string(titles[i]))
		x.str("\" href=\"")
		x.text(root)
		x.str(dir)
		x.str(f.file)
		x.str("\">")
	}
}

// componentFeeds are the feed links of base.html's head on a component's
// page, and of its "site-feeds" on every page: the message of each one's
// title, its media type and its file.
var componentFeeds = [...]struct{ title, mediaType, file string }{
	{"page.feed_rss", "application/rss+xml", "history.rss"},
	{"page.feed_atom", "application/atom+xml", "history.atom"},
	{"page.feed_json", "application/feed+json", "history.json"},
}

// plainLayout reports whether writeLayout writes p: see there.
func (s *pageSet) plainLayout(p *Page) bool {
	if p.Frame == nil || p.Component != nil && !plainURL(p.Rel(ComponentPath(p.Component.ID))) {
		return false
	}
	if p.URL != "" && !plainURL(p.URL) ||
		!plainURL(p.Rel(p.Stylesheet)) || !plainURL(p.Rel(p.Favicon)) ||
		p.Script != "" && !plainURL(p.Rel(p.Script)) {
		return false
	}
	if len(p.Languages) > 0 && !s.layout.switcherPlain {
		return false
	}
	for _, a := range p.Languages {
		if p.URL != "" && !plainURL(a.URL) || !plainURL(a.Link) {
			return false
		}
	}
	return true
}

// plainURL reports whether html/template writes s, as an href or src, as
// htmlEscaper writes it: a relative URL or an http(s) one, of characters
// that its URL normalizer keeps as they are.
func plainURL(s string) bool {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			// The normalizer keeps an escape; a "%" without two hex
			// digits after it, it writes as "%25".
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			continue
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0) {
			return false
		}
	}
	return true
}

// plainSiteLink is plainURL for a link a site names, which may also be a
// mailto: one ("Support" in the header), as html/template's URL filter
// lets through.
func plainSiteLink(s string) bool {
	if scheme, rest, ok := strings.Cut(s, ":"); ok && strings.EqualFold(scheme, "mailto") {
		return plainURL(rest)
	}
	return plainURL(s)
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// textWriter is what the parts of a page written in Go write into: the
// page's own buffer, a *bytes.Buffer in a build, or a *strings.Builder
// for a part that a template prints. A part written straight into the
// page is not first made and copied as a string of its own, which cost a
// report page a string the size of each component's calendar.
type textWriter interface {
	io.Writer
	io.StringWriter
	io.ByteWriter
	Grow(n int)
}

// toText calls write with w, or, where w is no textWriter, with a builder
// whose text it then writes to w.
func toText(w io.Writer, write func(textWriter) error) error {
	if tw, ok := w.(textWriter); ok {
		return write(tw)
	}
	var b strings.Builder
	if err := write(&b); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// asHTML returns what write writes, for a template function.
func asHTML(write func(textWriter) error) (template.HTML, error) {
	var b strings.Builder
	err := write(&b)
	return template.HTML(b.String()), err
}

// pageWriter writes a page, keeping the first error.
type pageWriter struct {
	w   io.Writer
	err error
}

func (x *pageWriter) fail(err error) {
	if x.err == nil {
		x.err = err
	}
}

// str writes markup as it is.
func (x *pageWriter) str(s string) {
	if x.err == nil {
		_, x.err = io.WriteString(x.w, s)
	}
}

// text writes a value escaped as html/template escapes it in text or in a
// quoted attribute.
func (x *pageWriter) text(s string) {
	if x.err == nil {
		_, x.err = htmlEscaper.WriteString(x.w, s)
	}
}

// feedLinks writes a link to each of feeds from root, after a space,
// with " ·" between them: the footer's and a component page's list.
func (x *pageWriter) feedLinks(root string, feeds []Feed) {
	for i, f := range feeds {
		if i > 0 {
			x.str(" ·")
		}
		x.str(" <a href=\"")
		x.text(root)
		x.text(f.Path)
		x.str("\">")
		x.text(f.Name)
		x.str("</a>")
	}
}

// part writes what write writes, straight into the page where it can.
func (x *pageWriter) part(write func(textWriter) error) {
	if x.err == nil {
		x.err = toText(x.w, write)
	}
}

// exec executes the set's template name with p.
func (x *pageWriter) exec(s *pageSet, name string, p *Page) {
	if x.err == nil {
		x.err = s.t.ExecuteTemplate(x.w, name, p)
	}
}

// memo writes what the template name prints for data, once per build (see
// pageSet.render).
func (x *pageWriter) memo(s *pageSet, name string, data any) {
	if x.err != nil {
		return
	}
	var h template.HTML
	h, x.err = s.render(name, data)
	x.str(string(h))
}

// frameParts are the templates of base.html that a page's layout draws
// from its Frame, once per build: each set executed them, and escaped
// them first, html/template's costliest step for a template run so few
// times.
var frameParts = [...]string{"site-feeds", "site-header", "site-footer"}

// frame writes the frame part name for f as the built-in base.html
// prints it, escaped as html/template escapes it (FuzzFrame holds the two
// to the same bytes). It reports false, having written nothing, for a
// frame it leaves to the template: a link that is not a plain URL (see
// plainURL), or words html/template would escape in an attribute (see
// plainWords).
func (s *pageSet) frame(name string, f *Frame) (template.HTML, bool, error) {
	if !plainURL(f.Root) {
		return "", false, nil
	}
	var b strings.Builder
	x := &pageWriter{w: &b}
	switch name {
	case "site-feeds":
		titles, ok := s.feedTitles(f.Site.Title)
		if !ok {
			return "", false, nil
		}
		for _, feed := range componentFeeds {
			if !plainURL(f.Rel(feed.file)) {
				return "", false, nil
			}
		}
		x.alternateLinks(&titles, f.Root, "")
	case "site-header":
		nav := s.words.t("page.nav_site")
		if !plainWords(nav) {
			return "", false, nil
		}
		for _, l := range f.Site.Links {
			if !plainSiteLink(l.URL) {
				return "", false, nil
			}
		}
		x.str("\n<header class=\"site-header\">\n<div class=\"wrap bar\">")
		if f.Kind == "index" {
			x.str("\n<h1 class=\"brand\">")
			x.text(f.Site.Title)
			x.str("</h1>")
		} else {
			x.str("\n<p class=\"brand\"><a href=\"")
			x.text(f.Root)
			x.str("\">")
			x.text(f.Site.Title)
			x.str("</a></p>")
		}
		x.str("\n<nav aria-label=\"")
		x.str(string(nav))
		x.str("\">\n<ul>")
		for _, n := range siteNav {
			if n.kind == "reports" && !f.Reports {
				continue
			}
			x.str("\n<li><a href=\"")
			x.text(f.Root)
			x.str(n.kind)
			x.str("/\"")
			if f.Kind == n.kind {
				x.str(" aria-current=\"page\"")
			}
			x.str(">")
			x.str(string(s.words.t(n.key)))
			x.str("</a></li>")
		}
		for _, l := range f.Site.Links {
			x.str("\n<li><a href=\"")
			x.text(l.URL)
			x.str("\">")
			x.text(l.Name)
			x.str("</a></li>")
		}
		x.str("\n</ul>\n</nav>\n</div>\n</header>")
	case "site-footer":
		for _, feed := range f.Feeds {
			if !plainURL(f.Rel(feed.Path)) {
				return "", false, nil
			}
		}
		link, err := s.render("herald-link", "")
		if err != nil {
			return "", false, err
		}
		x.str("\n<footer class=\"site-footer\">\n<div class=\"wrap\">\n<p>")
		x.str(string(s.words.t("page.subscribe_to_updates")))
		x.feedLinks(f.Root, f.Feeds)
		x.str("</p>\n<p>")
		x.str(string(s.words.t("page.times_shown_in", "zone", f.Site.Location)))
		x.str(" ")
		x.str(string(s.words.t("page.powered_by", "herald", link)))
		x.str("</p>\n</div>\n</footer>")
	default:
		return "", false, nil
	}
	return template.HTML(b.String()), true, x.err
}

// siteNav are the links of base.html's "site-header" to the site's own
// pages, each a folder named after the kind of page it leads to, and the
// message of its name.
var siteNav = [...]struct{ kind, key string }{
	{"history", "page.history"},
	{"reports", "page.reports"},
	{"subscribe", "page.subscribe"},
}
