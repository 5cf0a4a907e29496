package config

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/diag"
)

func TestParseDefaults(t *testing.T) {
	c, err := Parse("/site", []byte("title: T\nbase_url: https://status.example.com\ncomponents:\n  - {id: api, name: API}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, got, want string }{
		{"base_url gets a slash", c.BaseURL, "https://status.example.com/"},
		{"timezone", c.Timezone, "UTC"},
		{"publish dir", c.PublishDir(), "/site/public"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if c.History.Days != 90 || c.Feeds.Items != 50 || c.Markdown.UnsafeHTML {
		t.Errorf("got days %d items %d unsafe %v, want 90 50 false", c.History.Days, c.Feeds.Items, c.Markdown.UnsafeHTML)
	}
	if c.Component("api").HasProbe() {
		t.Error("got a probe where none was declared")
	}
}

// TestParseValidatesProbes: Parse validates every key of herald.yaml,
// probes included, once (probe_test.go has the details).
func TestParseValidatesProbes(t *testing.T) {
	src := "title: T\nbase_url: https://s.example/\ncomponents:\n  - id: api\n    name: API\n    probe:\n      http: https://api.example.com/health\n"
	c, err := Parse("/site", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Component("api").Probe; p == nil || p.Kind != ProbeHTTP || p.Target != "https://api.example.com/health" {
		t.Errorf("got probe %+v, want the http probe", p)
	}
	_, err = Parse("/site", []byte(src+"      anything: [goes, here]\n"))
	if err == nil || !strings.HasPrefix(err.Error(), `herald.yaml:8:7: unknown key "anything" in probe`) {
		t.Errorf("got %v, want the unknown probe key at 8:7", err)
	}
}

func TestParseErrors(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\n"
	tests := []struct {
		name, src string
		want      []string
	}{
		{"typo in key", base + "histroy:\n  days: 30\n", []string{`herald.yaml:5:1: unknown key "histroy" (did you mean "history"?)`}},
		{"unknown nested key", base + "history:\n  dayz: 30\n", []string{`herald.yaml:6:3: unknown key "dayz" in history (did you mean "days"?)`}},
		{"unknown component key", "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API, colour: red}\n", []string{`herald.yaml:4:26: unknown key "colour" in components[0]`}},
		{"missing title", "base_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\n", []string{"herald.yaml:1:1: missing title"}},
		{"base_url with a query", "title: T\nbase_url: https://s.example/?a=b\ncomponents:\n  - {id: api, name: API}\n", []string{"herald.yaml:2:11: base_url must be a plain http(s) URL, without a user, ?query or #fragment"}},
		{"base_url with a fragment", "title: T\nbase_url: https://s.example/#top\ncomponents:\n  - {id: api, name: API}\n", []string{"herald.yaml:2:11: base_url must be a plain http(s) URL"}},
		{"base_url with a password", "title: T\nbase_url: https://u:pw@s.example/\ncomponents:\n  - {id: api, name: API}\n", []string{"herald.yaml:2:11: base_url must be a plain http(s) URL"}},
		{"relative base_url", "title: T\nbase_url: /status\ncomponents:\n  - {id: api, name: API}\n", []string{"herald.yaml:2:11: base_url must be an absolute http(s) URL"}},
		{"bad timezone", base + "timezone: Mars/Olympus\n", []string{`herald.yaml:5:11: unknown timezone "Mars/Olympus"`}},
		{"bad slug", "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: My API, name: API}\n", []string{`herald.yaml:4:10: component id "My API" is not a slug (use lowercase letters, digits and hyphens, e.g. "my-api")`}},
		{"duplicate id", base + "  - {id: api, name: Again}\n", []string{`herald.yaml:5:10: duplicate component id "api" (line 4 already uses it)`}},
		{"no name", "title: T\nbase_url: https://s.example/\ncomponents:\n  - id: api\n", []string{`herald.yaml:4:5: component "api" without a name`}},
		{"no components", "title: T\nbase_url: https://s.example/\n", []string{"herald.yaml:1:1: no components"}},
		{"days not a number", base + "history:\n  days: many\n", []string{`herald.yaml:6:9: history.days must be a whole number, found "many" (write digits only, such as 30)`}},
		{"days out of range", base + "history:\n  days: 0\n", []string{"herald.yaml:6:9: history.days must be between 1 and 3650"}},
		{"publish outside", base + "publish:\n  dir: ../www\n", []string{`herald.yaml:6:8: publish.dir must be a folder inside the site folder`}},
		{"email_url over http", base + "subscribe:\n  email_url: http://lists.example.com/join\n", []string{"herald.yaml:6:14: subscribe.email_url must be an absolute https URL without a user or password (give the address of the mailing list's sign-up page"}},
		{"relative email_url", base + "subscribe:\n  email_url: /join\n", []string{"herald.yaml:6:14: subscribe.email_url must be an absolute https URL"}},
		{"javascript email_url", base + "subscribe:\n  email_url: \"javascript:alert(1)\"\n", []string{"herald.yaml:6:14: subscribe.email_url must be an absolute https URL"}},
		{"email_url without a host", base + "subscribe:\n  email_url: \"https:/join\"\n", []string{"herald.yaml:6:14: subscribe.email_url must be an absolute https URL"}},
		{"email_url with a password", base + "subscribe:\n  email_url: https://u:pw@lists.example.com/join\n", []string{"herald.yaml:6:14: subscribe.email_url must be an absolute https URL without a user or password"}},
		{"broken yaml", "title: [T\n", []string{"herald.yaml:", "invalid YAML"}},
		{"not a mapping", "- a\n- b\n", []string{"herald.yaml:1:1: expected a mapping"}},
		{"every error at once", "title: ''\nbase_url: nope\ntimezone: Nowhere\ncomponents:\n  - {id: A B}\n", []string{"missing title", "base_url must be", "unknown timezone", "without a name", "is not a slug"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("/site", []byte(tt.src))
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			rest := err.Error()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("got:\n%s\nwant (in order) %q", err, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestParseSubscribe(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\n"
	for _, tt := range []struct{ name, src, want string }{
		{"none", base, ""},
		{"https", base + "subscribe:\n  email_url: https://lists.example.com/join?list=status&lang=en\n", "https://lists.example.com/join?list=status&lang=en"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("/site", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if c.Subscribe.EmailURL != tt.want {
				t.Errorf("got email_url %q, want %q", c.Subscribe.EmailURL, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "herald.yaml:1:1: no herald.yaml in") {
		t.Fatalf("got %v, want a positioned missing-file error", err)
	}
}

func TestSlugify(t *testing.T) {
	sixty := "aaaaaaaaa-bbbbbbbbb-ccccccccc-ddddddddd-eeeeeeeee-fffffffff" // 59 bytes
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "Feed API down!", "feed-api-down"},
		{"already a slug", "already-a-slug", "already-a-slug"},
		{"accents", "Élevé taux d’erreurs à Zürich", "eleve-taux-d-erreurs-a-zurich"},
		{"accents and spaces", "  Ünïcode & spaces ", "unicode-spaces"},
		{"letters that do not decompose", "Straße Ørsted Łódź Æsir Œuvre", "strasse-orsted-lodz-aesir-oeuvre"},
		{"compatibility forms", "Ｆｕｌｌｗｉｄｔｈ ﬁle ①", "fullwidth-file-1"},
		{"other scripts are dropped", "Сбой API 障害", "api"},
		{"nothing left", "障害 !!", ""},
		{"at the limit", sixty + "g", sixty + "g"},
		{"cut between words", sixty + "-gg extra words", sixty},
		{"one long word is cut", strings.Repeat("x", 5000), strings.Repeat("x", MaxSlug)},
		{"long title", strings.Repeat("Elevated errors ", 300), "elevated-errors-elevated-errors-elevated-errors-elevated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Slugify(tt.in)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if got != "" && (!IsSlug(got) || len(got) > MaxSlug) {
				t.Errorf("got %q, not a slug of at most %d bytes", got, MaxSlug)
			}
		})
	}
}

func TestParseDurationsAndSources(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\n"
	c, err := Parse("/site", []byte(base+"history:\n  retention: 30d\nwatch:\n  debounce: 250ms\nstale_after: 5m\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.History.Retention.D(), 30*24*time.Hour; got != want {
		t.Errorf("got retention %v, want %v", got, want)
	}
	if got, want := c.Watch.Debounce.D(), 250*time.Millisecond; got != want {
		t.Errorf("got debounce %v, want %v", got, want)
	}
	if c.Watch.Every.D() != time.Minute || c.StaleAfter.D() != 5*time.Minute || *c.History.PartialWeight != 0.3 || c.History.Source != "sqlite" {
		t.Errorf("got every %v stale %v weight %v source %q", c.Watch.Every, c.StaleAfter, *c.History.PartialWeight, c.History.Source)
	}
	for _, tt := range []struct{ src, want string }{
		{"history:\n  retention: two weeks\n", `herald.yaml:6:14: expected a duration such as 30s, 5m or 14d, found "two weeks"`},
		{"history:\n  source: prometheus\n", "herald.yaml:6:3: history.source is prometheus, so history.prometheus.url must be an absolute URL"},
		{"history:\n  partial_weight: 2\n", "history.partial_weight must be between 0 and 1"},
		{"notify:\n  webhooks:\n    - {url: https://hooks.example/x, format: irc}\n", `unknown webhook format "irc"`},
	} {
		_, err := Parse("/site", []byte(base+tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.src, err, tt.want)
		}
	}
}

// TestPrometheusURLNotEchoed: a history.prometheus.url that is not a URL
// may still hold a password, and the error names its place, not its value.
func TestPrometheusURLNotEchoed(t *testing.T) {
	src := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\nhistory:\n  source: prometheus\n  prometheus: {url: \"//user:hunter2@prom.internal:9090\"}\n"
	_, err := Parse("/site", []byte(src))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("got %v, want an error that does not show the URL", err)
	}
}

func TestBaseURLIsEncoded(t *testing.T) {
	for in, want := range map[string]string{
		"https://status.example.com":       "https://status.example.com/",
		"https://example.com/status page":  "https://example.com/status%20page/",
		"https://example.com/a%20b/":       "https://example.com/a%20b/",
		"http://127.0.0.1:8080/sub/":       "http://127.0.0.1:8080/sub/",
		"https://example.com/st\u00e4tus/": "https://example.com/st%C3%A4tus/",
	} {
		c, err := Parse("/site", []byte("title: T\nbase_url: \""+in+"\"\ncomponents:\n  - {id: api, name: API}\n"))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if c.BaseURL != want {
			t.Errorf("base_url %q: got %q, want %q", in, c.BaseURL, want)
		}
	}
}

// TestParseReportsEveryProblem: a value that does not decode is one
// problem among others, and is reported once.
func TestParseReportsEveryProblem(t *testing.T) {
	src := "title: [not, text]\nbase_url: /relative\nhistroy:\n  days: 30\ncomponents:\n  - {id: api, name: API}\nfeeds:\n  items: many\ntimezone: Mars/Olympus\n"
	_, err := Parse("/site", []byte(src))
	want := []string{
		`herald.yaml:1:8: title must be text, found a list`,
		`herald.yaml:2:11: base_url must be an absolute http(s) URL`,
		`herald.yaml:3:1: unknown key "histroy"`,
		`herald.yaml:8:10: feeds.items must be a whole number`,
		`herald.yaml:9:11: unknown timezone "Mars/Olympus"`,
	}
	var list diag.List
	if !errors.As(err, &list) || len(list) != len(want) {
		t.Fatalf("got %v, want %d errors", err, len(want))
	}
	for i, e := range list {
		if !strings.HasPrefix(e.Error(), want[i]) {
			t.Errorf("got %q, want prefix %q", e.Error(), want[i])
		}
	}
}

func TestParseRefusesControlCharacters(t *testing.T) {
	src := "title: \"Acme\\e[31m\"\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: \"API\\x07\", description: fine}\n"
	_, err := Parse("/site", []byte(src))
	want := []string{
		`herald.yaml:1:8: title holds the control character U+001B`,
		`herald.yaml:4:21: components[0].name holds the control character U+0007`,
	}
	var list diag.List
	if !errors.As(err, &list) || len(list) != len(want) {
		t.Fatalf("got %v, want %d errors", err, len(want))
	}
	for i, e := range list {
		if !strings.HasPrefix(e.Error(), want[i]) {
			t.Errorf("got %q, want prefix %q", e.Error(), want[i])
		}
	}
}

func TestMinCoverage(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\n"
	tests := []struct {
		name string
		src  string
		want float64
		err  string // the whole message, when the value is refused
	}{
		{name: "default", src: "", want: 0.5},
		{name: "percent", src: "uptime:\n  min_coverage: 80%\n", want: 0.8},
		{name: "decimals", src: "uptime:\n  min_coverage: \"99.5 %\"\n", want: 0.995},
		{name: "zero", src: "uptime:\n  min_coverage: 0%\n", want: 0},
		{name: "all", src: "uptime:\n  min_coverage: 100%\n", want: 1},
		{
			name: "bare number", src: "uptime:\n  min_coverage: 0.5\n",
			err: "herald.yaml:6:17: uptime.min_coverage must be a percentage from 0% to 100%, found \"0.5\" (write it with its sign, e.g. `min_coverage: 50%`)",
		},
		{
			name: "above 100", src: "uptime:\n  min_coverage: 150%\n",
			err: "herald.yaml:6:17: uptime.min_coverage must be a percentage from 0% to 100%, found \"150%\" (write it with its sign, e.g. `min_coverage: 50%`)",
		},
		{
			name: "negative", src: "uptime:\n  min_coverage: -1%\n",
			err: "herald.yaml:6:17: uptime.min_coverage must be a percentage from 0% to 100%, found \"-1%\" (write it with its sign, e.g. `min_coverage: 50%`)",
		},
		{
			name: "not a number", src: "uptime:\n  min_coverage: NaN%\n",
			err: "herald.yaml:6:17: uptime.min_coverage must be a percentage from 0% to 100%, found \"NaN%\" (write it with its sign, e.g. `min_coverage: 50%`)",
		},
		{
			name: "a list", src: "uptime:\n  min_coverage: [50%]\n",
			err: "herald.yaml:6:17: uptime.min_coverage must be a percentage from 0% to 100%, found \"\" (write it with its sign, e.g. `min_coverage: 50%`)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("/site", []byte(base+tt.src))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("got error %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(c.Uptime.MinCoverage-tt.want) > 1e-12 {
				t.Errorf("got min_coverage %v, want %v", c.Uptime.MinCoverage, tt.want)
			}
		})
	}
}

// TestMinCoverageWithOtherErrors: a bad min_coverage is reported in the
// same run as the rest of the file's problems.
func TestMinCoverageWithOtherErrors(t *testing.T) {
	src := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\nuptime:\n  min_coverage: half\nfeeds:\n  items: 0\n"
	_, err := Parse("/site", []byte(src))
	var list diag.List
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("got %v, want 2 errors", err)
	}
}

func TestWebhookFormats(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\nnotify:\n  webhooks:\n"
	for _, tt := range []struct {
		name, hooks string
		want        []string
	}{
		{"every format", `    - {format: json, url: "https://ops.example/herald"}
    - {format: slack, url: "https://hooks.slack.com/services/T0/B0/X"}
    - {format: discord, url: "https://discord.com/api/webhooks/1/a"}
    - {format: teams, url: "https://prod-1.westus.logic.azure.com/workflows/a/triggers/manual/paths/invoke?sig=s"}
    - {format: mattermost, url: "https://chat.example/hooks/abc"}
    - {format: googlechat, url: "https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t"}
    - {format: telegram, url: "https://api.telegram.org/bot123:SECRET/sendMessage", chat_id: -1001234567890}
    - {format: telegram, url: "https://api.telegram.org/bot123:SECRET/sendMessage", chat_id: "@acme_status"}
    - {format: ntfy, url: "https://ntfy.sh/acme-status"}
    - {url: "https://ops.example/default"}
`, nil},
		{"telegram needs a chat", `    - {format: telegram, url: "https://api.telegram.org/bot123:SECRET/sendMessage"}
`, []string{"herald.yaml:7:7: telegram webhook without a chat_id (add `chat_id:`, the chat's number or @channelname)"}},
		{"telegram url is the sendMessage method", `    - {format: telegram, url: "https://api.telegram.org/bot123:SECRET/getUpdates", chat_id: 42}
`, []string{"herald.yaml:7:31: telegram webhook url must be the bot API's sendMessage method (use https://api.telegram.org/bot<token>/sendMessage)"}},
		{"telegram chat is a number or a channel", `    - {format: telegram, url: "https://api.telegram.org/bot123:SECRET/sendMessage", chat_id: "acme status"}
`, []string{`herald.yaml:7:94: telegram chat_id "acme status" is neither a chat's number nor @channelname`}},
		{"chat_id elsewhere", `    - {format: slack, url: "https://hooks.slack.com/services/T0/B0/X", chat_id: 42}
`, []string{"herald.yaml:7:81: chat_id is only used by format telegram (remove it, or set `format: telegram`)"}},
		{"ntfy needs a topic", `    - {format: ntfy, url: "https://ntfy.sh/"}
`, []string{"herald.yaml:7:27: ntfy webhook url must name the topic (e.g. https://ntfy.sh/acme-status)"}},
		{"every problem in one run", `    - {format: telegram, url: "https://api.telegram.org/bot123:SECRET/x"}
    - {format: ntfy, url: "https://ntfy.sh"}
    - {format: irc, url: "https://irc.example/"}
`, []string{
			"herald.yaml:7:7: telegram webhook without a chat_id",
			"herald.yaml:7:31: telegram webhook url must be the bot API's sendMessage method",
			"herald.yaml:8:27: ntfy webhook url must name the topic",
			`herald.yaml:9:16: unknown webhook format "irc" (use one of json, slack, discord, teams, mattermost, googlechat, telegram, ntfy)`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("/site", []byte(base+tt.hooks))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if got := c.Notify.Webhooks[6].ChatID; got != "-1001234567890" {
					t.Errorf("got chat_id %q, want -1001234567890", got)
				}
				if got := c.Notify.Webhooks[9].Format; got != "json" {
					t.Errorf("got default format %q, want json", got)
				}
				return
			}
			var list diag.List
			if !errors.As(err, &list) || len(list) != len(tt.want) {
				t.Fatalf("got %v, want %d errors", err, len(tt.want))
			}
			for i, e := range list {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("got %q, want prefix %q", e.Error(), tt.want[i])
				}
				if strings.Contains(e.Error(), "SECRET") {
					t.Errorf("got %q, want no token", e.Error())
				}
			}
		})
	}
}

func TestWebhookSecretsFromEnvironment(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\nnotify:\n  webhooks:\n"
	for _, tt := range []struct{ name, hooks, want string }{
		{"token in the path", `    - {format: telegram, url: "https://api.telegram.org/bot${TELEGRAM_TOKEN}/sendMessage", chat_id: "${TELEGRAM_CHAT}"}` + "\n", ""},
		{"whole url", `    - {format: slack, url: "${SLACK_WEBHOOK_URL}"}` + "\n", ""},
		{"query", `    - {format: ntfy, url: "https://ntfy.sh/alerts?auth=${NTFY_AUTH}"}` + "\n", ""},
		{"malformed", `    - {format: discord, url: "https://discord.com/api/webhooks/${HOOK-ID}"}` + "\n", "herald.yaml:7:30: malformed ${…} reference (write ${NAME}, NAME being letters, digits and underscores)"},
		{"still a URL around it", `    - {format: discord, url: "discord.com/api/webhooks/${HOOK}"}` + "\n", "herald.yaml:7:30: webhook url must be an absolute http(s) URL"},
		{"still sendMessage around it", `    - {format: telegram, url: "https://api.telegram.org/bot${TOKEN}", chat_id: 42}` + "\n", "herald.yaml:7:31: telegram webhook url must be the bot API's sendMessage method"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("/site", []byte(base+tt.hooks))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.want == "":
				if got := c.Notify.Webhooks[0].URL; !strings.Contains(got, "${") {
					t.Errorf("got url %q, want the reference kept for notify to expand", got)
				}
			case err == nil || !strings.HasPrefix(err.Error(), tt.want):
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNotifyFilters(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\n  - {id: web, name: Website}\nnotify:\n  webhooks:\n    - url: https://hooks.example/x\n"
	tests := []struct {
		name, src string
		want      []string // in order; none when valid
	}{
		{"valid", "      components: [api]\n      events: [incident.created, maintenance.scheduled, component.degraded]\n      min_impact: major\n", nil},
		{"unknown component", "      components: [api, wbe]\n", []string{`herald.yaml:9:25: unknown component "wbe" in notify.webhooks[0].components (did you mean "web"?)`}},
		{"component far from any", "      components: [database]\n", []string{`herald.yaml:9:20: unknown component "database" in notify.webhooks[0].components (use a component id of herald.yaml: api, web)`}},
		{"misspelt event", "      events: [incident.create]\n", []string{`herald.yaml:9:16: unknown event type "incident.create" in notify.webhooks[0].events (did you mean "incident.created"?)`}},
		{"event without its kind", "      events: [resolved]\n", []string{`herald.yaml:9:16: unknown event type "resolved" in notify.webhooks[0].events (did you mean "incident.resolved"?)`}},
		{"unknown event", "      events: [everything]\n", []string{`herald.yaml:9:16: unknown event type "everything" in notify.webhooks[0].events (use one of incident.created, incident.updated, incident.resolved, maintenance.scheduled, maintenance.updated, maintenance.started, maintenance.completed, component.down, component.degraded, component.up, slo.burn)`}},
		{"misspelt impact", "      min_impact: majr\n", []string{`herald.yaml:9:19: unknown min_impact "majr" (did you mean "major"? use minor, major or critical)`}},
		{"impact none", "      min_impact: none\n", []string{`herald.yaml:9:19: unknown min_impact "none"`}},
		{"every error at once", "      components: [apo]\n      events: [incident.opened]\n      min_impact: high\n", []string{"9:20: unknown component", "10:16: unknown event type", "11:19: unknown min_impact"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("/site", []byte(base+tt.src))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				w := c.Notify.Webhooks[0]
				if got := fmt.Sprintln(w.Components, w.Events, w.MinImpact); got != "[api] [incident.created maintenance.scheduled component.degraded] major\n" {
					t.Errorf("got filter %s", got)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			rest := err.Error()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("got:\n%s\nwant (in order) %q", err, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestSLO(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - id: api\n    name: API\n    probe: {http: https://api.example.com/}\n"
	tests := []struct {
		name, src  string
		wantTarget float64
		wantWindow string
		wantDays   int
		err        string // the whole message, when the SLO is refused
	}{
		{name: "rolling", src: "    slo: {target: 99.9%, window: 30d}\n", wantTarget: 0.999, wantWindow: "30d", wantDays: 30},
		{name: "month", src: "    slo: {target: 99%, window: month}\n", wantTarget: 0.99, wantWindow: "month"},
		{name: "window left out", src: "    slo: {target: 99.5%}\n", wantTarget: 0.995, wantWindow: "30d", wantDays: 30},
		{
			name: "no target", src: "    slo: {window: 7d}\n",
			err: "herald.yaml:7:10: slo without a target (add `target:`, e.g. `target: 99.9%`)",
		},
		{
			name: "100%", src: "    slo: {target: 100%}\n",
			err: "herald.yaml:7:19: slo target must be a percentage above 0% and below 100%, found \"100%\" (write it with its sign, e.g. `target: 99.9%`)",
		},
		{
			name: "0%", src: "    slo: {target: 0%}\n",
			err: "herald.yaml:7:19: slo target must be a percentage above 0% and below 100%, found \"0%\" (write it with its sign, e.g. `target: 99.9%`)",
		},
		{
			name: "bare number", src: "    slo: {target: 0.999}\n",
			err: "herald.yaml:7:19: slo target must be a percentage above 0% and below 100%, found \"0.999\" (write it with its sign, e.g. `target: 99.9%`)",
		},
		{
			name: "hours", src: "    slo: {target: 99.9%, window: 720h}\n",
			err: "herald.yaml:7:34: unknown slo window \"720h\" (use a number of days, e.g. `window: 30d`, or `window: month` for the calendar month)",
		},
		{
			name: "zero days", src: "    slo: {target: 99.9%, window: 0d}\n",
			err: "herald.yaml:7:34: unknown slo window \"0d\" (use a number of days, e.g. `window: 30d`, or `window: month` for the calendar month)",
		},
		{
			name: "longer than the history", src: "    slo: {target: 99.9%, window: 120d}\n",
			err: "herald.yaml:7:34: slo window 120d is longer than the 90 days of history.days (raise history.days to at least 120, or shorten the window)",
		},
		{
			name: "month beyond a short history", src: "    slo: {target: 99.9%, window: month}\nhistory:\n  days: 30\n",
			err: "herald.yaml:7:34: slo window month is longer than the 30 days of history.days (raise history.days to at least 31, or shorten the window)",
		},
		{
			name: "unknown key", src: "    slo: {target: 99.9%, windw: 30d}\n",
			err: "herald.yaml:7:26: unknown key \"windw\" in components[0].slo (did you mean \"window\"?)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("/site", []byte(base+tt.src))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("got error %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			slo := c.Component("api").SLO
			if slo == nil {
				t.Fatal("got no slo")
			}
			if math.Abs(slo.Target-tt.wantTarget) > 1e-12 || slo.Window != tt.wantWindow || slo.Days != tt.wantDays {
				t.Errorf("got %g over %q (%d days), want %g over %q (%d days)", slo.Target, slo.Window, slo.Days, tt.wantTarget, tt.wantWindow, tt.wantDays)
			}
		})
	}
}

func TestSLOErrorsInOneRun(t *testing.T) {
	src := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API, probe: {http: https://api.example.com/}, slo: {target: 101%}}\n  - {id: web, name: Web, slo: {target: 99%, window: week}}\n"
	_, err := Parse("/site", []byte(src))
	var list diag.List
	if !errors.As(err, &list) || len(list) != 3 {
		t.Fatalf("got %v, want 3 errors", err)
	}
}

func TestSLONeedsAProbe(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\n"
	tests := []struct{ name, src, err string }{
		{"probe", "components:\n  - {id: api, name: API, probe: {http: https://api.example.com/}, slo: {target: 99%}}\n", ""},
		{"prometheus", "history: {source: prometheus, prometheus: {url: http://127.0.0.1:9090}}\ncomponents:\n  - {id: api, name: API, prometheus: 'up{job=\"api\"}', slo: {target: 99%}}\n", ""},
		{"declared only", "components:\n  - {id: api, name: API, slo: {target: 99%}}\n",
			"herald.yaml:4:31: component \"api\" has an slo but no probe to measure it (add a `probe:` to the component, or remove its slo)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("/site", []byte(base+tt.src))
			if got := fmt.Sprint(err); tt.err == "" && err != nil || tt.err != "" && got != tt.err {
				t.Errorf("got error %v, want %q", err, tt.err)
			}
		})
	}
}

func TestEmail(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\nnotify:\n  email:\n"
	ok := "      from: \"Acme Status <status@example.com>\"\n      to: [updates@lists.example.com]\n"
	tests := []struct {
		name, src string
		want      []string // in order; none when valid
		tls       string   // the mode chosen, when valid
	}{
		{"starttls by default", "    - smtp: smtp.example.com:587\n      username: ${SMTP_USER}\n      password: ${SMTP_PASSWORD}\n" + ok, nil, "starttls"},
		{"implicit on 465", "    - smtp: smtp.example.com:465\n      username: u\n      password: p\n" + ok, nil, "implicit"},
		{"explicit starttls on 465", "    - smtp: smtp.example.com:465\n      tls: starttls\n" + ok, nil, "starttls"},
		{"clear text to loopback", "    - smtp: 127.0.0.1:25\n      tls: none\n      username: u\n      password: p\n" + ok, nil, "none"},
		{"clear text without login", "    - smtp: relay.example.com:25\n      tls: none\n" + ok, nil, "none"},
		{"port from the environment", "    - smtp: smtp.example.com:${SMTP_PORT}\n" + ok, nil, ""},
		{"whole server from the environment", "    - smtp: ${SMTP_SERVER}\n" + ok, nil, ""},
		{"filters and unsubscribe", "    - smtp: smtp.example.com:587\n      list_unsubscribe: https://lists.example.com/unsubscribe\n      components: [api]\n      min_impact: major\n" + ok, nil, "starttls"},
		{"port missing", "    - smtp: smtp.example.com\n" + ok, []string{`herald.yaml:7:13: smtp must be host:port, found "smtp.example.com" (add the port: 587 for STARTTLS, 465 for implicit TLS)`}, ""},
		{"port not a number", "    - smtp: smtp.example.com:smtp\n" + ok, []string{`herald.yaml:7:13: smtp port "smtp" is not a port number`}, ""},
		{"no server", "    - " + strings.TrimSpace(ok) + "\n", []string{"herald.yaml:7:7: email without an smtp server"}, ""},
		{"clear text password to another host", "    - smtp: smtp.example.com:25\n      tls: none\n      username: u\n      password: hunter2\n" + ok, []string{"herald.yaml:8:12: tls: none would send the smtp password in clear text to smtp.example.com (use tls: starttls or implicit; only a loopback host may take credentials without TLS)"}, ""},
		{"unknown tls", "    - smtp: smtp.example.com:587\n      tls: ssl\n" + ok, []string{`herald.yaml:8:12: unknown tls "ssl"`}, ""},
		{"username without password", "    - smtp: smtp.example.com:587\n      username: u\n" + ok, []string{"herald.yaml:8:17: smtp username without a password"}, ""},
		{"bad from", "    - smtp: smtp.example.com:587\n      from: status at example.com\n      to: [updates@lists.example.com]\n", []string{`herald.yaml:8:13: from "status at example.com" is not an email address`}, ""},
		{"missing from and to", "    - smtp: smtp.example.com:587\n", []string{"herald.yaml:7:7: email without a from address", "herald.yaml:7:7: email without a to address"}, ""},
		{"bad to", "    - smtp: smtp.example.com:587\n      from: status@example.com\n      to: [updates@lists.example.com, \"not an address\"]\n", []string{`herald.yaml:9:39: to "not an address" is not an email address`}, ""},
		{"bad unsubscribe", "    - smtp: smtp.example.com:587\n      list_unsubscribe: lists.example.com/leave\n" + ok, []string{`herald.yaml:8:25: list_unsubscribe must be a mailto: or http(s) URL`}, ""},
		{"malformed reference", "    - smtp: smtp.example.com:587\n      username: u\n      password: ${SMTP-PASSWORD}\n" + ok, []string{"herald.yaml:9:17: malformed ${…} reference"}, ""},
		{"unknown filter", "    - smtp: smtp.example.com:587\n      events: [incident.create]\n" + ok, []string{`herald.yaml:8:16: unknown event type "incident.create" in notify.email[0].events (did you mean "incident.created"?)`}, ""},
		{"every problem in one run", "    - smtp: smtp.example.com\n      from: nobody\n    - smtp: smtp.example.com:25\n      tls: none\n      username: u\n      password: hunter2\n" + ok, []string{"7:7: email without a to address", "7:13: smtp must be host:port", "8:13: from \"nobody\" is not an email address", "10:12: tls: none would send the smtp password"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("/site", []byte(base+tt.src))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if got := c.Notify.Email[0].TLS; got != tt.tls {
					t.Errorf("got tls %q, want %q", got, tt.tls)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("got %q, want no password", err)
			}
			rest := err.Error()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("got:\n%s\nwant (in order) %q", err, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestClearTextCredentials(t *testing.T) {
	login := Email{Username: "u", Password: "p"}
	tests := []struct {
		name string
		e    Email
		host string
		mode string
		want bool
	}{
		{"remote name", login, "smtp.example.com", "none", true},
		{"name that looks local", login, "localhost.example.com", "none", true},
		{"private address", login, "10.0.0.25", "none", true},
		{"password alone", Email{Password: "p"}, "smtp.example.com", "none", true},
		{"localhost", login, "localhost", "none", false},
		{"loopback v4", login, "127.0.0.1", "none", false},
		{"loopback v4 range", login, "127.0.0.2", "none", false},
		{"loopback v6", login, "::1", "none", false},
		{"starttls", login, "smtp.example.com", "starttls", false},
		{"implicit", login, "smtp.example.com", "implicit", false},
		{"no login", Email{}, "smtp.example.com", "none", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.ClearTextCredentials(tt.host, tt.mode); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
