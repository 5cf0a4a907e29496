package statuspage_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/internal/interop"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/migrate/statuspage"
)

// want is what testdata/page holds, mapped.
func wantPage(t *testing.T) *migrate.Site {
	t.Helper()
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	return &migrate.Site{
		Title:    "Acme",
		BaseURL:  "https://status.acme.example/",
		Timezone: "Europe/Paris",
		// Top level by position (Website 1, Core 2), the group's members
		// by theirs.
		Components: []migrate.Component{
			{ID: "website", Name: "Website"},
			{ID: "api", Name: "API", Group: "Core", Description: "The public API."},
			{ID: "database", Name: "Database", Group: "Core"},
			{ID: "old-cdn", Name: "Old CDN"},
		},
		Incidents: []migrate.Incident{
			{
				Slug: "slow-api-abc123", Title: "Slow API", Kind: migrate.KindIncident, Impact: "major",
				// The worst each component reached, not the latest.
				Components: map[string]string{"api": "partial_outage", "database": "degraded_performance"},
				Started:    at("2024-05-02T10:00:00+02:00"),
				Resolved:   at("2024-05-02T11:30:00+02:00"),
				Updates: []migrate.Update{
					{Time: at("2024-05-02T11:30:00+02:00"), Status: "resolved", Body: "Fixed."},
					{Time: at("2024-05-02T10:02:00+02:00"), Status: "investigating", Body: "We are *looking*."},
				},
			},
			{
				// No shortlink: the id; no started_at: created_at.
				Slug: "slow-api-inc1", Title: "Slow API", Kind: migrate.KindIncident, Impact: "minor",
				Components: map[string]string{"old-cdn": ""},
				Started:    at("2024-05-01T09:00:00Z"),
			},
			{
				Slug: "database-upgrade-m1code", Title: "Database upgrade", Kind: migrate.KindMaintenance,
				Components:     map[string]string{"database": "under_maintenance"},
				ScheduledStart: at("2024-04-21T01:00:00Z"),
				ScheduledEnd:   at("2024-04-21T03:00:00Z"),
				Updates:        []migrate.Update{{Time: at("2024-04-20T08:00:00Z"), Status: "scheduled", Body: "Upgrading."}},
			},
		},
		Unmapped: []migrate.Note{
			{File: "components.json", Line: 7, What: `component "Website" is shown only while degraded`, Instead: "herald shows it always"},
			{File: "incidents.json", Line: 31, What: `component "Old CDN" is in no component list`, Instead: "added it at the end, with no group"},
			{File: "incidents.json", Line: 23, What: `incident "Slow API" lists component "Old CDN" with no status in any update`, Instead: "left its status to herald, which takes it from the impact"},
		},
	}
}

// sameSite compares with times equal as instants in the same zone offset,
// and note files by base name (folder, file or URL).
func sameSite(t *testing.T, got, want *migrate.Site) {
	t.Helper()
	for i := range got.Unmapped {
		n := &got.Unmapped[i]
		n.File = n.File[strings.LastIndexAny(n.File, `/\`)+1:]
	}
	same(t, "page", []string{got.Title, got.BaseURL, got.Timezone, got.Description}, []string{want.Title, want.BaseURL, want.Timezone, want.Description})
	same(t, "components", got.Components, want.Components)
	if len(got.Incidents) != len(want.Incidents) {
		t.Errorf("got %d incidents, want %d", len(got.Incidents), len(want.Incidents))
	}
	for i := range min(len(got.Incidents), len(want.Incidents)) {
		same(t, "incident "+want.Incidents[i].Slug, got.Incidents[i], want.Incidents[i])
	}
	same(t, "notes", got.Unmapped, want.Unmapped)
}

func same[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\ngot  %+v\nwant %+v", what, got, want)
	}
}

func TestReadFolder(t *testing.T) {
	got, err := statuspage.Read(context.Background(), filepath.Join("testdata", "page"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sameSite(t, got, wantPage(t))
}

func TestReadURL(t *testing.T) {
	var asked []string
	files := http.FileServer(http.Dir(filepath.Join("testdata", "page")))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path)
		http.StripPrefix("/api/v2", files).ServeHTTP(w, r)
	}))
	defer srv.Close()
	for _, tc := range []struct{ name, base string }{
		{"page URL", srv.URL},
		{"page URL with a slash", srv.URL + "/"},
		{"API folder", srv.URL + "/api/v2/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked = nil
			got, err := statuspage.Read(context.Background(), tc.base, srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			sameSite(t, got, wantPage(t))
			want := []string{"/api/v2/summary.json", "/api/v2/components.json", "/api/v2/incidents.json", "/api/v2/scheduled-maintenances.json"}
			same(t, "requests", asked, want)
		})
	}
}

func TestReadURLErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v2/components.json":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/big/api/v2/summary.json":
			w.Write([]byte(`{"page":{"name":"`))
			for range 65 {
				w.Write([]byte(strings.Repeat("x", 1<<20)))
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	closedHost := strings.TrimPrefix(closed.URL, "http://")
	for _, tc := range []struct{ name, base, want string }{
		{"server error names the file, without credentials", "http://user:hunter2@" + host + "/?key=secret",
			"fetch http://***@" + host + "/api/v2/components.json: 500 Internal Server Error"},
		{"no server", "http://user:hunter2@" + closedHost + "/?key=secret",
			"fetch http://***@" + closedHost + "/api/v2/summary.json: Get \"http://***@" + closedHost + "/api/v2/summary.json\": dial tcp"},
		{"too large", srv.URL + "/big", "read " + srv.URL + "/big/api/v2/summary.json: larger than 64 MiB"},
		{"nothing there", srv.URL + "/none", "no Statuspage API file found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := statuspage.Read(context.Background(), tc.base, srv.Client())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			for _, secret := range []string{"hunter2", "secret"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q prints %q", err, secret)
				}
			}
		})
	}
}

func TestReadBadInput(t *testing.T) {
	const good = `{
  "page": {"name": "P", "url": "https://p.example", "time_zone": "UTC"},
  "incidents": [
    {
      "id": "i1", "name": "Down", "impact": "minor",
      "started_at": "2024-01-01T00:00:00Z",
      "incident_updates": [
        {"id": "u1", "status": "investigating", "body": "x", "display_at": "2024-01-01T00:00:00Z",
         "affected_components": [{"code": "c1", "name": "API", "new_status": "major_outage"}]}
      ]
    }
  ]
}`
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"malformed JSON", `"impact": "minor",`, `"impact": "minor"`, "incidents.json:6:7: malformed JSON"},
		{"wrong type", `"name": "Down"`, `"name": 3`, "incidents.json:5:27: incidents.name is a JSON number, not a string"},
		{"unknown impact", `"impact": "minor"`, `"impact": "huge"`, `incidents.json:5:1: incident "Down": unknown impact "huge" (use one of none, minor, major, critical)`},
		{"unknown update status", `"status": "investigating"`, `"status": "fixing"`, `incidents.json:8:1: incident "Down": unknown update status "fixing"`},
		{"unknown component status", `"major_outage"`, `"broken"`, `incidents.json:8:1: incident "Down": component "API" has unknown status "broken"`},
		{"bad time", `"started_at": "2024-01-01T00:00:00Z"`, `"started_at": "yesterday"`, `incidents.json:5:1: incident "Down": started_at "yesterday" is not an RFC 3339 time`},
		{"bad update time", `"display_at": "2024-01-01T00:00:00Z"`, `"display_at": "soon"`, `incidents.json:8:1: incident "Down": display_at "soon" is not an RFC 3339 time`},
		{"no update time", `"display_at": "2024-01-01T00:00:00Z"`, `"display_at": null`, `incidents.json:8:1: incident "Down": update u1 has no display_at or created_at`},
		{"no time", `"started_at": "2024-01-01T00:00:00Z"`, `"started_at": null`, `incidents.json:5:1: incident "Down" has no started_at or created_at`},
		{"not the API", good, `{"hello": 1}`, "incidents.json:1:1: not a Statuspage v2 API response"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(good, tc.old, tc.new, 1)
			if src == good {
				t.Fatalf("%q is not in the input", tc.old)
			}
			file := filepath.Join(t.TempDir(), "incidents.json")
			if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := statuspage.Read(context.Background(), file, nil)
			if err == nil || !strings.Contains(err.Error(), filepath.Dir(file)+string(filepath.Separator)+tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
			if n := strings.Count(fmt.Sprint(err), "incidents.json:"); n != 1 {
				t.Errorf("got %d errors, want 1: %v", n, err)
			}
		})
	}
	t.Run("good", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "incidents.json")
		if err := os.WriteFile(file, []byte(good), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := statuspage.Read(context.Background(), file, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("empty folder", func(t *testing.T) {
		_, err := statuspage.Read(context.Background(), t.TempDir(), nil)
		if !errors.Is(err, statuspage.ErrNoData) {
			t.Errorf("got %v, want %v", err, statuspage.ErrNoData)
		}
	})
}

// TestReadSlugs checks that slugs and ids are unique, each in its own
// kind: an incident may share its slug with a component's id, as in herald.
func TestReadSlugs(t *testing.T) {
	const src = `{
  "components": [{"id": "a", "name": "Website"}, {"id": "b", "name": "Website"}],
  "incidents": [
    {"id": "i1", "name": "Down", "impact": "minor", "started_at": "2024-01-01T00:00:00Z", "shortlink": "https://s.example/incidents/website/"},
    {"id": "i2", "name": "Down", "impact": "minor", "started_at": "2024-01-01T00:00:00Z", "shortlink": "https://s.example/incidents/website/"},
    {"id": "i3", "name": "Down", "impact": "minor", "started_at": "2024-01-01T00:00:00Z", "shortlink": "https://stspg.io/x"},
    {"id": "i4", "name": "Down", "impact": "minor", "started_at": "2024-01-01T00:00:00Z", "shortlink": "https://stspg.io/x"},
    {"name": "Down", "impact": "minor", "started_at": "2024-01-01T00:00:00Z"},
    {"name": "Down", "impact": "minor", "started_at": "2024-01-01T00:00:00Z"}
  ]
}`
	file := filepath.Join(t.TempDir(), "summary.json")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	site, err := statuspage.Read(context.Background(), file, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids, slugs []string
	for _, c := range site.Components {
		ids = append(ids, c.ID)
	}
	for _, in := range site.Incidents {
		slugs = append(slugs, in.Slug)
	}
	same(t, "component ids", ids, []string{"website", "website-2"})
	// A herald page keeps its slug; a second one with the same link, and
	// Statuspage's short links, become the name and the link's code; two
	// with neither id nor link stay two.
	same(t, "incident slugs", slugs, []string{"website", "down-website", "down-x", "down-x-2", "down-incident", "down-incident-2"})
}

// TestReadFiftyIncidents checks that a full public incidents.json says
// that older incidents may be missing.
func TestReadFiftyIncidents(t *testing.T) {
	for _, tc := range []struct {
		n    int
		note bool
	}{{49, false}, {50, true}} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			var list []string
			for i := range tc.n {
				list = append(list, fmt.Sprintf(`{"id": "i%d", "name": "Down", "impact": "minor", "started_at": "2024-01-01T00:00:00Z", "incident_updates": []}`, i))
			}
			file := filepath.Join(t.TempDir(), "incidents.json")
			if err := os.WriteFile(file, []byte(`{"incidents": [`+strings.Join(list, ",\n")+`]}`), 0o644); err != nil {
				t.Fatal(err)
			}
			site, err := statuspage.Read(context.Background(), file, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(site.Incidents) != tc.n {
				t.Errorf("got %d incidents, want %d", len(site.Incidents), tc.n)
			}
			noted := len(site.Unmapped) == 1 && strings.Contains(site.Unmapped[0].What, "only the last 50 incidents")
			if noted != tc.note {
				t.Errorf("got notes %v, want a note of the 50-incident limit: %v", site.Unmapped, tc.note)
			}
		})
	}
}

// TestReadDiscordSample reads a real incidents.json response, Discord's.
func TestReadDiscordSample(t *testing.T) {
	file := interop.Path(t, "statuspage-discord-incidents.json")
	site, err := statuspage.Read(context.Background(), file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if site.Title != "Discord" || site.Timezone != "America/Tijuana" || site.BaseURL != "https://discordstatus.com/" {
		t.Errorf("page: got %q, %q, %q; want Discord, America/Tijuana, https://discordstatus.com/", site.Title, site.Timezone, site.BaseURL)
	}
	if len(site.Incidents) != 1 {
		t.Fatalf("got %d incidents, want 1", len(site.Incidents))
	}
	in := site.Incidents[0]
	// The only update is "investigating", but the incident is resolved:
	// the times come from started_at and resolved_at.
	start, _ := time.Parse(time.RFC3339, "2022-02-15T13:14:17.737-08:00")
	end, _ := time.Parse(time.RFC3339, "2022-02-15T13:37:37.388-08:00")
	if in.Title != "Messaging issues" || in.Slug != "messaging-issues-y1w39cblgvhz" || in.Impact != "minor" ||
		!in.Started.Equal(start) || !in.Resolved.Equal(end) || in.Started.Format(time.RFC3339) != "2022-02-15T13:14:17-08:00" {
		t.Errorf("incident: got %q %q %q %v–%v", in.Title, in.Slug, in.Impact, in.Started, in.Resolved)
	}
	same(t, "components", in.Components, map[string]string{"api": "degraded_performance"})
	if len(site.Components) != 1 || site.Components[0].Name != "API" || site.Components[0].Description == "" {
		t.Errorf("components: got %+v, want API with its description", site.Components)
	}
	if got := writeAndCheck(t, site); len(got.Incidents) != 1 {
		t.Errorf("got %d incidents in the written site, want 1", len(got.Incidents))
	}
}

// writeAndCheck writes site into a temporary folder and checks it as
// herald check does, at a fixed time after every incident.
func writeAndCheck(t *testing.T, site *migrate.Site) *generator.Site {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if _, err := migrate.Write(ctx, dir, site, false); err != nil {
		t.Fatalf("migrate.Write: %v", err)
	}
	s, err := generator.Load(ctx, dir, now)
	if err != nil {
		t.Fatalf("generator.Load: %v", err)
	}
	if err := generator.Check(ctx, s, now); err != nil {
		t.Fatalf("generator.Check: %v", err)
	}
	return s
}
