package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/feeds"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/i18n"
)

// TestEncoding holds the feeds, written by hand from items made once for
// all feeds, to what gorilla's types and encoders give for each whole
// feed: every feed of the example site at a few clocks and item limits,
// empty feeds included.
func TestEncoding(t *testing.T) {
	cfg, ins := sitetest.Load(t, sitetest.ExampleDir(t))
	for _, now := range []time.Time{
		time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC),
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		for _, limit := range []int{50, 2, 0} {
			c := *cfg
			c.Feeds.Items = limit
			t.Run(fmt.Sprintf("%s/%d", now.Format(time.DateOnly), limit), func(t *testing.T) {
				sameAsGorilla(t, status.New(&c, ins, now))
			})
		}
	}
}

// hostile is text no feed may garble: everything XML, HTML and JSON
// escape, control characters, a CDATA end, invalid UTF-8, the characters
// XML cannot carry, U+2028, right-to-left text and a lone surrogate.
const hostile = "<b>\"R&D\"</b> + 'ops' ]]> ]]]]> \x00\x01\x08\x0b\x0c\x1f\x7f \t\r\n \xff\xc3 \xed\xa0\x80 " +
	"\ufffe\uffff\ufffd \u2028\u2029 مرحبا بالعالم \u202e שלום ü 😀 \\ / </script> <!-- &amp; &#39;"

// TestEncodingHostile is TestEncoding in every language herald ships,
// on the example site with its site's, components' and incidents' text
// replaced by hostile text, by nothing at all, or by very long text.
func TestEncodingHostile(t *testing.T) {
	cfg, ins := sitetest.Load(t, sitetest.ExampleDir(t))
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	texts := []struct{ name, text string }{
		{"hostile", hostile},
		{"empty", ""},
		{"long", strings.Repeat(hostile+" a long line of words. ", 100)},
	}
	for _, tag := range i18n.Supported() {
		for _, tt := range texts {
			t.Run(tag+"/"+tt.name, func(t *testing.T) {
				c, ins := replaceText(cfg, ins, tt.text, tt.text)
				c.Locale = tag
				sameAsGorilla(t, status.New(c, ins, now))
			})
		}
	}
}

// FuzzEncoding is TestEncodingHostile with the fuzzer's text for the
// site's and components' names, and the incidents' titles and bodies.
func FuzzEncoding(f *testing.F) {
	for _, s := range []string{"", hostile, "]]>", "\xff", "\u2028"} {
		f.Add(s, s)
	}
	cfg, ins := sitetest.Load(f, sitetest.ExampleDir(f))
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name, body string) {
		c, ins := replaceText(cfg, ins, name, body)
		c.Feeds.Items = 3
		sameAsGorilla(t, status.New(c, ins, now))
	})
}

// replaceText copies the site with name for the site's and components'
// names and descriptions and the incidents' titles, and body for the
// incidents' summaries and updates.
func replaceText(cfg *config.Config, ins []*incident.Incident, name, body string) (*config.Config, []*incident.Incident) {
	c := *cfg
	c.Title, c.Description = name, name
	c.Components = slices.Clone(cfg.Components)
	for i := range c.Components {
		c.Components[i].Name = name + c.Components[i].ID
	}
	out := make([]*incident.Incident, len(ins))
	for i, in := range ins {
		cp := *in
		cp.Title, cp.Summary, cp.SummaryText = name, template.HTML(body), body
		cp.Updates = slices.Clone(in.Updates)
		for j := range cp.Updates {
			cp.Updates[j].Body = template.HTML(body)
		}
		out[i] = &cp
	}
	return &c, out
}

// sameAsGorilla fails t unless every feed of snap is byte for byte what
// whole writes.
func sameAsGorilla(t *testing.T, snap *status.Snapshot) {
	t.Helper()
	for _, f := range Files(snap) {
		var got, want bytes.Buffer
		if err := f.Render(&got); err != nil {
			t.Fatalf("render %s: %v", f.Path, err)
		}
		if err := whole(&want, snap, f.Path); err != nil {
			t.Fatalf("whole %s: %v", f.Path, err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			i := firstDiff(got.Bytes(), want.Bytes())
			t.Errorf("%s: got\n%s\nwant\n%s\n(from byte %d)", f.Path, excerpt(got.Bytes(), i), excerpt(want.Bytes(), i), i)
		}
	}
}

func firstDiff(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// excerpt is b around i, short enough to read in a failure.
func excerpt(b []byte, i int) []byte {
	return b[max(i-200, 0):min(i+200, len(b))]
}

// whole writes the feed at path as herald wrote it through gorilla/feeds'
// types and encoding/xml and encoding/json, the reference the hand-written
// feeds are held to: its own items, gorilla's conversions and the
// encoders' escaping and indentation.
func whole(w io.Writer, snap *status.Snapshot, path string) error {
	var ch channel
	for _, c := range channelsOf(snap) {
		if c.dir+filepath.Base(path) == path {
			ch = c
		}
	}
	ins := ch.incidents
	if n := snap.Site.FeedItems; len(ins) > n {
		ins = ins[:max(n, 0)]
	}
	f := &feeds.Feed{Title: xmlSafe(ch.title), Link: &feeds.Link{Href: ch.link}, Description: xmlSafe(ch.description), Id: ch.link}
	var list []item
	for _, in := range ins {
		it := newItem(snap, in)
		if it.updated.After(f.Updated) {
			f.Updated = it.updated
		}
		f.Add(&feeds.Item{
			Title:       it.title,
			Link:        &feeds.Link{Href: it.url},
			Description: it.description,
			Id:          it.url,
			IsPermaLink: "true",
			Created:     it.created,
			Updated:     it.updated,
			Content:     it.content,
		})
		list = append(list, it)
	}
	lang := snap.Site.L().Tag()
	switch filepath.Base(path) {
	case rssName:
		r := (&feeds.Rss{Feed: f}).RssFeed()
		r.Language = lang
		return wholeXML(w, r)
	case atomName:
		a := (&feeds.Atom{Feed: f}).AtomFeed()
		a.Id = f.Id // gorilla uses the link and ignores Feed.Id
		a.Author = &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: xmlSafe(snap.Site.Title), Uri: snap.Site.BaseURL}}
		if a.Updated == "" {
			a.Updated = atomEpoch
		}
		for i, e := range a.Entries {
			e.Published = list[i].created.Format(time.RFC3339)
			e.Links[0].Type = "text/html"
		}
		links := []*feeds.AtomLink{
			{Href: f.Link.Href, Rel: "alternate", Type: "text/html"},
			{Href: snap.Site.BaseURL + ch.dir + atomName, Rel: "self", Type: "application/atom+xml"},
		}
		return wholeXML(w, &atomFeed{Links: links, AtomFeed: a, Lang: lang})
	}
	j := (&feeds.JSON{Feed: f}).JSONFeed()
	j.FeedUrl = snap.Site.BaseURL + ch.dir + jsonName
	j.Language = lang
	j.Authors = []*feeds.JSONAuthor{{Name: snap.Site.Title, Url: snap.Site.BaseURL}}
	for i, it := range j.Items {
		it.Summary = list[i].summary
	}
	out := jsonFeed{JSONFeed: j, Items: j.Items}
	if out.Items == nil {
		out.Items = []*feeds.JSONItem{}
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(out)
}

// atomFeed gives the feed both its alternate and its rel="self" link
// before gorilla's own link field, which encoding/xml writes too. Lang
// is the feed's xml:lang, which every element inherits.
type atomFeed struct {
	Links []*feeds.AtomLink
	*feeds.AtomFeed
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
}

func (a *atomFeed) FeedXml() any { return a }

// jsonFeed keeps "items" when the feed is empty: JSON Feed requires it, and
// gorilla's field is omitempty. The outer field shadows the embedded one.
type jsonFeed struct {
	*feeds.JSONFeed
	Items []*feeds.JSONItem `json:"items"`
}

func wholeXML(w io.Writer, x feeds.XmlFeed) error {
	if err := feeds.WriteXML(x, w); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// contentTmpl is the template itemContent replaced; its output is the
// reference.
var contentTmpl = template.Must(template.New("content").Parse(
	`{{.Summary}}` +
		`{{with .Window}}<p><strong>Scheduled:</strong> {{.}}</p>` + "\n" + `{{end}}` +
		`{{with .Affected}}<p><strong>Affected:</strong> {{range $i, $a := .}}{{if $i}}, {{end}}{{$a}}{{end}}</p>` + "\n" + `{{end}}` +
		`{{range .Updates}}<p><strong>{{.Label}}</strong> · <time datetime="{{.ISO}}">{{.Local}}</time></p>` + "\n" + `{{.Body}}{{end}}`))

func templateContent(snap *status.Snapshot, in *incident.Incident) string {
	type update struct {
		Label, ISO, Local string
		Body              template.HTML
	}
	var d struct {
		Summary  template.HTML
		Window   string
		Affected []string
		Updates  []update
	}
	loc := snap.Site.Location
	d.Summary = in.Summary
	if in.Kind == incident.KindMaintenance && !in.ScheduledStart.IsZero() {
		d.Window = englishTime(in.ScheduledStart, loc) + " – " + englishTime(in.ScheduledEnd, loc)
	}
	for _, a := range in.Affected {
		name := a.ID
		if c := snap.Component(a.ID); c != nil {
			name = c.Name
		}
		if in.Kind == incident.KindIncident {
			name += " (" + strings.ReplaceAll(string(a.Status), "_", " ") + ")"
		}
		d.Affected = append(d.Affected, name)
	}
	for _, u := range in.Updates {
		d.Updates = append(d.Updates, update{Label: englishLabel(u.Status), ISO: u.Time.UTC().Format(time.RFC3339), Local: englishTime(u.Time, loc), Body: u.Body})
	}
	var b strings.Builder
	if err := contentTmpl.Execute(&b, d); err != nil {
		panic(err)
	}
	return b.String()
}

// englishTime and englishLabel are how the content wrote times and
// update statuses before it took its words from the site's locale: an
// English site's feeds must read as they did.
func englishTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon, Jan 2, 2006 15:04 MST")
}

func englishLabel(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

func TestItemContent(t *testing.T) {
	cfg, ins := sitetest.Load(t, sitetest.ExampleDir(t))
	// Names with every character html/template escapes, and worse.
	odd := *cfg
	odd.Components = slices.Clone(cfg.Components)
	for i := range odd.Components {
		odd.Components[i].Name += ` <b>"R&D" + 'ops'</b> ` + "\x00 \xff ü \ufdd0"
	}
	// A zone without a name, written as its offset.
	unnamed := *cfg
	unnamed.Location = time.FixedZone("", 5*3600+1800)
	for _, c := range []*config.Config{cfg, &odd, &unnamed} {
		snap := status.New(c, ins, time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC))
		for _, in := range snap.Incidents {
			// The feeds carry the template's output made xmlSafe.
			if got, want := itemContent(snap, in), xmlSafe(templateContent(snap, in)); got != want {
				t.Errorf("%s: got\n%s\nwant\n%s", in.Slug, got, want)
			}
		}
	}
}
