package badge_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/badge"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/history"
)

// TestUptimeCoverage is the bug of issue #16 and its neighbours: a site
// built some days after its probe's last result. The window is the 30
// calendar days ending at clock (15:00), 711 h.
func TestUptimeCoverage(t *testing.T) {
	tests := []struct {
		name   string
		config string        // the uptime: section of herald.yaml
		silent time.Duration // since the last result
		none   bool          // no result at all
		want   string        // the badge's message
	}{
		// 543 h of 711 observed: 76.37%, truncated.
		{name: "seven days after the last result", silent: 7 * 24 * time.Hour, want: "100% (76% observed)"},
		{name: "fully observed", want: "100%"},
		// 231 h of 711: 32%, below the default 50%.
		{name: "below min_coverage", silent: 20 * 24 * time.Hour, want: "no data"},
		{name: "min_coverage lowered", config: "uptime:\n  min_coverage: 30%\n", silent: 20 * 24 * time.Hour, want: "100% (32% observed)"},
		{name: "no result at all", config: "uptime:\n  min_coverage: 0%\n", none: true, want: "no data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API, probe: {http: \"https://api.example/\", interval: 1m}}\n" + tt.config
			cfg, err := config.Parse(t.TempDir(), []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			last := clock.Add(-tt.silent)
			probe := &status.Probe{Interval: time.Minute, Latest: last,
				Intervals: []history.Interval{{Start: clock.AddDate(0, 0, -100), End: last, State: history.Up}}}
			if tt.none {
				probe = &status.Probe{Interval: time.Minute}
			}
			snap := status.New(cfg, nil, clock, status.Options{Probes: map[string]*status.Probe{"api": probe}})
			files := renderAll(t, snap, badge.Options{})
			if svg := string(files["badges/api-uptime.svg"]); !strings.Contains(svg, "<title>API uptime: "+tt.want+"</title>") {
				t.Errorf("got svg %s, want the message %q", svg, tt.want)
			}
			var ep struct{ Message string }
			if err := json.Unmarshal(files["badges/api-uptime.json"], &ep); err != nil {
				t.Fatal(err)
			}
			if ep.Message != tt.want {
				t.Errorf("got shields message %q, want %q", ep.Message, tt.want)
			}
		})
	}
}
