package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator"
)

// TestReportRevision publishes the example, then writes an incident dated
// in October, a closed month, and publishes again: October's report says
// it was revised and from what (the copy has no probe data, so the
// figure was "no data"), and the record in data/ keeps both
// publications. A build that does not record leaves data/ alone.
func TestReportRevision(t *testing.T) {
	site := copySite(t)
	out := filepath.Join(t.TempDir(), "out")
	record := filepath.Join(site, "data", "reports.json")
	publish := func(rec bool) {
		t.Helper()
		s, err := generator.Load(context.Background(), site, exampleNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := generator.Build(context.Background(), s, generator.Options{Out: out, Now: exampleNow, Record: rec}); err != nil {
			t.Fatal(err)
		}
	}
	october := func() string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, "reports", "2026-10", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	publish(false)
	if _, err := os.Stat(record); err == nil {
		t.Fatalf("got %s after a build that does not record, want none", record)
	}
	publish(true)
	first, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("got %v, want the record written", err)
	}
	if strings.Contains(october(), "Revised") {
		t.Errorf("got October revised on its first publication, want not")
	}

	late := "---\ntitle: Search was down\ncomponents:\n  search: major_outage\nstarted: 2026-10-20 10:00\nresolved: 2026-10-20 12:00\n---\nIt was down.\n"
	if err := os.WriteFile(filepath.Join(site, "incidents", "2026-10-20-search-down.md"), []byte(late), 0o644); err != nil {
		t.Fatal(err)
	}
	publish(true)
	page := october()
	for _, want := range []string{"This report was revised", "Before: whole site no data, 0 min down; Search no data, 0 min down."} {
		if !strings.Contains(page, want) {
			t.Errorf("got October's report without %q, want it:\n%s", want, page[strings.Index(page, "<main"):][:1500])
		}
	}
	second, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if string(first) == string(second) || !strings.Contains(string(second), `"revisions"`) {
		t.Errorf("got the record unchanged or without revisions:\n%s", second)
	}

	// A rebuild with the same inputs is no new revision.
	publish(true)
	if third, _ := os.ReadFile(record); string(third) != string(second) {
		t.Errorf("got the record changed by a rebuild of the same inputs")
	}
}

// TestReportRecordNotOurs checks that a file at data/reports.json that
// herald did not write stops the build, named, and is left as it was.
func TestReportRecordNotOurs(t *testing.T) {
	site := copySite(t)
	record := filepath.Join(site, "data", "reports.json")
	if err := os.MkdirAll(filepath.Dir(record), 0o755); err != nil {
		t.Fatal(err)
	}
	mine := []byte("my own notes\n")
	if err := os.WriteFile(record, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := generator.Load(context.Background(), site, exampleNow)
	if err != nil {
		t.Fatal(err)
	}
	_, err = generator.Build(context.Background(), s, generator.Options{Out: filepath.Join(t.TempDir(), "out"), Now: exampleNow, Record: true})
	if err == nil || !strings.Contains(err.Error(), "reports.json") || !strings.Contains(err.Error(), "move the file aside") {
		t.Errorf("got error %v, want one naming reports.json and what to do", err)
	}
	if got, _ := os.ReadFile(record); string(got) != string(mine) {
		t.Errorf("got the file changed to %q, want it left alone", got)
	}
}

// TestBuilderRecords checks that a Builder records only when told to, as
// herald run's does and watch's and serve's do not.
func TestBuilderRecords(t *testing.T) {
	for _, rec := range []bool{false, true} {
		t.Run(map[bool]string{false: "preview", true: "publisher"}[rec], func(t *testing.T) {
			site := copySite(t)
			b := generator.NewBuilder(site, filepath.Join(t.TempDir(), "out"))
			b.Record = rec
			if _, err := b.Build(context.Background(), exampleNow); err != nil {
				t.Fatal(err)
			}
			_, err := os.Stat(filepath.Join(site, "data", "reports.json"))
			if got := err == nil; got != rec {
				t.Errorf("got a record written %v, want %v", got, rec)
			}
		})
	}
}

// TestBuilderRevisesOnce: a Builder keeps the record it read across its
// builds, and must know it again once it writes one. October is revised
// by a late incident; a rebuild an hour later finds the figures it
// recorded then, not those it first read, and adds no second revision.
func TestBuilderRevisesOnce(t *testing.T) {
	site := copySite(t)
	record := filepath.Join(site, "data", "reports.json")
	ctx := context.Background()
	b := generator.NewBuilder(site, filepath.Join(t.TempDir(), "out"))
	b.Record = true
	for i, now := range []time.Time{exampleNow, exampleNow.Add(time.Minute)} {
		if _, err := b.Build(ctx, now); err != nil {
			t.Fatalf("build %d: %v", i+1, err)
		}
	}
	late := "---\ntitle: Search was down\ncomponents:\n  search: major_outage\nstarted: 2026-10-20 10:00\nresolved: 2026-10-20 12:00\n---\nIt was down.\n"
	if err := os.WriteFile(filepath.Join(site, "incidents", "2026-10-20-search-down.md"), []byte(late), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Build(ctx, exampleNow.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	revised, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(revised), `"from"`); got != 1 {
		t.Fatalf("got %d revisions in the record after the late incident, want 1:\n%s", got, revised)
	}
	if _, err := b.Build(ctx, exampleNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(record); string(again) != string(revised) {
		t.Errorf("a rebuild with the same figures changed the record:\n%s", again)
	}
}

// TestBuilderClosedMonthOngoing: an incident that began in October and
// still goes on is on October's report, a closed month whose Key does not
// move with the clock. What the page says of it must not either, or an
// incremental build at a later clock keeps a stale duration that a full
// build does not.
func TestBuilderClosedMonthOngoing(t *testing.T) {
	site := copySite(t)
	ongoing := "---\ntitle: Search still down\ncomponents:\n  search: partial_outage\nstarted: 2026-10-30 10:00\n---\nStill looking.\n"
	if err := os.WriteFile(filepath.Join(site, "incidents", "2026-10-30-search-still-down.md"), []byte(ongoing), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inc := filepath.Join(t.TempDir(), "inc")
	b := generator.NewBuilder(site, inc)
	for _, now := range []time.Time{exampleNow, exampleNow.Add(2 * time.Hour), exampleNow.Add(49 * time.Hour)} {
		t.Run(now.Format(time.RFC3339), func(t *testing.T) {
			if _, err := b.Build(ctx, now); err != nil {
				t.Fatal(err)
			}
			s, err := generator.Load(ctx, site, now)
			if err != nil {
				t.Fatal(err)
			}
			full := filepath.Join(t.TempDir(), "full")
			if _, err := generator.Build(ctx, s, generator.Options{Out: full, Now: now}); err != nil {
				t.Fatal(err)
			}
			diffTrees(t, tree(t, inc), tree(t, full))
		})
	}
}
