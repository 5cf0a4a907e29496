package generator

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/render"
)

// TestFilesHandsOutReportDataFirst holds files to handing its head, once
// and before it lists anything else, every report's data file and no
// other, as the first files of its list: Build renders them on the other
// core while the rest is listed.
func TestFilesHandsOutReportDataFirst(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	s, err := Load(ctx, "..", now)
	if err != nil {
		t.Fatal(err)
	}
	var heads [][]string
	_, files, _, err := s.files(ctx, now, false, func(head []render.File) {
		var paths []string
		for _, f := range head {
			paths = append(paths, f.Path)
		}
		heads = append(heads, paths)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(heads) != 1 {
		t.Fatalf("got head called %d times, want once", len(heads))
	}
	var data []string
	for _, f := range files {
		if strings.HasPrefix(f.Path, "reports/") && (strings.HasSuffix(f.Path, ".csv") || strings.HasSuffix(f.Path, ".json")) {
			data = append(data, f.Path)
		}
	}
	if len(data) == 0 {
		t.Fatal("got no report data files, want a CSV and a JSON a month")
	}
	if !slices.Equal(heads[0], data) {
		t.Errorf("got head %q, want the report data %q", heads[0], data)
	}
	for i, p := range heads[0] {
		if files[i].Path != p {
			t.Fatalf("got %s at %d of the list, want the head's %s", files[i].Path, i, p)
		}
	}
}
