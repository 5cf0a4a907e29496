package chart

import (
	"bytes"
	"compress/gzip"
	"flag"
	"html/template"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones these tests name, on machines without a tz database

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var now = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

// en is herald's English, in which the goldens are written.
var en = i18n.For("en")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(tb testing.TB, name string, got template.HTML) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got)+"\n" != string(want) {
		tb.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// sampleDays is a fortnight in Los Angeles with one of each kind of day.
func sampleDays(tb testing.TB) []uptime.Day {
	tb.Helper()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, la)
	day := func(i int, h float64) time.Time {
		y, m, d := now.Date()
		return time.Date(y, m, d-i, 0, 0, 0, 0, la).Add(time.Duration(h * float64(time.Hour)))
	}
	in := uptime.Input{
		Component: "api", PartialWeight: 0.3, Loc: la, Now: now,
		Intervals: []history.Interval{
			// No data before 13 days ago, then up with a failure 9 days ago.
			{Start: day(12, 0), End: day(9, 10), State: history.Up},
			{Start: day(9, 10), End: day(9, 10.5), State: history.Down},
			{Start: day(9, 10.5), End: day(6, 0), State: history.Up},
			// A silent probe for a day, then a long failure.
			{Start: day(5, 0), End: day(3, 2), State: history.Up},
			{Start: day(3, 2), End: day(3, 8), State: history.Down},
			{Start: day(3, 8), End: now, State: history.Up},
		},
		Incidents: []*incident.Incident{
			{Slug: "slow-search", Title: "Slow search", Kind: incident.KindIncident, Started: day(8, 9), Resolved: day(8, 12),
				Affected: []incident.Affected{{ID: "api", Status: incident.DegradedPerformance}}},
			{Slug: "errors", Title: `Errors <script>alert("x")</script> & more`, Kind: incident.KindIncident, Started: day(7, 9), Resolved: day(7, 12),
				Affected: []incident.Affected{{ID: "api", Status: incident.PartialOutage}}},
			{Slug: "db-upgrade", Title: "Database upgrade", Kind: incident.KindMaintenance, ScheduledStart: day(4, 1), ScheduledEnd: day(4, 3),
				Affected: []incident.Affected{{ID: "api", Status: incident.UnderMaintenance}}},
			{Slug: "outage", Title: "API down", Kind: incident.KindIncident, Started: day(3, 2), Resolved: day(3, 9),
				Affected: []incident.Affected{{ID: "api", Status: incident.MajorOutage}}},
		},
	}
	return uptime.Days(in, 14)
}

func link(d uptime.Day) string {
	if len(d.Incidents) == 0 {
		return ""
	}
	return "../incidents/" + d.Incidents[0].Slug + "/"
}

func TestBarsGolden(t *testing.T) {
	golden(t, "bars.html", Bars(en, sampleDays(t), link, nil, Name("API")))
}

func TestBarsEscapes(t *testing.T) {
	out := string(Bars(en, sampleDays(t), link, nil))
	if strings.Contains(out, "<script>") || strings.Contains(out, `"x"`) {
		t.Errorf("incident title not escaped:\n%s", out)
	}
	if !strings.Contains(out, "Errors &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more") {
		t.Errorf("escaped title missing:\n%s", out)
	}
	evil := Bars(en, sampleDays(t)[:1], func(uptime.Day) string { return " JavaScript:alert(1)" }, nil)
	if strings.Contains(string(evil), "<a") {
		t.Errorf("javascript: link kept:\n%s", evil)
	}
}

func TestDeterministic(t *testing.T) {
	days := sampleDays(t)
	hours := sampleHours()
	for i := range 20 {
		if a, b := Bars(en, days, link, nil), Bars(en, sampleDays(t), link, nil); a != b {
			t.Fatalf("run %d: Bars differ", i)
		}
		if a, b := Latency(en, DailyLatency(hours, time.UTC, now, 30)), Latency(en, DailyLatency(sampleHours(), time.UTC, now, 30)); a != b {
			t.Fatalf("run %d: Latency differs", i)
		}
	}
}

func TestClass(t *testing.T) {
	tests := []struct {
		name string
		day  uptime.Day
		want string
	}{
		{"nothing known", uptime.Day{Worst: incident.Operational}, ClassNone},
		{"all up", uptime.Day{Summary: uptime.Summary{HasValue: true, Uptime: 1}, Worst: incident.Operational}, ClassOK},
		{"a little down", uptime.Day{Summary: uptime.Summary{HasValue: true, Uptime: 0.9999, Down: time.Second}, Worst: incident.Operational}, ClassMinor},
		{"98% up", uptime.Day{Summary: uptime.Summary{HasValue: true, Uptime: 0.98, Down: time.Hour}, Worst: incident.Operational}, ClassMajor},
		{"90% up", uptime.Day{Summary: uptime.Summary{HasValue: true, Uptime: 0.9, Down: time.Hour}, Worst: incident.Operational}, ClassCrit},
		{"degraded, no downtime", uptime.Day{Summary: uptime.Summary{HasValue: true, Uptime: 1}, Worst: incident.DegradedPerformance}, ClassMinor},
		{"probed degraded, no downtime", uptime.Day{Summary: uptime.Summary{HasValue: true, Uptime: 1}, Worst: incident.Operational, Degraded: time.Minute}, ClassMinor},
		{"partial declared", uptime.Day{Summary: uptime.Summary{HasValue: true, Uptime: 0.999}, Worst: incident.PartialOutage}, ClassMajor},
		{"major declared", uptime.Day{Summary: uptime.Summary{HasValue: true, Uptime: 0.999}, Worst: incident.MajorOutage}, ClassCrit},
		{"maintenance only", uptime.Day{Summary: uptime.Summary{Excluded: time.Hour}, Worst: incident.UnderMaintenance}, ClassMaint},
		{"maintenance and up", uptime.Day{Summary: uptime.Summary{HasValue: true, Uptime: 1, Excluded: time.Hour}, Worst: incident.UnderMaintenance}, ClassMaint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Class(tt.day); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDayLabel(t *testing.T) {
	days := sampleDays(t)
	tests := []struct {
		i    int
		want string
	}{
		{0, "Nov 15, 2026: no data"},
		{4, "Nov 19, 2026: 97.91% uptime, 30 min down"},
		{6, "Nov 21, 2026: 96.25% uptime, 54 min down. Incidents: " + `Errors <script>alert("x")</script> & more`},
		{7, "Nov 22, 2026: no data"},
		{13, "Nov 28, 2026 (today so far): 100% uptime"},
	}
	for _, tt := range tests {
		if got := DayLabel(en, days[tt.i]); got != tt.want {
			t.Errorf("day %d: got %q, want %q", tt.i, got, tt.want)
		}
	}
	for _, tt := range []struct {
		name string
		day  uptime.Day
		want string
	}{
		{"probed degraded", uptime.Day{Date: days[0].Date, Summary: uptime.Summary{HasValue: true, Uptime: 1, Known: time.Hour}, Degraded: 20 * time.Minute},
			"Nov 15, 2026: 100% uptime, 20 min degraded"},
		{"probed degraded, too little observed", uptime.Day{Date: days[0].Date, Summary: uptime.Summary{HasValue: true, Uptime: 1, Known: 10 * time.Minute, NoData: 23 * time.Hour, Sparse: true}, Degraded: 5 * time.Minute},
			"Nov 15, 2026: no data for 23 h, 5 min degraded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := DayLabel(en, tt.day); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// sampleHours is 30 days of hourly histograms, slower in the evenings,
// with a gap of two days.
func sampleHours() []history.LatencyHour {
	var hours []history.LatencyHour
	start := now.Truncate(time.Hour).Add(-30 * 24 * time.Hour)
	for h := start; !h.After(now); h = h.Add(time.Hour) {
		if d := now.Sub(h); d > 10*24*time.Hour && d < 12*24*time.Hour {
			continue
		}
		c := make([]uint64, len(history.LatencyBuckets)+1)
		slow := uint64(h.Hour()%24) / 4
		c[4] = 40
		c[5] = 30 + 5*slow
		c[7] = 10 + 3*slow
		c[9] = 2 + slow*uint64(h.Day()%3)
		hours = append(hours, history.LatencyHour{Hour: h, Counts: c})
	}
	return hours
}

func TestLatencyGolden(t *testing.T) {
	hours := sampleHours()
	golden(t, "latency-daily.html", Latency(en, DailyLatency(hours, time.UTC, now, 30), Name("API")))
	golden(t, "latency-hourly.html", Latency(en, HourlyLatency(hours, time.UTC, now)))
	golden(t, "latency-empty.html", Latency(en, DailyLatency(nil, time.UTC, now, 90)))
}

func TestLatencySeries(t *testing.T) {
	hours := []history.LatencyHour{
		// 100 results at most 5 ms, one day ago; 100 between 100 and 150 ms today.
		{Hour: now.Add(-25 * time.Hour), Counts: []uint64{100}},
		{Hour: now.Add(-time.Hour), Counts: []uint64{0, 0, 0, 0, 0, 0, 100}},
		{Hour: now.Add(time.Hour), Counts: []uint64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100}}, // future: ignored
	}
	s := DailyLatency(hours, time.UTC, now, 3)
	if len(s.Points) != 3 || s.Points[0].OK || !s.Points[1].OK || !s.Points[2].OK {
		t.Fatalf("points %+v, want 3 with the last two known", s.Points)
	}
	if s.Points[1].P50 != 2.5 || s.Points[2].P50 != 125 || s.Points[2].P95 != 147.5 {
		t.Errorf("p50 %v, %v, p95 %v, want 2.5, 125, 147.5", s.Points[1].P50, s.Points[2].P50, s.Points[2].P95)
	}
	if got, want := Summary(en, s), "p50 5 ms, p95 145 ms over 3 days"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	h := HourlyLatency(hours, time.UTC, now)
	if len(h.Points) != 24 || !h.Points[22].OK || h.Points[23].OK || !h.Points[23].Time.Equal(now) {
		t.Errorf("hourly points wrong: %+v", h.Points[22:])
	}
}

// TestBarsSize keeps the index page's budget: 100 components × 90 bars
// with labels must stay a small part of the 60 KB gzip target.
func TestBarsSize(t *testing.T) {
	const budget = 20 << 10
	r := rand.New(rand.NewPCG(1, 1))
	var page bytes.Buffer
	for c := range 100 {
		var ivs []history.Interval
		start := now.AddDate(0, 0, -90)
		for t0 := start; t0.Before(now); {
			d := time.Duration(r.IntN(480)) * time.Hour
			ivs = append(ivs, history.Interval{Start: t0, End: t0.Add(d), State: history.Up})
			t0 = t0.Add(d)
			if r.IntN(3) == 0 {
				e := time.Duration(r.IntN(30)+1) * time.Minute
				ivs = append(ivs, history.Interval{Start: t0, End: t0.Add(e), State: history.Down})
				t0 = t0.Add(e)
			}
		}
		var incs []*incident.Incident
		for range 3 {
			s := start.Add(time.Duration(r.IntN(90*24)) * time.Hour)
			incs = append(incs, &incident.Incident{Slug: "i" + strconv.Itoa(r.IntN(1000)), Title: "Elevated errors on the API",
				Kind: incident.KindIncident, Started: s, Resolved: s.Add(time.Hour),
				Affected: []incident.Affected{{ID: "c", Status: incident.PartialOutage}}})
		}
		days := uptime.Days(uptime.Input{Component: "c", Intervals: ivs, Incidents: incs, PartialWeight: 0.3, Loc: time.UTC, Now: now}, 90)
		page.WriteString(string(Bars(en, days, link, nil, Name("Component "+strconv.Itoa(c)))))
	}
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	w.Write(page.Bytes())
	w.Close()
	t.Logf("100 × 90 bars: %d bytes, %d gzipped", page.Len(), z.Len())
	if z.Len() > budget {
		t.Errorf("100 × 90 bars gzip to %d bytes, over the %d budget", z.Len(), budget)
	}
}

// TestSparseDay: a day with less than uptime.min_coverage observed is
// drawn and labelled as no data, however well its few observed hours went.
func TestSparseDay(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	tests := []struct {
		name      string
		intervals []history.Interval
		wantClass string
		wantLabel string
	}{
		{"two hours up", []history.Interval{{Start: day(27, 8), End: day(27, 10), State: history.Up}},
			ClassNone, "Nov 27, 2026: no data for 22 h"},
		{"two hours with a failure", []history.Interval{
			{Start: day(27, 8), End: day(27, 9), State: history.Up},
			{Start: day(27, 9), End: day(27, 10), State: history.Down},
		}, ClassNone, "Nov 27, 2026: no data for 22 h, 1 h down"},
		{"exactly half observed", []history.Interval{{Start: day(27, 0), End: day(27, 12), State: history.Up}},
			ClassOK, "Nov 27, 2026: 100% uptime, 12 h no data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := uptime.Input{Component: "api", Intervals: tt.intervals, Loc: time.UTC, Now: now, Probed: true, MinCoverage: 0.5}
			d := uptime.Days(in, 2)[0]
			if got := Class(d); got != tt.wantClass {
				t.Errorf("class: got %s, want %s", got, tt.wantClass)
			}
			if got := DayLabel(en, d); got != tt.wantLabel {
				t.Errorf("label: got %q, want %q", got, tt.wantLabel)
			}
		})
	}
}

// TestLatencySeriesMatchesPercentile: a series summed step by step is
// history.Percentile of each step's hours, and of all of them, as when
// each step's hours were gathered first: hours out of order, outside the
// span, after now, across a change of daylight saving time, and with more
// counts than buckets.
func TestLatencySeriesMatchesPercentile(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 3, 10, 30, 0, 0, la) // 2 days after the change
	r := rand.New(rand.NewPCG(1, 2))
	var hours []history.LatencyHour
	for h := at.Add(-40 * 24 * time.Hour).Truncate(time.Hour); h.Before(at.Add(3 * time.Hour)); h = h.Add(time.Hour) {
		c := make([]uint64, len(history.LatencyBuckets)+1+r.IntN(2))
		for i := range c {
			if r.IntN(4) == 0 {
				c[i] = uint64(r.IntN(50))
			}
		}
		hours = append(hours, history.LatencyHour{Hour: h.UTC(), Counts: c})
	}
	r.Shuffle(len(hours), func(i, j int) { hours[i], hours[j] = hours[j], hours[i] })
	tests := []struct {
		name string
		s    Series
	}{
		{"daily", DailyLatency(hours, la, at, 30)},
		{"hourly", HourlyLatency(hours, la, at)},
		{"one day", DailyLatency(hours, la, at, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var all []history.LatencyHour
			for i, p := range tt.s.Points {
				end := at.Add(time.Nanosecond)
				if i+1 < len(tt.s.Points) {
					end = tt.s.Points[i+1].Time
				}
				var step []history.LatencyHour
				for _, h := range hours {
					if !h.Hour.Before(p.Time) && h.Hour.Before(end) {
						step = append(step, h)
					}
				}
				all = append(all, step...)
				want := Point{Time: p.Time, P50: history.Percentile(step, 0.50), P95: history.Percentile(step, 0.95)}
				want.OK = !math.IsNaN(want.P50)
				if !samePoint(p, want) {
					t.Errorf("point %d: got %+v, want %+v", i, p, want)
				}
			}
			if p50, p95 := history.Percentile(all, 0.50), history.Percentile(all, 0.95); !sameFloat(tt.s.P50, p50) || !sameFloat(tt.s.P95, p95) {
				t.Errorf("span: got p50 %v, p95 %v, want %v, %v", tt.s.P50, tt.s.P95, p50, p95)
			}
		})
	}
}

func samePoint(a, b Point) bool {
	return a.Time.Equal(b.Time) && a.OK == b.OK && sameFloat(a.P50, b.P50) && sameFloat(a.P95, b.P95)
}

// sameFloat is a == b, with NaN the same as NaN.
func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
