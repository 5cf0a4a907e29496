// Package herald_test holds the rules about the repository itself: what
// may be committed (this file) and which package may import which
// (deps_test.go).
package herald_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// maxTrackedSize is the largest file the repository holds: it is for
// source, not for build outputs or data dumps.
const maxTrackedSize = 1 << 20

// bigFilesAllowed are the data files that may be larger, each for a
// reason.
var bigFilesAllowed = map[string]string{
	"example/history.jsonl.gz": "90 days of recorded probe results behind the example's uptime bars",
}

// TestTrackedFilesAreSmall fails when git tracks a file over 1 MiB that is
// not allowed above. Without git it skips; .ci/run fails on that skip.
func TestTrackedFilesAreSmall(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git on this machine")
	}
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	files := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(files) < 10 {
		t.Fatalf("git ls-files listed %d files; is this the repository root?", len(files))
	}
	for _, f := range files {
		fi, err := os.Lstat(f)
		if err != nil {
			continue // deleted in the work tree, not yet in the index
		}
		if fi.Size() > maxTrackedSize && bigFilesAllowed[f] == "" {
			t.Errorf("%s is %.1f MB: remove it from git (git rm --cached %s) and ignore it, or allow it in repo_test.go with a reason", f, float64(fi.Size())/(1<<20), f)
		}
	}
}

// TestReadmeLayout keeps the README's Layout table in step with the tree:
// every folder that holds a Go package has a row, and every folder a row
// names exists.
func TestReadmeLayout(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no ## Layout section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z0-9./-]+/)`").FindAllStringSubmatch(table, -1) {
		named[strings.TrimSuffix(m[1], "/")] = true
	}
	for dir := range named {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			t.Errorf("README.md's Layout names %s/, which is not a folder", dir)
		}
	}
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, _ := os.Getwd()
	for _, dir := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, dir)
		if err != nil || rel == "." {
			continue
		}
		if rel = filepath.ToSlash(rel); !named[rel] {
			t.Errorf("README.md's Layout has no row for %s/", rel)
		}
	}
}

// maxGoLines is the most lines a non-test Go file may have: a longer one
// holds more than one idea, and is split along its seams.
const maxGoLines = 600

func TestGoFilesAreShort(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "-z", "*.go").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	for _, f := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if n := bytes.Count(data, []byte("\n")); n > maxGoLines {
			t.Errorf("%s has %d lines, more than %d: split it along its seams", f, n, maxGoLines)
		}
	}
}
