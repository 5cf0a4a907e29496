package render

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/history"
)

const reportsGoldenDir = "testdata/reports"

// TestReportGolden renders the fixture's reports: November 2026 to date,
// whose 1st has 25 hours in Los Angeles, with an hour the probe saw down,
// the fixture's hostile incident and its ongoing one. Two components
// have an objective for the month: the API misses 99.9%, the CDN, probed
// and always up, meets 99.5%.
func TestReportGolden(t *testing.T) {
	snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
	la := snap.Site.Location
	components := report.Components(snap)
	for id, target := range map[string]float64{"api": 0.999, "cdn": 0.995} {
		c := &components[slices.IndexFunc(components, func(c report.Component) bool { return c.ID == id })]
		c.Probed, c.Target = true, target
	}
	in := report.Input{
		Components: components, Incidents: snap.Incidents,
		Intervals: map[string][]history.Interval{"api": {
			{Start: time.Date(2026, 10, 20, 0, 0, 0, 0, la), End: time.Date(2026, 11, 5, 9, 0, 0, 0, la), State: history.Up},
			{Start: time.Date(2026, 11, 5, 9, 0, 0, 0, la), End: time.Date(2026, 11, 5, 10, 0, 0, 0, la), State: history.Down},
			{Start: time.Date(2026, 11, 5, 10, 0, 0, 0, la), End: fixtureNow, State: history.Up},
		}, "cdn": {
			{Start: time.Date(2026, 10, 20, 0, 0, 0, 0, la), End: fixtureNow, State: history.Up},
		}},
		PartialWeight: 0.3, MinCoverage: 0.5, Loc: la, Now: fixtureNow,
	}
	_, got := renderAll(t, newRenderer(t, "").Files(snap, WithReports(report.Months(in))))
	for _, p := range []string{"reports/index.html", "reports/2026-11/index.html"} {
		t.Run(p, func(t *testing.T) {
			b, ok := got[p]
			if !ok {
				t.Fatalf("got no %s, want it", p)
			}
			golden := filepath.Join(reportsGoldenDir, filepath.FromSlash(p))
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(b, want) {
				t.Errorf("got output that differs from %s at line %d (run go test -update, then review the diff)", golden, firstDiffLine(b, want))
			}
		})
	}
}
