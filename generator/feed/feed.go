// Package feed renders the site's incident history as RSS 2.0, Atom 1.0 and
// JSON Feed 1.1, for the whole site and for each component.
//
// A feed is a function of the incident files alone: item ids come from
// slugs and every date from the incidents, never from the build clock, so
// rebuilding an unchanged site gives byte-identical feeds and readers see
// nothing new until an incident really changes.
package feed

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

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
	cache := &items{m: make(map[*incident.Incident]*cachedItem, len(snap.Incidents)), uses: map[*incident.Incident]int{}}
	files := make([]render.File, 0, 3*len(channels))
	for _, ch := range channels {
		ch.cache = cache
		fs := ch.files(snap)
		for _, in := range ch.listed(snap) {
			cache.uses[in] += len(fs)
		}
		files = append(files, fs...)
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
// made, is never changed.
//
// Encoded items are not kept: an item is in about two feeds per format
// on the large synthetic site (5,050 listings of 2,675 items), and
// keeping every encoding until the last feed that lists it is written
// raised the peak memory of a build by a quarter. Nor is an item kept
// once the last feed file that lists it is written: feeds are among the
// last files of a build, whose peak memory held every listed item's
// content (a copy of its summary and updates) to the end. A file written
// again makes its items anew.
type items struct {
	mu sync.Mutex
	m  map[*incident.Incident]*cachedItem
	// uses is how many feed files list each incident.
	uses map[*incident.Incident]int
}

type cachedItem struct {
	// mu is held by the feed file that makes the item while it does.
	mu      sync.Mutex
	claimed bool // whether a file makes or made it, under items.mu
	item    item
	left    int // the feed files still to write it, under items.mu
}

// entry is in's entry and whether the caller is to make its item, in
// which case the entry's mu is held.
func (c *items) entry(in *incident.Incident) (e *cachedItem, mine bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[in]
	if !ok {
		e = &cachedItem{left: c.uses[in]}
		c.m[in] = e
	}
	if e.claimed {
		return e, false
	}
	e.claimed = true
	e.mu.Lock() // free: no file has claimed it
	return e, true
}

// fill sets dst[i] to the item of ins[i]. An item that another file is
// making is taken last, once the caller has made or taken the others:
// the files that list the same incidents, as a channel's three formats
// do, are written side by side, and each waited at every item for the
// other to make it, where now they make different items at once.
func (c *items) fill(snap *status.Snapshot, ins []*incident.Incident, dst []*item) {
	type pending struct {
		i int
		e *cachedItem
	}
	var busy []pending
	for i, in := range ins {
		e, mine := c.entry(in)
		switch {
		case mine:
			e.item = newItem(snap, in)
			e.mu.Unlock()
		case !e.mu.TryLock(): // being made
			busy = append(busy, pending{i, e})
			continue
		default:
			e.mu.Unlock()
		}
		dst[i] = &e.item
	}
	for _, p := range busy {
		p.e.mu.Lock() // until its maker is done
		p.e.mu.Unlock()
		dst[p.i] = &p.e.item
	}
}

// release drops the items of ins that a feed file, now written, was the
// last to list.
func (c *items) release(ins []*incident.Incident) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, in := range ins {
		if e, ok := c.m[in]; ok {
			if e.left--; e.left <= 0 {
				delete(c.m, in)
			}
		}
	}
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
		{Path: ch.dir + rssName, Key: key, Render: func(w io.Writer) error { return ch.write(w, snap, "rss", appendRSS) }},
		{Path: ch.dir + atomName, Key: key, Render: func(w io.Writer) error { return ch.write(w, snap, "atom", appendAtom) }},
		{Path: ch.dir + jsonName, Key: key, Render: func(w io.Writer) error { return ch.write(w, snap, "json", appendJSON) }},
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

// item is what the three formats say about one incident. Its texts are
// xmlSafe.
type item struct {
	url         string // the incident's page, also the item's id
	title       string
	description string // summary escaped as HTML, for RSS and Atom (type="html")
	summary     string // plain text, for JSON Feed
	content     string // HTML
	created     time.Time
	updated     time.Time
}

// feed is one channel with its items, ready to be written in a format.
type feed struct {
	channel
	snap    *status.Snapshot
	items   []*item
	updated time.Time // the newest item's, zero without items
	lang    string
}

// write writes the channel's feed in one format, appended by add. It
// appends to w's own spare room where w has some, as the build's pooled
// buffers do, so that a feed is not first made in a buffer of its own.
func (ch channel) write(w io.Writer, snap *status.Snapshot, format string, add func([]byte, *feed) ([]byte, error)) error {
	f := &feed{channel: ch, snap: snap, lang: snap.Site.L().Tag()}
	ins := ch.listed(snap)
	defer ch.cache.release(ins)
	f.items = make([]*item, len(ins))
	ch.cache.fill(snap, ins, f.items)
	size := 1024
	for _, it := range f.items {
		if it.updated.After(f.updated) {
			f.updated = it.updated
		}
		// Escaped, with its dates, links and tags, an item of the large
		// synthetic site is 1.2 (RSS) to 1.55 (JSON) times its content
		// and description.
		size += 256 + (len(it.content)+len(it.description))*8/5
	}
	var b []byte
	if buf, ok := w.(interface {
		Grow(int)
		AvailableBuffer() []byte
	}); ok {
		buf.Grow(size)
		b = buf.AvailableBuffer()
	} else {
		b = make([]byte, 0, size)
	}
	b, err := add(b, f)
	if err != nil {
		return fmt.Errorf("write %s feed: %w", format, err)
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write %s feed: %w", format, err)
	}
	return nil
}

// newItem makes the item of an incident, the same in every feed.
func newItem(snap *status.Snapshot, in *incident.Incident) item {
	// The page's URL is also the item's id in every format, so it must
	// never depend on anything but the slug.
	url := render.IncidentURL(snap.Site.BaseURL, in.Slug)
	title := in.Title // xmlSafe, as the parser's texts are
	if in.Kind == incident.KindMaintenance {
		// Marked, so that a reader's list tells an announcement from an
		// outage.
		title = xmlSafe(snap.Site.L().T("feed.maintenance_prefix", "title", title))
	}
	text := summaryText(in)
	return item{
		url:   url,
		title: title,
		// RSS and Atom (type="html") read the description as HTML, so
		// plain text is escaped once more; JSON Feed's summary is plain
		// text.
		description: textEscaper.Replace(text),
		summary:     text,
		content:     itemContent(snap, in),
		created:     in.Announced().UTC(),
		updated:     in.UpdatedAt().UTC(),
	}
}

// textEscaper makes plain text HTML. Quotes need no escape outside
// attributes, and leaving them spares readers a visible &#39; when a
// description is shown as text.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// summaryText is the item's one-paragraph description: the summary, or else
// the latest update, or else the title. It is xmlSafe: the summary and
// title come so from the parser, and an update's text is made so, its
// entities decoded (&#1; is a control character).
func summaryText(in *incident.Incident) string {
	if in.SummaryText != "" {
		return in.SummaryText
	}
	if u := in.Latest(); u != nil {
		if t := xmlSafe(htmlText(string(u.Body))); t != "" {
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
// template; a test holds it to that template's output). It is xmlSafe.
//
// The summary and bodies, nearly all of its bytes, come clean of what
// XML cannot carry from the incident's parser, so only the words put
// between them (the site's catalog, component names, dates) are checked
// here; where one is not clean the whole text is made safe, as it was
// when every item's content was scanned again.
func itemContent(snap *status.Snapshot, in *incident.Incident) string {
	loc := snap.Site.Location
	if loc == nil {
		loc = time.UTC
	}
	l := snap.Site.L()
	var b strings.Builder
	// Grown once to about its size: the summary, the bodies and a line of
	// words and dates for each update and the rest.
	n := len(in.Summary) + 256 + 64*len(in.Affected)
	for _, u := range in.Updates {
		n += len(u.Body) + 192
	}
	b.Grow(n)
	var when []byte // each date in turn, escaped from it into b
	clean := true   // whether every word put in so far is xmlSafe
	word := func(s string) {
		clean = clean && xmlSafe(s) == s
		htmlEscaper.WriteString(&b, s)
	}
	date := func(t time.Time) {
		start := b.Len()
		when = writeLocalTime(&b, when, l, t, loc)
		// b.String() is b's bytes, not a copy.
		s := b.String()[start:]
		clean = clean && xmlSafe(s) == s
	}
	b.WriteString(string(in.Summary))
	if in.Kind == incident.KindMaintenance && !in.ScheduledStart.IsZero() {
		b.WriteString("<p><strong>")
		word(l.T("feed.scheduled"))
		b.WriteString("</strong> ")
		date(in.ScheduledStart)
		b.WriteString(" – ")
		date(in.ScheduledEnd)
		b.WriteString("</p>\n")
	}
	if len(in.Affected) > 0 {
		b.WriteString("<p><strong>")
		word(l.T("feed.affected"))
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
		word(l.List(names))
		b.WriteString("</p>\n")
	}
	for _, u := range in.Updates {
		b.WriteString("<p><strong>")
		word(l.T(updateKey(u.Status)))
		b.WriteString("</strong> · <time datetime=\"")
		// A time in UTC holds nothing htmlEscaper escapes.
		var iso [64]byte
		b.Write(u.Time.UTC().AppendFormat(iso[:0], time.RFC3339))
		b.WriteString("\">")
		date(u.Time)
		b.WriteString("</time></p>\n")
		b.WriteString(string(u.Body))
	}
	if !clean {
		return xmlSafe(b.String())
	}
	return b.String()
}

// htmlEscaper escapes text as html/template does in text and in quoted
// attributes: it also escapes + and ', and replaces NUL.
var htmlEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// htmlEscaped holds the characters htmlEscaper replaces.
const htmlEscaped = "\x00\"&'+<>"

// appendLocalTime appends t in loc as l words a date with its weekday:
// "Mon, Mar 9, 2026 14:05 CET", "Mo., 09.03.2026 14:05 CET". The zone's
// abbreviation is the zone database's, the same in every language. It
// appends the message in place, as l.T would fill it in: a feed's items
// word thousands of times, and T's values, each boxed, cost a time some
// seven allocations.
func appendLocalTime(dst []byte, l *i18n.Locale, t time.Time, loc *time.Location) []byte {
	t = t.In(loc)
	return l.Append(dst, "feed.time", func(dst []byte, name string) ([]byte, bool) {
		switch name {
		case "weekday":
			return append(dst, l.WeekdayShort(t)...), true
		case "date":
			return append(dst, l.Date(t, i18n.Medium)...), true
		case "time":
			return append(dst, l.Time(t)...), true
		case "zone":
			if zone, _ := t.Zone(); zone != "" {
				return append(dst, zone...), true
			}
			return t.AppendFormat(dst, "MST"), true // its offset, as Format writes a zone without a name
		}
		return dst, false
	})
}

// writeLocalTime writes appendLocalTime's time to b, escaped, appending
// it to scratch first, and returns scratch for the next: an item's dates
// share one, where a buffer for each and a string to escape were two
// allocations a date.
func writeLocalTime(b *strings.Builder, scratch []byte, l *i18n.Locale, t time.Time, loc *time.Location) []byte {
	scratch = appendLocalTime(scratch[:0], l, t, loc)
	if bytes.ContainsAny(scratch, htmlEscaped) {
		htmlEscaper.WriteString(b, string(scratch))
	} else {
		b.Write(scratch)
	}
	return scratch
}

// updateKeys are the messages of the update statuses, "update.resolved":
// made once, not joined for each update of each item.
var updateKeys = func() map[string]string {
	m := map[string]string{}
	for _, s := range slices.Concat(incident.IncidentStatuses, incident.MaintenanceStatuses) {
		m[s] = "update." + s
	}
	return m
}()

// updateKey is the message of the update status s.
func updateKey(s string) string {
	if k, ok := updateKeys[s]; ok {
		return k
	}
	return "update." + s
}

// xmlSafe replaces the characters XML 1.0 cannot carry. appendXMLText
// does so in text and attributes, as encoding/xml does, but not in CDATA,
// where RSS content goes, and one stray control character would make the
// whole feed unreadable. Incident text comes clean from its parser; the site's own
// titles do not.
func xmlSafe(s string) string { return incident.ReplaceControl(s) }
