package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/history"
)

var la = mustLoad("America/Los_Angeles")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(loc *time.Location, month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, loc)
}

func outage(slug string, status incident.Status, from, to time.Time) *incident.Incident {
	return &incident.Incident{
		Slug: slug, Kind: incident.KindIncident, Impact: incident.ImpactMajor,
		Affected: []incident.Affected{{ID: "api", Status: status}},
		Started:  from, Resolved: to,
	}
}

func maintenance(slug string, from, to time.Time) *incident.Incident {
	return &incident.Incident{
		Slug: slug, Kind: incident.KindMaintenance,
		Affected:       []incident.Affected{{ID: "api", Status: incident.UnderMaintenance}},
		ScheduledStart: from, ScheduledEnd: to,
	}
}

func iv(state history.State, from, to time.Time) history.Interval {
	return history.Interval{Start: from, End: to, State: state}
}

// TestMonths checks months computed by hand. Each case has one component,
// "api"; want describes the month that begins at month.
func TestMonths(t *testing.T) {
	const h = time.Hour
	utc := time.UTC
	type want struct {
		known, down, probeDown, declaredDown, partial, excluded, nodata time.Duration
		uptime, coverage                                                float64
		days                                                            int
		dayLengths                                                      map[int]time.Duration // by day of month
		dayNoData                                                       []int                 // days of month without a value
		toDate                                                          bool
		incidents, maintenance                                          int
	}
	tests := []struct {
		name      string
		loc       *time.Location
		probed    bool
		intervals []history.Interval
		incidents []*incident.Incident
		now       time.Time
		month     time.Time
		want      want
	}{
		{
			// DST starts on 8 March 2026 in Los Angeles: that day has 23
			// hours, and the month 743.
			name: "DST change in America/Los_Angeles", loc: la, probed: true,
			intervals: []history.Interval{iv(history.Up, at(la, 3, 1, 0), at(la, 4, 1, 0))},
			now:       at(la, 4, 15, 0), month: at(la, 3, 1, 0),
			want: want{
				known: 743 * h, uptime: 1, coverage: 1, days: 31,
				dayLengths: map[int]time.Duration{7: 24 * h, 8: 23 * h, 9: 24 * h},
			},
		},
		{
			// Down 10:00–12:00 by the probe, 11:00–13:00 by the incident:
			// three hours down, not four.
			name: "incident overlapping a probe outage", loc: utc, probed: true,
			intervals: []history.Interval{
				iv(history.Up, at(utc, 11, 1, 0), at(utc, 11, 5, 10)),
				iv(history.Down, at(utc, 11, 5, 10), at(utc, 11, 5, 12)),
				iv(history.Up, at(utc, 11, 5, 12), at(utc, 12, 1, 0)),
			},
			incidents: []*incident.Incident{outage("db", incident.MajorOutage, at(utc, 11, 5, 11), at(utc, 11, 5, 13))},
			now:       at(utc, 12, 2, 0), month: at(utc, 11, 1, 0),
			want: want{
				known: 720 * h, down: 3 * h, probeDown: 2 * h, declaredDown: 2 * h,
				uptime: 1 - 3.0/720, coverage: 1, days: 30, incidents: 1,
			},
		},
		{
			// Down 10:00–14:00, maintenance 11:00–12:00: the hour of
			// maintenance is excluded, the other three count.
			name: "maintenance inside an outage", loc: utc, probed: true,
			intervals: []history.Interval{
				iv(history.Up, at(utc, 11, 1, 0), at(utc, 11, 5, 10)),
				iv(history.Down, at(utc, 11, 5, 10), at(utc, 11, 5, 14)),
				iv(history.Up, at(utc, 11, 5, 14), at(utc, 12, 1, 0)),
			},
			incidents: []*incident.Incident{maintenance("swap", at(utc, 11, 5, 11), at(utc, 11, 5, 12))},
			now:       at(utc, 12, 2, 0), month: at(utc, 11, 1, 0),
			want: want{
				known: 719 * h, down: 3 * h, probeDown: 3 * h, excluded: h,
				uptime: 1 - 3.0/719, coverage: 1, days: 30, maintenance: 1,
			},
		},
		{
			name: "no data for the first 10 days", loc: utc, probed: true,
			intervals: []history.Interval{iv(history.Up, at(utc, 11, 11, 0), at(utc, 12, 1, 0))},
			now:       at(utc, 12, 2, 0), month: at(utc, 11, 1, 0),
			want: want{
				known: 480 * h, nodata: 240 * h, uptime: 1, coverage: 480.0 / 720, days: 30,
				dayNoData: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
			},
		},
		{
			// Two hours of partial_outage at weight 0.3 are 36 minutes
			// down; without a probe, only the declared two hours are known.
			name: "declared incidents only, partial weighted", loc: utc,
			incidents: []*incident.Incident{outage("slow", incident.PartialOutage, at(utc, 3, 9, 10), at(utc, 3, 9, 12))},
			now:       at(utc, 11, 28, 15), month: at(utc, 3, 1, 0),
			want: want{
				known: 2 * h, down: 36 * time.Minute, declaredDown: 36 * time.Minute, partial: 2 * h,
				nodata: 742 * h, uptime: 1 - 0.3, coverage: 2.0 / 744, days: 31, incidents: 1,
			},
		},
		{
			name: "a running month is to date", loc: utc, probed: true,
			intervals: []history.Interval{iv(history.Up, at(utc, 11, 1, 0), at(utc, 11, 28, 15))},
			now:       at(utc, 11, 28, 15), month: at(utc, 11, 1, 0),
			want: want{known: 27*24*h + 15*h, uptime: 1, coverage: 1, days: 28, toDate: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{
				Components:    []Component{{ID: "api", Name: "API", Probed: tt.probed}},
				Incidents:     tt.incidents,
				Intervals:     map[string][]history.Interval{"api": tt.intervals},
				PartialWeight: 0.3, MinCoverage: 0.5, Loc: tt.loc, Now: tt.now,
			}
			months := Months(in)
			if len(months) != 1 {
				t.Fatalf("got %d months, want 1", len(months))
			}
			m := months[0]
			if !m.Start.Equal(tt.month) {
				t.Errorf("got month %v, want %v", m.Start, tt.month)
			}
			w := tt.want
			if m.ToDate != w.toDate {
				t.Errorf("got to date %v, want %v", m.ToDate, w.toDate)
			}
			if len(m.Incidents) != w.incidents || len(m.Maintenance) != w.maintenance {
				t.Errorf("got %d incidents and %d maintenance, want %d and %d", len(m.Incidents), len(m.Maintenance), w.incidents, w.maintenance)
			}
			f := m.Components[0]
			for _, d := range []struct {
				name      string
				got, want time.Duration
			}{
				{"known", f.Known, w.known}, {"down", f.Down, w.down},
				{"probe down", f.ProbeDown, w.probeDown}, {"declared down", f.DeclaredDown, w.declaredDown},
				{"partial", f.Partial, w.partial}, {"excluded", f.Excluded, w.excluded}, {"no data", f.NoData, w.nodata},
			} {
				if d.got != d.want {
					t.Errorf("got %s %v, want %v", d.name, d.got, d.want)
				}
			}
			if math.Abs(f.Uptime-w.uptime) > 1e-12 {
				t.Errorf("got uptime %v, want %v", f.Uptime, w.uptime)
			}
			if math.Abs(f.Coverage-w.coverage) > 1e-12 {
				t.Errorf("got coverage %v, want %v", f.Coverage, w.coverage)
			}
			if len(f.Days()) != w.days {
				t.Fatalf("got %d days, want %d", len(f.Days()), w.days)
			}
			var sum time.Duration
			for _, d := range f.Days() {
				sum += d.Known + d.Excluded + d.NoData
				if want, ok := w.dayLengths[d.Date.Day()]; ok {
					if got := d.To.Sub(d.From); got != want {
						t.Errorf("got day %d of %v, want %v", d.Date.Day(), got, want)
					}
				}
			}
			if got, want := sum, m.End.Sub(m.Start); got != want {
				t.Errorf("got days summing to %v, want the month's %v", got, want)
			}
			for _, n := range w.dayNoData {
				if d := f.Days()[n-1]; d.HasValue {
					t.Errorf("got a value on day %d, want none", n)
				}
			}
		})
	}
}

// TestMonthsListed checks which months get a report: those with probe
// data or an incident, and not the empty ones between them.
func TestMonthsListed(t *testing.T) {
	utc := time.UTC
	in := Input{
		Components: []Component{{ID: "api", Name: "API", Probed: true}},
		Incidents: []*incident.Incident{
			outage("old", incident.MajorOutage, time.Date(2025, 12, 3, 1, 0, 0, 0, utc), time.Date(2025, 12, 3, 2, 0, 0, 0, utc)),
			// Resolved at midnight on the first: it ends in February.
			outage("edge", incident.MajorOutage, at(utc, 2, 27, 0), at(utc, 3, 1, 0)),
		},
		Intervals: map[string][]history.Interval{"api": {iv(history.Up, at(utc, 8, 30, 0), at(utc, 10, 1, 0))}},
		Loc:       utc, Now: at(utc, 11, 28, 15),
	}
	var got []string
	for _, m := range Months(in) {
		got = append(got, m.Name())
	}
	want := []string{"2025-12", "2026-02", "2026-08", "2026-09"}
	if !slices.Equal(got, want) {
		t.Errorf("got months %v, want %v", got, want)
	}
}

// randomInput is a month of random probe intervals and incidents.
func randomInput(r *rand.Rand) Input {
	utc := time.UTC
	start := at(utc, 11, 1, 0)
	var ivs []history.Interval
	for t := start; t.Before(at(utc, 12, 1, 0)); {
		next := t.Add(time.Duration(1+r.IntN(48)) * time.Hour)
		state := []history.State{history.Up, history.Down, history.NoData}[r.IntN(3)]
		ivs = append(ivs, iv(state, t, next))
		t = next
	}
	var ins []*incident.Incident
	for i := range r.IntN(4) {
		from := start.Add(time.Duration(r.IntN(700)) * time.Hour)
		to := from.Add(time.Duration(1+r.IntN(30)) * time.Hour)
		if r.IntN(3) == 0 {
			ins = append(ins, maintenance("m"+string(rune('a'+i)), from, to))
			continue
		}
		status := []incident.Status{incident.MajorOutage, incident.PartialOutage, incident.DegradedPerformance}[r.IntN(3)]
		ins = append(ins, outage("i"+string(rune('a'+i)), status, from, to))
	}
	return Input{
		Components: []Component{{ID: "api", Probed: true}},
		Incidents:  ins, Intervals: map[string][]history.Interval{"api": ivs},
		PartialWeight: r.Float64(), MinCoverage: 0.5, Loc: utc, Now: at(utc, 12, 5, 0),
	}
}

func TestCoverageNeverExceedsWhole(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		for _, m := range Months(randomInput(r)) {
			for _, f := range m.Components {
				if f.Coverage < 0 || f.Coverage > 1 {
					t.Fatalf("got coverage %v, want within [0, 1]", f.Coverage)
				}
				for _, d := range f.Days() {
					if d.Coverage < 0 || d.Coverage > 1 {
						t.Fatalf("got coverage %v on %v, want within [0, 1]", d.Coverage, d.Date)
					}
				}
			}
		}
	}
}

func TestMoreDowntimeNeverRaisesUptime(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		in := randomInput(r)
		before := Months(in)[0].Components[0]
		// Turn one up interval down.
		ivs := in.Intervals["api"]
		i := r.IntN(len(ivs))
		if ivs[i].State != history.Up {
			continue
		}
		ivs[i].State = history.Down
		after := Months(in)[0].Components[0]
		if before.HasValue && after.Uptime > before.Uptime {
			t.Fatalf("got uptime %v after adding downtime, want at most %v", after.Uptime, before.Uptime)
		}
		if after.Down < before.Down {
			t.Fatalf("got down %v after adding downtime, want at least %v", after.Down, before.Down)
		}
	}
}

// TestMonthSLO checks the month's verdict on an objective against margins
// worked out by hand. November 2026 in UTC has 30 days, 43,200 minutes, so
// a 99.9% target allows 43.2 minutes down.
func TestMonthSLO(t *testing.T) {
	utc := time.UTC
	nov, dec := at(utc, 11, 1, 0), at(utc, 12, 1, 0)
	downAt := at(utc, 11, 10, 12)
	down := func(minutes int, end time.Time) []history.Interval {
		d := downAt.Add(time.Duration(minutes) * time.Minute)
		return []history.Interval{iv(history.Up, nov, downAt), iv(history.Down, downAt, d), iv(history.Up, d, end)}
	}
	type want struct {
		state, words, margin, left string
	}
	tests := []struct {
		name      string
		target    float64
		intervals []history.Interval
		now       time.Time
		want      *want
	}{
		{
			// uptime 1 − 20/43200 = 99.95370%, 0.05370 points over
			// 99.9%; 43.2 − 20 = 23.2 minutes left.
			name: "met", target: 0.999, intervals: down(20, dec), now: at(utc, 12, 15, 0),
			want: &want{state: "met", words: "met", margin: "+0.054 points", left: "23.2 min"},
		},
		{
			// uptime 1 − 60/43200 = 99.86111%, 0.03889 points under;
			// 60 − 43.2 = 16.8 minutes over.
			name: "missed", target: 0.999, intervals: down(60, dec), now: at(utc, 12, 15, 0),
			want: &want{state: "missed", words: "missed", margin: "-0.039 points", left: "over by 16.8 min"},
		},
		{
			// 10 of 30 days observed: coverage 33% is below 50%.
			name: "below min_coverage is not measurable, never met", target: 0.999,
			intervals: []history.Interval{iv(history.Up, at(utc, 11, 21, 0), dec)}, now: at(utc, 12, 15, 0),
			want: &want{state: "not_measurable", words: "not measurable", margin: "", left: "not measurable"},
		},
		{
			// Half the month gone: 21,600 minutes known, 10 down, so
			// uptime 1 − 10/21600 = 99.95370%; the budget is still the
			// whole month's 43.2 minutes, 33.2 of them left.
			name: "running month is on track", target: 0.999, intervals: down(10, at(utc, 11, 16, 0)), now: at(utc, 11, 16, 0),
			want: &want{state: "met", words: "on track", margin: "+0.054 points", left: "33.2 min"},
		},
		{
			// 99.5% allows 216 minutes of the month; 250 are spent by
			// mid-month, which the rest of the month cannot win back.
			name: "running month already over budget", target: 0.995, intervals: down(250, at(utc, 11, 16, 0)), now: at(utc, 11, 16, 0),
			want: &want{state: "missed", words: "missed", margin: "-0.657 points", left: "over by 34.0 min"},
		},
		{
			name: "no objective", intervals: down(20, dec), now: at(utc, 12, 15, 0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			months := Months(Input{
				Components:  []Component{{ID: "api", Name: "API", Probed: true, Target: tt.target}},
				Intervals:   map[string][]history.Interval{"api": tt.intervals},
				MinCoverage: 0.5, Loc: utc, Now: tt.now,
			})
			if len(months) != 1 {
				t.Fatalf("got %d months, want 1", len(months))
			}
			f := months[0].Components[0]
			if tt.want == nil {
				if f.SLO != nil || months[0].HasSLO() {
					t.Fatalf("got an SLO verdict %+v, want none", f.SLO)
				}
				return
			}
			if f.SLO == nil || !months[0].HasSLO() {
				t.Fatal("got no SLO verdict, want one")
			}
			w := f.SLO.Words()
			got := want{state: string(f.SLO.State), words: w.State, margin: f.Margin(), left: w.Left}
			if got != *tt.want {
				t.Errorf("got %+v, want %+v", got, *tt.want)
			}
			if w.Target != "99.9%" && w.Target != "99.5%" {
				t.Errorf("got target %q, want it as written", w.Target)
			}
			if !f.SLO.End.Equal(dec) {
				t.Errorf("got the budget's window ending %v, want the month's end %v", f.SLO.End, dec)
			}
		})
	}
}

// TestMonthSite checks the whole site's row of a month against sums done
// by hand: November 2026 in UTC, 43,200 minutes, api down 12:00–13:00 on
// the 10th and web 12:30–14:00, api in maintenance on the 20th while web
// is watched; web has no data from the 25th, when api alone decides.
func TestMonthSite(t *testing.T) {
	utc := time.UTC
	nov, dec := at(utc, 11, 1, 0), at(utc, 12, 1, 0)
	m := Months(Input{
		Components: []Component{{ID: "api", Name: "API", Probed: true}, {ID: "web", Name: "Web", Probed: true}},
		// The incident declares 13:30 to 15:00 on api, half inside the
		// probes' outage of 12:00 to 14:00 (api's and web's, overlapping).
		Incidents: []*incident.Incident{
			maintenance("swap", at(utc, 11, 20, 0), at(utc, 11, 20, 2)),
			outage("late", incident.MajorOutage, at(utc, 11, 10, 13).Add(30*time.Minute), at(utc, 11, 10, 15)),
		},
		Intervals: map[string][]history.Interval{
			"api": {iv(history.Up, nov, at(utc, 11, 10, 12)), iv(history.Down, at(utc, 11, 10, 12), at(utc, 11, 10, 13)), iv(history.Up, at(utc, 11, 10, 13), dec)},
			"web": {iv(history.Up, nov, at(utc, 11, 10, 12).Add(30*time.Minute)), iv(history.Down, at(utc, 11, 10, 12).Add(30*time.Minute), at(utc, 11, 10, 14)), iv(history.Up, at(utc, 11, 10, 14), at(utc, 11, 25, 0))},
		},
		PartialWeight: 0.5, MinCoverage: 0.5, Loc: utc, Now: at(utc, 12, 15, 0),
	})[0]
	tests := []struct {
		name      string
		got, want time.Duration
	}{
		{"month known", m.Site.Known, 43200 * time.Minute},
		{"month down, the overlaps once", m.Site.Down, 180 * time.Minute},
		{"month seen by the monitor, the overlap once", m.Site.ProbeDown, 120 * time.Minute},
		{"month declared in incidents", m.Site.DeclaredDown, 90 * time.Minute},
		{"month excluded: web is watched during api's maintenance", m.Site.Excluded, 0},
		{"month no data: api watched when web is not", m.Site.NoData, 0},
		{"10 November down", m.Site.Days[9].Down, 180 * time.Minute},
		{"20 November known", m.Site.Days[19].Known, 24 * time.Hour},
		{"api alone excludes its maintenance", m.Components[0].Excluded, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	if got, want := m.Site.Uptime, 1-180.0/43200; math.Abs(got-want) > 1e-12 {
		t.Errorf("got site uptime %v, want %v", got, want)
	}
	if got := len(m.Site.Days); got != 30 {
		t.Fatalf("got %d site days, want 30", got)
	}
	var known time.Duration
	for _, d := range m.Site.Days {
		known += d.Known
	}
	if known != m.Site.Known {
		t.Errorf("got days summing to %v known, want the month's %v", known, m.Site.Known)
	}
}

// TestKeyFollowsInputs: a month's Key stands for its days without
// computing them, so it must change with what they are computed from, and
// stay when only time after the month passes.
func TestKeyFollowsInputs(t *testing.T) {
	utc := time.UTC
	oct := at(utc, 10, 1, 0)
	input := func(now time.Time, ivs ...history.Interval) Input {
		// web is down throughout, so the site's days cannot tell
		// api's days apart: only api's own can.
		return Input{
			Components: []Component{{ID: "api", Name: "API", Probed: true}, {ID: "web", Name: "Web", Probed: true}},
			Intervals:  map[string][]history.Interval{"api": ivs, "web": {iv(history.Down, oct, now)}}, MinCoverage: 0.5, Loc: utc, Now: now,
		}
	}
	october := func(in Input) string { return Months(in)[0].Key() }
	base := october(input(at(utc, 11, 10, 0), iv(history.Up, oct, at(utc, 11, 10, 0))))
	tests := []struct {
		name string
		in   Input
		same bool
	}{
		{"a later build, the interval running on", input(at(utc, 11, 20, 0), iv(history.Up, oct, at(utc, 11, 20, 0))), true},
		{"an hour down inside the month", input(at(utc, 11, 10, 0), iv(history.Up, oct, at(utc, 10, 9, 0)), iv(history.Down, at(utc, 10, 9, 0), at(utc, 10, 9, 1)), iv(history.Up, at(utc, 10, 9, 1), at(utc, 11, 10, 0))), false},
		{"an hour without data moved to another day", input(at(utc, 11, 10, 0), iv(history.Up, oct, at(utc, 10, 9, 0)), iv(history.Up, at(utc, 10, 9, 1), at(utc, 11, 10, 0))), false},
	}
	moved := input(at(utc, 11, 10, 0), iv(history.Up, oct, at(utc, 10, 12, 0)), iv(history.Up, at(utc, 10, 12, 1), at(utc, 11, 10, 0)))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := october(tt.in)
			if same := got == base; same != tt.same {
				t.Errorf("got the same key %v, want %v", same, tt.same)
			}
		})
	}
	// The same total without data on another day: the month's figures
	// agree, only its days differ.
	if october(moved) == october(tests[2].in) {
		t.Error("got the same key for a gap on the 9th and on the 12th, want different keys: the days differ")
	}
}

// TestMonthAllocations: a month's lists of each component's incidents,
// all and maintenance alone, are cut from two arrays counted first, not
// appended to one by one: a month of 60 incidents and 30 maintenance
// windows on three components took 87 allocations, then 59; and without
// probe data its declared downtime is its downtime, not swept again for
// each component and the site (53 now).
func TestMonthAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	var ins []*incident.Incident
	for i := range 30 {
		from := at(la, time.October, 1+i%28, 1+i%20)
		for j, id := range []string{"api", "web"} {
			in := outage(fmt.Sprintf("o%d-%d", i, j), incident.PartialOutage, from, from.Add(time.Hour))
			in.Affected = []incident.Affected{{ID: id, Status: incident.PartialOutage}, {ID: "db", Status: incident.DegradedPerformance}, {ID: id, Status: incident.MajorOutage}}
			ins = append(ins, in)
		}
		m := maintenance(fmt.Sprintf("m%d", i), from.Add(2*time.Hour), from.Add(3*time.Hour))
		m.Affected = append(m.Affected, incident.Affected{ID: "db", Status: incident.UnderMaintenance})
		ins = append(ins, m)
	}
	in := Input{
		Components: []Component{{ID: "api", Name: "API"}, {ID: "web", Name: "Web"}, {ID: "db", Name: "DB"}},
		Incidents:  ins, PartialWeight: 0.3, MinCoverage: 0.5, Loc: la, Now: at(la, time.November, 2, 0),
	}
	got := testing.AllocsPerRun(20, func() { month(in, la, at(la, time.October, 1, 0), ins, nil) })
	if got > 53 {
		t.Errorf("got %v allocations a month, want at most 53", got)
	}
}
