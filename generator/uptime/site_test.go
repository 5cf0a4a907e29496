package uptime

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/history"
)

// TestSite checks the whole site's figures over [00:00, 15:00) against
// sums done by hand. Two probed components, "api" and "web"; incidents
// here name "api" (see inc and maint).
func TestSite(t *testing.T) {
	type want struct {
		known, measured, down, partial, excluded, nodata time.Duration
		uptime                                           float64
		sparse                                           bool
	}
	tests := []struct {
		name      string
		api, web  []history.Interval
		incidents []*incident.Incident
		want      want
	}{
		{
			// 10–12 and 11–13 down: the site is down 10–13, once.
			name: "two components down at overlapping times count once",
			api:  []history.Interval{up(0, 10), down(10, 12), up(12, 15)},
			web:  []history.Interval{up(0, 11), down(11, 13), up(13, 15)},
			want: want{known: hours(15), measured: hours(15), down: hours(3), uptime: 12.0 / 15},
		},
		{
			// web has no data 0–8: api alone decides, and its 2 hours
			// down are the site's; api has none 12–15, web decides.
			name: "one down while the other has no data",
			api:  []history.Interval{up(0, 6), down(6, 8), up(8, 12)},
			web:  []history.Interval{up(8, 15)},
			want: want{known: hours(15), measured: hours(15), down: hours(2), uptime: 13.0 / 15},
		},
		{
			// api is under maintenance 4–9, web is observed throughout:
			// the site's 4–9 is web's, down 5–6 included.
			name:      "maintenance on one component only",
			api:       []history.Interval{up(0, 4), down(4, 9), up(9, 15)},
			web:       []history.Interval{up(0, 5), down(5, 6), up(6, 15)},
			incidents: []*incident.Incident{maint("swap", 4, 9)},
			want:      want{known: hours(15), measured: hours(15), down: hours(1), uptime: 14.0 / 15},
		},
		{
			// web has no data 4–9 while api is in maintenance: excluded
			// for the site; 12–15 no one knows.
			name:      "maintenance while the other has no data",
			api:       []history.Interval{up(0, 12)},
			web:       []history.Interval{up(0, 4), up(9, 12)},
			incidents: []*incident.Incident{maint("swap", 4, 9)},
			want:      want{known: hours(7), measured: hours(7), excluded: hours(5), nodata: hours(3), uptime: 1},
		},
		{
			// api partial 2–6 (weight 0.5), web down 3–4: 1 hour full
			// and 3 partial, 1 + 0.5 × 3 = 2.5 hours down.
			name:      "full downtime beats partial on another component",
			api:       []history.Interval{up(0, 15)},
			web:       []history.Interval{up(0, 3), down(3, 4), up(4, 15)},
			incidents: []*incident.Incident{inc("slow", incident.PartialOutage, 2, 6)},
			want:      want{known: hours(15), measured: hours(15), down: hours(2.5), partial: hours(3), uptime: 1 - 2.5/15},
		},
		{
			// 3 of 15 hours known: coverage 20%, below 50%.
			name: "little data is sparse",
			api:  []history.Interval{up(0, 3)},
			want: want{known: hours(3), measured: hours(3), nodata: hours(12), uptime: 1, sparse: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := Input{Incidents: tt.incidents, PartialWeight: 0.5, MinCoverage: 0.5, Loc: time.UTC, Now: now, Probed: true}
			api, web := base, base
			api.Component, api.Intervals = "api", tt.api
			web.Component, web.Intervals = "web", tt.web
			got := Site([]Input{api, web}, []time.Time{day0, now})[0]
			w := tt.want
			if got.Known != w.known || got.Measured != w.measured || got.Down != w.down || got.Partial != w.partial ||
				got.Excluded != w.excluded || got.NoData != w.nodata || got.Sparse != w.sparse {
				t.Errorf("got known %v measured %v down %v partial %v excluded %v no data %v sparse %v, want %v %v %v %v %v %v %v",
					got.Known, got.Measured, got.Down, got.Partial, got.Excluded, got.NoData, got.Sparse,
					w.known, w.measured, w.down, w.partial, w.excluded, w.nodata, w.sparse)
			}
			if !got.HasValue || math.Abs(got.Uptime-w.uptime) > 1e-12 {
				t.Errorf("got uptime %v (has value %v), want %v", got.Uptime, got.HasValue, w.uptime)
			}
		})
	}
	t.Run("no components is no data", func(t *testing.T) {
		got := Site(nil, []time.Time{day0, now})[0]
		if got.HasValue || got.NoData != hours(15) {
			t.Errorf("got has value %v, no data %v, want false, %v", got.HasValue, got.NoData, hours(15))
		}
	})
	t.Run("a component alone is its own figure", func(t *testing.T) {
		in := Input{Component: "api", Intervals: []history.Interval{up(0, 3), down(3, 5), up(7, 15)},
			Incidents:     []*incident.Incident{maint("swap", 8, 9), inc("slow", incident.PartialOutage, 10, 12)},
			PartialWeight: 0.3, MinCoverage: 0.5, Loc: time.UTC, Now: now, Probed: true}
		if got, want := Site([]Input{in}, []time.Time{day0, now})[0], Window(in, day0, now); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
}

// TestSiteTotal: the whole site's Summary that SiteTotal gives beside its
// days is Site's over the whole of them, on random components whose
// incidents and probe data cross the days' midnights.
func TestSiteTotal(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for n := range 100 {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var ins []Input
			for range 1 + r.IntN(3) {
				in := randomInput(r)
				in.Now, in.PartialWeight = now, 0.3
				ins = append(ins, in)
			}
			cuts := DayCuts(time.UTC, day0.AddDate(0, 0, -4), 5, now)
			days, got := SiteTotal(ins, cuts)
			if want := Site(ins, cuts); len(days) != len(want) {
				t.Fatalf("got %d days, want %d", len(days), len(want))
			}
			want := Site(ins, []time.Time{cuts[0], cuts[len(cuts)-1]})[0]
			if math.IsNaN(got.Uptime) && math.IsNaN(want.Uptime) {
				got.Uptime, want.Uptime = 0, 0
			}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}
