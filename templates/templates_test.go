package templates

import (
	"io/fs"
	"slices"
	"testing"
)

func TestEmbedsEveryFile(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			b, err := fs.ReadFile(FS, name)
			if err != nil {
				t.Fatalf("got error %v, want %s embedded", err, name)
			}
			if len(b) == 0 {
				t.Errorf("got an empty %s, want content", name)
			}
		})
	}
}

func TestEmbedsNothingElse(t *testing.T) {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.Contains(Names(), e.Name()) {
			t.Errorf("got %s embedded, want only the files Names lists", e.Name())
		}
	}
}
