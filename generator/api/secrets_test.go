package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/generator/badge"
	"github.com/herald-status/herald/generator/feed"
	"github.com/herald-status/herald/generator/ical"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/uptime"
)

// TestNoProbeSecrets builds every file of a site whose probes carry a
// distinctive URL, header and token, and checks that none of them reaches
// any output byte.
func TestNoProbeSecrets(t *testing.T) {
	secrets := []string{"secret-probe.internal.example", "S3CR3T-T0KEN", "S3CR3T-HEADER", "10.9.8.7"}
	dir := sitetest.Write(t, map[string]string{
		"herald.yaml": `title: Secret Test
base_url: https://status.example.com/
components:
  - id: api
    name: API
    probe:
      http: https://secret-probe.internal.example/health?token=S3CR3T-T0KEN
      headers: {Authorization: "Bearer S3CR3T-HEADER"}
  - id: db
    name: Database
    probe: {tcp: "10.9.8.7:5432"}
`,
		"incidents/2026-11-28-down.md":  "---\ntitle: API down\ncomponents: {api: major_outage}\nstarted: 2026-11-28 10:00\n---\n## 2026-11-28 10:05 UTC — Investigating\nLooking.\n",
		"incidents/2026-12-01-maint.md": "---\ntitle: DB work\ntype: maintenance\ncomponents: [db]\nscheduled_start: 2026-12-01 10:00\nscheduled_end: 2026-12-01 11:00\n---\n",
	})
	snap := sitetest.Snapshot(t, dir, clock)
	r, err := render.New("")
	if err != nil {
		t.Fatal(err)
	}
	files := r.Files(snap)
	files = append(files, feed.Files(snap)...)
	files = append(files, api.Files(snap, api.WithExtra(api.Extra{Probe: map[string]api.ProbeState{"api": api.ProbeStale, "db": api.ProbeFresh}}))...)
	files = append(files, badge.Files(snap, badge.Options{Uptime30: map[string]uptime.Summary{"api": {HasValue: true, Uptime: 0.99, Coverage: 1}}})...)
	files = append(files, ical.Files(snap)...)
	if len(files) < 30 {
		t.Fatalf("only %d files; the test would prove little", len(files))
	}
	for _, f := range files {
		var b bytes.Buffer
		if err := f.Render(&b); err != nil {
			t.Fatalf("render %s: %v", f.Path, err)
		}
		for _, s := range secrets {
			if bytes.Contains(bytes.ToLower(b.Bytes()), []byte(strings.ToLower(s))) {
				t.Errorf("%s contains the probe secret %q", f.Path, s)
			}
		}
	}
}
