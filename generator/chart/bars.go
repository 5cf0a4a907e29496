// Package chart draws herald's charts as small server-rendered SVG: the
// per-day uptime bars and the response-time charts. No JavaScript is
// needed to read them. Each function is pure and returns the same bytes
// for the same input, so pages stay byte-identical between builds.
//
// Colours come from CSS classes that the theme defines; the SVG carries no
// inline styles, so dark mode and overrides are the theme's business.
package chart

import (
	"bytes"
	"html/template"
	"math"
	"strconv"
	"strings"
	"sync"
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

// barSize is the middle of a day's <rect>, the same for every day.
var barSize = `" width="` + strconv.Itoa(barWidth) + `" height="` + strconv.Itoa(barHeight) + `" class="`

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
	dr := newDrawing()
	dr.bars(l, days, link, label, opts)
	return dr.done()
}

// WriteBars writes Bars' chart to w, grown first to hold it and more
// bytes after it, as WriteCalendar writes a calendar: a component's page
// then holds its bars once, not also as a string of their own.
func WriteBars(w interface {
	Grow(int)
	Write([]byte) (int, error)
}, more int, l *i18n.Locale, days []uptime.Day, link func(uptime.Day) string, label func(uptime.Day) string, opts ...Option) {
	dr := newDrawing()
	dr.bars(l, days, link, label, opts)
	dr.writeTo(w, more)
}

// bars draws Bars' chart in dr.out.
func (dr *drawing) bars(l *i18n.Locale, days []uptime.Day, link func(uptime.Day) string, label func(uptime.Day) string, opts []Option) {
	var cfg options
	for _, o := range opts {
		o(&cfg)
	}
	b := &dr.out
	w := len(days)*barSlot - (barSlot - barWidth)
	b.WriteString(`<svg class="bars" data-uptime-bars role="group" aria-label="`)
	b.WriteString(esc(barsName(l, cfg.name, days)))
	b.WriteString(`" viewBox="0 0 `)
	b.WriteString(strconv.Itoa(max(w, 1)))
	b.WriteString(` ` + strconv.Itoa(barHeight) + `" width="100%" height="` + strconv.Itoa(barHeight) + `" preserveAspectRatio="none">`)
	rtl := l.Dir() == "rtl"
	// The index draws the same days for each component: their blank
	// bars are drawn once, as a calendar's blank cells are.
	dr.blankBars.month(l, days)
	for i := range days {
		d := &days[i]
		dr.blankBars.draw(b, i, d, link, label, func() {
			slot := i
			if rtl {
				slot = len(days) - 1 - i
			}
			dr.rect = append(dr.rect[:0], `<rect x="`...)
			dr.rect = strconv.AppendInt(dr.rect, int64(slot*barSlot), 10)
			dr.rect = append(dr.rect, barSize...)
			dr.rect = append(append(dr.rect, Class(*d)...), '"')
			dr.day(l, *d, link, label)
		})
	}
	b.WriteString("\n</svg>")
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

// drawing is where a chart with a shape per day is drawn: out, and the
// day's shape and label, all kept for the next chart (drawings). A page
// of monthly reports draws thousands of days, so neither a day nor a
// chart allocates more than the string it returns.
type drawing struct {
	out   bytes.Buffer
	rect  []byte // the open tag of the day's shape, set by the chart
	label []byte
	// escaped is label escaped, for a linked day, which writes it twice.
	escaped   bytes.Buffer
	blank     blankDays // Calendar's
	blankBars blankDays // Bars'
	sums      summaries
}

var drawings = sync.Pool{New: func() any { return new(drawing) }}

func newDrawing() *drawing {
	dr := drawings.Get().(*drawing)
	dr.out.Reset()
	return dr
}

// done returns what was drawn, copied at its size, and gives the drawing
// back for the next chart.
func (dr *drawing) done() template.HTML {
	s := dr.out.String()
	drawings.Put(dr)
	return template.HTML(s)
}

// writeTo writes what was drawn to w, grown first to hold it and more
// bytes after it, and gives the drawing back for the next chart.
func (dr *drawing) writeTo(w interface {
	Grow(int)
	Write([]byte) (int, error)
}, more int) {
	w.Grow(dr.out.Len() + more)
	w.Write(dr.out.Bytes())
	drawings.Put(dr)
}

// day draws the day d: its shape, dr.rect, with its label, from label
// or DayLabel when label is nil, inside a link when link gives the day
// one.
func (dr *drawing) day(l *i18n.Locale, d uptime.Day, link, label func(uptime.Day) string) {
	if label == nil {
		dr.label = appendDayLabel(dr.label[:0], l, d, &dr.sums)
	} else {
		dr.label = append(dr.label[:0], label(d)...)
	}
	href := ""
	if link != nil {
		href = safeURL(link(d))
	}
	b := &dr.out
	b.WriteByte('\n')
	if href == "" {
		b.Write(dr.rect)
		b.WriteString(`><title>`)
		template.HTMLEscape(b, dr.label)
		b.WriteString(`</title></rect>`)
		return
	}
	dr.escaped.Reset()
	template.HTMLEscape(&dr.escaped, dr.label)
	b.WriteString(`<a href="`)
	b.WriteString(esc(href))
	b.WriteString(`" aria-label="`)
	b.Write(dr.escaped.Bytes())
	b.WriteString(`"><title>`)
	b.Write(dr.escaped.Bytes())
	b.WriteString(`</title>`)
	b.Write(dr.rect)
	b.WriteString(`/></a>`)
}

// DayLabel describes a day in l's words: its date, uptime, downtime,
// unknown time, maintenance and the titles of its incidents, e.g.
// "Nov 28, 2026: 99.93% uptime, 1 min down. Incidents: API errors".
func DayLabel(l *i18n.Locale, d uptime.Day) string { return string(appendDayLabel(nil, l, d, nil)) }

// appendDayLabel appends DayLabel to dst. A page draws a label for each
// day of each chart, so each message is written in place, the ones
// within it included, rather than as a string of its own. The day's
// summary is taken from sums when it holds it; sums may be nil.
func appendDayLabel(dst []byte, l *i18n.Locale, d uptime.Day, sums *summaries) []byte {
	key := "bars.day"
	if d.Today() {
		key = "bars.day_today"
	}
	day := func(dst []byte, name string) ([]byte, bool) {
		switch name {
		case "date":
			return append(dst, l.Date(d.Date, i18n.Medium)...), true
		case "summary":
			return sums.append(dst, l, d), true
		}
		return dst, false
	}
	if len(d.Incidents) == 0 {
		return l.Append(dst, key, day)
	}
	return l.Append(dst, "bars.day_incidents", func(dst []byte, name string) ([]byte, bool) {
		switch name {
		case "day":
			return l.Append(dst, key, day), true
		case "incidents":
			return l.Append(dst, "bars.incidents", func(dst []byte, name string) ([]byte, bool) {
				if name != "titles" {
					return dst, false
				}
				sep := l.T("bars.incident_separator")
				for i, in := range d.Incidents {
					if i > 0 {
						dst = append(dst, sep...)
					}
					dst = append(dst, in.Title...)
				}
				return dst, true
			}), true
		}
		return dst, false
	})
}

// summaries keeps the words of the days' summaries (appendSummary) that
// a drawing wrote in one language, for the next days with the same: the
// report pages of a large site word the same hours of maintenance or of
// no data on many days of many components, and wording them (durations,
// a percentage, a list) was most of a day's label. At most keptSummaries
// are kept, so that a drawing kept for the next chart stays small.
type summaries struct {
	l     *i18n.Locale
	at    map[summaryKey][2]int // from, to in words
	words []byte
}

// summaryKey is all that appendSummary reads of a day.
type summaryKey struct {
	uptime                           uint64 // its bits: NaN, the uptime of a day without one, is not equal to itself
	down, degraded, noData, excluded time.Duration
	hasValue, sparse                 bool
}

const keptSummaries = 1024

// append appends d's summary in l to dst, worded once for s and kept, or
// afresh when s is nil.
func (s *summaries) append(dst []byte, l *i18n.Locale, d uptime.Day) []byte {
	if s == nil {
		return appendSummary(dst, l, d)
	}
	if s.l != l || len(s.at) >= keptSummaries {
		if s.at == nil {
			s.at = make(map[summaryKey][2]int)
		}
		clear(s.at)
		s.l, s.words = l, s.words[:0]
	}
	key := summaryKey{
		uptime: math.Float64bits(d.Uptime),
		down:   d.Down, degraded: d.Degraded, noData: d.NoData, excluded: d.Excluded,
		hasValue: d.HasValue, sparse: d.Sparse,
	}
	if at, ok := s.at[key]; ok {
		return append(dst, s.words[at[0]:at[1]]...)
	}
	start := len(dst)
	dst = appendSummary(dst, l, d)
	from := len(s.words)
	s.words = append(s.words, dst[start:]...)
	s.at[key] = [2]int{from, len(s.words)}
	return dst
}

// appendSummary appends what a day's label says of its uptime, downtime,
// unknown time and maintenance, joined as a list.
func appendSummary(dst []byte, l *i18n.Locale, d uptime.Day) []byte {
	start := len(dst)
	sep := l.T("list.separator")
	part := func(key string, dur time.Duration) {
		if len(dst) > start {
			dst = append(dst, sep...)
		}
		dst = l.Append(dst, key, func(dst []byte, name string) ([]byte, bool) {
			if name != "duration" {
				return dst, false
			}
			return appendDuration(dst, l, dur), true
		})
	}
	switch {
	case d.Shown():
		dst = l.Append(dst, "bars.uptime", func(dst []byte, name string) ([]byte, bool) {
			if name != "percent" {
				return dst, false
			}
			return append(dst, d.PercentIn(l)...), true
		})
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
		dst = append(dst, l.T("uptime.no_data")...)
	}
	if d.Excluded > 0 {
		part("bars.maintenance", d.Excluded)
	}
	return dst
}

// Option adjusts a chart.
type Option func(*options)

type options struct{ name string }

// Name names what the chart is about, e.g. the component, in the chart's
// accessible name ("API, daily uptime, …"), so that charts of different
// components on one page have different names.
func Name(name string) Option { return func(o *options) { o.name = name } }

// appendDuration appends a duration in l's minutes and hours, rounding
// up below a minute so that a little downtime never reads as none. A
// day's parts are at most 25 hours, so unlike l.Duration it never counts
// days.
func appendDuration(dst []byte, l *i18n.Locale, d time.Duration) []byte {
	if d < time.Minute {
		return append(dst, l.T("duration.less_than_a_minute")...)
	}
	m := int(d.Round(time.Minute) / time.Minute)
	count := func(key string, n int) []byte {
		return l.Append(dst, key, func(dst []byte, name string) ([]byte, bool) {
			if name != "n" {
				return dst, false
			}
			return append(dst, l.Number(float64(n), 0)...), true
		})
	}
	switch {
	case m < 60:
		return count("duration.minutes", m%60)
	case m%60 == 0:
		return count("duration.hours", m/60)
	}
	dst = count("duration.hours", m/60)
	dst = append(dst, l.T("duration.separator")...)
	return count("duration.minutes", m%60)
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
