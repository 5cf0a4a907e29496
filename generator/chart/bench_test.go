package chart

import (
	"html/template"
	"runtime"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/i18n"
)

// BenchmarkCalendar draws a report's month, as the large site draws one
// for each component and month, in each script direction: a month of
// nothing, and one with a fortnight of incidents, maintenance and probe
// data.
func BenchmarkCalendar(b *testing.B) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		b.Fatal(err)
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, la)
	blank := uptime.DaysFrom(uptime.Input{Loc: la, Now: month.AddDate(0, 0, 30)}, month, 30)
	mixed := append(sampleDays(b), blank[14:]...)
	for i := range 14 {
		mixed[i].Date = blank[i].Date
	}
	for _, m := range []struct {
		name string
		days []uptime.Day
	}{{"blank", blank}, {"mixed", mixed}} {
		for _, tag := range []string{"en", "de", "ar"} {
			b.Run(m.name+"/"+tag, func(b *testing.B) {
				l := i18n.For(tag)
				b.ReportAllocs()
				for b.Loop() {
					Calendar(l, m.days, link, nil, Name("API"))
				}
			})
		}
	}
}

// BenchmarkBars draws a component's 14 days of bars, with each kind of day.
func BenchmarkBars(b *testing.B) {
	days := sampleDays(b)
	for _, tag := range []string{"en", "de", "ar"} {
		b.Run(tag, func(b *testing.B) {
			l := i18n.For(tag)
			b.ReportAllocs()
			for b.Loop() {
				Bars(l, days, link, nil, Name("API"))
			}
		})
	}
}

// TestDaysCostNoAllocation: a chart allocates for itself, not for each
// day it draws. A page of monthly reports draws thousands of days; a
// string for each day's label, rect and escaped text was most of what a
// large site's build allocated.
func TestDaysCostNoAllocation(t *testing.T) {
	memtest.SkipUnderRace(t)
	if race {
		t.Skip("allocations are not counted under the race detector")
	}
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, la)
	november := uptime.DaysFrom(uptime.Input{Loc: la, Now: month.AddDate(0, 0, 30)}, month, 30)
	fortnight := sampleDays(t)
	tests := []struct {
		name string
		draw func(l *i18n.Locale, days []uptime.Day)
		days []uptime.Day
	}{
		{"calendar", func(l *i18n.Locale, days []uptime.Day) { Calendar(l, days, nil, nil, Name("API")) }, november},
		{"bars", func(l *i18n.Locale, days []uptime.Day) { Bars(l, days, nil, nil, Name("API")) }, fortnight},
	}
	for _, tt := range tests {
		for _, tag := range i18n.Supported() {
			t.Run(tt.name+"/"+tag, func(t *testing.T) {
				l := i18n.For(tag)
				one := testing.AllocsPerRun(20, func() { tt.draw(l, tt.days[len(tt.days)-1:]) })
				all := testing.AllocsPerRun(20, func() { tt.draw(l, tt.days) })
				// A few more for the buffers to grow to the longest label.
				if all > one+4 {
					t.Errorf("got %v allocations for %d days, %v for one; want at most 4 more", all, len(tt.days), one)
				}
			})
		}
	}
}

// TestDrawingsShareNothing: charts drawn at once, in goroutines that
// reuse each other's buffers, are each what it is drawn alone.
func TestDrawingsShareNothing(t *testing.T) {
	long, short := sampleDays(t), sampleDays(t)[:2]
	de := i18n.For("de")
	want := map[string]string{
		"bars":           string(Bars(en, long, link, nil, Name("API"))),
		"short calendar": string(Calendar(de, short, nil, nil)),
		"calendar":       string(Calendar(en, long, link, nil, Name("API"))),
	}
	draw := func(name string) string {
		switch name {
		case "bars":
			return string(Bars(en, long, link, nil, Name("API")))
		case "short calendar":
			return string(Calendar(de, short, nil, nil))
		}
		return string(Calendar(en, long, link, nil, Name("API")))
	}
	got := make(chan [2]string)
	for range 8 {
		go func() {
			for range 50 {
				for name := range want {
					got <- [2]string{name, draw(name)}
				}
			}
		}()
	}
	for range 8 * 50 * len(want) {
		g := <-got
		if g[1] != want[g[0]] {
			t.Fatalf("%s: got\n%s\nwant\n%s", g[0], g[1], want[g[0]])
		}
	}
}

// TestChartBytes: a chart allocates little more than the string it
// returns, rather than a buffer grown to a guess of its size and copied.
func TestChartBytes(t *testing.T) {
	memtest.SkipUnderRace(t)
	if race {
		t.Skip("sync.Pool drops buffers at random under the race detector")
	}
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, la)
	november := uptime.DaysFrom(uptime.Input{Loc: la, Now: month.AddDate(0, 0, 30)}, month, 30)
	fortnight := sampleDays(t)
	tests := []struct {
		name string
		draw func(l *i18n.Locale) template.HTML
	}{
		{"calendar", func(l *i18n.Locale) template.HTML { return Calendar(l, november, link, nil, Name("API")) }},
		{"bars", func(l *i18n.Locale) template.HTML { return Bars(l, fortnight, link, nil, Name("API")) }},
	}
	for _, tt := range tests {
		for _, tag := range []string{"en", "de", "ar"} {
			t.Run(tt.name+"/"+tag, func(t *testing.T) {
				l := i18n.For(tag)
				size := len(tt.draw(l))
				const n = 100
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for range n {
					tt.draw(l)
				}
				runtime.ReadMemStats(&after)
				// The output, rounded up to a size class, and the links.
				want := size + size/2
				if got := int(after.TotalAlloc-before.TotalAlloc) / n; got > want {
					t.Errorf("got %d bytes allocated for a chart of %d, want at most %d", got, size, want)
				}
			})
		}
	}
}

// BenchmarkDailyLatency works out a component page's daily series over
// 90 days of hours, as a timer rebuild does for each monitored component.
func BenchmarkDailyLatency(b *testing.B) {
	hours := ninetyDays()
	b.ReportAllocs()
	for b.Loop() {
		DailyLatency(hours, time.UTC, now, 90)
	}
}

// BenchmarkLatency draws a component page's daily latency chart of 90
// days, as a timer rebuild does for each monitored component.
func BenchmarkLatency(b *testing.B) {
	s := DailyLatency(ninetyDays(), time.UTC, now, 90)
	b.ReportAllocs()
	for b.Loop() {
		Latency(en, s, Name("API"))
	}
}

// ninetyDays is an hourly histogram for each hour of the 90 days to now.
func ninetyDays() []history.LatencyHour {
	var hours []history.LatencyHour
	for h := now.Truncate(time.Hour).Add(-90 * 24 * time.Hour); !h.After(now); h = h.Add(time.Hour) {
		c := make([]uint64, len(history.LatencyBuckets)+1)
		c[h.Hour()%len(c)] = 7
		hours = append(hours, history.LatencyHour{Hour: h, Counts: c})
	}
	return hours
}

// TestLatencyHoursCostNoAllocation: a latency series allocates for its
// steps, not for each hour it reads. A component page's daily chart
// reads 90 days of hours, and gathering each day's hours into a slice of
// its own was most of what a timer rebuild over a probe history spent.
func TestLatencyHoursCostNoAllocation(t *testing.T) {
	memtest.SkipUnderRace(t)
	if race {
		t.Skip("allocations are not counted under the race detector")
	}
	hours := ninetyDays()
	tests := []struct {
		name   string
		series func(hours []history.LatencyHour) Series
	}{
		{"daily", func(hours []history.LatencyHour) Series { return DailyLatency(hours, time.UTC, now, 90) }},
		{"hourly", func(hours []history.LatencyHour) Series { return HourlyLatency(hours, time.UTC, now) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			one := testing.AllocsPerRun(20, func() { tt.series(hours[len(hours)-1:]) })
			all := testing.AllocsPerRun(20, func() { tt.series(hours) })
			if all > one {
				t.Errorf("got %v allocations for %d hours, %v for one; want no more", all, len(hours), one)
			}
		})
	}
}

// TestLatencyChartGrowsOnce: a latency chart allocates the same for 90
// days of points as for 30 (as many labels on its time axis), in every
// language: its lines are written
// into the chart as they are drawn, into a buffer grown once to hold
// them, not as a string for each point.
func TestLatencyChartGrowsOnce(t *testing.T) {
	memtest.SkipUnderRace(t)
	if race {
		t.Skip("allocations are not counted under the race detector")
	}
	hours := ninetyDays()
	for _, tag := range i18n.Supported() {
		t.Run(tag, func(t *testing.T) {
			l := i18n.For(tag)
			draw := func(days int) float64 {
				s := DailyLatency(hours, time.UTC, now, days)
				return testing.AllocsPerRun(20, func() { Latency(l, s, Name("API")) })
			}
			if month, all := draw(30), draw(90); all > month {
				t.Errorf("got %v allocations for 90 days, %v for 30; want no more", all, month)
			}
		})
	}
}
