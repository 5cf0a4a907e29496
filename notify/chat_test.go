package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// chatHooks are the chat formats, each with a path shaped like the
// service's own webhook URL, on the stand-in server.
var chatHooks = []struct{ format, path, extra string }{
	{"slack", "/services/T000/B000/XXXX", ""},
	{"discord", "/api/webhooks/123/abc", ""},
	{"teams", "/workflows/f00/triggers/manual/paths/invoke", ""},
	{"mattermost", "/hooks/xxx-generatedkey-xxx", ""},
	{"googlechat", "/v1/spaces/AAAA/messages", ""},
	{"telegram", "/bot123456:SECRET-token/sendMessage", `, chat_id: "-1001234567890"`},
	{"ntfy", "/acme-status?auth=QmFzaWMgdG9rZW4", ""},
}

// sentPath is where each format's request arrives: ntfy's JSON form goes
// to the server's root, with the topic in the body.
func sentPath(format, path string) string {
	if format == "ntfy" {
		_, query, _ := strings.Cut(path, "?")
		return "/?" + query
	}
	return path
}

// request is one request the stand-in received; path has the query.
type request struct {
	method, path, contentType, key, event string
	body                                  []byte
}

// standIn answers 204 to everything and records every request.
type standIn struct {
	mu   sync.Mutex
	reqs []request
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, request{r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"), r.Header.Get("Idempotency-Key"), r.Header.Get("X-Herald-Event"), body})
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// find returns the request of one event at one path.
func (s *standIn) find(tb testing.TB, path, event string) request {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.reqs {
		if r.path == path && r.event == event {
			return r
		}
	}
	tb.Fatalf("no %s request at %s among %d", event, path, len(s.reqs))
	return request{}
}

// chatSite writes a site titled siteTitle whose webhooks are the json
// format (for the event as sent) and every chat format, on srv, with one
// incident file.
func chatSite(tb testing.TB, srv, siteTitle, component, incident string) string {
	tb.Helper()
	var y strings.Builder
	fmt.Fprintf(&y, "title: %s\nbase_url: https://status.example.com/\ncomponents:\n  - {id: api, name: %s}\n  - {id: web, name: Website}\n", strconv.Quote(siteTitle), strconv.Quote(component))
	fmt.Fprintf(&y, "notify:\n  webhooks:\n    - {format: json, url: %q}\n", srv+"/json")
	for _, h := range chatHooks {
		fmt.Fprintf(&y, "    - {format: %s, url: %q%s}\n", h.format, srv+h.path, h.extra)
	}
	return sitetest.Write(tb, map[string]string{"herald.yaml": y.String(), "incidents/a.md": incident})
}

// deliverAll records a baseline before anything happened, then delivers
// every event at after to every webhook.
func deliverAll(tb testing.TB, dir string) {
	tb.Helper()
	if res, err := publish(tb, dir, before); err != nil || !res.Baseline {
		tb.Fatalf("baseline: %+v, %v", res, err)
	}
	if _, err := publish(tb, dir, after); err != nil {
		tb.Fatal(err)
	}
}

const plainIncident = `---
title: API errors
components: {api: major_outage}
started: 2026-11-28T10:00:00Z
---
## 2026-11-28T11:00:00Z — Identified
We found it: **the cache**. Requests fail with 502.
`

func chatSchemas(tb testing.TB) map[string]*jsonschema.Schema {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "chat.schema.json"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		tb.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("chat.schema.json", doc); err != nil {
		tb.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	for _, h := range chatHooks {
		s, err := c.Compile("chat.schema.json#/$defs/" + h.format)
		if err != nil {
			tb.Fatalf("compile %s: %v", h.format, err)
		}
		out[h.format] = s
	}
	return out
}

// checkSchemas validates every request the stand-in received against its
// format's schema.
func checkSchemas(t *testing.T, rec *standIn) {
	t.Helper()
	schemas := chatSchemas(t)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, h := range chatHooks {
		for _, r := range rec.reqs {
			if r.path != sentPath(h.format, h.path) {
				continue
			}
			n++
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.body))
			if err != nil {
				t.Errorf("%s %s: body is not JSON: %v", h.format, r.event, err)
				continue
			}
			if err := schemas[h.format].Validate(inst); err != nil {
				t.Errorf("%s %s: %v\nbody: %s", h.format, r.event, err, r.body)
			}
		}
	}
	if n == 0 {
		t.Error("no chat request to check")
	}
}

// TestChatGolden sends one site's events through notify.New, with a config
// naming every format and the stand-in's URL, and checks each request's
// method, path, content type and, for the new incident, its whole body.
func TestChatGolden(t *testing.T) {
	rec := &standIn{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := chatSite(t, srv.URL, "Acme Status", "API", plainIncident)
	deliverAll(t, dir)
	checkSchemas(t, rec)
	// The json format is in too: it stays the event object.
	hooks := append([]struct{ format, path, extra string }{{"json", "/json", ""}}, chatHooks...)
	for _, h := range hooks {
		t.Run(h.format, func(t *testing.T) {
			r := rec.find(t, sentPath(h.format, h.path), string(notify.IncidentCreated))
			if r.method != http.MethodPost || r.contentType != "application/json" || !strings.HasPrefix(r.key, "evt_") {
				t.Errorf("got %s with Content-Type %q and Idempotency-Key %q, want a POST of application/json with the event's id", r.method, r.contentType, r.key)
			}
			if !bytes.Contains(r.body, []byte("https://status.example.com/incidents/a/")) {
				t.Errorf("got %s, want a link to the incident's page", r.body)
			}
			checkGolden(t, r, filepath.Join("testdata", h.format+".golden"))
		})
	}
}

// checkGolden compares a request with the golden file, or rewrites the
// file with -update.
func checkGolden(t *testing.T, r request, file string) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, r.body, "", "  "); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %s\nContent-Type: %s\n\n%s\n", r.method, r.path, r.contentType, pretty.Bytes())
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("got:\n%s\nwant (%s, -update to rewrite):\n%s", got, file, want)
	}
}

// shown reads what a reader of each format sees of its markup-bearing
// strings, after checking that they hold no live markup. It fails the test
// on any character that would format text, open a link or mention anyone.
type shown struct {
	t      *testing.T
	format string
}

// markdown checks a Discord or Mattermost Markdown string and returns it
// as shown: every markup character carries a backslash, every @ a word
// joiner.
func (s shown) markdown(v string) string {
	s.t.Helper()
	var b strings.Builder
	rs := []rune(v)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\' && i+1 < len(rs) && strings.ContainsRune("\\`*_~|<>[]()#-+.!:=", rs[i+1]):
			i++
			b.WriteRune(rs[i])
		case strings.ContainsRune("\\`*_~|<>[]#", r): // ( and ) are markup only after ]
			s.t.Errorf("%s: unescaped %q in %q", s.format, r, v)
		case r == '@' && (i+1 >= len(rs) || rs[i+1] != '\u2060'):
			s.t.Errorf("%s: a mention can start at %q in %q", s.format, r, v)
		case r == '\u2060':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// entities checks that every & in v starts an entity and that no < or >
// is left, and returns v unescaped.
func (s shown) entities(v string) string {
	s.t.Helper()
	if strings.ContainsAny(v, "<>") {
		s.t.Errorf("%s: raw < or > in %q", s.format, v)
	}
	if strings.Contains(entityRE.ReplaceAllString(v, ""), "&") {
		s.t.Errorf("%s: a bare & in %q", s.format, v)
	}
	return html.UnescapeString(v)
}

var entityRE = regexp.MustCompile(`&(amp|lt|gt|quot);`)

// visible returns, for a format's body, the text a reader sees, after
// checking it for live markup. Plain-text fields are returned as they are.
func visible(t *testing.T, format string, body []byte, incidentURL string) string {
	t.Helper()
	s := shown{t, format}
	var out []string
	switch format {
	case "slack":
		var m struct {
			Text   string `json:"text"`
			Blocks []struct {
				Type     string
				Text     *struct{ Type, Text string }
				Elements []struct{ Type, Text string }
			}
		}
		json.Unmarshal(body, &m)
		out = append(out, s.entities(m.Text))
		link := "<" + incidentURL + "|View on the status page>"
		for _, b := range m.Blocks {
			texts := b.Elements
			if b.Text != nil {
				texts = append(texts, *b.Text)
			}
			for _, x := range texts {
				switch {
				case x.Type == "plain_text":
					out = append(out, x.Text)
				case x.Text == link:
				default:
					out = append(out, s.entities(x.Text))
				}
			}
		}
	case "discord":
		var m struct {
			AllowedMentions struct{ Parse []string } `json:"allowed_mentions"`
			Embeds          []struct {
				Title, Description string
				Fields             []struct{ Name, Value string }
				Footer             struct{ Text string }
			}
		}
		json.Unmarshal(body, &m)
		if m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) > 0 {
			t.Errorf("discord: got allowed_mentions %+v, want parse: []", m.AllowedMentions)
		}
		for _, e := range m.Embeds {
			out = append(out, s.markdown(e.Title), s.markdown(e.Description), e.Footer.Text)
			for _, f := range e.Fields {
				out = append(out, s.markdown(f.Value))
			}
		}
	case "mattermost":
		var m struct {
			Text        string
			Attachments []struct{ Fallback, Title, Text, Footer string }
		}
		json.Unmarshal(body, &m)
		site, ok := strings.CutPrefix(m.Text, "**")
		site, ok2 := strings.CutSuffix(site, "**")
		if !ok || !ok2 {
			t.Errorf("mattermost: got text %q, want the site's title in bold", m.Text)
		}
		out = append(out, s.markdown(site))
		for _, a := range m.Attachments {
			out = append(out, s.markdown(a.Title), s.markdown(a.Text), s.markdown(a.Footer))
			if strings.Contains(strings.ReplaceAll(a.Fallback, "@\u2060", ""), "@") {
				t.Errorf("mattermost: a mention can start in %q", a.Fallback)
			}
			out = append(out, strings.ReplaceAll(a.Fallback, "\u2060", ""))
		}
	case "teams":
		// TextRun is never read as Markdown, and the schema admits no
		// TextBlock: every string is shown as it is.
		var m struct {
			Attachments []struct {
				Content struct {
					Body []struct{ Inlines []struct{ Text string } }
				}
			}
		}
		json.Unmarshal(body, &m)
		for _, b := range m.Attachments[0].Content.Body {
			for _, in := range b.Inlines {
				out = append(out, in.Text)
			}
		}
	case "googlechat":
		var m struct {
			FallbackText string
			CardsV2      []struct {
				Card struct {
					Header   struct{ Title, Subtitle string }
					Sections []struct {
						Widgets []struct {
							TextParagraph *struct{ Text string }
						}
					}
				}
			}
		}
		json.Unmarshal(body, &m)
		c := m.CardsV2[0].Card
		out = append(out, m.FallbackText, c.Header.Title, c.Header.Subtitle)
		for _, w := range c.Sections[0].Widgets {
			if w.TextParagraph != nil {
				out = append(out, s.entities(w.TextParagraph.Text))
			}
		}
	case "telegram":
		var m struct{ Text string }
		json.Unmarshal(body, &m)
		// The only tags herald writes; anything else is user text that
		// was not escaped.
		tags := regexp.MustCompile(`</?b>|<a href="[^"<>]*">|</a>`)
		out = append(out, s.entities(tags.ReplaceAllString(m.Text, "\n")))
	case "ntfy":
		var m struct {
			Title, Message string
			Markdown       bool
		}
		json.Unmarshal(body, &m)
		if m.Markdown {
			t.Error("ntfy: markdown is set; the message is plain text")
		}
		out = append(out, m.Title, m.Message)
	}
	return strings.Join(out, "\n")
}

// TestChatEscapesUserText: an incident, a component and a site whose names
// hold each service's markup reach every chat shown as written, with no
// live markup, link or mention.
func TestChatEscapesUserText(t *testing.T) {
	for _, tt := range []struct{ name, text string }{
		{"html", `<script>alert(1)</script> <b>x</b>`},
		{"mentions", `@everyone @here @channel <!channel> <@U123> <users/all>`},
		{"emphasis", "*bold* _italic_ ~strike~ `code` ||spoiler||"},
		{"links", `[click](https://evil.example/) ![img](x) <https://evil.example/|here>`},
		{"blocks", `# heading > quote - item 1. item`},
		{"entities", `Fish & Chips &amp; &lt;b&gt; "quoted"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &standIn{}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			incident := "---\ntitle: " + strconv.Quote(tt.text) + "\ncomponents: {api: major_outage}\nstarted: 2026-11-28T10:00:00Z\n---\n## 2026-11-28T11:00:00Z — Identified\nLooking.\n"
			dir := chatSite(t, srv.URL, "Status "+tt.text, "API "+tt.text, incident)
			deliverAll(t, dir)
			checkSchemas(t, rec)
			var ev notify.Event
			if err := json.Unmarshal(rec.find(t, "/json", string(notify.IncidentCreated)).body, &ev); err != nil {
				t.Fatal(err)
			}
			for _, h := range chatHooks {
				r := rec.find(t, sentPath(h.format, h.path), string(notify.IncidentCreated))
				got := visible(t, h.format, r.body, ev.Incident.URL)
				for _, want := range []string{ev.Incident.Title, ev.Site.Title} {
					if !strings.Contains(got, want) {
						t.Errorf("%s: got shown %q, want it to show %q as written", h.format, got, want)
					}
				}
			}
		})
	}
}

// TestChatLimits: an update, a site title and a component name far longer
// than any service takes are cut to each service's limits, at a character
// boundary, with an ellipsis; the whole message stays within the
// service's total, and the Telegram HTML stays valid.
func TestChatLimits(t *testing.T) {
	rec := &standIn{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	long := strings.Repeat("Größe 😀 x > y & z. ", 2000) // 40,000 characters; 😀 is two UTF-16 units
	incident := "---\ntitle: API errors\ncomponents: {api: major_outage}\nstarted: 2026-11-28T10:00:00Z\n---\n## 2026-11-28T11:00:00Z — Identified\n" + long + "\n"
	dir := chatSite(t, srv.URL, strings.Repeat("Acme Status ", 500), strings.Repeat("API gateway ", 500), incident)
	deliverAll(t, dir)
	checkSchemas(t, rec)
	units := func(s string) int { return len(utf16.Encode([]rune(s))) }
	for _, tt := range []struct {
		format string
		field  func(map[string]any) string
		limit  int
		count  func(string) int
	}{
		{"slack", func(m map[string]any) string { return dig(m, "blocks", 1, "text", "text") }, 3000, units},
		{"discord", func(m map[string]any) string { return dig(m, "embeds", 0, "description") }, 4096, units},
		{"mattermost", func(m map[string]any) string { return dig(m, "attachments", 0, "text") }, 16383, units},
		{"teams", func(m map[string]any) string {
			return dig(m, "attachments", 0, "content", "body", 2, "inlines", 0, "text")
		}, 28 << 10, func(s string) int { return len(s) }},
		{"googlechat", func(m map[string]any) string {
			return dig(m, "cardsV2", 0, "card", "sections", 0, "widgets", 0, "textParagraph", "text")
		}, 4096, func(s string) int { return len(s) }},
		{"telegram", func(m map[string]any) string { return dig(m, "text") }, 4096, units},
		{"ntfy", func(m map[string]any) string { return dig(m, "message") }, 4096, func(s string) int { return len(s) }},
	} {
		t.Run(tt.format, func(t *testing.T) {
			var path string
			for _, h := range chatHooks {
				if h.format == tt.format {
					path = sentPath(h.format, h.path)
				}
			}
			r := rec.find(t, path, string(notify.IncidentCreated))
			var m map[string]any
			if err := json.Unmarshal(r.body, &m); err != nil {
				t.Fatal(err)
			}
			got := tt.field(m)
			if n := tt.count(got); n > tt.limit || n < tt.limit/4 {
				t.Errorf("got %d units, want at most %d (and not cut far below)", n, tt.limit)
			}
			if !utf8.ValidString(got) || strings.ContainsRune(got, utf8.RuneError) {
				t.Errorf("got a broken character in %q…", got[:100])
			}
			if !strings.Contains(got, "…") {
				t.Errorf("got no ellipsis where the update was cut")
			}
			if tt.format == "telegram" {
				visible(t, "telegram", r.body, "https://status.example.com/incidents/a/")
				if !strings.HasSuffix(got, `<a href="https://status.example.com/incidents/a/">View on the status page</a>`) {
					t.Errorf("got %q at the end, want the link kept after the cut", got[len(got)-120:])
				}
			}
		})
	}
}

// TestChatLimitsInAll: with every part at its longest, a message stays
// within the service's limit for the whole: Discord's 6000 characters
// across an embed, Teams' 28 KB and Google Chat's 32,000 bytes a message.
func TestChatLimitsInAll(t *testing.T) {
	rec := &standIn{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	long := strings.Repeat("Größe 😀 x > y & z. ", 2000)
	incident := "---\ntitle: " + strings.Repeat("Slow API ", 100) + "\ncomponents: {api: major_outage}\nstarted: 2026-11-28T10:00:00Z\n---\n## 2026-11-28T11:00:00Z — Identified\n" + long + "\n"
	dir := chatSite(t, srv.URL, strings.Repeat("Acme Status ", 500), strings.Repeat("API gateway ", 500), incident)
	deliverAll(t, dir)
	checkSchemas(t, rec)
	find := func(format string) request {
		for _, h := range chatHooks {
			if h.format == format {
				return rec.find(t, sentPath(h.format, h.path), string(notify.IncidentCreated))
			}
		}
		t.Fatalf("no format %s", format)
		return request{}
	}
	var d struct {
		Embeds []struct {
			Title, Description string
			Fields             []struct{ Name, Value string }
			Footer             struct{ Text string }
		}
	}
	json.Unmarshal(find("discord").body, &d)
	e := d.Embeds[0]
	all := e.Title + e.Description + e.Footer.Text
	for _, f := range e.Fields {
		all += f.Name + f.Value
	}
	for _, tt := range []struct {
		name       string
		got, limit int
	}{
		{"discord embed", len(utf16.Encode([]rune(all))), 6000},
		{"teams message", len(find("teams").body), 28 << 10},
		{"googlechat message", len(find("googlechat").body), 32000},
	} {
		if tt.got > tt.limit {
			t.Errorf("%s: got %d, want at most %d", tt.name, tt.got, tt.limit)
		}
	}
}

// dig walks a decoded JSON value by keys and indexes, and returns the
// string at the end ("" if there is none).
func dig(v any, path ...any) string {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return ""
			}
			v = a[k]
		}
	}
	s, _ := v.(string)
	return s
}

// TestChatSecretsNotPrinted: a Telegram bot token sits in the URL's path,
// an ntfy access token or a Teams workflow signature in its query. When
// delivery fails (refused, an error status, a redirect to a dead end), the
// error that herald notify prints and watch logs names neither.
func TestChatSecretsNotPrinted(t *testing.T) {
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer failing.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, dead+"/bot999:REDIRECTSECRET/sendMessage?auth=REDIRECTSECRET", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	const secret = "TOPSECRET"
	for _, tt := range []struct{ name, hooks string }{
		{"refused", "    - {format: telegram, url: \"" + dead + "/bot123:TOPSECRET/sendMessage\", chat_id: \"42\"}\n" +
			"    - {format: ntfy, url: \"" + dead + "/acme?auth=TOPSECRET\"}\n" +
			"    - {format: teams, url: \"" + dead + "/workflows/x/invoke?sig=TOPSECRET\"}\n"},
		{"error status", "    - {format: telegram, url: \"" + failing.URL + "/bot123:TOPSECRET/sendMessage\", chat_id: \"42\"}\n" +
			"    - {format: ntfy, url: \"" + failing.URL + "/acme?auth=TOPSECRET\"}\n"},
		{"redirect", "    - {format: telegram, url: \"" + redirect.URL + "/bot123:TOPSECRET/sendMessage\", chat_id: \"42\"}\n" +
			"    - {format: ntfy, url: \"" + redirect.URL + "/acme?auth=TOPSECRET\"}\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := sitetest.Write(t, map[string]string{
				"herald.yaml":    "title: T\nbase_url: https://status.example.com/\ncomponents:\n  - {id: api, name: API}\nnotify:\n  webhooks:\n" + tt.hooks,
				"incidents/a.md": plainIncident,
			})
			publish(t, dir, before)
			cfg, ins := sitetest.Load(t, dir)
			logged := make(chan string, 1)
			n, err := notify.New(cfg, notify.WithRetry(1, time.Millisecond, time.Millisecond), notify.WithLog(func(format string, args ...any) {
				select {
				case logged <- fmt.Sprintf(format, args...):
				default:
				}
			}))
			if err != nil {
				t.Fatal(err)
			}
			// The daemon's path: Run delivers in the background and logs
			// the failed round.
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { n.Run(ctx); close(done) }()
			n.Queue(status.New(cfg, ins, after))
			var log string
			select {
			case log = <-logged:
			case <-time.After(20 * time.Second):
			}
			cancel()
			<-done
			// herald notify's path: the error Deliver returns.
			err = n.Deliver(context.Background())
			if err == nil || log == "" {
				t.Fatalf("got error %v and log %q, want both", err, log)
			}
			for _, s := range []string{err.Error(), log} {
				// The bots' ids, "bot123" and "bot999", not "123:": a webhook's
				// id is a hash of its URL, whose port is random, and
				// "#…c123:" once failed this check for nothing.
				if strings.Contains(s, secret) || strings.Contains(s, "REDIRECTSECRET") || strings.Contains(s, "bot123") || strings.Contains(s, "bot999") {
					t.Errorf("got %q, want no token", s)
				}
			}
		})
	}
}

// TestChatSecretsFromEnvironment: a webhook's url and chat_id may name
// environment variables, expanded when the message is sent; the state file
// never holds their values, and an unset one is named in the error.
func TestChatSecretsFromEnvironment(t *testing.T) {
	rec := &standIn{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	t.Setenv("HERALD_TEST_BOT", "123456:SECRET-from-env")
	t.Setenv("HERALD_TEST_CHAT", "-100777")
	t.Setenv("HERALD_TEST_SLACK", srv.URL+"/services/T0/B0/SECRET-slack")
	dir := sitetest.Write(t, map[string]string{
		"herald.yaml": "title: T\nbase_url: https://status.example.com/\ncomponents:\n  - {id: api, name: API}\nnotify:\n  webhooks:\n" +
			"    - {format: telegram, url: \"" + srv.URL + "/bot${HERALD_TEST_BOT}/sendMessage\", chat_id: \"${HERALD_TEST_CHAT}\"}\n" +
			"    - {format: slack, url: \"${HERALD_TEST_SLACK}\"}\n" +
			"    - {format: discord, url: \"" + srv.URL + "/api/webhooks/${HERALD_TEST_UNSET}\"}\n",
		"incidents/a.md": plainIncident,
	})
	publish(t, dir, before)
	_, err := publish(t, dir, after)
	if err == nil || !strings.Contains(err.Error(), "environment variable HERALD_TEST_UNSET not set") {
		t.Errorf("got %v, want the unset variable named", err)
	}
	var tg struct {
		ChatID string `json:"chat_id"`
	}
	json.Unmarshal(rec.find(t, "/bot123456:SECRET-from-env/sendMessage", string(notify.IncidentCreated)).body, &tg)
	if tg.ChatID != "-100777" {
		t.Errorf("got chat_id %q, want -100777", tg.ChatID)
	}
	rec.find(t, "/services/T0/B0/SECRET-slack", string(notify.IncidentCreated))
	state, err := os.ReadFile(filepath.Join(dir, "data", "notify.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(state, []byte("SECRET")) {
		t.Errorf("the state file holds a secret:\n%s", state)
	}
}
