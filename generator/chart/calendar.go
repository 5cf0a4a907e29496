package chart

import (
	"bytes"
	"html/template"
	"strconv"
	"time"

	"github.com/herald-status/herald/generator/incident"

	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
)

// Calendar geometry, in viewBox units: a square cell per day, a week per
// row, Monday first.
const (
	calCell = 14
	calSlot = 16
)

// calSize is the middle of a day's <rect>, the same for every day.
var calSize = `" width="` + strconv.Itoa(calCell) + `" height="` + strconv.Itoa(calCell) + `" rx="2" class="`

// Calendar draws the days of one month as a calendar heatmap, a row per
// week from Monday, each day coloured as its bar is (see Class), with its
// words in l. A week reads in l's direction: Monday is on the left, or on
// the right in a right-to-left language. days are consecutive, from the
// first of the month; a month still running has fewer, and the rest of it
// is left blank. link and label work as in Bars: a linked day is a
// focusable link named by its label, the others are graphics with a
// <title>.
//
//	<svg class="calendar" data-calendar role="group" aria-label="…" …>
//	  <rect x="…" y="…" width="14" height="14" class="b-ok"><title>label</title></rect>
//	</svg>
func Calendar(l *i18n.Locale, days []uptime.Day, link func(uptime.Day) string, label func(uptime.Day) string, opts ...Option) template.HTML {
	dr := newDrawing()
	dr.calendar(l, days, link, label, opts)
	return dr.done()
}

// WriteCalendar writes Calendar's chart to w (a page's buffer or a
// builder), grown first to hold it and more bytes after it: a page that
// writes the chart among its own text then holds it once, not also as a
// string of its own (a report page draws a calendar for each component).
func WriteCalendar(w interface {
	Grow(int)
	Write([]byte) (int, error)
}, more int, l *i18n.Locale, days []uptime.Day, link func(uptime.Day) string, label func(uptime.Day) string, opts ...Option) {
	dr := newDrawing()
	dr.calendar(l, days, link, label, opts)
	dr.writeTo(w, more)
}

// calendar draws Calendar's chart in dr.out.
func (dr *drawing) calendar(l *i18n.Locale, days []uptime.Day, link func(uptime.Day) string, label func(uptime.Day) string, opts []Option) {
	var cfg options
	for _, o := range opts {
		o(&cfg)
	}
	key := "calendar.name"
	if cfg.name != "" {
		key = "calendar.name_of"
	}
	offset := 0 // the weekday of the first day, Monday 0
	if len(days) > 0 {
		key += "_month"
		offset = (int(days[0].Date.Weekday()) + 6) % 7
	}
	// The name is appended in place, as l.T would fill it in: a report
	// page names a calendar for each component.
	dr.label = l.Append(dr.label[:0], key, func(dst []byte, v string) ([]byte, bool) {
		switch {
		case v == "name":
			return append(dst, cfg.name...), true
		case v == "month" && len(days) > 0:
			return append(dst, l.MonthYear(days[0].Date)...), true
		}
		return dst, false
	})
	weeks := max((offset+len(days)+6)/7, 1)
	rtl := l.Dir() == "rtl"
	b := &dr.out
	b.WriteString(`<svg class="calendar" data-calendar role="group" aria-label="`)
	template.HTMLEscape(b, dr.label)
	b.WriteString(`" viewBox="0 0 `)
	b.WriteString(strconv.Itoa(7*calSlot-(calSlot-calCell)) + ` ` + strconv.Itoa(weeks*calSlot-(calSlot-calCell)) + `">`)
	dr.blank.month(l, days)
	// Days are read in place: a Day is some two hundred bytes, and most
	// are blank cells written from the kept ones.
	for i := range days {
		d := &days[i]
		dr.blank.draw(b, i, d, link, label, func() {
			cell := offset + i
			col := cell % 7
			if rtl {
				col = 6 - col
			}
			dr.rect = append(dr.rect[:0], `<rect x="`...)
			dr.rect = strconv.AppendInt(dr.rect, int64(col*calSlot), 10)
			dr.rect = append(dr.rect, `" y="`...)
			dr.rect = strconv.AppendInt(dr.rect, int64(cell/7*calSlot), 10)
			dr.rect = append(dr.rect, calSize...)
			dr.rect = append(append(dr.rect, Class(*d)...), '"')
			dr.day(l, *d, link, label)
		})
	}
	b.WriteString("\n</svg>")
}

// isBlank reports whether d is a day of which nothing is known or
// declared: its cell, grey and labelled "no data", then depends on its
// date, place and words alone. Most days of most components' months
// are such, and the same for every component of the month.
func isBlank(d *uptime.Day) bool {
	return !d.HasValue && d.Excluded == 0 && d.Worst == incident.Operational && len(d.Incidents) == 0
}

// blankDays keeps the cells of the blank days (isBlank) of the last
// month a drawing drew, unlinked and with the default labels: a report
// page draws the same month for each of its components, and drawing a
// day's label and escaping it cost most of a calendar. A cell is kept
// with the locale, the month's first day (which place the cells) and
// its own date and end, all that it is drawn from: whether it is today
// is told by the two (uptime.Day.Today), which compared as they are
// costs no date arithmetic for each cell. Bars keep their blank days
// in one of their own, by the same rule: the index draws the same 90
// days for each component, a bar placed by its index among them.
type blankDays struct {
	l     *i18n.Locale
	first time.Time
	cells []blankCell // by day of the month
	buf   []byte
}

type blankCell struct {
	date, end time.Time
	from, to  int // in buf; to is 0 while the day is not kept
}

// month readies b for days in l, forgetting the cells of another month
// or language.
func (b *blankDays) month(l *i18n.Locale, days []uptime.Day) {
	if len(days) == 0 || (b.l == l && b.first == days[0].Date && len(b.cells) >= len(days)) {
		return
	}
	b.l, b.first, b.buf = l, days[0].Date, b.buf[:0]
	b.cells = append(b.cells[:0], make([]blankCell, len(days))...)
}

// draw writes the cell of d, the i-th day, to out: the kept one when d
// is blank and one is kept, else what draw writes, kept when d is blank.
// A cell is kept only when nothing but its day words it: no label of the
// caller's, and no link, or none for d.
func (b *blankDays) draw(out *bytes.Buffer, i int, d *uptime.Day, link, label func(uptime.Day) string, draw func()) {
	blank := label == nil && isBlank(d) && (link == nil || link(*d) == "")
	if blank && b.write(out, i, d) {
		return
	}
	start := out.Len()
	draw()
	if blank {
		b.keep(i, d, out.Bytes()[start:])
	}
}

// write writes the kept cell of the blank day d, the i-th, to out, and
// reports whether there was one.
func (b *blankDays) write(out *bytes.Buffer, i int, d *uptime.Day) bool {
	c := b.cells[i]
	if c.to == 0 || c.date != d.Date || !c.end.Equal(d.To) {
		return false
	}
	out.Write(b.buf[c.from:c.to])
	return true
}

// keep keeps cell, as drawn, for the blank day d, the i-th.
func (b *blankDays) keep(i int, d *uptime.Day, cell []byte) {
	from := len(b.buf)
	b.buf = append(b.buf, cell...)
	b.cells[i] = blankCell{date: d.Date, end: d.To, from: from, to: len(b.buf)}
}
