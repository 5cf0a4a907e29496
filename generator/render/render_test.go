package render

import (
	"bytes"
	"flag"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the fixture's zone, whatever the machine has installed

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/i18n"
	"github.com/herald-status/herald/templates"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// fixtureNow is the clock the fixture site is rendered at: one incident
// ongoing, one maintenance upcoming.
var fixtureNow = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

const (
	fixtureDir = "testdata/site"
	goldenDir  = "testdata/golden"
)

func newRenderer(tb testing.TB, overrideDir string) *Renderer {
	tb.Helper()
	r, err := New(overrideDir)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// renderAll renders every file, keeping Files' order.
func renderAll(tb testing.TB, files []File) (paths []string, out map[string][]byte) {
	tb.Helper()
	out = map[string][]byte{}
	for _, f := range files {
		var b bytes.Buffer
		if err := f.Render(&b); err != nil {
			tb.Fatalf("render %s: %v", f.Path, err)
		}
		if _, dup := out[f.Path]; dup {
			tb.Fatalf("got %s twice, want every path once", f.Path)
		}
		paths = append(paths, f.Path)
		out[f.Path] = b.Bytes()
	}
	return paths, out
}

func TestGolden(t *testing.T) {
	r := newRenderer(t, filepath.Join(fixtureDir, "templates")) // no such folder: the default theme
	_, got := renderAll(t, r.Files(sitetest.Snapshot(t, fixtureDir, fixtureNow)))
	checkGolden(t, goldenDir, got)
}

// TestGoldenLocales renders the fixture's pages in German, Japanese and
// Arabic (right to left), into testdata/golden-<tag>: every page, but not
// the assets, which no language changes.
func TestGoldenLocales(t *testing.T) {
	r := newRenderer(t, "")
	for _, tag := range []string{"de", "ja", "ar"} {
		t.Run(tag, func(t *testing.T) {
			snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
			snap.Site.Locale = i18n.For(tag)
			_, got := renderAll(t, r.Files(snap))
			for p := range got {
				if !strings.HasSuffix(p, ".html") {
					delete(got, p)
				}
			}
			checkGolden(t, goldenDir+"-"+tag, got)
		})
	}
}

// checkGolden compares got, by path, with the files of dir, which -update
// writes anew.
func checkGolden(t *testing.T, dir string, got map[string][]byte) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for p, b := range got {
			dst := filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	for p, b := range got {
		t.Run(p, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(b, want) {
				t.Errorf("got output that differs from %s/%s at line %d (run go test -update, then review the diff)", dir, p, firstDiffLine(b, want))
			}
		})
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if _, ok := got[filepath.ToSlash(rel)]; !ok {
			t.Errorf("got no %s, want it (or delete the golden file with go test -update)", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func firstDiffLine(a, b []byte) int {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

func TestPaths(t *testing.T) {
	r := newRenderer(t, "")
	var got []string
	for _, f := range r.Files(sitetest.Snapshot(t, fixtureDir, fixtureNow)) {
		got = append(got, f.Path)
	}
	want := []string{
		"index.html",
		"incidents/2026-12-03-database-maintenance/index.html",
		"incidents/2026-11-28-api-errors/index.html",
		"incidents/2026-11-20-hostile/index.html",
		"incidents/2026-10-14-cdn-upgrade/index.html",
		"incidents/2026-03-09-outage/index.html",
		"history/index.html",
		"components/api/index.html",
		"components/website/index.html",
		"components/cdn/index.html",
		"subscribe/index.html",
		"404.html",
		r.StylesheetPath(),
		"favicon.svg",
		r.ScriptPath(),
	}
	if !slices.Equal(got, want) {
		t.Errorf("got paths\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ok, _ := regexp.MatchString(`^assets/style\.[0-9a-f]{10}\.css$`, r.StylesheetPath()); !ok {
		t.Errorf("got stylesheet path %q, want assets/style.<10 hex>.css", r.StylesheetPath())
	}
}

// TestHostileInput checks that what an incident file says cannot become
// markup or script, and that probe settings never reach the site.
func TestHostileInput(t *testing.T) {
	r := newRenderer(t, "")
	_, out := renderAll(t, r.Files(sitetest.Snapshot(t, fixtureDir, fixtureNow)))
	forbidden := []string{"javascript:", "<script", "<img", "s3cret", "internal.example.com"}
	handlerAttr := regexp.MustCompile(`<[^>]*\son[a-z]+=`)
	// The one script herald ships: an external file, on the index only.
	ownScript := regexp.MustCompile(`<script src="\./assets/stale\.[0-9a-f]{10}\.js" defer></script>`)
	if p := "index.html"; !ownScript.Match(out[p]) {
		t.Errorf("got no stale-page script in %s, want one for a monitored site", p)
	}
	for p, b := range out {
		lower := strings.ToLower(string(ownScript.ReplaceAll(b, nil)))
		for _, s := range forbidden {
			if strings.Contains(lower, s) {
				t.Errorf("got %q in %s, want it nowhere", s, p)
			}
		}
		if m := handlerAttr.FindString(lower); m != "" {
			t.Errorf("got an event handler attribute %q in %s, want none", m, p)
		}
	}
	page := string(out["incidents/2026-11-20-hostile/index.html"])
	for _, want := range []string{
		`<title>&lt;script&gt;alert(1)&lt;/script&gt; Website &#34;slow&#34; &amp; odd · Example Status</title>`,
		`<h1>&lt;script&gt;alert(1)&lt;/script&gt; Website &#34;slow&#34; &amp; odd</h1>`,
		`Body with &lt;script&gt;alert(1)&lt;/script&gt;`,
		`<a href="https://example.com/">safe</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("got no %s in the incident page, want it", want)
		}
	}
	if !strings.Contains(string(out["index.html"]), `>&lt;script&gt;alert(1)&lt;/script&gt; Website`) {
		t.Errorf("got no escaped title in index.html, want it listed under past incidents")
	}
}

func TestOverride(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{
			name:  "unknown field",
			files: map[string]string{"index.html": "{{define \"main\"}}\n{{ .Nope }}{{end}}"},
			want:  []string{"templates/index.html: ", "index.html:2:3", "can't evaluate field Nope"},
		},
		{
			name:  "syntax error",
			files: map[string]string{"history.html": `{{define "main"}}{{if}}{{end}}`},
			want:  []string{"templates/history.html: template: history.html:1: missing value for if"},
		},
		{
			name:  "unknown function",
			files: map[string]string{"incident.html": "\n{{define \"main\"}}{{foo}}{{end}}"},
			want:  []string{`templates/incident.html: template: incident.html:2: function "foo" not defined`},
		},
		{
			name:  "broken layout",
			files: map[string]string{"base.html": `<!doctype html>{{template "main" .}}{{.Site.Nope}}`},
			want:  []string{"templates/base.html: ", "can't evaluate field Nope"},
		},
		{
			name:  "broken partial",
			files: map[string]string{"partials.html": `{{define "status"}}{{.Nope}}{{end}}`},
			want:  []string{"templates/partials.html: ", "can't evaluate field Nope"},
		},
		{
			name:  "unsafe markup",
			files: map[string]string{"component.html": `{{define "main"}}<a href="{{.Kind}}{{end}}`},
			want:  []string{"templates/component.html: ", "component.html"},
		},
		{
			name:  "misspelt file",
			files: map[string]string{"indx.html": `{{define "main"}}{{end}}`},
			want:  []string{"templates/indx.html: not a template herald uses"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTemplates(t, tt.files)
			r, err := New(dir)
			if err == nil {
				t.Fatalf("got a renderer, want an error")
			}
			if r != nil {
				t.Errorf("got a renderer with the error, want nil")
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestOverrideUsed(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"index.html": `{{define "main"}}<p class="custom">Hello {{.Site.Title}}, {{len .Snap.Components}} components</p>{{end}}`,
		"style.css":  "body { color: rebeccapurple; }\n",
	})
	r := newRenderer(t, dir)
	_, out := renderAll(t, r.Files(sitetest.Snapshot(t, fixtureDir, fixtureNow)))
	if got, want := string(out["index.html"]), `<p class="custom">Hello Example Status, 3 components</p>`; !strings.Contains(got, want) {
		t.Errorf("got index.html without %s, want the override's content", want)
	}
	if got, want := string(out[r.StylesheetPath()]), "body { color: rebeccapurple; }\n"; got != want {
		t.Errorf("got stylesheet %q, want the override %q", got, want)
	}
	if def := newRenderer(t, ""); r.StylesheetPath() == def.StylesheetPath() {
		t.Errorf("got stylesheet path %s for both themes, want it to follow the content", r.StylesheetPath())
	}
	if !strings.Contains(string(out["index.html"]), `href="./`+r.StylesheetPath()+`"`) {
		t.Errorf("got index.html not linking %s, want it to", r.StylesheetPath())
	}
	// Pages that are not overridden keep the default theme.
	if !strings.Contains(string(out["history/index.html"]), "<h1>Incident history") {
		t.Errorf("got history page without its default heading")
	}
}

// writeTemplates writes files into a temporary site's templates folder and
// returns the folder.
func writeTemplates(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "templates")
	if err := os.Mkdir(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

var linkRE = regexp.MustCompile(`\s(?:href|src)="([^"]*)"`)
var idRE = regexp.MustCompile(`\sid="([^"]*)"`)

// TestLinks follows every internal link of every page, with the archive
// split into several pages too, and wants it to land on a file the site
// has (a folder link on its index.html) or on a feed generator/feed writes.
func TestLinks(t *testing.T) {
	snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
	r := newRenderer(t, "")
	external := map[string]bool{"history.rss": true, "history.atom": true, "history.json": true}
	for _, c := range snap.Components {
		for _, ext := range []string{"rss", "atom", "json"} {
			external["components/"+c.ID+"/history."+ext] = true
		}
	}
	for _, perPage := range []int{HistoryPerPage, 2} {
		paths, out := renderAll(t, r.files(snap, perPage))
		if perPage == 2 && !slices.Contains(paths, "history/page/3/index.html") {
			t.Fatalf("got paths %v, want three history pages", paths)
		}
		for _, page := range paths {
			if !strings.HasSuffix(page, ".html") {
				continue
			}
			body := string(out[page])
			dir := path.Dir(page)
			if page == "404.html" {
				dir = "." // <base href> is the site root
			}
			for _, m := range linkRE.FindAllStringSubmatch(body, -1) {
				link := html.UnescapeString(m[1])
				u, err := url.Parse(link)
				if err != nil {
					t.Errorf("%s: got unparsable link %q", page, link)
					continue
				}
				switch {
				case u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto" || u.Scheme == "webcal":
					// Absolute; generator's TestSubscribeLinksEveryFeed follows those of the subscribe page.
					continue
				case u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "/"):
					if page == "404.html" && m[0] == ` href="`+basePath(snap.Site.BaseURL)+`"` {
						continue // the <base> itself
					}
					t.Errorf("%s: got link %q, want a relative one", page, link)
					continue
				case u.Path == "":
					if !regexp.MustCompile(`\sid="` + regexp.QuoteMeta(u.Fragment) + `"`).MatchString(body) {
						t.Errorf("%s: got link %q, want an element with that id", page, link)
					}
					continue
				}
				target := path.Join(dir, u.Path)
				if strings.HasSuffix(u.Path, "/") || target == "." {
					target = path.Join(target, "index.html")
				}
				if strings.HasPrefix(target, "../") {
					t.Errorf("%s: got link %q leaving the site", page, link)
					continue
				}
				if _, ok := out[target]; !ok && !external[target] {
					t.Errorf("%s (%d per page): got link %q to %s, want a file the site has", page, perPage, link, target)
				}
			}
			var ids []string
			for _, m := range idRE.FindAllStringSubmatch(body, -1) {
				if slices.Contains(ids, m[1]) {
					t.Errorf("%s: got id %q twice, want ids unique", page, m[1])
				}
				ids = append(ids, m[1])
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
	paths, first := renderAll(t, newRenderer(t, "").Files(snap))

	// Twice from the same list, concurrently, and from a new renderer.
	files := newRenderer(t, "").Files(snap)
	var wg sync.WaitGroup
	results := make([][]byte, 2*len(files))
	for i := range results {
		wg.Go(func() {
			var b bytes.Buffer
			if err := files[i%len(files)].Render(&b); err != nil {
				t.Error(err)
			}
			results[i] = b.Bytes()
		})
	}
	wg.Wait()
	for i, b := range results {
		p := files[i%len(files)].Path
		if !bytes.Equal(b, first[p]) {
			t.Errorf("got different bytes for %s on render %d, want identical", p, i/len(files)+2)
		}
	}

	// A minute later nothing changes phase, so only the index's "Updated"
	// time may differ: no page shows a duration counted from the clock.
	_, later := renderAll(t, newRenderer(t, "").Files(sitetest.Snapshot(t, fixtureDir, fixtureNow.Add(time.Minute))))
	for _, p := range paths {
		if changed := !bytes.Equal(first[p], later[p]); changed != (p == "index.html") {
			t.Errorf("got %s changed=%v a minute later, want only index.html to change", p, changed)
		}
	}
}

func TestHistoryPages(t *testing.T) {
	loc := time.UTC
	mk := func(n int) []*incident.Incident {
		var ins []*incident.Incident
		for i := range n {
			ins = append(ins, &incident.Incident{Slug: "i", Kind: incident.KindIncident, Started: time.Date(2026, 12, 31-i, 0, 0, 0, 0, loc)})
		}
		return ins
	}
	tests := []struct {
		n, perPage int
		want       []History // Months left out: checked below
	}{
		{0, 25, []History{{Page: 1, Pages: 1}}},
		{25, 25, []History{{Page: 1, Pages: 1}}},
		{26, 25, []History{{Page: 1, Pages: 2, Older: "history/page/2/"}, {Page: 2, Pages: 2, Newer: "history/"}}},
		{5, 2, []History{
			{Page: 1, Pages: 3, Older: "history/page/2/"},
			{Page: 2, Pages: 3, Newer: "history/", Older: "history/page/3/"},
			{Page: 3, Pages: 3, Newer: "history/page/2/"},
		}},
	}
	for _, tt := range tests {
		got := historyPages(mk(tt.n), loc, tt.perPage)
		if len(got) != len(tt.want) {
			t.Errorf("%d incidents, %d a page: got %d pages, want %d", tt.n, tt.perPage, len(got), len(tt.want))
			continue
		}
		total := 0
		for i, h := range got {
			w := tt.want[i]
			if h.Page != w.Page || h.Pages != w.Pages || h.Newer != w.Newer || h.Older != w.Older {
				t.Errorf("%d incidents, %d a page: got page %+v, want %+v", tt.n, tt.perPage, *h, w)
			}
			for _, m := range h.Months {
				total += len(m.Incidents)
			}
		}
		if total != tt.n {
			t.Errorf("%d incidents, %d a page: got %d listed, want all", tt.n, tt.perPage, total)
		}
	}
}

func TestByMonth(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) *incident.Incident {
		tm, _ := time.Parse(time.RFC3339, s)
		return &incident.Incident{Kind: incident.KindIncident, Started: tm}
	}
	// 2026-12-01T05:00Z is still November 30 in Los Angeles.
	ins := []*incident.Incident{at("2026-12-02T10:00:00Z"), at("2026-12-01T05:00:00Z"), at("2026-11-03T10:00:00Z"), at("2025-11-20T10:00:00Z")}
	got := byMonth(ins, la)
	want := []struct {
		month string
		n     int
	}{{"December 2026", 1}, {"November 2026", 2}, {"November 2025", 1}}
	if len(got) != len(want) {
		t.Fatalf("got %d months, want %d", len(got), len(want))
	}
	for i, w := range want {
		if m := got[i].Date.Format("January 2006"); m != w.month || len(got[i].Incidents) != w.n {
			t.Errorf("month %d: got %s with %d, want %s with %d", i, m, len(got[i].Incidents), w.month, w.n)
		}
	}
}

// TestOverridden tells a real override from a copy of the built-in theme,
// such as the example site's own templates/ folder.
func TestOverridden(t *testing.T) {
	builtin, err := fs.ReadFile(templates.FS, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		want bool
	}{
		{"copy", builtin, false},
		{"changed", append(slices.Clone(builtin), "\n<!-- mine -->"...), true},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "index.html"), tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		if got := newRenderer(t, dir).Overridden(); got != tt.want {
			t.Errorf("%s: got Overridden %v, want %v", tt.name, got, tt.want)
		}
	}
	if newRenderer(t, "").Overridden() {
		t.Error("the built-in theme reports an override")
	}
}
