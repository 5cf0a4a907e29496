package render

import (
	"html/template"
	"slices"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/history"
)

// sample is a small invented site that New renders every template against,
// so that a broken override fails before a build writes anything. It has
// something for each branch the default theme takes: an active incident,
// maintenance in progress, upcoming and completed, a resolved incident with
// a post-mortem, monitored and unmonitored components, grouped and not.
func sample() *status.Snapshot {
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	cfg := &config.Config{
		Title:       "Example Status",
		BaseURL:     "https://status.example.com/",
		Description: "Status of Example.",
		Timezone:    "UTC",
		Location:    time.UTC,
		Links:       []config.Link{{Name: "Example", URL: "https://example.com/"}},
		Components: []config.Component{
			{ID: "api", Name: "API", Group: "Core", Description: "The public API.", SLO: &config.SLO{Target: 0.999, Window: "30d", Days: 30}},
			{ID: "web", Name: "Website", Group: "Core"},
			{ID: "cdn", Name: "CDN", Group: "Edge"},
			{ID: "docs", Name: "Documentation"},
		},
		History:   config.History{Days: 90},
		Feeds:     config.Feeds{Items: 50},
		Subscribe: config.Subscribe{EmailURL: "https://lists.example.com/subscribe"},
	}
	h := func(d time.Duration) time.Time { return now.Add(d * time.Hour) }
	p := func(s string) template.HTML { return template.HTML("<p>" + template.HTMLEscapeString(s) + "</p>\n") }
	ins := []*incident.Incident{
		{
			Slug: "api-errors", File: "incidents/api-errors.md", Title: "API errors",
			Kind: incident.KindIncident, Impact: incident.ImpactMajor,
			Affected: []incident.Affected{{ID: "api", Status: incident.PartialOutage}},
			Started:  h(-2), Summary: p("Some API requests fail."), SummaryText: "Some API requests fail.",
			Updates: []incident.Update{
				{Time: h(-1), Status: "identified", Body: p("A bad deploy.")},
				{Time: h(-2), Status: "investigating", Body: p("Looking into it.")},
			},
		},
		{
			Slug: "cdn-upgrade", File: "incidents/cdn-upgrade.md", Title: "CDN upgrade",
			Kind: incident.KindMaintenance, Impact: incident.ImpactNone,
			Affected:       []incident.Affected{{ID: "cdn", Status: incident.UnderMaintenance}},
			ScheduledStart: h(-1), ScheduledEnd: h(1),
			Updates: []incident.Update{
				{Time: h(-1), Status: "in_progress", Body: p("Started.")},
				{Time: h(-48), Status: "scheduled", Body: p("Planned.")},
			},
		},
		{
			Slug: "web-move", File: "incidents/web-move.md", Title: "Website move",
			Kind: incident.KindMaintenance, Impact: incident.ImpactNone,
			Affected:       []incident.Affected{{ID: "web", Status: incident.UnderMaintenance}, {ID: "docs", Status: incident.UnderMaintenance}},
			ScheduledStart: h(48), ScheduledEnd: h(50), Summary: p("We move the website."), SummaryText: "We move the website.",
			Updates: []incident.Update{{Time: h(-24), Status: "scheduled", Body: p("Planned.")}},
		},
		{
			Slug: "outage", File: "incidents/outage.md", Title: "Outage",
			Kind: incident.KindIncident, Impact: incident.ImpactCritical,
			Affected: []incident.Affected{{ID: "api", Status: incident.MajorOutage}, {ID: "web", Status: incident.MajorOutage}},
			Started:  h(-30), Resolved: h(-26),
			Updates: []incident.Update{
				{Time: h(-2), Status: "postmortem", Body: "<h3>What happened</h3>\n" + p("A reboot.")},
				{Time: h(-26), Status: "resolved", Body: p("Fixed.")},
			},
		},
		{
			Slug: "db-upgrade", File: "incidents/db-upgrade.md", Title: "Database upgrade",
			Kind: incident.KindMaintenance, Impact: incident.ImpactNone,
			Affected:       []incident.Affected{{ID: "api", Status: incident.UnderMaintenance}},
			ScheduledStart: h(-80), ScheduledEnd: h(-78),
			Updates: []incident.Update{{Time: h(-79), Status: "completed", Body: p("Done.")}},
		},
		{
			Slug: "blip", File: "incidents/blip.md", Title: "Blip",
			Kind: incident.KindIncident, Impact: incident.ImpactNone,
			Started: h(-100), Resolved: h(-99),
		},
	}
	slices.SortFunc(ins, incident.Newest)
	snap := status.New(cfg, ins, now)
	snap.Components[0].Monitored = true // as if it had a probe
	return snap
}

// sampleReports are the reports of the sample site: its incidents, and a
// month and a half of probe data for the monitored component.
func sampleReports(snap *status.Snapshot) []*report.Month {
	in := report.Input{
		Components: report.Components(snap), Incidents: snap.Incidents,
		Intervals: map[string][]history.Interval{"api": {{
			Start: time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), End: snap.Now, State: history.Up,
		}}},
		PartialWeight: config.DefaultPartial, MinCoverage: config.DefaultMinCoverage, Loc: snap.Site.Location, Now: snap.Now,
	}
	return report.Months(in)
}
