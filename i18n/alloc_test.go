package i18n

import (
	"testing"
	"time"
)

// TestWrittenOnce: what a page asks thousands of times, a day's date, a
// figure, the script's direction and a message without values, is
// written once per locale and then costs no allocation. A chart draws a
// label for each day, so an allocation here is one per day per chart.
func TestWrittenOnce(t *testing.T) {
	day := time.Date(2026, 3, 9, 23, 30, 0, 0, time.FixedZone("JST", 9*3600))
	for _, tag := range Supported() {
		l := For(tag)
		for _, c := range []struct {
			name  string
			write func()
		}{
			{"Date Medium", func() { l.Date(day, Medium) }},
			{"Date Long", func() { l.Date(day, Long) }},
			{"MonthDay", func() { l.MonthDay(day) }},
			{"MonthYear", func() { l.MonthYear(day) }},
			{"Number", func() { l.Number(42, 0) }},
			{"Percent", func() { l.Percent(0.9995, 2) }},
			{"Time", func() { l.Time(day) }},
			{"Dir", func() { l.Dir() }},
			{"T without values", func() { l.T("list.separator") }},
			{"T of a message with a value, without it", func() { l.T("bars.down") }},
		} {
			t.Run(tag+"/"+c.name, func(t *testing.T) {
				c.write()
				if got := testing.AllocsPerRun(100, c.write); got != 0 {
					t.Errorf("got %v allocations, want 0", got)
				}
			})
		}
		// A message with a count is a new string, and nothing more.
		t.Run(tag+"/N", func(t *testing.T) {
			n := func() { l.N("component.days_ago", 90) }
			n()
			if got := testing.AllocsPerRun(100, n); got != 1 {
				t.Errorf("got %v allocations, want 1", got)
			}
		})
		// A duration is a new string and the buffer it is written in.
		t.Run(tag+"/Duration", func(t *testing.T) {
			d := 26*time.Hour + 14*time.Minute
			l.Duration(d)
			if got := testing.AllocsPerRun(100, func() { l.Duration(d) }); got > 2 {
				t.Errorf("got %v allocations, want at most 2", got)
			}
		})
	}
}

// TestTime: every minute of a day, in a zone far from UTC, as Go
// writes 15:04.
func TestTime(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	l := For("ja")
	for i := range 24 * 60 {
		when := time.Date(2026, 3, 9, 0, i, 59, 999, tokyo)
		if got, want := l.Time(when), when.Format("15:04"); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestDateOfItsDay: a date written once is the date of its own day,
// whatever day, style or zone was asked before it.
func TestDateOfItsDay(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	l := For("en")
	tests := []struct {
		name  string
		t     time.Time
		style DateStyle
		want  string
	}{
		{"a day", time.Date(2026, 3, 9, 14, 5, 0, 0, tokyo), Medium, "Mar 9, 2026"},
		{"the same day, later", time.Date(2026, 3, 9, 23, 59, 0, 0, tokyo), Medium, "Mar 9, 2026"},
		{"the same instant in UTC, the day before", time.Date(2026, 3, 9, 5, 0, 0, 0, tokyo).UTC(), Medium, "Mar 8, 2026"},
		{"the same day, long", time.Date(2026, 3, 9, 14, 5, 0, 0, tokyo), Long, "March 9, 2026"},
		{"the same day, short", time.Date(2026, 3, 9, 14, 5, 0, 0, tokyo), Short, "3/9/26"},
		{"a year later", time.Date(2027, 3, 9, 14, 5, 0, 0, tokyo), Medium, "Mar 9, 2027"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := l.Date(tt.t, tt.style); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	for _, c := range []struct{ got, want string }{
		{l.MonthDay(time.Date(2026, 3, 9, 0, 0, 0, 0, tokyo)), "Mar 9"},
		{l.MonthYear(time.Date(2026, 3, 9, 0, 0, 0, 0, tokyo)), "March 2026"},
		{l.MonthDay(time.Date(2026, 3, 10, 0, 0, 0, 0, tokyo)), "Mar 10"},
		{l.MonthYear(time.Date(2026, 4, 10, 0, 0, 0, 0, tokyo)), "April 2026"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestAppend: Append writes a message as T does, its values written in
// place by the caller, a message within a message included.
func TestAppend(t *testing.T) {
	l := For("en")
	value := func(vals ...string) func([]byte, string) ([]byte, bool) {
		return func(dst []byte, name string) ([]byte, bool) {
			for i := 0; i+1 < len(vals); i += 2 {
				if vals[i] == name {
					return append(dst, vals[i+1]...), true
				}
			}
			return dst, false
		}
	}
	tests := []struct {
		name  string
		key   string
		value func([]byte, string) ([]byte, bool)
		want  string
	}{
		{"a message with a value", "bars.down", value("duration", "3 min"), l.T("bars.down", "duration", "3 min")},
		{"a value that holds braces", "bars.down", value("duration", "{duration}"), l.T("bars.down", "duration", "{duration}")},
		{"a value it has not", "bars.down", value(), l.T("bars.down")},
		{"a key that does not exist", "no.such.key", value(), "no.such.key"},
		{"a message within a message", "bars.day_incidents", func(dst []byte, name string) ([]byte, bool) {
			switch name {
			case "day":
				return l.Append(dst, "bars.day", value("date", "Mar 9, 2026", "summary", "no data")), true
			case "incidents":
				return append(dst, "…"...), true
			}
			return dst, false
		}, l.T("bars.day_incidents", "day", l.T("bars.day", "date", "Mar 9, 2026", "summary", "no data"), "incidents", "…")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(l.Append([]byte("> "), tt.key, tt.value)); got != "> "+tt.want {
				t.Errorf("got %q, want %q", got, "> "+tt.want)
			}
		})
	}
}
