package history

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var base = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func at(min float64) time.Time { return base.Add(time.Duration(min * float64(time.Minute))) }

// res builds results from "minute:u" / "minute:d" words, optionally
// "minute:u@region"; "minute:s" is up but slow (5 s, above the 1 s
// degraded_over of TestIntervals), "minute:=ms" up with that latency.
func res(tb testing.TB, component, spec string) []Result {
	tb.Helper()
	var out []Result
	for _, w := range strings.Fields(spec) {
		var m float64
		var st, region string
		w, region, _ = strings.Cut(w, "@")
		mm, st, ok := strings.Cut(w, ":")
		if _, err := fmt.Sscan(mm, &m); err != nil || !ok || (st != "u" && st != "d" && st != "s" && !strings.HasPrefix(st, "=")) {
			tb.Fatalf("bad result spec %q", w)
		}
		r := Result{Component: component, Time: at(m), OK: st != "d", LatencyMS: 42, Region: region}
		switch {
		case st == "s":
			r.LatencyMS = 5000
		case strings.HasPrefix(st, "="):
			if _, err := fmt.Sscan(st[1:], &r.LatencyMS); err != nil {
				tb.Fatalf("bad latency in %q", w)
			}
		}
		out = append(out, r)
	}
	return out
}

// ivs formats intervals as "start-end:state" in minutes, for comparison.
func ivs(in []Interval) string {
	var b []string
	for _, iv := range in {
		b = append(b, fmt.Sprintf("%g-%g:%s", iv.Start.Sub(base).Minutes(), iv.End.Sub(base).Minutes(), iv.State))
	}
	return strings.Join(b, " ")
}

func openTest(tb testing.TB, opts Options) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "data", "history.db"), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func intervalsOf(tb testing.TB, s *Store, component string, from, to float64) string {
	tb.Helper()
	got, err := s.Intervals(context.Background(), component, at(from), at(to))
	if err != nil {
		tb.Fatal(err)
	}
	return ivs(got)
}

func TestIntervals(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		confirm  int
		results  string
		from, to float64
		want     string
	}{
		{"each result covers until the next", time.Minute, 1, "0:u 1:u 2:d 3:u", 0, 5,
			"0-2:up 2-3:down 3-5:up"},
		{"gap beyond twice the interval is no data", time.Minute, 1, "0:u 1:u 2:u 10:u", 0, 15,
			"0-4:up 4-10:no_data 10-12:up 12-15:no_data"},
		{"a gap of exactly twice the interval stays covered", time.Minute, 1, "0:u 2:u 4:u", 0, 6,
			"0-6:up"},
		{"before the first result is no data", time.Minute, 1, "5:u 6:u", 0, 7,
			"0-5:no_data 5-7:up"},
		{"clipped to the range", time.Minute, 1, "0:u 1:d 2:d 3:u", 1.5, 3.5,
			"1.5-3:down 3-3.5:up"},
		{"without confirm a blip is down", time.Minute, 1, "0:u 1:u 2:d 3:u 4:u", 0, 5,
			"0-2:up 2-3:down 3-5:up"},
		{"confirm 3 hides a one-result blip", time.Minute, 3, "0:u 1:u 2:u 3:d 4:u 5:u", 0, 7,
			"0-7:up"},
		{"confirm 3 hides a two-result blip", time.Minute, 3, "0:u 1:u 2:u 3:d 4:d 5:u 6:u", 0, 8,
			"0-8:up"},
		{"confirm 3 catches a 3-result outage from its first result", time.Minute, 3, "0:u 1:u 2:u 3:d 4:d 5:d 6:u 7:u 8:u", 0, 10,
			"0-3:up 3-6:down 6-10:up"},
		{"confirm 3 recovery needs 3 too", time.Minute, 3, "0:u 1:u 2:u 3:d 4:d 5:d 6:u 7:d 8:d", 0, 10,
			"0-3:up 3-10:down"},
		{"unconfirmed start is no data", time.Minute, 3, "0:d 1:u 2:u 3:u", 0, 5,
			"0-1:no_data 1-5:up"},
		{"confirm counts across a gap", 5 * time.Minute, 2, "0:u 5:u 10:d 60:d 65:u", 0, 70,
			"0-10:up 10-20:down 20-60:no_data 60-70:down"}, // 65:u alone is a blip
		{"regions: one region decides", time.Minute, 1, "0:u@a 1:d@a 2:u@a", 0, 3,
			"0-1:up 1-2:down 2-3:up"},
		{"regions: a minority down is up", time.Minute, 1, "0:u@a 0:u@b 0:u@c 1:d@a 1:u@b 1:u@c 2:u@a 2:u@b 2:u@c", 0, 3,
			"0-3:up"},
		{"regions: a majority down is down", time.Minute, 1, "0:u@a 0:u@b 0:u@c 1:d@a 1:d@b 1:u@c 2:u@a 2:u@b 2:u@c", 0, 3,
			"0-1:up 1-2:down 2-3:up"},
		{"regions: a silent region does not vote", time.Minute, 1, "0:u@a 0:u@b 1:d@a 10:u@b", 0, 4,
			"0-1:up 1-2:up 2-3:down 3-4:no_data"},
		{"regions: two that disagree are up", time.Minute, 1, "0:d@a 0:u@b", 0, 1,
			"0-1:up"},
		{"slow is degraded", time.Minute, 1, "0:u 1:s 2:s 3:u", 0, 4,
			"0-1:up 1-3:degraded 3-4:up"},
		{"exactly degraded_over is not slower", time.Minute, 1, "0:u 1:=1000 2:u", 0, 3,
			"0-3:up"},
		{"confirm 2 hides one slow result", time.Minute, 2, "0:u 1:u 2:s 3:u 4:u", 0, 5,
			"0-5:up"},
		{"confirm 2 catches two slow results from the first", time.Minute, 2, "0:u 1:u 2:s 3:s 4:u 5:u", 0, 6,
			"0-2:up 2-4:degraded 4-6:up"},
		{"degraded then down then up", time.Minute, 2, "0:u 1:u 2:s 3:s 4:d 5:d 6:u 7:u", 0, 8,
			"0-2:up 2-4:degraded 4-6:down 6-8:up"},
		{"a slow blip in an outage keeps it down", time.Minute, 2, "0:d 1:d 2:s 3:d 4:u 5:u", 0, 6,
			"0-4:down 4-6:up"},
		{"regions: one slow of two is up", time.Minute, 1, "0:s@a 0:u@b", 0, 1,
			"0-1:up"},
		{"regions: a majority slow is degraded", time.Minute, 1, "0:s@a 0:s@b 0:u@c", 0, 1,
			"0-1:degraded"},
		{"regions: slow and down outvote up but not each other", time.Minute, 1, "0:s@a 0:d@b 0:u@c", 0, 1,
			"0-1:degraded"},
		{"regions: half down is not a majority over slow and up", time.Minute, 1, "0:d@a 0:d@b 0:s@c 0:u@d", 0, 1,
			"0-1:degraded"},
		{"regions: down beats slow and up together", time.Minute, 1, "0:d@a 0:d@b 0:d@c 0:s@d 0:u@e", 0, 1,
			"0-1:down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A threshold the 42 ms results of the older cases stay under:
			// it changes nothing for them.
			opts := Options{Components: map[string]ComponentOptions{"api": {Interval: tt.interval, Confirm: tt.confirm, DegradedOver: time.Second}}}
			rs := res(t, "api", tt.results)
			inOrder := openTest(t, opts)
			if err := inOrder.Record(context.Background(), rs); err != nil {
				t.Fatal(err)
			}
			want := fixMerge(tt.want)
			if got := intervalsOf(t, inOrder, "api", tt.from, tt.to); got != want {
				t.Errorf("in order:\n got %s\nwant %s", got, want)
			}
			// The same results one at a time, newest first, and shuffled.
			for _, order := range []string{"reverse", "shuffled"} {
				s := openTest(t, opts)
				rs := slices.Clone(rs)
				if order == "reverse" {
					slices.Reverse(rs)
				} else {
					rand.New(rand.NewPCG(1, 2)).Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
				}
				for _, r := range rs {
					if err := s.Record(context.Background(), []Result{r}); err != nil {
						t.Fatal(err)
					}
				}
				if got := intervalsOf(t, s, "api", tt.from, tt.to); got != want {
					t.Errorf("%s one at a time:\n got %s\nwant %s", order, got, want)
				}
			}
		})
	}
}

// fixMerge merges adjacent equal states in a hand-written expectation, so
// cases may split them where that reads better.
func fixMerge(s string) string {
	var out []string
	for _, w := range strings.Fields(s) {
		if n := len(out); n > 0 {
			_, pst, _ := strings.Cut(out[n-1], ":")
			span, st, _ := strings.Cut(w, ":")
			if pst == st {
				pstart, _, _ := strings.Cut(out[n-1], "-")
				_, end, _ := strings.Cut(span, "-")
				out[n-1] = pstart + "-" + end + ":" + st
				continue
			}
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// TestIntervalsOutOfOrderRandom checks the incremental roll-up against a
// build from scratch for random histories fed in random batches.
func TestIntervalsOutOfOrderRandom(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			confirm := 1 + rng.IntN(4)
			opts := Options{Components: map[string]ComponentOptions{"api": {Interval: time.Minute, Confirm: confirm, DegradedOver: time.Second}}}
			var rs []Result
			m := 0.0
			for range 200 {
				m += 0.5 + rng.Float64()*1.5
				if rng.IntN(40) == 0 {
					m += 5 // a gap
				}
				region := []string{"", "eu", "us"}[rng.IntN(3)]
				if seed%2 == 0 {
					region = ""
				}
				rs = append(rs, Result{Component: "api", Time: at(m).Truncate(time.Millisecond), OK: rng.IntN(6) != 0, Region: region,
					LatencyMS: []float64{20, 20, 5000}[rng.IntN(3)]})
			}
			end := m + 5
			whole := openTest(t, opts)
			if err := whole.Record(context.Background(), rs); err != nil {
				t.Fatal(err)
			}
			want := intervalsOf(t, whole, "api", 0, end)

			s := openTest(t, opts)
			shuffled := slices.Clone(rs)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			for len(shuffled) > 0 {
				n := min(len(shuffled), 1+rng.IntN(20))
				if err := s.Record(context.Background(), shuffled[:n]); err != nil {
					t.Fatal(err)
				}
				shuffled = shuffled[n:]
			}
			if got := intervalsOf(t, s, "api", 0, end); got != want {
				t.Errorf("confirm %d: random batches:\n got %s\nwant %s", confirm, got, want)
			}
			// Recorded with other settings, then reopened with these: the
			// rebuild gives what recording under them gave.
			path := filepath.Join(t.TempDir(), "history.db")
			other, err := Open(path, Options{Components: map[string]ComponentOptions{"api": {Interval: time.Minute, Confirm: 1 + confirm%4}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := other.Record(context.Background(), rs); err != nil {
				t.Fatal(err)
			}
			other.Close()
			rebuilt, err := Open(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer rebuilt.Close()
			if got := intervalsOf(t, rebuilt, "api", 0, end); got != want {
				t.Errorf("confirm %d: rebuilt:\n got %s\nwant %s", confirm, got, want)
			}
			// Adjacent stored intervals of one series never share a state.
			var bad int
			if err := s.db.QueryRow(`SELECT count(*) FROM intervals a JOIN intervals b ON a.series = b.series
				AND a.end = b.start AND a.state = b.state`).Scan(&bad); err != nil {
				t.Fatal(err)
			}
			if bad != 0 {
				t.Errorf("%d unmerged neighbours in the roll-up", bad)
			}
		})
	}
}

func TestPruneKeepsRollups(t *testing.T) {
	ctx := context.Background()
	opts := Options{Components: map[string]ComponentOptions{"api": {Interval: time.Minute, Confirm: 2}}, Retention: time.Hour}
	s := openTest(t, opts)
	rs := res(t, "api", "0:u 1:u 2:d 3:d 4:u 5:u 100:u 101:d 102:d 103:u")
	if err := s.Record(ctx, rs); err != nil {
		t.Fatal(err)
	}
	before := intervalsOf(t, s, "api", 0, 110)
	latBefore, err := s.Latency(ctx, "api", at(0), at(110))
	if err != nil {
		t.Fatal(err)
	}
	// now = minute 150: the horizon is minute 90, so 0–5 go.
	if err := s.Prune(ctx, at(150)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM results`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("after prune %d raw results, want 4", n)
	}
	if got := intervalsOf(t, s, "api", 0, 110); got != before {
		t.Errorf("after prune:\n got %s\nwant %s", got, before)
	}
	// Recording the pruned results again must not change the roll-ups or
	// count latency twice.
	if err := s.Record(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if got := intervalsOf(t, s, "api", 0, 110); got != before {
		t.Errorf("after re-recording:\n got %s\nwant %s", got, before)
	}
	latAfter, err := s.Latency(ctx, "api", at(0), at(110))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(latAfter) != fmt.Sprint(latBefore) {
		t.Errorf("latency after re-recording:\n got %v\nwant %v", latAfter, latBefore)
	}
	// New results after the horizon still extend the roll-up.
	if err := s.Record(ctx, res(t, "api", "104:u")); err != nil {
		t.Fatal(err)
	}
	if got, want := intervalsOf(t, s, "api", 95, 110), "95-100:no_data 100-101:up 101-103:down 103-106:up 106-110:no_data"; got != want {
		t.Errorf("after prune and a new result:\n got %s\nwant %s", got, want)
	}
}

func TestPercentile(t *testing.T) {
	h := LatencyHour{Counts: make([]uint64, len(LatencyBuckets)+1)}
	h.Counts[bucketOf(40)] = 50  // (25, 50]
	h.Counts[bucketOf(120)] = 50 // (100, 150]
	tests := []struct {
		p, want float64
	}{
		{0.5, 50},    // the 50th of 100 is the last of the first bucket
		{0.25, 37.5}, // halfway through (25, 50]
		{0.95, 145},  // 45 of 50 through (100, 150]
	}
	for _, tt := range tests {
		if got := Percentile([]LatencyHour{h}, tt.p); got != tt.want {
			t.Errorf("Percentile(%g) = %g, want %g", tt.p, got, tt.want)
		}
	}
	if got := Percentile(nil, 0.5); got == got {
		t.Errorf("Percentile of nothing = %g, want NaN", got)
	}
	if bucketOf(5) != 0 || bucketOf(5.1) != 1 || bucketOf(20000) != len(LatencyBuckets) {
		t.Errorf("bucketOf: bounds are inclusive upper bounds")
	}
}
