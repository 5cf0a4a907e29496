package statuspage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/migrate/statuspage"
)

// TestRoundTrip builds the repository's example site, reads its api/v2/
// back and checks that what the API carries survives: components and
// groups, titles, kinds, impacts, component statuses, times, and update
// bodies as plain text. docs/migrate.md lists what it cannot carry.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	site := t.TempDir()
	copyTree(t, filepath.Join("..", "..", "herald.yaml"), filepath.Join(site, "herald.yaml"))
	copyTree(t, filepath.Join("..", "..", "incidents"), filepath.Join(site, "incidents"))
	s, err := generator.Load(ctx, site, now)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(site, "public")
	res, err := generator.Build(ctx, s, generator.Options{Out: out, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	got, err := statuspage.Read(ctx, filepath.Join(out, "api", "v2"), nil)
	if err != nil {
		t.Fatal(err)
	}
	snap := res.Snapshot

	if got.Title != snap.Site.Title || got.BaseURL != snap.Site.BaseURL || got.Timezone != snap.Site.Location.String() {
		t.Errorf("page: got %q %q %q, want %q %q %q", got.Title, got.BaseURL, got.Timezone, snap.Site.Title, snap.Site.BaseURL, snap.Site.Location)
	}

	var wantComps, gotComps []string
	nameOf := map[string]string{} // herald id → name
	for _, c := range snap.Components {
		nameOf[c.ID] = c.Name
		wantComps = append(wantComps, fmt.Sprintf("%s / %s: %s", c.Group, c.Name, c.Description))
	}
	gotName := map[string]string{}
	for _, c := range got.Components {
		gotName[c.ID] = c.Name
		gotComps = append(gotComps, fmt.Sprintf("%s / %s: %s", c.Group, c.Name, c.Description))
	}
	same(t, "components", gotComps, wantComps)

	var want []string
	for _, in := range snap.Incidents {
		if in.Kind == incident.KindIncident && in.Start().After(now) {
			continue // not yet happened: the API leaves it out
		}
		want = append(want, describe(heraldIncident(in, nameOf, now)))
	}
	var gotIncidents []string
	for _, in := range got.Incidents {
		gotIncidents = append(gotIncidents, describe(readIncident(in, gotName)))
	}
	sort.Strings(want)
	sort.Strings(gotIncidents)
	if len(want) < 5 {
		t.Fatalf("the example site has %d incidents in its API; the test needs a few", len(want))
	}
	same(t, "incidents", gotIncidents, want)
}

// flat is an incident as the API can carry it, components by name and
// times in UTC, for comparison.
type flat struct {
	Slug, Title, Kind, Impact string
	Components                map[string]string
	Times                     [4]string
	Updates                   []string
}

func describe(f flat) string { return fmt.Sprintf("%+v\n", f) }

func utc(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func heraldIncident(in *incident.Incident, nameOf map[string]string, now time.Time) flat {
	f := flat{Slug: in.Slug, Title: in.Title, Kind: string(in.Kind), Impact: string(in.Impact), Components: map[string]string{}}
	if in.Kind == incident.KindMaintenance {
		f.Impact = ""
		f.Times[2], f.Times[3] = utc(in.ScheduledStart), utc(in.ScheduledEnd)
	} else {
		f.Times[0] = utc(in.Start())
		if end := in.End(); !end.IsZero() && !end.After(now) {
			f.Times[1] = utc(end)
		}
	}
	f.Times[0], f.Times[1], f.Times[2], f.Times[3] = dash(f.Times[0]), dash(f.Times[1]), dash(f.Times[2]), dash(f.Times[3])
	for _, a := range in.Affected {
		st := string(a.Status)
		if in.Kind == incident.KindMaintenance {
			st = string(incident.UnderMaintenance)
		}
		f.Components[nameOf[a.ID]] = st
	}
	for _, u := range in.Updates {
		if u.Time.After(now) {
			continue
		}
		f.Updates = append(f.Updates, fmt.Sprintf("%s %s %q", utc(u.Time), u.Status, api.PlainText(string(u.Body))))
	}
	return f
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func readIncident(in migrate.Incident, nameOf map[string]string) flat {
	f := flat{Slug: in.Slug, Title: in.Title, Kind: string(in.Kind), Impact: in.Impact, Components: map[string]string{}}
	f.Times = [4]string{utc(in.Started), utc(in.Resolved), utc(in.ScheduledStart), utc(in.ScheduledEnd)}
	for id, st := range in.Components {
		f.Components[nameOf[id]] = st
	}
	for _, u := range in.Updates {
		f.Updates = append(f.Updates, fmt.Sprintf("%s %s %q", utc(u.Time), u.Status, u.Body))
	}
	return f
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
