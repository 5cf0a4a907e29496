package incident_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/herald-status/herald/generator/incident"
)

// BenchmarkScan is a first scan of 5,000 small files in 50 folders, as a
// clean build of a large site makes it: the walk, the reads and the sort
// into the walk's order.
func BenchmarkScan(b *testing.B) {
	site := b.TempDir()
	for i := range 5000 {
		dir := filepath.Join(site, incident.Dir, fmt.Sprintf("%02d", i%50))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("incident-%04d.md", i)), []byte("---\ntitle: x\n---\nbody\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := incident.Scan(site); err != nil {
			b.Fatal(err)
		}
	}
}
