package watch

import (
	"path/filepath"
	"testing"
)

func TestSiteFilter(t *testing.T) {
	dir := "/site"
	f := SiteFilter(dir, filepath.Join(dir, "public"), filepath.Join(dir, "data", "history.db"))
	tests := []struct {
		path  string
		isDir bool
		want  Kind
	}{
		{"herald.yaml", false, Source},
		{"incidents", true, Source},
		{"incidents/2026/a.md", false, Source},
		{"templates/index.html", false, Source},
		{"incidents/.a.md.swp", false, Ignore},
		{"incidents/a.md.swp", false, Ignore},
		{"incidents/a.md~", false, Ignore},
		{"incidents/4913", false, Ignore},
		{"incidents/#a.md#", false, Ignore},
		{".git", true, Ignore},
		{"public", false, Ignore},
		{"public/index.html", false, Ignore},
		{".public.herald", true, Ignore},
		{".public.tmp-0123", false, Ignore},
		{"data", true, Folder},
		{"data/history.db", false, History},
		{"data/history.db-wal", false, History},
		{"data/history.db-shm", false, Ignore},
		{"data/other.db", false, Ignore},
		{"README.md", false, Ignore},
		{"cmd", true, Ignore},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := f(filepath.Join(dir, tt.path), tt.isDir); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
