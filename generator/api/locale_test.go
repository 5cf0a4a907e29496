package api_test

import (
	"testing"
	"time"

	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
)

// TestStatusDescriptionLocale: status.description is the banner's words
// in the site's language; the indicator, which tools read, is not.
func TestStatusDescriptionLocale(t *testing.T) {
	const (
		slow    = "---\ntitle: Slow\ncomponents:\n  web: degraded_performance\nstarted: 2026-11-28 10:00\n---\nSlow.\n"
		upgrade = "---\ntitle: Upgrade\ntype: maintenance\ncomponents: [web]\nscheduled_start: 2026-11-28 14:00\nscheduled_end: 2026-11-28 16:00\n---\nAn upgrade.\n"
	)
	stale := api.WithExtra(api.Extra{Probe: map[string]api.ProbeState{"api": api.ProbeStale}})
	silent := &status.Probe{Interval: time.Minute} // no result yet: the snapshot is stale
	fresh := &status.Probe{Interval: time.Minute, Latest: clock.Add(-time.Minute),
		Intervals: []history.Interval{{Start: clock.Add(-time.Hour), End: clock, State: history.Up}}}
	tests := []struct {
		name      string
		incident  string        // incidents/2026-11-28-x.md, if any
		probe     *status.Probe // fresh if nil
		opts      []api.Option
		indicator string
		want      map[string]string // description per locale
	}{
		{name: "all operational", indicator: "none", want: map[string]string{
			"en": "All Systems Operational", "de": "Alle Systeme betriebsbereit", "ja": "すべてのシステムが正常に稼働しています"}},
		{name: "an incident", incident: slow, indicator: "minor", want: map[string]string{
			"en": "Minor Service Outage", "de": "Geringe Störung", "ja": "軽微な障害"}},
		{name: "maintenance", incident: upgrade, indicator: "none", want: map[string]string{
			"en": "Service Under Maintenance", "de": "Wartungsarbeiten"}},
		{name: "stale for the build", opts: []api.Option{stale}, indicator: "minor", want: map[string]string{
			"en": "Status Unknown: Monitoring Data Is Stale", "de": "Status unbekannt: Überwachungsdaten veraltet"}},
		{name: "stale in the snapshot", probe: silent, indicator: "minor", want: map[string]string{
			"en": "Status Unknown: Monitoring Data Is Stale", "de": "Status unbekannt: Überwachungsdaten veraltet"}},
		{name: "an incident and stale data", incident: slow, opts: []api.Option{stale}, indicator: "minor", want: map[string]string{
			"en": "Minor Service Outage; monitoring data is stale", "de": "Geringe Störung; Überwachungsdaten veraltet"}},
		{name: "an incident and a stale snapshot", incident: slow, probe: silent, indicator: "minor", want: map[string]string{
			"en": "Minor Service Outage; monitoring data is stale", "de": "Geringe Störung; Überwachungsdaten veraltet"}},
	}
	for _, tt := range tests {
		for locale, want := range tt.want {
			t.Run(tt.name+"/"+locale, func(t *testing.T) {
				files := map[string]string{"herald.yaml": "title: T\nbase_url: https://s.example/\nlocale: " + locale + "\ncomponents:\n" +
					"  - {id: api, name: API, probe: {http: \"https://api.example/\", interval: 1m}}\n  - {id: web, name: Web}\n"}
				if tt.incident != "" {
					files["incidents/2026-11-28-x.md"] = tt.incident
				}
				cfg, ins := sitetest.Load(t, sitetest.Write(t, files))
				probe := fresh
				if tt.probe != nil {
					probe = tt.probe
				}
				opts := status.Options{Probes: map[string]*status.Probe{"api": probe}}
				var d doc
				decode(t, status.New(cfg, ins, clock, opts), api.StatusPath, &d, tt.opts...)
				if d.Status.Indicator != tt.indicator || d.Status.Description != want {
					t.Errorf("got %q, %q, want %q, %q", d.Status.Indicator, d.Status.Description, tt.indicator, want)
				}
			})
		}
	}
}

// TestFigureTruncation: the API's figures are truncated as the page's
// (uptime.Floor): never 100 while anything kept them from it, and not
// cut below what float64 stores a hair under (0.57 is 0.5699…).
func TestFigureTruncation(t *testing.T) {
	tests := []struct {
		name             string
		s                uptime.Summary
		uptime, coverage float64
	}{
		{"whole", uptime.Summary{HasValue: true, Uptime: 1, Coverage: 1}, 100, 100},
		{"float64 stores it low", uptime.Summary{HasValue: true, Uptime: 0.57, Down: time.Hour, Coverage: 0.57, NoData: time.Hour}, 57, 57},
		{"99.9996%", uptime.Summary{HasValue: true, Uptime: 0.999996, Down: time.Second, Coverage: 0.999996, NoData: time.Second}, 99.99, 99.99},
		{"whole as float64, with downtime", uptime.Summary{HasValue: true, Uptime: 1, Down: time.Nanosecond, Coverage: 1, NoData: time.Nanosecond}, 99.99, 99.99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := api.NewFigure(tt.s)
			if f.Uptime == nil || *f.Uptime != tt.uptime || f.Coverage != tt.coverage {
				t.Errorf("got uptime %v, coverage %v, want %v, %v", ptr(f.Uptime), f.Coverage, tt.uptime, tt.coverage)
			}
		})
	}
}
