package api

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata" // the zone these tests name, on machines without a tz database

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
)

// awkward are names and ids that encoding/json or encoding/csv escape or
// quote: quotes, HTML's <, > and &, U+2028 and U+2029, invalid UTF-8,
// control characters, a comma, a leading space.
var awkward = []string{
	"api", `say "hi"`, "<script>&amp;", "line\u2028sep\u2029para", "bad\xffutf8", "tab\there\nnew\x01",
	"a,b", " lead", `\.`, "café 数据 🚦", "", `back\slash`,
}

// varied is a site over three months in Los Angeles (1 November has 25
// hours) with awkward names, SLOs met, missed and not measurable, probe
// data with gaps, degraded and down stretches, ongoing incidents and
// maintenance, at times off the minute, from seed.
func varied(seed uint64, partialWeight float64) report.Input {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	start := time.Date(2026, 9, 20, 0, 0, 0, 0, la)
	at := func(h float64) time.Time { return start.Add(time.Duration(h * float64(time.Hour))) }
	in := report.Input{PartialWeight: partialWeight, MinCoverage: 0.6, Loc: la, Now: time.Date(2026, 11, 28, 15, 3, 7, 0, la),
		Intervals: map[string][]history.Interval{}}
	targets := []float64{0, 0.999, 0.5, 0.99995}
	for i, name := range awkward {
		c := report.Component{ID: awkward[(i+3)%len(awkward)] + strconv.Itoa(i), Name: name, Probed: i%3 != 0, Target: targets[i%len(targets)]}
		in.Components = append(in.Components, c)
		if !c.Probed {
			continue
		}
		for h := r.Float64() * 100; h < 1700; {
			d := r.Float64() * 90
			in.Intervals[c.ID] = append(in.Intervals[c.ID], history.Interval{Start: at(h), End: at(h + d), State: history.State(r.IntN(4))})
			h += d + r.Float64()*float64(i)
		}
	}
	statuses := []incident.Status{incident.MajorOutage, incident.PartialOutage, incident.DegradedPerformance}
	for i := range 25 {
		from := r.Float64() * 1700
		x := &incident.Incident{Slug: "inc-" + strconv.Itoa(i), Title: awkward[r.IntN(len(awkward))], Kind: incident.KindIncident,
			Started: at(from), Resolved: at(from + r.Float64()*60)}
		for range 1 + r.IntN(3) {
			x.Affected = append(x.Affected, incident.Affected{ID: in.Components[r.IntN(len(in.Components))].ID, Status: statuses[r.IntN(len(statuses))]})
		}
		switch r.IntN(6) {
		case 0:
			x.Kind, x.ScheduledStart, x.ScheduledEnd = incident.KindMaintenance, x.Started, x.Resolved
		case 1:
			x.Resolved = time.Time{}
		}
		in.Incidents = append(in.Incidents, x)
	}
	return in
}

// TestReportFilesAsEncoders checks that the CSV and JSON written by hand
// are byte for byte what encoding/csv and encoding/json write
// (reports_ref_test.go), on varied months.
func TestReportFilesAsEncoders(t *testing.T) {
	const base = "https://status.example.com/a&b/"
	for _, tc := range []struct {
		name          string
		seed          uint64
		partialWeight float64
	}{
		{"third", 1, 1.0 / 3},
		{"tiny weight", 2, 1e-7}, // exponent form in JSON
		{"no weight", 3, 0},
		{"whole weight", 4, 1},
		{"other history", 5, 0.3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, m := range report.Months(varied(tc.seed, tc.partialWeight)) {
				var got, want bytes.Buffer
				if err := writeCSV(&got, m, nil); err != nil {
					t.Fatalf("%s: %v", m.Name(), err)
				}
				if err := refCSV(&want, m); err != nil {
					t.Fatalf("%s: %v", m.Name(), err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("%s.csv: got\n%s\nwant\n%s", m.Name(), got.Bytes(), want.Bytes())
				}
				got.Reset()
				want.Reset()
				if err := writeReport(&got, m, base, nil); err != nil {
					t.Fatalf("%s: %v", m.Name(), err)
				}
				if err := json.NewEncoder(&want).Encode(reportDoc(m, base)); err != nil {
					t.Fatalf("%s: %v", m.Name(), err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("%s.json: got\n%s\nwant\n%s", m.Name(), got.Bytes(), want.Bytes())
				}
			}
		})
	}
}

// TestReportJSONNaN: a value JSON cannot write fails the file, as
// encoding/json failed it, instead of writing a broken document.
func TestReportJSONNaN(t *testing.T) {
	for _, m := range report.Months(varied(1, math.NaN())) {
		gotErr := writeReport(io.Discard, m, "", nil)
		wantErr := json.NewEncoder(io.Discard).Encode(reportDoc(m, ""))
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("%s: got %v, want %v", m.Name(), gotErr, wantErr)
		}
	}
}

// TestReportFilesAllocs: beyond computing the days, the files of a month
// allocate a few times a component or incident (more for names JSON
// escapes), not once a row; encoding/json and
// encoding/csv allocated several times a row.
func TestReportFilesAllocs(t *testing.T) {
	memtest.SkipUnderRace(t)
	months := report.Months(varied(1, 0.3))
	m := months[len(months)-2] // a whole month
	days := testing.AllocsPerRun(20, func() {
		for _, f := range m.Components {
			for range f.DaySummaries() {
			}
		}
	})
	for _, tc := range []struct {
		name  string
		write func() error
	}{
		{"csv", func() error { return writeCSV(io.Discard, m, nil) }},
		{"json", func() error { return writeReport(io.Discard, m, "https://status.example.com/", nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := testing.AllocsPerRun(20, func() {
				if err := tc.write(); err != nil {
					t.Fatal(err)
				}
			}) - days
			n := len(m.Components) + len(m.Incidents) + len(m.Maintenance)
			if limit := 8 * float64(n+1); got > limit {
				t.Errorf("got %.0f allocations beyond the days' for %d components and incidents and %d days, want at most %.0f", got, n, len(m.Site.Days), limit)
			}
		})
	}
}

// TestAppendMinutes holds appendMinutes, which writes a number of
// hundredths of a minute with integers, to strconv's formatting of that
// number as a float64, with two decimals (the CSV) and in the shortest
// form (the JSON, through jsonBuf.float).
func TestAppendMinutes(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
	}{
		{"zero", 0},
		{"under half a hundredth", 299 * time.Millisecond},
		{"half a hundredth rounds up", 300 * time.Millisecond},
		{"a hundredth", 600 * time.Millisecond},
		{"a tenth", 6 * time.Second},
		{"a minute", time.Minute},
		{"a day", 24 * time.Hour},
		{"a month of 31 days and a bit", 31*24*time.Hour + 7*time.Second},
		{"negative", -90 * time.Second},
		{"a small negative that rounds to zero", -200 * time.Millisecond},
		{"the longest duration", math.MaxInt64},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		d := time.Duration(r.Int64N(int64(400 * 24 * time.Hour)))
		if i%2 == 1 {
			d = d / time.Second * time.Second // whole seconds, as most are
		}
		tests = append(tests, struct {
			name string
			d    time.Duration
		}{"random " + strconv.Itoa(i), d})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := minutesOf(tt.d)
			if got, want := string(appendMinutes(nil, tt.d, false)), strconv.FormatFloat(f, 'f', 2, 64); got != want {
				t.Errorf("CSV: got %s, want %s", got, want)
			}
			var j jsonBuf
			j.float(f)
			if got, want := string(appendMinutes(nil, tt.d, true)), string(j.b); got != want {
				t.Errorf("JSON: got %s, want %s", got, want)
			}
		})
	}
}

// TestRowTailKeepsNoOtherFigures: a row or day whose figures differ from
// the last, or the one before, in any one thing that either file writes
// is written afresh, not as that one's text. Each case's row differs in
// one such thing from base, written before it, directly or with another
// row between; it must be what a writer that keeps nothing writes.
func TestRowTailKeepsNoOtherFigures(t *testing.T) {
	from := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	base := uptime.Summary{
		From: from, To: from.Add(24 * time.Hour),
		Known: 20 * time.Hour, Measured: 20 * time.Hour, Down: 30 * time.Minute, Partial: 10 * time.Minute,
		Excluded: time.Hour, NoData: 3 * time.Hour, Uptime: 0.975, HasValue: true, Coverage: 20.0 / 23,
	}
	tests := []struct {
		name   string
		change func(*uptime.Summary)
	}{
		{"the same figures", func(*uptime.Summary) {}},
		{"another day", func(s *uptime.Summary) { s.From, s.To = s.From.AddDate(0, 0, 1), s.To.AddDate(0, 0, 1) }},
		{"known", func(s *uptime.Summary) { s.Known += time.Second }},
		{"down", func(s *uptime.Summary) { s.Down += time.Second }},
		{"partial", func(s *uptime.Summary) { s.Partial += time.Second }},
		{"excluded", func(s *uptime.Summary) { s.Excluded += time.Second }},
		{"no data", func(s *uptime.Summary) { s.NoData += time.Second }},
		{"uptime", func(s *uptime.Summary) { s.Uptime = 0.5 }},
		{"no uptime", func(s *uptime.Summary) { s.Uptime, s.HasValue = math.NaN(), false }},
		{"coverage", func(s *uptime.Summary) { s.Coverage = 0.5 }},
		{"sparse", func(s *uptime.Summary) { s.Sparse = true }},
	}
	other := base
	other.Known, other.NoData, other.Uptime, other.HasValue = 0, 23*time.Hour, math.NaN(), false
	for _, tt := range tests {
		for _, between := range [][]uptime.Summary{nil, {other}, {other, other}} {
			t.Run(tt.name+"/"+strconv.Itoa(len(between))+" between", func(t *testing.T) {
				next := base
				tt.change(&next)
				var tail rowTail
				var j jsonBuf
				for i, d := range append([]uptime.Summary{base}, between...) {
					csvRow(nil, &tail, "2026-11-03", "api", keyOf(d))
					j.day(i, "2026-11-03", keyOf(d))
				}
				if got, want := string(csvRow(nil, &tail, "2026-11-04", "api", keyOf(next))), string(csvRow(nil, new(rowTail), "2026-11-04", "api", keyOf(next))); got != want {
					t.Errorf("CSV: got %q, want %q", got, want)
				}
				j.b = j.b[:0]
				j.day(1, "2026-11-04", keyOf(next))
				var fresh jsonBuf
				fresh.day(1, "2026-11-04", keyOf(next))
				if got, want := string(j.b), string(fresh.b); got != want {
					t.Errorf("JSON: got %s, want %s", got, want)
				}
			})
		}
	}
}

// TestAppendPercent holds the percentages the reports write without a
// float, every whole number of hundredths uptime.Floor gives and NaN, to
// strconv's formatting of the float figureOf gives: with two decimals
// (the CSV) and as j.float writes it (the JSON).
func TestAppendPercent(t *testing.T) {
	tests := []struct {
		name string
		p    float64
	}{{"NaN", math.NaN()}}
	for n := range 10001 {
		tests = append(tests, struct {
			name string
			p    float64
		}{strconv.Itoa(n), float64(n)})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.p / 100
			if got, want := string(appendPercent(nil, tt.p)), strconv.FormatFloat(f, 'f', 2, 64); got != want {
				t.Errorf("CSV: got %s, want %s", got, want)
			}
			var got, want jsonBuf
			got.percent(tt.p)
			want.float(f)
			if string(got.b) != string(want.b) || (got.err == nil) != (want.err == nil) {
				t.Errorf("JSON: got %s (%v), want %s (%v)", got.b, got.err, want.b, want.err)
			}
		})
	}
}

// TestDayDates: a month's dates are formatted into one string, not a
// string each (a whole month took 31 allocations), and each is its
// day's.
func TestDayDates(t *testing.T) {
	memtest.SkipUnderRace(t)
	months := report.Months(varied(1, 0.3))
	for _, m := range months {
		t.Run(m.Name(), func(t *testing.T) {
			dates := dayDates(m)
			if len(dates) != len(m.Site.Days) {
				t.Fatalf("got %d dates, want %d", len(dates), len(m.Site.Days))
			}
			for i, d := range m.Site.Days {
				if got, want := dates[i], d.From.Format(time.DateOnly); got != want {
					t.Errorf("day %d: got %s, want %s", i, got, want)
				}
			}
			if got := testing.AllocsPerRun(20, func() { dayDates(m) }); got > 3 {
				t.Errorf("got %.0f allocations for %d dates, want at most 3", got, len(dates))
			}
		})
	}
}
