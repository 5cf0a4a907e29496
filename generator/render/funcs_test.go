package render

import (
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
)

func TestTimeFuncs(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	fm := funcs(la, nil)
	timeTag := fm["timeTag"].(func(time.Time) template.HTML)
	dateTag := fm["dateTag"].(func(time.Time) template.HTML)
	monthTag := fm["monthTag"].(func(time.Time) template.HTML)
	timeRange := fm["timeRange"].(func(a, b time.Time) template.HTML)
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name string
		got  template.HTML
		want template.HTML
	}{
		{"winter", timeTag(at("2026-11-28T13:51:00Z")), `<time datetime="2026-11-28T13:51:00Z">Nov 28, 2026 05:51 PST</time>`},
		{"summer", timeTag(at("2026-03-09T14:52:00Z")), `<time datetime="2026-03-09T14:52:00Z">Mar 9, 2026 07:52 PDT</time>`},
		{"offset input is shown in the site zone", timeTag(at("2026-11-28T15:51:00+02:00")), `<time datetime="2026-11-28T13:51:00Z">Nov 28, 2026 05:51 PST</time>`},
		{"date", dateTag(at("2026-12-01T05:00:00Z")), `<time datetime="2026-11-30">Nov 30, 2026</time>`},
		{"month", monthTag(at("2026-12-01T05:00:00Z")), `<time datetime="2026-11">November 2026</time>`},
		{"range in a day", timeRange(at("2026-11-19T19:20:00Z"), at("2026-11-19T21:05:00Z")),
			`<time datetime="2026-11-19T19:20:00Z">Nov 19, 2026 11:20</time> – <time datetime="2026-11-19T21:05:00Z">13:05 PST</time>`},
		{"range over midnight", timeRange(at("2026-12-04T06:00:00Z"), at("2026-12-04T08:00:00Z")),
			`<time datetime="2026-12-04T06:00:00Z">Dec 3, 2026 22:00 PST</time> – <time datetime="2026-12-04T08:00:00Z">Dec 4, 2026 00:00 PST</time>`},
		{"range over a zone change", timeRange(at("2026-11-01T08:00:00Z"), at("2026-11-01T10:00:00Z")),
			`<time datetime="2026-11-01T08:00:00Z">Nov 1, 2026 01:00 PDT</time> – <time datetime="2026-11-01T10:00:00Z">Nov 1, 2026 02:00 PST</time>`},
		{"range without end", timeRange(at("2026-11-19T19:20:00Z"), time.Time{}), `<time datetime="2026-11-19T19:20:00Z">Nov 19, 2026 11:20 PST</time>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	base := time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "under a minute"},
		{29 * time.Second, "under a minute"},
		{45 * time.Minute, "45 min"},
		{7*time.Hour + 52*time.Minute, "7 h 52 min"},
		{3 * time.Hour, "3 h"},
		{26*time.Hour + 5*time.Minute, "1 d 2 h 5 min"},
		{48 * time.Hour, "2 d"},
		{90*time.Minute + 40*time.Second, "1 h 31 min"},
	}
	for _, tt := range tests {
		if got := (words{}.orDefault()).duration(base, base.Add(tt.d)); got != tt.want {
			t.Errorf("duration(%v): got %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestLabels(t *testing.T) {
	w := words{}.orDefault()
	statusLabel, updateLabel, impactLabel := w.statusLabel, w.updateLabel, w.impactLabel
	tests := []struct{ got, want string }{
		{statusLabel(incident.Operational), "Operational"},
		{statusLabel(incident.DegradedPerformance), "Degraded performance"},
		{statusLabel(incident.PartialOutage), "Partial outage"},
		{statusLabel(incident.MajorOutage), "Major outage"},
		{statusLabel(incident.UnderMaintenance), "Under maintenance"},
		{statusClass(incident.MajorOutage), "st-crit"},
		{updateLabel("in_progress"), "In progress"},
		{updateLabel("postmortem"), "Postmortem"},
		{updateLabel("investigating"), "Investigating"},
		{updateLabel(""), ""},
		{impactLabel(&incident.Incident{Kind: incident.KindIncident, Impact: incident.ImpactCritical}), "Critical impact"},
		{impactLabel(&incident.Incident{Kind: incident.KindMaintenance, Impact: incident.ImpactNone}), "Maintenance"},
		{impactClass(&incident.Incident{Kind: incident.KindIncident, Impact: incident.ImpactNone}), "impact-none"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	tests := []struct {
		name string
		in   template.HTML
		n    int
		want string
	}{
		{"plain", "<p>Fixed.</p>\n", 50, "Fixed."},
		{"paragraphs and entities", "<p>One &amp; two.</p>\n<p>Three&#39;s <em>four</em>.</p>", 50, "One & two. Three's four."},
		{"headings left out", "<h3>What happened</h3>\n<p>A reboot.</p>", 50, "A reboot."},
		{"escaped markup stays text", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", 50, "<script>alert(1)</script>"},
		{"cut at a word", "<p>The quick brown fox jumps over the lazy dog.</p>", 20, "The quick brown fox…"},
		{"list items apart", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>", 50, "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := excerpt(tt.in, tt.n); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHeadingsFrom(t *testing.T) {
	tests := []struct {
		first int
		in    template.HTML
		want  template.HTML
	}{
		{4, "<h3>A</h3><h4 id=\"x\">B</h4>", "<h4>A</h4><h5 id=\"x\">B</h5>"},
		{4, "<h1>A</h1><h6>B</h6><hr>", "<h4>A</h4><h6>B</h6><hr>"},
		{2, "<h3>A</h3><p>h3</p>", "<h2>A</h2><p>h3</p>"},
		{4, "<p>&lt;h3&gt;</p>", "<p>&lt;h3&gt;</p>"},
	}
	for _, tt := range tests {
		if got := headingsFrom(tt.first, tt.in); got != tt.want {
			t.Errorf("headingsFrom(%d, %q): got %q, want %q", tt.first, tt.in, got, tt.want)
		}
	}
}

// TestTextAllocations: an update's excerpt and an incident's summary with
// its headings moved grow each text they write once, to about its size,
// not by doubling from a few bytes: an excerpt of a long update took 15
// allocations, headingsFrom 3.
func TestTextAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	para := "<p>" + strings.Repeat("The API answered slowly from 14:05 &amp; some requests failed. ", 12) + "</p>\n"
	update := template.HTML("<h3>What happened</h3>\n" + para + "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n" + para)
	plainPara := strings.ReplaceAll(para, "&amp;", "and")
	plain := template.HTML(plainPara + "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n" + plainPara)
	tests := []struct {
		name string
		f    func()
		want float64
	}{
		// stripHeadings' text, the text without its tags as a string
		// to unescape, html's unescaped one (its bytes and their
		// string), truncate's text and the cut text with its ellipsis.
		{"excerpt", func() { excerpt(update, 200) }, 6},
		// The common update, without headings or entities: truncate's
		// text and the cut text with its ellipsis; the text without its
		// tags is drawn on the stack (a string of its own before).
		{"excerpt without entities", func() { excerpt(plain, 200) }, 2},
		{"headingsFrom", func() { headingsFrom(2, update) }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(50, tt.f); got > tt.want {
				t.Errorf("got %v allocations, want at most %v", got, tt.want)
			}
		})
	}
}
func TestRootAndBase(t *testing.T) {
	tests := []struct{ got, want string }{
		{rootOf("index.html"), "./"},
		{rootOf("404.html"), "./"},
		{rootOf("incidents/x/index.html"), "../../"},
		{rootOf("history/page/2/index.html"), "../../../"},
		{basePath("https://status.example.com/"), "/"},
		{basePath("https://example.com/status/"), "/status/"},
		{basePath("https://example.com"), "/"},
		{incidentPath(&incident.Incident{Slug: "a b"}), "incidents/a%20b/"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestSampleRenders(t *testing.T) {
	if _, err := New(""); err != nil {
		t.Fatalf("got %v, want the default theme to render the sample site", err)
	}
}

// The regular expressions excerpt and headingsFrom once used: they define
// what the hand-written scanners must do.
var (
	refTagRE       = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>`)
	refHeadingTags = regexp.MustCompile(`<(/?)[hH]([1-6])\b`)
	refHeadingRE   = regexp.MustCompile(`(?is)<h[1-6]\b[^>]*>.*?</h[1-6]>`)
)

func refExcerpt(h template.HTML, n int) string {
	text := refHeadingRE.ReplaceAllString(string(h), " ")
	text = refTagRE.ReplaceAllStringFunc(text, func(t string) string {
		if blockTags[strings.ToLower(refTagRE.FindStringSubmatch(t)[2])] {
			return " "
		}
		return ""
	})
	text = html.UnescapeString(text)
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	cut := string([]rune(text)[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:–—-") + "…"
}

func refHeadingsFrom(first int, h template.HTML) template.HTML {
	return template.HTML(refHeadingTags.ReplaceAllStringFunc(string(h), func(t string) string {
		m := refHeadingTags.FindStringSubmatch(t)
		level, _ := strconv.Atoi(m[2])
		level = min(max(level+first-3, first), 6)
		return fmt.Sprintf("<%sh%d", m[1], level)
	}))
}

var scannerSeeds = []string{
	"",
	"<p>Plain words.</p>",
	"<h3>What happened</h3>\n<p>A reboot &amp; a <em>fix</em>.</p>",
	"<H2 id=x>Up</H2><p>a</p><h2>no end",
	"<h3>a</h4>b</h3>c",
	"<h1x>not a heading</h1x><h1_>neither</h1>",
	"<h6>six</h6 ><h7>seven</h7>",
	"</h3><h3 class=\"a>b\">t</h3>",
	"<ul><li>one</li><li>two</li></ul><br/>x<BR>y<Blockquote>q</blockquote>",
	"a < b > c <3 <a href=x>link</a> <",
	"<p>\t tabs\n\nand  \u00a0 spaces\u2003here</p>",
	"<p>" + strings.Repeat("word ", 80) + "</p>",
	"<p>" + strings.Repeat("long", 80) + " tail</p>",
	"<p>" + strings.Repeat("ü", 199) + " x, — end</p>",
	"<p>bad \xff\xfe utf8 " + strings.Repeat("x", 300) + "</p>",
	"<h3>", "<h", "</", "</h", "<h3", "<h3>x</h3", "<h3>x</h3>",
}

func FuzzExcerpt(f *testing.F) {
	for _, s := range scannerSeeds {
		f.Add(s, 200)
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = max(n%300, 0)
		if got, want := excerpt(template.HTML(s), n), refExcerpt(template.HTML(s), n); got != want {
			t.Errorf("excerpt(%q, %d): got %q, want %q", s, n, got, want)
		}
	})
}

func FuzzHeadingsFrom(f *testing.F) {
	for _, s := range scannerSeeds {
		f.Add(s, 4)
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, first int) {
		first = 1 + max(first%6, -first%6)
		if got, want := headingsFrom(first, template.HTML(s)), refHeadingsFrom(first, template.HTML(s)); got != want {
			t.Errorf("headingsFrom(%d, %q): got %q, want %q", first, s, got, want)
		}
	})
}

// TestWordFuncs checks the functions that write words in the site's
// language: messages with text and HTML values, plurals, dates and the
// headline, in English as before and in other languages.
func TestWordFuncs(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	en, de, ja := words{loc: la}.orDefault(), words{loc: la, l: i18n.For("de")}, words{loc: la, l: i18n.For("ja")}
	at := time.Date(2026, 11, 28, 13, 51, 0, 0, time.UTC)
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"text as the template wrote it", en.t("component.follow"), template.HTML("Follow this component's incidents and maintenance:")},
		{"a value escaped", en.t("incident.page_title", "title", `<b>"x" & y</b>`, "site", "S"), template.HTML(`&lt;b&gt;&#34;x&#34; &amp; y&lt;/b&gt; · S`)},
		{"an HTML value as it is", de.t("page.updated", "time", de.timeTag(at)), template.HTML(`Aktualisiert <time datetime="2026-11-28T13:51:00Z">28.11.2026 05:51 PST</time>`)},
		{"a value that looks like a placeholder", en.t("incident.page_title", "title", "{site}", "site", "S"), template.HTML("{site} · S")},
		{"a number in the language", de.t("history.page_of", "page", 1200, "pages", 1300), template.HTML("Seite 1.200 von 1.300")},
		{"a plural", de.n("component.days_ago", 1), template.HTML("vor 1 Tag")},
		{"a plural, Japanese", ja.n("component.days_ago", 90), template.HTML("90日前")},
		{"a range in a day", de.timeRange(at, at.Add(time.Hour)), template.HTML(`<time datetime="2026-11-28T13:51:00Z">28.11.2026 05:51</time> – <time datetime="2026-11-28T14:51:00Z">06:51 PST</time>`)},
		{"a duration", de.duration(at, at.Add(134*time.Minute)), "2 Std. 14 Min."},
		{"a status", de.statusLabel(incident.MajorOutage), "Schwerer Ausfall"},
		{"a status herald does not know", de.updateLabel("on_hold"), "On hold"},
		{"the headline", de.overall(status.Overall{Indicator: "none", Description: "All Systems Operational"}), "Alle Systeme betriebsbereit"},
		{"the headline, stale", de.overall(status.Overall{Indicator: "minor", Description: status.UnknownDescription, Stale: []*status.Component{{}}}), i18n.For("de").T("overall.unknown")},
		{"a period", de.periodLabel(uptime.Period{Key: "30d", Label: "30 days"}), "30 Tage"},
		{"a period of hours", ja.periodLabel(uptime.Period{Key: "24h", Label: "24 hours"}), "24時間"},
		{"a printed uptime", de.printedUptime("99.95%"), "99,95\u00a0%"},
		{"a printed uptime of 100", de.printedUptime("100%"), "100\u00a0%"},
		{"no data", de.printedUptime("no data"), "keine Daten"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// TestFixWords checks that writing the words of t into the templates
// changes nothing on the page: words with a quote, which the text of a
// template could not carry into an attribute, are left to t, and html/
// template escapes them for their context.
func TestFixWords(t *testing.T) {
	const src = `<p title="{{t "report.down_note"}}">{{t "report.down_note"}}</p>` +
		`<p title="{{t "page.history"}}" lang="{{tag}}">{{t "page.history"}}{{t "incident.page_title" "title" "T" "site" "S"}}</p>`
	render := func(fix bool) (string, *template.Template) {
		s := &pageSet{words: words{l: i18n.For("en")}, memo: map[memoKey]template.HTML{}}
		tmpl, err := template.New("x").Funcs(setFuncs(s)).Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		s.t = tmpl
		if fix {
			s.fixWords()
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, nil); err != nil {
			t.Fatal(err)
		}
		return b.String(), tmpl
	}
	want, _ := render(false)
	got, tmpl := render(true)
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if tree := tmpl.Tree.Root.String(); strings.Count(tree, `{{t "report.down_note"`) != 2 || strings.Contains(tree, `"page.history"`) || strings.Contains(tree, "{{tag}}") {
		t.Errorf("got the tree %s, want the calls with quoted words kept and the others written in", tree)
	}
}
