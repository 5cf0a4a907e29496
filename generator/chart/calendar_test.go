package chart

import (
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
)

// TestCalendar checks where the days of a month fall: a row per week from
// Monday, so that 1 November 2026, a Sunday, is the last cell of the
// first row, and a month to date draws only its days so far.
func TestCalendar(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name              string
		month             time.Time
		days              int
		wantFirst         string // x,y of the first day
		wantLast          string // x,y of the last day
		wantViewBoxHeight string
	}{
		{"a month starting on Sunday", time.Date(2026, 11, 1, 0, 0, 0, 0, la), 30, "96,0", "0,80", "94"},
		{"a month starting on Monday, to date", time.Date(2026, 6, 1, 0, 0, 0, 0, la), 10, "0,0", "32,16", "30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.month.AddDate(0, 0, tt.days).Add(-time.Hour)
			days := uptime.DaysFrom(uptime.Input{Loc: la, Now: now}, tt.month, 31)
			if len(days) != tt.days {
				t.Fatalf("got %d days, want %d", len(days), tt.days)
			}
			svg := string(Calendar(en, days, nil, nil, Name("API")))
			cells := regexp.MustCompile(`<rect x="(\d+)" y="(\d+)"`).FindAllStringSubmatch(svg, -1)
			if len(cells) != tt.days {
				t.Fatalf("got %d cells, want %d", len(cells), tt.days)
			}
			if got := cells[0][1] + "," + cells[0][2]; got != tt.wantFirst {
				t.Errorf("got the first day at %s, want %s", got, tt.wantFirst)
			}
			if got := cells[len(cells)-1][1] + "," + cells[len(cells)-1][2]; got != tt.wantLast {
				t.Errorf("got the last day at %s, want %s", got, tt.wantLast)
			}
			if want := `viewBox="0 0 110 ` + tt.wantViewBoxHeight + `"`; !strings.Contains(svg, want) {
				t.Errorf("got %.120s, want %s", svg, want)
			}
			if got, want := strings.Count(svg, "<title>"), tt.days; got != want {
				t.Errorf("got %d labels, want one per day, %d", got, want)
			}
		})
	}
}

// TestCalendarBlankDaysKept: a calendar whose blank days were kept from
// the last one drawn (blankDays) is the calendar drawn afresh, whatever
// was drawn before it: another month, language or direction, the same
// month to date, or the same days with incidents and probe data. Each
// calendar is compared with the same one drawn with DayLabel passed as
// label, which keeps nothing.
func TestCalendarBlankDaysKept(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	november := time.Date(2026, 11, 1, 0, 0, 0, 0, la)
	blank := func(month time.Time, now time.Time) []uptime.Day {
		return uptime.DaysFrom(uptime.Input{Loc: la, Now: now}, month, 31)
	}
	whole := blank(november, november.AddDate(0, 1, 0))
	toDate := blank(november, november.AddDate(0, 0, 13).Add(9*time.Hour))
	// Two weeks of November with incidents, maintenance and probe data,
	// the rest blank.
	mixed := append(sampleDays(t), whole[14:]...)
	for i := range 14 {
		mixed[i].Date = whole[i].Date
	}
	june := blank(time.Date(2026, 6, 1, 0, 0, 0, 0, la), time.Date(2026, 7, 1, 0, 0, 0, 0, la))
	tests := []struct {
		name string
		days []uptime.Day
	}{
		{"november", whole},
		{"november again", whole},
		{"november to date, its last day today", toDate},
		{"november with incidents", mixed},
		{"november after it", whole},
		{"june", june},
		{"november after june", whole},
		{"november to date after june", toDate},
		{"november, the first day alone", whole[:1]},
		{"november after its first day", whole},
	}
	for _, tag := range []string{"en", "de", "ar", "en"} {
		l := i18n.For(tag)
		fresh := func(d uptime.Day) string { return DayLabel(l, d) }
		for _, tt := range tests {
			t.Run(tag+"/"+tt.name, func(t *testing.T) {
				got := Calendar(l, tt.days, link, nil, Name("API"))
				if want := Calendar(l, tt.days, link, fresh, Name("API")); got != want {
					t.Errorf("got\n%s\nwant\n%s", got, want)
				}
			})
		}
	}
}

// TestWriteCalendar: a calendar written among a page's text is Calendar's,
// and is held once: what is allocated is the page's text, grown once to
// hold it, not also a string of the calendar's own.
func TestWriteCalendar(t *testing.T) {
	memtest.SkipUnderRace(t)
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, la)
	november := append(sampleDays(t), uptime.DaysFrom(uptime.Input{Loc: la, Now: month.AddDate(0, 1, 0)}, month, 30)[14:]...)
	const head, more = "<h2>API</h2>\n", 1024
	for _, tag := range []string{"en", "de", "ar"} {
		t.Run(tag, func(t *testing.T) {
			l := i18n.For(tag)
			write := func() string {
				var b strings.Builder
				b.WriteString(head)
				WriteCalendar(&b, more, l, november, link, nil, Name("API"))
				return b.String()
			}
			got, want := write(), head+string(Calendar(l, november, link, nil, Name("API")))
			if got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
			if race {
				t.Skip("sync.Pool drops buffers at random under the race detector")
			}
			const n = 100
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range n {
				write()
			}
			runtime.ReadMemStats(&after)
			// The page's text with room for more, rounded up to a size
			// class, the head's first buffer and the links.
			limit := (len(want) + more) * 5 / 4
			if got := int(after.TotalAlloc-before.TotalAlloc) / n; got > limit {
				t.Errorf("got %d bytes allocated for a calendar of %d written among text, want at most %d", got, len(want), limit)
			}
		})
	}
}

// TestDaySummariesKept: a day's summary is worded once for a drawing and
// its language, and a day with the same summary, of any date, component
// or chart, takes those words; its label is still DayLabel's.
func TestDaySummariesKept(t *testing.T) {
	fortnight := sampleDays(t)
	// The fortnight again a week later: every summary seen before.
	later := slices.Clone(fortnight)
	for i := range later {
		later[i].Date = later[i].Date.AddDate(0, 0, 7)
		later[i].Incidents = nil
	}
	// More summaries than are kept, each its own, of a shown day: each
	// part its words depend on changed alone.
	shown := fortnight[slices.IndexFunc(fortnight, uptime.Day.Shown)]
	many := make([]uptime.Day, keptSummaries+10)
	for i := range many {
		many[i] = shown
		n := time.Duration(i/4) * time.Minute
		switch i % 4 {
		case 0:
			many[i].NoData += n
		case 1:
			many[i].Down += n
		case 2:
			many[i].Degraded += n
		case 3:
			many[i].Excluded += n
		}
	}
	tests := []struct {
		name      string
		days      []uptime.Day
		wantWords bool // words kept for the summaries not seen before
	}{
		{"a fortnight", fortnight, true},
		{"the fortnight again", fortnight, false},
		{"its summaries a week later, no incidents", later, false},
		{"more summaries than are kept", many, true},
	}
	for _, tag := range []string{"en", "de", "ar", "en"} {
		l := i18n.For(tag)
		dr := new(drawing)
		fresh := func(d uptime.Day) string { return DayLabel(l, d) }
		for _, tt := range tests {
			t.Run(tag+"/"+tt.name, func(t *testing.T) {
				before := len(dr.sums.words)
				dr.out.Reset()
				dr.calendar(l, tt.days, link, nil, nil)
				got := dr.out.String()
				if want := string(Calendar(l, tt.days, link, fresh)); got != want {
					t.Errorf("got\n%s\nwant\n%s", got, want)
				}
				if n := len(dr.sums.at); n > keptSummaries {
					t.Errorf("got %d summaries kept, want at most %d", n, keptSummaries)
				}
				if grew := len(dr.sums.words) != before; grew != tt.wantWords {
					t.Errorf("got words kept %v, want %v", grew, tt.wantWords)
				}
			})
		}
	}
}

// TestCalendarNameAllocations: a calendar's name is appended in place
// through the locale, not filled in by T with boxed values and then
// escaped into a string of its own: a month of blank days drawn again
// into a page's text with room for it took 11 allocations, 3 now (the
// Name option, the options it sets and the function that fills in the
// name's values).
func TestCalendarNameAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	if race {
		t.Skip("sync.Pool drops buffers at random under the race detector")
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	days := uptime.DaysFrom(uptime.Input{Now: month.AddDate(0, 1, 0)}, month, 30)
	for _, tag := range []string{"en", "de", "ar"} {
		t.Run(tag, func(t *testing.T) {
			l := i18n.For(tag)
			var b strings.Builder
			b.Grow(64 << 10)
			got := testing.AllocsPerRun(50, func() {
				WriteCalendar(&b, 0, l, days, nil, nil, Name("API <b>"))
			})
			if got > 3 {
				t.Errorf("got %v allocations a calendar, want at most 3", got)
			}
		})
	}
}
