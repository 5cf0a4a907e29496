package generator

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/publish"
)

// TestBuilderKeepsTheManifest checks that a rebuild whose files are the
// same paths as the last build's publishes the manifest it already made,
// not one sorted anew, and that one that adds a file makes a new one.
func TestBuilderKeepsTheManifest(t *testing.T) {
	site, write := apiSite(t)
	write("incidents/a.md", apiIncident("A", "First."))
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	b := NewBuilder(site, filepath.Join(t.TempDir(), "public"))
	manifest := func() []byte {
		t.Helper()
		if _, err := b.Build(ctx, now); err != nil {
			t.Fatal(err)
		}
		return b.versions[len(b.versions)-1].manifest
	}
	first := manifest()
	for _, tc := range []struct {
		name string
		edit func()
		kept bool
	}{
		{"an edit", func() { write("incidents/a.md", apiIncident("A", "Second.")) }, true},
		{"a minute later", func() { now = now.Add(time.Minute) }, true},
		{"a new incident", func() { write("incidents/b.md", apiIncident("B", "Another.")) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.edit()
			next := manifest()
			if kept := &next[0] == &first[0]; kept != tc.kept {
				t.Errorf("got the manifest kept %v, want %v", kept, tc.kept)
			}
			if want := publishedManifest(t, b); string(next) != string(want) {
				t.Errorf("got manifest\n%s\nwant\n%s", next, want)
			}
			first = next
		})
	}
}

// publishedManifest is the manifest file of the version b published last.
func publishedManifest(t *testing.T, b *Builder) []byte {
	t.Helper()
	v := b.versions[len(b.versions)-1]
	data, err := os.ReadFile(filepath.Join(v.dir, publish.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestBuilderForgetsRemovedFiles checks that the parses a Builder keeps
// are those of the files the site has: an edit keeps every other file's,
// and a removed file's goes, so that a long-running watch does not hold
// every incident it ever saw.
func TestBuilderForgetsRemovedFiles(t *testing.T) {
	site, write := apiSite(t)
	write("incidents/a.md", apiIncident("A", "Body."))
	write("incidents/2026/b.md", apiIncident("B", "Body."))
	write("incidents/2026/c.md", apiIncident("C", "Body."))
	b := NewBuilder(site, filepath.Join(t.TempDir(), "public"))
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	kept := func() []string {
		t.Helper()
		if _, err := b.Build(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		return slices.Sorted(maps.Keys(b.parsed))
	}
	if got, want := kept(), []string{"incidents/2026/b.md", "incidents/2026/c.md", "incidents/a.md"}; !slices.Equal(got, want) {
		t.Fatalf("after the first build: got %q, want %q", got, want)
	}
	write("incidents/a.md", apiIncident("A, edited", "Body."))
	if err := os.Remove(filepath.Join(site, "incidents", "2026", "b.md")); err != nil {
		t.Fatal(err)
	}
	if got, want := kept(), []string{"incidents/2026/c.md", "incidents/a.md"}; !slices.Equal(got, want) {
		t.Errorf("after an edit and a removal: got %q, want %q", got, want)
	}
}

// apiSite makes a site of one component, api, with no incident, and
// returns its folder and a func that writes a file in it.
func apiSite(t *testing.T) (string, func(name, data string)) {
	t.Helper()
	site := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(site, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("herald.yaml", "title: T\nbase_url: https://status.example.com/\ntimezone: UTC\ncomponents:\n  - {id: api, name: API}\n")
	return site, write
}

// apiIncident is the file of a resolved outage of api.
func apiIncident(title, body string) string {
	return "---\ntitle: " + title + "\ncomponents: {api: major_outage}\nstarted: 2026-11-01 10:00\nresolved: 2026-11-01 11:00\n---\n" + body + "\n"
}
