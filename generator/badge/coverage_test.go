package badge_test

import (
	"cmp"
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

// TestBudget: badges/<id>-slo.svg and its shields JSON say the budget
// left, and never more than herald knows. The 30-day window ending at
// clock (15:00) is 711 h: 42.66 min allowed at 99.9%.
func TestBudget(t *testing.T) {
	tests := []struct {
		name   string
		locale string // "" for en
		down   time.Duration
		silent time.Duration // since the last result
		want   badge.Badge   // without its label
		label  string        // "" for English's
	}{
		{name: "untouched", want: badge.Badge{Message: "42.7 min", Color: "brightgreen"}},
		{name: "half used", down: 25 * time.Minute, want: badge.Badge{Message: "17.7 min", Color: "yellow"}},
		{name: "overspent", down: time.Hour, want: badge.Badge{Message: "over by 17.3 min", Color: "red"}},
		// 231 h of 711 observed: below the default 50%, so never met.
		{name: "below min_coverage", silent: 20 * 24 * time.Hour, want: badge.Badge{Message: "not measurable", Color: "lightgrey"}},
		// The message is the site's language, as the component page's.
		{name: "overspent, de", locale: "de", down: time.Hour, want: badge.Badge{Message: "um 17,3 Min. überschritten", Color: "red"}, label: "API Restbudget"},
		{name: "not measurable, de", locale: "de", silent: 20 * 24 * time.Hour, want: badge.Badge{Message: "nicht messbar", Color: "lightgrey"}, label: "API Restbudget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			label := cmp.Or(tt.label, "API budget left")
			src := "title: T\nbase_url: https://s.example/\nlocale: " + cmp.Or(tt.locale, "en") + "\ncomponents:\n  - {id: api, name: API, probe: {http: \"https://api.example/\"}, slo: {target: 99.9%}}\n  - {id: web, name: Web, probe: {http: \"https://web.example/\"}}\n"
			cfg, err := config.Parse(t.TempDir(), []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			last := clock.Add(-tt.silent)
			ivs := []history.Interval{{Start: clock.AddDate(0, 0, -100), End: last, State: history.Up}}
			if tt.down > 0 {
				fail := clock.Add(-2 * time.Hour)
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
			files := renderAll(t, snap, badge.Options{})
			if svg := string(files["badges/api-slo.svg"]); !strings.Contains(svg, "<title>"+label+": "+tt.want.Message+"</title>") {
				t.Errorf("got svg %s, want the message %q", svg, tt.want.Message)
			}
			var ep struct{ Label, Message, Color string }
			if err := json.Unmarshal(files["badges/api-slo.json"], &ep); err != nil {
				t.Fatal(err)
			}
			if ep.Label != label || ep.Message != tt.want.Message || ep.Color != tt.want.Color {
				t.Errorf("got shields %+v, want %s: %s in %s", ep, label, tt.want.Message, tt.want.Color)
			}
			if _, ok := files["badges/web-slo.svg"]; ok {
				t.Error("got an slo badge for web, which has no objective")
			}
		})
	}
}
