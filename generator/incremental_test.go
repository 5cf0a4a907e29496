package generator_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/history"
)

var (
	incrementalSeed  = flag.Uint64("incremental.seed", 1, "seed of TestBuilderMatchesFullBuild's edits")
	incrementalSteps = flag.Int("incremental.steps", 60, "edits in TestBuilderMatchesFullBuild")
)

var exampleComponents = []string{"website", "package-feed", "search", "publishing", "cdn", "accounts"}

// randomIncident writes a valid incident or maintenance file, dated around
// the example's clock so that phases change as the test's clock moves.
func randomIncident(r *rand.Rand, title string, now time.Time) string {
	// Within a day of now either way (an incident's start at most now),
	// so that the clock's moves flip phases and status words of incidents
	// whose files do not change.
	start := now.In(time.FixedZone("PST", -8*3600)).Truncate(time.Hour).Add(time.Duration(r.IntN(48)-24) * time.Hour).Add(time.Duration(r.IntN(4)) * 15 * time.Minute)
	var comps []string
	for _, i := range r.Perm(len(exampleComponents))[:1+r.IntN(2)] {
		comps = append(comps, exampleComponents[i])
	}
	const layout = "2006-01-02 15:04"
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: %s\n", title)
	body := fmt.Sprintf("Summary %d of %s.\n", r.IntN(1000), title)
	if r.IntN(3) == 0 {
		end := start.Add(time.Duration(1+r.IntN(6)) * time.Hour)
		fmt.Fprintf(&b, "type: maintenance\ncomponents: [%s]\nscheduled_start: %s\nscheduled_end: %s\n---\n%s",
			strings.Join(comps, ", "), start.Format(layout), end.Format(layout), body)
		fmt.Fprintf(&b, "\n## %s PST — Scheduled\nWe will do maintenance %d.\n", start.Add(-48*time.Hour).Format(layout), r.IntN(100))
		return b.String()
	}
	statuses := []string{"degraded_performance", "partial_outage", "major_outage"}
	b.WriteString("components:\n")
	for _, c := range comps {
		fmt.Fprintf(&b, "  %s: %s\n", c, statuses[r.IntN(len(statuses))])
	}
	if start.After(now) {
		start = start.Add(-24 * time.Hour) // an incident cannot start in the future
	}
	fmt.Fprintf(&b, "started: %s\n", start.Format(layout))
	resolved := r.IntN(2) == 0
	end := start.Add(time.Duration(1+r.IntN(10)) * time.Hour)
	if resolved {
		fmt.Fprintf(&b, "resolved: %s\n", end.Format(layout))
	}
	fmt.Fprintf(&b, "---\n%s", body)
	if resolved {
		fmt.Fprintf(&b, "\n## %s PST — Resolved\nFixed %d.\n", end.Format(layout), r.IntN(100))
	}
	fmt.Fprintf(&b, "\n## %s PST — Investigating\nLooking at it %d.\n", start.Add(10*time.Minute).Format(layout), r.IntN(100))
	return b.String()
}

// TestBuilderMatchesFullBuild applies a seeded random sequence of edits to
// a site (add, edit, delete and rename incidents, break and fix one, change
// the config and the theme, move the clock) and after each compares what
// the incremental Builder published with a clean full build of the same
// files at the same clock, byte for byte, manifest included.
func TestBuilderMatchesFullBuild(t *testing.T) {
	site := copySite(t)
	seed := *incrementalSeed
	r := rand.New(rand.NewPCG(seed, 0))
	ctx := context.Background()
	incOut := filepath.Join(t.TempDir(), "inc")
	b := generator.NewBuilder(site, incOut)
	now := exampleNow
	dir := filepath.Join(site, "incidents")
	// changed lists what a step touched, as a watcher would report it;
	// every other build tells the Builder (Changed), so that both its
	// full scan and its rescan of the changed paths are checked.
	var changed []string
	touched := func(p string) {
		rel, err := filepath.Rel(site, p)
		if err != nil {
			t.Fatal(err)
		}
		changed = append(changed, filepath.ToSlash(rel))
	}
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(site, rel)
		touched(p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	list := func() []string {
		var out []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
				out = append(out, p)
			}
			return nil
		})
		return out
	}
	cfg0, err := os.ReadFile(filepath.Join(site, "herald.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	css, err := os.ReadFile(filepath.Join("..", "templates", "style.css"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join("..", "templates", "404.html"))
	if err != nil {
		t.Fatal(err)
	}
	broken := ""
	var totalReused int
	for step := range *incrementalSteps {
		var op string
		changed = nil
		switch k := r.IntN(100); {
		case k < 25:
			op = "add"
			sub := ""
			if r.IntN(4) == 0 {
				sub = fmt.Sprintf("y%d/", r.IntN(3))
				touched(filepath.Join(dir, sub))
			}
			n := r.IntN(1_000_000)
			write(fmt.Sprintf("incidents/%s2026-r%06d.md", sub, n), randomIncident(r, fmt.Sprintf("Random incident %d", n), now))
		case k < 45:
			op = "edit"
			files := list()
			p := files[r.IntN(len(files))]
			data, _ := os.ReadFile(p)
			s := string(data)
			if r.IntN(2) == 0 {
				s = strings.Replace(s, "title: ", fmt.Sprintf("title: Edited %d ", r.IntN(100)), 1)
			} else {
				s += fmt.Sprintf("\nMore detail %d.\n", r.IntN(100))
			}
			if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
			touched(p)
		case k < 55:
			op = "delete"
			if files := list(); len(files) > 3 {
				p := files[r.IntN(len(files))]
				os.Remove(p)
				touched(p)
			}
		case k < 63:
			op = "rename"
			files := list()
			p := files[r.IntN(len(files))]
			q := filepath.Join(filepath.Dir(p), fmt.Sprintf("renamed-%d.md", r.IntN(1_000_000)))
			if err := os.Rename(p, q); err != nil {
				t.Fatal(err)
			}
			touched(p)
			touched(q)
		case k < 80:
			op = "clock"
			now = now.Add(time.Duration(r.IntN(6*60)) * time.Minute)
		case k < 85:
			op = "config"
			s := string(cfg0)
			switch r.IntN(4) {
			case 0:
				s = strings.Replace(s, "title: Parcel Gallery Status", fmt.Sprintf("title: Gallery Status %d", r.IntN(100)), 1)
			case 1:
				s = strings.Replace(s, "items: 50", fmt.Sprintf("items: %d", 1+r.IntN(10)), 1)
			case 2:
				s = strings.Replace(s, "America/Los_Angeles", "Europe/Berlin", 1)
			case 3:
				// Only the subscribe page shows it.
				s += fmt.Sprintf("subscribe:\n  email_url: https://lists.example.com/join/%d\n", r.IntN(100))
			}
			write("herald.yaml", s)
		case k < 88:
			op = "theme"
			switch r.IntN(3) {
			case 0:
				write("templates/style.css", string(css)+fmt.Sprintf("\n/* %d */\n", r.IntN(100)))
			case 1:
				write("templates/404.html", strings.Replace(string(page), "Page not found</h1>", fmt.Sprintf("Lost %d</h1>", r.IntN(100)), 1))
			default:
				os.RemoveAll(filepath.Join(site, "templates"))
			}
		case k < 94 && broken == "":
			op = "break"
			broken = fmt.Sprintf("incidents/zz-broken-%d.md", step)
			write(broken, "---\ntitle: x\ncomponents: {nope: major_outage}\nstarted: 2026-11-28 01:00\n---\n")
		default:
			op = "fix"
			if broken != "" {
				os.Remove(filepath.Join(site, broken))
				touched(filepath.Join(site, broken))
				broken = ""
			}
		}

		if step%2 == 1 {
			b.Changed(changed)
		}
		res, incErr := b.Build(ctx, now)
		s, fullErr := generator.Load(ctx, site, now)
		var fullOut string
		if fullErr == nil {
			fullOut = filepath.Join(t.TempDir(), "full")
			_, fullErr = generator.Build(ctx, s, generator.Options{Out: fullOut, Now: now})
		}
		if (incErr == nil) != (fullErr == nil) || incErr != nil && incErr.Error() != fullErr.Error() {
			t.Fatalf("seed %d step %d (%s): incremental build: %v; full build: %v", seed, step, op, incErr, fullErr)
		}
		if broken != "" && incErr == nil {
			t.Fatalf("seed %d step %d (%s): a broken incident built", seed, step, op)
		}
		if incErr != nil {
			continue
		}
		totalReused += res.Reused
		a, full := tree(t, incOut), tree(t, fullOut)
		diffTrees(t, a, full)
		if t.Failed() {
			t.Fatalf("seed %d step %d (%s): incremental output differs from a full build", seed, step, op)
		}
		if res.Rendered+res.Reused+1 != res.Files {
			t.Fatalf("step %d: rendered %d + reused %d + manifest != %d files", step, res.Rendered, res.Reused, res.Files)
		}
	}
	if totalReused == 0 {
		t.Errorf("no file was ever reused: the cache does nothing")
	}
}

// TestBuilderRendersOnlyWhatChanged pins the dependency rules on the
// example: an edit to one resolved incident re-renders that incident's
// page, the index, its archive page, its components' pages and the feeds
// that list it, and nothing else.
func TestBuilderRendersOnlyWhatChanged(t *testing.T) {
	site := copySite(t)
	ctx := context.Background()
	b := generator.NewBuilder(site, filepath.Join(t.TempDir(), "out"))
	first, err := b.Build(ctx, exampleNow)
	if err != nil {
		t.Fatal(err)
	}
	if first.Reused != 0 {
		t.Fatalf("first build reused %d files, want 0", first.Reused)
	}
	again, err := b.Build(ctx, exampleNow)
	if err != nil {
		t.Fatal(err)
	}
	// Always rendered: the index, the stylesheet, the favicon and the
	// script; the 10 API files; the calendar; and de/'s index, assets and
	// calendar. Badges have a Key that did not change.
	const always = 4 + 10 + 1 + 5
	if again.Rendered != always || again.Written != 0 {
		t.Errorf("unchanged rebuild: rendered %d, wrote %d; want %d and 0", again.Rendered, again.Written, always)
	}
	p := filepath.Join(site, "incidents", "2026-09-08-search-latency.md")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(data, "\nOne more line.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := b.Build(ctx, exampleNow)
	if err != nil {
		t.Fatal(err)
	}
	// incident page + history page + 1 component page (search) + its 3
	// feeds + 3 site feeds + its month's report, CSV and JSON, the same
	// in de/ but the CSV and JSON, which exist once + what is always
	// rendered. Not the reports index: the edit changed no figure.
	if want := 2*(1+1+1+3+3+1) + 2 + always; res.Rendered != want {
		t.Errorf("after one edit: rendered %d, want %d", res.Rendered, want)
	}
}

// TestBuilderTimerTick: a rebuild at a later clock with no file changed,
// as herald watch's timer does it, renders what is always rendered and
// the month to date's report (page, CSV and JSON), whose figures run to
// the clock. The reports index shows each month's uptime, not the clock,
// so it is rendered again only when a figure it prints changes.
func TestBuilderTimerTick(t *testing.T) {
	const always = 4 + 10 + 1 + 5 // as in TestBuilderRendersOnlyWhatChanged
	for _, tc := range []struct {
		name  string
		later time.Duration
		want  int
	}{
		{"the same clock", 0, always},
		{"a minute later", time.Minute, always + 3 + 1}, // and de/'s report page
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			b := generator.NewBuilder(copySite(t), filepath.Join(t.TempDir(), "out"))
			if _, err := b.Build(ctx, exampleNow); err != nil {
				t.Fatal(err)
			}
			res, err := b.Build(ctx, exampleNow.Add(tc.later))
			if err != nil {
				t.Fatal(err)
			}
			if res.Rendered != tc.want {
				t.Errorf("got %d files rendered, want %d", res.Rendered, tc.want)
			}
		})
	}
}

// TestBuilderRecyclesVersions checks that from the third build on, a
// Builder turns the version before the published one into the next
// version, so an edit writes a handful of files instead of the whole site,
// and that what it publishes is still the whole site.
func TestBuilderRecyclesVersions(t *testing.T) {
	site := copySite(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "out")
	b := generator.NewBuilder(site, out)
	var last *generator.Result
	p := filepath.Join(site, "incidents", "2026-09-08-search-latency.md")
	for i := range 4 {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, fmt.Appendf(data, "\nEdit %d.\n", i), 0o644); err != nil {
			t.Fatal(err)
		}
		if last, err = b.Build(ctx, exampleNow); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if last.Kept != 0 {
				t.Errorf("build %d kept %d files of a recycled version; there is none yet", i+1, last.Kept)
			}
			continue
		}
		// The edited page, and what lists or counts it, changed.
		if last.Kept < last.Files/2 || last.Written > 20 {
			t.Errorf("build %d: written %d, linked %d, kept %d of %d files; want most kept", i+1, last.Written, last.Linked, last.Kept, last.Files)
		}
	}
	entries, err := os.ReadDir(filepath.Join(filepath.Dir(out), ".out.herald"))
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() {
			versions = append(versions, e.Name())
		}
	}
	if len(versions) != 2 {
		t.Errorf("versions on disk: %v, want the published one and the one before", versions)
	}
	clean := filepath.Join(t.TempDir(), "clean")
	s, err := generator.Load(ctx, site, exampleNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := generator.Build(ctx, s, generator.Options{Out: clean, Now: exampleNow}); err != nil {
		t.Fatal(err)
	}
	diffTrees(t, tree(t, out), tree(t, clean))
}

// TestBuilderWithProbesMatchesFullBuild checks the fingerprints of probe
// data (bars, uptime, latency, staleness): a Builder over a site with a
// history store must publish what a full build does while results arrive
// in order and out of order and the clock moves by minutes, hours and days.
func TestBuilderWithProbesMatchesFullBuild(t *testing.T) {
	site := copySite(t)
	db := filepath.Join(site, "data", "history.db")
	opts := history.Options{Components: map[string]history.ComponentOptions{}}
	for _, id := range []string{"website", "package-feed", "search"} {
		opts.Components[id] = history.ComponentOptions{Interval: 5 * time.Minute, Confirm: 2}
	}
	record := func(rs []history.Result) {
		t.Helper()
		st, err := history.Open(db, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.Record(context.Background(), rs); err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(3, 0))
	results := func(from, to time.Time) []history.Result {
		var rs []history.Result
		for at := from; at.Before(to); at = at.Add(5 * time.Minute) {
			for id := range opts.Components {
				rs = append(rs, history.Result{Component: id, Time: at, OK: r.IntN(50) != 0, LatencyMS: float64(40 + r.IntN(400))})
			}
		}
		return rs
	}
	now := exampleNow
	record(results(now.Add(-72*time.Hour), now))

	ctx := context.Background()
	incOut := filepath.Join(t.TempDir(), "inc")
	b := generator.NewBuilder(site, incOut)
	steps := []struct {
		name string
		do   func()
	}{
		{"first build", func() {}},
		{"a minute later", func() { now = now.Add(time.Minute) }},
		{"new results now", func() { record(results(now.Add(-10*time.Minute), now)) }},
		{"a late result two days ago", func() {
			record([]history.Result{{Component: "search", Time: now.Add(-49*time.Hour + 2*time.Minute), OK: false, LatencyMS: 9000}})
		}},
		{"two hours later, no results", func() { now = now.Add(2 * time.Hour) }},
		{"results again", func() { record(results(now.Add(-2*time.Hour), now)) }},
		{"a day later", func() { now = now.Add(24 * time.Hour) }},
		// The Builder keeps the store open across builds: it must see
		// that the file is gone, and then that it is another.
		{"the store removed", func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(db + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
					t.Fatal(err)
				}
			}
		}},
		{"a new store", func() { record(results(now.Add(-5*time.Hour), now)) }},
	}
	t.Cleanup(func() { b.Close() })
	for _, step := range steps {
		step.do()
		res, err := b.Build(ctx, now)
		if err != nil {
			t.Fatalf("%s: incremental build: %v", step.name, err)
		}
		full := filepath.Join(t.TempDir(), "full")
		if _, err := build(t, site, full, now); err != nil {
			t.Fatalf("%s: full build: %v", step.name, err)
		}
		diffTrees(t, tree(t, incOut), tree(t, full))
		if t.Failed() {
			t.Fatalf("%s: incremental output differs from a full build (rendered %d, reused %d)", step.name, res.Rendered, res.Reused)
		}
	}
}

// TestBuilderKeepsStoreOpen checks that a Builder keeps its history store
// open from one build to the next, as opening and closing it at each
// build cost a timer tick more than reading it, and that Close closes it.
func TestBuilderKeepsStoreOpen(t *testing.T) {
	site := copySite(t)
	db := filepath.Join(site, "data", "history.db")
	st, err := history.Open(db, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Record(context.Background(), []history.Result{{Component: "website", Time: exampleNow.Add(-time.Minute), OK: true, LatencyMS: 80}})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	b := generator.NewBuilder(site, filepath.Join(t.TempDir(), "out"))
	defer b.Close()
	steps := []struct {
		name string
		do   func() error
		open bool // db open after it (once a connection of the store)
	}{
		{"built", func() error { _, err := b.Build(context.Background(), exampleNow); return err }, true},
		{"built again", func() error { _, err := b.Build(context.Background(), exampleNow.Add(time.Minute)); return err }, true},
		{"closed", b.Close, false},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if n := openFiles(t, db); (n > 0) != step.open {
			t.Errorf("%s: got %s open %d times, want open %v", step.name, db, n, step.open)
		}
	}
}

// openFiles counts this process's open files at path (Linux's /proc).
func openFiles(t *testing.T, path string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc to count open files: %v", err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && target == path {
			n++
		}
	}
	return n
}

// TestBuilderRewritesWordsOfTheSite checks that an edit of the site's own
// catalog, i18n/<locale>.yaml, which is not part of herald.yaml, reaches
// every page it words: the Builder publishes what a full build does after
// each edit, and the pages carry the new word.
func TestBuilderRewritesWordsOfTheSite(t *testing.T) {
	// The example's second language is de: its pages are under de/.
	site := copySite(t)
	if err := os.MkdirAll(filepath.Join(site, "i18n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "out")
	b := generator.NewBuilder(site, out)
	if _, err := b.Build(ctx, exampleNow); err != nil {
		t.Fatal(err)
	}
	catalog := filepath.Join(site, "i18n", "de.yaml")
	steps := []struct {
		name, catalog, word string
	}{
		{"a word fixed", "page.history: Chronik\n", "Chronik"},
		{"the word fixed again", "page.history: Archiv\n", "Archiv"},
		{"a word of the feeds fixed", "feed.maintenance_prefix: \"Wartungsfenster: {title}\"\n", "Verlauf"},
		{"the file removed", "", "Verlauf"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var err error
			if st.catalog == "" {
				err = os.Remove(catalog)
			} else {
				err = os.WriteFile(catalog, []byte(st.catalog), 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Build(ctx, exampleNow); err != nil {
				t.Fatal(err)
			}
			clean := filepath.Join(t.TempDir(), "clean")
			s, err := generator.Load(ctx, site, exampleNow)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := generator.Build(ctx, s, generator.Options{Out: clean, Now: exampleNow}); err != nil {
				t.Fatal(err)
			}
			diffTrees(t, tree(t, out), tree(t, clean))
			for _, p := range []string{"de/history/index.html", "de/components/search/index.html", "de/404.html"} {
				page, err := os.ReadFile(filepath.Join(out, p))
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(page), `>`+st.word+`</a>`) {
					t.Errorf("%s: got no link worded %q, want the site's word", p, st.word)
				}
			}
		})
	}
}

// TestBuilderRendersOnlyTheTranslatedLanguage: an edit of a translation,
// x.de.md, renders again the German files that show it and no file of
// the other language: each page's Key holds its incident's SumFor its
// language. The files rendered are the ones always rendered and the
// German files that carry the edited title.
func TestBuilderRendersOnlyTheTranslatedLanguage(t *testing.T) {
	const always = 4 + 10 + 1 + 5 // as in TestBuilderRendersOnlyWhatChanged
	site := copySite(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "out")
	b := generator.NewBuilder(site, out)
	if _, err := b.Build(ctx, exampleNow); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(site, "incidents", "2026-03-09-gallery-outage.de.md")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	const title = "Galerie nach Neustart nicht erreichbar"
	edited := strings.Replace(string(data), "Galerie, Paket-Feed und API nach Neustart der Hosts nicht erreichbar", title, 1)
	if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := b.Build(ctx, exampleNow)
	if err != nil {
		t.Fatal(err)
	}
	var showing []string
	for f := range tree(t, out) {
		page, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(page), title) {
			showing = append(showing, f)
			if !strings.HasPrefix(f, "de/") {
				t.Errorf("got the German title in %s, want it only under de/", f)
			}
		}
	}
	if len(showing) < 5 {
		t.Fatalf("got the edited title in %d files (%v), want it on the German pages and feeds", len(showing), showing)
	}
	if want := always + len(showing); res.Rendered != want {
		t.Errorf("got %d files rendered, want %d: what is always rendered and the %d German files that show the translation", res.Rendered, want, len(showing))
	}
}
