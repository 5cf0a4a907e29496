package incident_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
)

// TestScannerReadsOnlyChangedFiles checks the Scanner's memory: an old,
// unchanged file keeps its very bytes in memory; a changed one is read
// again even when its size and modification time were put back; and a
// file modified just now is read again at every scan.
func TestScannerReadsOnlyChangedFiles(t *testing.T) {
	site := t.TempDir()
	dir := filepath.Join(site, incident.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	write := func(name, text string, mtime time.Time) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	write("a.md", "aaaa", old)
	write("b.md", "bbbb", old)
	write("c.md", "cccc", time.Now())

	sc := incident.NewScanner(site)
	scan := func() map[string][]byte {
		t.Helper()
		srcs, err := sc.Scan()
		if err != nil {
			t.Fatal(err)
		}
		m := map[string][]byte{}
		for _, s := range srcs {
			m[s.Slug] = s.Data
		}
		return m
	}
	same := func(a, b []byte) bool { return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0] }

	first := scan()
	write("b.md", "BBBB", old) // same size, same mtime, new content
	second := scan()
	if !same(first["a"], second["a"]) {
		t.Error("a.md did not change, yet it was read again")
	}
	if runtime.GOOS == "linux" && string(second["b"]) != "BBBB" {
		// Elsewhere only size and mtime tell, and both were put back.
		t.Errorf("b.md changed, with its size and mtime put back: got %q, want the new bytes", second["b"])
	}
	if same(first["c"], second["c"]) {
		t.Error("c.md was modified within the last second, yet it was not read again")
	}
	write("a.md", "a longer text", old)
	if got := scan()["a"]; string(got) != "a longer text" {
		t.Errorf("a.md grew: got %q", got)
	}
	if err := os.Remove(filepath.Join(dir, "b.md")); err != nil {
		t.Fatal(err)
	}
	if _, ok := scan()["b"]; ok {
		t.Error("b.md was removed, yet the scan still returns it")
	}
}

// TestRescanMatchesScan makes the changes a watcher reports (a new folder,
// an edit, a removal, a rename, a bad file, a hidden file, a symlink's
// target changed with no event on the link) and checks that Rescan of
// the reported paths returns what a fresh Scan of everything returns.
func TestRescanMatchesScan(t *testing.T) {
	site := t.TempDir()
	dir := filepath.Join(site, incident.Dir)
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(site, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("incidents/a.md", "a")
	write("incidents/2026/b.md", "b")
	write("incidents/2026/c.md", "c")
	write("shared/d.md", "d")
	if err := os.Symlink(filepath.Join("..", "shared", "d.md"), filepath.Join(dir, "d.md")); err != nil {
		t.Fatal(err)
	}
	sc := incident.NewScanner(site)
	if _, err := sc.Scan(); err != nil {
		t.Fatal(err)
	}

	write("incidents/a.md", "a, edited")
	write("incidents/2027/e.md", "e, in a new folder")
	write("incidents/2027/f.md", "f, in it too")
	if err := os.Remove(filepath.Join(dir, "2026", "b.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "2026", "c.md"), filepath.Join(dir, "2026", "c2.md")); err != nil {
		t.Fatal(err)
	}
	write("incidents/bad.md", "\xff\xfe not UTF-8")
	write("incidents/2026/e.md", "a second e: a duplicate slug")
	write("incidents/.hidden.md", "hidden")
	write("shared/d.md", "d, edited through its target") // no event for incidents/d.md
	changed := []string{
		"incidents/a.md", "incidents/2027", "incidents/2026/b.md",
		"incidents/2026/c.md", "incidents/2026/c2.md", "incidents/bad.md",
		"incidents/2026/e.md", "incidents/.hidden.md", "herald.yaml",
	}
	got, gotErr := sc.Rescan(changed)
	want, wantErr := incident.NewScanner(site).Scan()
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Errorf("Rescan error:\n%v\nScan error:\n%v", gotErr, wantErr)
	}
	if wantErr == nil || !strings.Contains(wantErr.Error(), "bad.md") || !strings.Contains(wantErr.Error(), "duplicate slug") {
		t.Errorf("Scan should report bad.md and the duplicate slug, got %v", wantErr)
	}
	show := func(srcs []incident.Source) string {
		var b strings.Builder
		for _, s := range srcs {
			fmt.Fprintf(&b, "%s %s %q\n", s.File, s.Slug, s.Data)
		}
		return b.String()
	}
	if show(got) != show(want) {
		t.Errorf("Rescan:\n%s\nScan:\n%s", show(got), show(want))
	}
}

// makeSite writes files (by slash-separated path relative to the site
// folder) and symlinks (path: target, the target as written in the link)
// into a new site folder and returns it.
func makeSite(tb testing.TB, files, links map[string]string) string {
	tb.Helper()
	site := tb.TempDir()
	mkdir := func(p string) {
		tb.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	for rel, text := range files {
		p := filepath.Join(site, filepath.FromSlash(rel))
		mkdir(p)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	for rel, target := range links {
		p := filepath.Join(site, filepath.FromSlash(rel))
		mkdir(p)
		if err := os.Symlink(filepath.FromSlash(target), p); err != nil {
			tb.Fatal(err)
		}
	}
	return site
}

// showSources lists sources one a line, as "file slug data".
func showSources(srcs []incident.Source) string {
	var b strings.Builder
	for _, s := range srcs {
		fmt.Fprintf(&b, "%s %s %q\n", s.File, s.Slug, s.Data)
	}
	return b.String()
}

// TestScanFolderLinks checks the incidents folder itself and the folders
// in it when they are symlinks: one that stays inside the site folder is
// followed and its files are named under the link, one that leaves it, is
// broken or loops is an error; and an incidents/ that is not a folder is
// an error, never a site with no incidents.
func TestScanFolderLinks(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "x.md"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		files   map[string]string
		links   map[string]string
		want    string   // showSources of what is found
		wantErr []string // prefixes of the error's lines; none for no error
	}{{
		name:  "no incidents folder",
		files: map[string]string{"herald.yaml": ""},
	}, {
		name:  "incidents links to a folder inside the site",
		files: map[string]string{"content/incidents/a.md": "a", "content/incidents/2026/b.md": "b"},
		links: map[string]string{"incidents": "content/incidents"},
		want:  "incidents/2026/b.md b \"b\"\nincidents/a.md a \"a\"\n",
	}, {
		name:    "incidents links outside the site",
		links:   map[string]string{"incidents": outside},
		wantErr: []string{"incidents:1:1: symlink points outside the site folder, to " + outside},
	}, {
		name:    "incidents is a broken link",
		links:   map[string]string{"incidents": "content/incidents"},
		wantErr: []string{"incidents:1:1: broken symlink"},
	}, {
		name:    "incidents is a file",
		files:   map[string]string{"incidents": "a.md\n"},
		wantErr: []string{"incidents:1:1: not a folder (incident files go in a folder named incidents)"},
	}, {
		name:    "incidents links to a file",
		files:   map[string]string{"content/incidents.md": "a"},
		links:   map[string]string{"incidents": "content/incidents.md"},
		wantErr: []string{"incidents:1:1: not a folder"},
	}, {
		name:  "a folder link inside the site",
		files: map[string]string{"incidents/a.md": "a", "archive/2025/b.md": "b"},
		links: map[string]string{"incidents/2025": "../archive/2025"},
		want:  "incidents/2025/b.md b \"b\"\nincidents/a.md a \"a\"\n",
	}, {
		name:  "a folder link inside a linked folder",
		files: map[string]string{"content/incidents/a.md": "a", "archive/2025/b.md": "b"},
		links: map[string]string{"incidents": "content/incidents", "content/incidents/old": "../../archive"},
		want:  "incidents/a.md a \"a\"\nincidents/old/2025/b.md b \"b\"\n",
	}, {
		name:    "a folder link outside the site",
		files:   map[string]string{"incidents/a.md": "a"},
		links:   map[string]string{"incidents/old": outside},
		want:    "incidents/a.md a \"a\"\n",
		wantErr: []string{"incidents/old:1:1: symlink points outside the site folder, to " + outside},
	}, {
		name:    "a broken folder link",
		files:   map[string]string{"incidents/a.md": "a"},
		links:   map[string]string{"incidents/old": "../archive"},
		want:    "incidents/a.md a \"a\"\n",
		wantErr: []string{"incidents/old:1:1: broken symlink"},
	}, {
		name:    "a link to the incidents folder",
		files:   map[string]string{"incidents/a.md": "a"},
		links:   map[string]string{"incidents/again": "."},
		want:    "incidents/a.md a \"a\"\n",
		wantErr: []string{"incidents/again:1:1: symlink loop"},
	}, {
		name:    "a link to the site folder",
		files:   map[string]string{"incidents/a.md": "a"},
		links:   map[string]string{"incidents/2026/site": "../.."},
		want:    "incidents/a.md a \"a\"\n",
		wantErr: []string{"incidents/2026/site:1:1: symlink loop"},
	}, {
		name:    "two links in a loop",
		files:   map[string]string{"incidents/a/x.md": "x"},
		links:   map[string]string{"incidents/a/b": "../b", "incidents/b/a": "../a"},
		want:    "incidents/a/x.md x \"x\"\nincidents/b/a/x.md x \"x\"\n",
		wantErr: []string{"incidents/a/b/a:1:1: symlink loop", "incidents/b/a/b:1:1: symlink loop", `incidents/b/a/x.md:1:1: duplicate slug "x"`},
	}, {
		name:    "two links to one folder",
		files:   map[string]string{"archive/2025/b.md": "b"},
		links:   map[string]string{"incidents/2025": "../archive/2025", "incidents/old": "../archive/2025"},
		want:    "incidents/2025/b.md b \"b\"\n",
		wantErr: []string{"incidents/old:1:1: symlink to a folder already read as incidents/2025"},
	}, {
		name:  "a link to a file that is not read",
		files: map[string]string{"incidents/a.md": "a", "notes.txt": "n"},
		links: map[string]string{"incidents/notes": "../notes.txt"},
		want:  "incidents/a.md a \"a\"\n",
	}, {
		name:  "a hidden link",
		files: map[string]string{"incidents/a.md": "a"},
		links: map[string]string{"incidents/_old": outside, "incidents/.old": "nowhere"},
		want:  "incidents/a.md a \"a\"\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := makeSite(t, tt.files, tt.links)
			srcs, err := incident.Scan(site)
			if got := showSources(srcs); got != tt.want {
				t.Errorf("got sources:\n%s\nwant:\n%s", got, tt.want)
			}
			var lines []string
			if err != nil {
				lines = strings.Split(err.Error(), "\n")
			}
			if len(lines) != len(tt.wantErr) {
				t.Fatalf("got error:\n%v\nwant %d lines starting %q", err, len(tt.wantErr), tt.wantErr)
			}
			for i, w := range tt.wantErr {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("got error line %q, want it to start %q", lines[i], w)
				}
			}
		})
	}
}

// TestScanLinkFanOut checks that a folder reached through many chains of
// links is read once: links two to a level, ten levels deep, would
// otherwise read the file at the bottom 1,024 times.
func TestScanLinkFanOut(t *testing.T) {
	const depth = 10
	files := map[string]string{fmt.Sprintf("l%d/x.md", depth): "x"}
	links := map[string]string{}
	for i := range depth {
		for _, name := range []string{"a", "b"} {
			from := fmt.Sprintf("l%d/%s", i, name)
			if i == 0 {
				from = "incidents/" + name
			}
			links[from] = fmt.Sprintf("../l%d", i+1)
		}
	}
	srcs, err := incident.Scan(makeSite(t, files, links))
	if len(srcs) != 1 {
		t.Errorf("got %d sources, want the one file once", len(srcs))
	}
	if n := strings.Count(fmt.Sprint(err), "\n") + 1; err == nil || n != depth {
		first, _, _ := strings.Cut(fmt.Sprint(err), "\n")
		t.Errorf("got %d errors, want %d (the second link of each level); the first: %s", n, depth, first)
	}
}

// TestRescanFollowsLinks checks that Rescan finds what Scan finds when
// incident files are reached through folder symlinks, whether the watcher
// names a change under the link or under the folder the link points to
// (which may be no event under incidents/ at all).
func TestRescanFollowsLinks(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		links   map[string]string
		edit    map[string]string // files written after the first scan
		newLink map[string]string // links made after the first scan
		changed []string          // what the watcher reports
	}{{
		name:    "incidents links into the site, changes named under the link",
		files:   map[string]string{"content/incidents/a.md": "a"},
		links:   map[string]string{"incidents": "content/incidents"},
		edit:    map[string]string{"content/incidents/a.md": "a, edited", "content/incidents/2026/b.md": "b"},
		changed: []string{"incidents/a.md", "incidents/2026"},
	}, {
		name:    "incidents links into the site, changes named under the target",
		files:   map[string]string{"content/incidents/a.md": "a"},
		links:   map[string]string{"incidents": "content/incidents"},
		edit:    map[string]string{"content/incidents/a.md": "a, edited", "content/incidents/b.md": "b"},
		changed: []string{"content/incidents/a.md", "content/incidents/b.md"},
	}, {
		name:    "a folder link, a file added behind it",
		files:   map[string]string{"incidents/a.md": "a", "archive/2025/b.md": "b"},
		links:   map[string]string{"incidents/2025": "../archive/2025"},
		edit:    map[string]string{"archive/2025/c.md": "c", "incidents/a.md": "a, edited"},
		changed: []string{"incidents/a.md"},
	}, {
		name:    "a folder link made after the first scan",
		files:   map[string]string{"incidents/a.md": "a", "archive/2025/b.md": "b"},
		newLink: map[string]string{"incidents/2025": "../archive/2025"},
		changed: []string{"incidents/2025"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := makeSite(t, tt.files, tt.links)
			sc := incident.NewScanner(site)
			if _, err := sc.Scan(); err != nil {
				t.Fatal(err)
			}
			for rel, text := range tt.edit {
				p := filepath.Join(site, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for rel, target := range tt.newLink {
				if err := os.Symlink(filepath.FromSlash(target), filepath.Join(site, filepath.FromSlash(rel))); err != nil {
					t.Fatal(err)
				}
			}
			got, gotErr := sc.Rescan(tt.changed)
			want, wantErr := incident.NewScanner(site).Scan()
			if gotErr != nil || wantErr != nil {
				t.Fatalf("got Rescan error %v, Scan error %v, want none", gotErr, wantErr)
			}
			if showSources(got) != showSources(want) {
				t.Errorf("Rescan:\n%s\nScan:\n%s", showSources(got), showSources(want))
			}
		})
	}
}

// TestScanNames checks the rule for file names: a name with a control
// character, or a slug that differs from another only in case, is an
// error; any other name that was valid stays valid with the same slug, so
// that published addresses do not change.
func TestScanNames(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		links   map[string]string
		want    string   // the slugs found, in order
		wantErr []string // prefixes of the error's lines; none for no error
	}{{
		name:  "names that were valid, and drafts, which are skipped",
		files: []string{"incidents/2026-11-28-feed-latency.md", "incidents/Été panne (1).md", "incidents/x.y.md", "incidents/日本.md", "incidents/2025/UPPER.md", "incidents/_draft.md", "incidents/_drafts/a\nb.md", "incidents/.#Dup.md"},
		want:  "UPPER 2026-11-28-feed-latency x.y Été panne (1) 日本",
	}, {
		name:    "a line feed",
		files:   []string{"incidents/ok.md", "incidents/up\ngrade.md"},
		want:    "ok",
		wantErr: []string{`incidents/up\ngrade.md:1:1: invalid name: control character U+000A (rename the file without control characters)`},
	}, {
		name:    "a tab and a DEL in a folder name",
		files:   []string{"incidents/a\tb/x.md", "incidents/c\x7f/y.md"},
		wantErr: []string{`incidents/a\tb/x.md:1:1: invalid name: control character U+0009`, `incidents/c\x7f/y.md:1:1: invalid name: control character U+007F`},
	}, {
		name:    "slugs that differ only in case",
		files:   []string{"incidents/Dup.md", "incidents/dup.md", "incidents/2025/OUTAGE.md", "incidents/outage.md"},
		want:    "OUTAGE Dup dup outage",
		wantErr: []string{`incidents/dup.md:1:1: slug "dup" differs only in case from "Dup" of incidents/Dup.md`, `incidents/outage.md:1:1: slug "outage" differs only in case from "OUTAGE" of incidents/2025/OUTAGE.md`},
	}, {
		name:    "case beyond ASCII",
		files:   []string{"incidents/ÉTÉ.md", "incidents/été.md"},
		want:    "ÉTÉ été",
		wantErr: []string{`incidents/été.md:1:1: slug "été" differs only in case`},
	}, {
		// A first scan lists the files in its walk's order, unsorted:
		// a folder's files come where its name sorts, before a file
		// whose name it begins, and a linked folder's where the link's
		// name sorts.
		name:    "the walk's order",
		files:   []string{"incidents/a.md", "incidents/a0.md", "incidents/a-b.md", "incidents/a b.md", "incidents/a/x.md", "incidents/A/y.md", "incidents/c/z/w.md", "incidents/c/v.md", "shared/s.md"},
		links:   map[string]string{"incidents/b": "../shared", "incidents/a/gone": "nowhere"},
		want:    "y x a b a-b a a0 s v w",
		wantErr: []string{`incidents/a/gone:1:1: broken symlink`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			for _, f := range tt.files {
				files[f] = "text"
			}
			srcs, err := incident.Scan(makeSite(t, files, tt.links))
			var slugs []string
			for _, s := range srcs {
				slugs = append(slugs, s.Slug)
			}
			if got := strings.Join(slugs, " "); got != tt.want {
				t.Errorf("got slugs %q, want %q", got, tt.want)
			}
			var lines []string
			if err != nil {
				lines = strings.Split(err.Error(), "\n")
			}
			if len(lines) != len(tt.wantErr) {
				t.Fatalf("got error:\n%v\nwant %d lines starting %q", err, len(tt.wantErr), tt.wantErr)
			}
			for i, w := range tt.wantErr {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("got error line %q, want it to start %q", lines[i], w)
				}
			}
		})
	}
}
