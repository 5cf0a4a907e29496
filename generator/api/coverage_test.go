package api_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/history"
)

// TestUptimeCoverage: api/herald/uptime.json gives each figure's coverage
// and observed time beside it, for a site built some days after its
// probe's last result. The 30-day window ending at clock (15:00) is 711 h.
func TestUptimeCoverage(t *testing.T) {
	type want struct {
		uptime   *float64
		coverage float64
		observed int64
	}
	tests := []struct {
		name   string
		silent time.Duration // since the last result
		d30    want          // the 30-day window
		today  want
	}{
		// 543 h of 711 observed; today has no data at all.
		{name: "seven days after the last result", silent: 7 * 24 * time.Hour,
			d30: want{new(100.0), 76.37, 543 * 3600}, today: want{nil, 0, 0}},
		// 231 h of 711: 32.48%, below the default 50%.
		{name: "below min_coverage", silent: 20 * 24 * time.Hour,
			d30: want{nil, 32.48, 231 * 3600}, today: want{nil, 0, 0}},
		// Today: 15 h, of which 5 h observed: under 50%.
		{name: "ten hours ago", silent: 10 * time.Hour,
			d30: want{new(100.0), 98.59, 701 * 3600}, today: want{nil, 33.33, 5 * 3600}},
		{name: "fully observed",
			d30: want{new(100.0), 100, 711 * 3600}, today: want{new(100.0), 100, 15 * 3600}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API, probe: {http: \"https://api.example/\", interval: 1m}}\n"
			cfg, err := config.Parse(t.TempDir(), []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			last := clock.Add(-tt.silent)
			snap := status.New(cfg, nil, clock, status.Options{Probes: map[string]*status.Probe{"api": {
				Interval: time.Minute, Latest: last,
				Intervals: []history.Interval{{Start: clock.AddDate(0, 0, -100), End: last, State: history.Up}},
			}}})
			var doc struct {
				Components []struct {
					Days    []api.DayUptime
					Windows []api.WindowUptime
				}
			}
			decode(t, snap, api.HeraldUptimePath, &doc, api.WithExtra(api.FromSnapshot(snap)))
			if len(doc.Components) != 1 || len(doc.Components[0].Windows) != 4 || len(doc.Components[0].Days) == 0 {
				t.Fatalf("got %+v, want one component with 4 windows and its days", doc)
			}
			c := doc.Components[0]
			check := func(what string, got api.Figure, w want) {
				t.Helper()
				if (got.Uptime == nil) != (w.uptime == nil) || got.Uptime != nil && *got.Uptime != *w.uptime ||
					got.Coverage != w.coverage || got.ObservedSeconds != w.observed {
					t.Errorf("%s: got uptime %v coverage %v observed %v, want %v %v %v", what, ptr(got.Uptime), got.Coverage, got.ObservedSeconds, ptr(w.uptime), w.coverage, w.observed)
				}
			}
			if c.Windows[2].Window != "30d" {
				t.Fatalf("got window %q third, want 30d", c.Windows[2].Window)
			}
			check("30d", c.Windows[2].Figure, tt.d30)
			check("today", c.Days[len(c.Days)-1].Figure, tt.today)

			schemas := compileSchemas(t)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(renderAll(t, snap, api.WithExtra(api.FromSnapshot(snap)))[api.HeraldUptimePath]))
			if err != nil {
				t.Fatal(err)
			}
			if err := schemas[schemaFor[api.HeraldUptimePath]].Validate(inst); err != nil {
				t.Errorf("got a file that does not follow its schema: %v", err)
			}
		})
	}
}

func ptr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestSLO: api/herald/uptime.json carries each objective's budget, the
// numbers of the component page, and never calls "met" what was observed
// too little to judge. The 30-day window ending at clock (15:00) is 711 h:
// 42.66 min allowed at 99.9%.
func TestSLO(t *testing.T) {
	type want struct {
		state               string
		allowed, used, left *int64
		uptime              *float64
		window              string
		elapsed             float64
		from, to            string
	}
	i64 := func(v int64) *int64 { return &v }
	tests := []struct {
		name   string
		slo    string
		silent time.Duration // since the last result
		down   time.Duration // a failure ending an hour before clock
		want   want
	}{
		{name: "met", slo: "{target: 99.9%}", down: 20 * time.Minute,
			want: want{"met", i64(2559), i64(1200), i64(1359), new(99.95), "30d", 100, "2026-10-30T00:00:00Z", "2026-11-28T15:00:00Z"}},
		{name: "missed", slo: "{target: 99.9%}", down: time.Hour,
			want: want{"missed", i64(2559), i64(3600), i64(-1041), new(99.85), "30d", 100, "2026-10-30T00:00:00Z", "2026-11-28T15:00:00Z"}},
		// 27 d 15 h of November's 30 days are gone; 1.5 s a day allowed.
		{name: "this month", slo: "{target: 99.999%, window: month}", down: time.Minute,
			want: want{"missed", i64(25), i64(60), i64(-35), new(99.99), "month", 92.08, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"}},
		// 231 h of 711 observed: below the default 50%.
		{name: "not measurable", slo: "{target: 99%}", silent: 20 * 24 * time.Hour,
			want: want{state: "not_measurable", window: "30d", elapsed: 100, from: "2026-10-30T00:00:00Z", to: "2026-11-28T15:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API, probe: {http: \"https://api.example/\"}, slo: " + tt.slo + "}\n  - {id: web, name: Web, probe: {http: \"https://web.example/\"}}\n"
			cfg, err := config.Parse(t.TempDir(), []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			last := clock.Add(-tt.silent)
			ivs := []history.Interval{{Start: clock.AddDate(0, 0, -100), End: last, State: history.Up}}
			if tt.down > 0 {
				fail := clock.Add(-time.Hour - tt.down)
				ivs = []history.Interval{
					{Start: clock.AddDate(0, 0, -100), End: fail, State: history.Up},
					{Start: fail, End: fail.Add(tt.down), State: history.Down},
					{Start: fail.Add(tt.down), End: last, State: history.Up},
				}
			}
			snap := status.New(cfg, nil, clock, status.Options{Probes: map[string]*status.Probe{
				"api": {Interval: time.Minute, Latest: last, Intervals: ivs},
				"web": {Interval: time.Minute, Latest: last, Intervals: ivs},
			}})
			var doc struct {
				Components []struct {
					ID  string
					SLO *api.SLO
				}
			}
			decode(t, snap, api.HeraldUptimePath, &doc, api.WithExtra(api.FromSnapshot(snap)))
			if len(doc.Components) != 2 || doc.Components[0].SLO == nil || doc.Components[1].SLO != nil {
				t.Fatalf("got %+v, want an slo for api and none for web", doc.Components)
			}
			got := doc.Components[0].SLO
			n := func(p *int64) any {
				if p == nil {
					return nil
				}
				return *p
			}
			w := tt.want
			if got.State != w.state || n(got.AllowedSeconds) != n(w.allowed) || n(got.UsedSeconds) != n(w.used) || n(got.LeftSeconds) != n(w.left) ||
				ptr(got.Uptime) != ptr(w.uptime) || got.Window != w.window || got.WindowElapsed != w.elapsed || got.From != w.from || got.To != w.to {
				t.Errorf("got %s allowed %v used %v left %v uptime %v over %s (%v%% gone, %s to %s),\nwant %s allowed %v used %v left %v uptime %v over %s (%v%% gone, %s to %s)",
					got.State, n(got.AllowedSeconds), n(got.UsedSeconds), n(got.LeftSeconds), ptr(got.Uptime), got.Window, got.WindowElapsed, got.From, got.To,
					w.state, n(w.allowed), n(w.used), n(w.left), ptr(w.uptime), w.window, w.elapsed, w.from, w.to)
			}

			schemas := compileSchemas(t)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(renderAll(t, snap, api.WithExtra(api.FromSnapshot(snap)))[api.HeraldUptimePath]))
			if err != nil {
				t.Fatal(err)
			}
			if err := schemas[schemaFor[api.HeraldUptimePath]].Validate(inst); err != nil {
				t.Errorf("got a file that does not follow its schema: %v", err)
			}
		})
	}
}
