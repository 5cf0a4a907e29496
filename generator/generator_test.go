package generator_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/feed"
	"github.com/herald-status/herald/history"
)

var exampleNow = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

// copySite copies the repository's example site into a temporary folder,
// so tests can change it.
func copySite(tb testing.TB) string {
	tb.Helper()
	dst := tb.TempDir()
	for _, rel := range []string{"herald.yaml", "incidents"} {
		src := filepath.Join("..", rel)
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			r, _ := filepath.Rel("..", p)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, r), 0o755)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, r), data, 0o644)
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return dst
}

// tree hashes every file under the folder out resolves to.
func tree(tb testing.TB, out string) map[string]string {
	tb.Helper()
	real, err := filepath.EvalSymlinks(out)
	if err != nil {
		tb.Fatal(err)
	}
	files := map[string]string{}
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(real, p)
		files[r] = fmt.Sprintf("%x", sha256.Sum256(data))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

func diffTrees(tb testing.TB, a, b map[string]string) {
	tb.Helper()
	for p, h := range a {
		if b[p] != h {
			tb.Errorf("%s differs", p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			tb.Errorf("%s appeared", p)
		}
	}
}

func build(tb testing.TB, site, out string, now time.Time) (*generator.Result, error) {
	tb.Helper()
	s, err := generator.Load(context.Background(), site, now)
	if err != nil {
		return nil, err
	}
	return generator.Build(context.Background(), s, generator.Options{Out: out, Now: now})
}

// TestBuildIsDeterministic builds the example twice, into two separate
// folders so nothing is carried over, and compares every byte.
func TestBuildIsDeterministic(t *testing.T) {
	site := copySite(t)
	outA, outB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	resA, err := build(t, site, outA, exampleNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := build(t, site, outB, exampleNow); err != nil {
		t.Fatal(err)
	}
	a, b := tree(t, outA), tree(t, outB)
	if len(a) != resA.Files || len(a) < 30 {
		t.Fatalf("got %d files on disk, %d reported; want the same, and a whole site", len(a), resA.Files)
	}
	diffTrees(t, a, b)

	// A minute later only the index and the API, which state the build
	// time, and the report of the month to date change.
	if _, err := build(t, site, outA, exampleNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	for p, h := range tree(t, outA) {
		name := strings.TrimPrefix(p, "de/") // the example's second language
		if changed := a[p] != h; changed != (name == "index.html" || strings.HasPrefix(name, "api/") || strings.HasPrefix(name, "reports/2026-11")) {
			t.Errorf("%s: changed %v a minute later, want changed only for index.html, api/ and reports/2026-11*, in either language", p, changed)
		}
	}
}

// TestFailedBuildKeepsPreviousSite breaks the site in the two ways a build
// can fail (an invalid incident, and a template that fails only on real
// data, after rendering has begun) and checks the published site is
// untouched, byte for byte.
func TestFailedBuildKeepsPreviousSite(t *testing.T) {
	site := copySite(t)
	out := filepath.Join(site, "public")
	if _, err := build(t, site, out, exampleNow); err != nil {
		t.Fatal(err)
	}
	before := tree(t, out)
	target, _ := os.Readlink(out)

	bad := filepath.Join(site, "incidents", "zz-bad.md")
	if err := os.WriteFile(bad, []byte("---\ntitle: x\ncomponents: {nope: major_outage}\nstarted: 2026-11-28 01:00\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := build(t, site, out, exampleNow.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), `unknown component "nope"`) {
		t.Fatalf("got %v, want the bad incident reported", err)
	}
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}

	// Passes the load-time check against sample data, fails on one real
	// incident page mid-build.
	tmpl := filepath.Join(site, "templates")
	if err := os.MkdirAll(tmpl, 0o755); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(filepath.Join("..", "templates", "incident.html"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(orig), `{{define "main"}}`, `{{define "main"}}{{if eq .Incident.Slug "2026-03-09-gallery-outage"}}{{index .Site.Links 99}}{{end}}`, 1)
	if broken == string(orig) {
		t.Fatal("could not break incident.html; has its main block moved?")
	}
	if err := os.WriteFile(filepath.Join(tmpl, "incident.html"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := build(t, site, out, exampleNow.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "incidents/2026-03-09-gallery-outage/index.html") {
		t.Fatalf("got %v, want a render error naming the page", err)
	}

	if got, _ := os.Readlink(out); got != target {
		t.Errorf("output now points at %s, want still %s", got, target)
	}
	diffTrees(t, before, tree(t, out))
	leftovers, _ := filepath.Glob(filepath.Join(site, ".public.herald", "tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("staging folders left behind: %v", leftovers)
	}
}

// TestPrometheusSource builds against a real HTTP server speaking the
// Prometheus query API: a component with a selector, and one with only a
// probe, which reads herald probe's own metric.
func TestPrometheusSource(t *testing.T) {
	var queries []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.FormValue("query"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		kind := "matrix" // query_range
		if strings.HasSuffix(r.URL.Path, "/query") {
			kind = "vector"
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":%q,"result":[]}}`, kind)
	}))
	defer srv.Close()
	site := t.TempDir()
	cfg := "title: T\nbase_url: https://s.example/\nhistory:\n  source: prometheus\n  prometheus: {url: '" + srv.URL + "'}\n" +
		"components:\n  - {id: api, name: API, prometheus: 'probe_success{instance=\"api\"}'}\n  - {id: web, name: Web, probe: {http: 'https://web.example/'}}\n  - {id: docs, name: Docs}\n"
	if err := os.WriteFile(filepath.Join(site, "herald.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := build(t, site, filepath.Join(site, "public"), exampleNow); err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(queries, "\n")
	for _, want := range []string{`probe_success{instance="api"}`, `herald_probe_success{component="web"}`} {
		if !strings.Contains(joined, want) {
			t.Errorf("no query for %s in:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "docs") {
		t.Errorf("queried an unmonitored component:\n%s", joined)
	}
}

// TestBuildLeavesHistoryAlone checks, with a real fsnotify watcher, that a
// build reads the history store without writing its files: herald watch
// rebuilds when they are written, so a build that wrote them would rebuild
// forever.
func TestBuildLeavesHistoryAlone(t *testing.T) {
	site := copySite(t)
	db := filepath.Join(site, "data", "history.db")
	st, err := history.Open(db, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Record(context.Background(), []history.Result{{Component: "website", Time: exampleNow.Add(-time.Minute), OK: true, LatencyMS: 80}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// A reader of a WAL database may create the empty side files once, if
	// the last writer removed them; after that, nothing may change.
	if _, err := build(t, site, filepath.Join(site, "public"), exampleNow); err != nil {
		t.Fatal(err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Add(filepath.Dir(db)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := build(t, site, filepath.Join(site, "public"), exampleNow); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // let the kernel deliver what it has
	for {
		select {
		case ev := <-w.Events:
			if (ev.Name == db || ev.Name == db+"-wal") && ev.Has(fsnotify.Write|fsnotify.Create) {
				t.Errorf("a build wrote the history store: %v", ev)
			}
			continue
		case err := <-w.Errors:
			t.Fatal(err)
		default:
		}
		break
	}
	page, err := os.ReadFile(filepath.Join(site, "public", "components", "website", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(page), "No data") {
		t.Error("the build did not read the recorded result")
	}
}

// TestIncidentFromTheFuture checks that an incident starting more than
// five minutes after the clock is an error, named at its started key, for
// Load (so for check and build) and for a Builder's rebuilds (so for the
// watcher), which leave the last good site published; and that the same
// file builds once the clock has passed its start.
func TestIncidentFromTheFuture(t *testing.T) {
	site := copySite(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "out")
	b := generator.NewBuilder(site, out)
	if _, err := b.Build(ctx, exampleNow); err != nil {
		t.Fatal(err)
	}
	good := tree(t, out)
	// exampleNow is 07:00 PST: a typo puts a live outage on the next day.
	file := filepath.Join(site, "incidents", "2026-11-28-api-down.md")
	src := "---\ntitle: API down\ncomponents: {website: major_outage}\nstarted: 2026-11-29 06:40\n---\nDown.\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	const want = "incidents/2026-11-28-api-down.md:4:1: started (2026-11-29 06:40 PST) is after the clock (2026-11-28 07:00 PST) (check the date for a typo; for planned work, write `type: maintenance` with scheduled_start and scheduled_end)"
	tests := []struct {
		name string
		run  func() error
	}{
		{"Load", func() error {
			_, err := generator.Load(ctx, site, exampleNow)
			return err
		}},
		{"Builder.Build, scanning everything", func() error {
			_, err := b.Build(ctx, exampleNow)
			return err
		}},
		{"Builder.Build, told what changed", func() error {
			b.Changed([]string{"incidents/2026-11-28-api-down.md"})
			_, err := b.Build(ctx, exampleNow)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil || err.Error() != want {
				t.Errorf("got error %v, want %s", err, want)
			}
			diffTrees(t, tree(t, out), good)
		})
	}
	if _, err := b.Build(ctx, exampleNow.Add(24*time.Hour)); err != nil {
		t.Errorf("a day later: got %v, want the site built", err)
	}
}

// TestLostIncidents removes incidents/ from a site that published
// incidents: Build and a Builder refuse, naming the folder, and the
// published site stays; an empty folder, or a site that never published
// an incident, builds.
func TestLostIncidents(t *testing.T) {
	builds := map[string]func(tb testing.TB, site, out string) (*generator.Result, error){
		"Build": func(tb testing.TB, site, out string) (*generator.Result, error) {
			return build(tb, site, out, exampleNow)
		},
		"Builder": func(tb testing.TB, site, out string) (*generator.Result, error) {
			return generator.NewBuilder(site, out).Build(context.Background(), exampleNow)
		},
	}
	for name, build := range builds {
		t.Run(name, func(t *testing.T) {
			site := copySite(t)
			out := filepath.Join(t.TempDir(), "www")
			if _, err := build(t, site, out); err != nil {
				t.Fatal(err)
			}
			before := tree(t, out)
			if err := os.RemoveAll(filepath.Join(site, "incidents")); err != nil {
				t.Fatal(err)
			}
			_, err := build(t, site, out)
			var d *diag.Error
			if !errors.As(err, &d) || d.File != "incidents" || !strings.Contains(d.Msg, "folder is missing, but the site published at "+out+" has") {
				t.Fatalf("got %v, want incidents:1:1: folder is missing …", err)
			}
			diffTrees(t, before, tree(t, out))

			if err := os.Mkdir(filepath.Join(site, "incidents"), 0o755); err != nil {
				t.Fatal(err)
			}
			if res, err := build(t, site, out); err != nil || res.Incidents != 0 {
				t.Fatalf("with an empty incidents/: got %v, %v; want 0 incidents", res, err)
			}

			fresh := t.TempDir()
			data, err := os.ReadFile(filepath.Join(site, "herald.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(fresh, "herald.yaml"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := build(t, fresh, filepath.Join(fresh, "public")); err != nil {
				t.Fatalf("a new site without incidents/: got %v, want it built", err)
			}
		})
	}
}

// TestFilesLongestFirst: the reports' CSV and JSON, after the pages the
// files that take longest each, are handed out to render first, not
// last, where a core sat idle while the other finished them.
func TestFilesLongestFirst(t *testing.T) {
	ctx := context.Background()
	s, err := generator.Load(ctx, "..", exampleNow)
	if err != nil {
		t.Fatal(err)
	}
	files, err := s.Files(ctx, exampleNow)
	if err != nil {
		t.Fatal(err)
	}
	firstOther, lastData := -1, -1
	for i, f := range files {
		data := strings.HasPrefix(f.Path, "reports/") && (strings.HasSuffix(f.Path, ".csv") || strings.HasSuffix(f.Path, ".json"))
		switch {
		case data:
			lastData = i
		case firstOther < 0:
			firstOther = i
		}
	}
	if lastData < 0 {
		t.Fatal("got no report data files, want a CSV and a JSON a month")
	}
	if lastData > firstOther {
		t.Errorf("got a report's data at %d of %d files, after %s at %d; want every report's data before the other files", lastData, len(files), files[firstOther].Path, firstOther)
	}

	// A feed takes a few milliseconds, and the second of two feeds that
	// list an incident waits for the first to build its item: at the end
	// of the list, they left a core idle.
	snap, err := s.Snapshot(ctx, exampleNow)
	if err != nil {
		t.Fatal(err)
	}
	feeds := map[string]bool{}
	for _, f := range feed.Files(snap) {
		feeds[f.Path] = true
	}
	lastFeed, firstPage := -1, -1
	for i, f := range files {
		switch {
		case feeds[f.Path]:
			lastFeed = i
		case firstPage < 0 && strings.HasSuffix(f.Path, ".html"):
			firstPage = i
		}
	}
	if lastFeed < 0 || firstPage < 0 {
		t.Fatalf("got last feed at %d, first page at %d; want both", lastFeed, firstPage)
	}
	if lastFeed > firstPage {
		t.Errorf("got %s at %d of %d files, after the page %s at %d; want every feed before the pages", files[lastFeed].Path, lastFeed, len(files), files[firstPage].Path, firstPage)
	}
}
