package status

import (
	"slices"
	"sync"
	"time"

	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
)

// A DayCache keeps, between the snapshots of one site that a
// generator.Builder makes, each component's days before today: nothing
// but a change of its probe intervals or incidents before today moves
// them, while the clock moves today alone, and working 90 days out again
// at every timer tick and edit was most of a snapshot's uptime. The zero
// DayCache is empty and ready; a nil one keeps nothing. It is safe for
// concurrent use.
type DayCache struct {
	mu      sync.Mutex
	entries map[string]dayEntry // by component
}

type dayEntry struct {
	in    uptime.Input // what the days were worked out from
	zone  string       // in.Loc's name: each load of the config makes its own
	today time.Time
	past  []uptime.Day // the days before today, oldest first
}

// days is uptime.Days(in, n), with the days before today taken from c
// while nothing they are made of changed (see same).
func (c *DayCache) days(in uptime.Input, n int) []uptime.Day {
	if c == nil || in.Loc == nil {
		return uptime.Days(in, n)
	}
	y, m, d := in.Now.In(in.Loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, in.Loc)
	c.mu.Lock()
	e, ok := c.entries[in.Component]
	c.mu.Unlock()
	if ok && e.same(in, today, n) {
		days := make([]uptime.Day, len(e.past), n)
		copy(days, e.past)
		return append(days, uptime.DaysFrom(in, today, 1)...)
	}
	days := uptime.Days(in, n)
	k := 0
	for k < len(days) && days[k].Date.Before(today) {
		k++
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]dayEntry{}
	}
	// Full: the snapshot's days share the array, and appends to them
	// must not write into it.
	c.entries[in.Component] = dayEntry{in: in, zone: in.Loc.String(), today: today, past: days[:k:k]}
	c.mu.Unlock()
	return days
}

// same says whether e's days before today are those of in, n days in
// all: the same day and settings, the same incidents (a Builder parses
// again only the files that changed, each into a new Incident), and the
// same probe intervals before today.
func (e dayEntry) same(in uptime.Input, today time.Time, n int) bool {
	return e.today.Equal(today) && e.zone == in.Loc.String() && len(e.past) == n-1 &&
		e.in.PartialWeight == in.PartialWeight && e.in.Probed == in.Probed && e.in.MinCoverage == in.MinCoverage &&
		slices.Equal(e.in.Incidents, in.Incidents) && sameBefore(e.in.Intervals, in.Intervals, today)
}

// sameBefore says whether a and b hold the same intervals before t, each
// cut at t: an interval that runs on into today, as the newest does while
// a probe sees the same state, changes nothing before it.
func sameBefore(a, b []history.Interval, t time.Time) bool {
	next := func(ivs []history.Interval) (history.Interval, []history.Interval, bool) {
		for len(ivs) > 0 {
			iv := ivs[0]
			ivs = ivs[1:]
			if iv.Start.Before(t) {
				if iv.End.After(t) {
					iv.End = t
				}
				return iv, ivs, true
			}
		}
		return history.Interval{}, nil, false
	}
	for {
		x, restA, okA := next(a)
		y, restB, okB := next(b)
		if okA != okB {
			return false
		}
		if !okA {
			return true
		}
		if x.State != y.State || !x.Start.Equal(y.Start) || !x.End.Equal(y.End) {
			return false
		}
		a, b = restA, restB
	}
}

// quietDays are the days of a snapshot's quiet components, which neither
// an incident nor a probe interval touches, monitored ([1]) or not ([0]):
// the same for each, so drawn once for all of them. A Day is some two
// hundred bytes, and a component's days were all fresh memory, even on a
// site without incidents. Nothing writes into a snapshot's days.
type quietDays [2]struct {
	once sync.Once
	days []uptime.Day
}

// days is c.days(in, n), shared by every quiet component alike.
func (q *quietDays) days(c *DayCache, in uptime.Input, n int) []uptime.Day {
	if len(in.Incidents) > 0 || len(in.Intervals) > 0 {
		return c.days(in, n)
	}
	e := &q[0]
	if in.Probed {
		e = &q[1]
	}
	e.once.Do(func() { e.days = c.days(in, n) })
	return e.days
}
