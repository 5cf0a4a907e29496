// Package uptime defines, in one place, how herald turns probe history and
// declared incidents into uptime: per calendar day in the site timezone,
// and over any window ending at most at now.
//
// Every instant of a window, up to now, falls into exactly one class, the
// first that applies:
//
//  1. excluded: inside a maintenance window touching the component;
//  2. down: a probe saw it down, or an incident declares major_outage;
//  3. partial: an incident declares partial_outage; it counts as down
//     with the weight history.partial_weight;
//  4. up: a probe saw it up or degraded (it answered, if slowly), or an
//     incident declares degraded_performance (either colours the day but
//     is not downtime);
//  5. no data: nothing is known.
//
// Because each instant is classified once, probe failures and declared
// outages that overlap are counted once (their union), and full downtime
// beats partial weight. Classes 2–4 are the known time, the denominator:
//
//	uptime = 1 − (down + partial_weight × partial) / known
//
// Without known time there is no uptime value (HasValue is false): the
// page shows "no data", never 100%. Future time is nothing at all.
//
// Beside the figure goes its coverage, the share of the window outside
// maintenance that is known:
//
//	coverage = known / (known + no data)
//
// so that a figure over a window with missing data never reads as if the
// data were complete. A probed component whose coverage is below
// Input.MinCoverage shows no figure at all. Window computes uptime, known
// time and coverage together, for any window; every figure herald prints
// comes from it. The formulas are documented for readers in
// docs/uptime.md.
package uptime

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/i18n"
)

// Input is what uptime is computed from, for one component.
type Input struct {
	// Component is the id whose incidents count.
	Component string
	// Intervals are the component's merged probe intervals, in any order;
	// nil for a component without a probe. NoData intervals and gaps are
	// the same thing here.
	Intervals []history.Interval
	// Incidents may hold every incident of the site: only those whose
	// Affected list names Component count.
	Incidents []*incident.Incident
	// PartialWeight is history.partial_weight, 0..1.
	PartialWeight float64
	// Loc is the site timezone, in which days are counted.
	Loc *time.Location
	// Now ends every window: later time is neither up, down nor no data,
	// and an ongoing incident (zero End) lasts until Now.
	Now time.Time
	// Probed is set when the component has a probe, whether or not it
	// has reported: only then does MinCoverage apply. A component without
	// one knows only declared time, so its coverage says nothing of how
	// well it was watched.
	Probed bool
	// MinCoverage is uptime.min_coverage, 0..1: a probed component whose
	// coverage of a window is below it shows no uptime for the window.
	MinCoverage float64
}

// Summary is the uptime of one window. Known + Excluded + NoData always
// equals To − From.
type Summary struct {
	// From and To bound the window [From, To); To is at most Input.Now.
	From, To time.Time
	// Known is the denominator: time that was measured by a probe or
	// declared by an incident, outside maintenance.
	Known time.Duration
	// Measured is the part of Known that a probe observed.
	Measured time.Duration
	// Down is weighted downtime: full downtime plus PartialWeight × Partial.
	Down time.Duration
	// Partial is the unweighted partial_outage time that was not also
	// full downtime.
	Partial time.Duration
	// Excluded is maintenance time.
	Excluded time.Duration
	// NoData is time neither measured, declared nor excluded.
	NoData time.Duration
	// Uptime is 1 − Down/Known, in [0, 1]; NaN when HasValue is false.
	Uptime float64
	// HasValue is false when Known is zero: nothing is known, so there is
	// no uptime to show.
	HasValue bool
	// Coverage is Known / (Known + NoData), in [0, 1]: the share of the
	// window outside maintenance that is known. It is 0 when nothing of
	// the window lies outside maintenance, since nothing was observed.
	Coverage float64
	// Sparse is set when the component is probed and Coverage is below
	// Input.MinCoverage: too little was observed to show an uptime.
	Sparse bool
}

// Shown reports whether the uptime is shown: there is a value, and enough
// of the window was observed.
func (s Summary) Shown() bool { return s.HasValue && !s.Sparse }

// Percent is the uptime formatted for a page, or "no data" when it is not
// shown.
func (s Summary) Percent() string {
	if !s.Shown() {
		return NoData
	}
	return Format(s.Uptime, s.Down)
}

// PercentIn is Percent in the language of l: "99,95 %" in German.
func (s Summary) PercentIn(l *i18n.Locale) string {
	if !s.Shown() {
		return l.T("uptime.no_data")
	}
	return FormatIn(l, s.Uptime, s.Down)
}

// Unobserved words the time without data beside a shown figure, e.g.
// "7 d no data", or is empty when the window was fully observed or the
// figure is not shown.
func (s Summary) Unobserved() string { return s.UnobservedIn(i18n.For(i18n.Default)) }

// UnobservedIn is Unobserved in the language of l.
func (s Summary) UnobservedIn(l *i18n.Locale) string {
	if !s.Shown() || s.NoData <= 0 {
		return ""
	}
	return l.T("bars.no_data", "duration", roughly(l, s.NoData))
}

// roughly words a duration in its largest unit, rounded to it: "7 d",
// "5 h", "12 min", "<1 min". Beside a figure, the order of magnitude is
// what a reader takes in; the exact time is in the API.
func roughly(l *i18n.Locale, d time.Duration) string {
	const day = 24 * time.Hour
	n, key := 0, "duration.days"
	switch {
	case d < time.Minute:
		return l.T("duration.less_than_a_minute")
	case d < time.Hour:
		n, key = int(d.Round(time.Minute)/time.Minute), "duration.minutes"
	case d < day:
		n, key = int(d.Round(time.Hour)/time.Hour), "duration.hours"
	default:
		n = int(d.Round(day) / day)
	}
	return l.T(key, "n", l.Number(float64(n), 0))
}

// NoData is what Percent and Format print when there is no uptime value.
const NoData = "no data"

// Window returns the uptime of [from, to), with to clipped to Now.
func Window(in Input, from, to time.Time) Summary {
	if to.After(in.Now) {
		to = in.Now
	}
	if !from.Before(to) {
		return Summary{From: from, To: from, Uptime: math.NaN()}
	}
	return in.summary(from, to, in.measure([]time.Time{from, to})[0])
}

// Windows yields the uptime of each window between consecutive cuts,
// ascending and ending at most at Now, from one sweep: the Summary of
// each of DaysBetween's days, without the incidents and degraded time
// that only the calendar shows. It keeps no slice of them, nor of their
// time by class: a report's CSV and JSON write each once, and allocating
// a month's summaries for every component was most of their cost, its
// time by class a third of the bytes they still allocated.
func Windows(in Input, cuts []time.Time) iter.Seq[Summary] {
	return func(yield func(Summary) bool) {
		if len(cuts) < 2 {
			return
		}
		in.eachSummary(cuts, func(_ int, s Summary) bool { return yield(s) })
	}
}

// LastDays returns the uptime of the n calendar days ending now: the same
// span as Days(in, n), so the percentage beside the bars is their total.
func LastDays(in Input, n int) Summary {
	loc := in.location()
	y, m, d := in.Now.In(loc).Date()
	return Window(in, time.Date(y, m, d-n+1, 0, 0, 0, 0, loc), in.Now)
}

// Period is a labelled window, for the table of uptime figures.
type Period struct {
	Label string // "24 hours", "7 days", …
	Key   string // the same for machines: "24h", "7d", …
	Summary
}

// Periods returns the standard windows: the last 24 hours (a rolling
// window) and the last 7, 30 and 90 calendar days (see LastDays).
func Periods(in Input) []Period {
	ps := []Period{{Label: "24 hours", Key: "24h", Summary: Window(in, in.Now.Add(-24*time.Hour), in.Now)}}
	for _, n := range []int{7, 30, 90} {
		ps = append(ps, Period{Label: strconv.Itoa(n) + " days", Key: strconv.Itoa(n) + "d", Summary: LastDays(in, n)})
	}
	return ps
}

// Format prints an uptime with two decimals, truncated rather than
// rounded, so 99.996% prints as 99.99%: "100%" is printed only when there
// was no downtime at all. NaN prints as NoData.
func Format(u float64, down time.Duration) string {
	if math.IsNaN(u) {
		return NoData
	}
	f, decimals := printed(u, down)
	return strconv.FormatFloat(f*100, 'f', decimals, 64) + "%"
}

// FormatIn is Format in the language of l: "99,99 %" in German.
func FormatIn(l *i18n.Locale, u float64, down time.Duration) string {
	if math.IsNaN(u) {
		return l.T("uptime.no_data")
	}
	return l.Percent(printed(u, down))
}

// printed is the uptime u as Format prints it, a fraction, and the
// decimals of its percentage: Floor's hundredths with 2 decimals, or 1
// with none when there was no downtime at all.
func printed(u float64, down time.Duration) (float64, int) {
	h := Floor(u, down)
	if h == 10000 {
		return 1, 0
	}
	return h / 10000, 2
}

// Floor is the fraction u as Format shows it, in hundredths of a percent
// (9995 for 0.9995): truncated, and 10000 only when down is zero and u
// whole, so that no figure ever reads 100% while there was downtime.
// Every uptime herald shows, in any language or format, goes through it.
func Floor(u float64, down time.Duration) float64 {
	if down <= 0 && u >= 1 {
		return 10000
	}
	// The epsilon undoes binary representation error (0.9995 is stored
	// as 0.99949999…), without which truncation would print 99.94%.
	return min(max(math.Floor(u*10000+1e-6), 0), 9999)
}

func (in Input) location() *time.Location {
	if in.Loc == nil {
		return time.UTC
	}
	return in.Loc
}

// kind is a source of time, in classification order (see the package
// comment).
type kind uint8

const (
	kMaint kind = iota
	kDown
	kMajor
	kPartial
	kUp
	kDegraded
	nKinds
)

// edge is where one source of a component's time starts (d = +1) or
// ends (d = −1). Its time is in nanoseconds from the start of the sweep,
// so that an edge holds no pointer (a time.Time holds its *Location): a
// sweep sorts and compares plain numbers, and sorting moves edges
// without the GC's write barriers. The windows swept are days to months
// long, far inside what a time.Duration holds.
type edge struct {
	at int64
	c  int32 // the component's index, for Site
	k  kind
	d  int8
}

// since is t − base in nanoseconds, as t.Sub(base) is over the windows a
// sweep covers, days to months, without Sub's test for overflow (an Add
// and an Equal), which cost more than the rest of a sweep's arithmetic.
// It reads the wall clock alone: the only times a sweep sees with a
// monotonic reading come from one Now by Add, which moves both readings
// alike (TestSweepFromMonotonicNow).
func since(t, base time.Time) int64 {
	return (t.Unix()-base.Unix())*int64(time.Second) + int64(t.Nanosecond()-base.Nanosecond())
}

// byTime orders edges for a sweep.
func byTime(a, b edge) int { return cmp.Compare(a.at, b.at) }

// span is one incident's declared time on the component.
type span struct {
	in       *incident.Incident
	from, to time.Time
	status   incident.Status // under_maintenance for maintenance
	k        kind            // nKinds when the status does not count
}

func (s span) overlaps(from, to time.Time) bool {
	if s.from.Equal(s.to) { // an instant: count it on the day it happened
		return !s.from.Before(from) && s.from.Before(to)
	}
	return s.from.Before(to) && s.to.After(from)
}

// eachSpan hands f, in turn, the declared time of each incident touching
// the component that overlaps [from, to], keeping no slice of them: a
// sweep and a month's days read each once.
func (in Input) eachSpan(from, to time.Time, f func(span)) {
	for _, inc := range in.Incidents {
		start, end := inc.Start(), inc.End()
		if end.IsZero() || end.After(in.Now) {
			end = in.Now
		}
		if end.Before(start) || start.After(to) || end.Before(from) {
			continue
		}
		for _, a := range inc.Affected {
			if a.ID != in.Component {
				continue
			}
			s := span{in: inc, from: start, to: end, status: a.Status, k: nKinds}
			if inc.Kind == incident.KindMaintenance {
				s.status, s.k = incident.UnderMaintenance, kMaint
			} else {
				switch a.Status {
				case incident.MajorOutage:
					s.k = kMajor
				case incident.PartialOutage:
					s.k = kPartial
				case incident.DegradedPerformance:
					s.k = kDegraded
				}
			}
			f(s)
		}
	}
}

// measure sweeps [cuts[0], cuts[last]) once and returns the time by class
// of each consecutive pair of cuts, for summary: a caller that keeps the
// summaries in a slice of its own (DaysFrom) then needs no second one.
// cuts must be ascending and end at most at Now.
func (in Input) measure(cuts []time.Time) []acc {
	return accsOf(len(cuts)-1, func(window func(acc) bool) { in.measureEach(cuts, window) })
}

// measureEach is measure handing each window's time by class to window,
// as sweepEach does.
func (in Input) measureEach(cuts []time.Time, window func(acc) bool) {
	edges := edgeBufs.Get().(*[]edge)
	defer edgeBufs.Put(edges)
	*edges = in.appendEdges((*edges)[:0], cuts[0], cuts[len(cuts)-1], 0)
	slices.SortFunc(*edges, byTime)
	var count [nKinds]int
	sweepEach(cuts, *edges, func(e edge) { count[e.k] += int(e.d) }, func() (class, bool) { return classify(&count) }, window)
}

// edgeBufs hold the edges of a sweep, which are read once and dropped: a
// build sweeps each component's month for its report page, CSV and JSON,
// and the whole site's months, and fresh edges (and spans made to size
// them) were a tenth of what its rendering allocated.
var edgeBufs = sync.Pool{New: func() any { return new([]edge) }}

// eachSummary hands the Summary of each window between cuts to window,
// oldest first, until it returns false, from one sweep. A component with
// neither probe data nor incidents, as most are in most months of a
// report, has windows of no data alone: what a sweep without edges would
// find, known without the sweep.
func (in Input) eachSummary(cuts []time.Time, window func(i int, s Summary) bool) {
	if len(in.Intervals) == 0 && len(in.Incidents) == 0 {
		for i := range len(cuts) - 1 {
			var a acc
			a.class[cNoData] = cuts[i+1].Sub(cuts[i])
			if !window(i, in.summary(cuts[i], cuts[i+1], a)) {
				return
			}
		}
		return
	}
	i := 0
	in.measureEach(cuts, func(a acc) bool {
		i++
		return window(i-1, in.summary(cuts[i-1], cuts[i], a))
	})
}

// summary is the Summary of [from, to) whose time by class is a.
func (in Input) summary(from, to time.Time, a acc) Summary {
	return summarize(from, to, a, in.PartialWeight, in.Probed, in.MinCoverage)
}

// appendEdges appends to dst the component's time in [from, to) as the
// kinds' start and end edges, timed from from, each marked with the
// component's index c.
func (in Input) appendEdges(dst []edge, from, to time.Time, c int) []edge {
	add := func(start, end time.Time, k kind) {
		start, end = later(start, from), earlier(end, to)
		if start.Before(end) {
			dst = append(dst, edge{since(start, from), int32(c), k, +1}, edge{since(end, from), int32(c), k, -1})
		}
	}
	for _, iv := range in.Intervals {
		switch iv.State {
		case history.Up, history.Degraded:
			add(iv.Start, iv.End, kUp)
		case history.Down:
			add(iv.Start, iv.End, kDown)
		}
	}
	in.eachSpan(from, to, func(s span) {
		if s.k != nKinds {
			add(s.from, s.to, s.k)
		}
	})
	return dst
}

// class is the class of an instant (see the package comment).
type class uint8

const (
	cNoData class = iota
	cUp
	cPartial
	cFull
	cExcluded
	nClasses
)

// classify is the class of an instant whose sources are count, the first
// that applies, and whether a probe measured it outside maintenance.
func classify(count *[nKinds]int) (class, bool) {
	measured := count[kUp] > 0 || count[kDown] > 0
	switch {
	case count[kMaint] > 0:
		return cExcluded, false
	case count[kDown] > 0 || count[kMajor] > 0:
		return cFull, measured
	case count[kPartial] > 0:
		return cPartial, measured
	case measured || count[kDegraded] > 0:
		return cUp, measured
	}
	return cNoData, false
}

// acc is the time of each class in one window, and the part measured.
type acc struct {
	class    [nClasses]time.Duration
	measured time.Duration
}

// sweep walks [cuts[0], cuts[last]) across edges (sorted by time, timed
// from cuts[0]), applying each edge as it is passed and adding each
// stretch between edges and cuts to the window it lies in, in the class
// state gives.
func sweep(cuts []time.Time, edges []edge, apply func(edge), state func() (class, bool)) []acc {
	return accsOf(len(cuts)-1, func(window func(acc) bool) { sweepEach(cuts, edges, apply, state, window) })
}

// accsOf is the n windows' time by class that each hands out.
func accsOf(n int, each func(window func(acc) bool)) []acc {
	accs := make([]acc, 0, n)
	each(func(a acc) bool {
		accs = append(accs, a)
		return true
	})
	return accs
}

// sweepEach is sweep handing each window's time by class to window as
// soon as the window is done, oldest first, until window returns false:
// a caller that reads each window once (Windows) then keeps none.
func sweepEach(cuts []time.Time, edges []edge, apply func(edge), state func() (class, bool), window func(acc) bool) {
	var a acc
	var pos int64
	ei := 0
	for _, t := range cuts[1:] {
		cut := since(t, cuts[0])
		for {
			next := cut
			if ei < len(edges) && edges[ei].at < next {
				next = edges[ei].at
			}
			if d := time.Duration(next - pos); d > 0 {
				c, measured := state()
				a.class[c] += d
				if measured {
					a.measured += d
				}
			}
			pos = next
			for ei < len(edges) && edges[ei].at <= pos {
				apply(edges[ei])
				ei++
			}
			if pos == cut {
				break
			}
		}
		if !window(a) {
			return
		}
		a = acc{}
	}
}

// summarize turns the time by class a of the window [from, to) into its
// Summary.
func summarize(from, to time.Time, a acc, partialWeight float64, probed bool, minCoverage float64) Summary {
	w := min(max(partialWeight, 0), 1)
	full, partial := a.class[cFull], a.class[cPartial]
	known := full + partial + a.class[cUp]
	s := Summary{
		From: from, To: to,
		Known: known, Measured: a.measured, Partial: partial,
		Excluded: a.class[cExcluded], NoData: a.class[cNoData],
		Down:   full + time.Duration(math.Round(w*float64(partial))),
		Uptime: math.NaN(),
	}
	if known > 0 {
		s.HasValue = true
		s.Uptime = min(max(1-(float64(full)+w*float64(partial))/float64(known), 0), 1)
	}
	if watched := known + s.NoData; watched > 0 {
		s.Coverage = float64(known) / float64(watched)
	}
	// A coverage equal to the threshold is enough; the epsilon keeps one
	// equal to, say, 77% from falling below it by binary rounding.
	s.Sparse = probed && s.Coverage < minCoverage-1e-9
	return s
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
