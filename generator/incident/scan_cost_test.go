package incident_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/herald-status/herald/generator/incident"
)

// TestScanAllocs holds a first scan to a few allocations per file: the
// walk's names, the file's bytes and its record. An *os.File per read,
// the allocations beyond those, came with four fcntl(2)s, an epoll_ctl(2)
// and an fstat(2) that a file already stat'ed does not need (strace -c
// -f of a build shows them). The bytes are held too: each file found
// carried a copy of what the last scan knew of it through the walk's
// growing list (1,940 and 2,344 bytes a file here, then 1,664 and 1,944),
// and the map of known files, the sources and their slugs were grown
// rather than sized at once (1,277 and 1,386 now).
func TestScanAllocs(t *testing.T) {
	for _, tt := range []struct {
		name     string
		files    int
		max      float64 // allocations per file
		maxBytes float64 // bytes allocated per file
	}{
		{"a hundred files", 100, 9, 1350},
		{"a thousand files", 1000, 9, 1450},
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
