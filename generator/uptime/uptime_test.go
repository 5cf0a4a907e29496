package uptime

import (
	"cmp"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata" // the zones these tests name, on machines without a tz database
	"unsafe"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/i18n"
)

// The tests' day is 2026-11-28 in UTC, and now is 15:00 that day.
var (
	day0 = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	now  = day0.Add(15 * time.Hour)
)

// at is day0 plus h hours.
func at(h float64) time.Time { return day0.Add(time.Duration(h * float64(time.Hour))) }

func iv(from, to float64, s history.State) history.Interval {
	return history.Interval{Start: at(from), End: at(to), State: s}
}

func up(from, to float64) history.Interval   { return iv(from, to, history.Up) }
func down(from, to float64) history.Interval { return iv(from, to, history.Down) }

// ongoing, as the end hour of inc, makes an incident without resolution.
const ongoing = math.MaxFloat64

// inc is an incident on component "api" from hour from to hour to.
func inc(slug string, st incident.Status, from, to float64) *incident.Incident {
	in := &incident.Incident{Slug: slug, Title: slug, Kind: incident.KindIncident, Started: at(from),
		Affected: []incident.Affected{{ID: "api", Status: st}}}
	if to != ongoing {
		in.Resolved = at(to)
	}
	return in
}

func maint(slug string, from, to float64) *incident.Incident {
	return &incident.Incident{Slug: slug, Title: slug, Kind: incident.KindMaintenance,
		ScheduledStart: at(from), ScheduledEnd: at(to),
		Affected: []incident.Affected{{ID: "api", Status: incident.UnderMaintenance}}}
}

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

func TestWindow(t *testing.T) {
	tests := []struct {
		name      string
		intervals []history.Interval
		incidents []*incident.Incident
		// want, over [00:00, 15:00)
		known, measured, down, excluded, nodata time.Duration
		uptime                                  float64 // NaN: no value
	}{
		{
			name:      "all up",
			intervals: []history.Interval{up(0, 15)},
			known:     hours(15), measured: hours(15), uptime: 1,
		},
		{
			// 06–08 and 13–15 have no result: no data, not up.
			name:      "gaps are no data",
			intervals: []history.Interval{up(0, 6), up(8, 12), down(12, 13)},
			known:     hours(11), measured: hours(11), down: hours(1), nodata: hours(4),
			uptime: 10.0 / 11,
		},
		{
			name:      "NoData intervals are gaps",
			intervals: []history.Interval{up(0, 10), iv(10, 15, history.NoData)},
			known:     hours(10), measured: hours(10), nodata: hours(5), uptime: 1,
		},
		{
			// Probe down 10–12, incident 11–13: down 10–13 = 3 h, not 4.
			name:      "probe failure and incident overlap count once",
			intervals: []history.Interval{up(0, 10), down(10, 12), up(12, 15)},
			incidents: []*incident.Incident{inc("a", incident.MajorOutage, 11, 13)},
			known:     hours(15), measured: hours(15), down: hours(3), uptime: 12.0 / 15,
		},
		{
			name:      "two overlapping incidents count once",
			intervals: []history.Interval{up(0, 15)},
			incidents: []*incident.Incident{inc("a", incident.MajorOutage, 1, 3), inc("b", incident.MajorOutage, 2, 4)},
			known:     hours(15), measured: hours(15), down: hours(3), uptime: 12.0 / 15,
		},
		{
			// Maintenance 01–03 hides half of the 02–04 failure.
			name:      "maintenance is excluded",
			intervals: []history.Interval{up(0, 2), down(2, 4), up(4, 15)},
			incidents: []*incident.Incident{maint("m", 1, 3)},
			known:     hours(13), measured: hours(13), down: hours(1), excluded: hours(2),
			uptime: 12.0 / 13,
		},
		{
			// 2 h × 0.3 = 36 min of 15 h.
			name:      "partial outage is weighted",
			intervals: []history.Interval{up(0, 15)},
			incidents: []*incident.Incident{inc("p", incident.PartialOutage, 10, 12)},
			known:     hours(15), measured: hours(15), down: 36 * time.Minute, uptime: 1 - 0.6/15,
		},
		{
			// 10–11 partial only (0.3 h), 11–12 also probe down (1 h).
			name:      "full down beats partial",
			intervals: []history.Interval{up(0, 11), down(11, 12), up(12, 15)},
			incidents: []*incident.Incident{inc("p", incident.PartialOutage, 10, 12)},
			known:     hours(15), measured: hours(15), down: hours(1.3), uptime: 1 - 1.3/15,
		},
		{
			// Upptime counts slow as down; herald counts it as up.
			name:      "probed degraded time counts as up",
			intervals: []history.Interval{up(0, 5), iv(5, 10, history.Degraded), down(10, 11), up(11, 15)},
			known:     hours(15), measured: hours(15), down: hours(1), uptime: 14.0 / 15,
		},
		{
			name:      "degraded is not down",
			intervals: []history.Interval{up(0, 15)},
			incidents: []*incident.Incident{inc("d", incident.DegradedPerformance, 10, 12)},
			known:     hours(15), measured: hours(15), uptime: 1,
		},
		{
			// The probe was silent 06–08; the incident declares 06–07.
			name:      "declared outage counts in a probe gap",
			intervals: []history.Interval{up(0, 6), up(8, 15)},
			incidents: []*incident.Incident{inc("a", incident.MajorOutage, 6, 7)},
			known:     hours(14), measured: hours(13), down: hours(1), nodata: hours(1),
			uptime: 13.0 / 14,
		},
		{
			name:      "ongoing incident lasts until now",
			intervals: []history.Interval{up(0, 15)},
			incidents: []*incident.Incident{inc("a", incident.MajorOutage, 14, ongoing)},
			known:     hours(15), measured: hours(15), down: hours(1), uptime: 14.0 / 15,
		},
		{
			name:      "future is nothing",
			intervals: []history.Interval{up(0, 20)},
			incidents: []*incident.Incident{inc("a", incident.MajorOutage, 16, 17), maint("m", 18, 19)},
			known:     hours(15), measured: hours(15), uptime: 1,
		},
		{
			name:      "other components' incidents do not count",
			intervals: []history.Interval{up(0, 15)},
			incidents: []*incident.Incident{{Slug: "x", Kind: incident.KindIncident, Started: at(1), Resolved: at(2),
				Affected: []incident.Affected{{ID: "cdn", Status: incident.MajorOutage}}}},
			known: hours(15), measured: hours(15), uptime: 1,
		},
		{
			name:   "no probe and no incident: no value",
			nodata: hours(15), uptime: math.NaN(),
		},
		{
			// Without a probe only declared time is known: 1 h of it,
			// all down.
			name:      "no probe, declared outage",
			incidents: []*incident.Incident{inc("a", incident.MajorOutage, 1, 2)},
			known:     hours(1), down: hours(1), nodata: hours(14), uptime: 0,
		},
		{
			name:      "no probe, declared degraded and partial",
			incidents: []*incident.Incident{inc("d", incident.DegradedPerformance, 1, 3), inc("p", incident.PartialOutage, 2, 4)},
			known:     hours(3), down: hours(0.6), nodata: hours(12), uptime: 1 - 0.6/3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Component: "api", Intervals: tt.intervals, Incidents: tt.incidents,
				PartialWeight: 0.3, Loc: time.UTC, Now: now}
			got := Window(in, day0, day0.Add(24*time.Hour))
			if !got.To.Equal(now) {
				t.Errorf("To = %v, want now %v", got.To, now)
			}
			check := func(what string, got, want time.Duration) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("Known", got.Known, tt.known)
			check("Measured", got.Measured, tt.measured)
			check("Down", got.Down, tt.down)
			check("Excluded", got.Excluded, tt.excluded)
			check("NoData", got.NoData, tt.nodata)
			if math.IsNaN(tt.uptime) {
				if got.HasValue || !math.IsNaN(got.Uptime) {
					t.Errorf("Uptime = %v (HasValue %v), want no value", got.Uptime, got.HasValue)
				}
				if got.Percent() != NoData {
					t.Errorf("Percent = %q, want %q", got.Percent(), NoData)
				}
			} else if !got.HasValue || math.Abs(got.Uptime-tt.uptime) > 1e-12 {
				t.Errorf("Uptime = %v (HasValue %v), want %v", got.Uptime, got.HasValue, tt.uptime)
			}
		})
	}
}

func TestDays(t *testing.T) {
	in := Input{
		Component: "api",
		Intervals: []history.Interval{up(-48, -30), down(-30, -20), up(-20, 15)},
		Incidents: []*incident.Incident{
			inc("deg", incident.DegradedPerformance, -40, -39),
			inc("major", incident.MajorOutage, -25, -22),
			maint("m", -3, -2),
		},
		PartialWeight: 0.3, Loc: time.UTC, Now: now,
	}
	days := Days(in, 3)
	if len(days) != 3 {
		t.Fatalf("got %d days, want 3", len(days))
	}
	tests := []struct {
		date                 time.Time
		known, down, exclude time.Duration
		worst                incident.Status
		incidents            []string
		today                bool
	}{
		// Nov 26: down 18:00–24:00 (probe) and the major incident from 23:00.
		{day0.AddDate(0, 0, -2), hours(24), hours(6), 0, incident.MajorOutage, []string{"deg", "major"}, false},
		// Nov 27: down 00:00–04:00; the major incident ended at 02:00.
		// The maintenance 21:00–22:00 is excluded.
		{day0.AddDate(0, 0, -1), hours(23), hours(4), hours(1), incident.MajorOutage, []string{"major", "m"}, false},
		// Today, up to 15:00.
		{day0, hours(15), 0, 0, incident.Operational, nil, true},
	}
	for i, tt := range tests {
		d := days[i]
		if !d.Date.Equal(tt.date) || d.Known != tt.known || d.Down != tt.down || d.Excluded != tt.exclude ||
			d.Worst != tt.worst || d.Today() != tt.today {
			t.Errorf("day %d: got %v known %v down %v excluded %v worst %v today %v, want %v %v %v %v %v %v",
				i, d.Date, d.Known, d.Down, d.Excluded, d.Worst, d.Today(), tt.date, tt.known, tt.down, tt.exclude, tt.worst, tt.today)
		}
		var slugs []string
		for _, in := range d.Incidents {
			slugs = append(slugs, in.Slug)
		}
		if len(slugs) != len(tt.incidents) || (len(slugs) > 0 && !equal(slugs, tt.incidents)) {
			t.Errorf("day %d: incidents %v, want %v", i, slugs, tt.incidents)
		}
	}
	// Nov 26 also had the degraded hour, but a major outage is worse.
	// The three days together are the 3-day window.
	total := LastDays(in, 3)
	if total.Known != hours(24+23+15) || total.Down != hours(10) {
		t.Errorf("LastDays(3): known %v down %v, want 62h 10h", total.Known, total.Down)
	}
}

// TestDaysDegraded: a day tells how long the probes saw the component
// degraded, clipped to the day, without counting it as down.
func TestDaysDegraded(t *testing.T) {
	in := Input{
		Component: "api",
		Intervals: []history.Interval{up(-48, -26), iv(-26, -22, history.Degraded), up(-22, 10), iv(10, 11, history.Degraded), up(11, 15)},
		Loc:       time.UTC, Now: now,
	}
	days := Days(in, 3)
	tests := []struct {
		name     string
		degraded time.Duration
	}{
		{"Nov 26, 22:00 to midnight", hours(2)},
		{"Nov 27, midnight to 02:00", hours(2)},
		{"today, 10:00 to 11:00", hours(1)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := days[i]
			if d.Degraded != tt.degraded || d.Down != 0 || d.Uptime != 1 {
				t.Errorf("got degraded %v, down %v, uptime %v; want degraded %v, down 0, uptime 1", d.Degraded, d.Down, d.Uptime, tt.degraded)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDaysDST(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		day  time.Time // midnight local of the DST day
		long time.Duration
	}{
		{"spring forward", time.Date(2026, 3, 8, 0, 0, 0, 0, la), 23 * time.Hour},
		{"fall back", time.Date(2026, 11, 1, 0, 0, 0, 0, la), 25 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Up from two days before until now (noon the day after), with
			// a failure from 23:00 the day before until 01:00 local on
			// the DST day: only one of its two hours is on the DST day.
			before := tt.day.AddDate(0, 0, -1)
			after := tt.day.AddDate(0, 0, 1)
			fail := time.Date(2026, before.Month(), before.Day(), 23, 0, 0, 0, la)
			in := Input{
				Component: "api",
				Intervals: []history.Interval{
					{Start: before.AddDate(0, 0, -1), End: fail, State: history.Up},
					{Start: fail, End: fail.Add(2 * time.Hour), State: history.Down},
					{Start: fail.Add(2 * time.Hour), End: after.Add(12 * time.Hour), State: history.Up},
				},
				Loc: la, Now: after.Add(12 * time.Hour),
			}
			days := Days(in, 3)
			want := []struct {
				date        time.Time
				known, down time.Duration
			}{
				{before, 24 * time.Hour, time.Hour},
				{tt.day, tt.long, time.Hour},
				{after, 12 * time.Hour, 0},
			}
			for i, w := range want {
				d := days[i]
				if !d.Date.Equal(w.date) || d.Known != w.known || d.Down != w.down || d.NoData != 0 {
					t.Errorf("day %d: %v known %v down %v nodata %v, want %v known %v down %v",
						i, d.Date, d.Known, d.Down, d.NoData, w.date, w.known, w.down)
				}
			}
			wantUp := 1 - float64(time.Hour)/float64(tt.long)
			if math.Abs(days[1].Uptime-wantUp) > 1e-12 {
				t.Errorf("DST day uptime %v, want %v", days[1].Uptime, wantUp)
			}
		})
	}
}

func TestPeriods(t *testing.T) {
	in := Input{Component: "api", Intervals: []history.Interval{up(-24*100, 15)},
		Incidents: []*incident.Incident{inc("a", incident.MajorOutage, -24*20, -24*20+1)},
		Loc:       time.UTC, Now: now}
	ps := Periods(in)
	want := []struct {
		label string
		known time.Duration
		down  time.Duration
	}{
		{"24 hours", hours(24), 0},
		{"7 days", hours(6*24 + 15), 0},
		{"30 days", hours(29*24 + 15), hours(1)},
		{"90 days", hours(89*24 + 15), hours(1)},
	}
	for i, w := range want {
		if ps[i].Label != w.label || ps[i].Known != w.known || ps[i].Down != w.down {
			t.Errorf("period %d: %q known %v down %v, want %q %v %v", i, ps[i].Label, ps[i].Known, ps[i].Down, w.label, w.known, w.down)
		}
	}
	if got := ps[3].Percent(); got != "99.95%" {
		t.Errorf("90 days = %q, want 99.95%% (1 h of 2151 h, truncated)", got)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		u    float64
		down time.Duration
		want string
	}{
		{1, 0, "100%"},
		{0.9995, time.Minute, "99.95%"},
		{0.99999, time.Second, "99.99%"}, // rounding would print 100.00%
		{1, time.Nanosecond, "99.99%"},   // downtime too small to move u
		{0.99996, time.Second, "99.99%"},
		{0.98765, time.Hour, "98.76%"}, // truncated, not rounded
		{0.5, time.Hour, "50.00%"},
		{0, time.Hour, "0.00%"},
		{math.NaN(), 0, "no data"},
	}
	for _, tt := range tests {
		if got := Format(tt.u, tt.down); got != tt.want {
			t.Errorf("Format(%v, %v) = %q, want %q", tt.u, tt.down, got, tt.want)
		}
	}
}

// TestFormatIn: in English it prints what Format prints, and in other
// locales the same truncated figure in their digits and signs, never
// rounded up to 100 %.
func TestFormatIn(t *testing.T) {
	tests := []struct {
		name   string
		u      float64
		down   time.Duration
		de, ar string
	}{
		{"no downtime", 1, 0, "100\u00a0%", "100\u200e%\u200e"},
		{"exact", 0.9995, time.Minute, "99,95\u00a0%", "99.95\u200e%\u200e"},
		{"just below 100", 0.99999, time.Second, "99,99\u00a0%", "99.99\u200e%\u200e"},
		{"downtime too small to move u", 1, time.Nanosecond, "99,99\u00a0%", "99.99\u200e%\u200e"},
		{"truncated", 0.98765, time.Hour, "98,76\u00a0%", "98.76\u200e%\u200e"},
		{"zero", 0, time.Hour, "0,00\u00a0%", "0.00\u200e%\u200e"},
		{"no value", math.NaN(), 0, "keine Daten", "لا توجد بيانات"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for tag, want := range map[string]string{"en": Format(tt.u, tt.down), "de": tt.de, "ar": tt.ar} {
				if got := FormatIn(i18n.For(tag), tt.u, tt.down); got != want {
					t.Errorf("%s: got %q, want %q", tag, got, want)
				}
			}
		})
	}
}

// TestMonotone checks, over random histories, that uptime stays within
// [0, 1], that every instant is classified once, and that more failure
// never raises uptime.
func TestMonotone(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 2000 {
		in := randomInput(r)
		base := Days(in, 4)
		for _, d := range base {
			if d.HasValue && (d.Uptime < 0 || d.Uptime > 1) {
				t.Fatalf("iter %d: uptime %v out of range", iter, d.Uptime)
			}
			if d.Known+d.Excluded+d.NoData != d.To.Sub(d.From) {
				t.Fatalf("iter %d: known %v + excluded %v + nodata %v != %v", iter, d.Known, d.Excluded, d.NoData, d.To.Sub(d.From))
			}
			if d.Measured > d.Known || d.Down > d.Known {
				t.Fatalf("iter %d: measured %v or down %v > known %v", iter, d.Measured, d.Down, d.Known)
			}
		}

		worse := in
		if r.IntN(2) == 0 && len(in.Intervals) > 0 {
			worse.Intervals = append([]history.Interval(nil), in.Intervals...)
			i := r.IntN(len(worse.Intervals))
			if worse.Intervals[i].State == history.Up {
				worse.Intervals[i].State = history.Down
			}
		} else {
			from := r.Float64()*100 - 75
			worse.Incidents = append(append([]*incident.Incident(nil), in.Incidents...),
				inc("worse", incident.MajorOutage, from, from+r.Float64()*10))
		}
		for i, d := range Days(worse, 4) {
			if b := base[i]; b.HasValue && d.Uptime > b.Uptime+1e-12 {
				t.Fatalf("iter %d day %d: uptime rose from %v to %v with more failure", iter, i, b.Uptime, d.Uptime)
			}
		}
		w, b := LastDays(worse, 4), LastDays(in, 4)
		if b.HasValue && w.Uptime > b.Uptime+1e-12 {
			t.Fatalf("iter %d: window uptime rose from %v to %v", iter, b.Uptime, w.Uptime)
		}
	}
}

// randomInput is a random history of probe intervals (with gaps),
// incidents and maintenance around the tests' day.
func randomInput(r *rand.Rand) Input {
	statuses := []incident.Status{incident.MajorOutage, incident.PartialOutage, incident.DegradedPerformance, incident.Operational}
	in := Input{Component: "api", PartialWeight: r.Float64(), Loc: time.UTC, Now: at(r.Float64() * 24)}
	for h := -72.0; h < 30; {
		d := r.Float64() * 6
		if s := history.State(r.IntN(3)); s != history.NoData || r.IntN(2) == 0 {
			in.Intervals = append(in.Intervals, iv(h, h+d, s))
		}
		h += d
	}
	for range r.IntN(5) {
		from := r.Float64()*100 - 75
		to := from + r.Float64()*10
		if r.IntN(4) == 0 {
			in.Incidents = append(in.Incidents, maint("m", from, to))
			continue
		}
		if r.IntN(5) == 0 {
			to = ongoing
		}
		in.Incidents = append(in.Incidents, inc("i", statuses[r.IntN(len(statuses))], from, to))
	}
	return in
}

// TestDaysFromMemory: reports ask for a month's days of every component
// three times per build (page, CSV, JSON), so DaysFrom allocates little
// beyond the days it returns: not a second slice of their summaries.
func TestDaysFromMemory(t *testing.T) {
	memtest.SkipUnderRace(t)
	first := day0.AddDate(0, 0, -27)
	for _, tc := range []struct {
		name string
		in   Input
	}{
		{"probed", Input{Component: "api", Probed: true, Now: now, Intervals: []history.Interval{up(-27*24, -100), down(-100, -99), up(-99, 15)}}},
		{"declared", Input{Component: "api", Now: now, Incidents: []*incident.Incident{inc("a", incident.MajorOutage, -50, -48), maint("m", -30, -29)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const calls = 100
			var days []Day
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range calls {
				days = DaysFrom(tc.in, first, 28)
			}
			runtime.ReadMemStats(&after)
			got := float64(after.TotalAlloc-before.TotalAlloc) / calls
			daysBytes := float64(len(days)) * float64(unsafe.Sizeof(Day{}))
			if limit := 1.75 * daysBytes; got > limit {
				t.Errorf("got %.0f bytes allocated a call for %d days, want at most %.0f (1.75 × the days' %.0f)", got, len(days), limit, daysBytes)
			}
		})
	}
}

// TestDaysFromSweep checks DaysFrom, which places each span and degraded
// interval on its days by a search of the cuts, against a walk of every
// day over every span and interval, on random histories that cross day
// boundaries and a DST change, with instants, maintenance and ongoing
// incidents.
func TestDaysFromSweep(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	statuses := []incident.Status{incident.MajorOutage, incident.PartialOutage, incident.DegradedPerformance, incident.Operational}
	start := time.Date(2026, 10, 30, 0, 0, 0, 0, la) // 1 November has 25 hours
	for n := range 200 {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			hour := func(h float64) time.Time { return start.Add(time.Duration(h * float64(time.Hour))) }
			in := Input{Component: "api", Loc: la, PartialWeight: 0.5, Now: hour(24 + r.Float64()*150)}
			for h := -30.0; h < 200; {
				d := r.Float64() * 20
				in.Intervals = append(in.Intervals, history.Interval{Start: hour(h), End: hour(h + d), State: history.State(r.IntN(4))})
				h += d
			}
			for i := range r.IntN(12) {
				from := r.Float64()*200 - 30
				to := from + r.Float64()*60
				if r.IntN(5) == 0 {
					to = from // an instant
				}
				x := &incident.Incident{Slug: strconv.Itoa(i % 4), Kind: incident.KindIncident, Started: hour(from), Resolved: hour(to),
					Affected: []incident.Affected{{ID: "api", Status: statuses[r.IntN(len(statuses))]}}}
				switch r.IntN(5) {
				case 0:
					x.Kind, x.ScheduledStart, x.ScheduledEnd = incident.KindMaintenance, hour(from), hour(to)
				case 1:
					x.Resolved = time.Time{}
				}
				in.Incidents = append(in.Incidents, x)
			}
			got, want := DaysFrom(in, start, 7), daysByWalk(in, start, 7)
			if len(got) != len(want) {
				t.Fatalf("got %d days, want %d", len(got), len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if !g.Date.Equal(w.Date) || g.Worst != w.Worst || g.Degraded != w.Degraded || !slices.Equal(g.Incidents, w.Incidents) {
					t.Errorf("day %d: got %v %s %v %d incidents, want %v %s %v %d incidents", i, g.Date, g.Worst, g.Degraded, len(g.Incidents), w.Date, w.Worst, w.Degraded, len(w.Incidents))
				}
			}
		})
	}
}

// spans lists the declared time of incidents touching the component that
// overlaps [from, to], as eachSpan hands them out.
func (in Input) spans(from, to time.Time) []span {
	var out []span
	in.eachSpan(from, to, func(s span) { out = append(out, s) })
	return out
}

// daysByWalk is DaysFrom's worst status, incidents and degraded time of
// each day, found by testing every span and interval against every day.
func daysByWalk(in Input, first time.Time, n int) []Day {
	cuts := DayCuts(in.location(), first, n, in.Now)
	if cuts == nil {
		return nil
	}
	days := make([]Day, len(cuts)-1)
	spans := in.spans(cuts[0], cuts[len(cuts)-1])
	for i := range days {
		day := &days[i]
		day.Date, day.Worst = cuts[i], incident.Operational
		from, to := cuts[i], cuts[i+1]
		for _, s := range spans {
			if s.overlaps(from, to) {
				day.Worst = incident.Worse(day.Worst, s.status)
				if !slices.Contains(day.Incidents, s.in) {
					day.Incidents = append(day.Incidents, s.in)
				}
			}
		}
		slices.SortStableFunc(day.Incidents, func(a, b *incident.Incident) int {
			return cmp.Or(a.Start().Compare(b.Start()), cmp.Compare(a.Slug, b.Slug))
		})
		for _, iv := range in.Intervals {
			if iv.State == history.Degraded {
				if start, end := later(iv.Start, from), earlier(iv.End, to); start.Before(end) {
					day.Degraded += end.Sub(start)
				}
			}
		}
	}
	return days
}

// TestWindowsAreDays: the reports' CSV and JSON take a month's days from
// Windows, the page's calendar from DaysBetween: over the same cuts, each
// window is its day's Summary.
func TestWindowsAreDays(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for n := range 100 {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			in := randomInput(r)
			cuts := DayCuts(time.UTC, day0.AddDate(0, 0, -4), 5, in.Now)
			got, want := slices.Collect(Windows(in, cuts)), DaysBetween(in, cuts)
			if len(got) != len(want) {
				t.Fatalf("got %d windows, want %d", len(got), len(want))
			}
			for i, w := range want {
				g := got[i]
				if g.Uptime != w.Uptime && !(math.IsNaN(g.Uptime) && math.IsNaN(w.Uptime)) {
					t.Errorf("window %d: got uptime %v, want %v", i, g.Uptime, w.Uptime)
				}
				g.Uptime, w.Uptime = 0, 0
				if g != w.Summary {
					t.Errorf("window %d: got %+v, want %+v", i, g, w.Summary)
				}
			}
		})
	}
}

// TestWindowsMemory: a month's windows are yielded, not kept: they cost
// less than a slice of their summaries, and far less than the days.
func TestWindowsMemory(t *testing.T) {
	memtest.SkipUnderRace(t)
	in := Input{Component: "api", Probed: true, Now: now, Intervals: []history.Interval{up(-27*24, -100), down(-100, -99), up(-99, 15)},
		Incidents: []*incident.Incident{inc("a", incident.MajorOutage, -50, -48), maint("m", -30, -29)}}
	cuts := DayCuts(time.UTC, day0.AddDate(0, 0, -27), 28, now)
	allocated := func(f func()) float64 {
		const calls = 100
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range calls {
			f()
		}
		runtime.ReadMemStats(&after)
		return float64(after.TotalAlloc-before.TotalAlloc) / calls
	}
	got := allocated(func() {
		for range Windows(in, cuts) {
		}
	})
	days := allocated(func() { DaysBetween(in, cuts) })
	summaries := float64(len(cuts)-1) * float64(unsafe.Sizeof(Summary{}))
	if limit := min(summaries, days); got > limit {
		t.Errorf("got %.0f bytes allocated a call for %d windows, want at most %.0f (the summaries' %.0f, and under the days' %.0f)", got, len(cuts)-1, limit, summaries, days)
	}
	// Nor their time by class: the sweep's edges alone.
	accs := float64(len(cuts)-1) * float64(unsafe.Sizeof(acc{}))
	if limit := allocated(func() { in.measure(cuts) }) - accs; got > limit {
		t.Errorf("got %.0f bytes allocated a call for %d windows, want at most %.0f (a sweep's less the windows' time by class, %.0f)", got, len(cuts)-1, limit, accs)
	}
}

// TestSweepAllocations: a sweep's edges are read once, so a component's
// windows and the whole site's are swept through a buffer kept for the
// next sweep, with neither fresh edges nor a slice of spans to size them
// (7 allocations for a component's windows before, 11 for the site's).
func TestSweepAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	cuts := DayCuts(time.UTC, day0.AddDate(0, 0, -27), 28, now)
	var incidents []*incident.Incident
	for i := range 12 {
		incidents = append(incidents, inc("i"+strconv.Itoa(i), incident.MajorOutage, float64(-500+40*i), float64(-490+40*i)))
	}
	api := Input{Component: "api", Probed: true, Now: now, Intervals: []history.Interval{up(-27*24, -100), down(-100, -99), up(-99, 15)}, Incidents: incidents}
	web := Input{Component: "web", Now: now, Incidents: []*incident.Incident{inc("a", incident.MajorOutage, -50, -48), maint("m", -30, -29)}}
	for _, tc := range []struct {
		name  string
		sweep func()
		want  float64
	}{
		{"a component's windows", func() {
			for range Windows(api, cuts) {
			}
		}, 0},
		// The components' counts, the windows' time by class and their
		// summaries.
		{"the site's windows", func() { Site([]Input{api, web, {Component: "db", Now: now}}, cuts) }, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tc.sweep); got > tc.want {
				t.Errorf("got %v allocations a sweep, want at most %v", got, tc.want)
			}
		})
	}
}

// TestWindowsOfNothing: most components of most months of a report have
// neither probe data nor incidents; their windows, each its day of no
// data, come without a sweep, which allocated their time by class.
func TestWindowsOfNothing(t *testing.T) {
	memtest.SkipUnderRace(t)
	cuts := DayCuts(time.UTC, day0.AddDate(0, 0, -27), 28, now)
	for _, tc := range []struct {
		name string
		in   Input
	}{
		{"probed", Input{Component: "api", Probed: true, Now: now}},
		{"not probed", Input{Component: "api", Now: now}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := testing.AllocsPerRun(100, func() {
				for range Windows(tc.in, cuts) {
				}
			})
			if got != 0 {
				t.Errorf("got %v allocations a call, want 0", got)
			}
			days := DaysBetween(tc.in, cuts)
			i := 0
			for w := range Windows(tc.in, cuts) {
				if d := days[i].Summary; w.NoData != d.NoData || w.Known != 0 || !math.IsNaN(w.Uptime) {
					t.Errorf("window %d: got %+v, want no data alone, as its day %+v", i, w, d)
				}
				i++
			}
		})
	}
}

// TestAppendDaysBetween: days appended to a slice that held other days,
// with their own incidents, are DaysBetween's, and what the slice held
// before its length is left alone.
func TestAppendDaysBetween(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	cuts := DayCuts(time.UTC, day0.AddDate(0, 0, -4), 5, now)
	var buf []Day
	for n := range 100 {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			in := randomInput(r)
			if n%4 == 0 { // nothing known or declared
				in.Intervals, in.Incidents = nil, nil
			}
			keep := r.IntN(3)
			buf = AppendDaysBetween(buf[:0], randomInput(r), cuts)
			kept := slices.Clone(buf[:keep])
			got, want := AppendDaysBetween(buf[:keep], in, cuts), DaysBetween(in, cuts)
			if len(got) != keep+len(want) {
				t.Fatalf("got %d days, want %d", len(got), keep+len(want))
			}
			for i := range keep {
				if !sameDay(got[i], kept[i]) {
					t.Errorf("day %d before the appended: got %+v, want %+v", i, got[i], kept[i])
				}
			}
			for i, w := range want {
				if g := got[keep+i]; !sameDay(g, w) {
					t.Errorf("day %d: got %+v, want %+v", i, g, w)
				}
			}
			buf = got
		})
	}
}

func sameDay(a, b Day) bool {
	if math.IsNaN(a.Uptime) && math.IsNaN(b.Uptime) {
		a.Uptime, b.Uptime = 0, 0
	}
	return a.Date.Equal(b.Date) && a.Summary == b.Summary && a.Worst == b.Worst && a.Degraded == b.Degraded && slices.Equal(a.Incidents, b.Incidents)
}

// TestAppendDaysBetweenMemory: a report page draws a month's calendar for
// each component into the days of the last: then it allocates neither for
// the days nor their incidents, nor a slice of the spans it places on
// them (243 bytes a call for the probed and declared month before).
func TestAppendDaysBetweenMemory(t *testing.T) {
	memtest.SkipUnderRace(t)
	cuts := DayCuts(time.UTC, day0.AddDate(0, 0, -27), 28, now)
	daysBytes := float64(len(cuts)-1) * float64(unsafe.Sizeof(Day{}))
	for _, tc := range []struct {
		name  string
		in    Input
		limit float64 // bytes a call
	}{
		{"probed and declared", Input{Component: "api", Probed: true, Now: now, Intervals: []history.Interval{up(-27*24, -100), down(-100, -99), up(-99, 15)},
			Incidents: []*incident.Incident{inc("a", incident.MajorOutage, -50, -48), maint("m", -30, -29)}}, 64},
		// Most components of most months: no sweep at all.
		{"nothing", Input{Component: "api", Probed: true, Now: now}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			days := AppendDaysBetween(nil, tc.in, cuts)
			const calls = 100
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range calls {
				days = AppendDaysBetween(days[:0], tc.in, cuts)
			}
			runtime.ReadMemStats(&after)
			got := float64(after.TotalAlloc-before.TotalAlloc) / calls
			if got > tc.limit {
				t.Errorf("got %.0f bytes allocated a call for %d days drawn again, want at most %.0f (the days' %.0f)", got, len(days), tc.limit, daysBytes)
			}
			// Nor a slice of their time by class: the sweep's edges and
			// the spans alone.
			if len(tc.in.Intervals)+len(tc.in.Incidents) == 0 {
				return
			}
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range calls {
				tc.in.measure(cuts)
				tc.in.spans(cuts[0], cuts[len(cuts)-1])
			}
			runtime.ReadMemStats(&after)
			accs := float64(len(cuts)-1) * float64(unsafe.Sizeof(acc{}))
			if limit := float64(after.TotalAlloc-before.TotalAlloc)/calls - accs; got > limit {
				t.Errorf("got %.0f bytes allocated a call for %d days drawn again, want at most %.0f (a sweep's and the spans', less the days' time by class, %.0f)", got, len(days), limit, accs)
			}
		})
	}
}

// TestEdgesHoldNoPointer: a sweep sorts its edges and keeps them in a
// pooled buffer, so an edge holds no pointer, as a time.Time does (its
// *Location): sorting them then moves plain bytes, without the GC's write
// barriers, and the GC never scans the buffers.
func TestEdgesHoldNoPointer(t *testing.T) {
	var pointers func(reflect.Type) []string
	pointers = func(typ reflect.Type) []string {
		switch typ.Kind() {
		case reflect.Struct:
			var out []string
			for i := range typ.NumField() {
				for _, p := range pointers(typ.Field(i).Type) {
					out = append(out, typ.Field(i).Name+"."+p)
				}
			}
			return out
		case reflect.Array:
			return pointers(typ.Elem())
		case reflect.Pointer, reflect.UnsafePointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface, reflect.Func, reflect.Chan:
			return []string{typ.String()}
		}
		return nil
	}
	if got := pointers(reflect.TypeFor[edge]()); len(got) > 0 {
		t.Errorf("got an edge holding %v, want one without pointers", got)
	}
}

// TestSweepFromMonotonicNow: a sweep times its edges from its first cut;
// with a clock reading of the process (time.Now, which carries a
// monotonic reading) as Now, a window ending at Now and one starting from
// it give the same figures as with the same instant without the reading.
func TestSweepFromMonotonicNow(t *testing.T) {
	mono := time.Now()
	wall := mono.Round(0) // the same instant, without the monotonic reading
	for _, tc := range []struct {
		name string
		from func(now time.Time) time.Time
	}{
		{"a rolling day", func(now time.Time) time.Time { return now.Add(-24 * time.Hour) }},
		{"from midnight", func(now time.Time) time.Time { return now.Truncate(24 * time.Hour) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			input := func(now time.Time) Input {
				return Input{Component: "api", Probed: true, Now: now,
					Intervals: []history.Interval{{Start: now.Add(-30 * time.Hour), End: now.Add(-2 * time.Hour), State: history.Up}, {Start: now.Add(-2 * time.Hour), End: now, State: history.Down}},
					Incidents: []*incident.Incident{{Slug: "a", Kind: incident.KindIncident, Started: now.Add(-5 * time.Hour), Affected: []incident.Affected{{ID: "api", Status: incident.PartialOutage}}}}}
			}
			got, want := Window(input(mono), tc.from(mono), mono), Window(input(wall), tc.from(wall), wall)
			got.From, got.To, want.From, want.To = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}
