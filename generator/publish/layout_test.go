package publish

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMoveAside covers the migration used where RENAME_EXCHANGE is missing,
// which Commit on Linux never reaches.
func TestMoveAside(t *testing.T) {
	l, err := newLayout(filepath.Join(t.TempDir(), "public"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(l.out, "index.html"), "old")
	write(filepath.Join(l.out, ManifestName), "index.html\n") // an older herald's
	write(filepath.Join(l.versions, "v000001", "index.html"), "new")
	link := filepath.Join(l.parent, l.tmpPrefix()+"link")
	if err := os.Symlink(".public.herald/v000001", link); err != nil {
		t.Fatal(err)
	}

	if err := l.moveAside(link); err != nil {
		t.Fatalf("moveAside: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(l.out, "index.html")); err != nil || string(b) != "new" {
		t.Errorf("index.html: got %q, %v; want %q", b, err, "new")
	}
	if err := l.sweep(); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	entries, err := os.ReadDir(l.parent)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != 2 || got[0] != ".public.herald" || got[1] != "public" {
		t.Errorf("parent after sweep: got %v, want [.public.herald public]", got)
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		name string
		n    int
		ok   bool
	}{
		{"v000001", 1, true},
		{"v1234567", 1234567, true},
		{"v", 0, false},
		{"v00a001", 0, false},
		{"tmp-v000001", 0, false},
		{"v-1", 0, false},
		{".lock", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := parseVersion(tt.name)
			if n != tt.n || ok != tt.ok {
				t.Errorf("parseVersion(%q): got %d, %v; want %d, %v", tt.name, n, ok, tt.n, tt.ok)
			}
		})
	}
}
