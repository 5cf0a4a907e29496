package uptime

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/history"
)

// Day is one calendar day in the site timezone.
type Day struct {
	// Date is the day's midnight in the site timezone. The day ends at the
	// next midnight (23 or 25 hours later across a DST change) or at Now.
	Date time.Time
	Summary
	// Worst is the worst status that incidents touching the component
	// declared on the day, for the bar's colour: under_maintenance for a
	// maintenance window, operational when none.
	Worst incident.Status
	// Incidents touching the component that day (up to Now), oldest first.
	Incidents []*incident.Incident
	// Degraded is the day's time that the probes saw degraded: up, and
	// counted as up, but slower than the probe's degraded_over.
	Degraded time.Duration
}

// Today reports whether the day is the last, still unfinished day.
func (d Day) Today() bool { return !d.To.IsZero() && d.To.Before(d.Date.AddDate(0, 0, 1)) }

// Days returns the n calendar days ending with today (the day of Now in
// Loc), oldest first. Today counts only up to Now.
func Days(in Input, n int) []Day {
	loc := in.location()
	y, m, d := in.Now.In(loc).Date()
	return DaysFrom(in, time.Date(y, m, d-n+1, 0, 0, 0, 0, loc), n)
}

// DaysFrom returns up to n calendar days starting with the day of first
// (in Loc), oldest first, as Days does: days that begin after Now are
// left out, and the day of Now counts only up to Now. Reports take a
// month's days from it.
func DaysFrom(in Input, first time.Time, n int) []Day {
	return DaysBetween(in, DayCuts(in.location(), first, n, in.Now))
}

// DaysBetween returns the days between consecutive cuts, as DayCuts
// returns them, oldest first; nil when there are none. A report computes
// its month's cuts once for every component.
func DaysBetween(in Input, cuts []time.Time) []Day { return AppendDaysBetween(nil, in, cuts) }

// AppendDaysBetween appends DaysBetween's days to dst and returns it.
// The days in dst's spare capacity are overwritten, and the arrays of
// their Incidents reused: a report page draws a month's calendar for each
// of its components, and a fresh month of days for each was most of what
// its calendars allocated.
func AppendDaysBetween(dst []Day, in Input, cuts []time.Time) []Day {
	if len(cuts) < 2 {
		return dst
	}
	n := len(cuts) - 1
	if cap(dst)-len(dst) < n {
		// Not slices.Grow: under the race detector it allocates the
		// days twice.
		dst = append(make([]Day, 0, len(dst)+n), dst...)
	}
	days := dst[len(dst) : len(dst)+n]
	for i := range days {
		days[i] = Day{Date: cuts[i], Worst: incident.Operational, Incidents: days[i].Incidents[:0]}
	}
	in.eachSummary(cuts, func(i int, s Summary) bool {
		days[i].Summary = s
		return true
	})
	// Each span and degraded interval is placed on the days it overlaps
	// by a search of the cuts, not tested against every day: a month of
	// a long incident or a busy probe would otherwise cost days × spans.
	// Spans are taken in their order, so each day sees them in the order
	// a day-by-day walk would, and its Worst and Incidents are the same.
	// They are placed as they are found, not kept in a slice of their
	// own for each component's month.
	in.eachSpan(cuts[0], cuts[n], func(s span) {
		first, last := dayRange(cuts, s.from, s.to)
		if s.from.Equal(s.to) { // an instant: count it on the day it happened
			first, last = dayRange(cuts, s.from, s.from.Add(1))
		}
		for i := first; i < last; i++ {
			day := &days[i]
			day.Worst = incident.Worse(day.Worst, s.status)
			if !slices.Contains(day.Incidents, s.in) {
				day.Incidents = append(day.Incidents, s.in)
			}
		}
	})
	for i := range days {
		if len(days[i].Incidents) > 1 {
			slices.SortStableFunc(days[i].Incidents, func(a, b *incident.Incident) int {
				return cmp.Or(a.Start().Compare(b.Start()), cmp.Compare(a.Slug, b.Slug))
			})
		}
	}
	for _, iv := range in.Intervals {
		if iv.State != history.Degraded {
			continue
		}
		first, last := dayRange(cuts, iv.Start, iv.End)
		for i := first; i < last; i++ {
			if start, end := later(iv.Start, cuts[i]), earlier(iv.End, cuts[i+1]); start.Before(end) {
				days[i].Degraded += end.Sub(start)
			}
		}
	}
	return dst[:len(dst)+n]
}

// dayRange returns the days [first, last) between cuts that [from, to)
// overlaps: day i is [cuts[i], cuts[i+1]).
func dayRange(cuts []time.Time, from, to time.Time) (first, last int) {
	n := len(cuts) - 1
	first = sort.Search(n, func(i int) bool { return cuts[i+1].After(from) })
	last = sort.Search(n, func(i int) bool { return !cuts[i].Before(to) })
	return first, max(first, last)
}

// DayCuts returns the midnights (in loc) that bound up to n calendar days
// from the day of first, as DaysFrom counts them: days that begin at or
// after now are left out, and the last day ends at now if it is running.
// It is nil when no day begins before now.
func DayCuts(loc *time.Location, first time.Time, n int, now time.Time) []time.Time {
	y, m, d := first.In(loc).Date()
	cuts := make([]time.Time, 0, n+1)
	for i := range n {
		c := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		if !c.Before(now) {
			break
		}
		cuts = append(cuts, c)
	}
	if len(cuts) == 0 {
		return nil
	}
	return append(cuts, earlier(time.Date(y, m, d+len(cuts), 0, 0, 0, 0, loc), now))
}
