package render

import (
	"bytes"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/sitetest"
)

// renderSubscribe renders the subscribe page of a site whose herald.yaml
// is cfg.
func renderSubscribe(tb testing.TB, cfg string) string {
	tb.Helper()
	snap := sitetest.Snapshot(tb, sitetest.Write(tb, map[string]string{"herald.yaml": cfg}), fixtureNow)
	for _, f := range newRenderer(tb, "").Files(snap) {
		if f.Path == "subscribe/index.html" {
			var b bytes.Buffer
			if err := f.Render(&b); err != nil {
				tb.Fatal(err)
			}
			return b.String()
		}
	}
	tb.Fatal("got no subscribe/index.html, want one")
	return ""
}

var signUpRE = regexp.MustCompile(`<a href="([^"]*)">Sign up for email updates</a>`)

// TestSubscribeEscapes renders subscribe.email_url and component names
// that hold what HTML gives a meaning to: each must stay one attribute or
// one text, and the link must lead where the config says.
func TestSubscribeEscapes(t *testing.T) {
	for _, tt := range []struct {
		name, emailURL, component string
	}{
		{"plain", "https://lists.example.com/subscribe/status", "API"},
		{"query with ampersands", "https://lists.example.com/join?list=status&lang=en", "Search & browse"},
		{"quotes and angle brackets", `https://lists.example.com/join?name=<b>"x"'y'`, `<b>"API"</b>`},
		{"percent-encoded", "https://lists.example.com/join%20us?q=a%26b", "50% <off>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := renderSubscribe(t, "title: T\nbase_url: https://status.example.com/\ncomponents:\n  - id: api\n    name: "+strconv.Quote(tt.component)+"\nsubscribe:\n  email_url: "+strconv.Quote(tt.emailURL)+"\n")
			m := signUpRE.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("got no sign-up link, want one to %s", tt.emailURL)
			}
			got, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil {
				t.Fatalf("got href %q: %v", m[1], err)
			}
			want, _ := url.Parse(tt.emailURL)
			if got.Scheme != want.Scheme || got.Host != want.Host || got.Path != want.Path || unescape(got.RawQuery) != unescape(want.RawQuery) {
				t.Errorf("got sign-up link %q, want %q", got, tt.emailURL)
			}
			for _, raw := range []string{"<b>", `"x"`, `"API"`, "<off>"} {
				if strings.Contains(body, raw) {
					t.Errorf("got %s unescaped in the page, want it escaped", raw)
				}
			}
			if !strings.Contains(html.UnescapeString(body), ">"+tt.component+"</a></th>") {
				t.Errorf("got no row for component %q, want one", tt.component)
			}
		})
	}
}

// unescape decodes percent-escapes, which html/template adds to a URL's
// characters that an attribute cannot hold as they are.
func unescape(s string) string {
	u, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// TestSubscribeWithoutEmail: without subscribe.email_url the page offers
// no email, rather than a link to nowhere.
func TestSubscribeWithoutEmail(t *testing.T) {
	body := renderSubscribe(t, "title: T\nbase_url: https://status.example.com/\ncomponents:\n  - {id: api, name: API}\n")
	if strings.Contains(body, `id="email"`) || signUpRE.MatchString(body) {
		t.Error("got an email section, want none without subscribe.email_url")
	}
}
