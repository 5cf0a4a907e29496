package sitegen

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestMedium checks issue #17's size: 2,000 incidents in 20 components,
// the same bytes from the same seed.
func TestMedium(t *testing.T) {
	sp, ok := Lookup("medium")
	if !ok {
		t.Fatal(`Lookup("medium"): not found`)
	}
	if sp.Incidents != 2000 || sp.Components != 20 {
		t.Errorf("medium: got %d incidents in %d components, want 2000 in 20", sp.Incidents, sp.Components)
	}
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := Generate(dir, sp, 1); err != nil {
			t.Fatal(err)
		}
	}
	got, want := readTree(t, a), readTree(t, b)
	if n := len(got) - 1; n != sp.Incidents { // herald.yaml besides
		t.Errorf("got %d incident files, want %d", n, sp.Incidents)
	}
	for p, data := range want {
		if got[p] != data {
			t.Errorf("%s differs between two runs with the same seed", p)
		}
	}
}

func readTree(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}
