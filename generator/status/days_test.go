package status

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
)

// TestDayCacheMatchesDays takes a component through the builds of a
// Builder, each a step from the one before, and checks that the days its
// DayCache gives are uptime.Days', whether it kept the days before today
// or had to work them out again: as the clock moves, as the newest
// interval grows, when an interval or an incident before today changes,
// past midnight, across the end of daylight saving time (2026-11-01 in
// Los Angeles) and at midnight itself.
func TestDayCacheMatchesDays(t *testing.T) {
	cfg := testConfig(t)
	loc := cfg.Location
	outage := parse(t, cfg, "outage", "---\ntitle: API down\ncomponents: {api: major_outage}\nstarted: 2026-10-29 10:00\nresolved: 2026-10-29 12:00\n---\n")
	longer := parse(t, cfg, "outage", "---\ntitle: API down\ncomponents: {api: major_outage}\nstarted: 2026-10-29 10:00\nresolved: 2026-10-29 14:00\n---\n")
	slow := parse(t, cfg, "slow", "---\ntitle: API slow\ncomponents: {api: degraded_performance}\nstarted: 2026-10-30 23:00\n---\n")
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, loc)
	probed := func(now time.Time, downAt time.Time) []history.Interval {
		return []history.Interval{
			{Start: start, End: downAt, State: history.Up},
			{Start: downAt, End: downAt.Add(time.Hour), State: history.Down},
			{Start: downAt.Add(time.Hour), End: now, State: history.Up},
		}
	}
	down := time.Date(2026, 10, 28, 9, 0, 0, 0, loc)
	steps := []struct {
		name      string
		now       time.Time
		down      time.Time
		incidents []*incident.Incident
		kept      bool // the days before today come from the cache
	}{
		{"first", time.Date(2026, 10, 31, 15, 0, 0, 0, loc), down, []*incident.Incident{outage}, false},
		{"a minute later", time.Date(2026, 10, 31, 15, 1, 0, 0, loc), down, []*incident.Incident{outage}, true},
		{"an hour later", time.Date(2026, 10, 31, 16, 1, 0, 0, loc), down, []*incident.Incident{outage}, true},
		{"an outage before today moved", time.Date(2026, 10, 31, 16, 2, 0, 0, loc), down.Add(time.Hour), []*incident.Incident{outage}, false},
		{"an incident edited", time.Date(2026, 10, 31, 16, 3, 0, 0, loc), down.Add(time.Hour), []*incident.Incident{longer}, false},
		{"an incident added", time.Date(2026, 10, 31, 16, 4, 0, 0, loc), down.Add(time.Hour), []*incident.Incident{slow, longer}, false},
		{"again", time.Date(2026, 10, 31, 16, 5, 0, 0, loc), down.Add(time.Hour), []*incident.Incident{slow, longer}, true},
		{"past midnight", time.Date(2026, 11, 1, 0, 30, 0, 0, loc), down.Add(time.Hour), []*incident.Incident{slow, longer}, false},
		{"the long day", time.Date(2026, 11, 1, 23, 30, 0, 0, loc), down.Add(time.Hour), []*incident.Incident{slow, longer}, true},
		{"midnight", time.Date(2026, 11, 2, 0, 0, 0, 0, loc), down.Add(time.Hour), []*incident.Incident{slow, longer}, false},
		{"the day after", time.Date(2026, 11, 2, 9, 0, 0, 0, loc), down.Add(time.Hour), []*incident.Incident{slow, longer}, true},
	}
	var c DayCache
	var last []uptime.Day
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			in := uptime.Input{Component: "api", Intervals: probed(s.now, s.down), Incidents: s.incidents, PartialWeight: 0.3, Loc: loc, Now: s.now, Probed: true, MinCoverage: 0.5}
			got := c.days(in, 7)
			want := uptime.Days(in, 7)
			if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
				t.Fatalf("got days\n%s\nwant\n%s", g, w)
			}
			// Kept days are the cache's: their incidents are the same
			// slices as the last build's.
			kept := len(last) > 0 && len(got) > 0 && sameIncidents(last, got)
			if kept != s.kept {
				t.Errorf("got the days before today kept %v, want %v", kept, s.kept)
			}
			last = got
		})
	}
}

// sameIncidents says whether each day of b before its last holds its
// incidents in the array that the day of the same date in a holds them
// in, as a kept day does; some day must hold any.
func sameIncidents(a, b []uptime.Day) bool {
	arrays := map[int64]**incident.Incident{}
	for _, d := range a {
		if len(d.Incidents) > 0 {
			arrays[d.Date.Unix()] = &d.Incidents[0]
		}
	}
	some := false
	for _, d := range b[:len(b)-1] {
		if len(d.Incidents) > 0 {
			some = true
			if p, ok := arrays[d.Date.Unix()]; !ok || p != &d.Incidents[0] {
				return false
			}
		}
	}
	return some
}

// TestSameBefore: intervals before a time are the same when they are cut
// at it, whatever runs on after it.
func TestSameBefore(t *testing.T) {
	t0 := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	base := []history.Interval{{Start: h(-5), End: h(-2), State: history.Up}, {Start: h(-2), End: h(1), State: history.Down}}
	tests := []struct {
		name string
		b    []history.Interval
		want bool
	}{
		{"the same", slices.Clone(base), true},
		{"the newest longer", []history.Interval{base[0], {Start: h(-2), End: h(3), State: history.Down}}, true},
		{"one more after", append(slices.Clone(base), history.Interval{Start: h(1), End: h(2), State: history.Up}), true},
		{"the newest ends before", []history.Interval{base[0], {Start: h(-2), End: h(-1), State: history.Down}}, false},
		{"another state", []history.Interval{base[0], {Start: h(-2), End: h(1), State: history.Degraded}}, false},
		{"one fewer", base[1:], false},
		{"one more before", append([]history.Interval{{Start: h(-9), End: h(-8), State: history.Up}}, base...), false},
		{"none", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameBefore(base, tt.b, t0); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestQuietDaysShared: the components that neither an incident nor a
// probe touches share one drawing of their days, which are uptime.Days';
// a component with an incident has its own. Before, each quiet component
// drew its days afresh.
func TestQuietDaysShared(t *testing.T) {
	cfg := testConfig(t)
	down := parse(t, cfg, "2026-11-04-down", "---\ntitle: Down\ncomponents: {api: major_outage}\nstarted: 2026-11-04 10:00\nresolved: 2026-11-04 11:00\n---\nDown.\n")
	now := at(t, "2026-11-05T12:00:00Z")
	for _, days := range []*DayCache{nil, {}} {
		t.Run(fmt.Sprintf("cache %v", days != nil), func(t *testing.T) {
			s := New(cfg, []*incident.Incident{down}, now, Options{Days: days})
			api, db, web := s.Component("api"), s.Component("db"), s.Component("web")
			if &db.Days[0] != &web.Days[0] {
				t.Error("got the quiet components' days drawn twice, want them shared")
			}
			if &api.Days[0] == &db.Days[0] {
				t.Error("got the days of a component with an incident shared with a quiet one's")
			}
			want := uptime.Days(uptime.Input{Component: "web", PartialWeight: config.DefaultPartial, Loc: cfg.Location, Now: now, MinCoverage: cfg.Uptime.MinCoverage}, cfg.History.Days)
			if !slices.EqualFunc(web.Days, want, func(a, b uptime.Day) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
				t.Errorf("got quiet days\n%v\nwant\n%v", web.Days, want)
			}
		})
	}
}
