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
