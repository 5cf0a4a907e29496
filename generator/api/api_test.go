package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
)

// clock is the example site's pinned build time.
var clock = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

// renderAll renders every API file, keyed by path.
func renderAll(tb testing.TB, snap *status.Snapshot, opts ...api.Option) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, f := range api.Files(snap, opts...) {
		if _, dup := out[f.Path]; dup {
			tb.Fatalf("path %s returned twice", f.Path)
		}
		var b bytes.Buffer
		if err := f.Render(&b); err != nil {
			tb.Fatalf("render %s: %v", f.Path, err)
		}
		out[f.Path] = b.Bytes()
	}
	return out
}

// schemaFor names the schema definition each file must follow.
var schemaFor = map[string]string{
	api.SummaryPath:              "summary.json",
	api.StatusPath:               "status.json",
	api.ComponentsPath:           "components.json",
	api.IncidentsPath:            "incidents.json",
	api.UnresolvedPath:           "incidents.json",
	api.MaintenancesPath:         "scheduled-maintenances.json",
	api.UpcomingMaintenancesPath: "scheduled-maintenances.json",
	api.ActiveMaintenancesPath:   "scheduled-maintenances.json",
	api.HeraldStatusPath:         "herald-status.json",
	api.HeraldUptimePath:         "herald-uptime.json",
}

func compileSchemas(tb testing.TB) map[string]*jsonschema.Schema {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "api.schema.json"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		tb.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("api.schema.json", doc); err != nil {
		tb.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	for _, def := range schemaFor {
		if out[def] != nil {
			continue
		}
		s, err := c.Compile("api.schema.json#/$defs/" + def)
		if err != nil {
			tb.Fatalf("compile %s: %v", def, err)
		}
		out[def] = s
	}
	return out
}

// activeSite has an ongoing incident, a resolved one with a postmortem, a
// maintenance in progress, an upcoming one and a completed one, groups and
// an ungrouped component.
var activeSite = map[string]string{
	"herald.yaml": `title: Test <Status> & Co
base_url: https://status.example.com/sub
timezone: Europe/Berlin
components:
  - {id: api, name: API, group: Core}
  - {id: web, name: Website, group: Core, description: "The <b>site</b>"}
  - {id: db, name: Database}
  - {id: cdn, name: CDN, group: Edge, probe: {http: "https://cdn.internal/health"}}
`,
	"incidents/2026-11-28-api-down.md": `---
title: API errors
components: {api: major_outage, web: degraded_performance}
started: 2026-11-28 14:00
---
Summary.

## 2026-11-28 15:10 CET — Monitoring
A fix is out: *errors* are dropping & "quotes" <stay>.

- first
- second

## 2026-11-28 14:05 CET — Investigating
We are looking.
`,
	"incidents/2026-11-20-db.md": `---
title: Database slow
components: [db]
impact: minor
started: 2026-11-20 10:00
resolved: 2026-11-20 11:00
---
## 2026-11-21 09:00 CET — Postmortem
What happened.

## 2026-11-20 11:00 CET — Resolved
Fixed.
`,
	"incidents/2026-11-28-maint-now.md": `---
title: Network work
type: maintenance
components: [cdn]
scheduled_start: 2026-11-28 14:00
scheduled_end: 2026-11-28 18:00
---
## 2026-11-20 10:00 CET — Scheduled
We will work on the network.
`,
	"incidents/2026-12-05-maint-later.md": `---
title: Database upgrade
type: maintenance
components: [db, api]
scheduled_start: 2026-12-05 22:00
scheduled_end: 2026-12-05 23:30
---
Announcement.
`,
	"incidents/2026-11-01-maint-done.md": `---
title: Old maintenance
type: maintenance
components: [web]
scheduled_start: 2026-11-01 22:00
scheduled_end: 2026-11-01 23:00
---
## 2026-11-01 22:40 CET — Completed
Done early.
`,
}

func TestSchema(t *testing.T) {
	schemas := compileSchemas(t)
	sites := map[string]*status.Snapshot{
		"example":        sitetest.Example(t, clock),
		"active":         sitetest.Snapshot(t, sitetest.Write(t, activeSite), clock),
		"empty":          sitetest.Snapshot(t, sitetest.Write(t, map[string]string{"herald.yaml": "title: T\nbase_url: http://127.0.0.1:8080/\ncomponents: [{id: a, name: A}]\n"}), clock),
		"example-at-now": sitetest.Example(t, time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC)),
	}
	stale := api.WithExtra(api.Extra{
		Probe:      map[string]api.ProbeState{"cdn": api.ProbeStale, "api": api.ProbeFresh},
		Uptime:     map[string][]api.DayUptime{"cdn": {{Date: "2026-11-27", Figure: api.Figure{Uptime: new(99.5), Coverage: 100, ObservedSeconds: 86400}}, {Date: "2026-11-28"}}},
		Windows:    map[string][]api.WindowUptime{"cdn": {{Window: "7d", Figure: api.Figure{Uptime: new(99.5), Coverage: 14.28, ObservedSeconds: 86400}}}},
		UptimeDays: 2,
	})
	for name, snap := range sites {
		for _, opts := range [][]api.Option{nil, {stale}} {
			files := renderAll(t, snap, opts...)
			if len(files) != len(schemaFor) {
				t.Errorf("%s: got %d files, want %d", name, len(files), len(schemaFor))
			}
			for p, data := range files {
				def, ok := schemaFor[p]
				if !ok {
					t.Errorf("%s: file %s has no schema", name, p)
					continue
				}
				inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("%s: %s: %v", name, p, err)
				}
				if err := schemas[def].Validate(inst); err != nil {
					t.Errorf("%s (extra=%v): %s does not follow %s:\n%v", name, opts != nil, p, def, err)
				}
			}
		}
	}
}

// decode renders the files of snap and decodes one.
func decode(tb testing.TB, snap *status.Snapshot, p string, v any, opts ...api.Option) {
	tb.Helper()
	if err := json.Unmarshal(renderAll(tb, snap, opts...)[p], v); err != nil {
		tb.Fatalf("%s: %v", p, err)
	}
}

type doc struct {
	Page struct {
		ID, Name, URL string
		TimeZone      string `json:"time_zone"`
		UpdatedAt     string `json:"updated_at"`
	}
	Status     struct{ Indicator, Description string }
	Components []struct {
		ID, Name, Status string
		GroupID          *string `json:"group_id"`
		Group            bool
		Components       []string
		Position         int
	}
	Incidents    []incidentDoc
	Maintenances []incidentDoc `json:"scheduled_maintenances"`
}

type incidentDoc struct {
	ID, Name, Status, Impact, Shortlink string
	MonitoringAt                        *string `json:"monitoring_at"`
	ResolvedAt                          *string `json:"resolved_at"`
	ScheduledFor                        string  `json:"scheduled_for"`
	Updates                             []struct {
		ID, Status, Body string
	} `json:"incident_updates"`
}

func TestActiveSite(t *testing.T) {
	snap := sitetest.Snapshot(t, sitetest.Write(t, activeSite), clock)
	var sum doc
	decode(t, snap, api.SummaryPath, &sum)
	if sum.Page.UpdatedAt != "2026-11-28T15:00:00Z" || sum.Page.URL != "https://status.example.com/sub/" || sum.Page.TimeZone != "Europe/Berlin" {
		t.Errorf("got page %+v", sum.Page)
	}
	if sum.Status.Indicator != "critical" {
		t.Errorf("got indicator %q, want critical", sum.Status.Indicator)
	}
	if len(sum.Incidents) != 1 || sum.Incidents[0].Name != "API errors" {
		t.Fatalf("got unresolved incidents %+v, want API errors alone", sum.Incidents)
	}
	in := sum.Incidents[0]
	if in.Shortlink != "https://status.example.com/sub/incidents/2026-11-28-api-down/" {
		t.Errorf("got shortlink %q", in.Shortlink)
	}
	if in.Status != "monitoring" || in.MonitoringAt == nil || *in.MonitoringAt != "2026-11-28T14:10:00Z" {
		t.Errorf("got status %q monitoring_at %v", in.Status, in.MonitoringAt)
	}
	wantBody := "A fix is out: errors are dropping & \"quotes\" <stay>.\n- first\n- second"
	if got := in.Updates[0].Body; got != wantBody {
		t.Errorf("got body %q, want %q", got, wantBody)
	}
	var names []string
	for _, m := range sum.Maintenances {
		names = append(names, m.Name+"/"+m.Status)
	}
	if got, want := strings.Join(names, ","), "Network work/in_progress,Database upgrade/scheduled"; got != want {
		t.Errorf("got summary maintenances %s, want %s", got, want)
	}
	// Groups come before their children and list them.
	var order []string
	for _, c := range sum.Components {
		order = append(order, c.Name)
		if c.Group && len(c.Components) == 0 {
			t.Errorf("group %s lists no children", c.Name)
		}
	}
	if got, want := strings.Join(order, ","), "Core,API,Website,Database,Edge,CDN"; got != want {
		t.Errorf("got components %s, want %s", got, want)
	}
	if sum.Components[0].Status != "major_outage" || sum.Components[3].GroupID != nil {
		t.Errorf("got group status %s, ungrouped group_id %v", sum.Components[0].Status, sum.Components[3].GroupID)
	}

	var all doc
	decode(t, snap, api.IncidentsPath, &all)
	if len(all.Incidents) != 2 || all.Incidents[1].Status != "postmortem" || all.Incidents[1].ResolvedAt == nil {
		t.Errorf("got incidents %+v", all.Incidents)
	}
	for p, want := range map[string]string{
		api.UpcomingMaintenancesPath: "Database upgrade",
		api.ActiveMaintenancesPath:   "Network work",
		api.MaintenancesPath:         "Database upgrade,Network work,Old maintenance",
	} {
		var d doc
		decode(t, snap, p, &d)
		var got []string
		for _, m := range d.Maintenances {
			got = append(got, m.Name)
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s: got %v, want %s", p, got, want)
		}
	}
}

func TestStableIDs(t *testing.T) {
	dir := sitetest.Write(t, activeSite)
	a := renderAll(t, sitetest.Snapshot(t, dir, clock))
	b := renderAll(t, sitetest.Snapshot(t, dir, clock.Add(time.Minute)))
	var da, db doc
	json.Unmarshal(a[api.SummaryPath], &da)
	json.Unmarshal(b[api.SummaryPath], &db)
	if da.Incidents[0].ID != db.Incidents[0].ID || da.Incidents[0].Updates[0].ID != db.Incidents[0].Updates[0].ID || da.Components[1].ID != db.Components[1].ID {
		t.Error("ids changed between two builds")
	}
	if got, want := da.Components[1].ID, api.ID("component", "api"); got != want {
		t.Errorf("got id %s, want %s", got, want)
	}
	// Only page.updated_at (and the extension's updated_at) follow the clock.
	for p := range a {
		x := strings.ReplaceAll(string(a[p]), "2026-11-28T15:00:00Z", "T")
		y := strings.ReplaceAll(string(b[p]), "2026-11-28T15:01:00Z", "T")
		if x != y {
			t.Errorf("%s differs between builds a minute apart beyond updated_at", p)
		}
	}
}

func TestStale(t *testing.T) {
	snap := sitetest.Example(t, clock) // package-feed is degraded by an incident
	extra := api.WithExtra(api.Extra{Probe: map[string]api.ProbeState{"website": api.ProbeStale, "package-feed": api.ProbeStale, "cdn": api.ProbeNoData, "search": api.ProbeFresh}})
	var d doc
	decode(t, snap, api.SummaryPath, &d, extra)
	got := map[string]string{}
	for _, c := range d.Components {
		got[c.Name] = c.Status
	}
	want := map[string]string{"Website": "degraded_performance", "Package feed and API": "degraded_performance", "Package downloads (CDN)": "degraded_performance", "Search": "operational"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %s, want %s", k, got[k], v)
		}
	}
	if !strings.Contains(d.Status.Description, "stale") {
		t.Errorf("got description %q, want it to mention stale data", d.Status.Description)
	}
	var h struct {
		Components []struct {
			ID, Status string
			Stale      *bool
		}
	}
	decode(t, snap, api.HeraldStatusPath, &h, extra)
	for _, c := range h.Components {
		switch c.ID {
		case "website":
			if c.Status != "stale" || c.Stale == nil || !*c.Stale {
				t.Errorf("website: got %+v, want stale", c)
			}
		case "cdn":
			if c.Status != "no_data" {
				t.Errorf("cdn: got %s, want no_data", c.Status)
			}
		case "package-feed":
			if c.Status != "degraded_performance" {
				t.Errorf("package-feed: got %s; an incident's worse status wins", c.Status)
			}
		case "accounts":
			if c.Stale != nil {
				t.Errorf("accounts: got stale %v, want null (not known)", *c.Stale)
			}
		}
	}

	// An all-good site with stale data is not "All Systems Operational".
	calm := sitetest.Example(t, time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC))
	decode(t, calm, api.StatusPath, &d, api.WithExtra(api.Extra{Probe: map[string]api.ProbeState{"website": api.ProbeStale}}))
	if d.Status.Indicator == "none" || strings.Contains(d.Status.Description, "Operational") {
		t.Errorf("got %+v for a stale all-good site", d.Status)
	}
}

func TestUptimeNotKnown(t *testing.T) {
	var u struct {
		WindowDays *int `json:"window_days"`
		Components []struct {
			ID      string
			Days    *[]api.DayUptime
			Windows *[]api.WindowUptime
		}
	}
	decode(t, sitetest.Example(t, clock), api.HeraldUptimePath, &u)
	if u.WindowDays != nil || len(u.Components) != 6 {
		t.Fatalf("got %+v", u)
	}
	for _, c := range u.Components {
		if c.Days != nil || c.Windows != nil {
			t.Errorf("%s: got days %v and windows %v, want null until uptime is wired", c.ID, c.Days, c.Windows)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs", "<p>One &amp; two.</p>\n<p>Three</p>", "One & two.\n\nThree"},
		{"list", "<p>Items:</p>\n<ul>\n<li>a</li>\n<li><code>b&lt;c</code></li>\n</ul>", "Items:\n- a\n- b<c"},
		{"break", "<p>a<br>\nb</p>", "a\nb"},
		{"entities", "<p>&#39;q&#39; &quot;d&quot;</p>", `'q' "d"`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := api.PlainText(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadStatus(t *testing.T) {
	good := renderAll(t, sitetest.Example(t, clock))[api.StatusPath]
	st, err := api.ReadStatus(good)
	if err != nil || !st.UpdatedAt.Equal(clock) || st.Indicator != "minor" {
		t.Fatalf("got %+v, %v", st, err)
	}
	for name, in := range map[string]string{
		"not json":      "<html>",
		"no page":       `{"status":{"indicator":"none","description":"x"}}`,
		"no time":       `{"page":{"name":"x"},"status":{"indicator":"none"}}`,
		"bad time":      `{"page":{"updated_at":"yesterday"},"status":{"indicator":"none"}}`,
		"no indicator":  `{"page":{"updated_at":"2026-11-28T15:00:00Z"}}`,
		"bad indicator": `{"page":{"updated_at":"2026-11-28T15:00:00Z"},"status":{"indicator":"banana"}}`,
		"bad case":      `{"page":{"updated_at":"2026-11-28T15:00:00Z"},"status":{"indicator":"None"}}`,
	} {
		if _, err := api.ReadStatus([]byte(in)); !errors.Is(err, api.ErrInvalidStatus) {
			t.Errorf("%s: got %v, want ErrInvalidStatus", name, err)
		}
	}
	// Statuspage itself answers "maintenance" during a maintenance window.
	for _, ind := range []string{"none", "minor", "major", "critical", "maintenance"} {
		in := `{"page":{"updated_at":"2026-11-28T15:00:00Z"},"status":{"indicator":"` + ind + `"}}`
		if st, err := api.ReadStatus([]byte(in)); err != nil || st.Indicator != ind {
			t.Errorf("%s: got %+v, %v, want it read", ind, st, err)
		}
	}
}

// TestPaths pins the URL contract of docs/api.md.
func TestPaths(t *testing.T) {
	for p := range renderAll(t, sitetest.Example(t, clock)) {
		if !strings.HasPrefix(p, "api/") || path.Ext(p) != ".json" {
			t.Errorf("unexpected path %s", p)
		}
	}
}
