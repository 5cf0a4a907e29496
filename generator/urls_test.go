package generator_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// urlBase is the base_url of the site TestURLsCarrySlugs builds: it has a
// path, so that a URL that drops it shows.
const urlBase = "https://status.example.com/status/"

// hostileSlugs name the incident files of TestURLsCarrySlugs: each holds
// characters that mean something in a URL (? # % & + ; ,), in XML, HTML
// or iCalendar (" < & ; , and the apostrophe), or that a URL cannot carry
// as they are (space, backslash, letters beyond ASCII). The last is a
// maintenance, for maintenance.ics and the API's scheduled maintenances.
var hostileSlugs = []string{
	"2026-11-20-what?",
	"2026-11-21-#1 outage",
	`2026-11-22-"quoted"`,
	"2026-11-23-100% & 50%25",
	"2026-11-24-a<b>&c=d+e",
	"2026-11-25-café-ünïcode",
	"2026-11-26-it's;a,b:c@d$e",
	`2026-11-27-back\slash`,
	`2026-12-05-maintenance "x"?#`,
}

const urlsConfig = `title: URLs
base_url: ` + urlBase + `
timezone: UTC
components:
  - id: api
    name: API
`

// hostileSite writes a site whose incident files are named after
// hostileSlugs, and returns its folder.
func hostileSite(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "herald.yaml"), []byte(urlsConfig), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "incidents"), 0o755); err != nil {
		tb.Fatal(err)
	}
	for _, slug := range hostileSlugs {
		day := slug[len("2026-11-"):len("2026-11-20")]
		src := "---\ntitle: Outage " + day + "\ncomponents: {api: major_outage}\nstarted: 2026-11-" + day + " 10:00\nresolved: 2026-11-" + day + " 11:00\n---\nFixed.\n"
		if strings.Contains(slug, "maintenance") {
			src = "---\ntitle: Upgrade\ntype: maintenance\ncomponents: [api]\nscheduled_start: 2026-12-05 10:00\nscheduled_end: 2026-12-05 11:00\n---\nWe upgrade.\n\n## 2026-11-27 10:00 UTC — Scheduled\nAnnounced.\n"
		}
		if err := os.WriteFile(filepath.Join(dir, "incidents", slug+".md"), []byte(src), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// TestURLsCarrySlugs builds a site whose file names hold every character
// that could break a URL or the format around it, and checks every
// absolute URL of every output (pages, feeds, API, calendar) and every
// relative link of every page: each must be a valid URI whose decoded
// path is a file the build wrote, and each incident must be reachable
// from every format.
func TestURLsCarrySlugs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	if _, err := build(t, hostileSite(t), out, exampleNow); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.EvalSymlinks(out)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(urlBase)
	var incidents, maintenance, uids []string
	for _, s := range hostileSlugs {
		if strings.Contains(s, "maintenance") {
			maintenance = append(maintenance, s)
			uids = append(uids, s+"@"+base.Hostname())
		} else {
			incidents = append(incidents, s)
		}
	}
	// linked holds, per output file, the slugs of the incident pages its
	// URLs lead to.
	linked := map[string]map[string]bool{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		linked[rel] = map[string]bool{}
		t.Run(rel, func(t *testing.T) {
			check := func(where, link string, relative bool) {
				t.Helper()
				target, ok := checkURL(t, root, base, pageURL(base, rel), where, link, relative)
				if slug, found := strings.CutPrefix(target, "incidents/"); ok && found {
					linked[rel][strings.TrimSuffix(slug, "/index.html")] = true
				}
			}
			switch path.Ext(rel) {
			case ".html":
				checkHTML(t, rel, data, check)
			case ".rss", ".atom", ".svg":
				checkXML(t, data, check)
			case ".json":
				var v any
				if err := json.Unmarshal(data, &v); err != nil {
					t.Fatalf("invalid JSON: %v", err)
				}
				walkJSON(v, func(s string) {
					if strings.HasPrefix(s, "http") {
						check("a JSON string", s, false)
					}
				})
			case ".ics":
				checkICS(t, data, uids, check)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		files []string // together they link every slug of want
		want  []string
	}{
		{"RSS", []string{"history.rss"}, hostileSlugs},
		{"Atom", []string{"history.atom"}, hostileSlugs},
		{"JSON Feed", []string{"history.json"}, hostileSlugs},
		{"component feeds", []string{"components/api/history.rss", "components/api/history.atom", "components/api/history.json"}, hostileSlugs},
		{"Statuspage incidents", []string{"api/v2/incidents.json"}, incidents},
		{"Statuspage maintenance", []string{"api/v2/scheduled-maintenances.json"}, maintenance},
		{"calendar", []string{"maintenance.ics"}, maintenance},
		{"history page", []string{"history/index.html"}, hostileSlugs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range tc.files {
				for _, slug := range tc.want {
					if !linked[f][slug] {
						t.Errorf("%s: got no URL to the page of %q, want one", f, slug)
					}
				}
			}
		})
	}
	for _, slug := range hostileSlugs {
		// An incident's page's canonical URL leads to the page itself.
		page := "incidents/" + slug + "/index.html"
		if !linked[page][slug] {
			t.Errorf("%s: got no URL to itself", page)
		}
	}
}

// pageURL is the absolute URL at which the file rel is served.
func pageURL(base *url.URL, rel string) *url.URL {
	if path.Base(rel) == "index.html" {
		rel = strings.TrimSuffix(rel, "index.html")
	}
	return base.ResolveReference(&url.URL{Path: rel})
}

// uriChar holds the ASCII bytes RFC 3986 allows in the path of a URI (and
// its scheme and host, which base_url gives), but for '%', which must start
// an escape: herald's URLs have neither query nor fragment, and the links
// inside a page are cut at their fragment before this check.
var uriChar = func() (ok [128]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/@!$&'()*+,;=" {
		ok[c] = true
	}
	return ok
}()

var (
	escapeRE = regexp.MustCompile(`^%[0-9A-F]{2}`)
	schemeRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// checkURL checks one URL found in the output file at page: link must be a
// valid URI, absolute under base (or, if relative is true, relative to
// page), and lead to a file the build wrote. It returns that file's path
// from the site root, and false for a link that leaves the site.
func checkURL(t *testing.T, root string, base, page *url.URL, where, link string, relative bool) (string, bool) {
	t.Helper()
	if relative && schemeRE.MatchString(link) {
		return "", false // a link off the site, such as herald's own
	}
	if !relative && !strings.HasPrefix(link, base.String()) {
		if strings.HasPrefix(link, base.Scheme+"://"+base.Host+"/") {
			t.Errorf("%s: %q is not under base_url %s", where, link, base)
		}
		return "", false
	}
	ref, frag, _ := strings.Cut(link, "#")
	if !relative && frag != "" || strings.Contains(frag, "#") {
		t.Errorf("%s: %q has a fragment", where, link)
	}
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c == '%' && escapeRE.MatchString(ref[i:]):
		case c >= 128 || !uriChar[c]:
			t.Errorf("%s: %q is not a valid URL: %q at byte %d", where, link, c, i)
			return "", false
		}
	}
	u, err := url.Parse(ref)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return "", false
	}
	target, found := strings.CutPrefix(page.ResolveReference(u).Path, base.Path)
	if !found {
		t.Errorf("%s: %q leads out of the site, to %s", where, link, page.ResolveReference(u))
		return "", false
	}
	if target == "" || strings.HasSuffix(target, "/") {
		target += "index.html"
	}
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(target))); err != nil {
		t.Errorf("%s: %q leads to %s, which the build did not write", where, link, target)
		return "", false
	}
	return target, true
}

var (
	hrefRE      = regexp.MustCompile(`\shref="([^"]*)"`)
	canonicalRE = regexp.MustCompile(`<link rel="canonical" href="([^"]*)">`)
	ogURLRE     = regexp.MustCompile(`<meta property="og:url" content="([^"]*)">`)
	baseHrefRE  = regexp.MustCompile(`<base href="([^"]*)">`)
)

// checkHTML checks a page's canonical URL and og:url, and every relative
// link in it.
func checkHTML(t *testing.T, rel string, data []byte, check func(where, link string, relative bool)) {
	t.Helper()
	canonical := ""
	if m := canonicalRE.FindSubmatch(data); m != nil {
		canonical = html.UnescapeString(string(m[1]))
		check("rel=canonical", canonical, false)
	} else if rel != "404.html" {
		t.Error("no rel=canonical")
	}
	og := ""
	if m := ogURLRE.FindSubmatch(data); m != nil {
		og = html.UnescapeString(string(m[1]))
	}
	if og != canonical {
		t.Errorf("got og:url %q, want the canonical URL %q", og, canonical)
	}
	if baseHrefRE.Match(data) {
		return // links resolve against <base href>, checked by render's tests
	}
	for _, m := range hrefRE.FindAllSubmatch(data, -1) {
		if link := html.UnescapeString(string(m[1])); link != canonical && !strings.HasPrefix(link, "#") {
			check("href", link, true)
		}
	}
}

// checkXML checks that a feed or badge is well-formed XML, and every URL
// in it: the text of link, guid, id and uri elements and href attributes.
func checkXML(t *testing.T, data []byte, check func(where, link string, relative bool)) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var open []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			open = append(open, tok.Name.Local)
			for _, a := range tok.Attr {
				if a.Name.Local == "href" {
					check("<"+tok.Name.Local+" href>", a.Value, false)
				}
			}
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) == 0 {
				continue
			}
			switch name := open[len(open)-1]; name {
			case "link", "guid", "id", "uri":
				if s := strings.TrimSpace(string(tok)); s != "" {
					check("<"+name+">", s, false)
				}
			}
		}
	}
}

// icsProperties are the only properties maintenance.ics may hold; another
// name means a value broke out of its line.
var icsProperties = map[string]bool{
	"BEGIN": true, "END": true, "VERSION": true, "PRODID": true, "CALSCALE": true, "METHOD": true,
	"X-WR-CALNAME": true, "X-WR-CALDESC": true, "X-PUBLISHED-TTL": true,
	"UID": true, "DTSTAMP": true, "CREATED": true, "LAST-MODIFIED": true, "SEQUENCE": true,
	"DTSTART": true, "DTEND": true, "SUMMARY": true, "DESCRIPTION": true, "CATEGORIES": true,
	"URL": true, "STATUS": true, "TRANSP": true,
}

// checkICS checks that the calendar holds only herald's properties, that
// its UIDs are uids, in order, and the URL of each event.
func checkICS(t *testing.T, data []byte, uids []string, check func(where, link string, relative bool)) {
	t.Helper()
	unfolded := strings.ReplaceAll(string(data), "\r\n ", "")
	var got []string
	for _, line := range strings.Split(strings.TrimSuffix(unfolded, "\r\n"), "\r\n") {
		name, value, _ := strings.Cut(line, ":")
		name, _, _ = strings.Cut(name, ";")
		if !icsProperties[name] || strings.ContainsAny(line, "\r\n") {
			t.Errorf("unexpected content line %q", line)
			continue
		}
		switch name {
		case "URL":
			check("URL", value, false)
		case "UID":
			got = append(got, icsText(value))
		}
	}
	if !slices.Equal(got, uids) {
		t.Errorf("got UIDs %q, want %q", got, uids)
	}
}

// icsText decodes an iCalendar TEXT value (RFC 5545 §3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\;`, ";", `\,`, ",", `\n`, "\n", `\N`, "\n").Replace(s)
}

// walkJSON calls f with every string in v.
func walkJSON(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, e := range v {
			walkJSON(e, f)
		}
	case map[string]any:
		for _, e := range v {
			walkJSON(e, f)
		}
	}
}
