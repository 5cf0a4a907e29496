// Package feed renders the site's incident history as RSS 2.0, Atom 1.0 and
// JSON Feed 1.1, for the whole site and for each component.
//
// A feed is a function of the incident files alone: item ids come from
// slugs and every date from the incidents, never from the build clock, so
// rebuilding an unchanged site gives byte-identical feeds and readers see
// nothing new until an incident really changes.
package feed

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/feeds"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/i18n"
)

// File names of the three formats, in the site root and in each
// component's folder.
const (
	rssName  = "history.rss"
	atomName = "history.atom"
	jsonName = "history.json"
)

// Files returns the site-wide feeds history.rss (RSS 2.0), history.atom
// (Atom 1.0) and history.json (JSON Feed 1.1), and the same three per
// component at components/<id>/history.rss|atom|json.
func Files(snap *status.Snapshot) []render.File {
	channels := channelsOf(snap)
	// An incident appears in many feeds (the site's and each of its
	// components', in three formats), always as the same item: it is made
	// once.
	cache := &items{m: make(map[*incident.Incident]*cachedItem, len(snap.Incidents))}
	files := make([]render.File, 0, 3*len(channels))
	for _, ch := range channels {
		ch.cache = cache
		files = append(files, ch.files(snap)...)
	}
	return files
}

// channelsOf lists the site's feed and each component's, in the site's
// language.
func channelsOf(snap *status.Snapshot) []channel {
	site := snap.Site
	l := site.L()
	desc := site.Description
	if desc == "" {
		desc = l.T("feed.description", "site", site.Title)
	}
	channels := []channel{{
		dir:         "",
		title:       site.Title,
		description: desc,
		link:        site.BaseURL,
		incidents:   snap.Incidents,
	}}
	for _, c := range snap.Components {
		dir := render.ComponentPath(c.ID)
		channels = append(channels, channel{
			dir:         dir,
			title:       l.T("feed.component_title", "site", site.Title, "component", c.Name),
			description: l.T("feed.component_description", "component", c.Name, "site", site.Title),
			link:        site.BaseURL + dir,
			incidents:   c.Incidents,
		})
	}
	return channels
}

// items makes each incident's item at most once per Files call, for all
// the feeds that carry it. It is safe for concurrent use; an item, once
// made, is never changed, and gorilla's conversions only read it.
//
// Encoded items are not kept: an item is in about four feeds per format
// on a large site, but keeping every encoding until the last feed that
// lists it is written raised the peak memory of a build by a quarter.
type items struct {
	mu sync.Mutex
	m  map[*incident.Incident]*cachedItem
}

type cachedItem struct {
	once sync.Once
	item item
}

func (c *items) get(snap *status.Snapshot, in *incident.Incident) item {
	c.mu.Lock()
	e, ok := c.m[in]
	if !ok {
		e = &cachedItem{}
		c.m[in] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.item = newItem(snap, in) })
	return e.item
}

// channel is one feed before it is written in any format.
type channel struct {
	dir         string // "" for the site, else render.ComponentPath
	title       string
	description string
	link        string // absolute URL of the page the feed follows
	incidents   []*incident.Incident
	cache       *items
}

func (ch channel) files(snap *status.Snapshot) []render.File {
	key := ch.key(snap)
	return []render.File{
		{Path: ch.dir + rssName, Key: key, Render: func(w io.Writer) error { return ch.writeRSS(w, snap) }},
		{Path: ch.dir + atomName, Key: key, Render: func(w io.Writer) error { return ch.writeAtom(w, snap) }},
		{Path: ch.dir + jsonName, Key: key, Render: func(w io.Writer) error { return ch.writeJSON(w, snap) }},
	}
}

// key is the Key (see render.File.Key) of the channel's feeds: the words
// of the locale (a site's i18n/<locale>.yaml is not part of the config the
// Builder hashes) and the Sum of each incident they list. Beyond these a
// feed reads only the config (titles, base URL, component names, time
// zone), never the clock.
func (ch channel) key(snap *status.Snapshot) string {
	ins := ch.listed(snap)
	b := make([]byte, 0, len(ins)*sha256.Size+64)
	b = append(b, snap.Site.L().Sum()...)
	for _, in := range ins {
		b = append(b, in.Sum[:]...)
	}
	sum := sha256.Sum256(b)
	return string(sum[:])
}

// listed is the incidents the channel's feeds list: the newest
// feeds.items.
func (ch channel) listed(snap *status.Snapshot) []*incident.Incident {
	if n := snap.Site.FeedItems; len(ch.incidents) > n {
		return ch.incidents[:max(n, 0)]
	}
	return ch.incidents
}

// item is what the three formats say about one incident, beyond what
// feeds.Item carries.
type item struct {
	*feeds.Item
	summaryText string // plain text; Item.Description is the same escaped as HTML
}

// build makes the format-neutral feed. Each Render builds its own, so that
// files rendered concurrently share nothing mutable; the items are shared
// and only read.
func (ch channel) build(snap *status.Snapshot) (*feeds.Feed, []item) {
	ins := ch.listed(snap)
	f := &feeds.Feed{
		Title:       xmlSafe(ch.title),
		Link:        &feeds.Link{Href: ch.link},
		Description: xmlSafe(ch.description),
		Id:          ch.link,
		Items:       make([]*feeds.Item, 0, len(ins)),
	}
	list := make([]item, 0, len(ins))
	for _, in := range ins {
		it := ch.cache.get(snap, in)
		if it.Updated.After(f.Updated) {
			f.Updated = it.Updated
		}
		f.Add(it.Item)
		list = append(list, it)
	}
	return f, list
}

// newItem makes the item of an incident, the same in every feed.
func newItem(snap *status.Snapshot, in *incident.Incident) item {
	// The page's URL is also the item's id in every format, so it must
	// never depend on anything but the slug.
	url := render.IncidentURL(snap.Site.BaseURL, in.Slug)
	title := in.Title
	if in.Kind == incident.KindMaintenance {
		// Marked, so that a reader's list tells an announcement from an
		// outage.
		title = snap.Site.L().T("feed.maintenance_prefix", "title", title)
	}
	content := itemContent(snap, in)
	text := xmlSafe(summaryText(in))
	return item{
		Item: &feeds.Item{
			Title: xmlSafe(title),
			Link:  &feeds.Link{Href: url},
			// RSS and Atom (type="html") read the description as HTML, so
			// plain text is escaped once more; JSON Feed's summary is plain
			// text and gets summaryText instead.
			Description: textEscaper.Replace(text),
			Id:          url,
			IsPermaLink: "true",
			Created:     in.Announced().UTC(),
			Updated:     in.UpdatedAt().UTC(),
			Content:     xmlSafe(content),
		},
		summaryText: text,
	}
}

// textEscaper makes plain text HTML. Quotes need no escape outside
// attributes, and leaving them spares readers a visible &#39; when a
// description is shown as text.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// summaryText is the item's one-paragraph description: the summary, or else
// the latest update, or else the title.
func summaryText(in *incident.Incident) string {
	if in.SummaryText != "" {
		return in.SummaryText
	}
	if u := in.Latest(); u != nil {
		if t := htmlText(string(u.Body)); t != "" {
			return t
		}
	}
	return in.Title
}

// htmlText is the text of an HTML fragment as the Markdown renderer writes
// it: tags dropped, entities decoded, white space collapsed. A tag's
// attributes never contain a raw '>' there, since the renderer escapes them.
func htmlText(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		b.WriteByte(' ')
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		s = s[i+j+1:]
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// itemContent is an item's full text: the summary, the window of a
// maintenance, what it affects, then the timeline newest first, as on the
// incident's page, in the site's language. Summary and update bodies are
// HTML the incident package has already made safe; everything else is
// escaped here, as html/template would escape it (the content was once a
// template; a test holds it to that template's output).
func itemContent(snap *status.Snapshot, in *incident.Incident) string {
	loc := snap.Site.Location
	if loc == nil {
		loc = time.UTC
	}
	l := snap.Site.L()
	var b strings.Builder
	b.WriteString(string(in.Summary))
	if in.Kind == incident.KindMaintenance && !in.ScheduledStart.IsZero() {
		b.WriteString("<p><strong>")
		htmlEscaper.WriteString(&b, l.T("feed.scheduled"))
		b.WriteString("</strong> ")
		htmlEscaper.WriteString(&b, localTime(l, in.ScheduledStart, loc)+" – "+localTime(l, in.ScheduledEnd, loc))
		b.WriteString("</p>\n")
	}
	if len(in.Affected) > 0 {
		b.WriteString("<p><strong>")
		htmlEscaper.WriteString(&b, l.T("feed.affected"))
		b.WriteString("</strong> ")
		names := make([]string, len(in.Affected))
		for i, a := range in.Affected {
			name := a.ID
			if c := snap.Component(a.ID); c != nil {
				name = c.Name
			}
			if in.Kind == incident.KindIncident {
				name = l.T("feed.affected_status", "component", name, "status", l.T("status_inline."+string(a.Status)))
			}
			names[i] = name
		}
		htmlEscaper.WriteString(&b, l.List(names))
		b.WriteString("</p>\n")
	}
	for _, u := range in.Updates {
		b.WriteString("<p><strong>")
		htmlEscaper.WriteString(&b, l.T("update."+u.Status))
		b.WriteString("</strong> · <time datetime=\"")
		htmlEscaper.WriteString(&b, u.Time.UTC().Format(time.RFC3339))
		b.WriteString("\">")
		htmlEscaper.WriteString(&b, localTime(l, u.Time, loc))
		b.WriteString("</time></p>\n")
		b.WriteString(string(u.Body))
	}
	return b.String()
}

// htmlEscaper escapes text as html/template does in text and in quoted
// attributes: it also escapes + and ', and replaces NUL.
var htmlEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// localTime writes t in loc as l words a date with its weekday: "Mon,
// Mar 9, 2026 14:05 CET", "Mo., 09.03.2026 14:05 CET". The zone's
// abbreviation is the zone database's, the same in every language.
func localTime(l *i18n.Locale, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return l.T("feed.time", "weekday", l.WeekdayShort(t), "date", l.Date(t, i18n.Medium), "time", l.Time(t), "zone", t.Format("MST"))
}

// xmlSafe replaces the characters XML 1.0 cannot carry. encoding/xml does
// so in text and attributes but not in CDATA, where gorilla puts RSS
// content, and one stray control character would make the whole feed
// unreadable. Incident text comes clean from its parser; the site's own
// titles do not.
func xmlSafe(s string) string { return incident.ReplaceControl(s) }

func (ch channel) writeRSS(w io.Writer, snap *status.Snapshot) error {
	f, _ := ch.build(snap)
	r := (&feeds.Rss{Feed: f}).RssFeed()
	r.Language = snap.Site.L().Tag()
	return writeXML(w, r, "rss")
}

// atomFeed gives the feed both its alternate and its rel="self" link,
// where gorilla's AtomFeed has room for one. Links hides AtomFeed.Link: for
// encoding/xml the shallower of two fields named "link" wins. It comes
// first because Atom allows the metadata in any order, but only before the
// entries.
// Lang is the feed's xml:lang, which every element inherits.
type atomFeed struct {
	Links []*feeds.AtomLink
	*feeds.AtomFeed
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
}

func (a *atomFeed) FeedXml() any { return a }

// atomEpoch is the updated date of a feed that has no entry. Atom requires
// one, and the build clock would change the feed on every build.
const atomEpoch = "1970-01-01T00:00:00Z"

func (ch channel) writeAtom(w io.Writer, snap *status.Snapshot) error {
	f, items := ch.build(snap)
	a := (&feeds.Atom{Feed: f}).AtomFeed()
	a.Id = f.Id // gorilla uses the link and ignores Feed.Id
	// Atom wants an author for the feed unless every entry has one.
	a.Author = &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: xmlSafe(snap.Site.Title), Uri: snap.Site.BaseURL}}
	if a.Updated == "" {
		a.Updated = atomEpoch
	}
	for i, e := range a.Entries {
		e.Published = items[i].Created.Format(time.RFC3339)
		e.Links[0].Type = "text/html"
	}
	links := []*feeds.AtomLink{
		{Href: f.Link.Href, Rel: "alternate", Type: "text/html"},
		{Href: snap.Site.BaseURL + ch.dir + atomName, Rel: "self", Type: "application/atom+xml"},
	}
	return writeXML(w, &atomFeed{Links: links, AtomFeed: a, Lang: snap.Site.L().Tag()}, "atom")
}

// writeXML writes what gorilla's WriteXML does, plus a final newline.
func writeXML(w io.Writer, x feeds.XmlFeed, format string) error {
	if err := feeds.WriteXML(x, w); err != nil {
		return fmt.Errorf("write %s feed: %w", format, err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write %s feed: %w", format, err)
	}
	return nil
}

// jsonFeed keeps "items" when the feed is empty: JSON Feed requires it, and
// gorilla's field is omitempty. The outer field shadows the embedded one.
type jsonFeed struct {
	*feeds.JSONFeed
	Items []*feeds.JSONItem `json:"items"`
}

func (ch channel) writeJSON(w io.Writer, snap *status.Snapshot) error {
	f, items := ch.build(snap)
	j := (&feeds.JSON{Feed: f}).JSONFeed()
	j.FeedUrl = snap.Site.BaseURL + ch.dir + jsonName
	j.Language = snap.Site.L().Tag()
	j.Authors = []*feeds.JSONAuthor{{Name: snap.Site.Title, Url: snap.Site.BaseURL}}
	for i, it := range j.Items {
		it.Summary = items[i].summaryText
	}
	out := jsonFeed{JSONFeed: j, Items: j.Items}
	if out.Items == nil {
		out.Items = []*feeds.JSONItem{}
	}
	// Indented as gorilla's WriteJSON does it; HTML stays escaped as
	// \u003c, so the file is safe even if served as text/html.
	compact, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("write json feed: %w", err)
	}
	b := indentJSON(make([]byte, 0, len(compact)+len(compact)/4), compact, "  ")
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write json feed: %w", err)
	}
	return nil
}
