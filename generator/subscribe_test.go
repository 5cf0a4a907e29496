package generator_test

import (
	"html"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/sitetest"
)

// subscribeConfig has a base_url with a path, so that an address that
// drops it shows, and a component id that needs no encoding next to one
// whose name does.
const subscribeConfig = `title: Subscribe test
base_url: https://status.example.com/status/
components:
  - {id: api, name: API}
  - {id: web, name: "Web & <CDN>"}
subscribe:
  email_url: https://lists.example.com/join?list=status&lang=en
`

var (
	anyHrefRE  = regexp.MustCompile(`\shref="([^"]*)"`)
	feedCmdRE  = regexp.MustCompile(`/feed subscribe (\S+?)</code>`)
	codeLinkRE = regexp.MustCompile(`<code>(https?://[^<]*)</code>`)
)

// TestSubscribeLinksEveryFeed builds a site and follows every address on
// its subscribe page, links and the ones shown to copy: each must be a
// file the build wrote. And every feed and the calendar the build wrote
// must be on the page, so that a feed renamed, added or dropped in one
// place but not the other fails here.
func TestSubscribeLinksEveryFeed(t *testing.T) {
	site := sitetest.Write(t, map[string]string{"herald.yaml": subscribeConfig})
	out := filepath.Join(t.TempDir(), "public")
	if _, err := build(t, site, out, exampleNow); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.EvalSymlinks(out)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "subscribe", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	// The page's own content: the layout links the site's feeds on every
	// page, which is not what a reader of this one looks for.
	_, main, _ := strings.Cut(page, "<main")
	main, _, _ = strings.Cut(main, "</main>")
	base, _ := url.Parse("https://status.example.com/status/")
	self := base.ResolveReference(&url.URL{Path: "subscribe/"})

	var addrs []string
	for _, m := range anyHrefRE.FindAllStringSubmatch(main, -1) {
		addrs = append(addrs, html.UnescapeString(m[1]))
	}
	for _, re := range []*regexp.Regexp{feedCmdRE, codeLinkRE} {
		for _, m := range re.FindAllStringSubmatch(main, -1) {
			addrs = append(addrs, html.UnescapeString(m[1]))
		}
	}

	listed := map[string]bool{} // files of the site the page leads to
	email := false
	for _, a := range addrs {
		u, err := url.Parse(a)
		if err != nil {
			t.Errorf("got address %q: %v", a, err)
			continue
		}
		if u.Scheme == "webcal" {
			u.Scheme = base.Scheme
		}
		u = self.ResolveReference(u)
		if u.String() == "https://lists.example.com/join?list=status&lang=en" {
			email = true
			continue
		}
		if u.Host != base.Host {
			continue
		}
		rel, ok := strings.CutPrefix(u.Path, base.Path)
		if !ok {
			t.Errorf("got %q, which leads out of base_url %s", a, base)
			continue
		}
		if rel == "" || strings.HasSuffix(rel, "/") {
			rel += "index.html"
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			t.Errorf("got %q on the page, which leads to %s, which the build did not write", a, rel)
			continue
		}
		listed[rel] = true
	}
	if !email {
		t.Error("got no link to subscribe.email_url, want one")
	}

	var feeds []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if ext := path.Ext(rel); rel == "maintenance.ics" || strings.HasPrefix(path.Base(rel), "history.") && (ext == ".rss" || ext == ".atom" || ext == ".json") {
			feeds = append(feeds, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(feeds) != 3+2*3+1 {
		t.Errorf("got feeds %q, want the site's 3, each component's 3 and the calendar", feeds)
	}
	for _, f := range feeds {
		t.Run(f, func(t *testing.T) {
			if !listed[f] {
				t.Errorf("got no address of %s on the subscribe page, want one", f)
			}
		})
	}
	// The calendar as a subscription, and the Slack command with a
	// component's feed, both absolute.
	for _, want := range []string{
		`href="webcal://status.example.com/status/maintenance.ics"`,
		"/feed subscribe https://status.example.com/status/components/api/history.rss</code>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("got no %s on the subscribe page, want it", want)
		}
	}
}
