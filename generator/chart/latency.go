package chart

import (
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/i18n"
	"golang.org/x/text/width"
)

// Point is one step of a latency series: a calendar day or an hour.
type Point struct {
	Time     time.Time // start of the step, in the site timezone
	P50, P95 float64   // milliseconds
	OK       bool      // false when no successful result fell in the step
}

// Series is a latency chart's data: the percentiles of each step and of
// the whole span. It holds no words: Latency and Summary write them in a
// locale.
type Series struct {
	// Days is the span of a daily series, in days.
	Days int
	// Hourly is a series of the last 24 hours, one step an hour: it
	// labels the time axis with hours rather than dates.
	Hourly bool
	Points []Point // oldest first
	// P50 and P95 are over every result of the span (not an average of
	// the steps); OK is false when there was none.
	P50, P95 float64
	OK       bool
}

// DailyLatency is the p50 and p95 of each of the days calendar days
// (in loc) ending with the day of now. An hour counts on the day in which
// it starts.
func DailyLatency(hours []history.LatencyHour, loc *time.Location, now time.Time, days int) Series {
	y, m, d := now.In(loc).Date()
	starts := make([]time.Time, days+1)
	for i := range days + 1 {
		starts[i] = time.Date(y, m, d-days+1+i, 0, 0, 0, 0, loc)
	}
	s := series(hours, starts, now)
	s.Days = days
	return s
}

// HourlyLatency is the p50 and p95 of each of the 24 hours ending with
// the current one (which is partial).
func HourlyLatency(hours []history.LatencyHour, loc *time.Location, now time.Time) Series {
	last := now.Truncate(time.Hour)
	starts := make([]time.Time, 25)
	for i := range starts {
		starts[i] = last.Add(time.Duration(i-23) * time.Hour).In(loc)
	}
	s := series(hours, starts, now)
	s.Hourly = true
	return s
}

// series groups hours into the steps [starts[i], starts[i+1]), ignoring
// hours after now, and takes their percentiles with history.Quantile.
// Each step's histogram is summed once, for both of its percentiles and
// for the whole span's: 90 days are 2,160 hours a chart.
func series(hours []history.LatencyHour, starts []time.Time, now time.Time) Series {
	n := len(starts) - 1
	nb := len(history.LatencyBuckets) + 1
	// Step i's histogram, then the whole span's.
	counts := make([]uint64, (n+1)*nb)
	all := counts[n*nb:]
	i := 0
	for _, h := range hours {
		if h.Hour.Before(starts[0]) || !h.Hour.Before(starts[n]) || h.Hour.After(now) {
			continue
		}
		// The latest start not after the hour: the last one's while
		// the hours come in order, as the store reads them.
		if starts[i].After(h.Hour) || !h.Hour.Before(starts[i+1]) {
			i = sort.Search(n, func(k int) bool { return starts[k].After(h.Hour) }) - 1
		}
		step := counts[i*nb : (i+1)*nb]
		for j, c := range h.Counts[:min(len(h.Counts), nb)] {
			step[j] += c
			all[j] += c
		}
	}
	s := Series{Points: make([]Point, n)}
	for i := range s.Points {
		step := counts[i*nb : (i+1)*nb]
		s.Points[i] = Point{Time: starts[i], P50: history.Quantile(step, 0.50), P95: history.Quantile(step, 0.95)}
		s.Points[i].OK = !math.IsNaN(s.Points[i].P50)
	}
	s.P50, s.P95 = history.Quantile(all, 0.50), history.Quantile(all, 0.95)
	s.OK = !math.IsNaN(s.P50)
	return s
}

// Latency chart geometry, in viewBox units. The chart scales to its
// container's width; at a 390 px phone's width its text is about 10 px.
const (
	latW      = 400
	latH      = 170
	latLeft   = 40 // room for the ms ticks
	latRight  = 6
	latTop    = 22 // room for the legend
	latBottom = 20 // room for the time ticks
)

// Latency draws a series as a line chart of p50 and p95 with labelled
// axes and a legend, inside a <figure> whose caption is the text summary,
// with its words, dates and times in l:
//
//	<figure class="lat" data-latency>
//	  <svg class="lat-svg" role="img" viewBox="0 0 400 170" width="100%">
//	    <title>…</title><desc>…</desc>
//	    <g class="l-grid">…</g> <g class="l-text">…</g>
//	    <path class="l-p95" d="…"/> <path class="l-p50" d="…"/>
//	  </svg>
//	  <figcaption>p50 120 ms, p95 310 ms over 90 days</figcaption>
//	</figure>
//
// Steps without data break the lines rather than dropping to zero. In a
// right-to-left language the chart is drawn mirrored, time running from
// right to left towards today and the ms axis on the right, with
// direction="rtl" so that its text anchors mirror too; its text itself is
// never mirrored.
func Latency(l *i18n.Locale, s Series, opts ...Option) template.HTML {
	var cfg options
	for _, o := range opts {
		o(&cfg)
	}
	var title string
	switch {
	case s.Hourly && cfg.name != "":
		title = l.T("latency.title_24h_of", "name", cfg.name)
	case s.Hourly:
		title = l.T("latency.title_24h")
	case cfg.name != "":
		title = l.N("latency.title_days_of", s.Days, "name", cfg.name)
	default:
		title = l.N("latency.title_days", s.Days)
	}
	summary := Summary(l, s)
	rtl := l.Dir() == "rtl"
	// X places a coordinate of the left-to-right drawing, and h a
	// horizontal move, in the direction l reads.
	X, h := func(x float64) float64 { return x }, "h"
	dir := ""
	if rtl {
		X, h = func(x float64) float64 { return latW - x }, "h-"
		dir = ` direction="rtl"`
	}

	known := 0
	for _, p := range s.Points {
		if p.OK {
			known++
		}
	}
	var b strings.Builder
	// About a kilobyte of axes and words, and two lines of known points
	// (TestLatencyChartGrowsOnce).
	b.Grow(1280 + 24*known)
	b.WriteString(`<figure class="lat" data-latency>`)
	b.WriteString("\n" + `<svg class="lat-svg" role="img" viewBox="0 0 ` + itoa(latW) + ` ` + itoa(latH) + `" width="100%"` + dir + `>`)
	b.WriteString("\n<title>" + esc(title) + "</title>\n<desc>" + esc(describe(l, s)) + "</desc>")

	top := 0.0
	for _, p := range s.Points {
		if p.OK {
			top = max(top, p.P95, p.P50)
		}
	}
	step := niceStep(top / 4)
	top = math.Max(step, math.Ceil(top/step)*step)
	x0, x1 := float64(latLeft), float64(latW-latRight)
	y0, y1 := float64(latTop), float64(latH-latBottom)
	n := len(s.Points)
	slot := (x1 - x0) / float64(max(n, 1))
	xAt := func(i int) float64 { return X(x0 + (float64(i)+0.5)*slot) }
	yAt := func(v float64) float64 { return y1 - (y1-y0)*v/top }

	// Grid and axes.
	b.WriteString("\n" + `<g class="l-grid">`)
	for v := 0.0; v <= top+step/2; v += step {
		b.WriteString(`<path d="M` + num(X(x0)) + ` ` + num(yAt(v)) + `H` + num(X(x1)) + `"/>`)
	}
	b.WriteString(`</g>`)

	// Tick labels and legend.
	b.WriteString("\n" + `<g class="l-text">`)
	for v := 0.0; v <= top+step/2 && (s.OK || v == 0); v += step {
		b.WriteString(`<text x="` + num(X(x0-4)) + `" y="` + num(yAt(v)+4) + `" text-anchor="end">` + ms(v) + `</text>`)
	}
	b.WriteString(`<text x="` + num(X(2)) + `" y="12">ms</text>`)
	every := max(1, (n+5)/6)
	if s.Hourly {
		every = 6
	}
	// From the newest inwards; a label that would run into the one drawn
	// before it is left out: month names are longer in some languages
	// ("28 نوفمبر" where English writes "Nov 28").
	room := math.Inf(1) // where the last label drawn begins, left to right
	for i := n - 1; i >= 0; i -= every {
		label := l.MonthDay(s.Points[i].Time)
		if s.Hourly {
			label = l.Time(s.Points[i].Time)
		}
		w := textWidth(label)
		cx := x0 + (float64(i)+0.5)*slot
		x, anchor := num(X(cx)), "middle"
		if i == n-1 { // the newest ends at the chart's edge rather than past it
			x, anchor, cx = num(X(x1)), "end", x1-w/2
		}
		if cx+w/2 > room-4 {
			continue
		}
		room = cx - w/2
		b.WriteString(`<text x="` + x + `" y="` + itoa(latH-5) + `" text-anchor="` + anchor + `">` + esc(label) + `</text>`)
	}
	b.WriteString(`<text x="` + num(X(x1-92)) + `" y="12">p50</text><text x="` + num(X(x1-32)) + `" y="12">p95</text>`)
	b.WriteString(`</g>`)
	b.WriteString("\n" + `<path class="l-p50" d="M` + num(X(x1-112)) + ` 8` + h + `16"/><path class="l-p95" d="M` + num(X(x1-52)) + ` 8` + h + `16"/>`)
	if !s.OK {
		b.WriteString("\n" + `<text class="l-text" x="` + num(X((x0+x1)/2)) + `" y="` + num((y0+y1)/2) + `" text-anchor="middle">` + esc(l.T("latency.no_data")) + `</text>`)
	}

	// Lines, p95 under p50, written straight into b: a daily chart draws
	// 180 of their points, and a string for each was most of its cost.
	for _, line := range []struct {
		class string
		v     func(Point) float64
	}{{"l-p95", func(p Point) float64 { return p.P95 }}, {"l-p50", func(p Point) float64 { return p.P50 }}} {
		if known == 0 {
			break
		}
		b.WriteString("\n<path class=\"")
		b.WriteString(line.class)
		b.WriteString(`" d="`)
		for i := 0; i < n; i++ {
			if !s.Points[i].OK {
				continue
			}
			x, y := xAt(i), yAt(line.v(s.Points[i]))
			alone := i == 0 || !s.Points[i-1].OK
			if alone {
				b.WriteByte('M')
			} else {
				b.WriteByte('L')
			}
			writeNum(&b, x)
			b.WriteByte(' ')
			writeNum(&b, y)
			if alone && (i == n-1 || !s.Points[i+1].OK) { // alone: a short dash
				b.WriteString("m-2 0h4")
			}
		}
		b.WriteString(`"/>`)
	}
	b.WriteString("\n</svg>\n<figcaption>" + esc(summary) + "</figcaption>\n</figure>")
	return template.HTML(b.String())
}

// Summary is a series in one sentence of l, the chart's text fallback:
// "p50 120 ms, p95 310 ms over 90 days".
func Summary(l *i18n.Locale, s Series) string {
	span := l.T("latency.span_24h")
	if !s.Hourly {
		span = l.N("latency.span_days", s.Days)
	}
	if !s.OK {
		return l.T("latency.no_data_over", "span", span)
	}
	return l.T("latency.summary", "p50", ms(s.P50), "p95", ms(s.P95), "span", span)
}

// describe is the chart's <desc>: the summary and the worst step.
func describe(l *i18n.Locale, s Series) string {
	worst := -1
	for i, p := range s.Points {
		if p.OK && (worst < 0 || p.P95 > s.Points[worst].P95) {
			worst = i
		}
	}
	if worst < 0 {
		return l.T("latency.describe_empty", "summary", Summary(l, s))
	}
	when := l.Date(s.Points[worst].Time, i18n.Medium)
	if s.Hourly {
		when = l.T("latency.hour_from", "time", l.Time(s.Points[worst].Time))
	}
	highest := l.T("latency.highest", "p95", ms(s.Points[worst].P95), "when", when)
	return l.T("latency.describe", "summary", Summary(l, s), "highest", highest)
}

// textWidth is about how wide label is drawn in the chart's text (11 px
// in viewBox units): an East Asian wide character about a font size, any
// other a little over half of one.
func textWidth(label string) float64 {
	w := 0.0
	for _, r := range label {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			w += 11
		default:
			w += 6.2
		}
	}
	return w
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 25
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// ms writes whole milliseconds without grouping, in every language, as
// herald always has in English: an axis tick stays short, and every
// shipped language writes Latin digits here (Arabic too, see i18n).
func ms(v float64) string { return strconv.FormatFloat(math.Round(v), 'f', -1, 64) }

// num prints a coordinate with at most one decimal.
func num(v float64) string { return string(appendNum(nil, v)) }

// writeNum writes num(v) to b without a string of its own.
func writeNum(b *strings.Builder, v float64) {
	var buf [24]byte
	b.Write(appendNum(buf[:0], v))
}

func appendNum(dst []byte, v float64) []byte {
	return strconv.AppendFloat(dst, math.Round(v*10)/10, 'f', -1, 64)
}

func itoa(i int) string { return strconv.Itoa(i) }
