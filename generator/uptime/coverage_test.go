package uptime

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/i18n"
)

// TestCoverage works each window's coverage out by hand, over [00:00,
// 15:00) of the tests' day, with uptime.min_coverage at 50%.
func TestCoverage(t *testing.T) {
	tests := []struct {
		name      string
		probed    bool
		intervals []history.Interval
		incidents []*incident.Incident
		coverage  float64
		percent   string // as a page shows the figure
		unseen    string // as a page words the time without data
	}{
		{
			name:      "fully observed",
			probed:    true,
			intervals: []history.Interval{up(0, 15)},
			coverage:  1, percent: "100%",
		},
		{
			name:     "no data at all",
			probed:   true,
			coverage: 0, percent: NoData,
		},
		{
			// The probe began reporting at 05:00: 10 h of 15.
			name:      "data starting mid-window",
			probed:    true,
			intervals: []history.Interval{up(5, 15)},
			coverage:  10.0 / 15, percent: "100%", unseen: "5 h no data",
		},
		{
			// Silent 04:00–07:00 (a result covers at most twice the
			// interval; the store leaves the rest out).
			name:      "gap in the middle",
			probed:    true,
			intervals: []history.Interval{up(0, 4), down(7, 8), up(8, 15)},
			coverage:  12.0 / 15, percent: "91.66%", unseen: "3 h no data",
		},
		{
			// Maintenance 02:00–05:00 leaves 12 h to observe; the probe
			// was silent during it, so nothing of those 12 h is missing.
			name:      "maintenance inside the window",
			probed:    true,
			intervals: []history.Interval{up(0, 2), up(5, 15)},
			incidents: []*incident.Incident{maint("m", 2, 5)},
			coverage:  1, percent: "100%",
		},
		{
			// Maintenance 00:00–03:00, data 09:00–15:00: 6 h of the 12 h
			// outside maintenance, which is exactly the threshold.
			name:      "maintenance and a gap, exactly at the threshold",
			probed:    true,
			intervals: []history.Interval{up(9, 15)},
			incidents: []*incident.Incident{maint("m", 0, 3)},
			coverage:  0.5, percent: "100%", unseen: "6 h no data",
		},
		{
			// One second less than half of 15 h.
			name:      "just below the threshold",
			probed:    true,
			intervals: []history.Interval{{Start: at(7.5).Add(time.Second), End: at(15), State: history.Up}},
			coverage:  (7.5*3600 - 1) / (15 * 3600), percent: NoData,
		},
		{
			// A declared outage counts as known where the probe was
			// silent, as it does in the uptime itself.
			name:      "declared outage fills a gap",
			probed:    true,
			intervals: []history.Interval{up(0, 6), up(8, 15)},
			incidents: []*incident.Incident{inc("a", incident.MajorOutage, 6, 7)},
			coverage:  14.0 / 15, percent: "92.85%", unseen: "1 h no data",
		},
		{
			// Without a probe only declared time is known, so coverage
			// is low, but min_coverage does not apply.
			name:      "no probe, declared outage",
			incidents: []*incident.Incident{inc("a", incident.MajorOutage, 1, 2)},
			coverage:  1.0 / 15, percent: "0.00%", unseen: "14 h no data",
		},
		{
			name:      "all maintenance",
			probed:    true,
			incidents: []*incident.Incident{maint("m", -1, 16)},
			coverage:  0, percent: NoData,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Component: "api", Intervals: tt.intervals, Incidents: tt.incidents,
				PartialWeight: 0.3, Loc: time.UTC, Now: now, Probed: tt.probed, MinCoverage: 0.5}
			got := Window(in, day0, now)
			if math.Abs(got.Coverage-tt.coverage) > 1e-12 {
				t.Errorf("got coverage %v, want %v", got.Coverage, tt.coverage)
			}
			if p := got.Percent(); p != tt.percent {
				t.Errorf("got percent %q, want %q", p, tt.percent)
			}
			if u := got.Unobserved(); u != tt.unseen {
				t.Errorf("got unobserved %q, want %q", u, tt.unseen)
			}
		})
	}
}

// TestStaleProbe is the bug of issue #16: built seven days after the last
// result, the 30-day figure said "100%" as if the data were complete.
func TestStaleProbe(t *testing.T) {
	last := now.AddDate(0, 0, -7)
	in := Input{Component: "api", Intervals: []history.Interval{{Start: now.AddDate(0, 0, -100), End: last, State: history.Up}},
		Loc: time.UTC, Now: now, Probed: true, MinCoverage: 0.5}
	got := LastDays(in, 30)
	window := got.To.Sub(got.From)
	if want := float64(window-7*24*time.Hour) / float64(window); math.Abs(got.Coverage-want) > 1e-12 {
		t.Errorf("got coverage %v, want %v", got.Coverage, want)
	}
	if p, u := got.Percent(), got.Unobserved(); p != "100%" || u != "7 d no data" {
		t.Errorf("got %q · %q, want 100%% · 7 d no data", p, u)
	}
}

func TestRoughly(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Second, "<1 min"},
		{90 * time.Second, "2 min"},
		{59 * time.Minute, "59 min"},
		{hours(1.4), "1 h"},
		{hours(23.4), "23 h"},
		{7*24*time.Hour - 2*time.Minute, "7 d"},
		{hours(36), "2 d"},
	}
	for _, tt := range tests {
		if got := roughly(i18n.For(i18n.Default), tt.d); got != tt.want {
			t.Errorf("roughly(%v): got %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestCoverageBounds checks, over random histories, that coverage never
// exceeds 100% nor falls below 0, that it is known time over the time
// outside maintenance, and that a sparse figure is never shown.
func TestCoverageBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 2000 {
		in := randomInput(r)
		in.Probed = r.IntN(2) == 0
		in.MinCoverage = r.Float64()
		sums := []Summary{LastDays(in, 4), Window(in, at(r.Float64()*48-48), in.Now)}
		for _, d := range Days(in, 4) {
			sums = append(sums, d.Summary)
		}
		for i, s := range sums {
			if s.Coverage < 0 || s.Coverage > 1 || math.IsNaN(s.Coverage) {
				t.Fatalf("iter %d summary %d: got coverage %v, want within [0, 1]", iter, i, s.Coverage)
			}
			if w := s.Known + s.NoData; w > 0 && math.Abs(s.Coverage-float64(s.Known)/float64(w)) > 1e-12 {
				t.Fatalf("iter %d summary %d: got coverage %v, want %v / %v", iter, i, s.Coverage, s.Known, w)
			}
			if s.Shown() && in.Probed && s.Coverage < in.MinCoverage-1e-9 {
				t.Fatalf("iter %d summary %d: got %q shown at coverage %v, below %v", iter, i, s.Percent(), s.Coverage, in.MinCoverage)
			}
		}
	}
}

// TestWordsIn checks the figures in another language: floored as in
// English, never up to 100 %, with the language's number format and words.
func TestWordsIn(t *testing.T) {
	de := i18n.For("de")
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"floored", FormatIn(de, 0.99996, time.Minute), "99,99\u00a0%"},
		{"binary error undone", FormatIn(de, 0.9995, time.Minute), "99,95\u00a0%"},
		{"no downtime", FormatIn(de, 1, 0), "100\u00a0%"},
		{"no value", FormatIn(de, math.NaN(), 0), "keine Daten"},
		{"not shown", Summary{}.PercentIn(de), "keine Daten"},
		{"unobserved", Summary{HasValue: true, Uptime: 1, NoData: 7 * 24 * time.Hour}.UnobservedIn(de), "7 Tg. ohne Daten"},
		{"english unchanged", Summary{HasValue: true, Uptime: 0.5, Down: time.Hour, NoData: 30 * time.Second}.Unobserved(), "<1 min no data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
