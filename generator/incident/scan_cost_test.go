package incident_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
)

// TestScanAllocs holds a first scan to a few allocations per file: the
// walk's names, the file's bytes and its record. An *os.File per read,
// the allocations beyond those, came with four fcntl(2)s, an epoll_ctl(2)
// and an fstat(2) that a file already stat'ed does not need (strace -c
// -f of a build shows them). The bytes are held too: each file found
// carried a copy of what the last scan knew of it through the walk's
// growing list (1,940 and 2,344 bytes a file here, then 1,664 and 1,944),
// and the map of known files, the sources and their slugs were grown
// rather than sized at once (1,277 and 1,386), and a stat of each file's
// path, before it was opened, made its FileInfo and path (8.6 and 8.1
// allocations, 1,167 and 1,195 bytes a file; 6.6 and 6.1, 879 and 907
// since the open file's fstat tells).
func TestScanAllocs(t *testing.T) {
	memtest.SkipUnderRace(t)
	for _, tt := range []struct {
		name     string
		files    int
		max      float64 // allocations per file
		maxBytes float64 // bytes allocated per file
	}{
		{"a hundred files", 100, 7, 1000},
		{"a thousand files", 1000, 7, 1000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			site := t.TempDir()
			dir := filepath.Join(site, incident.Dir)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for i := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("incident-%04d.md", i)), []byte("---\ntitle: x\n---\nbody\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := testing.AllocsPerRun(3, func() {
				if _, err := incident.Scan(site); err != nil {
					t.Fatalf("Scan: %v", err)
				}
			}) / float64(tt.files)
			if got > tt.max {
				t.Errorf("got %.1f allocations per file, want at most %v", got, tt.max)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			if _, err := incident.Scan(site); err != nil {
				t.Fatalf("Scan: %v", err)
			}
			runtime.ReadMemStats(&after)
			if got := float64(after.TotalAlloc-before.TotalAlloc) / float64(tt.files); got > tt.maxBytes {
				t.Errorf("got %.0f bytes allocated per file, want at most %v", got, tt.maxBytes)
			}
		})
	}
}

// TestScanAfterAChangeSortsNothing holds a whole scan to the walk's own
// order: a Scanner that finds a new file, as herald watch's does, lists
// its files as the walk found them, not sorted again through a list of
// every path beside its name (48 bytes a file on 64-bit, and the sort's
// CPU, on one core: a tenth of a large site's first scan).
func TestScanAfterAChangeSortsNothing(t *testing.T) {
	memtest.SkipUnderRace(t)
	const files = 1000
	site := t.TempDir()
	dir := filepath.Join(site, incident.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(i int) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("incident-%04d.md", i)), []byte("---\ntitle: x\n---\nbody\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := range files {
		write(i)
	}
	sc := incident.NewScanner(site)
	scan := func() uint64 {
		t.Helper()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := sc.Scan(); err != nil {
			t.Fatalf("Scan: %v", err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	scan()
	write(files)
	changed := scan()
	same := scan()
	// The new file's name, bytes and record, and a larger map of known
	// files, come to ~7,700 bytes; the sorted list came to ~42,000.
	if extra := int64(changed) - int64(same); extra > 16*files {
		t.Errorf("got %d bytes more for a scan that found a new file than for one that found none, want at most %d", extra, 16*files)
	}
}
