package render

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/history"
)

// sloSite is a site whose components have objectives: one met over 30
// days, one overspent this month by an outage still going on at now, and
// one observed too little to judge.
func sloSite(tb testing.TB, now time.Time, webTarget string) *status.Snapshot {
	tb.Helper()
	dir := sitetest.Write(tb, map[string]string{
		"herald.yaml": `title: Example Status
base_url: https://status.example.com/
components:
  - id: api
    name: API
    probe: {http: https://api.example.com/}
    slo: {target: 99.9%, window: 30d}
  - id: web
    name: Website
    probe: {http: https://www.example.com/}
    slo: {target: ` + webTarget + `, window: month}
  - id: cdn
    name: CDN
    probe: {http: https://cdn.example.com/}
    slo: {target: 99%}
`,
		"incidents/2026-11-20-api-slow.md": "---\ntitle: API errors\ncomponents: {api: partial_outage}\nstarted: 2026-11-20 10:00\nresolved: 2026-11-20 11:40\n---\nSome requests failed.\n",
	})
	cfg, ins := sitetest.Load(tb, dir)
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	outage := time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)
	probe := func(ivs ...history.Interval) *status.Probe {
		return &status.Probe{Interval: time.Minute, Intervals: ivs, Latest: now}
	}
	return status.New(cfg, ins, now, status.Options{Probes: map[string]*status.Probe{
		"api": probe(history.Interval{Start: start, End: now, State: history.Up}),
		"web": probe(history.Interval{Start: start, End: outage, State: history.Up}, history.Interval{Start: outage, End: now, State: history.Down}),
		"cdn": probe(history.Interval{Start: now.Add(-5 * 24 * time.Hour), End: now, State: history.Up}),
	}})
}

// TestSLOGolden: a component page shows its objective, the uptime, the
// error budget and its burn; read testdata/slo by eye after -update.
func TestSLOGolden(t *testing.T) {
	_, got := renderAll(t, newRenderer(t, "").Files(sloSite(t, fixtureNow, "99.95%")))
	for _, id := range []string{"api", "web", "cdn"} {
		t.Run(id, func(t *testing.T) {
			path := filepath.Join("testdata", "slo", id+".html")
			page := got["components/"+id+"/index.html"]
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, page, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(page, want) {
				t.Errorf("got output that differs from %s at line %d (run go test -update, then review the diff)", path, firstDiffLine(page, want))
			}
		})
	}
}

// TestSLOKey: a component page is rendered anew when only its objective
// changes.
func TestSLOKey(t *testing.T) {
	r := newRenderer(t, "")
	key := func(target string) string {
		for _, f := range r.Files(sloSite(t, fixtureNow, target)) {
			if f.Path == "components/web/index.html" {
				return f.Key
			}
		}
		t.Fatal("no page for web")
		return ""
	}
	if a, b := key("99.95%"), key("99.9%"); a == b {
		t.Error("got the same Key for targets 99.95% and 99.9%, want two")
	}
}
