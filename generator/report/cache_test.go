package report

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/history"
)

// TestCache: with a Cache, a later call reuses each closed month whose
// inputs are the same, computes again a closed month whose incident
// changed and the month to date, and gives what a call without the cache
// gives.
func TestCache(t *testing.T) {
	utc := time.UTC
	old := func(end time.Time) *incident.Incident {
		in := outage("old", incident.MajorOutage, time.Date(2025, 12, 3, 1, 0, 0, 0, utc), end)
		in.Sum = sha256.Sum256([]byte(end.String())) // as the Parser sums a file's content
		return in
	}
	input := func(dec *incident.Incident, now time.Time, c *Cache) Input {
		return Input{
			Components: []Component{{ID: "api", Name: "API", Probed: true}},
			Incidents:  []*incident.Incident{dec},
			Intervals: map[string][]history.Interval{"api": {
				iv(history.Up, at(utc, 9, 1, 0), at(utc, 10, 1, 0)),
				iv(history.Down, at(utc, 10, 1, 0), at(utc, 10, 1, 2)),
				iv(history.Up, at(utc, 10, 1, 2), at(utc, 11, 28, 15)),
			}},
			Loc: utc, Now: now, Cache: c,
		}
	}
	c := &Cache{}
	dec := old(time.Date(2025, 12, 3, 2, 0, 0, 0, utc))
	first := Months(input(dec, at(utc, 11, 28, 15), c))
	later := Months(input(dec, at(utc, 11, 28, 16), c))
	changed := old(time.Date(2025, 12, 3, 5, 0, 0, 0, utc))
	edited := Months(input(changed, at(utc, 11, 28, 17), c))
	fresh := Months(input(changed, at(utc, 11, 28, 17), nil))

	names := func(ms []*Month) (s []string) {
		for _, m := range ms {
			s = append(s, m.Name())
		}
		return s
	}
	want := []string{"2025-12", "2026-09", "2026-10", "2026-11"}
	for _, ms := range [][]*Month{first, later, edited, fresh} {
		if got := names(ms); len(got) != len(want) || got[0] != want[0] || got[3] != want[3] {
			t.Fatalf("got months %v, want %v", got, want)
		}
	}
	for i, m := range later {
		closed := !m.ToDate
		if reused := m == first[i]; reused != closed {
			t.Errorf("%s: reused %t on a later call, want %t (closed %t)", m.Name(), reused, closed, closed)
		}
	}
	if edited[0] == later[0] {
		t.Errorf("2025-12: reused after its incident changed")
	}
	for _, i := range []int{1, 2} {
		if edited[i] != later[i] {
			t.Errorf("%s: computed again, though its inputs did not change", edited[i].Name())
		}
	}
	for i := range fresh {
		if got, want := edited[i].Components[0].Summary, fresh[i].Components[0].Summary; got != want {
			t.Errorf("%s: got %+v with the cache, want %+v", fresh[i].Name(), got, want)
		}
		if got, want := edited[i].Site.Summary, fresh[i].Site.Summary; got != want {
			t.Errorf("%s: got site %+v with the cache, want %+v", fresh[i].Name(), got, want)
		}
	}
	if got, want := edited[0].Components[0].Down, 4*time.Hour; got != want {
		t.Errorf("2025-12: got %s down after the edit, want %s", got, want)
	}
}

// TestCacheAcrossConfigs: each build of a Builder loads the config again,
// so the site timezone comes back as another *time.Location of the same
// zone; a closed month must still be reused then.
func TestCacheAcrossConfigs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before func() *time.Location
		after  func() *time.Location
	}{
		{"the same location", func() *time.Location { return la }, func() *time.Location { return la }},
		{"the zone loaded again", func() *time.Location { return mustLoad("America/Los_Angeles") }, func() *time.Location { return mustLoad("America/Los_Angeles") }},
		{"a fixed zone made again", func() *time.Location { return time.FixedZone("X", 3600) }, func() *time.Location { return time.FixedZone("X", 3600) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			input := func(loc *time.Location, now time.Time, c *Cache) Input {
				return Input{
					Components: []Component{{ID: "api", Name: "API", Probed: true}},
					Incidents:  []*incident.Incident{outage("old", incident.MajorOutage, at(loc, 9, 3, 1), at(loc, 9, 3, 2))},
					Intervals:  map[string][]history.Interval{"api": {iv(history.Up, at(loc, 8, 1, 0), at(loc, 11, 28, 15))}},
					Loc:        loc, Now: now, Cache: c,
				}
			}
			c := &Cache{}
			loc := tc.before()
			first := Months(input(loc, at(loc, 11, 28, 15), c))
			loc = tc.after()
			later := Months(input(loc, at(loc, 11, 28, 16), c))
			if len(first) != 4 || len(later) != 4 {
				t.Fatalf("got %d and %d months, want 4 each", len(first), len(later))
			}
			for i, m := range later[:3] {
				if got, want := m == first[i], true; got != want {
					t.Errorf("%s: got reused %t, want %t", m.Name(), got, want)
				}
			}
		})
	}
}
