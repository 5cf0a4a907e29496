package chart

import (
	"html/template"
	"strconv"

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
	var cfg options
	for _, o := range opts {
		o(&cfg)
	}
	key := "calendar.name"
	if cfg.name != "" {
		key = "calendar.name_of"
	}
	var name string
	offset := 0 // the weekday of the first day, Monday 0
	if len(days) > 0 {
		name = l.T(key+"_month", "name", cfg.name, "month", l.MonthYear(days[0].Date))
		offset = (int(days[0].Date.Weekday()) + 6) % 7
	} else {
		name = l.T(key, "name", cfg.name)
	}
	weeks := max((offset+len(days)+6)/7, 1)
	rtl := l.Dir() == "rtl"
	dr := newDrawing()
	b := &dr.out
	b.WriteString(`<svg class="calendar" data-calendar role="group" aria-label="` + esc(name) + `" viewBox="0 0 `)
	b.WriteString(strconv.Itoa(7*calSlot-(calSlot-calCell)) + ` ` + strconv.Itoa(weeks*calSlot-(calSlot-calCell)) + `">`)
	for i, d := range days {
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
		dr.rect = append(append(dr.rect, Class(d)...), '"')
		dr.day(l, d, link, label)
	}
	b.WriteString("\n</svg>")
	return dr.done()
}
