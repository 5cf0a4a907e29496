package generator_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-status/herald/history"
)

// TestFutureResultDoesNotPoison builds from a real store that holds a
// result stamped far in the future, as an older herald let in, beside
// fresh ones: the component must show what the fresh ones say, not "no
// data" for ever.
func TestFutureResultDoesNotPoison(t *testing.T) {
	future := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	fresh := func(ok bool) []history.Result {
		var rs []history.Result
		for m := 3; m >= 1; m-- {
			rs = append(rs, history.Result{Component: "api", Time: exampleNow.Add(-time.Duration(m) * time.Minute), OK: ok, LatencyMS: 50})
		}
		return rs
	}
	tests := []struct {
		name    string
		results []history.Result
		status  string // api/herald/status.json's status of the component
		noData  bool
		stale   bool
	}{
		{"fresh down beside a future up", append(fresh(false), history.Result{Component: "api", Time: future, OK: true}), "major_outage", false, false},
		{"fresh up beside a future down", append(fresh(true), history.Result{Component: "api", Time: future, OK: false}), "operational", false, false},
		{"only a future result", []history.Result{{Component: "api", Time: future, OK: true}}, "no_data", true, false},
		// A prober whose clock runs two minutes ahead of the builder's is
		// within the tolerance: its newest result counts, and is fresh.
		{"a result within the clock tolerance", []history.Result{
			{Component: "api", Time: exampleNow.Add(-10 * time.Minute), OK: true},
			{Component: "api", Time: exampleNow.Add(2 * time.Minute), OK: true},
		}, "operational", false, false},
		{"a result just beyond the clock tolerance", []history.Result{
			{Component: "api", Time: exampleNow.Add(-10 * time.Minute), OK: true},
			{Component: "api", Time: exampleNow.Add(history.ClockSkew + time.Millisecond), OK: true},
		}, "stale", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := t.TempDir()
			cfg := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API, probe: {http: 'https://api.example/', interval: 1m, confirm: 1}}\n"
			if err := os.WriteFile(filepath.Join(site, "herald.yaml"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			st, err := history.Open(filepath.Join(site, "data", "history.db"), history.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Record(context.Background(), tt.results); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(site, "public")
			if _, err := build(t, site, out, exampleNow); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(out, "api", "herald", "status.json"))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Components []struct {
					ID     string `json:"id"`
					Status string `json:"status"`
					Stale  *bool  `json:"stale"`
					NoData *bool  `json:"no_data"`
				} `json:"components"`
			}
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Components) != 1 || doc.Components[0].Stale == nil || doc.Components[0].NoData == nil {
				t.Fatalf("got %s, want one component with its probe state", data)
			}
			c := doc.Components[0]
			if c.Status != tt.status || *c.NoData != tt.noData || *c.Stale != tt.stale {
				t.Errorf("got status %s, no_data %t, stale %t; want %s, %t, %t", c.Status, *c.NoData, *c.Stale, tt.status, tt.noData, tt.stale)
			}
		})
	}
}
