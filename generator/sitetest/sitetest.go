// Package sitetest makes and loads site folders for the tests of the
// packages that read a status.Snapshot: the generator's, and notify's.
// Every function fails the test on any error.
package sitetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/status"
)

// Load reads the config and the incidents of the site folder dir, as
// generator.Load does.
func Load(tb testing.TB, dir string) (*config.Config, []*incident.Incident) {
	tb.Helper()
	cfg, err := config.Load(dir)
	if err != nil {
		tb.Fatal(err)
	}
	ins, err := incident.Load(context.Background(), dir, incident.NewParser(cfg))
	if err != nil {
		tb.Fatal(err)
	}
	return cfg, ins
}

// Snapshot is the snapshot of the site folder dir at now, without probe
// data.
func Snapshot(tb testing.TB, dir string, now time.Time) *status.Snapshot {
	tb.Helper()
	cfg, ins := Load(tb, dir)
	return status.New(cfg, ins, now)
}

// Example is the snapshot of the example site at now (see ExampleDir).
func Example(tb testing.TB, now time.Time) *status.Snapshot {
	tb.Helper()
	return Snapshot(tb, ExampleDir(tb), now)
}

// ExampleDir is the example site: the module's root, which holds
// herald.yaml and incidents/. It is found from the folder a test runs in,
// its package's.
func ExampleDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod in the test's folder or above it")
		}
		dir = parent
	}
}

// Write makes a site folder in tb.TempDir from file names,
// slash-separated and relative to the folder, and contents.
func Write(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}
