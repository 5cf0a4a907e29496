package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/migrate"
)

func testSite() *migrate.Site {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 11, 1, 10, 0, 30, 0, berlin)
	return &migrate.Site{
		Title:       `Status: "quoted" & #not-a-comment`,
		BaseURL:     "https://status.example.com/",
		Description: "line one\nline two",
		Timezone:    "Europe/Berlin",
		Components: []migrate.Component{
			{ID: "api", Name: "API: v2", Group: "Core", Description: "- not a list", Probe: "http: https://api.example.com/\ninterval: 5m"},
			{ID: "web", Name: "Web"},
		},
		Incidents: []migrate.Incident{
			{
				Slug: "2026-11-01-api-down", Title: "API down: 'all' of it", Kind: migrate.KindIncident,
				Components: map[string]string{"api": "major_outage", "web": "degraded_performance"},
				Started:    start, Resolved: start.Add(time.Hour),
				Summary: "It was down.",
				Updates: []migrate.Update{
					{Time: start, Status: "investigating", Body: "Looking."},
					{Time: start.Add(time.Hour), Status: "resolved", Body: "Back."},
				},
			},
			{
				Slug: "2026-11-05-upgrade", Title: "Upgrade", Kind: migrate.KindMaintenance,
				Components:     map[string]string{"web": "under_maintenance"},
				ScheduledStart: start.Add(96 * time.Hour), ScheduledEnd: start.Add(98 * time.Hour),
				Updates: []migrate.Update{{Time: start.Add(96 * time.Hour), Status: "in_progress", Body: "Started."}},
			},
		},
		Results:  []history.Result{{Component: "api", Time: start, OK: true, LatencyMS: 80, Status: 200}},
		Unmapped: []migrate.Note{{File: "config.yml", Line: 3, What: "x", Instead: "y"}},
	}
}

var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// TestWrite writes a site whose text needs quoting everywhere and checks
// that herald reads back what was written, zones included.
func TestWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sum, err := migrate.Write(ctx, dir, testSite(), false)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if sum.Components != 2 || sum.Incidents != 1 || sum.Maintenance != 1 || sum.Results != 1 || len(sum.Notes) != 1 {
		t.Errorf("got summary %+v, want 2 components, 1 incident, 1 maintenance, 1 result, 1 note", sum)
	}
	s, err := generator.Load(ctx, dir, now)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if err := generator.Check(ctx, s, now); err != nil {
		t.Fatalf("Check: %v", err)
	}
	want := testSite()
	if s.Config.Title != want.Title || s.Config.Description != want.Description {
		t.Errorf("got title %q, description %q, want %q, %q", s.Config.Title, s.Config.Description, want.Title, want.Description)
	}
	if c := s.Config.Component("api"); c == nil || c.Name != "API: v2" || c.Probe == nil || c.Probe.Interval != 5*time.Minute {
		t.Errorf("got component api %+v, want its name and 5m probe", c)
	}
	src, _ := os.ReadFile(filepath.Join(dir, "incidents", "2026-11-01-api-down.md"))
	for _, w := range []string{"started: \"2026-11-01T10:00:00+01:00\"", "## 2026-11-01 11:00 +01:00 — Resolved\nBack.", "## 2026-11-01 10:00 +01:00 — Investigating"} {
		if !strings.Contains(string(src), w) {
			t.Errorf("got incident file:\n%s\nwant it to hold %q", src, w)
		}
	}
	if strings.Index(string(src), "Resolved") > strings.Index(string(src), "Investigating") {
		t.Errorf("got updates oldest first, want newest first:\n%s", src)
	}
	cfg, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.OpenReadOnly(cfg.HistoryPath(), history.OptionsFor(cfg))
	if err != nil {
		t.Fatalf("open the written history: %v", err)
	}
	store.Close()
}

// TestWriteAllOrNothing: a failure at any point leaves the folder as it was.
func TestWriteAllOrNothing(t *testing.T) {
	failing := func(context.Context, string) error { return errors.New("check failed") }
	unknownResult := testSite()
	unknownResult.Results[0].Component = "nope"
	badSlug := testSite()
	badSlug.Incidents[1].Slug = badSlug.Incidents[0].Slug
	tests := []struct {
		name   string
		site   *migrate.Site
		force  bool
		checks []migrate.Check
		want   string
	}{
		{"an existing file without force", testSite(), false, nil, "already exists"},
		{"a failing check, even with force", testSite(), true, []migrate.Check{failing}, "check failed"},
		{"a slug used twice", badSlug, true, nil, "used twice"},
		{"results the store refuses", unknownResult, true, nil, "import results"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "incidents"), 0o755); err != nil {
				t.Fatal(err)
			}
			before := map[string]string{"herald.yaml": "title: Mine\n", "incidents/2026-11-05-upgrade.md": "mine"}
			for name, text := range before {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := migrate.Write(context.Background(), dir, tt.site, tt.force, tt.checks...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one saying %q", err, tt.want)
			}
			var got []string
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if !d.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					got = append(got, filepath.ToSlash(rel))
					if text, _ := os.ReadFile(p); string(text) != before[filepath.ToSlash(rel)] {
						t.Errorf("got %s = %q, want %q", rel, text, before[filepath.ToSlash(rel)])
					}
				}
				return nil
			})
			if len(got) != len(before) {
				t.Errorf("got files %v, want only %d files as before", got, len(before))
			}
		})
	}
}

// TestWriteForce replaces the files it writes and keeps the others.
func TestWriteForce(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "herald.yaml"), []byte("title: Mine\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep"), 0o644)
	if _, err := migrate.Write(context.Background(), dir, testSite(), true); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "herald.yaml")); strings.Contains(string(got), "Mine") {
		t.Errorf("got herald.yaml %q, want it replaced", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(got) != "keep" {
		t.Errorf("got notes.txt %q, want it kept", got)
	}
}

// TestWriteNewFolder: a folder Write created is gone again after a failure.
func TestWriteNewFolder(t *testing.T) {
	failing := func(context.Context, string) error { return errors.New("check failed") }
	dir := filepath.Join(t.TempDir(), "status")
	if _, err := migrate.Write(context.Background(), dir, testSite(), false, failing); err == nil {
		t.Fatal("got no error, want the check's")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %s left behind (%v), want it gone", dir, err)
	}
	if _, err := migrate.Write(context.Background(), dir, testSite(), false); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "herald.yaml")); err != nil {
		t.Errorf("got no herald.yaml: %v", err)
	}
}

// TestWriteStaysInside: an incidents/ that links out of the site folder is
// refused, with or without force, and nothing lands where it points.
func TestWriteStaysInside(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprintf("force=%v", force), func(t *testing.T) {
			dir, elsewhere := t.TempDir(), t.TempDir()
			if err := os.Symlink(elsewhere, filepath.Join(dir, "incidents")); err != nil {
				t.Fatal(err)
			}
			if _, err := migrate.Write(context.Background(), dir, testSite(), force); err == nil || !strings.Contains(err.Error(), "only inside the site folder") {
				t.Errorf("got %v, want a refusal to write outside the site folder", err)
			}
			if entries, _ := os.ReadDir(elsewhere); len(entries) > 0 {
				t.Errorf("got %d files written outside the site, in %s", len(entries), elsewhere)
			}
			if _, err := os.Stat(filepath.Join(dir, "herald.yaml")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("got herald.yaml written (%v), want nothing written", err)
			}
		})
	}
}
