package cstate_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/migrate/cstate"
)

// sample is cState's own example site, next to the repository (CI has it).
const sample = "../../../shared/interop/cstate-example/exampleSite"

// TestSampleMigrates migrates cState's example site and checks that herald
// accepts the result and that it says what the source says.
func TestSampleMigrates(t *testing.T) {
	if _, err := os.Stat(sample); err != nil {
		t.Skipf("cState sample not found at %s (the repository's ../shared/interop); CI has it: %v", sample, err)
	}
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
	tests := []struct {
		slug, title string
		maintenance bool
		resolved    bool
	}{
		{"2018-01-17-sending-dms-impacted", "Issues Sending DMs", false, true},
		{"2018-04-13-unavailable-guilds-connection-issues", "Unavailable Guilds & Connection Issues", false, true},
		{"2018-05-25-us-east-conn-issues", "US East Connection Issues", false, true},
		{"2019-10-08-testing-new-pipeline", "New Pipeline Rollout", false, true},
		{"2023-04-16-formatting-testing", "Formatting testing", false, true},
		{"2024-02-24-maintenance-window", "Maintenance Announcement", true, true},
		{"2024-05-23-planning-meeting", "cState v6 Planning Meeting", false, true},
		{"2024-07-23-excitement", "Exciting Downtime", false, true},
		{"2024-12-24-cstate-showdown", "cState v6 Showdown", false, true},
		{"2024-12-27-dns-resolution-api", "API DNS resolution error!", false, false},
		{"i-testing-cstate-functions", "Testing New cState Features", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			i := slices.IndexFunc(s.Incidents, func(in *incident.Incident) bool { return in.Slug == tt.slug })
			if i < 0 {
				t.Fatalf("no incident %s", tt.slug)
			}
			in := s.Incidents[i]
			if in.Title != tt.title {
				t.Errorf("got title %q, want %q", in.Title, tt.title)
			}
			if got := (in.Kind == incident.KindMaintenance); got != tt.maintenance {
				t.Errorf("got maintenance %v, want %v", got, tt.maintenance)
			}
			if got := !(in.Kind == incident.KindMaintenance) && !in.Resolved.IsZero() || (in.Kind == incident.KindMaintenance); got != tt.resolved {
				t.Errorf("got resolved %v, want %v", got, tt.resolved)
			}
		})
	}
}
