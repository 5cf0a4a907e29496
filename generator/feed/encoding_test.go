package feed

import (
	"bytes"
	"encoding/json"
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
)

// TestEncoding holds the feeds, whose items are made once for all feeds
// and whose JSON is indented by indentJSON, to what gorilla's types and
// encoders give for each whole feed: every feed of the example site at a
// few clocks and item limits, empty feeds included.
func TestEncoding(t *testing.T) {
	cfg, ins := sitetest.Load(t, sitetest.ExampleDir(t))
	for _, now := range []time.Time{
		time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC),
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		for _, limit := range []int{50, 2, 0} {
			c := *cfg
			c.Feeds.Items = limit
			snap := status.New(&c, ins, now)
			for _, f := range Files(snap) {
				var got, want bytes.Buffer
				if err := f.Render(&got); err != nil {
					t.Fatalf("render %s: %v", f.Path, err)
				}
				if err := whole(&want, snap, f.Path); err != nil {
					t.Fatalf("whole %s: %v", f.Path, err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("%s at %s, %d items: got\n%s\nwant\n%s", f.Path, now, limit, got.Bytes(), want.Bytes())
				}
			}
		}
	}
}

// whole writes the feed at path the plain way: its own items, and
// encoding/json's indentation.
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
		if it.Updated.After(f.Updated) {
			f.Updated = it.Updated
		}
		f.Add(it.Item)
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
		a.Id = f.Id
		a.Author = &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: xmlSafe(snap.Site.Title), Uri: snap.Site.BaseURL}}
		if a.Updated == "" {
			a.Updated = atomEpoch
		}
		for i, e := range a.Entries {
			e.Published = list[i].Created.Format(time.RFC3339)
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
		it.Summary = list[i].summaryText
	}
	out := jsonFeed{JSONFeed: j, Items: j.Items}
	if out.Items == nil {
		out.Items = []*feeds.JSONItem{}
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(out)
}

func wholeXML(w io.Writer, x feeds.XmlFeed) error {
	if err := feeds.WriteXML(x, w); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func FuzzIndentJSON(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " and \\ back`, "<p>html &amp; more</p>\n", "\u2028\x00\xff", "{[,:]}"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		type inner struct {
			S  string            `json:"s"`
			L  []string          `json:"l"`
			M  map[string]string `json:"m,omitempty"`
			E  []int             `json:"e"`
			O  struct{}          `json:"o"`
			N  *inner            `json:"n,omitempty"`
			F  float64           `json:"f"`
			OK bool              `json:"ok"`
		}
		v := inner{S: s, E: []int{}, F: float64(n) / 7, OK: n%2 == 0}
		for i := range n % 5 {
			v.L = append(v.L, s[:min(i, len(s))])
		}
		if n%3 == 0 {
			v.M = map[string]string{s: s, "k": ""}
			v.N = &inner{S: s}
		}
		compact, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact, "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := indentJSON(nil, compact, "  "); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("got\n%s\nwant\n%s", got, want.Bytes())
		}
	})
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
	for _, c := range []*config.Config{cfg, &odd} {
		snap := status.New(c, ins, time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC))
		for _, in := range snap.Incidents {
			if got, want := itemContent(snap, in), templateContent(snap, in); got != want {
				t.Errorf("%s: got\n%s\nwant\n%s", in.Slug, got, want)
			}
		}
	}
}
