package status

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/history"
)

func testConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse(t.TempDir(), []byte(`title: T
base_url: https://s.example/
timezone: America/Los_Angeles
components:
  - {id: api, name: API, group: Backend}
  - {id: db, name: Database, group: Backend}
  - {id: web, name: Website}
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func parse(t *testing.T, cfg *config.Config, slug, src string) *incident.Incident {
	t.Helper()
	in, err := incident.NewParser(cfg).Parse(slug+".md", slug, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestNew(t *testing.T) {
	cfg := testConfig(t)
	outage := parse(t, cfg, "outage", "---\ntitle: API down\ncomponents: {api: major_outage}\nstarted: 2026-11-05 10:00\nresolved: 2026-11-05 12:00\n---\n")
	slow := parse(t, cfg, "slow", "---\ntitle: DB slow\ncomponents: {db: degraded_performance}\nstarted: 2026-11-05 11:00\n---\n")
	maint := parse(t, cfg, "maint", "---\ntitle: Upgrade\ntype: maintenance\ncomponents: [web]\nscheduled_start: 2026-11-05 20:00\nscheduled_end: 2026-11-05 22:00\n---\n")
	all := []*incident.Incident{maint, slow, outage} // newest first
	tests := []struct {
		name                   string
		now                    string
		api, db, web, backend  incident.Status
		indicator, description string
		active, upcoming       int
	}{
		{"before anything", "2026-11-05T17:30:00Z", incident.Operational, incident.Operational, incident.Operational, incident.Operational, "none", "All Systems Operational", 0, 1},
		{"outage and slow", "2026-11-05T19:30:00Z", incident.MajorOutage, incident.DegradedPerformance, incident.Operational, incident.MajorOutage, "critical", "Major System Outage", 2, 1},
		{"outage resolved", "2026-11-05T20:30:00Z", incident.Operational, incident.DegradedPerformance, incident.Operational, incident.DegradedPerformance, "minor", "Minor Service Outage", 1, 1},
		{"maintenance running", "2026-11-06T04:30:00Z", incident.Operational, incident.DegradedPerformance, incident.UnderMaintenance, incident.DegradedPerformance, "minor", "Minor Service Outage", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(cfg, all, at(t, tt.now))
			for _, c := range []struct {
				id   string
				want incident.Status
			}{{"api", tt.api}, {"db", tt.db}, {"web", tt.web}} {
				if got := s.Component(c.id).Status; got != c.want {
					t.Errorf("%s: got %s, want %s", c.id, got, c.want)
				}
			}
			if got := s.Groups[0].Status; got != tt.backend {
				t.Errorf("group Backend: got %s, want %s", got, tt.backend)
			}
			if s.Overall.Indicator != tt.indicator || s.Overall.Description != tt.description {
				t.Errorf("got overall %s %q, want %s %q", s.Overall.Indicator, s.Overall.Description, tt.indicator, tt.description)
			}
			if len(s.Active) != tt.active || len(s.Upcoming) != tt.upcoming {
				t.Errorf("got %d active %d upcoming, want %d %d", len(s.Active), len(s.Upcoming), tt.active, tt.upcoming)
			}
		})
	}
}

func TestMaintenanceOnlyIsMaintenance(t *testing.T) {
	cfg := testConfig(t)
	maint := parse(t, cfg, "maint", "---\ntitle: Upgrade\ntype: maintenance\ncomponents: [web]\nscheduled_start: 2026-11-05 20:00\nscheduled_end: 2026-11-05 22:00\n---\n")
	s := New(cfg, []*incident.Incident{maint}, at(t, "2026-11-06T04:30:00Z"))
	if s.Overall.Indicator != "maintenance" || s.Overall.Description != "Service Under Maintenance" {
		t.Errorf("got %+v, want the maintenance banner", s.Overall)
	}
	if got := s.Groups[1].Name; got != "" {
		t.Errorf("got ungrouped components under %q, want an unnamed group", got)
	}
}

// TestRecentDays counts calendar days in the site's zone, across the end
// of daylight saving time (2026-11-01 has 25 hours in Los Angeles).
func TestRecentDays(t *testing.T) {
	cfg := testConfig(t)
	early := parse(t, cfg, "early", "---\ntitle: Just after midnight\ncomponents: {api: major_outage}\nstarted: 2026-11-01 00:30\nresolved: 2026-11-01 00:45\n---\n")
	late := parse(t, cfg, "late", "---\ntitle: Just before midnight\ncomponents: {api: major_outage}\nstarted: 2026-11-01 23:30\nresolved: 2026-11-01 23:45\n---\n")
	old := parse(t, cfg, "old", "---\ntitle: Too old\ncomponents: {api: major_outage}\nstarted: 2026-10-01 10:00\nresolved: 2026-10-01 11:00\n---\n")
	s := New(cfg, []*incident.Incident{late, early, old}, at(t, "2026-11-05T12:00:00Z"))
	if got, want := len(s.Recent), RecentDays; got != want {
		t.Fatalf("got %d days, want %d", got, want)
	}
	if got, want := s.Recent[0].Date.Format("2006-01-02 15:04 MST"), "2026-11-05 00:00 PST"; got != want {
		t.Errorf("got today %s, want %s", got, want)
	}
	nov1 := s.Recent[4]
	if got, want := nov1.Date.Format("2006-01-02 15:04 MST"), "2026-11-01 00:00 PDT"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if len(nov1.Incidents) != 2 || nov1.Incidents[0] != late || nov1.Incidents[1] != early {
		t.Errorf("got %d incidents on Nov 1, want late and early", len(nov1.Incidents))
	}
	for _, d := range s.Recent {
		for _, in := range d.Incidents {
			if in == old {
				t.Errorf("an incident older than %d days is listed on %s", RecentDays, d.Date)
			}
		}
	}
}

// TestProbes checks that a silent monitor is never shown as green, and
// that a confirmed failure is an outage even with no incident written.
func TestProbes(t *testing.T) {
	cfg, err := config.Parse(t.TempDir(), []byte(`title: T
base_url: https://s.example/
components:
  - {id: api, name: API, probe: {http: "https://api.example/health"}}
  - {id: web, name: Website}
`))
	if err != nil {
		t.Fatal(err)
	}
	now := at(t, "2026-11-05T12:00:00Z")
	up := []history.Interval{{Start: now.Add(-48 * time.Hour), End: now.Add(-time.Minute), State: history.Up}}
	down := []history.Interval{{Start: now.Add(-48 * time.Hour), End: now.Add(-10 * time.Minute), State: history.Up}, {Start: now.Add(-10 * time.Minute), End: now.Add(-time.Minute), State: history.Down}}
	slow := []history.Interval{{Start: now.Add(-48 * time.Hour), End: now.Add(-10 * time.Minute), State: history.Up}, {Start: now.Add(-10 * time.Minute), End: now.Add(-time.Minute), State: history.Degraded}}
	wasSlow := append(slices.Clone(slow), history.Interval{Start: now.Add(-time.Minute), End: now, State: history.Up})
	tests := []struct {
		name        string
		probe       *Probe
		state       ProbeState
		status      incident.Status
		indicator   string
		description string
	}{
		{"never reported", nil, ProbeNoData, incident.Operational, "minor", "Status Unknown: Monitoring Data Is Stale"},
		{"fresh and up", &Probe{Interval: time.Minute, Intervals: up, Latest: now.Add(-time.Minute)}, ProbeFresh, incident.Operational, "none", "All Systems Operational"},
		{"fresh and down", &Probe{Interval: time.Minute, Intervals: down, Latest: now.Add(-time.Minute)}, ProbeFresh, incident.MajorOutage, "critical", "Major System Outage"},
		{"fresh and degraded", &Probe{Interval: time.Minute, Intervals: slow, Latest: now.Add(-time.Minute)}, ProbeFresh, incident.DegradedPerformance, "minor", "Minor Service Outage"},
		{"degraded, then up again", &Probe{Interval: time.Minute, Intervals: wasSlow, Latest: now.Add(-time.Second)}, ProbeFresh, incident.Operational, "none", "All Systems Operational"},
		{"silent and degraded", &Probe{Interval: time.Minute, Intervals: slow, Latest: now.Add(-time.Hour)}, ProbeStale, incident.Operational, "minor", "Status Unknown: Monitoring Data Is Stale"},
		{"silent for 3 intervals", &Probe{Interval: time.Minute, Intervals: up, Latest: now.Add(-3*time.Minute - time.Second)}, ProbeStale, incident.Operational, "minor", "Status Unknown: Monitoring Data Is Stale"},
		{"silent and down", &Probe{Interval: time.Minute, Intervals: down, Latest: now.Add(-time.Hour)}, ProbeStale, incident.Operational, "minor", "Status Unknown: Monitoring Data Is Stale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probes := map[string]*Probe{}
			if tt.probe != nil {
				probes["api"] = tt.probe
			}
			s := New(cfg, nil, now, Options{Probes: probes})
			api, web := s.Component("api"), s.Component("web")
			if api.Probe != tt.state || api.Status != tt.status {
				t.Errorf("got api %s %s, want %s %s", api.Probe, api.Status, tt.state, tt.status)
			}
			if web.Probe != ProbeNone || web.Stale() {
				t.Errorf("got unmonitored web probe state %q", web.Probe)
			}
			if s.Overall.Indicator != tt.indicator || s.Overall.Description != tt.description {
				t.Errorf("got %s %q, want %s %q", s.Overall.Indicator, s.Overall.Description, tt.indicator, tt.description)
			}
			if got, want := len(api.Days), 90; got != want {
				t.Errorf("got %d days of uptime, want %d", got, want)
			}
		})
	}
}

// TestWatchStale: the index warns about its own age when probes feed it or
// herald run rebuilds it, and not when it is built by hand from incidents.
func TestWatchStale(t *testing.T) {
	plain := testConfig(t)
	probed, err := config.Parse(t.TempDir(), []byte("title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API, probe: {http: 'https://api.example/'}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	now := at(t, "2026-11-05T12:00:00Z")
	for _, tt := range []struct {
		name string
		cfg  *config.Config
		opts Options
		want bool
	}{
		{"incidents only, by hand", plain, Options{}, false},
		{"incidents only, herald run", plain, Options{Daemon: true}, true},
		{"probes", probed, Options{}, true},
	} {
		if got := New(tt.cfg, nil, now, tt.opts).Site.WatchStale; got != tt.want {
			t.Errorf("%s: got WatchStale %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestMinCoverageOnlyForProbes: uptime.min_coverage hides the figure of a
// probed component that was seldom observed, but not that of a component
// without a probe, whose figure comes from declared time alone.
func TestMinCoverageOnlyForProbes(t *testing.T) {
	cfg, err := config.Parse(t.TempDir(), []byte(`title: T
base_url: https://s.example/
components:
  - {id: api, name: API, probe: {http: "https://api.example/"}}
  - {id: web, name: Website}
`))
	if err != nil {
		t.Fatal(err)
	}
	now := at(t, "2026-11-28T15:00:00Z")
	// One hour of each, over the last 24 hours: 1/24 observed.
	outage := parse(t, cfg, "outage", "---\ntitle: Down\ncomponents: {api: major_outage, web: major_outage}\nstarted: 2026-11-28 10:00\nresolved: 2026-11-28 11:00\n---\n")
	snap := New(cfg, []*incident.Incident{outage}, now)
	tests := []struct {
		id, want string
	}{
		{"api", "no data"},
		{"web", "0.00%"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			p := snap.Component(tt.id).Periods[0]
			if got := p.Percent(); got != tt.want {
				t.Errorf("got %s over %s (coverage %v), want %s", got, p.Label, p.Coverage, tt.want)
			}
		})
	}
}

// TestSLO: a component with an objective carries its budget, computed on
// the probe data and incidents the snapshot was given.
func TestSLO(t *testing.T) {
	cfg, err := config.Parse(t.TempDir(), []byte(`title: T
base_url: https://s.example/
components:
  - {id: api, name: API, probe: {http: "https://api.example/"}, slo: {target: 99.9%, window: 30d}}
  - {id: db, name: Database, probe: {http: "https://db.example/"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	now := at(t, "2026-11-28T15:00:00Z")
	ivs := []history.Interval{{Start: now.Add(-40 * 24 * time.Hour), End: now, State: history.Up}}
	outage := parse(t, cfg, "outage", "---\ntitle: Down\ncomponents: {api: major_outage, db: major_outage}\nstarted: 2026-11-20 10:00\nresolved: 2026-11-20 10:30\n---\n")
	snap := New(cfg, []*incident.Incident{outage}, now, Options{Probes: map[string]*Probe{
		"api": {Interval: time.Minute, Intervals: ivs, Latest: now},
		"db":  {Interval: time.Minute, Intervals: ivs, Latest: now},
	}})
	tests := []struct {
		id   string
		want string // the budget left, in words; "" for none
	}{
		{"api", "12.7 min"},
		{"db", ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			var got string
			if b := snap.Component(tt.id).SLO; b != nil {
				got = b.Words().Left
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSnapshotIn: the snapshot in another language holds the view of
// every incident wherever the original holds the incident (lists, days,
// components, groups), keeps the statuses, and leaves the original as it
// was.
func TestSnapshotIn(t *testing.T) {
	cfg := testConfig(t)
	outage := parse(t, cfg, "outage", "---\ntitle: API down\ncomponents: {api: major_outage}\nstarted: 2026-11-05 10:00\n---\n")
	maint := parse(t, cfg, "maint", "---\ntitle: Upgrade\ntype: maintenance\ncomponents: [web]\nscheduled_start: 2026-11-05 20:00\nscheduled_end: 2026-11-05 22:00\n---\n")
	now := at(t, "2026-11-05T19:00:00Z")
	snap := New(cfg, []*incident.Incident{maint, outage}, now)
	views := map[*incident.Incident]*incident.Incident{}
	view := func(in *incident.Incident) *incident.Incident {
		c := *in
		c.Title = "übersetzt: " + in.Title
		views[in] = &c
		return &c
	}
	site := snap.Site
	site.BaseURL, site.Lang = "https://s.example/de/", "de"
	got := snap.In(site, view)

	type list struct {
		name      string
		orig, got []*incident.Incident
	}
	lists := []list{
		{"incidents", snap.Incidents, got.Incidents},
		{"active", snap.Active, got.Active},
		{"upcoming", snap.Upcoming, got.Upcoming},
		{"recent day", snap.Recent[0].Incidents, got.Recent[0].Incidents},
	}
	for i, c := range snap.Components {
		lists = append(lists,
			list{c.ID + " incidents", c.Incidents, got.Components[i].Incidents},
			list{c.ID + " active", c.Active, got.Components[i].Active},
			list{c.ID + " today", c.Days[len(c.Days)-1].Incidents, got.Components[i].Days[len(c.Days)-1].Incidents})
	}
	g := got.Groups[0].Components[0]
	lists = append(lists, list{"group's component", snap.Groups[0].Components[0].Incidents, g.Incidents})
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			if len(l.got) != len(l.orig) {
				t.Fatalf("got %d incidents, want %d", len(l.got), len(l.orig))
			}
			for i, in := range l.orig {
				if l.got[i] != views[in] || in.Title == l.got[i].Title {
					t.Errorf("got %q, want the view of %q", l.got[i].Title, in.Title)
				}
			}
		})
	}
	t.Run("one view per incident", func(t *testing.T) {
		if len(views) != 2 {
			t.Errorf("got %d views, want 2", len(views))
		}
	})
	t.Run("the same statuses and components", func(t *testing.T) {
		if got.Overall.Indicator != snap.Overall.Indicator || got.Component("api").Status != incident.MajorOutage || got.Component("api") != got.Components[0] || g != got.Components[0] {
			t.Errorf("got overall %+v and api %v, want the original's", got.Overall, got.Component("api").Status)
		}
	})
	t.Run("the original unchanged", func(t *testing.T) {
		if snap.Incidents[1] != outage || snap.Components[0].Incidents[0] != outage || snap.Site.BaseURL != "https://s.example/" {
			t.Errorf("got the original snapshot changed")
		}
	})
}

// TestNewOnAnyCores checks that the components' probe figures, worked out
// on several cores, are what one core works out, and the statuses and
// banner made of them the same.
func TestNewOnAnyCores(t *testing.T) {
	cfg, err := config.Parse(t.TempDir(), []byte(`title: T
base_url: https://s.example/
components:
  - {id: api, name: API, probe: {http: "https://api.example/health"}}
  - {id: db, name: DB, probe: {http: "https://db.example/health"}, slo: {target: 99.9%, window: 30d}}
  - {id: cdn, name: CDN, probe: {http: "https://cdn.example/health"}}
  - {id: web, name: Website}
`))
	if err != nil {
		t.Fatal(err)
	}
	now := at(t, "2026-11-05T12:00:00Z")
	iv := func(down time.Duration, state history.State) []history.Interval {
		return []history.Interval{{Start: now.Add(-40 * 24 * time.Hour), End: now.Add(-down), State: history.Up}, {Start: now.Add(-down), End: now.Add(-time.Minute), State: state}}
	}
	probes := map[string]*Probe{
		"api": {Interval: time.Minute, Intervals: iv(3*time.Hour, history.Down), Latest: now.Add(-time.Minute)},
		"db":  {Interval: time.Minute, Intervals: iv(30*time.Hour, history.Degraded), Latest: now.Add(-time.Minute)},
		"cdn": {Interval: time.Minute, Intervals: iv(time.Hour, history.Up), Latest: now.Add(-time.Hour)},
	}
	snapshot := func(procs int) *Snapshot {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return New(cfg, nil, now, Options{Probes: probes})
	}
	want := describe(snapshot(1))
	for _, procs := range []int{2, 3, 8} {
		t.Run(strconv.Itoa(procs), func(t *testing.T) {
			if got := describe(snapshot(procs)); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// describe prints what s says of its components, groups and banner, by
// value (an uptime with no data is NaN, which no DeepEqual equals).
func describe(s *Snapshot) string {
	var b strings.Builder
	for _, c := range s.Components {
		v := *c
		v.SLO = nil
		fmt.Fprintf(&b, "%+v\n", v)
		if c.SLO != nil {
			fmt.Fprintf(&b, "slo %+v\n", *c.SLO)
		}
	}
	for _, g := range s.Groups {
		fmt.Fprintf(&b, "group %s %s\n", g.Name, g.Status)
	}
	fmt.Fprintf(&b, "%s %s %s", s.Overall.Status, s.Overall.Indicator, s.Overall.Description)
	for _, c := range s.Overall.Stale {
		fmt.Fprintf(&b, " stale %s", c.ID)
	}
	return b.String()
}
