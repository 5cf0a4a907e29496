package chart

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/uptime"
)

// refDayLabel is DayLabel as it was first written, in English, joining a
// slice of parts: the reference the faster one, and the one in a locale,
// must match in English.
func refDayLabel(d uptime.Day) string {
	var b strings.Builder
	b.WriteString(d.Date.Format("Jan 2, 2006"))
	if d.Today() {
		b.WriteString(" (today so far)")
	}
	b.WriteString(": ")
	var parts []string
	if d.HasValue {
		if d.Shown() {
			parts = append(parts, d.Percent()+" uptime")
		}
		if d.Down > 0 {
			parts = append(parts, refDuration(d.Down)+" down")
		}
	}
	if d.NoData > 0 && d.HasValue {
		parts = append(parts, refDuration(d.NoData)+" no data")
	} else if !d.HasValue && d.Excluded == 0 {
		parts = append(parts, "no data")
	}
	if d.Excluded > 0 {
		parts = append(parts, refDuration(d.Excluded)+" maintenance")
	}
	b.WriteString(strings.Join(parts, ", "))
	if len(d.Incidents) > 0 {
		titles := make([]string, len(d.Incidents))
		for i, in := range d.Incidents {
			titles[i] = in.Title
		}
		b.WriteString(". Incidents: " + strings.Join(titles, "; "))
	}
	return b.String()
}

// refDuration is the bars' duration as it was first written, in English.
func refDuration(d time.Duration) string {
	if d < time.Minute {
		return "<1 min"
	}
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return strconv.Itoa(m) + " min"
	case m%60 == 0:
		return strconv.Itoa(m/60) + " h"
	}
	return strconv.Itoa(m/60) + " h " + strconv.Itoa(m%60) + " min"
}

// TestDayLabelMatchesReference words every combination of a day's parts
// (uptime, downtime, no data, maintenance, today, none to three incidents)
// as the reference does.
func TestDayLabelMatchesReference(t *testing.T) {
	date := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	ins := []*incident.Incident{{Title: "API errors"}, {Title: `<b>"x"</b> & y`}, {Title: ""}}
	for mask := range 1 << 5 {
		for k := range len(ins) + 1 {
			d := uptime.Day{Date: date, Incidents: ins[:k]}
			d.Uptime, d.HasValue = math.NaN(), mask&1 != 0
			if d.HasValue {
				d.Known, d.Uptime, d.Coverage = 24*time.Hour, 0.9993, 1
			}
			if mask&2 != 0 {
				d.Down = 61 * time.Minute
			}
			if mask&4 != 0 {
				d.NoData = 30 * time.Second
			}
			if mask&8 != 0 {
				d.Excluded = 2 * time.Hour
			}
			d.To = date.Add(24 * time.Hour)
			if mask&16 != 0 {
				d.To = date.Add(13 * time.Hour) // today, so far
			}
			name := strings.ReplaceAll(refDayLabel(d), " ", "_")
			t.Run(name, func(t *testing.T) {
				if got, want := DayLabel(en, d), refDayLabel(d); got != want {
					t.Errorf("got %q, want %q", got, want)
				}
			})
		}
	}
}
