package generator_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/history"
)

// TestCoverageEverywhere is issue #16's truthfulness bug, end to end: a
// site built some days after its probe's last result, from a real store.
// Every place that shows the 30-day or 90-day uptime must say how much
// was not observed, or, below uptime.min_coverage, show no figure.
func TestCoverageEverywhere(t *testing.T) {
	tests := []struct {
		name   string
		silent time.Duration // from the last result to the build
		// What each place must hold.
		index, component, badge string
	}{
		{
			// The last result covers 2 h (twice the interval): 6 d 22 h
			// without data, 545 h of the 30 days' 711 observed. The
			// index shows 90 days, of which 60 have results.
			name:      "seven days after the last result",
			silent:    7 * 24 * time.Hour,
			index:     "<span>100% uptime · 30 d no data</span>",
			component: "<dt>30 days</dt><dd>100% · 7 d no data</dd>",
			badge:     "100% (76% observed)",
		},
		{
			// Results ending 50 days ago: about 40 of 90 days.
			name:      "below min_coverage",
			silent:    50 * 24 * time.Hour,
			index:     "<span>no data</span>",
			component: "<dt>90 days</dt><dd>no data</dd>",
			badge:     "no data",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := t.TempDir()
			cfg := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API, probe: {http: 'https://api.example/', interval: 1h, confirm: 1}}\n"
			if err := os.WriteFile(filepath.Join(site, "herald.yaml"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			st, err := history.Open(filepath.Join(site, "data", "history.db"), history.Options{
				Components: map[string]history.ComponentOptions{"api": {Interval: time.Hour, Confirm: 1}},
			})
			if err != nil {
				t.Fatal(err)
			}
			last := exampleNow.Add(-tt.silent)
			var rs []history.Result
			for at := last.AddDate(0, 0, -60); !at.After(last); at = at.Add(time.Hour) {
				rs = append(rs, history.Result{Component: "api", Time: at, OK: true, LatencyMS: 50})
			}
			if err := st.Record(context.Background(), rs); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(site, "public")
			if _, err := build(t, site, out, exampleNow); err != nil {
				t.Fatal(err)
			}
			read := func(name string) string {
				t.Helper()
				b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			if got := read("index.html"); !strings.Contains(got, tt.index) {
				t.Errorf("got an index without %q", tt.index)
			}
			if got := read("components/api/index.html"); !strings.Contains(got, tt.component) {
				t.Errorf("got a component page without %q", tt.component)
			}
			var ep struct{ Message string }
			if err := json.Unmarshal([]byte(read("badges/api-uptime.json")), &ep); err != nil {
				t.Fatal(err)
			}
			if ep.Message != tt.badge {
				t.Errorf("got badge %q, want %q", ep.Message, tt.badge)
			}
			if got := read("badges/api-uptime.svg"); !strings.Contains(got, "<title>API uptime: "+tt.badge+"</title>") {
				t.Errorf("got an svg badge without %q", tt.badge)
			}
		})
	}
}
