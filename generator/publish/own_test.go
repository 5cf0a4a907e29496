package publish_test

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/herald-status/herald/generator/publish"
)

// TestMigratesOwnDirectory replaces a real folder at the output path that
// herald may replace: one it published (an older herald wrote plain
// folders; cp -r copies one) or an empty one. The old folder is removed.
func TestMigratesOwnDirectory(t *testing.T) {
	tests := []struct {
		name string
		old  map[string]string // the folder at the output path; nil: empty
	}{
		{"published by an older herald", map[string]string{
			"old.html":           "old",
			"css/site.css":       "body{}",
			"incidents/a/x.html": "a",
			// A listed file may be missing; an unlisted one may not be there.
			publish.ManifestName: "css/site.css\nincidents/a/x.html\nincidents/b/gone.html\nold.html\n",
		}},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := newOut(t)
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			for rel, data := range tt.old {
				mustWrite(t, filepath.Join(out, filepath.FromSlash(rel)), data)
			}

			st, err := publish.Begin(out)
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			defer st.Abort()
			files := map[string]string{"index.html": "new", "css/site.css": "body{}"}
			writeAll(t, st, files)
			if _, err := st.Commit(); err != nil {
				t.Fatalf("Commit: %v", err)
			}

			if fi, err := os.Lstat(out); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Fatalf("output path after migration: got %v (err %v), want a symlink", fi, err)
			}
			assertTree(t, out, files)
			// The old directory must be gone, not parked under a temporary name.
			if got, want := names(t, filepath.Dir(out)), []string{".public.herald", "public"}; !slices.Equal(got, want) {
				t.Errorf("site folder: got %v, want %v", got, want)
			}
		})
	}
}

// TestReplacesOwnSymlink replaces herald's own link at the output path,
// even when the version it pointed at is gone.
func TestReplacesOwnSymlink(t *testing.T) {
	out := newOut(t)
	mustSymlink(t, ".public.herald/v000003", out)
	commitFiles(t, out, siteFiles(1))
	assertTree(t, out, siteFiles(1))
}

// TestRefusesForeignOutput checks that Begin, and Commit when the output
// path changed after Begin, refuse everything at the output path that
// herald did not write, with ErrOutputOccupied naming it, and change
// nothing there or beside it.
func TestRefusesForeignOutput(t *testing.T) {
	tests := []struct {
		name  string
		setup func(tb testing.TB, out string)
	}{
		{"a folder of the user's files", func(tb testing.TB, out string) {
			mustWrite(tb, filepath.Join(out, "important", "thesis.txt"), "four years of work")
		}},
		{"herald's folder with a file added", func(tb testing.TB, out string) {
			mustWrite(tb, filepath.Join(out, "index.html"), "page")
			mustWrite(tb, filepath.Join(out, publish.ManifestName), "index.html\n")
			mustWrite(tb, filepath.Join(out, "CNAME"), "status.example.com")
		}},
		{"herald's folder with a folder added", func(tb testing.TB, out string) {
			mustWrite(tb, filepath.Join(out, "index.html"), "page")
			mustWrite(tb, filepath.Join(out, publish.ManifestName), "index.html\n")
			if err := os.Mkdir(filepath.Join(out, "uploads"), 0o755); err != nil {
				tb.Fatal(err)
			}
		}},
		{"a listed file that is a symlink", func(tb testing.TB, out string) {
			mustWrite(tb, filepath.Join(filepath.Dir(out), "secret.txt"), "mine")
			mustWrite(tb, filepath.Join(out, publish.ManifestName), "index.html\n")
			mustSymlink(tb, "../secret.txt", filepath.Join(out, "index.html"))
		}},
		{"a manifest that is a symlink", func(tb testing.TB, out string) {
			mustWrite(tb, filepath.Join(filepath.Dir(out), "list"), "index.html\n")
			mustWrite(tb, filepath.Join(out, "index.html"), "mine")
			mustSymlink(tb, "../list", filepath.Join(out, publish.ManifestName))
		}},
		{"a manifest that is a FIFO", func(tb testing.TB, out string) {
			mustWrite(tb, filepath.Join(out, "index.html"), "mine")
			if err := syscall.Mkfifo(filepath.Join(out, publish.ManifestName), 0o644); err != nil {
				tb.Fatal(err)
			}
		}},
		{"a symlink to the user's folder", func(tb testing.TB, out string) {
			mustWrite(tb, filepath.Join(filepath.Dir(out), "www", "index.html"), "mine")
			mustSymlink(tb, "www", out)
		}},
		{"a dangling symlink of the user's", func(tb testing.TB, out string) {
			mustSymlink(tb, "/mnt/unmounted/www", out)
		}},
		{"a regular file", func(tb testing.TB, out string) {
			mustWrite(tb, out, "mine")
		}},
	}
	for _, tt := range tests {
		for _, when := range []string{"Begin", "Commit"} {
			t.Run(tt.name+" before "+when, func(t *testing.T) {
				out := newOut(t)
				site := filepath.Dir(out)
				if err := os.MkdirAll(site, 0o755); err != nil {
					t.Fatal(err)
				}
				var st *publish.Stage
				var err error
				if when == "Commit" {
					if st, err = publish.Begin(out); err != nil {
						t.Fatalf("Begin: %v", err)
					}
					defer st.Abort()
					writeAll(t, st, siteFiles(1))
				}
				tt.setup(t, out)
				before := snapshot(t, site)
				if when == "Begin" {
					_, err = publish.Begin(out)
				} else {
					var dir string
					dir, err = st.Commit()
					if dir != "" {
						t.Errorf("Commit: got dir %q, want none", dir)
					}
					if aerr := st.Abort(); aerr != nil {
						t.Errorf("Abort: %v", aerr)
					}
				}
				if !errors.Is(err, publish.ErrOutputOccupied) {
					t.Fatalf("%s: got %v, want %v", when, err, publish.ErrOutputOccupied)
				}
				if !strings.Contains(err.Error(), out+": ") {
					t.Errorf("%s: got %q, want it to name %s", when, err, out)
				}
				after := snapshot(t, site)
				if when == "Commit" {
					// Begin made the versions folder, herald's own; the
					// aborted stage is gone from it.
					for rel := range before {
						if strings.HasPrefix(rel, ".public.herald/tmp-") {
							delete(before, rel)
						}
					}
				}
				if !maps.Equal(after, before) {
					t.Errorf("site folder changed:\ngot  %v\nwant %v", after, before)
				}
			})
		}
	}
}

func TestRestoresDirectoryAfterKilledMigration(t *testing.T) {
	// The state a kill leaves between the two renames of the fallback
	// migration: the user's directory moved aside, nothing at out.
	// A user's folder named like a moved-aside one is not moved.
	out := newOut(t)
	aside := filepath.Join(filepath.Dir(out), ".public.tmp-0123456789abcdef")
	old := map[string]string{"index.html": "old site", publish.ManifestName: "index.html\n"}
	for rel, data := range old {
		mustWrite(t, filepath.Join(aside, rel), data)
	}
	mine := filepath.Join(filepath.Dir(out), ".public.tmp-mine")
	mustWrite(t, filepath.Join(mine, "index.html"), "user's draft")

	st, err := publish.Begin(out)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	defer st.Abort()
	assertTree(t, out, old)
	if _, err := os.Lstat(aside); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("moved-aside directory: got %v, want it moved back", err)
	}
	assertTree(t, mine, map[string]string{"index.html": "user's draft"})
}

func TestRefusesRegularFile(t *testing.T) {
	tests := []struct {
		name string
		// when writes the file: before Begin, or between Begin and Commit.
		when string
	}{
		{"before Begin", "begin"},
		{"before Commit", "commit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := newOut(t)
			if tt.when == "begin" {
				mustWrite(t, out, "mine")
			}
			st, err := publish.Begin(out)
			if tt.when == "begin" {
				assertOccupied(t, "Begin", err, out)
				return
			}
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			writeAll(t, st, siteFiles(1))
			mustWrite(t, out, "mine")
			dir, err := st.Commit()
			assertOccupied(t, "Commit", err, out)
			if dir != "" {
				t.Errorf("Commit: got dir %q, want none", dir)
			}
			if err := st.Abort(); err != nil {
				t.Errorf("Abort: %v", err)
			}
			if got, want := names(t, filepath.Dir(out)), []string{".public.herald", "public"}; !slices.Equal(got, want) {
				t.Errorf("site folder: got %v, want %v", got, want)
			}
			if got := versions(t, out); len(got) != 0 {
				t.Errorf("versions: got %v, want none", got)
			}
		})
	}
}

func TestCleansLeftovers(t *testing.T) {
	out := newOut(t)
	v1 := commitFiles(t, out, siteFiles(1))
	site := filepath.Dir(out)
	vdir := filepath.Join(site, ".public.herald")

	// What runs killed at various points leave behind.
	mustWrite(t, filepath.Join(vdir, "tmp-dead", "index.html"), "half")               // killed while writing
	mustWrite(t, filepath.Join(vdir, "v000007", "index.html"), "never published")     // killed before the swap
	mustSymlink(t, ".public.herald/v000007", filepath.Join(site, ".public.tmp-aaaa")) // killed before the rename
	mustWrite(t, filepath.Join(site, ".public.tmp-bbbb", "old.html"), "migrated")     // killed before removing
	mustWrite(t, filepath.Join(site, ".public.tmp-bbbb", publish.ManifestName), "old.html\n")
	if err := os.Mkdir(filepath.Join(site, ".public.tmp-cccc"), 0o755); err != nil { // an empty one
		t.Fatal(err)
	}

	// The user's, named like leftovers by chance: they stay.
	mine := map[string]string{
		".public.tmp-notes.txt":                    "a file",
		".public.tmp-drafts/page.txt":              "a folder without a manifest",
		".public.tmp-copy/index.html":              "herald's copy with a file added",
		".public.tmp-copy/CNAME":                   "status.example.com",
		".public.tmp-copy/" + publish.ManifestName: "index.html\n",
	}
	for rel, data := range mine {
		mustWrite(t, filepath.Join(site, filepath.FromSlash(rel)), data)
	}
	mustSymlink(t, ".public.tmp-drafts", filepath.Join(site, ".public.tmp-link"))
	userNames := []string{".public.tmp-copy", ".public.tmp-drafts", ".public.tmp-link", ".public.tmp-notes.txt"}

	if cur, err := publish.Current(out); err != nil || cur != v1 {
		t.Fatalf("Current with leftovers: got %q, %v; want %q", cur, err, v1)
	}

	st, err := publish.Begin(out)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	defer st.Abort()
	if got, want := names(t, site), slices.Concat([]string{".public.herald"}, userNames, []string{"public"}); !slices.Equal(got, want) {
		t.Errorf("site folder after Begin: got %v, want %v", got, want)
	}
	if got, want := names(t, vdir), []string{".lock", filepath.Base(st.Dir()), "v000001", "v000007"}; !slices.Equal(got, want) {
		t.Errorf("versions folder after Begin: got %v, want %v", got, want)
	}

	writeAll(t, st, siteFiles(2))
	dir, err := st.Commit()
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	// Numbering continues past the orphan, which is then pruned.
	if got, want := filepath.Base(dir), "v000008"; got != want {
		t.Errorf("Commit: got version %s, want %s", got, want)
	}
	if got, want := names(t, vdir), []string{".lock", "v000001", "v000008"}; !slices.Equal(got, want) {
		t.Errorf("versions folder after Commit: got %v, want %v", got, want)
	}
	assertTree(t, out, siteFiles(2))
	if got, want := names(t, site), slices.Concat([]string{".public.herald"}, userNames, []string{"public"}); !slices.Equal(got, want) {
		t.Errorf("site folder after Commit: got %v, want %v", got, want)
	}
	for rel, data := range mine {
		if b, err := os.ReadFile(filepath.Join(site, filepath.FromSlash(rel))); err != nil || string(b) != data {
			t.Errorf("%s: got %q, %v; want %q untouched", rel, b, err, data)
		}
	}
}

func TestLiveStageSurvivesBegin(t *testing.T) {
	out := newOut(t)
	first, err := publish.Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Abort()
	writeAll(t, first, siteFiles(1))

	second, err := publish.Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Abort()
	if _, err := os.Stat(first.Dir()); err != nil {
		t.Fatalf("first stage after a second Begin: got %v, want it kept", err)
	}
	if _, err := first.Commit(); err != nil {
		t.Fatalf("first Commit: %v", err)
	}
	assertTree(t, out, siteFiles(1))

	writeAll(t, second, siteFiles(2))
	if _, err := second.Commit(); err != nil {
		t.Fatalf("second Commit: %v", err)
	}
	assertTree(t, out, siteFiles(2))
}

func TestWriteFileRejectsBadPaths(t *testing.T) {
	st, err := publish.Begin(newOut(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Abort()
	for _, rel := range []string{"", ".", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/"} {
		t.Run(rel, func(t *testing.T) {
			if err := st.WriteFile(rel, []byte("x")); !errors.Is(err, publish.ErrInvalidPath) {
				t.Errorf("WriteFile(%q): got %v, want %v", rel, err, publish.ErrInvalidPath)
			}
		})
	}
	if got := names(t, st.Dir()); len(got) != 0 {
		t.Errorf("stage: got %v, want it empty", got)
	}
}

func TestWriteFileConcurrently(t *testing.T) {
	out := newOut(t)
	commitFiles(t, out, map[string]string{"shared.css": "same"})
	st, err := publish.Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Abort()

	const workers, each = 8, 25
	want := map[string]string{"shared.css": "same"}
	var wg sync.WaitGroup
	errs := make(chan error, workers*(each+1))
	for w := range workers {
		for i := range each {
			want[fmt.Sprintf("p/%d/%d.html", w, i)] = fmt.Sprintf("page %d %d", w, i)
		}
		wg.Go(func() {
			for i := range each {
				rel := fmt.Sprintf("p/%d/%d.html", w, i)
				errs <- st.WriteFile(rel, fmt.Appendf(nil, "page %d %d", w, i))
			}
			errs <- st.WriteFile("shared.css", []byte("same"))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("WriteFile: %v", err)
		}
	}
	if _, err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	if written, linked := st.Stats(); written != workers*each || linked != workers {
		t.Errorf("Stats: got written %d, linked %d; want %d, %d", written, linked, workers*each, workers)
	}
	assertTree(t, out, want)
}
