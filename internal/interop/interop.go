// Package interop finds the real samples of other status page tools that
// the importers' tests read: cState's example site, an Upptime repository,
// a Statuspage API response. They sit beside the repository, in
// ../shared/interop, because nobody on this project wrote them, so the
// repository does not carry them.
//
// A test without its sample skips, so that a fresh clone's tests pass; in
// CI (the environment variable CI is set, as .ci/run sets it) it fails
// instead, so that a missing sample can never pass for a green run.
package interop

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Dir is the samples' folder, relative to the module root.
const Dir = "../shared/interop"

// Path returns the path of the sample rel (slash-separated, under Dir),
// after checking that it exists. When it does not, or the module root
// cannot be found, it skips tb, or fails it when $CI is set.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p, err := find(rel)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("sample %s: %v; CI must have it (the CI environment variable is set)", rel, err)
	}
	tb.Skipf("sample %s: %v; skipped here, but CI fails without it (put the samples in %s beside the repository)", rel, err, Dir)
	return ""
}

func find(rel string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, filepath.FromSlash(Dir), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("not found at %s", p)
	}
	return p, nil
}

// moduleRoot is the nearest folder above the working directory (a test's
// package folder) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: no go.mod above the working directory")
		}
		dir = parent
	}
}
