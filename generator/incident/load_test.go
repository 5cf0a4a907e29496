package incident_test

import (
	"os"
	"path/filepath"
	"runtime"
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
