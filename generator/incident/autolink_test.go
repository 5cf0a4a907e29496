package incident

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
)

// autolinkCases are bodies at the edges of parseMarkdown's choice: bare
// addresses where GFM makes autolinks, and addresses it leaves alone.
var autolinkCases = []string{
	"see https://example.com/a_b_ now",
	"*https://example.com* and _www.example.com_ and ~~http://x.example~~",
	"(www.example.com) and (https://example.com/(a))",
	"write to ops@example.com, or to a_b@example.com.",
	"foo_bar@example.com and user@localhost and @nobody",
	"[https://example.com](https://example.org) and [ops@example.com](mailto:ops@example.com)",
	"`https://example.com` and `curl -fsS https://api.example.com/healthz`",
	"<https://example.com> and <ops@example.com>",
	"<a href=\"http://example.com\">raw</a> and <!-- http://example.com -->",
	"http: and https: alone, ftp:, www. and @",
	"h*ttp:*//example.com and www*.*example.com",
	"| a | https://example.com |\n| --- | --- |\n| www.example.com | b@example.de |\n",
	"- [ ] https://example.com\n- [x] done\n",
	"> quoted http://example.com\n\n# Heading https://example.com\n",
	"x\n\n```\nhttps://example.com in code\n```\n\n    http://indented.example\n",
	"&amp; http://example.com?a=1&b=2; and &copy;",
	"***bold www.example.com***",
	"café https://example.com/é and ftp://files.example.com/a.txt.",
	"unclosed [label https://example.com and ](https://example.com)",
	"a    \nb\t\t\nc \t\nd  \ne\\ f\\\ng",
	"trailing    \nwith https://example.com    \nspaces\t\t\n",
	"no address here, only *emphasis*, _more_, ~~struck~~ and (parens).",
	"[link](https://example.com \"title www.example.com\") ![img](https://example.com/a.png)",
}

// lineEndSpace is the white space at the end of a line, before a break
// or the end of a heading, that GFM leaves and the parse without
// autolinks trims (parseMarkdown).
var lineEndSpace = regexp.MustCompile(`[ \t\r\v\f]+(\n|<br>|</)`)

// checkSameAsGFM fails t when parseMarkdown renders body otherwise than
// GFM (p.md) does, but for lineEndSpace.
func checkSameAsGFM(t *testing.T, p *Parser, body []byte) {
	t.Helper()
	got, _ := p.parseMarkdown(body)
	want, _ := p.parseWith(p.md, body)
	g, w := renderTree(t, p, got, body), renderTree(t, p, want, body)
	if g == w || lineEndSpace.ReplaceAllString(g, "$1") == lineEndSpace.ReplaceAllString(w, "$1") {
		return
	}
	t.Errorf("body %q:\nrendered %q\nGFM      %q", body, g, w)
}

func renderTree(t *testing.T, p *Parser, root ast.Node, body []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := p.md.Renderer().Render(&b, body, root); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestAutolinkFreeParse checks that parsing without autolinks first
// changes nothing a reader sees, on the edge cases and on every Markdown
// file of the repository, the documentation's included.
func TestAutolinkFreeParse(t *testing.T) {
	p := testParser(t)
	for _, c := range autolinkCases {
		checkSameAsGFM(t, p, []byte(c))
	}
	var files []string
	for _, pattern := range []string{"../../*.md", "../../docs/*.md", "../../incidents/*.md", "../../incidents/*/*.md", "testdata/seeds/*.md", "../render/testdata/site/incidents/*.md"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("found %d Markdown files, want the repository's (%v)", len(files), files)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkSameAsGFM(t, p, src)
	}
}

// TestAutolinkFreeParseChoice checks which parse each body gets: the one
// without autolinks when its addresses are in links or code, GFM's when
// a text holds one, and then its autolinks are there.
func TestAutolinkFreeParseChoice(t *testing.T) {
	p := testParser(t)
	for _, c := range []struct {
		body  string
		gfm   bool
		links int // <a> elements in the HTML
	}{
		{"See [the runbook](https://runbooks.example.com/db).", false, 1},
		{"<https://example.com> and ![status](https://example.com/a.png)", false, 1},
		{"No address at all.", false, 0},
		{"See https://example.com.", true, 1},
		{"Mail ops@example.com or www.example.com.", true, 2},
		{"Docs at (www.example.com).", true, 1},
		// No autolink in code or in a link's label, but a text holds one.
		{"Run `curl https://api.example.com`.", true, 0},
		{"[label with https://example.com](https://example.org)", true, 1},
	} {
		plain, _ := p.parseWith(p.plain, []byte(c.body))
		if got := mayAutolink([]byte(c.body)) && textMayAutolink(plain, []byte(c.body)); got != c.gfm {
			t.Errorf("%q: parsed again with autolinks = %v, want %v", c.body, got, c.gfm)
		}
		root, _ := p.parseMarkdown([]byte(c.body))
		html := renderTree(t, p, root, []byte(c.body))
		if got := strings.Count(html, "<a href"); got != c.links {
			t.Errorf("%q rendered %q: %d links, want %d", c.body, html, got, c.links)
		}
	}
}

// FuzzAutolinkFreeParse looks for a body that the parse without autolinks
// renders otherwise than GFM.
func FuzzAutolinkFreeParse(f *testing.F) {
	for _, c := range autolinkCases {
		f.Add([]byte(c))
	}
	p := testParser(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkSameAsGFM(t, p, body)
	})
}

// TestBareAddress checks which bodies get GFM's parse at once: those
// with an address where GFM's autolinks look, not in a link's
// destination.
func TestBareAddress(t *testing.T) {
	for body, want := range map[string]bool{
		"see https://example.com":              true,
		"https://example.com first":            true,
		"*www.example.com*":                    true,
		"mail ops@example.com":                 true,
		"ftp://files.example.com\tand":         true,
		"[a](https://example.com)":             false,
		"see (https://example.com)":            false,
		"[mail](mailto:ops@example.com)":       false,
		"<https://example.com>":                false,
		"no address, only a time 07:52 and @":  false,
		"x https: y":                           true, // not an address, but GFM's parse is the same
		"[see](https://example.com) and http:": true,
	} {
		got, found := bareAddress([]byte(body))
		if got != want {
			t.Errorf("bareAddress(%q) = %v, want %v", body, got, want)
		}
		if found != mayAutolink([]byte(body)) {
			t.Errorf("bareAddress(%q) found %v, mayAutolink says %v", body, found, !found)
		}
	}
}
