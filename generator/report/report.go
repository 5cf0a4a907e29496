// Package report computes the monthly uptime reports: for each calendar
// month in the site timezone that has probe data or declared incidents,
// each component's uptime, coverage and minutes down, per day and for the
// month, with the incidents and maintenance of the month.
//
// Every figure comes from package uptime (Window, Windows and
// DaysBetween), so a report says exactly what the bars and badges say of
// the same time; this package only chooses the windows and splits
// downtime by its source.
// Months are computed once per build, each from the intervals and
// incidents that touch it alone, so the cost grows with the history, not
// with the history times the number of months.
package report

import (
	"cmp"
	"context"
	"crypto/sha256"
	"iter"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/parallel"
	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
)

// Input is what the reports are computed from.
type Input struct {
	Components []Component
	// Incidents is every incident and maintenance of the site, in any
	// order.
	Incidents []*incident.Incident
	// Intervals are each probed component's merged probe intervals, by
	// id, in any order.
	Intervals map[string][]history.Interval
	// PartialWeight, MinCoverage, Loc and Now are as in uptime.Input.
	PartialWeight, MinCoverage float64
	Loc                        *time.Location
	Now                        time.Time
	// Cache, when set, keeps closed months from one call to the next.
	Cache *Cache
}

// Component names a component of the site.
type Component struct {
	ID, Name string
	// Probed is set when a probe checks the component (uptime.Input.Probed).
	Probed bool
	// Target is the component's SLO target, a fraction; 0 when it has
	// none. Whatever the SLO's own window, a report judges it over the
	// calendar month (docs/reports.md).
	Target float64
}

// Components lists the components of snap, in config order, as reports
// name them.
func Components(snap *status.Snapshot) []Component {
	out := make([]Component, len(snap.Components))
	for i, c := range snap.Components {
		out[i] = Component{ID: c.ID, Name: c.Name, Probed: c.Monitored}
		if c.SLO != nil {
			out[i].Target = c.SLO.Target
		}
	}
	return out
}

// Month is the report of one calendar month.
type Month struct {
	// Start is the first of the month, midnight in the site timezone; End
	// is the first of the next month, or Now while the month is running.
	Start, End time.Time
	// ToDate is set while the month is running: its figures are to date.
	ToDate bool
	// PartialWeight is Input.PartialWeight, for readers of the figures.
	PartialWeight float64
	minCoverage   float64 // Input.MinCoverage, for Key

	// Revisions are a closed month's revisions, oldest first: each time a
	// build published other figures than before, and what they were
	// (see Revise).
	Revisions []Revision

	key string // see Key
	// Components are the site's components in config order.
	Components []*Figures
	// Site is the whole site's figure (uptime.Site): a minute is down
	// when any component is down.
	Site SiteFigures
	// Incidents and Maintenance are those that overlap the month on any
	// component, oldest first.
	Incidents, Maintenance []*incident.Incident
}

// In is the month as a page in another of the site's languages shows it:
// the same figures, with its incidents and maintenance as view gives them
// (each in its translation, or marked untranslated). Key stays the
// month's; a report page's Key adds the incidents it shows.
func (m *Month) In(view func(*incident.Incident) *incident.Incident) *Month {
	c := *m
	c.Incidents, c.Maintenance = viewed(m.Incidents, view), viewed(m.Maintenance, view)
	return &c
}

func viewed(ins []*incident.Incident, view func(*incident.Incident) *incident.Incident) []*incident.Incident {
	out := make([]*incident.Incident, len(ins))
	for i, in := range ins {
		out[i] = view(in)
	}
	return out
}

// Name is the month as its address writes it, "2026-11".
func (m *Month) Name() string { return m.Start.Format("2006-01") }

// ComponentName is the name of the component with the id, or the id when
// the month has no such component (it was removed since).
func (m *Month) ComponentName(id string) string {
	for _, f := range m.Components {
		if f.ID == id {
			return f.Name
		}
	}
	return id
}

// HasSLO reports whether any component of the month has an objective.
func (m *Month) HasSLO() bool {
	return slices.ContainsFunc(m.Components, func(f *Figures) bool { return f.SLO != nil })
}

// Margin words the month's margin on the objective in percentage points,
// signed, "+0.125 points", or is empty when there is no objective or it is
// not measurable. Three decimals: a target such as 99.95% leaves margins
// smaller than the hundredths the uptime is printed with.
func (f *Figures) Margin() string {
	if f.SLO == nil || f.SLO.State == slo.NotMeasurable {
		return ""
	}
	m := strconv.FormatFloat(f.SLO.Margin(), 'f', 3, 64)
	if m[0] != '-' {
		m = "+" + m
	}
	return m + " points"
}

// OpenAtEnd reports whether a closed month's page says that in, one of
// its incidents or maintenance, was still going on when the month ended,
// instead of how long it lasted: while it goes on, that duration grows
// with the clock, which a closed month's Key leaves out.
func (m *Month) OpenAtEnd(in *incident.Incident) bool {
	end := in.End()
	return !m.ToDate && (end.IsZero() || end.After(m.End))
}

// PartialPercent words PartialWeight as a percentage, "30".
func (m *Month) PartialPercent() string { return strconv.FormatFloat(m.PartialWeight*100, 'f', -1, 64) }

// Figures are one component's figures for a month: the month's summary,
// the source of its downtime, its SLO verdict, and its days.
type Figures struct {
	Component
	uptime.Summary
	// ProbeDown is the time a probe saw the component down, outside
	// maintenance; DeclaredDown the downtime incidents declared, weighted
	// as in Summary.Down. Where the two overlap, Summary.Down counts the
	// time once, so it is at most their sum.
	ProbeDown, DeclaredDown time.Duration
	// SLO is the month's verdict on the component's objective, judged on
	// Summary against the whole calendar month (so a running month's
	// budget is the month's); nil when the component has none.
	SLO *slo.Budget
	// base and cuts are what Days computes the days from; cuts, the
	// month's midnights up to Now (uptime.DayCuts), are the month's,
	// shared by its components.
	base uptime.Input
	cuts []time.Time
}

// Days returns the calendar days of the month up to Now, computed anew at
// each call: a build holds every month at once, and every component's
// days of every month held most of the reports' memory, while each reader
// (the page, the CSV, the JSON) needs them for a moment only.
func (f *Figures) Days() []uptime.Day { return uptime.DaysBetween(f.base, f.cuts) }

// AppendDays appends Days to dst as uptime.AppendDaysBetween does,
// reusing what dst holds beyond its length, for a reader that draws
// the days of one component after another.
func (f *Figures) AppendDays(dst []uptime.Day) []uptime.Day {
	return uptime.AppendDaysBetween(dst, f.base, f.cuts)
}

// DaySummaries yields the Summary of each of Days, and only that, which
// is all the CSV and JSON write and a fraction of Days' cost.
func (f *Figures) DaySummaries() iter.Seq[uptime.Summary] { return uptime.Windows(f.base, f.cuts) }

// SiteFigures are the whole site's figures for a month: the month's
// summary and each day's (From is the day's midnight), up to Now.
type SiteFigures struct {
	uptime.Summary
	// ProbeDown and DeclaredDown are as a component's (Figures), each the
	// same sweep (uptime.Site) over the components fed that source alone.
	ProbeDown, DeclaredDown time.Duration
	Days                    []uptime.Summary
}

// Months returns the report of every month, oldest first, from the first
// month with probe data or an incident to the month of Now. Months in
// between with neither are left out: there is nothing to report.
func Months(in Input) []*Month {
	loc := in.Loc
	if loc == nil {
		loc = time.UTC
	}
	monthOf := func(t time.Time) time.Time {
		y, m, _ := t.In(loc).Date()
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	last := monthOf(in.Now)

	// Bucket incidents and intervals by month once: each month then reads
	// only what touches it.
	incidents := map[time.Time][]*incident.Incident{}
	for _, inc := range in.Incidents {
		start, end := inc.Start(), inc.End()
		if start.After(in.Now) {
			continue
		}
		if end.IsZero() || end.After(in.Now) {
			end = in.Now
		}
		lastMonth := monthOf(end)
		if end.After(start) {
			// End is exclusive: an incident resolved at midnight on the
			// first ends in the month before.
			lastMonth = monthOf(end.Add(-time.Nanosecond))
		}
		for m := monthOf(start); !m.After(lastMonth); m = m.AddDate(0, 1, 0) {
			incidents[m] = append(incidents[m], inc)
		}
	}
	intervals := map[time.Time]map[string][]history.Interval{}
	for id, ivs := range in.Intervals {
		for _, iv := range ivs {
			if iv.State == history.NoData || !iv.Start.Before(in.Now) || !iv.Start.Before(iv.End) {
				continue
			}
			for m := monthOf(iv.Start); m.Before(iv.End) && !m.After(last); m = m.AddDate(0, 1, 0) {
				if intervals[m] == nil {
					intervals[m] = map[string][]history.Interval{}
				}
				intervals[m][id] = append(intervals[m][id], iv)
			}
		}
	}

	var starts []time.Time
	for m := range incidents {
		starts = append(starts, m)
	}
	for m := range intervals {
		if _, ok := incidents[m]; !ok {
			starts = append(starts, m)
		}
	}
	slices.SortFunc(starts, time.Time.Compare)
	// Months are independent of each other, and a clean build computes
	// every one of them before it renders anything: on every core.
	out := make([]*Month, len(starts))
	sums := make([][sha256.Size]byte, len(starts))
	parallel.For(context.Background(), len(starts), runtime.GOMAXPROCS(0), func(i int) error {
		start := starts[i]
		if in.Cache == nil || start.AddDate(0, 1, 0).After(in.Now) {
			out[i] = month(in, loc, start, incidents[start], intervals[start])
			return nil
		}
		sums[i] = inputSum(in, loc, start, incidents[start], intervals[start])
		if c, ok := in.Cache.months[start.Unix()]; ok && c.in == sums[i] {
			out[i] = c.m
		} else {
			out[i] = month(in, loc, start, incidents[start], intervals[start])
		}
		return nil
	})
	if in.Cache != nil {
		kept := map[int64]cachedMonth{}
		for i, m := range out {
			if !m.ToDate {
				kept[starts[i].Unix()] = cachedMonth{in: sums[i], m: m}
			}
		}
		in.Cache.months = kept
	}
	return out
}

// namedBefore reports whether one of affected names the component id.
func namedBefore(affected []incident.Affected, id string) bool {
	return slices.ContainsFunc(affected, func(a incident.Affected) bool { return a.ID == id })
}

// month computes the report of the month that begins at start.
func month(in Input, loc *time.Location, start time.Time, ins []*incident.Incident, ivs map[string][]history.Interval) *Month {
	end := start.AddDate(0, 1, 0)
	m := &Month{Start: start, End: end, PartialWeight: in.PartialWeight, minCoverage: in.MinCoverage}
	if in.Now.Before(end) {
		m.End, m.ToDate = in.Now, true
	}
	for _, inc := range ins {
		if inc.Kind == incident.KindMaintenance {
			m.Maintenance = append(m.Maintenance, inc)
		} else {
			m.Incidents = append(m.Incidents, inc)
		}
	}
	oldest := func(a, b *incident.Incident) int {
		return cmp.Or(a.Start().Compare(b.Start()), cmp.Compare(a.Slug, b.Slug))
	}
	slices.SortFunc(m.Incidents, oldest)
	slices.SortFunc(m.Maintenance, oldest)

	// Each component is given only the incidents that name it, all and
	// maintenance alone: uptime reads no other (Input.spans), and a month
	// of a large site has many, each read again for every component. The
	// lists are cut from two arrays, counted first: appended to one by
	// one, they were most of what a month allocated.
	counts := make(map[string]*[2]int, len(in.Components)) // all, maintenance
	var total [2]int
	for _, inc := range ins {
		isMaint := 0
		if inc.Kind == incident.KindMaintenance {
			isMaint = 1
		}
		for j, a := range inc.Affected {
			if namedBefore(inc.Affected[:j], a.ID) {
				continue // named twice: once is how spans sees it
			}
			c := counts[a.ID]
			if c == nil {
				c = new([2]int)
				counts[a.ID] = c
			}
			c[0]++
			c[1] += isMaint
			total[0]++
			total[1] += isMaint
		}
	}
	affecting := make(map[string][]*incident.Incident, len(counts))
	maint := make(map[string][]*incident.Incident, len(counts))
	all, maints := make([]*incident.Incident, total[0]), make([]*incident.Incident, total[1])
	for id, c := range counts {
		affecting[id], all = all[:0:c[0]], all[c[0]:]
		if c[1] > 0 {
			maint[id], maints = maints[:0:c[1]], maints[c[1]:]
		}
	}
	for _, inc := range ins {
		for j, a := range inc.Affected {
			if namedBefore(inc.Affected[:j], a.ID) {
				continue
			}
			affecting[a.ID] = append(affecting[a.ID], inc)
			if inc.Kind == incident.KindMaintenance {
				maint[a.ID] = append(maint[a.ID], inc)
			}
		}
	}
	cuts := uptime.DayCuts(loc, start, start.AddDate(0, 1, -1).Day(), in.Now)
	probed := false // whether any component has probe data in the month
	bases := make([]uptime.Input, len(in.Components))
	probes := make([]uptime.Input, len(in.Components))
	declared := make([]uptime.Input, len(in.Components))
	for i, c := range in.Components {
		base := uptime.Input{
			Component: c.ID, Intervals: ivs[c.ID], Incidents: affecting[c.ID],
			PartialWeight: in.PartialWeight, Loc: loc, Now: in.Now,
			Probed: c.Probed, MinCoverage: in.MinCoverage,
		}
		bases[i] = base
		f := &Figures{Component: c, Summary: uptime.Window(base, start, end), base: base, cuts: cuts}
		// The same definition, fed one source at a time: a probe's view
		// keeps maintenance, which excludes time whatever its source.
		probes[i], declared[i] = base, base
		probes[i].Incidents = maint[c.ID]
		declared[i].Intervals = nil
		f.ProbeDown = uptime.Window(probes[i], start, end).Down
		// Without probe data, the declared view is the component's own,
		// as most components of most months are: not swept again.
		f.DeclaredDown = f.Down
		if len(base.Intervals) > 0 {
			f.DeclaredDown = uptime.Window(declared[i], start, end).Down
			probed = true
		}
		if c.Target > 0 {
			b := slo.Evaluate(c.Target, f.Summary, end)
			b.Window = config.Month
			f.SLO = &b
		}
		m.Components = append(m.Components, f)
	}
	whole := []time.Time{start, m.End}
	if cuts != nil { // they end at m.End
		m.Site.Days, m.Site.Summary = uptime.SiteTotal(bases, cuts)
	} else {
		m.Site.Summary = uptime.Site(bases, whole)[0]
	}
	m.Site.ProbeDown = uptime.Site(probes, whole)[0].Down
	m.Site.DeclaredDown = m.Site.Down
	if probed {
		m.Site.DeclaredDown = uptime.Site(declared, whole)[0].Down
	}
	m.key = m.sum()
	return m
}
