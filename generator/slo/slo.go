// Package slo turns a component's uptime over a window into the error
// budget its service level objective leaves: how much downtime the target
// allows, how much was spent, and whether the objective was met.
//
// The budget is measured on the same time as the uptime (package uptime):
// maintenance is left out, partial_outage counts with
// history.partial_weight, and time without data neither spends nor earns
// budget. So, over a finished window,
//
//	allowed = (1 − target) × known
//	used    = weighted downtime
//	left    = allowed − used
//
// and left ≥ 0 exactly when the uptime reaches the target. While a window
// is still running (a calendar month), the time still to come counts in
// allowed as if it will be observed: the month's budget is known from its
// first day. Below uptime.min_coverage the objective is not measurable,
// never met. docs/uptime.md describes it for readers.
package slo

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
)

// State is the verdict on an objective over a window.
type State string

const (
	// Met: the uptime reaches the target (so far, in a running window).
	Met State = "met"
	// Missed: the budget is spent beyond what the window allows; in a
	// running window, nothing still to come can win it back.
	Missed State = "missed"
	// NotMeasurable: too little of the window was observed (below
	// uptime.min_coverage) to judge it either way.
	NotMeasurable State = "not_measurable"
)

// Budget is an objective's error budget over one window.
type Budget struct {
	// Target is the objective, a fraction strictly between 0 and 1.
	Target float64
	// Window is the SLO's window as configured: "30d" or "month".
	Window string
	// Start and End bound the whole window; End is after Summary.To while
	// the window is still running.
	Start, End time.Time
	// Summary is the uptime of the window so far, [Start, now).
	Summary uptime.Summary
	// Allowed is the downtime the target allows over the window, Used the
	// weighted downtime so far, and Left = Allowed − Used, negative once
	// the budget is overspent.
	Allowed, Used, Left time.Duration
	// Elapsed is the share of the window gone, 0..1.
	Elapsed float64
	State   State
}

// Evaluate judges target (a fraction) against s, a window's uptime so far,
// for a window that ends at end (s.To for a finished or rolling window).
// A monthly report calls it with the month's summary; Margin then gives
// by how much the month met or missed the target.
func Evaluate(target float64, s uptime.Summary, end time.Time) Budget {
	if end.Before(s.To) {
		end = s.To
	}
	b := Budget{Target: target, Start: s.From, End: end, Summary: s, Elapsed: 1}
	if total := end.Sub(s.From); total > 0 {
		b.Elapsed = float64(s.To.Sub(s.From)) / float64(total)
	}
	b.Allowed = time.Duration(math.Round((1 - target) * float64(s.Known+end.Sub(s.To))))
	b.Used = s.Down
	b.Left = b.Allowed - b.Used
	switch {
	case !s.Shown():
		b.State = NotMeasurable
	case b.Left < 0:
		b.State = Missed
	default:
		b.State = Met
	}
	return b
}

// Compute is the budget of the component of in under obj, at in.Now.
func Compute(in uptime.Input, obj config.SLO) Budget {
	var (
		s   uptime.Summary
		end = in.Now
	)
	if obj.Window == config.Month {
		loc := in.Loc
		if loc == nil {
			loc = time.UTC
		}
		y, m, _ := in.Now.In(loc).Date()
		start := time.Date(y, m, 1, 0, 0, 0, 0, loc)
		s, end = uptime.Window(in, start, in.Now), start.AddDate(0, 1, 0)
	} else {
		// The same calendar days as the page's figure of that many days,
		// so that the two never disagree.
		s = uptime.LastDays(in, obj.Days)
	}
	b := Evaluate(obj.Target, s, end)
	b.Window = obj.Window
	return b
}

// TargetPercent is the target as a percentage, as written: 99.9, not the
// 99.89999… that 0.999 × 100 gives.
func (b Budget) TargetPercent() float64 { return math.Round(b.Target*1e5) / 1e3 }

// Margin is the uptime minus the target, in percentage points (negative
// when missed), or NaN when the objective is not measurable.
func (b Budget) Margin() float64 {
	if b.State == NotMeasurable {
		return math.NaN()
	}
	return (b.Summary.Uptime - b.Target) * 100
}

// Burned is the share of the allowed budget used, 0 when none is allowed
// and none used; above 1 once overspent.
func (b Budget) Burned() float64 {
	if b.Allowed <= 0 {
		if b.Used > 0 {
			return math.Inf(1)
		}
		return 0
	}
	return float64(b.Used) / float64(b.Allowed)
}

// Running reports whether the window has time still to come.
func (b Budget) Running() bool { return b.Elapsed < 1 }

// Words is a budget in words, for the component page and the badge.
type Words struct {
	Target  string // "99.9%"
	Window  string // "over the last 30 days", "this month"
	State   string // "met", "on track", "missed", "not measurable"
	Allowed string // "43.2 min"
	Used    string // "12.4 min"
	Left    string // "30.8 min", "over by 5.1 min"
	Burn    string // "29% of the budget used, 40% of the window gone"
}

// Words says the budget in words, in English: every phrase about an SLO
// that herald prints is made here, by WordsIn.
func (b Budget) Words() Words { return b.WordsIn(i18n.For(i18n.Default)) }

// WordsIn says the budget in words of l's language. Minutes have one
// decimal, and the minutes left are the minutes allowed less the minutes
// used as printed, so the three add up on the page. The share of the
// budget used is rounded up and the share of the window gone down:
// neither flatters the objective.
func (b Budget) WordsIn(l *i18n.Locale) Words {
	target := strconv.FormatFloat(b.TargetPercent(), 'f', -1, 64)
	decimals := 0
	if _, frac, ok := strings.Cut(target, "."); ok {
		decimals = len(frac)
	}
	w := Words{Target: l.Percent(b.TargetPercent()/100, decimals), Window: l.T("slo.this_month")}
	if b.Window != config.Month {
		if n, err := strconv.Atoi(strings.TrimSuffix(b.Window, "d")); err == nil {
			w.Window = l.N("slo.over_the_last_days", n)
		}
	}
	minutes := func(tenths int64) string { return l.T("duration.minutes", "n", l.Number(float64(tenths)/10, 1)) }
	tenths := func(d time.Duration) int64 { return int64(math.Round(d.Minutes() * 10)) }
	allowed, used := tenths(b.Allowed), tenths(b.Used)
	w.Allowed, w.Used = minutes(allowed), minutes(used)
	switch left := allowed - used; {
	case left < 0:
		w.Left = l.T("slo.over_by", "minutes", minutes(-left))
	case b.Left < 0: // overspent by less than the tenth printed
		w.Left = l.T("slo.over_by", "minutes", "<"+minutes(1))
	default:
		w.Left = minutes(left)
	}
	switch b.State {
	case NotMeasurable:
		w.State = l.T("slo.not_measurable")
		w.Left = w.State
	case Missed:
		w.State = l.T("slo.missed")
	default:
		w.State = l.T("slo.met")
		if b.Running() {
			w.State = l.T("slo.on_track")
		}
	}
	if r := b.Burned(); math.IsInf(r, 1) {
		w.Burn = l.T("slo.budget_all_used")
	} else {
		w.Burn = l.T("slo.budget_used", "percent", l.Percent(max(math.Ceil(r*100-1e-9), 0)/100, 0))
	}
	if b.Running() {
		w.Burn = l.List([]string{w.Burn, l.T("slo.window_gone", "percent", l.Percent(math.Floor(b.Elapsed*100+1e-9)/100, 0))})
	}
	return w
}
