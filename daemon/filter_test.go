package daemon

import (
	"path/filepath"
	"testing"

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
