package feed

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/sitetest"
)

// TestItemsReleased: once every feed file is written, the feeds hold no
// item: each is dropped after the last file that lists it, not kept,
// its content a copy of the incident's text, until the build lets go of
// its files. Before, the items of 200 incidents of 4 kB each stayed
// (1,507 kB).
func TestItemsReleased(t *testing.T) {
	site := map[string]string{"herald.yaml": "title: T\nbase_url: https://status.example.com/\ncomponents:\n  - {id: api, name: API}\n  - {id: web, name: Website}\nfeeds: {items: 300}\n"}
	body := strings.Repeat("The API answered slowly & some requests failed. ", 40)
	for i := range 200 {
		day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly)
		site[fmt.Sprintf("incidents/%s-slow-%d.md", day, i)] = fmt.Sprintf("---\ntitle: Slow %d\ncomponents: {api: partial_outage}\nstarted: %s 10:00\nresolved: %s 11:00\n---\n%s\n\n## %s 10:30 UTC — Monitoring\n%s\n", i, day, day, body, day, body)
	}
	snap := sitetest.Snapshot(t, sitetest.Write(t, site), time.Date(2026, 12, 28, 15, 0, 0, 0, time.UTC))
	if len(snap.Incidents) != 200 {
		t.Fatalf("got %d incidents, want 200", len(snap.Incidents))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	files := Files(snap)
	for _, f := range files {
		if err := f.Render(io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(files)
	if got := int64(after.HeapAlloc) - int64(before.HeapAlloc); got > 200<<10 {
		t.Errorf("got %d kB more held after the feeds were written, want at most 200 kB", got>>10)
	}
}
