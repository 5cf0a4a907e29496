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
