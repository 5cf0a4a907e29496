package history

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestConcurrentWritesAndReads runs probe-like writers beside build-like
// readers on one file (run with -race), then checks the roll-up against a
// build of the same results in one go.
func TestConcurrentWritesAndReads(t *testing.T) {
	ctx := context.Background()
	opts := Options{Components: map[string]ComponentOptions{"api": {Interval: time.Minute, Confirm: 2}}}
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers, batches, perBatch = 4, 30, 20
	var all []Result
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for b := range batches {
				var rs []Result
				for i := range perBatch {
					m := float64(b*perBatch + i)
					rs = append(rs, Result{Component: "api", Region: fmt.Sprint("r", w), Time: at(m), OK: rng.IntN(5) != 0, LatencyMS: float64(rng.IntN(300))})
				}
				if err := s.Record(ctx, rs); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				all = append(all, rs...)
				mu.Unlock()
			}
		})
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 3 {
		readers.Go(func() {
			// A second handle, as the builder in another process would have.
			r, err := Open(path, opts)
			if err != nil {
				t.Error(err)
				return
			}
			defer r.Close()
			for {
				select {
				case <-stop:
					return
				default:
				}
				ivs, err := r.Intervals(ctx, "api", at(0), at(batches*perBatch))
				if err != nil {
					t.Error(err)
					return
				}
				if len(ivs) == 0 || !ivs[0].Start.Equal(at(0)) || !ivs[len(ivs)-1].End.Equal(at(batches*perBatch)) {
					t.Errorf("intervals do not tile the range: %s", ivsString(ivs))
					return
				}
				if _, err := r.Latency(ctx, "api", at(0), at(batches*perBatch)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	once := openTest(t, opts)
	if err := once.Record(ctx, all); err != nil {
		t.Fatal(err)
	}
	if got, want := intervalsOf(t, s, "api", 0, batches*perBatch+5), intervalsOf(t, once, "api", 0, batches*perBatch+5); got != want {
		t.Errorf("concurrent roll-up differs from one build:\n got %s\nwant %s", got, want)
	}
}

func ivsString(in []Interval) string { return ivs(in) }

const helperEnv = "HERALD_HISTORY_HELPER_DB"

// TestHelperProcess is not a test: TestKilledMidWrite runs the test binary
// again with helperEnv set, and this writes batches until it is killed,
// printing each batch's number once it is committed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestKilledMidWrite")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	for b := 0; ; b++ {
		rs := make([]Result, 200)
		for i := range rs {
			rs[i] = Result{Component: "api", Time: at(float64(b*200 + i)), OK: (b/7)%2 == 0, LatencyMS: 10}
		}
		if err := s.Record(context.Background(), rs); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Println(b)
	}
}

func TestKilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range 3 {
		path := filepath.Join(t.TempDir(), "history.db")
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), helperEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		committed := -1
		lines := make(chan int)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if n, err := strconv.Atoi(sc.Text()); err == nil {
					lines <- n
				}
			}
			close(lines)
		}()
		// Kill after a random number of commits, at a random moment after.
		target := 3 + rng.IntN(20)
		for n := range lines {
			committed = n
			if n >= target {
				time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
		for n := range lines { // whatever was printed before the kill landed
			committed = n
		}
		cmd.Wait()
		if committed < 0 {
			t.Fatalf("round %d: the child committed nothing; stderr: %s", round, stderr.String())
		}

		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		var check string
		if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Errorf("round %d: integrity_check = %q, %v", round, check, err)
		}
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM results WHERE time < ?`, at(float64((committed+1)*200)).UnixMilli()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := (committed + 1) * 200; n != want {
			t.Errorf("round %d: %d results of the %d committed batches survived, want %d", round, n, committed+1, want)
		}
		// The roll-up is consistent with the raw results that survived.
		var total int
		s.db.QueryRow(`SELECT count(*) FROM results`).Scan(&total)
		got := intervalsOf(t, s, "api", 0, float64(total+2))
		fresh := openTest(t, Options{})
		rows, err := s.db.Query(`SELECT ` + resultColumns + ` FROM ` + resultJoin + ` ORDER BY r.time`)
		if err != nil {
			t.Fatal(err)
		}
		var rs []Result
		for rows.Next() {
			r, err := scanResult(rows)
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := fresh.Record(context.Background(), rs); err != nil {
			t.Fatal(err)
		}
		if want := intervalsOf(t, fresh, "api", 0, float64(total+2)); got != want {
			t.Errorf("round %d: roll-up after the kill:\n got %s\nwant %s", round, got, want)
		}
		s.Close()
		t.Logf("round %d: killed after batch %d; %d results on disk", round, committed, total)
	}
}

// sampleFile is a JSON Lines file of a day of 1-minute results for two
// components in two regions.
func sampleFile(tb testing.TB) []byte {
	tb.Helper()
	var b bytes.Buffer
	rng := rand.New(rand.NewPCG(5, 5))
	for m := range 24 * 60 {
		for _, c := range []string{"api", "web"} {
			for _, region := range []string{"eu", "us"} {
				ok := !(m >= 600 && m < 640 && c == "api") && rng.IntN(50) != 0
				fmt.Fprintf(&b, `{"component":%q,"time":%q,"ok":%t,"latency_ms":%d,"region":%q}`+"\n",
					c, at(float64(m)).Format(time.RFC3339), ok, 20+rng.IntN(400), region)
			}
		}
	}
	return b.Bytes()
}

// importNow is the clock of the tests' imports: after every result they
// import.
var importNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

var sampleOpts = Options{
	Components: map[string]ComponentOptions{"api": {Interval: time.Minute, Confirm: 2}, "web": {Interval: time.Minute, Confirm: 1}},
	Strict:     true,
}

// snapshot is everything an import changes, for comparing two stores.
func snapshot(tb testing.TB, s *Store) string {
	tb.Helper()
	var b strings.Builder
	for _, c := range []string{"api", "web"} {
		fmt.Fprintf(&b, "%s: %s\n", c, intervalsOf(tb, s, c, -10, 24*60+10))
		lat, err := s.Latency(context.Background(), c, at(-60), at(25*60))
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&b, "%s latency: %v\n", c, lat)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM results`).Scan(&n)
	fmt.Fprintf(&b, "results: %d\n", n)
	return b.String()
}

func TestImportIdempotent(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, sampleOpts)
	file := sampleFile(t)
	st, err := s.Import(ctx, bytes.NewReader(file), "sample.jsonl", importNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := 24 * 60 * 4; st.Imported != want || st.Lines != want {
		t.Errorf("first import: %+v, want %d lines imported", st, want)
	}
	first := snapshot(t, s)
	if !strings.Contains(first, "down") {
		t.Errorf("the sample's outage is missing:\n%s", first)
	}
	st, err = s.Import(ctx, bytes.NewReader(file), "sample.jsonl", importNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Imported != 0 || st.Duplicates != 24*60*4 {
		t.Errorf("second import: %+v, want every line a duplicate", st)
	}
	if second := snapshot(t, s); second != first {
		t.Errorf("second import changed the store:\n got %s\nwant %s", second, first)
	}
}

func TestImportTwiceAtOnce(t *testing.T) {
	ctx := context.Background()
	file := sampleFile(t)
	once := openTest(t, sampleOpts)
	if _, err := once.Import(ctx, bytes.NewReader(file), "sample.jsonl", importNow, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "history.db")
	var wg sync.WaitGroup
	stats := make([]ImportStats, 2)
	for i := range 2 {
		wg.Go(func() {
			// Each importer has its own handle, as two processes would.
			s, err := Open(path, sampleOpts)
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			stats[i], err = s.Import(ctx, bytes.NewReader(file), "sample.jsonl", importNow, nil)
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := stats[0].Imported + stats[1].Imported; got != 24*60*4 {
		t.Errorf("the two imports stored %d results between them, want %d (%+v)", got, 24*60*4, stats)
	}
	s, err := Open(path, sampleOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := snapshot(t, s), snapshot(t, once); got != want {
		t.Errorf("two concurrent imports differ from one:\n got %s\nwant %s", got, want)
	}
}

func TestImportBadLines(t *testing.T) {
	ctx := context.Background()
	in := `{"component":"api","time":"2026-11-01T00:00:00Z","ok":true,"latency_ms":12}
{"component":"api","time":"yesterday","ok":true}
not json

{"component":"nope","time":"2026-11-01T00:01:00Z","ok":true}
{"component":"api","time":"2026-11-01T00:01:00Z"}
{"component":"api","time":"2026-11-01T00:02:00Z","ok":false,"error":"timeout","status":504,"region":"eu","colour":1}
{"component":"api","time":"2026-11-01T00:02:00Z","ok":false,"error":"timeout","status":504,"region":"eu"}
`
	s := openTest(t, sampleOpts)
	st, err := s.Import(ctx, strings.NewReader(in), "r.jsonl", importNow, nil)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want an *ImportError", err)
	}
	want := []string{
		`r.jsonl:2: time "yesterday" is not RFC 3339`,
		`r.jsonl:3: invalid JSON`,
		`r.jsonl:5: unknown component "nope"`,
		`r.jsonl:6: missing "ok"`,
		`r.jsonl:7: invalid JSON: json: unknown field "colour"`,
	}
	if len(ie.Lines) != len(want) {
		t.Fatalf("got %d bad lines, want %d:\n%v", len(ie.Lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(ie.Lines[i].Error(), w) {
			t.Errorf("bad line %d: got %q, want it to start %q", i, ie.Lines[i].Error(), w)
		}
	}
	if st.Imported != 2 || st.Bad != 5 {
		t.Errorf("stats %+v, want 2 imported and 5 bad", st)
	}
}

func TestImportCSVAndGzipRoundTrip(t *testing.T) {
	ctx := context.Background()
	csvText := "component,time,ok,latency_ms,status,error,region\n" +
		"api,2026-11-01T00:00:00Z,true,12.5,200,,eu\n" +
		"api,2026-11-01T00:01:00Z,false,0,503,\"bad gateway, again\",eu\n" +
		"api,2026-11-01T00:02:00Z,maybe,0,503,,eu\n"
	s := openTest(t, sampleOpts)
	// No .csv extension: the format is sniffed.
	st, err := s.Import(ctx, strings.NewReader(csvText), "results.txt", importNow, nil)
	if err == nil || !strings.Contains(err.Error(), `results.txt:4: ok "maybe" is not true or false`) {
		t.Errorf("err = %v, want the bad line 4", err)
	}
	if st.Imported != 2 {
		t.Errorf("imported %d, want 2", st.Imported)
	}
	var out bytes.Buffer
	if err := s.Export(ctx, &out, "api", time.Time{}); err != nil {
		t.Fatal(err)
	}
	want := `{"component":"api","time":"2026-11-01T00:00:00Z","ok":true,"latency_ms":12.5,"status":200,"region":"eu"}
{"component":"api","time":"2026-11-01T00:01:00Z","ok":false,"latency_ms":0,"status":503,"error":"bad gateway, again","region":"eu"}
`
	if out.String() != want {
		t.Errorf("export:\n got %s\nwant %s", out.String(), want)
	}
	// The export, gzipped, imports into a fresh store as the same results.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(out.Bytes())
	zw.Close()
	s2 := openTest(t, sampleOpts)
	if st, err := s2.Import(ctx, &gz, "export.jsonl.gz", importNow, nil); err != nil || st.Imported != 2 {
		t.Fatalf("import of the gzipped export: %+v, %v", st, err)
	}
	var again bytes.Buffer
	if err := s2.Export(ctx, &again, "", at(0)); err != nil {
		t.Fatal(err)
	}
	if again.String() != want {
		t.Errorf("round trip:\n got %s\nwant %s", again.String(), want)
	}
	latest, ok, err := s2.Latest(ctx, "api", at(60))
	if err != nil || !ok || !latest.Time.Equal(at(1)) || latest.OK {
		t.Errorf("Latest = %+v, %t, %v; want the failure at minute 1", latest, ok, err)
	}
}

// BenchmarkImport imports a million results into a fresh store: 100
// components in one region, 1-minute results over a week, in time order
// (every component's result of a minute together, as a prober writes them)
// and with every field, as bench/sitegen writes them for make bench:
// go test ./history -run '^$' -bench Import -benchtime 3x -cpuprofile cpu.pprof
func BenchmarkImport(b *testing.B) {
	const comps, minutes = 100, 10_000
	const n = comps * minutes
	var buf []byte
	opts := Options{Components: map[string]ComponentOptions{}}
	for c := range comps {
		opts.Components[fmt.Sprint("component-", c)] = ComponentOptions{Interval: time.Minute, Confirm: 2}
	}
	for m := range minutes {
		stamp := at(float64(m)).Format(time.RFC3339)
		for c := range comps {
			ok := (m+c)%997 != 0
			buf = fmt.Appendf(buf, `{"component":"component-%d","time":%q,"ok":%t,"latency_ms":%d.%d,"status":200,"error":"","region":"us"}`+"\n",
				c, stamp, ok, 20+(m*c)%300, m%10)
		}
	}
	b.SetBytes(int64(len(buf)))
	cpu0 := cpuTime()
	for b.Loop() {
		s := openTest(b, opts)
		st, err := s.Import(context.Background(), bytes.NewReader(buf), "bench.jsonl", importNow, nil)
		if err != nil || st.Imported != n {
			b.Fatal(st, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "results/s")
	// On a shared machine, CPU time is the steadier measure.
	b.ReportMetric(float64(n*b.N)/(cpuTime()-cpu0).Seconds(), "results/cpu-s")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestLatencySummaryGrowsWithResults checks what generator's latency cache
// relies on: any result added to a range, late ones included, changes its
// summary.
func TestLatencySummaryGrowsWithResults(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "h.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	from, to := base, base.Add(48*time.Hour)
	summary := func() [2]int64 {
		t.Helper()
		rows, results, err := st.LatencySummary(ctx, "api", from, to)
		if err != nil {
			t.Fatal(err)
		}
		return [2]int64{rows, results}
	}
	if got := summary(); got != [2]int64{} {
		t.Fatalf("empty store: summary %v, want zeros", got)
	}
	if err := st.Record(ctx, []Result{{Component: "api", Time: base.Add(30 * time.Hour), OK: true, LatencyMS: 120}}); err != nil {
		t.Fatal(err)
	}
	one := summary()
	if one[0] == 0 || one[1] != 1 {
		t.Fatalf("one result: summary %v, want rows > 0 and 1 result", one)
	}
	// Late, into an hour that already has a row with the same bucket.
	if err := st.Record(ctx, []Result{{Component: "api", Time: base.Add(30*time.Hour + time.Minute), OK: true, LatencyMS: 121}}); err != nil {
		t.Fatal(err)
	}
	if two := summary(); two[1] != 2 || two == one {
		t.Errorf("a second result in the same hour and bucket: summary %v after %v", two, one)
	}
	if err := st.Record(ctx, []Result{{Component: "api", Time: to.Add(time.Hour), OK: true, LatencyMS: 50}}); err != nil {
		t.Fatal(err)
	}
	if got := summary(); got[1] != 2 {
		t.Errorf("a result after the range changed its summary: %v", got)
	}
}

// TestImportRefusesFutureResults: a result stamped more than ClockSkew
// after the import's clock is a bad line, named by file:line; one at most
// ClockSkew ahead (a clock running a little fast) is kept.
func TestImportRefusesFutureResults(t *testing.T) {
	line := func(at time.Time) string {
		return fmt.Sprintf(`{"component":"api","time":%q,"ok":true}`+"\n", at.Format(time.RFC3339Nano))
	}
	tests := []struct {
		name, file, in string
		bad            string // the error, or "" when the result is kept
	}{
		{"far in the future", "r.jsonl", line(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)),
			"r.jsonl:1: result from the future: time 9999-01-01T00:00:00Z is more than 5 minutes after now, 2026-12-01T00:00:00Z (the clock that stamped it ran ahead: correct the time or drop the line)"},
		{"a millisecond beyond the tolerance", "r.jsonl", line(importNow.Add(ClockSkew + time.Millisecond)),
			"r.jsonl:1: result from the future: time 2026-12-01T00:05:00.001Z is more than 5 minutes after now"},
		{"in CSV", "r.csv", "component,time,ok\napi,9999-01-01T00:00:00Z,true\n",
			"r.csv:2: result from the future: time 9999-01-01T00:00:00Z"},
		{"exactly at the tolerance", "r.jsonl", line(importNow.Add(ClockSkew)), ""},
		{"just before now", "r.jsonl", line(importNow.Add(-time.Minute)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, sampleOpts)
			st, err := s.Import(context.Background(), strings.NewReader(tt.in), tt.file, importNow, nil)
			if tt.bad == "" {
				if err != nil || st.Imported != 1 {
					t.Errorf("got %+v, %v; want the result imported", st, err)
				}
				return
			}
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Lines) != 1 || !strings.HasPrefix(ie.Lines[0].Error(), tt.bad) {
				t.Fatalf("got %v, want one bad line starting %q", err, tt.bad)
			}
			if st.Imported != 0 || st.Bad != 1 {
				t.Errorf("got %+v, want nothing imported and one bad line", st)
			}
		})
	}
}

// TestLatencyMark checks what a reader of the latency relies on: the
// count of late writes changes when, and only when, a write adds to an
// hour older than its component's newest, another component's hours
// aside, and Newest is that component's newest hour.
func TestLatencyMark(t *testing.T) {
	st := openTest(t, Options{})
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	mark := func() LatencyMark {
		t.Helper()
		m, err := st.LatencyMark(ctx, "api")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if got := mark(); got.Newest != math.MinInt64 {
		t.Fatalf("empty store: got newest %d, want none", got.Newest)
	}
	steps := []struct {
		name      string
		results   []Result
		late      bool // the count changes
		newestHrs int  // api's newest hour, in hours after base
	}{
		{"the first result", []Result{{Component: "api", Time: base.Add(5 * time.Hour), OK: true, LatencyMS: 80}}, false, 5},
		{"in the newest hour", []Result{{Component: "api", Time: base.Add(5*time.Hour + time.Minute), OK: true, LatencyMS: 80}}, false, 5},
		{"in a newer hour", []Result{{Component: "api", Time: base.Add(7 * time.Hour), OK: true, LatencyMS: 80}}, false, 7},
		{"another component, older", []Result{{Component: "web", Time: base.Add(time.Hour), OK: true, LatencyMS: 80}}, false, 7},
		{"late, in an old hour", []Result{{Component: "api", Time: base.Add(6 * time.Hour), OK: true, LatencyMS: 80}}, true, 7},
		{"late again, with a newer one", []Result{
			{Component: "api", Time: base.Add(2 * time.Hour), OK: true, LatencyMS: 80},
			{Component: "api", Time: base.Add(9 * time.Hour), OK: true, LatencyMS: 80},
		}, true, 9},
		{"a failure, which has no latency, late", []Result{{Component: "api", Time: base.Add(3 * time.Hour)}}, false, 9},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := mark()
			if err := st.Record(ctx, s.results); err != nil {
				t.Fatal(err)
			}
			got := mark()
			if late := got.Late != before.Late; late != s.late {
				t.Errorf("got the count changed %v (%d to %d), want %v", late, before.Late, got.Late, s.late)
			}
			if want := base.Add(time.Duration(s.newestHrs) * time.Hour).UnixMilli(); got.Newest != want {
				t.Errorf("got newest %d, want %d", got.Newest, want)
			}
		})
	}
}
