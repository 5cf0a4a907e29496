package render

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/status"
)

// Page is the data every template receives. Override authors: this is the
// contract; fields are only ever added.
type Page struct {
	// Kind is "index", "incident", "history", "component", "subscribe",
	// "reports", "report" or "404".
	Kind string
	// Path is the page's address relative to the site root, as links
	// write it: "" for the index, "incidents/db-down/", "history/page/2/",
	// "404.html".
	Path string
	// Root leads from the page back to the site root: "./", "../../", …;
	// every internal link starts with it (see Rel), so the site works
	// under any sub-path and straight from the file system.
	Root string
	// URL is the page's absolute address, for rel=canonical and og:url;
	// empty on the 404 page, which has none.
	URL string
	// BaseHref is set on the 404 page only: the path of base_url, for
	// <base href>, since that page is served at arbitrary paths.
	BaseHref string
	// Title is the <title>, Description the meta description.
	Title, Description string
	// Stylesheet and Favicon are paths from the site root.
	Stylesheet, Favicon string
	// Script is the stale-page warning's path from the site root, set on
	// the index of a site with probes, where "Updated" can grow old;
	// StaleAfter is the age in seconds at which it warns.
	Script     string
	StaleAfter int
	// Feeds are the site's feeds; ComponentFeeds the component's own, on
	// component pages.
	Feeds, ComponentFeeds []Feed

	// Now is the snapshot's clock, in the site's time zone. Templates
	// never read any other clock.
	Now  time.Time
	Site status.Site
	Snap *status.Snapshot

	// Set on the page of that kind.
	Incident  *incident.Incident
	Component *status.Component
	History   *History
	Subscribe *Subscribe
	// Reports is set on reports/, Report on a month's report.
	Reports *ReportIndex
	Report  *report.Month

	// Frame is what the layout draws around the page; pages of one kind
	// at one depth share it.
	Frame *Frame

	// Languages are this page in each of the site's languages, the first
	// first, for the hreflang links and the language switcher; nil on a
	// site of one language.
	Languages []Alternate
	// SharedRoot leads from the page to the site's root, where the files
	// that exist once, in the first language, are (the reports' CSV and
	// JSON): Root, or Root+"../" on a page in another language's folder.
	SharedRoot string
}

// Alternate is a page in one of the site's languages.
type Alternate struct {
	// Tag is the language's BCP 47 tag; Name, its name in itself.
	Tag, Name string
	// URL is the page's absolute address in the language, for hreflang;
	// empty on the 404 page, which has none.
	URL string
	// Link leads from the page to the same page in the language; on the
	// 404 page, to the language's index.
	Link string
	// Current is set on the page's own language.
	Current bool
}

// alternates lists p in each of the site's languages (see Page.Languages).
// up leads from the root of p's language to the site's root.
func alternates(p *Page, site status.Site, up string) []Alternate {
	if len(site.Languages) < 2 {
		return nil
	}
	path := p.Path
	if p.Kind == "404" {
		path = ""
	}
	out := make([]Alternate, len(site.Languages))
	for i, lang := range site.Languages {
		out[i] = Alternate{Tag: lang.Tag, Name: lang.Name, Link: p.Root + up + lang.Dir + path, Current: lang.Tag == site.Lang}
		if p.URL != "" {
			out[i].URL = lang.BaseURL + p.Path
		}
	}
	return out
}

// Rel turns a path from the site root into a link from this page.
func (p *Page) Rel(path string) string { return p.Root + path }

// Frame is the part of a page that is the same on every page of one kind
// at one depth: the site's header, footer and feed links. Its fields are
// the page's. Pages share one *Frame, so that the layout draws these parts
// once per build with {{memo "site-header" .Frame}}.
type Frame struct {
	Kind, Root, BaseHref string
	// Reports is set when the site publishes reports/, which the header
	// links to.
	Reports             bool
	Site                status.Site
	Stylesheet, Favicon string
	Feeds               []Feed
}

// Rel turns a path from the site root into a link from the frame's pages.
func (f *Frame) Rel(path string) string { return f.Root + path }

// Feed is one feed a page can link to.
type Feed struct {
	Name string // "RSS", "Atom", "JSON Feed"
	Path string // from the site root
}

// History is one page of the incident archive.
type History struct {
	Page, Pages int
	// Months group the page's incidents by the month they began in, in
	// the site's time zone, newest first.
	Months []Month
	// Newer and Older are the paths of the neighbouring pages from the
	// site root, or "" at either end.
	Newer, Older string
}

// Subscribe is what the subscribe page lists: every way to follow the
// site.
type Subscribe struct {
	// Site is the site's feeds; Components, each component's, in config
	// order.
	Site       FeedRow
	Components []FeedRow
	// Calendar is the maintenance calendar's absolute URL, and Webcal the
	// same with the webcal scheme, which hands it to the reader's
	// calendar app as a subscription rather than a download. Webcal is
	// typed as safe, for html/template passes only http(s) and mailto
	// links: it is base_url's, which config checked, with the scheme
	// swapped.
	Calendar string
	Webcal   template.URL
	// Example is the absolute URL of the first component's RSS feed, for
	// the instructions that take an address (Slack's /feed subscribe).
	Example string
}

// FeedRow is the feeds of the site or of one component.
type FeedRow struct {
	Name string
	// Page is the component's page from the site root; "" for the site.
	Page  string
	Feeds []Feed
}

// CalendarPath is the maintenance calendar's path from the site root,
// which generator/ical writes.
const CalendarPath = "maintenance.ics"

// Month is the incidents that began in one calendar month.
type Month struct {
	Date      time.Time // the first of the month, midnight, site time zone
	Incidents []*incident.Incident
}

// plannedPage is a page to render: its file and template.
type plannedPage struct {
	file, template string
	*Page
	finish func() // if not nil, completes Page just before it is rendered
}

// incidentDescription is an incident page's meta description: its
// summary, or else its latest update, cut short; or its title.
func incidentDescription(in *incident.Incident) string {
	d := truncate(in.SummaryText, 160)
	if u := in.Latest(); d == "" && u != nil {
		d = excerpt(u.Body, 160)
	}
	if d == "" {
		d = in.Title
	}
	return d
}

// pages plans every HTML page of the site for snap.
// assets are the hashed asset paths pages link to.
type assets struct{ css, script string }

func pages(snap *status.Snapshot, a assets, perPage int, o options) []plannedPage {
	site := snap.Site
	l := site.L()
	siteFeeds := feeds("")
	fill := func(p *Page, kind, file, link string) *Page {
		*p = Page{
			Kind: kind, Path: link, Root: rootOf(file), URL: site.BaseURL + link,
			Stylesheet: a.css, Favicon: "favicon.svg", Feeds: siteFeeds,
			Now: snap.Now, Site: site, Snap: snap,
		}
		return p
	}
	newPage := func(kind, file, link string) *Page { return fill(new(Page), kind, file, link) }
	// Sized at once: a large site plans thousands of pages.
	out := make([]plannedPage, 0, len(snap.Incidents)+len(snap.Components)+len(snap.Incidents)/max(perPage, 1)+16)

	index := newPage("index", "index.html", "")
	index.Title = site.Title
	index.Description = site.Description
	if index.Description == "" {
		index.Description = l.T("index.description", "site", site.Title)
	}
	if snap.Site.WatchStale && snap.Site.StaleAfter > 0 {
		index.Script, index.StaleAfter = a.script, int(snap.Site.StaleAfter.Seconds())
	}
	out = append(out, plannedPage{"index.html", "index.html", index, nil})

	// The incident pages, in one allocation rather than thousands.
	type incidentPage struct {
		Page
		once sync.Once
	}
	incidents := make([]incidentPage, len(snap.Incidents))
	for i, in := range snap.Incidents {
		ip := &incidents[i]
		file := "incidents/" + in.Slug + "/index.html"
		p := fill(&ip.Page, "incident", file, incidentPath(in))
		p.Incident = in
		// Worked out when the page is rendered: a rebuild renders few of
		// the thousands of incident pages it plans. Once, as a File may
		// be rendered by two workers at a time.
		finish := func() {
			ip.once.Do(func() {
				p.Title = l.T("incident.page_title", "title", in.Title, "site", site.Title)
				p.Description = incidentDescription(in)
			})
		}
		out = append(out, plannedPage{file, "incident.html", p, finish})
	}

	for _, h := range historyPages(snap.Incidents, site.Location, perPage) {
		link := historyPath(h.Page)
		file := link + "index.html"
		p := newPage("history", file, link)
		p.History = h
		p.Title = l.T("history.page_title", "site", site.Title)
		if h.Page > 1 {
			p.Title = l.T("history.page_n_title", "page", l.Number(float64(h.Page), 0), "site", site.Title)
		}
		p.Description = l.T("history.description", "site", site.Title)
		out = append(out, plannedPage{file, "history.html", p, nil})
	}

	for _, c := range snap.Components {
		link := ComponentPath(c.ID)
		file := "components/" + c.ID + "/index.html"
		p := newPage("component", file, link)
		p.Component = c
		p.ComponentFeeds = feeds(link)
		p.Title = l.T("component.page_title", "component", c.Name, "site", site.Title)
		p.Description = c.Description
		if p.Description == "" {
			p.Description = l.T("component.description", "component", c.Name)
		}
		out = append(out, plannedPage{file, "component.html", p, nil})
	}

	sub := newPage("subscribe", "subscribe/index.html", "subscribe/")
	sub.Subscribe = subscribe(snap)
	sub.Title = l.T("subscribe.page_title", "site", site.Title)
	sub.Description = l.T("subscribe.description", "site", site.Title)
	out = append(out, plannedPage{"subscribe/index.html", "subscribe.html", sub, nil})
	if o.withReports {
		out = append(out, reportPages(o.reports(), newPage, site)...)
	}

	notFound := newPage("404", "404.html", "404.html")
	notFound.URL = ""
	notFound.BaseHref = basePath(site.BaseURL)
	notFound.Title = l.T("notfound.page_title", "site", site.Title)
	notFound.Description = l.T("notfound.description")
	out = append(out, plannedPage{"404.html", "404.html", notFound, nil})

	// A language other than the first has its files in a folder of the
	// site's root (status.Language.Dir).
	up := ""
	if len(site.Languages) > 1 && site.Lang != site.Languages[0].Tag {
		up = "../"
	}
	type frameKey struct{ kind, root, baseHref string }
	frames := map[frameKey]*Frame{}
	for _, p := range out {
		p.Languages = alternates(p.Page, site, up)
		p.SharedRoot = p.Root + up
		k := frameKey{p.Kind, p.Root, p.BaseHref}
		f, ok := frames[k]
		if !ok {
			f = &Frame{
				Kind: p.Kind, Root: p.Root, BaseHref: p.BaseHref, Site: site, Reports: o.withReports,
				Stylesheet: p.Stylesheet, Favicon: p.Favicon, Feeds: siteFeeds,
			}
			frames[k] = f
		}
		p.Frame = f
	}
	return out
}

// subscribe lists the feeds and the calendar of the site for snap. It reads
// nothing but the config's part of snap (components, base_url), which
// lets the page's Key stay empty of it.
func subscribe(snap *status.Snapshot) *Subscribe {
	base := snap.Site.BaseURL
	s := &Subscribe{Site: FeedRow{Name: snap.Site.Title, Feeds: feeds("")}, Calendar: base + CalendarPath}
	if _, rest, ok := strings.Cut(s.Calendar, "://"); ok {
		s.Webcal = template.URL("webcal://" + rest)
	}
	for _, c := range snap.Components {
		link := ComponentPath(c.ID)
		s.Components = append(s.Components, FeedRow{Name: c.Name, Page: link, Feeds: feeds(link)})
	}
	if len(s.Components) > 0 {
		s.Example = base + s.Components[0].Feeds[0].Path
	}
	return s
}

// feeds lists the three feeds generator/feed writes under dir: "" for
// the site's, or a component's folder.
func feeds(dir string) []Feed {
	return []Feed{
		{Name: "RSS", Path: dir + "history.rss"},
		{Name: "Atom", Path: dir + "history.atom"},
		{Name: "JSON Feed", Path: dir + "history.json"},
	}
}

// rootOf is the relative path from the folder of file back to the root.
func rootOf(file string) string {
	switch n := strings.Count(file, "/"); n {
	case 0:
		return "./"
	case 1, 2, 3:
		return "../../../"[:3*n] // most pages: no new string
	default:
		return strings.Repeat("../", n)
	}
}

// basePath is the path part of base_url, "/" at least.
func basePath(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.EscapedPath() == "" {
		return "/"
	}
	p := u.EscapedPath()
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// IncidentPath is the link to the page of the incident with this slug from
// the site root, "incidents/<slug>/", the slug percent-encoded. A slug is a
// file name and may hold any character: a '?' or '#' would end the path,
// and a space or '"' would break the URL or the format around it. Every
// output builds its links and URLs to incident pages with it or with
// IncidentURL, so they all agree; on disk the folder keeps the slug as it
// is, which a web server finds by decoding the path.
func IncidentPath(slug string) string { return incidentLink("", slug) }

// incidentLink is the link to the incident slug from a page whose root is
// root: the root and IncidentPath in one string, as every entry has.
func incidentLink(root, slug string) string { return root + "incidents/" + url.PathEscape(slug) + "/" }

// IncidentURL is the absolute URL of the page of the incident with this
// slug on the site at baseURL, which ends in a slash (see IncidentPath).
func IncidentURL(baseURL, slug string) string { return baseURL + IncidentPath(slug) }

// ComponentPath is the link to a component's folder (its page and feeds)
// from the site root, "components/<id>/", the id percent-encoded like a
// slug in IncidentPath.
func ComponentPath(id string) string { return "components/" + url.PathEscape(id) + "/" }

// incidentPath is IncidentPath for templates, which hold the incident.
func incidentPath(in *incident.Incident) string { return IncidentPath(in.Slug) }

// historyPath is the link to page n of the archive from the site root.
func historyPath(n int) string {
	if n <= 1 {
		return "history/"
	}
	return "history/page/" + strconv.Itoa(n) + "/"
}

// historyPages splits incidents (newest first) into pages of perPage, at
// least one page even when there are none.
func historyPages(ins []*incident.Incident, loc *time.Location, perPage int) []*History {
	n := max(1, (len(ins)+perPage-1)/perPage)
	out := make([]*History, n)
	for i := range out {
		lo, hi := i*perPage, min((i+1)*perPage, len(ins))
		h := &History{Page: i + 1, Pages: n, Months: byMonth(ins[lo:hi], loc)}
		if i > 0 {
			h.Newer = historyPath(i)
		}
		if i < n-1 {
			h.Older = historyPath(i + 2)
		}
		out[i] = h
	}
	return out
}

// byMonth groups incidents, in the order given, by the month of their
// start in loc.
func byMonth(ins []*incident.Incident, loc *time.Location) []Month {
	var out []Month
	for _, in := range ins {
		y, m, _ := in.Start().In(loc).Date()
		first := time.Date(y, m, 1, 0, 0, 0, 0, loc)
		if len(out) == 0 || !out[len(out)-1].Date.Equal(first) {
			out = append(out, Month{Date: first})
		}
		last := &out[len(out)-1]
		last.Incidents = append(last.Incidents, in)
	}
	return out
}
