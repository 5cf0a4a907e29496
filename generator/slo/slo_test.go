package slo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/i18n"
)

// now is a Friday afternoon, 12 days and 15 hours into November.
var now = time.Date(2026, 11, 13, 15, 0, 0, 0, time.UTC)

// day is midnight n days before now's day, plus h hours.
func day(n int, h float64) time.Time {
	return time.Date(2026, 11, 13-n, 0, 0, 0, 0, time.UTC).Add(time.Duration(h * float64(time.Hour)))
}

func up(from, to time.Time) history.Interval {
	return history.Interval{Start: from, End: to, State: history.Up}
}
func down(from, to time.Time) history.Interval {
	return history.Interval{Start: from, End: to, State: history.Down}
}

// outage declares status on api over [from, to).
func outage(kind incident.Kind, status incident.Status, from, to time.Time) *incident.Incident {
	in := &incident.Incident{Slug: "i", Title: "I", Kind: kind, Affected: []incident.Affected{{ID: "api", Status: status}}}
	if kind == incident.KindMaintenance {
		in.ScheduledStart, in.ScheduledEnd = from, to
	} else {
		in.Started, in.Resolved = from, to
	}
	return in
}

// TestCompute checks budgets worked out by hand.
func TestCompute(t *testing.T) {
	rolling := config.SLO{Target: 0.999, Window: "30d", Days: 30}
	month := config.SLO{Target: 0.999, Window: config.Month}
	start := day(29, 0) // the rolling window's start: 30 calendar days, today included
	tests := []struct {
		name      string
		obj       config.SLO
		intervals []history.Interval
		incidents []*incident.Incident
		want      Words
		state     State
	}{
		{
			// 0.1% of 29 days and 15 hours is 42.66 min.
			name: "within budget", obj: rolling,
			intervals: []history.Interval{up(start, day(2, 10)), down(day(2, 10), day(2, 10).Add(20*time.Minute)), up(day(2, 10).Add(20*time.Minute), now)},
			state:     Met,
			want:      Words{Target: "99.9%", Window: "over the last 30 days", State: "met", Allowed: "42.7 min", Used: "20.0 min", Left: "22.7 min", Burn: "47% of the budget used"},
		},
		{
			name: "overspent", obj: rolling,
			intervals: []history.Interval{up(start, day(2, 10)), down(day(2, 10), day(2, 11)), up(day(2, 11), now)},
			state:     Missed,
			want:      Words{Target: "99.9%", Window: "over the last 30 days", State: "missed", Allowed: "42.7 min", Used: "60.0 min", Left: "over by 17.3 min", Burn: "141% of the budget used"},
		},
		{
			// 100 min of partial_outage at the default weight is 30 min.
			name: "partial weight", obj: rolling,
			intervals: []history.Interval{up(start, now)},
			incidents: []*incident.Incident{outage(incident.KindIncident, incident.PartialOutage, day(3, 1), day(3, 1).Add(100*time.Minute))},
			state:     Met,
			want:      Words{Target: "99.9%", Window: "over the last 30 days", State: "met", Allowed: "42.7 min", Used: "30.0 min", Left: "12.7 min", Burn: "71% of the budget used"},
		},
		{
			// A day of maintenance leaves 28 days and 15 hours: 41.22 min
			// allowed, and the failure inside it costs nothing.
			name: "maintenance excluded", obj: rolling,
			intervals: []history.Interval{up(start, day(5, 0)), down(day(5, 0), day(5, 2)), up(day(5, 2), now)},
			incidents: []*incident.Incident{outage(incident.KindMaintenance, incident.UnderMaintenance, day(5, 0), day(4, 0))},
			state:     Met,
			want:      Words{Target: "99.9%", Window: "over the last 30 days", State: "met", Allowed: "41.2 min", Used: "0.0 min", Left: "41.2 min", Burn: "0% of the budget used"},
		},
		{
			// November has 30 days: 43.2 min for the month, of which
			// 12 d 15 h (42%) are gone.
			name: "month to date", obj: month,
			intervals: []history.Interval{up(day(12, 0), day(1, 3)), down(day(1, 3), day(1, 3).Add(10*time.Minute)), up(day(1, 3).Add(10*time.Minute), now)},
			state:     Met,
			want:      Words{Target: "99.9%", Window: "this month", State: "on track", Allowed: "43.2 min", Used: "10.0 min", Left: "33.2 min", Burn: "24% of the budget used, 42% of the window gone"},
		},
		{
			name: "month already missed", obj: month,
			intervals: []history.Interval{up(day(12, 0), day(1, 3)), down(day(1, 3), day(1, 4)), up(day(1, 4), now)},
			state:     Missed,
			want:      Words{Target: "99.9%", Window: "this month", State: "missed", Allowed: "43.2 min", Used: "60.0 min", Left: "over by 16.8 min", Burn: "139% of the budget used, 42% of the window gone"},
		},
		{
			// Ten days observed of thirty: below the 50% threshold.
			name: "too little observed", obj: rolling,
			intervals: []history.Interval{up(day(9, 15), now)},
			state:     NotMeasurable,
			want:      Words{Target: "99.9%", Window: "over the last 30 days", State: "not measurable", Allowed: "13.0 min", Used: "0.0 min", Left: "not measurable", Burn: "0% of the budget used"},
		},
		{
			name: "nothing observed", obj: rolling,
			state: NotMeasurable,
			want:  Words{Target: "99.9%", Window: "over the last 30 days", State: "not measurable", Allowed: "0.0 min", Used: "0.0 min", Left: "not measurable", Burn: "0% of the budget used"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := uptime.Input{Component: "api", Intervals: tt.intervals, Incidents: tt.incidents, PartialWeight: 0.3, Loc: time.UTC, Now: now, Probed: true, MinCoverage: 0.5}
			b := Compute(in, tt.obj)
			if b.State != tt.state {
				t.Errorf("got state %s, want %s", b.State, tt.state)
			}
			if got := b.Words(); got != tt.want {
				t.Errorf("got  %+v,\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestMonthWindow: a month's window is the calendar month in the site's
// timezone, DST and all.
func TestMonthWindow(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, la) // DST ended on Nov 1
	b := Compute(uptime.Input{Component: "api", Loc: la, Now: now}, config.SLO{Target: 0.99, Window: config.Month})
	if want := time.Date(2026, 11, 1, 0, 0, 0, 0, la); !b.Start.Equal(want) {
		t.Errorf("got start %v, want %v", b.Start, want)
	}
	if want := time.Date(2026, 12, 1, 0, 0, 0, 0, la); !b.End.Equal(want) {
		t.Errorf("got end %v, want %v", b.End, want)
	}
	// 37 hours gone (1 Nov was 25 hours long) of 30 days and one hour.
	if got, want := b.Elapsed, 37.0/(30*24+1); math.Abs(got-want) > 1e-12 {
		t.Errorf("got elapsed %v, want %v", got, want)
	}
}

// TestMargin: what a monthly report says of a month.
func TestMargin(t *testing.T) {
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	tests := []struct {
		name   string
		s      uptime.Summary
		state  State
		margin float64
	}{
		{"met", uptime.Summary{From: from, To: to, Known: to.Sub(from), Down: 0, Uptime: 0.9995, HasValue: true, Coverage: 1}, Met, 0.05},
		{"missed", uptime.Summary{From: from, To: to, Known: to.Sub(from), Down: time.Hour, Uptime: 0.998, HasValue: true, Coverage: 1}, Missed, -0.1},
		{"not measurable", uptime.Summary{From: from, To: to, Known: time.Hour, Uptime: 1, HasValue: true, Coverage: 0.01, Sparse: true}, NotMeasurable, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Evaluate(0.999, tt.s, to)
			if b.State != tt.state {
				t.Errorf("got %s, want %s", b.State, tt.state)
			}
			if got := b.Margin(); math.IsNaN(got) != math.IsNaN(tt.margin) || math.Abs(got-tt.margin) > 1e-9 {
				t.Errorf("got margin %v, want %v", got, tt.margin)
			}
		})
	}
}

// TestOverspentByLittle: a budget overspent by less than the tenth of a
// minute printed never reads as "0.0 min" left beside "missed".
func TestOverspentByLittle(t *testing.T) {
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	known := 1000 * time.Minute // 1 min allowed at 99.9%
	tests := []struct {
		name string
		down time.Duration
		want string
	}{
		{"spent exactly", time.Minute, "0.0 min"},
		{"a second over", time.Minute + time.Second, "over by <0.1 min"},
		{"six seconds over", time.Minute + 6*time.Second, "over by 0.1 min"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := uptime.Summary{From: from, To: from.Add(known), Known: known, Down: tt.down, Uptime: 1 - float64(tt.down)/float64(known), HasValue: true, Coverage: 1}
			if got := Evaluate(0.999, s, s.To).Words().Left; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestProperties checks, over random histories: the budget used plus the
// budget left is the budget allowed, in time and as printed; more
// downtime never leaves more budget; and a window below the coverage
// threshold is never met.
func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var sparse, overspent, less int // cases seen, lest the test prove nothing
	for iter := range 1000 {
		obj := config.SLO{Target: 0.9 + 0.0999*r.Float64(), Window: "7d", Days: 7}
		if r.IntN(2) == 0 {
			obj = config.SLO{Target: obj.Target, Window: config.Month}
		}
		in := randomInput(r)
		b := Compute(in, obj)
		if b.Used+b.Left != b.Allowed {
			t.Fatalf("iter %d: used %v + left %v != allowed %v", iter, b.Used, b.Left, b.Allowed)
		}
		if w := b.Words(); b.State != NotMeasurable && tenthsOf(w.Used)+leftTenths(w.Left) != tenthsOf(w.Allowed) {
			t.Fatalf("iter %d: printed %s used + %s != %s allowed", iter, w.Used, w.Left, w.Allowed)
		}
		if b.Summary.Sparse && b.State == Met {
			t.Fatalf("iter %d: met at coverage %v below %v", iter, b.Summary.Coverage, in.MinCoverage)
		}
		if b.Summary.Sparse && b.Left >= 0 {
			sparse++
		}
		if b.Left < 0 {
			overspent++
		}

		worse := in
		worse.Intervals = append([]history.Interval(nil), in.Intervals...)
		if i := r.IntN(len(worse.Intervals) + 1); i < len(worse.Intervals) {
			worse.Intervals[i].State = history.Down // up or no data becomes down
		} else {
			from := in.Now.Add(-time.Duration(r.Float64() * float64(10*24*time.Hour)))
			worse.Incidents = append(append([]*incident.Incident(nil), in.Incidents...),
				outage(incident.KindIncident, []incident.Status{incident.MajorOutage, incident.PartialOutage}[r.IntN(2)], from, from.Add(time.Duration(r.Float64()*float64(6*time.Hour)))))
		}
		if w := Compute(worse, obj); w.Left > b.Left {
			t.Fatalf("iter %d: budget left rose from %v to %v with more downtime", iter, b.Left, w.Left)
		} else if w.Left < b.Left {
			less++
		}
	}
	if sparse == 0 || overspent == 0 || less == 0 {
		t.Errorf("got %d sparse windows with budget left, %d overspent, %d with less left after more downtime: want some of each", sparse, overspent, less)
	}
}

// randomInput is a random probed history of the last twelve days, with
// gaps, outages and maintenance.
func randomInput(r *rand.Rand) uptime.Input {
	now := day(0, r.Float64()*24)
	in := uptime.Input{Component: "api", PartialWeight: r.Float64(), Loc: time.UTC, Now: now, Probed: true, MinCoverage: r.Float64()}
	// Mostly up, with short failures and long silences.
	for t := day(12, 0); t.Before(now); {
		d, state := time.Duration(r.Float64()*float64(12*time.Hour)), history.Up
		switch n := r.IntN(10); {
		case n == 0:
			d, state = time.Duration(r.Float64()*float64(time.Hour)), history.Down
		case n <= 2:
			state = history.NoData
		}
		if state != history.NoData {
			in.Intervals = append(in.Intervals, history.Interval{Start: t, End: t.Add(d), State: state})
		}
		t = t.Add(d)
	}
	for range r.IntN(4) {
		from := now.Add(-time.Duration(r.Float64() * float64(12*24*time.Hour)))
		to := from.Add(time.Duration(r.Float64() * float64(12*time.Hour)))
		kind, status := incident.KindIncident, []incident.Status{incident.MajorOutage, incident.PartialOutage, incident.DegradedPerformance}[r.IntN(3)]
		if r.IntN(4) == 0 {
			kind, status = incident.KindMaintenance, incident.UnderMaintenance
		}
		in.Incidents = append(in.Incidents, outage(kind, status, from, to))
	}
	return in
}

// tenthsOf reads "12.3 min" as 123, and "1,434.7 min", grouped as
// English groups thousands, as 14347.
func tenthsOf(s string) int64 {
	var whole, tenth int64
	if _, err := fmt.Sscanf(strings.ReplaceAll(s, ",", ""), "%d.%d min", &whole, &tenth); err != nil {
		panic(s)
	}
	return whole*10 + tenth
}

// leftTenths reads "12.3 min" as 123 and "over by 12.3 min" as −123.
func leftTenths(s string) int64 {
	if s == "over by <0.1 min" {
		return 0
	}
	if rest, ok := strings.CutPrefix(s, "over by "); ok {
		return -tenthsOf(rest)
	}
	return tenthsOf(s)
}

// TestWordsIn checks a budget's words in other languages: the same
// figures, in the language's numbers, words and plural forms.
func TestWordsIn(t *testing.T) {
	running := Budget{Target: 0.999, Window: "30d", Allowed: 43*time.Minute + 12*time.Second, Used: 12 * time.Minute, Left: 31 * time.Minute, Elapsed: 0.4, State: Met}
	over := Budget{Target: 0.9995, Window: "month", Allowed: 10 * time.Minute, Used: 15 * time.Minute, Left: -5 * time.Minute, Elapsed: 1, State: Missed}
	tests := []struct {
		name string
		got  Words
		want Words
	}{
		{"de running", running.WordsIn(i18n.For("de")), Words{
			Target: "99,9\u00a0%", Window: "in den letzten 30 Tagen", State: "auf Kurs", Allowed: "43,2 Min.", Used: "12,0 Min.", Left: "31,2 Min.",
			Burn: "28\u00a0% des Budgets verbraucht, 40\u00a0% des Zeitraums vergangen",
		}},
		{"ja over", over.WordsIn(i18n.For("ja")), Words{
			Target: "99.95%", Window: "今月", State: "未達成", Allowed: "10.0分", Used: "15.0分", Left: "5.0分 超過", Burn: "バジェットの 150% を使用",
		}},
		{"en as before", running.Words(), Words{
			Target: "99.9%", Window: "over the last 30 days", State: "on track", Allowed: "43.2 min", Used: "12.0 min", Left: "31.2 min",
			Burn: "28% of the budget used, 40% of the window gone",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %+v, want %+v", tt.got, tt.want)
			}
		})
	}
}
