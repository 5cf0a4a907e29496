package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckTmpfs(t *testing.T) {
	if err := checkTmpfs("/dev/shm", 1); err != nil {
		t.Skipf("no usable /dev/shm here: %v", err)
	}
	for _, tc := range []struct {
		name, dir string
		need      uint64
		want      string // in the error; "" for none
	}{
		{"tmpfs with room", "/dev/shm", 1 << 20, ""},
		{"missing", filepath.Join(t.TempDir(), "missing"), 1, "statfs"},
		{"not a tmpfs", "/proc", 1, "is not a tmpfs"},
		{"too small", "/dev/shm", 1 << 62, "MB free"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkTmpfs(tc.dir, tc.need)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error with %q", err, tc.want)
			case err != nil && !strings.Contains(err.Error(), tc.dir):
				t.Errorf("got %v, want it to name %s", err, tc.dir)
			}
		})
	}
}

func TestSyncTime(t *testing.T) {
	for _, tc := range []struct {
		name, trace string
		want        time.Duration
		calls       int
	}{
		{"none", "4242  100.000000 +++ exited with 0 +++\n", 0, 0},
		{"one syncfs", "4242  100.000000 syncfs(7)                         = 0 <0.250000>\n4242  100.300000 +++ exited with 0 +++\n", 250 * time.Millisecond, 1},
		{"overlapping fsyncs count once", "4243  100.000000 fsync(9 <unfinished ...>\n4244  100.001000 fsync(10)  = 0 <0.001000>\n4243  100.004000 <... fsync resumed>) = 0 <0.004000>\n",
			4 * time.Millisecond, 2},
		{"apart, then a syncfs", "4243  100.000000 fsync(9) = 0 <0.002000>\n4244  100.010000 fsync(10) = 0 <0.001000>\n4245  100.020000 syncfs(3) = 0 <0.100000>\n",
			103 * time.Millisecond, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, calls := syncTime(tc.trace)
			if got.Round(time.Microsecond) != tc.want || calls != tc.calls {
				t.Errorf("got %v in %d calls, want %v in %d", got, calls, tc.want, tc.calls)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   []float64
		want stats
	}{
		{"odd", []float64{3, 1, 2}, stats{2, 1, 3}},
		{"even", []float64{4, 1, 3, 2}, stats{2.5, 1, 4}},
		{"none", nil, stats{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := summarize(tc.xs); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// mkSample is a sample of wall and CPU seconds and peak RSS in MB.
func mkSample(wall, cpu float64, rssMB int64) sample {
	return sample{wall: time.Duration(wall * float64(time.Second)), cpu: time.Duration(cpu * float64(time.Second)), rssKB: rssMB << 10}
}

// rounds is a tmpfs size measured in three rounds whose per-round median
// (herald / Hugo wall: 0.1, 0.28, 0.9 → 0.28) is not the ratio of the
// tools' medians (2.8 / 5 = 0.56): a slow spell that slows both tools of
// a round must cancel out.
func rounds(tb testing.TB) *sizeResult {
	tb.Helper()
	r := &sizeResult{}
	r.spec.Incidents = 2000
	for _, round := range []struct{ herald, hugo, floor sample }{
		{mkSample(1, 1.9, 50), mkSample(10, 15, 250), mkSample(0.5, 1.3, 10)},
		{mkSample(2.8, 5.0, 50), mkSample(10, 15, 200), mkSample(1.5, 3.2, 10)},
		{mkSample(4.5, 8.4, 60), mkSample(5, 7, 220), mkSample(2.5, 5.0, 10)},
	} {
		r.herald.samples = append(r.herald.samples, round.herald)
		r.addRound(map[string]sample{"herald": round.herald, "Hugo": round.hugo, "floor": round.floor})
	}
	return r
}

func TestTmpfsTargets(t *testing.T) {
	r := rounds(t)
	noHugo := rounds(t)
	noHugo.hugoTime, noHugo.hugoRSS, noHugo.hugoCPU = nil, nil, nil
	for _, tc := range []struct {
		name  string
		t     tmpfsResult
		cores int
		want  []string // each row's start, in order
	}{
		{"measured, 2 cores", tmpfsResult{results: []*sizeResult{r}}, 2, []string{
			"| PASS | herald / Hugo wall time at 2,000 incidents, tmpfs | 0.28×, target ≤ 0.3×",
			"| MISS | herald / Hugo wall time at 2,000 incidents, tmpfs (stretch) | 0.28×, target ≤ 0.25×",
			"| PASS | herald / Hugo peak RSS at 2,000 incidents, tmpfs | 0.25×, target ≤ 0.25×",
			"| MISS | herald / floor CPU time (user+sys) at 2,000 incidents, tmpfs | 1.56×, target ≤ 1.5×",
			"| PASS | herald CPU time / wall time at 2,000 incidents, tmpfs, 2 cores (every core busy: ≥ 0.9 × cores) | 1.87, target ≥ 1.8 ",
		}},
		{"4 cores: the busy target scales", tmpfsResult{results: []*sizeResult{r}}, 4, []string{
			"| PASS |", "| MISS |", "| PASS |", "| MISS |",
			"| MISS | herald CPU time / wall time at 2,000 incidents, tmpfs, 4 cores (every core busy: ≥ 0.9 × cores) | 1.87, target ≥ 3.6 ",
		}},
		{"no Hugo", tmpfsResult{results: []*sizeResult{noHugo}}, 2, []string{
			"| SKIP | herald / Hugo at 2,000 incidents, tmpfs | Hugo not installed |", "| MISS |", "| PASS |",
		}},
		{"no tmpfs", tmpfsResult{skipped: "not measured: /dev/shm is not a tmpfs"}, 2, []string{
			"| SKIP | clean builds on tmpfs | not measured: /dev/shm is not a tmpfs |",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := tmpfsTargets(tc.t, tc.cores)
			if len(ts) != len(tc.want) {
				t.Fatalf("got %d rows, want %d: %v", len(ts), len(tc.want), ts)
			}
			for i, want := range tc.want {
				if got := ts[i].String(); !strings.HasPrefix(got, want) {
					t.Errorf("row %d: got %q, want it to start %q", i, got, want)
				}
			}
		})
	}
}

func TestTimePairs(t *testing.T) {
	var ran []string
	tool := func(name string, cpu float64) func() (sample, error) {
		return func() (sample, error) {
			ran = append(ran, name)
			return mkSample(1, cpu, 10), nil
		}
	}
	var shown []int
	pairs, err := timePairs(3, tool("herald", 1.4), tool("floor", 1), func(i int, h, f sample) {
		shown = append(shown, i)
		if h.cpu != 1400*time.Millisecond || f.cpu != time.Second {
			t.Errorf("pair %d shown as %v, %v; want herald's 1.4 s, then the floor's 1 s", i, h.cpu, f.cpu)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(ran, " "), "herald floor floor herald herald floor"; got != want {
		t.Errorf("ran %q, want %q: herald first in every other pair", got, want)
	}
	if len(pairs) != 3 || len(shown) != 3 {
		t.Fatalf("got %d pairs, %d shown; want 3 each", len(pairs), len(shown))
	}
	for i, p := range pairs {
		if p[0].cpu != 1400*time.Millisecond || p[1].cpu != time.Second {
			t.Errorf("pair %d is %v, %v; want {herald, floor} whichever ran first", i, p[0].cpu, p[1].cpu)
		}
	}

	// The pairs join the rounds' ratios: three rounds at 1.46×–1.68× and
	// four pairs at 1.4× are judged 1.4×, a pass. Their herald builds
	// join the rounds' in the busy cores: 1.4 of 1 s each, which take the
	// median below 1.8, and herald's row keeps the rounds' three.
	r := rounds(t)
	r.pairs = append(pairs, pairs[0])
	for _, p := range r.pairs {
		r.addFloorPair(p[0], p[1])
	}
	ts := tmpfsTargets(tmpfsResult{results: []*sizeResult{r}}, 2)
	for i, want := range map[int]string{
		3: "| PASS | herald / floor CPU time (user+sys) at 2,000 incidents, tmpfs | 1.4×",
		4: "| MISS | herald CPU time / wall time at 2,000 incidents, tmpfs, 2 cores (every core busy: ≥ 0.9 × cores) | 1.4,",
	} {
		if got := ts[i].String(); !strings.HasPrefix(got, want) {
			t.Errorf("got %q, want it to start %q", got, want)
		}
	}
	if len(r.herald.samples) != 3 {
		t.Errorf("got %d samples in herald's row, want the rounds' 3", len(r.herald.samples))
	}

	boom := errors.New("boom")
	if _, err := timePairs(2, tool("herald", 1), func() (sample, error) { return sample{}, boom }, func(int, sample, sample) {
		t.Error("a pair shown whose floor build failed")
	}); !errors.Is(err, boom) {
		t.Errorf("got %v, want the floor's error", err)
	}
}

// TestPairsTable: the report lists the pairs after the rounds apart, the
// herald and floor builds of each pair and their ratio, and herald's
// row keeps the rounds' builds alone.
func TestPairsTable(t *testing.T) {
	r := rounds(t)
	r.spec.Name, r.herald.name = "medium", "herald"
	r.pairs = [][2]sample{{mkSample(1, 1.8, 40), mkSample(1, 1.2, 10)}, {mkSample(1, 2.0, 40), mkSample(1, 1.0, 10)}}
	out := formatReport(config{floorPairs: 2}, machine{}, nil, extras{tmpfs: tmpfsResult{dir: "/dev/shm", results: []*sizeResult{r}}})
	for _, want := range []string{
		"| medium | 2 | 1.90 s (1.80–2.00) | 1.10 s (1.00–1.20) | 1.75× (1.50–2.00) | 1.90 (1.80–2.00) |",
		"| medium | 2000 | herald | 3 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report has no %q:\n%s", want, out)
		}
	}
}
