package publish_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/publish"
)

func TestCommitPublishes(t *testing.T) {
	out := newOut(t)
	files := siteFiles(1)
	dir := commitFiles(t, out, files)

	if got, want := dir, filepath.Join(filepath.Dir(out), ".public.herald", "v000001"); got != want {
		t.Errorf("Commit: got dir %s, want %s", got, want)
	}
	cur, err := publish.Current(out)
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	if cur != dir {
		t.Errorf("Current: got %s, want %s", cur, dir)
	}
	target, err := os.Readlink(out)
	if err != nil {
		t.Fatalf("output path is not a symlink: %v", err)
	}
	if want := ".public.herald/v000001"; target != want {
		t.Errorf("symlink target: got %q, want %q", target, want)
	}
	assertTree(t, out, files)

	// A relative target keeps the site working after the folder moves.
	site := filepath.Dir(out)
	moved := filepath.Join(filepath.Dir(site), "moved")
	if err := os.Rename(site, moved); err != nil {
		t.Fatal(err)
	}
	assertTree(t, filepath.Join(moved, "public"), files)
}

func TestCurrent(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(tb testing.TB, out string) // prepares the output path
		want    func(out string) string
		wantErr error
	}{
		{
			name:  "nothing published",
			setup: func(testing.TB, string) {},
			want:  func(string) string { return "" },
		},
		{
			name: "dangling symlink",
			setup: func(tb testing.TB, out string) {
				mustSymlink(tb, "nowhere", out)
			},
			want: func(string) string { return "" },
		},
		{
			name: "real directory",
			setup: func(tb testing.TB, out string) {
				mustWrite(tb, filepath.Join(out, "index.html"), "hi")
			},
			want: func(out string) string { return out },
		},
		{
			name: "symlink to a directory",
			setup: func(tb testing.TB, out string) {
				mustWrite(tb, filepath.Join(filepath.Dir(out), "elsewhere", "index.html"), "hi")
				mustSymlink(tb, "elsewhere", out)
			},
			want: func(out string) string { return filepath.Join(filepath.Dir(out), "elsewhere") },
		},
		{
			name: "regular file",
			setup: func(tb testing.TB, out string) {
				mustWrite(tb, out, "mine")
			},
			want:    func(string) string { return "" },
			wantErr: publish.ErrOutputOccupied,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := newOut(t)
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, out)
			got, err := publish.Current(out)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Current: got error %v, want %v", err, tt.wantErr)
			}
			if want := tt.want(out); got != want {
				t.Errorf("Current: got %q, want %q", got, want)
			}
		})
	}
}

func TestUnchangedFilesAreLinked(t *testing.T) {
	out := newOut(t)
	v1 := commitFiles(t, out, map[string]string{
		"index.html":   "index 1",
		"css/site.css": "body{}",
		"logo.svg":     "<svg/>",
	})

	st, err := publish.Begin(out)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	defer st.Abort()
	v2files := map[string]string{
		"index.html":   "index 2", // changed
		"css/site.css": "body{}",  // same
		"logo.svg":     "<svg/> ", // same but one byte longer
		"new.html":     "new",     // not in v1
	}
	writeAll(t, st, v2files)
	// Writing a file twice must not leave a temporary file behind.
	if err := st.WriteFile("css/site.css", []byte("body{}")); err != nil {
		t.Fatalf("WriteFile again: %v", err)
	}
	v2, err := st.Commit()
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}

	written, linked := st.Stats()
	if written != 3 || linked != 2 {
		t.Errorf("Stats: got written %d, linked %d; want 3, 2", written, linked)
	}
	for _, tt := range []struct {
		rel  string
		same bool
	}{
		{"index.html", false},
		{"css/site.css", true},
		{"logo.svg", false},
	} {
		a, b := stat(t, filepath.Join(v1, tt.rel)), stat(t, filepath.Join(v2, tt.rel))
		if got := os.SameFile(a, b); got != tt.same {
			t.Errorf("%s shares its inode with the previous version: got %v, want %v", tt.rel, got, tt.same)
		}
	}
	assertTree(t, out, v2files)
	assertTree(t, v1, map[string]string{"index.html": "index 1", "css/site.css": "body{}", "logo.svg": "<svg/>"})
}

func TestAbortLeavesSiteIntact(t *testing.T) {
	out := newOut(t)
	commitFiles(t, out, siteFiles(1))
	before := hashTree(t, out)

	st, err := publish.Begin(out)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	// The first write is hard-linked to the published file; the second
	// must replace the link, not write through it.
	if err := st.WriteFile("css/site.css", []byte(siteFiles(1)["css/site.css"])); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteFile("css/site.css", []byte("overwritten")); err != nil {
		t.Fatal(err)
	}
	writeAll(t, st, siteFiles(2))
	if err := st.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}

	if after := hashTree(t, out); after != before {
		t.Errorf("published tree changed: got hash %s, want %s", after, before)
	}
	if _, err := os.Stat(st.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stage after Abort: got %v, want it removed", err)
	}
	if err := st.Abort(); err != nil {
		t.Errorf("second Abort: got %v, want nil", err)
	}
	if err := st.WriteFile("x", nil); !errors.Is(err, publish.ErrClosed) {
		t.Errorf("WriteFile after Abort: got %v, want %v", err, publish.ErrClosed)
	}
	if _, err := st.Commit(); !errors.Is(err, publish.ErrClosed) {
		t.Errorf("Commit after Abort: got %v, want %v", err, publish.ErrClosed)
	}
}

func TestAbortAfterCommitIsNoop(t *testing.T) {
	out := newOut(t)
	st, err := publish.Begin(out)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, st, siteFiles(1))
	if _, err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := st.Abort(); err != nil {
		t.Errorf("Abort after Commit: got %v, want nil", err)
	}
	if _, err := st.Commit(); !errors.Is(err, publish.ErrClosed) {
		t.Errorf("second Commit: got %v, want %v", err, publish.ErrClosed)
	}
	assertTree(t, out, siteFiles(1))
}

func TestPrunesToTwoVersions(t *testing.T) {
	out := newOut(t)
	for i := 1; i <= 5; i++ {
		commitFiles(t, out, siteFiles(i))
	}
	if got, want := versions(t, out), []string{"v000004", "v000005"}; !slices.Equal(got, want) {
		t.Errorf("versions: got %v, want %v", got, want)
	}
	assertTree(t, out, siteFiles(5))
}

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

// TestReadersAlwaysSeeACompleteFile reads through the output path while
// versions flip under it: every read must succeed with one whole version.
func TestReadersAlwaysSeeACompleteFile(t *testing.T) {
	out := newOut(t)
	commitFiles(t, out, siteFiles(0))

	var (
		stop  atomic.Bool
		reads atomic.Int64
		wg    sync.WaitGroup
		errc  = make(chan error, 1)
	)
	wg.Go(func() {
		for !stop.Load() {
			b, err := os.ReadFile(filepath.Join(out, "index.html"))
			if err == nil {
				_, err = indexVersion(string(b))
			}
			if err != nil {
				errc <- err
				return
			}
			reads.Add(1)
		}
	})
	defer wg.Wait()
	defer stop.Store(true)

	for i := 1; i <= 200; i++ {
		commitFiles(t, out, siteFiles(i))
		select {
		case err := <-errc:
			t.Fatalf("reader, after %d commits: %v", i, err)
		default:
		}
	}
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-errc:
		t.Fatalf("reader: %v", err)
	default:
	}
	if reads.Load() == 0 {
		t.Fatal("reader never completed a read")
	}
	t.Logf("%d reads across 200 commits", reads.Load())
}

const helperEnv = "HERALD_PUBLISH_HELPER_OUT"

// TestHelperProcess is not a test: TestKilledPublisher runs the test binary
// again with it, as a publisher to kill.
func TestHelperProcess(t *testing.T) {
	out := os.Getenv(helperEnv)
	if out == "" {
		t.Skip("helper for TestKilledPublisher")
	}
	cur, err := publish.Current(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	b, err := os.ReadFile(filepath.Join(cur, "index.html"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	last, err := indexVersion(string(b))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("ready")
	// The parent kills us within milliseconds; the deadline only stops an
	// orphan.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		last++
		if _, err := publishFiles(out, siteFiles(last)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	os.Exit(3)
}

// TestKilledPublisher SIGKILLs a publishing process at random moments and
// checks each time that the output path holds one complete version.
func TestKilledPublisher(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 30 processes")
	}
	out := newOut(t)
	commitFiles(t, out, siteFiles(1))
	first := assertSite(t, out)

	last, midway := first, 0
	for kill := range 30 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+out)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan error, 1)
		go func() {
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err == nil && line != "ready\n" {
				err = fmt.Errorf("got %q, want %q", line, "ready\n")
			}
			ready <- err
		}()
		select {
		case err = <-ready:
		case <-time.After(time.Minute):
			err = errors.New("timed out")
		}
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("kill %d: helper not ready: %v; stderr:\n%s", kill, err, &stderr)
		}

		time.Sleep(time.Millisecond + rand.N(50*time.Millisecond))
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("kill %d: helper ended with %v, want killed by SIGKILL; stderr:\n%s", kill, err, &stderr)
		}

		cur, err := publish.Current(out)
		if err != nil || !strings.HasPrefix(filepath.Base(cur), "v") {
			t.Fatalf("kill %d: Current: got %q, %v; want a version folder", kill, cur, err)
		}
		if slices.ContainsFunc(names(t, filepath.Dir(cur)), func(name string) bool { return strings.HasPrefix(name, "tmp-") }) {
			midway++
		}
		n := assertSite(t, out)
		if n < last {
			t.Fatalf("kill %d: published version went back from %d to %d", kill, last, n)
		}
		last = n
	}
	if last == first {
		t.Errorf("no helper published anything before being killed: the kills tested nothing")
	}
	t.Logf("helpers published versions %d to %d; %d of 30 kills left a stage behind", first+1, last, midway)

	// Whatever the kills left behind, publishing still works and cleans up.
	commitFiles(t, out, siteFiles(last+1))
	if got := assertSite(t, out); got != last+1 {
		t.Errorf("after the kills: got version %d, want %d", got, last+1)
	}
	site := filepath.Dir(out)
	if got, want := names(t, site), []string{".public.herald", "public"}; !slices.Equal(got, want) {
		t.Errorf("site folder: got %v, want %v", got, want)
	}
	if got := names(t, filepath.Join(site, ".public.herald")); len(got) != 3 || got[0] != ".lock" {
		t.Errorf("versions folder: got %v, want .lock and two versions", got)
	}
}

// siteFiles is version i of a test site. Some files change in every
// version, some never, some now and then; feed.xml is large so that a kill
// can land in the middle of writing it.
func siteFiles(i int) map[string]string {
	return map[string]string{
		"index.html":                 page("index", i),
		"css/site.css":               page("css", 0),
		"incidents/2026/outage.html": page("outage", i/3),
		"feed.xml":                   strings.Repeat(fmt.Sprintf("<item>%d</item>\n", i), 16<<10),
	}
}

func page(name string, i int) string {
	return strings.Repeat(fmt.Sprintf("%s version %d\n", name, i), 100)
}

// indexVersion returns the version of an index.html from siteFiles, or an
// error if b is not exactly one.
func indexVersion(b string) (int, error) {
	var i int
	if _, err := fmt.Sscanf(b, "index version %d\n", &i); err != nil {
		return 0, fmt.Errorf("parse index.html (%d bytes): %w", len(b), err)
	}
	if b != page("index", i) {
		return 0, fmt.Errorf("index.html of version %d: got %d bytes, want %d", i, len(b), len(page("index", i)))
	}
	return i, nil
}

// assertSite checks that out holds exactly one complete version of
// siteFiles, and returns its number.
func assertSite(tb testing.TB, out string) int {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		tb.Fatalf("read published site: %v", err)
	}
	i, err := indexVersion(string(b))
	if err != nil {
		tb.Fatal(err)
	}
	assertTree(tb, out, siteFiles(i))
	return i
}

func newOut(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "site", "public")
}

func publishFiles(out string, files map[string]string) (string, error) {
	st, err := publish.Begin(out)
	if err != nil {
		return "", err
	}
	defer st.Abort()
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		if err := st.WriteFile(rel, []byte(files[rel])); err != nil {
			return "", err
		}
	}
	return st.Commit()
}

func commitFiles(tb testing.TB, out string, files map[string]string) string {
	tb.Helper()
	dir, err := publishFiles(out, files)
	if err != nil {
		tb.Fatalf("publish: %v", err)
	}
	return dir
}

func writeAll(tb testing.TB, st *publish.Stage, files map[string]string) {
	tb.Helper()
	for rel, data := range files {
		if err := st.WriteFile(rel, []byte(data)); err != nil {
			tb.Fatalf("WriteFile: %v", err)
		}
	}
}

// readTree returns the regular files under root (following root itself if
// it is a symlink) by slash-separated path.
func readTree(tb testing.TB, root string) map[string]string {
	tb.Helper()
	fsys := os.DirFS(root)
	files := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: got mode %v, want a regular file", path, d.Type())
		}
		b, err := fs.ReadFile(fsys, path)
		files[path] = string(b)
		return err
	})
	if err != nil {
		tb.Fatalf("read tree %s: %v", root, err)
	}
	return files
}

func assertTree(tb testing.TB, root string, want map[string]string) {
	tb.Helper()
	got := readTree(tb, root)
	if gotNames, wantNames := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(gotNames, wantNames) {
		tb.Fatalf("files under %s: got %v, want %v", root, gotNames, wantNames)
	}
	for rel, data := range want {
		if got[rel] != data {
			tb.Errorf("%s: got %d bytes %.20q…, want %d bytes %.20q…", rel, len(got[rel]), got[rel], len(data), data)
		}
	}
}

// hashTree digests everything a reader of out could observe: the link
// target and every file's name, mode, mtime and content.
func hashTree(tb testing.TB, out string) string {
	tb.Helper()
	h := sha256.New()
	target, err := os.Readlink(out)
	if err != nil {
		tb.Fatal(err)
	}
	fmt.Fprintf(h, "-> %s\n", target)
	fsys := os.DirFS(out)
	err = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %v %d\n", path, fi.Mode(), fi.ModTime().UnixNano())
		if d.Type().IsRegular() {
			b, err := fs.ReadFile(fsys, path)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// snapshot records everything under root that a user could lose, by
// slash-separated path: each file's mode and bytes, each folder, and each
// symlink's target.
func snapshot(tb testing.TB, root string) map[string]string {
	tb.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		entry := fi.Mode().String()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			entry += " -> " + target
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			entry += " " + string(b)
		}
		got[filepath.ToSlash(rel)] = entry
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

// versions lists the version folders of out.
func versions(tb testing.TB, out string) []string {
	tb.Helper()
	var vs []string
	for _, name := range names(tb, filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".herald")) {
		if strings.HasPrefix(name, "v") {
			vs = append(vs, name)
		}
	}
	return vs
}

func names(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var ns []string
	for _, e := range entries {
		ns = append(ns, e.Name())
	}
	return ns
}

func stat(tb testing.TB, name string) fs.FileInfo {
	tb.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		tb.Fatal(err)
	}
	return fi
}

func mustWrite(tb testing.TB, name, data string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func mustSymlink(tb testing.TB, target, name string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.Symlink(target, name); err != nil {
		tb.Fatal(err)
	}
}

func assertOccupied(tb testing.TB, op string, err error, out string) {
	tb.Helper()
	if !errors.Is(err, publish.ErrOutputOccupied) {
		tb.Fatalf("%s: got %v, want %v", op, err, publish.ErrOutputOccupied)
	}
	if !strings.Contains(err.Error(), out) {
		tb.Errorf("%s: got %q, want it to name %s", op, err, out)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "mine" {
		tb.Errorf("user's file: got %q, %v; want %q untouched", b, err, "mine")
	}
}

// TestRecycle turns the version before the published one into the next
// version: files written or removed change, the rest stays, and neither
// the published version nor its hard links to the recycled one change.
func TestRecycle(t *testing.T) {
	out := newOut(t)
	v1 := commitFiles(t, out, map[string]string{
		"index.html":         "index 1",
		"css/site.css":       "body{}",
		"incidents/a/x.html": "a",
		"incidents/b/x.html": "b",
	})
	v2files := map[string]string{
		"index.html":         "index 2",
		"css/site.css":       "body{}", // linked from v1: one inode in both
		"incidents/a/x.html": "a",
		"incidents/b/x.html": "b",
	}
	v2 := commitFiles(t, out, v2files)

	if _, err := publish.Recycle(out, v2); err == nil {
		t.Fatal("Recycle of the published version succeeded")
	}
	if _, err := publish.Recycle(out, filepath.Dir(out)); err == nil {
		t.Fatal("Recycle of a folder that is no version succeeded")
	}

	st, err := publish.Recycle(out, v1)
	if err != nil {
		t.Fatalf("Recycle: %v", err)
	}
	defer st.Abort()
	if _, err := os.Stat(v1); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the recycled version is still at %s (%v)", v1, err)
	}
	// v1 lacks v2's index; the stylesheet changes although v2 shares
	// v1's inode for it; incident b goes, with its folder.
	v3files := map[string]string{
		"index.html":         "index 3",
		"css/site.css":       "body{color:red}",
		"incidents/a/x.html": "a",
		"new/page.html":      "new",
	}
	for _, rel := range []string{"index.html", "css/site.css", "new/page.html"} {
		if err := st.WriteFile(rel, []byte(v3files[rel])); err != nil {
			t.Fatalf("WriteFile %s: %v", rel, err)
		}
	}
	if err := st.Remove("incidents/b/x.html"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if err := st.Remove("incidents/b/gone.html"); err != nil {
		t.Errorf("Remove of a missing file: %v", err)
	}
	if err := st.Remove("../escape"); !errors.Is(err, publish.ErrInvalidPath) {
		t.Errorf("Remove(../escape): got %v, want ErrInvalidPath", err)
	}
	v3, err := st.Commit()
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	assertTree(t, out, v3files)
	assertTree(t, v2, v2files)
	if _, err := os.Stat(filepath.Join(v3, "incidents", "b")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the emptied folder incidents/b is still there (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(v3, "incidents")); err != nil {
		t.Errorf("incidents/, which still holds a, went too: %v", err)
	}
	if written, linked := st.Stats(); written != 3 || linked != 0 {
		t.Errorf("Stats: written %d, linked %d; want 3, 0", written, linked)
	}
}
