package publish_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

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
