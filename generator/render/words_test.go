package render

import (
	"html/template"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/i18n"
)

// TestTimeWords holds timeTag and timeRange, which format into one
// buffer, to the strings tag and time.Format wrote, in every language and
// in zones with and without an abbreviation, across a change of offset,
// and checks that each allocates its string alone (a time, a range in a
// day and one over two days allocated 4, 13 and 11 times before).
func TestTimeWords(t *testing.T) {
	memtest.SkipUnderRace(t)
	// tagOf and rangeOf are how timeTag and timeRange wrote a time.
	tagOf := func(w words, t time.Time) template.HTML {
		lt := t.In(w.loc)
		return tag(t.UTC().Format(time.RFC3339), w.l.Date(lt, i18n.Medium)+" "+w.l.Time(lt)+" "+lt.Format("MST"))
	}
	rangeOf := func(w words, a, b time.Time) template.HTML {
		if b.IsZero() {
			return tagOf(w, a)
		}
		la, lb := a.In(w.loc), b.In(w.loc)
		if la.Format(time.DateOnly) == lb.Format(time.DateOnly) && la.Format("MST") == lb.Format("MST") {
			return tag(a.UTC().Format(time.RFC3339), w.l.Date(la, i18n.Medium)+" "+w.l.Time(la)) +
				" – " + tag(b.UTC().Format(time.RFC3339), w.l.Time(lb)+" "+lb.Format("MST"))
		}
		return tagOf(w, a) + " – " + tagOf(w, b)
	}
	var zones []*time.Location
	for _, name := range []string{"UTC", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, loc)
	}
	zones = append(zones, time.FixedZone("", 5*3600+1800), time.FixedZone("<&>", -3600))
	// 2026-03-08 10:00 UTC is 02:00 PST, the hour Los Angeles skips.
	base := time.Date(2026, 3, 8, 9, 30, 0, 0, time.UTC)
	ends := []time.Duration{0, time.Minute, time.Hour, 5 * time.Hour, 30 * time.Hour}
	for _, tag := range []string{"en", "de", "ja", "ar"} {
		for _, loc := range zones {
			w := words{loc: loc, l: i18n.For(tag)}
			t.Run(tag+"/"+loc.String(), func(t *testing.T) {
				for _, start := range []time.Time{base, base.Add(14 * time.Hour), time.Date(12345, 1, 2, 3, 4, 0, 0, time.UTC)} {
					if got, want := w.timeTag(start), tagOf(w, start); got != want {
						t.Errorf("timeTag(%v): got %s, want %s", start, got, want)
					}
					for _, d := range ends {
						end := start.Add(d)
						if d == 0 {
							end = time.Time{}
						}
						if got, want := w.timeRange(start, end), rangeOf(w, start, end); got != want {
							t.Errorf("timeRange(%v, %v): got %s, want %s", start, end, got, want)
						}
					}
				}
			})
		}
	}
	w := words{loc: zones[1], l: i18n.For("en")}
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"timeTag", func() { w.timeTag(base) }},
		{"timeRange/same day", func() { w.timeRange(base, base.Add(time.Hour)) }},
		{"timeRange/two days", func() { w.timeRange(base, base.Add(30*time.Hour)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w.timeTag(base) // the day's date, written once
			w.timeTag(base.Add(30 * time.Hour))
			if got := testing.AllocsPerRun(100, tt.f); got != 1 {
				t.Errorf("got %.0f allocations, want 1", got)
			}
		})
	}
}
