package render

import (
	"html/template"
	"strings"
	"sync"

	"github.com/herald-status/herald/generator/chart"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
)

// bars draws a component's daily uptime bars. A day with one incident
// links to it; a day with several links to the component's page, which
// lists them.
func bars(p *Page, c *status.Component) template.HTML {
	return chart.Bars(p.Site.L(), c.Days, barLink(p, c), nil, chart.Name(c.Name))
}

// writeBars writes bars' chart to w, grown to hold it and more bytes
// after it (chart.WriteBars).
func writeBars(w textWriter, more int, p *Page, c *status.Component) {
	chart.WriteBars(w, more, p.Site.L(), c.Days, barLink(p, c), nil, chart.Name(c.Name))
}

// barLink is bars' dayLink.
func barLink(p *Page, c *status.Component) func(uptime.Day) string {
	return dayLink(p, p.Rel(ComponentPath(c.ID))+"#history")
}

// dayLink links a day of a chart: to its incident when it has one, to
// several when it has more (a list of them), and nowhere when it has none.
func dayLink(p *Page, several string) func(uptime.Day) string {
	return func(d uptime.Day) string {
		switch len(d.Incidents) {
		case 0:
			return ""
		case 1:
			return incidentLink(p.Root, d.Incidents[0].Slug) // p.Rel(incidentPath(…)) in one string
		}
		return several
	}
}

// latencyCharts draws a monitored component's response times: p50 and p95
// per day over the history window, and per hour over the last 24 hours.
func latencyCharts(p *Page, c *status.Component) []template.HTML {
	loc := p.Site.Location
	daily := chart.DailyLatency(c.Latency, loc, p.Now, p.Site.HistoryDays)
	hourly := chart.HourlyLatency(c.Latency, loc, p.Now)
	return []template.HTML{chart.Latency(p.Site.L(), daily, chart.Name(c.Name)), chart.Latency(p.Site.L(), hourly, chart.Name(c.Name))}
}

// lastPeriod is the longest uptime summary (90 days), for the index.
func lastPeriod(c *status.Component) *uptime.Period {
	if len(c.Periods) == 0 {
		return nil
	}
	return &c.Periods[len(c.Periods)-1]
}

// calendar draws a component's month as a calendar heatmap; a day with
// one incident links to it, a day with several to the month's list.
func calendar(p *Page, f *report.Figures) template.HTML {
	var b strings.Builder
	writeCalendar(&b, 0, p, f)
	return template.HTML(b.String())
}

// writeCalendar writes calendar's chart to w, grown to hold it and more
// bytes after it (chart.WriteCalendar). The days are drawn into those of
// the last calendar, as a report page draws a month for each component.
func writeCalendar(w textWriter, more int, p *Page, f *report.Figures) {
	days := calendarDays.Get().(*[]uptime.Day)
	*days = f.AppendDays((*days)[:0])
	chart.WriteCalendar(w, more, p.Site.L(), *days, dayLink(p, "#incidents"), nil, chart.Name(f.Name))
	calendarDays.Put(days)
}

var calendarDays = sync.Pool{New: func() any { return new([]uptime.Day) }}
