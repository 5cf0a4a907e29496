package upptime_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/internal/interop"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/migrate/upptime"
)

// TestSampleMigrates clones the sample, migrates it, and checks that
// herald accepts and builds the result, and that it says what
// .upptimerc.yml says.
func TestSampleMigrates(t *testing.T) {
	bundle := interop.Path(t, "upptime-bandlab.bundle")
	repo := filepath.Join(t.TempDir(), "repo")
	if out, err := exec.Command("git", "clone", "--quiet", bundle, repo).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	site, err := upptime.Read(context.Background(), repo, "")
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	if _, err := migrate.Write(ctx, dir, site, false, checkSite(now)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	s, err := generator.Load(ctx, dir, now)
	if err != nil {
		t.Fatalf("generator.Load: %v", err)
	}
	if _, err := generator.Build(ctx, s, generator.Options{Out: filepath.Join(t.TempDir(), "public"), Now: now}); err != nil {
		t.Fatalf("generator.Build: %v", err)
	}

	// What the source says, read straight from its config.
	src, err := os.ReadFile(filepath.Join(repo, upptime.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	var rc struct {
		Sites []struct {
			Name, Slug, URL string
		}
		Website struct {
			Name, CNAME string
		} `yaml:"status-website"`
	}
	if err := yaml.Unmarshal(src, &rc); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Config.Title, rc.Website.Name; got != want {
		t.Errorf("got title %q, want %q", got, want)
	}
	if got, want := s.Config.BaseURL, "https://"+rc.Website.CNAME+"/"; got != want {
		t.Errorf("got base URL %q, want %q", got, want)
	}
	var got, want []string
	for _, c := range s.Config.Components {
		got = append(got, c.ID+" "+c.Name)
		if c.Probe == nil {
			t.Errorf("got no probe for %s", c.ID)
		} else if c.Probe.Interval != upptime.Interval {
			t.Errorf("got interval %s for %s, want %s", c.Probe.Interval, c.ID, upptime.Interval)
		}
	}
	for _, site := range rc.Sites {
		want = append(want, site.Slug+" "+site.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("got components %q, want %q", got, want)
	}
	// The sample has no outages, and no issues file was given.
	if len(s.Incidents) != 0 {
		t.Errorf("got %d incidents, want 0", len(s.Incidents))
	}
	// Its git log holds months of status commits for every site.
	per := map[string]int{}
	for _, r := range site.Results {
		per[r.Component]++
	}
	for _, c := range s.Config.Components {
		if per[c.ID] == 0 {
			t.Errorf("got no history results for %s", c.ID)
		}
	}
}
