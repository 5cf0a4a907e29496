package feed_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/feed"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
)

// clock is the example site's pinned build time.
var clock = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

// renderAll renders every feed file, keyed by path.
func renderAll(tb testing.TB, snap *status.Snapshot) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, f := range feed.Files(snap) {
		if _, dup := out[f.Path]; dup {
			tb.Fatalf("path %s returned twice", f.Path)
		}
		var b bytes.Buffer
		if err := f.Render(&b); err != nil {
			tb.Fatalf("render %s: %v", f.Path, err)
		}
		out[f.Path] = b.Bytes()
	}
	return out
}

// doc is what the tests check of a feed, whatever its format.
type doc struct {
	Version    string
	Title, ID  string
	Link, Self string
	Updated    time.Time // zero when the format or the feed has none
	Items      []docItem
	ItemsArray bool // JSON only: "items" is an array, even when empty
}

type docItem struct {
	ID, Link, Title      string
	PermaLink            string // RSS only
	Content, Summary     string
	Published, Modified  time.Time // Modified is zero in RSS
	ContentType, SumType string    // Atom only
}

type format struct {
	ext         string
	decode      func(testing.TB, []byte) doc
	hasModified bool
}

var formats = []format{
	{"rss", decodeRSS, false},
	{"atom", decodeAtom, true},
	{"json", decodeJSON, true},
}

func decodeRSS(tb testing.TB, b []byte) doc {
	tb.Helper()
	var x struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel struct {
			Title         string `xml:"title"`
			Link          string `xml:"link"`
			LastBuildDate string `xml:"lastBuildDate"`
			Items         []struct {
				Title       string `xml:"title"`
				Link        string `xml:"link"`
				Description string `xml:"description"`
				Content     string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
				GUID        struct {
					ID          string `xml:",chardata"`
					IsPermaLink string `xml:"isPermaLink,attr"`
				} `xml:"guid"`
				PubDate string `xml:"pubDate"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(b, &x); err != nil {
		tb.Fatalf("parse rss: %v", err)
	}
	d := doc{Version: x.Version, Title: x.Channel.Title, Link: x.Channel.Link, Updated: parseTime(tb, time.RFC1123Z, x.Channel.LastBuildDate)}
	for _, it := range x.Channel.Items {
		d.Items = append(d.Items, docItem{
			ID: it.GUID.ID, PermaLink: it.GUID.IsPermaLink, Link: it.Link, Title: it.Title,
			Content: it.Content, Summary: it.Description,
			Published: parseTime(tb, time.RFC1123Z, it.PubDate),
		})
	}
	return d
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

func decodeAtom(tb testing.TB, b []byte) doc {
	tb.Helper()
	var x struct {
		XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
		Title   string     `xml:"title"`
		ID      string     `xml:"id"`
		Updated string     `xml:"updated"`
		Links   []atomLink `xml:"link"`
		Entries []struct {
			Title     string     `xml:"title"`
			ID        string     `xml:"id"`
			Updated   string     `xml:"updated"`
			Published string     `xml:"published"`
			Links     []atomLink `xml:"link"`
			Content   atomText   `xml:"content"`
			Summary   atomText   `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(b, &x); err != nil {
		tb.Fatalf("parse atom: %v", err)
	}
	d := doc{Version: "atom", Title: x.Title, ID: x.ID, Updated: parseTime(tb, time.RFC3339, x.Updated),
		Link: atomRel(x.Links, "alternate"), Self: atomRel(x.Links, "self")}
	for _, e := range x.Entries {
		d.Items = append(d.Items, docItem{
			ID: e.ID, Link: atomRel(e.Links, "alternate"), Title: e.Title,
			Content: e.Content.Text, ContentType: e.Content.Type, Summary: e.Summary.Text, SumType: e.Summary.Type,
			Published: parseTime(tb, time.RFC3339, e.Published), Modified: parseTime(tb, time.RFC3339, e.Updated),
		})
	}
	return d
}

func atomRel(links []atomLink, rel string) string {
	for _, l := range links {
		if l.Rel == rel || (rel == "alternate" && l.Rel == "") {
			return l.Href
		}
	}
	return ""
}

func decodeJSON(tb testing.TB, b []byte) doc {
	tb.Helper()
	var x struct {
		Version     string `json:"version"`
		Title       string `json:"title"`
		HomePageURL string `json:"home_page_url"`
		FeedURL     string `json:"feed_url"`
		Items       []struct {
			ID            string    `json:"id"`
			URL           string    `json:"url"`
			Title         string    `json:"title"`
			ContentHTML   string    `json:"content_html"`
			Summary       string    `json:"summary"`
			DatePublished time.Time `json:"date_published"`
			DateModified  time.Time `json:"date_modified"`
		} `json:"items"`
	}
	if err := json.Unmarshal(b, &x); err != nil {
		tb.Fatalf("parse json: %v", err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		tb.Fatalf("parse json: %v", err)
	}
	items := bytes.TrimSpace(keys["items"])
	isArray := len(items) > 0 && items[0] == '['
	d := doc{Version: x.Version, Title: x.Title, Link: x.HomePageURL, Self: x.FeedURL, ItemsArray: isArray}
	for _, it := range x.Items {
		d.Items = append(d.Items, docItem{
			ID: it.ID, Link: it.URL, Title: it.Title, Content: it.ContentHTML, Summary: it.Summary,
			Published: it.DatePublished, Modified: it.DateModified,
		})
	}
	return d
}

func parseTime(tb testing.TB, layout, s string) time.Time {
	tb.Helper()
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		tb.Fatalf("parse time %q: %v", s, err)
	}
	return t
}

func incidentURL(snap *status.Snapshot, in *incident.Incident) string {
	return snap.Site.BaseURL + "incidents/" + url.PathEscape(in.Slug) + "/"
}

// newest returns the feed's expected incidents: those matching keep,
// newest first, capped at the site's FeedItems.
func newest(snap *status.Snapshot, keep func(*incident.Incident) bool) []*incident.Incident {
	var ins []*incident.Incident
	for _, in := range snap.Incidents {
		if keep(in) && len(ins) < snap.Site.FeedItems {
			ins = append(ins, in)
		}
	}
	return ins
}

// checkItems compares a decoded feed's items with the incidents it should
// list, in order.
func checkItems(t *testing.T, f format, snap *status.Snapshot, d doc, want []*incident.Incident) {
	t.Helper()
	if len(d.Items) != len(want) {
		t.Fatalf("got %d items, want %d", len(d.Items), len(want))
	}
	var wantUpdated time.Time
	for i, in := range want {
		got := d.Items[i]
		url := incidentURL(snap, in)
		if got.ID != url {
			t.Errorf("item %d: got id %q, want %q", i, got.ID, url)
		}
		if got.Link != url {
			t.Errorf("item %d: got link %q, want %q", i, got.Link, url)
		}
		if f.ext == "rss" && got.PermaLink != "true" {
			t.Errorf("item %d: got isPermaLink %q, want \"true\"", i, got.PermaLink)
		}
		title := in.Title
		if in.Kind == incident.KindMaintenance {
			title = "Maintenance: " + title
		}
		if got.Title != title {
			t.Errorf("item %d: got title %q, want %q", i, got.Title, title)
		}
		if !got.Published.Equal(in.Announced()) {
			t.Errorf("item %d (%s): got published %v, want %v", i, in.Slug, got.Published, in.Announced())
		}
		if f.hasModified && !got.Modified.Equal(in.UpdatedAt()) {
			t.Errorf("item %d (%s): got updated %v, want %v", i, in.Slug, got.Modified, in.UpdatedAt())
		}
		if strings.TrimSpace(got.Content) == "" {
			t.Errorf("item %d (%s): empty content", i, in.Slug)
		}
		if strings.TrimSpace(got.Summary) == "" {
			t.Errorf("item %d (%s): empty summary", i, in.Slug)
		}
		// The timeline is in the content, one entry per update.
		for _, u := range in.Updates {
			stamp := `datetime="` + u.Time.UTC().Format(time.RFC3339) + `"`
			if !strings.Contains(got.Content, stamp) {
				t.Errorf("item %d (%s): content lacks the update at %s", i, in.Slug, stamp)
			}
		}
		if f.ext == "atom" && (got.ContentType != "html" || got.SumType != "html") {
			t.Errorf("item %d: got content type %q, summary type %q, want html", i, got.ContentType, got.SumType)
		}
		if in.UpdatedAt().After(wantUpdated) {
			wantUpdated = in.UpdatedAt()
		}
	}
	if f.ext != "json" && !d.Updated.Equal(wantUpdated) {
		t.Errorf("got feed updated %v, want the newest item's %v", d.Updated, wantUpdated)
	}
}

func TestSiteFeeds(t *testing.T) {
	cases := []struct {
		name  string
		items int
	}{
		{"all", 50},   // the example's setting, above its incident count
		{"capped", 2}, // only the two newest
	}
	for _, tc := range cases {
		snap := sitetest.Example(t, clock)
		snap.Site.FeedItems = tc.items
		files := renderAll(t, snap)
		want := newest(snap, func(*incident.Incident) bool { return true })
		if wantLen := min(tc.items, len(snap.Incidents)); len(want) != wantLen || len(want) < 2 {
			t.Fatalf("%s: got %d expected items, want %d (at least 2)", tc.name, len(want), wantLen)
		}
		if tc.name == "capped" && !slices.Equal(want, snap.Incidents[:2]) {
			t.Fatalf("capped: expected items are not the two newest")
		}
		for _, f := range formats {
			t.Run(tc.name+"/"+f.ext, func(t *testing.T) {
				d := f.decode(t, files["history."+f.ext])
				checkItems(t, f, snap, d, want)
				if d.Title != snap.Site.Title {
					t.Errorf("got title %q, want %q", d.Title, snap.Site.Title)
				}
				if d.Link != snap.Site.BaseURL {
					t.Errorf("got link %q, want %q", d.Link, snap.Site.BaseURL)
				}
				switch f.ext {
				case "rss":
					if d.Version != "2.0" {
						t.Errorf("got version %q, want 2.0", d.Version)
					}
				case "atom":
					if d.ID != snap.Site.BaseURL {
						t.Errorf("got id %q, want %q", d.ID, snap.Site.BaseURL)
					}
					if self := snap.Site.BaseURL + "history.atom"; d.Self != self {
						t.Errorf("got self link %q, want %q", d.Self, self)
					}
				case "json":
					if d.Version != "https://jsonfeed.org/version/1.1" {
						t.Errorf("got version %q, want https://jsonfeed.org/version/1.1", d.Version)
					}
					if self := snap.Site.BaseURL + "history.json"; d.Self != self {
						t.Errorf("got feed_url %q, want %q", d.Self, self)
					}
				}
			})
		}
	}
}

func TestFilePaths(t *testing.T) {
	snap := sitetest.Example(t, clock)
	var got []string
	for _, f := range feed.Files(snap) {
		got = append(got, f.Path)
	}
	want := []string{"history.rss", "history.atom", "history.json"}
	for _, c := range snap.Components {
		for _, ext := range []string{"rss", "atom", "json"} {
			want = append(want, "components/"+c.ID+"/history."+ext)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("got paths %q, want %q", got, want)
	}
}

func TestComponentFeeds(t *testing.T) {
	snap := sitetest.Example(t, clock)
	snap.Site.FeedItems = 3 // below some components' counts, so the cap shows
	files := renderAll(t, snap)
	capped := false
	for _, c := range snap.Components {
		want := newest(snap, func(in *incident.Incident) bool { return in.Touches(c.ID) })
		capped = capped || len(c.Incidents) > len(want)
		page := snap.Site.BaseURL + "components/" + c.ID + "/"
		for _, f := range formats {
			t.Run(c.ID+"/"+f.ext, func(t *testing.T) {
				path := "components/" + c.ID + "/history." + f.ext
				d := f.decode(t, files[path])
				checkItems(t, f, snap, d, want)
				if title := snap.Site.Title + " — " + c.Name; d.Title != title {
					t.Errorf("got title %q, want %q", d.Title, title)
				}
				if d.Link != page {
					t.Errorf("got link %q, want %q", d.Link, page)
				}
				if f.ext != "rss" && d.Self != snap.Site.BaseURL+path {
					t.Errorf("got self %q, want %q", d.Self, snap.Site.BaseURL+path)
				}
			})
		}
	}
	if !capped {
		t.Error("no component feed was capped; lower FeedItems so the test covers it")
	}
}

func TestStableAcrossClocks(t *testing.T) {
	// Before the upcoming maintenance, during it, and months later.
	clocks := []time.Time{clock, time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC), time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)}
	base := renderAll(t, sitetest.Example(t, clocks[0]))
	for _, now := range clocks[1:] {
		other := renderAll(t, sitetest.Example(t, now))
		for _, f := range formats {
			path := "history." + f.ext
			a, b := f.decode(t, base[path]), f.decode(t, other[path])
			var ida, idb []string
			for _, it := range a.Items {
				ida = append(ida, it.ID)
			}
			for _, it := range b.Items {
				idb = append(idb, it.ID)
			}
			if !slices.Equal(ida, idb) {
				t.Errorf("%s at %v: got ids %q, want %q as at %v", path, now, idb, ida, clocks[0])
			}
		}
		// Feeds depend on the incident files alone, so a rebuild at another
		// clock changes no byte and readers see nothing new.
		for path, b := range base {
			if !bytes.Equal(b, other[path]) {
				t.Errorf("%s differs between clocks %v and %v", path, clocks[0], now)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	snap := sitetest.Example(t, clock)
	first, second := renderAll(t, snap), renderAll(t, snap)
	for path, b := range first {
		if !bytes.Equal(b, second[path]) {
			t.Errorf("%s: two renders of one snapshot differ", path)
		}
	}
}

const hostileConfig = `title: Hostile <b>Status</b> & Co
base_url: https://status.example.com/
timezone: America/Los_Angeles
components:
  - id: api
    name: API
    probe:
      http: https://probe-target.internal.example/health?token=s3cr3t-token
      headers:
        Authorization: Bearer hunter2-secret
  - id: quiet
    name: Quiet
`

const hostileIncident = `---
title: "<script>alert(1)</script> & ]]> friends"
components:
  api: major_outage
started: 2026-11-27 10:00
resolved: 2026-11-27 11:00
---
Raw <script>alert(2)</script> in the summary, a CDATA end ]]> and a
control character ` + "\x0b" + ` here.

## 2026-11-27 11:00 PST — Resolved
Fixed <img src=x onerror=alert(3)>.
`

func TestHostileInput(t *testing.T) {
	dir := sitetest.Write(t, map[string]string{
		"herald.yaml":                 hostileConfig,
		"incidents/2026-11-27-xss.md": hostileIncident,
	})
	snap := sitetest.Snapshot(t, dir, clock)
	files := renderAll(t, snap)
	in := snap.Incidents[0]
	for path, b := range files {
		t.Run(path, func(t *testing.T) {
			for _, secret := range []string{"probe-target", "s3cr3t", "hunter2", "Authorization"} {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("feed contains probe detail %q", secret)
				}
			}
			if bytes.Contains(b, []byte("<script")) || bytes.Contains(b, []byte("<img")) {
				t.Errorf("feed contains a raw element:\n%s", b)
			}
			if strings.HasPrefix(path, "components/quiet/") {
				return
			}
			ext := path[strings.LastIndexByte(path, '.')+1:]
			f := formats[slices.IndexFunc(formats, func(f format) bool { return f.ext == ext })]
			d := f.decode(t, b) // fails the test unless the XML or JSON is well formed
			if len(d.Items) != 1 {
				t.Fatalf("got %d items, want 1", len(d.Items))
			}
			if d.Items[0].Title != in.Title {
				t.Errorf("got title %q, want %q back as text", d.Items[0].Title, in.Title)
			}
			if !strings.Contains(d.Items[0].Content, "&lt;script&gt;alert(2)") {
				t.Errorf("content lacks the escaped script: %q", d.Items[0].Content)
			}
			if ext != "json" && !bytes.Contains(b, []byte("&lt;script&gt;alert(1)")) {
				t.Errorf("title's script is not escaped as text:\n%s", b)
			}
		})
	}
}

func TestEmptyComponentFeed(t *testing.T) {
	dir := sitetest.Write(t, map[string]string{
		"herald.yaml":                 hostileConfig,
		"incidents/2026-11-27-xss.md": hostileIncident,
	})
	snap := sitetest.Snapshot(t, dir, clock)
	files := renderAll(t, snap)
	for _, f := range formats {
		t.Run(f.ext, func(t *testing.T) {
			d := f.decode(t, files["components/quiet/history."+f.ext])
			if len(d.Items) != 0 {
				t.Errorf("got %d items, want none", len(d.Items))
			}
			switch f.ext {
			case "atom": // updated is required; a fixed date keeps the file stable
				if want := time.Unix(0, 0); !d.Updated.Equal(want) {
					t.Errorf("got updated %v, want %v", d.Updated, want)
				}
			case "json": // items is required by JSON Feed even when empty
				if !d.ItemsArray {
					t.Error(`got no "items" array, want []`)
				}
			}
		})
	}
}

// BenchmarkFiles renders every feed of the example site into one reused
// buffer, as a build's workers do. bench's BenchmarkFeeds does the same
// on the large synthetic site.
func BenchmarkFiles(b *testing.B) {
	snap := sitetest.Example(b, clock)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range feed.Files(snap) {
			buf.Reset()
			if err := f.Render(&buf); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestForeignWordsMadeSafe: an item is checked for what XML cannot carry
// only in the words put between the incident's own texts, which its
// parser has already cleaned. A character XML cannot carry in each kind
// of word (the site's catalog, through a label, a component's status, a
// date and a title, and an update's text with its entities decoded, the
// description of an incident without a summary) still reaches every feed
// replaced, and the feed still parses.
func TestForeignWordsMadeSafe(t *testing.T) {
	tests := []struct {
		name    string
		catalog string // i18n/en.yaml
		body    string // the latest update of an incident without a summary
	}{
		{"label", `update.resolved: "Res\x01olved"`, ""},
		{"heading", `feed.scheduled: "Sched\x0buled:"`, ""},
		{"status", `status_inline.major_outage: "major\ufdd0outage"`, ""},
		{"date", `feed.time: "{weekday}\x7f {date} {time} {zone}"`, ""},
		{"title", `feed.maintenance_prefix: "Main\x01tenance: {title}"`, ""},
		// A raw HTML block, passed through, holds the entity as it is.
		{"entity", "", "Fixed.\n\n<div>&#1;</div>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{
				"herald.yaml":  "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\n",
				"i18n/en.yaml": tt.catalog + "\n",
				"incidents/2026-03-09-down.md": "---\ntitle: Down\ncomponents:\n  api: major_outage\nstarted: 2026-03-09 14:05\n---\nDown.\n\n" +
					"## 2026-03-09 15:00 UTC — Resolved\nFixed.\n",
				"incidents/2026-03-10-upgrade.md": "---\ntitle: Upgrade\ntype: maintenance\ncomponents: [api]\nscheduled_start: 2026-03-10 22:00\nscheduled_end: 2026-03-10 23:00\n---\nAn upgrade.\n",
			}
			if tt.body != "" {
				files["herald.yaml"] += "markdown: {unsafe_html: true}\n"
				files["incidents/2026-03-11-bare.md"] = "---\ntitle: Bare\ncomponents:\n  api: degraded_performance\nstarted: 2026-03-11 09:00\n---\n\n## 2026-03-11 10:00 UTC — Resolved\n" + tt.body + "\n"
			}
			feeds := renderAll(t, sitetest.Snapshot(t, sitetest.Write(t, files), clock))
			for _, f := range formats {
				d := f.decode(t, feeds["history."+f.ext]) // fails the test unless the feed is well formed
				var content strings.Builder
				for _, it := range d.Items {
					content.WriteString(it.Title + "\n" + it.Summary + "\n" + it.Content)
				}
				if got := content.String(); !strings.Contains(got, "\uFFFD") || strings.ContainsAny(got, "\x01\x0b\x7f\ufdd0") {
					t.Errorf("%s: got content %q, want the foreign character replaced by U+FFFD", f.ext, got)
				}
			}
		})
	}
}
