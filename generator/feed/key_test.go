package feed_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/feed"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
)

// TestKeysStandForBytes checks render.File.Key's promise on the feeds of
// the example site at several clocks, with fewer items and with an
// incident less: two renders of one path with the same Key write the
// same bytes. Some Keys must change, or the test proves nothing.
func TestKeysStandForBytes(t *testing.T) {
	cfg, ins := sitetest.Load(t, sitetest.ExampleDir(t))
	few := *cfg
	few.Feeds.Items = 2
	snaps := map[string]*status.Snapshot{
		"example":               status.New(cfg, ins, clock),
		"a month later":         status.New(cfg, ins, clock.AddDate(0, 1, 0)),
		"before every incident": status.New(cfg, ins, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
		"two items":             status.New(&few, ins, clock),
		"the newest gone":       status.New(cfg, ins[1:], clock),
	}
	type render struct {
		snap string
		data []byte
	}
	seen := map[string]map[string]render{} // by path, then Key
	keys := 0
	for name, snap := range snaps {
		for _, f := range feed.Files(snap) {
			if f.Key == "" {
				t.Fatalf("%s: %s has no Key", name, f.Path)
			}
			var b bytes.Buffer
			if err := f.Render(&b); err != nil {
				t.Fatalf("render %s: %v", f.Path, err)
			}
			if seen[f.Path] == nil {
				seen[f.Path] = map[string]render{}
			}
			prev, ok := seen[f.Path][f.Key]
			if !ok {
				seen[f.Path][f.Key] = render{name, b.Bytes()}
				keys++
				continue
			}
			if !bytes.Equal(prev.data, b.Bytes()) {
				t.Errorf("%s: got other bytes in %q than in %q, with the same Key", f.Path, name, prev.snap)
			}
		}
	}
	if keys == len(seen) {
		t.Error("no Key changed: the test proves nothing")
	}
}
