package daemon

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/herald-status/herald/watch"
)

func TestSiteFilter(t *testing.T) {
	dir := "/site"
	f := SiteFilter(dir, filepath.Join(dir, "public"), filepath.Join(dir, "data", "history.db"))
	tests := []struct {
		path  string
		isDir bool
		want  watch.Kind
	}{
		{"herald.yaml", false, watch.Source},
		{"incidents", true, watch.Source},
		{"incidents/2026/a.md", false, watch.Source},
		{"templates/index.html", false, watch.Source},
		{"i18n", true, watch.Source},
		{"i18n/de.yaml", false, watch.Source},
		{"incidents/.a.md.swp", false, watch.Ignore},
		{"incidents/a.md.swp", false, watch.Ignore},
		{"incidents/a.md~", false, watch.Ignore},
		{"incidents/4913", false, watch.Ignore},
		{"incidents/#a.md#", false, watch.Ignore},
		{".git", true, watch.Ignore},
		{"public", false, watch.Ignore},
		{"public/index.html", false, watch.Ignore},
		{".public.herald", true, watch.Ignore},
		{".public.tmp-0123", false, watch.Ignore},
		{"data", true, watch.Folder},
		{"data/history.db", false, watch.History},
		{"data/history.db-wal", false, watch.History},
		{"data/history.db-shm", false, watch.Ignore},
		{"data/other.db", false, watch.Ignore},
		{"README.md", false, watch.Ignore},
		{"cmd", true, watch.Ignore},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := f(filepath.Join(dir, tt.path), tt.isDir); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// TestWatcherSeesCatalogs runs a real fsnotify watcher with the site's
// filter: a site's catalog, written into an i18n folder made after the
// watcher started, is a change of the site's sources.
func TestWatcherSeesCatalogs(t *testing.T) {
	dir := t.TempDir()
	w, err := watch.NewWatcher(dir, SiteFilter(dir, filepath.Join(dir, "public"), filepath.Join(dir, "data", "history.db")), 50*time.Millisecond, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	if err := os.Mkdir(filepath.Join(dir, "i18n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The folder is watched once its creation is seen; until then a write
	// into it may go unseen, so write until one is reported.
	deadline := time.After(5 * time.Second)
	for {
		if err := os.WriteFile(filepath.Join(dir, "i18n", "de.yaml"), []byte("page.history: Chronik\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		select {
		case <-w.C:
			if got, _ := w.Changes(); slices.Contains(got, "i18n/de.yaml") {
				return
			}
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("a write to i18n/de.yaml was never reported")
		}
	}
}
