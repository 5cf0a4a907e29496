package cstate_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/migrate/cstate"
)

const testConfig = `title: Old Status
baseUrl: https://status.example.com/
timeZone: Europe/Berlin
params:
  description: How things are.
  alerts:
    - text: hello
  categories:
    - name: Core
    - name: Other
      untitled: true
  systems:
    - name: API
      category: Core
      description: The API.
    - name: Web Site
      category: Other
`

// writeSite writes a cState site: config.yml and content/issues files.
func writeSite(t *testing.T, cfg string, issues map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "content", "issues"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, text := range issues {
		if err := os.WriteFile(filepath.Join(dir, "content", "issues", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadConfig(t *testing.T) {
	site, err := cstate.Read(writeSite(t, testConfig, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []migrate.Component{
		{ID: "api", Name: "API", Group: "Core", Description: "The API."},
		{ID: "web-site", Name: "Web Site"},
	}
	if !slices.Equal(site.Components, want) {
		t.Errorf("got components %+v, want %+v", site.Components, want)
	}
	if site.Title != "Old Status" || site.BaseURL != "https://status.example.com/" || site.Description != "How things are." || site.Timezone != "Europe/Berlin" {
		t.Errorf("got site %q %q %q %q", site.Title, site.BaseURL, site.Description, site.Timezone)
	}
	if len(site.Unmapped) != 1 || !strings.Contains(site.Unmapped[0].String(), "config.yml:7: params.alerts") {
		t.Errorf("got notes %v, want one for params.alerts at line 7", site.Unmapped)
	}
}

func TestReadIssue(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(h, m int) time.Time { return time.Date(2024, 5, 15, h, m, 0, 0, berlin) }
	tests := []struct {
		name, text string
		want       migrate.Incident
		notes      []string
	}{
		{
			name: "tracked updates, newest first, --- between them",
			text: "---\ntitle: API down\ndate: 2024-05-15 10:00:00\nresolved: true\nresolvedWhen: 2024-05-15 11:00:00\nseverity: down\naffected: [API]\n---\nSummary *here*.\n\n---\n\n*Fixed* - Back. {{< track \"2024-05-15 11:00:00\" >}}\n\n---\n\n*Investigating* -\nLooking.\n\nMore text. {{< track \"2024-05-15 10:05:00\" >}}\n",
			want: migrate.Incident{Slug: "x", Title: "API down", Kind: migrate.KindIncident,
				Components: map[string]string{"api": "major_outage"}, Started: at(10, 0), Resolved: at(11, 0),
				Summary: "Summary *here*.",
				Updates: []migrate.Update{
					{Time: at(11, 0), Status: "resolved", Body: "Back."},
					{Time: at(10, 5), Status: "investigating", Body: "Looking.\n\nMore text."},
				}},
		},
		{
			name: "untracked updates: the first at resolvedWhen, the others at date",
			text: "---\ntitle: DMs\ndate: 2024-05-15 10:00:00\nresolved: true\nresolvedWhen: 2024-05-15 12:00:00\nseverity: disrupted\naffected:\n  - Web Site\n---\n*Update* - Done.\n\n*Investigating* - Looking.\n",
			want: migrate.Incident{Slug: "x", Title: "DMs", Kind: migrate.KindIncident,
				Components: map[string]string{"web-site": "partial_outage"}, Started: at(10, 0), Resolved: at(12, 0),
				Updates: []migrate.Update{
					{Time: at(12, 0), Status: "monitoring", Body: "Done."},
					{Time: at(10, 0), Status: "investigating", Body: "Looking."},
				}},
		},
		{
			name: "a maintenance notice, keys in any case",
			text: "---\nTitle: Maintenance Window\ndate: 2024-05-15 10:00:00\nresolvedwhen: 2024-05-15 11:00:00\nresolved: true\nseverity: notice\naffected: [API]\n---\nWe will be down.\n",
			want: migrate.Incident{Slug: "x", Title: "Maintenance Window", Kind: migrate.KindMaintenance,
				Components:     map[string]string{"api": "under_maintenance"},
				ScheduledStart: at(10, 0), ScheduledEnd: at(11, 0), Summary: "We will be down."},
		},
		{
			name: "a notice that is no maintenance",
			text: "---\ntitle: New dashboard\ndate: 2024-05-15 10:00:00\nresolvedWhen: 2024-05-15 11:00:00\nresolved: true\nseverity: notice\naffected: [API]\n---\nLook.\n",
			want: migrate.Incident{Slug: "x", Title: "New dashboard", Kind: migrate.KindIncident, Impact: "none",
				Components: map[string]string{"api": "operational"}, Started: at(10, 0), Resolved: at(11, 0), Summary: "Look."},
		},
		{
			name: "informational, not resolved: resolved at date",
			text: "---\ntitle: News\ndate: 2024-05-15T08:00:00Z\ninformational: true\npin: true\n---\nHello.\n\n---\n\nMore.\n",
			want: migrate.Incident{Slug: "x", Title: "News", Kind: migrate.KindIncident, Impact: "none",
				Components: map[string]string{}, Started: at(10, 0), Resolved: at(10, 0), Summary: "Hello.\n\n---\n\nMore."},
			notes: []string{"x.md:5: pin: true has no herald equivalent"},
		},
		{
			name: "unknown severity, unknown system, early track, unknown status, shortcode",
			text: "---\ntitle: Odd\ndate: 2024-05-15 10:00:00\nseverity: awful\naffected: [API, Mail]\nextra: 1\n---\n*Frobbing* - Hm {{< youtube x >}}. {{< track \"2024-05-15 09:00:00\" >}}\n",
			want: migrate.Incident{Slug: "x", Title: "Odd", Kind: migrate.KindIncident,
				Components: map[string]string{"api": "partial_outage"}, Started: at(10, 0),
				Updates: []migrate.Update{{Time: at(10, 0), Status: "monitoring", Body: "*Frobbing* - Hm {{< youtube x >}}."}}},
			notes: []string{
				`x.md:4: unknown severity "awful", took it as disrupted`,
				`x.md:5: affected "Mail" is not a system in config.yml`,
				`x.md:6: front matter key "extra" has no herald equivalent`,
				"x.md:8: the update's track is earlier than the issue's date",
				"x.md:8: status *Frobbing* is not one herald knows",
				"x.md:8: shortcode {{< youtube x >}} has no herald equivalent",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, err := cstate.Read(writeSite(t, testConfig, map[string]string{"x.md": tt.text}))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(site.Incidents) != 1 {
				t.Fatalf("got %d incidents, want 1", len(site.Incidents))
			}
			got := site.Incidents[0]
			if !equalIncident(got, tt.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tt.want)
			}
			var notes []string
			for _, n := range site.Unmapped[1:] { // the first is params.alerts
				notes = append(notes, n.String())
			}
			for _, w := range tt.notes {
				if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, w) }) {
					t.Errorf("got notes %q, want one holding %q", notes, w)
				}
			}
		})
	}
}

func equalIncident(a, b migrate.Incident) bool {
	eq := func(x, y time.Time) bool { return x.Equal(y) }
	return a.Title == b.Title && a.Kind == b.Kind && a.Impact == b.Impact && a.Summary == b.Summary &&
		len(a.Components) == len(b.Components) && func() bool {
		for k, v := range a.Components {
			if b.Components[k] != v {
				return false
			}
		}
		return true
	}() &&
		eq(a.Started, b.Started) && eq(a.Resolved, b.Resolved) && eq(a.ScheduledStart, b.ScheduledStart) && eq(a.ScheduledEnd, b.ScheduledEnd) &&
		slices.EqualFunc(a.Updates, b.Updates, func(x, y migrate.Update) bool {
			return eq(x.Time, y.Time) && x.Status == y.Status && x.Body == y.Body
		})
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, config, issue, want string
	}{
		{"broken config YAML", "title: [x\n", "", "config.yml:"},
		{"broken front matter", testConfig, "---\ntitle: x\ndate: [\n---\n", "x.md:"},
		{"unparsable date", testConfig, "---\ntitle: x\ndate: yesterday\n---\n", `x.md:3:7: date "yesterday" is not a date`},
		{"no front matter", testConfig, "just text\n", "x.md:1:1: no front matter"},
		{"a relative baseURL", strings.Replace(testConfig, "https://status.example.com/", "/", 1), "", `config.yml:2:1: baseURL "/" is not an absolute http(s) URL`},
		{"no title", strings.Replace(testConfig, "title: Old Status\n", "", 1), "", "config.yml:1:1: no title"},
		{"unknown timeZone", strings.Replace(testConfig, "Europe/Berlin", "Mars/Base", 1), "", `timeZone "Mars/Base"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issues := map[string]string{}
			if tt.issue != "" {
				issues["x.md"] = tt.issue
			}
			_, err := cstate.Read(writeSite(t, tt.config, issues))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one holding %q", err, tt.want)
			}
		})
	}
}
