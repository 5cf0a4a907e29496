package uptime

import (
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/history"
)

// BenchmarkMonth measures a month of a component as a report reads it,
// by its CSV and JSON (Windows) and by its page's calendar
// (AppendDaysBetween): a probed component with a stretch of probe data
// each hour, a few of them down, and incidents and maintenance on some
// days, or only incidents, as a component without a probe has.
func BenchmarkMonth(b *testing.B) {
	first := day0.AddDate(0, 0, -27)
	cuts := DayCuts(time.UTC, first, 28, now)
	var incidents []*incident.Incident
	for i := range 12 {
		incidents = append(incidents, inc("i", incident.MajorOutage, float64(-600+50*i), float64(-597+50*i)))
	}
	incidents = append(incidents, maint("m", -300, -296))
	var intervals []history.Interval
	for h := -27 * 24; h < 15; h++ {
		iv := up(float64(h), float64(h)+0.9)
		if h%37 == 0 {
			iv.State = history.Down
		}
		intervals = append(intervals, iv)
	}
	for _, tc := range []struct {
		name string
		in   Input
	}{
		{"probed", Input{Component: "api", Probed: true, Now: now, Intervals: intervals, Incidents: incidents}},
		{"declared", Input{Component: "api", Now: now, Incidents: incidents}},
	} {
		b.Run(tc.name+"/windows", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for range Windows(tc.in, cuts) {
				}
			}
		})
		b.Run(tc.name+"/days", func(b *testing.B) {
			var days []Day
			b.ReportAllocs()
			for b.Loop() {
				days = AppendDaysBetween(days[:0], tc.in, cuts)
			}
		})
	}
}
