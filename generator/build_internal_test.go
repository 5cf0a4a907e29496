package generator

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/render"
)

// TestFilesHandsOutHeadFirst holds files to handing its head, once and
// before it lists anything else, every report's data file and the API's,
// and no other, as the first files of its list: Build renders them on
// the other core while the rest is listed, and they are the longest to
// render, which at the end of the list left a core idle.
func TestFilesHandsOutHeadFirst(t *testing.T) {
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
	var want []string
	api := 0
	for _, f := range files {
		data := strings.HasPrefix(f.Path, "reports/") && (strings.HasSuffix(f.Path, ".csv") || strings.HasSuffix(f.Path, ".json"))
		if strings.HasPrefix(f.Path, "api/") {
			api++
			data = true
		}
		if data {
			want = append(want, f.Path)
		}
	}
	if api == 0 || len(want) == api {
		t.Fatalf("got %d API and %d report data files, want both", api, len(want)-api)
	}
	slices.Sort(want)
	got := slices.Sorted(slices.Values(heads[0]))
	if !slices.Equal(got, want) {
		t.Errorf("got head %q, want the report data and the API %q", got, want)
	}
	for i, p := range heads[0] {
		if files[i].Path != p {
			t.Fatalf("got %s at %d of the list, want the head's %s", files[i].Path, i, p)
		}
	}
}
