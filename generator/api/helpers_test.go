package api_test

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

// clock is the example site's pinned build time.
var clock = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

// loadSite builds the snapshot of a site folder at now.
func loadSite(tb testing.TB, dir string, now time.Time) *status.Snapshot {
	tb.Helper()
	cfg, err := config.Load(dir)
	if err != nil {
		tb.Fatal(err)
	}
	ins, err := incident.Load(context.Background(), dir, incident.NewParser(cfg))
	if err != nil {
		tb.Fatal(err)
	}
	return status.New(cfg, ins, now)
}

// example is the snapshot of the example site at the repository's root.
func example(tb testing.TB) *status.Snapshot {
	tb.Helper()
	return loadSite(tb, filepath.Join("..", ".."), clock)
}

// writeSite makes a site folder from file names and contents.
func writeSite(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}
