package cstate_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/internal/interop"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/migrate/cstate"
)

// TestSampleMigrates migrates cState's example site and checks that herald
// accepts the result and that it says what the source says.
func TestSampleMigrates(t *testing.T) {
	// cState's own example site.
	sample := interop.Path(t, "cstate-example/exampleSite")
	site, err := cstate.Read(sample)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	if _, err := migrate.Write(ctx, dir, site, false); err != nil {
		t.Fatalf("Write: %v", err)
	}
	s, err := generator.Load(ctx, dir, now)
	if err != nil {
		t.Fatalf("generator.Load: %v", err)
	}
	if err := generator.Check(ctx, s, now); err != nil {
		t.Fatalf("generator.Check: %v", err)
	}

	sources, _ := filepath.Glob(filepath.Join(sample, "content", "issues", "*.md"))
	if got, want := len(s.Incidents), len(sources); got != want {
		t.Errorf("got %d incidents, want %d", got, want)
	}
	var ids []string
	for _, c := range s.Config.Components {
		ids = append(ids, c.ID)
	}
	if want := []string{"gateway", "backup-gateway", "website", "api", "media-proxy"}; !slices.Equal(ids, want) {
		t.Errorf("got components %v, want %v", ids, want)
	}
	// What the source says, read straight from each file's front matter.
	for _, f := range sources {
		slug := strings.TrimSuffix(filepath.Base(f), ".md")
		t.Run(slug, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.SplitN(string(src), "---\n", 3)
			var fm struct {
				Title         string   `yaml:"title"`
				Resolved      bool     `yaml:"resolved"`
				Informational bool     `yaml:"informational"`
				Affected      []string `yaml:"affected"`
			}
			if err := yaml.Unmarshal([]byte(parts[1]), &fm); err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(s.Incidents, func(in *incident.Incident) bool { return in.Slug == slug })
			if i < 0 {
				t.Fatalf("no incident %s", slug)
			}
			in := s.Incidents[i]
			if in.Title != fm.Title {
				t.Errorf("got title %q, want %q", in.Title, fm.Title)
			}
			var ids []string
			for _, name := range fm.Affected {
				ids = append(ids, config.Slugify(name))
			}
			var got []string
			for _, c := range in.Affected {
				got = append(got, c.ID)
			}
			slices.Sort(ids)
			slices.Sort(got)
			if !slices.Equal(got, ids) {
				t.Errorf("got components %v, want %v", got, ids)
			}
			maintenance := in.Kind == incident.KindMaintenance
			if want := slug == "2024-02-24-maintenance-window"; maintenance != want {
				t.Errorf("got maintenance %v, want %v", maintenance, want)
			}
			// An informational post is resolved at its date (docs/migrate.md).
			if !maintenance {
				if got, want := !in.Resolved.IsZero(), fm.Resolved || fm.Informational; got != want {
					t.Errorf("got resolved %v, want %v", got, want)
				}
			}
		})
	}
}
