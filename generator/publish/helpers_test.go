package publish_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/publish"
)

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
