package chart

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
)

// TestWriteBars: bars written among a page's text are Bars', in either
// direction of writing.
func TestWriteBars(t *testing.T) {
	const head = "<h2>API</h2>\n"
	days := sampleDays(t)
	for _, tag := range []string{"en", "de", "ar"} {
		t.Run(tag, func(t *testing.T) {
			l := i18n.For(tag)
			var b strings.Builder
			b.WriteString(head)
			WriteBars(&b, 64, l, days, link, nil, Name("API <b>"))
			if got, want := b.String(), head+string(Bars(l, days, link, nil, Name("API <b>"))); got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestBarsBlankDaysKept: bars whose blank days were kept from the last
// bars drawn (blankBars) are the bars drawn afresh, whatever was drawn
// before them: other days, language or direction, the same days an hour
// or a day later, or the same days with incidents and probe data. Each
// is compared with the same bars drawn with DayLabel passed as label,
// which keeps nothing.
func TestBarsBlankDaysKept(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, la)
	blank := func(now time.Time, n int) []uptime.Day {
		return uptime.Days(uptime.Input{Loc: la, Now: now}, n)
	}
	ninety := blank(now, 90)
	// The last fortnight with incidents, maintenance and probe data, its
	// days the very times of the blank ones (sampleDays loads a location
	// of its own).
	mixed := append(slices.Clone(ninety[:76]), sampleDays(t)...)
	for i := range mixed {
		if !mixed[i].Date.Equal(ninety[i].Date) || !mixed[i].To.Equal(ninety[i].To) {
			t.Fatalf("day %d: %s to %s, want %s to %s", i, mixed[i].Date, mixed[i].To, ninety[i].Date, ninety[i].To)
		}
		mixed[i].Date, mixed[i].From, mixed[i].To = ninety[i].Date, ninety[i].From, ninety[i].To
	}
	tests := []struct {
		name string
		days []uptime.Day
	}{
		{"ninety days", ninety},
		{"again", ninety},
		{"an hour later, today longer", blank(now.Add(time.Hour), 90)},
		{"a day later", blank(now.AddDate(0, 0, 1), 90)},
		{"with incidents", mixed},
		{"after them", ninety},
		{"thirty days", ninety[60:]},
		{"the first thirty", ninety[:30]},
		{"ninety after thirty", ninety},
	}
	for _, tag := range []string{"en", "de", "ar", "en"} {
		l := i18n.For(tag)
		fresh := func(d uptime.Day) string { return DayLabel(l, d) }
		for _, tt := range tests {
			t.Run(tag+"/"+tt.name, func(t *testing.T) {
				got := Bars(l, tt.days, link, nil, Name("API"))
				if want := Bars(l, tt.days, link, fresh, Name("API")); got != want {
					t.Errorf("got\n%s\nwant\n%s", got, want)
				}
			})
		}
	}
}
