// Package chart draws herald's charts as small server-rendered SVG: the
// per-day uptime bars and the response-time charts. No JavaScript is
// needed to read them. Each function is pure and returns the same bytes
// for the same input, so pages stay byte-identical between builds.
//
// Colours come from CSS classes that the theme defines; the SVG carries no
// inline styles, so dark mode and overrides are the theme's business.
package chart

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
)

// Bar geometry, in viewBox units: each day is a slot of barSlot units, of
// which the bar fills barWidth. The SVG is stretched to its container's
// width, so 90 days on a 390 px phone are bars of about 3 px.
const (
	barSlot   = 4
	barWidth  = 3
	barHeight = 32
)

// Bar classes, from best to worst. The theme colours them.
const (
	ClassNone  = "b-none"  // nothing known: grey
	ClassOK    = "b-ok"    // known, no downtime
	ClassMaint = "b-maint" // maintenance, nothing worse
	ClassMinor = "b-minor" // degraded declared or probed, or some downtime (uptime ≥ 99%)
	ClassMajor = "b-major" // partial outage declared, or uptime < 99%
	ClassCrit  = "b-crit"  // major outage declared, or uptime < 95%
)

// Class is the colour class of a day's bar: the worse of the worst declared
// status and what the uptime says, so a day with measured downtime is never
// green and a day with nothing known is grey. A day with less than
// uptime.min_coverage observed is grey too: a few green hours would
// otherwise vouch for the whole day.
func Class(d uptime.Day) string {
	rank := 0 // 0 none, 1 ok, 2 maint, 3 minor, 4 major, 5 crit
	if d.Shown() {
		rank = 1
		switch {
		case d.Uptime < 0.95:
			rank = 5
		case d.Uptime < 0.99:
			rank = 4
		case d.Down > 0 || d.Degraded > 0:
			rank = 3
		}
	}
	switch d.Worst {
	case incident.MajorOutage:
		rank = max(rank, 5)
	case incident.PartialOutage:
		rank = max(rank, 4)
	case incident.DegradedPerformance:
		rank = max(rank, 3)
	case incident.UnderMaintenance:
		rank = max(rank, 2)
	}
	if rank < 2 && d.Excluded > 0 {
		rank = 2
	}
	return [...]string{ClassNone, ClassOK, ClassMaint, ClassMinor, ClassMajor, ClassCrit}[rank]
}

// Bars draws one bar per day, oldest first, in one <svg> that fills its
// container's width, with its words in l. Time runs towards today in the
// direction l reads: the oldest bar is on the left, or on the right in a
// right-to-left language (l.Dir), so the SVG needs no mirroring by CSS.
// link returns the href of a day's bar, or "" for a bar that is not a link
// (typically: a day without incidents); link may be nil. label returns a
// day's accessible name and tooltip; nil means DayLabel in l. On a page
// with several components, make labels unique by naming the component.
//
// The structure, for the theme and the end-to-end tests:
//
//	<svg class="bars" data-uptime-bars role="group" aria-label="…" …>
//	  <rect x="0" width="3" height="32" class="b-ok"><title>label</title></rect>
//	  <a href="…" aria-label="label"><title>label</title><rect … class="b-crit"/></a>
//	</svg>
//
// Linked bars are focusable links named by aria-label; the others are
// graphics with a <title>, which is also the tooltip. The svg is a group,
// not role="img", so that the links inside stay reachable. The bars are
// written oldest first whatever the direction, so that keyboard focus
// moves through them in reading order.
func Bars(l *i18n.Locale, days []uptime.Day, link func(uptime.Day) string, label func(uptime.Day) string, opts ...Option) template.HTML {
	var cfg options
	for _, o := range opts {
		o(&cfg)
	}
	if label == nil {
		label = func(d uptime.Day) string { return DayLabel(l, d) }
	}
	var b strings.Builder
	w := len(days)*barSlot - (barSlot - barWidth)
	b.WriteString(`<svg class="bars" data-uptime-bars role="group" aria-label="`)
	b.WriteString(esc(barsName(l, cfg.name, days)))
	b.WriteString(`" viewBox="0 0 `)
	b.WriteString(strconv.Itoa(max(w, 1)))
	b.WriteString(` ` + strconv.Itoa(barHeight) + `" width="100%" height="` + strconv.Itoa(barHeight) + `" preserveAspectRatio="none">`)
	// Each piece is written as it is: a page draws thousands of bars, and
	// concatenating them first costs an allocation each.
	b.Grow(len(days) * 160)
	rtl := l.Dir() == "rtl"
	for i, d := range days {
		text := esc(label(d))
		slot := i
		if rtl {
			slot = len(days) - 1 - i
		}
		rect := `<rect x="` + strconv.Itoa(slot*barSlot) + `" width="` + strconv.Itoa(barWidth) + `" height="` + strconv.Itoa(barHeight) + `" class="` + Class(d) + `"`
		writeDay(&b, d, rect, text, link)
	}
	b.WriteString("\n</svg>")
	return template.HTML(b.String())
}

// barsName is the bars' accessible name: what they show, of what, and
// from which day to which.
func barsName(l *i18n.Locale, name string, days []uptime.Day) string {
	key := "bars.name"
	if name != "" {
		key = "bars.name_of"
	}
	if len(days) == 0 {
		return l.T(key, "name", name)
	}
	return l.T(key+"_span", "name", name, "from", l.Date(days[0].Date, i18n.Medium), "to", l.Date(days[len(days)-1].Date, i18n.Medium))
}

// writeDay writes the open tag rect of a day's shape with its label text
// (escaped), inside a link when link gives the day one.
func writeDay(b *strings.Builder, d uptime.Day, rect, text string, link func(uptime.Day) string) {
	href := ""
	if link != nil {
		href = safeURL(link(d))
	}
	// Written piece by piece: a page of monthly reports draws thousands.
	b.WriteByte('\n')
	if href == "" {
		for _, s := range [...]string{rect, `><title>`, text, `</title></rect>`} {
			b.WriteString(s)
		}
		return
	}
	for _, s := range [...]string{`<a href="`, esc(href), `" aria-label="`, text, `"><title>`, text, `</title>`, rect, `/></a>`} {
		b.WriteString(s)
	}
}

// DayLabel describes a day in l's words: its date, uptime, downtime,
// unknown time, maintenance and the titles of its incidents, e.g.
// "Nov 28, 2026: 99.93% uptime, 1 min down. Incidents: API errors".
func DayLabel(l *i18n.Locale, d uptime.Day) string {
	// Written straight into one builder: a page draws a label for each day
	// of each component's bar, so a slice of parts per label adds up.
	var b strings.Builder
	b.Grow(64)
	sep := l.T("list.separator")
	part := func(key string, dur time.Duration) {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(l.T(key, "duration", duration(l, dur)))
	}
	switch {
	case d.Shown():
		b.WriteString(l.T("bars.uptime", "percent", d.PercentIn(l)))
		if d.Down > 0 {
			part("bars.down", d.Down)
		}
		if d.Degraded > 0 {
			part("bars.degraded", d.Degraded)
		}
		if d.NoData > 0 {
			part("bars.no_data", d.NoData)
		}
	case d.HasValue: // below uptime.min_coverage
		part("bars.no_data_for", d.NoData)
		if d.Down > 0 {
			part("bars.down", d.Down)
		}
		if d.Degraded > 0 {
			part("bars.degraded", d.Degraded)
		}
	case d.Excluded == 0:
		b.WriteString(l.T("uptime.no_data"))
	}
	if d.Excluded > 0 {
		part("bars.maintenance", d.Excluded)
	}
	key := "bars.day"
	if d.Today() {
		key = "bars.day_today"
	}
	label := l.T(key, "date", l.Date(d.Date, i18n.Medium), "summary", b.String())
	if len(d.Incidents) == 0 {
		return label
	}
	titles := make([]string, len(d.Incidents))
	for i, in := range d.Incidents {
		titles[i] = in.Title
	}
	incidents := l.T("bars.incidents", "titles", strings.Join(titles, l.T("bars.incident_separator")))
	return l.T("bars.day_incidents", "day", label, "incidents", incidents)
}

// Option adjusts a chart.
type Option func(*options)

type options struct{ name string }

// Name names what the chart is about, e.g. the component, in the chart's
// accessible name ("API, daily uptime, …"), so that charts of different
// components on one page have different names.
func Name(name string) Option { return func(o *options) { o.name = name } }

// duration words a duration in l's minutes and hours, rounding up below
// a minute so that a little downtime never reads as none. A day's parts
// are at most 25 hours, so unlike l.Duration it never counts days.
func duration(l *i18n.Locale, d time.Duration) string {
	if d < time.Minute {
		return l.T("duration.less_than_a_minute")
	}
	m := int(d.Round(time.Minute) / time.Minute)
	hours := func() string { return l.T("duration.hours", "n", l.Number(float64(m/60), 0)) }
	mins := func() string { return l.T("duration.minutes", "n", l.Number(float64(m%60), 0)) }
	switch {
	case m < 60:
		return mins()
	case m%60 == 0:
		return hours()
	}
	return hours() + l.T("duration.separator") + mins()
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// safeURL drops hrefs whose scheme could run script: only relative URLs
// and http(s) pass.
func safeURL(u string) string {
	u = strings.TrimSpace(u)
	if i := strings.IndexAny(u, ":/?#"); i >= 0 && u[i] == ':' {
		switch strings.ToLower(u[:i]) {
		case "http", "https":
		default:
			return ""
		}
	}
	return u
}
