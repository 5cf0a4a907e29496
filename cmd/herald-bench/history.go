package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // to count and vacuum the stores

	"github.com/herald-status/herald/bench/sitegen"
	"github.com/herald-status/herald/history"
)

// historyConfig is what the history measurements run at; the defaults are
// the figures, the flags make a quicker run while developing.
type historyConfig struct {
	skip          bool
	days          int // days of probe results for the large site
	importResults int // results in the timed import file
	importRuns    int
	smallDays     int // days of raw results kept in the "1 M" store
	probeChecks   int
	probeInterval time.Duration
	probeFor      time.Duration
}

// historyResult is the history measurements.
type historyResult struct {
	skipped string

	// Import of importN results into a fresh store, whole process.
	importN     int
	importBytes int64
	importRuns  []sample

	// Clean builds of the large site over its full probe history, and over
	// the same store pruned to fewer raw results (same roll-ups).
	rawBig, rawSmall     int
	days, smallDays      int
	buildBig, buildSmall []sample
	buildRatio           []float64 // big / small, wall time, per round
	buildCPURatio        []float64 // big / small, CPU time, per round
	files, pages         int
	bytes                int64
	indexRaw, indexGz    int
	// Timer-only rebuilds of the same site through a Builder, seconds.
	timerRebuild []float64

	probe probeResult
}

type probeResult struct {
	skipped            string
	checks, runs       int
	interval, duration time.Duration
	s                  sample
	requests           int64
	p50, p99, max      time.Duration
}

func measureHistory(ctx context.Context, c config, log io.Writer) historyResult {
	var x historyResult
	if c.history.skip {
		x.skipped = "not measured (-skip-history)"
		x.probe.skipped = x.skipped
		return x
	}
	cmds := commands(ctx, c.herald)
	if !cmds["import"] {
		x.skipped = "`herald import` not available"
	} else if err := measureImportAndBuilds(ctx, c, &x, log); err != nil {
		x.skipped = "failed: " + err.Error()
		fmt.Fprintf(log, "   %s\n", x.skipped)
	}
	if !cmds["probe"] {
		x.probe.skipped = "`herald probe` not available"
	} else if err := measureProber(ctx, c, &x.probe, log); err != nil {
		x.probe.skipped = "failed: " + err.Error()
		fmt.Fprintf(log, "   %s\n", x.probe.skipped)
	}
	return x
}

var importedRE = regexp.MustCompile(`: (\d+) results imported, (\d+) already there, (\d+) older than the retention horizon, (\d+) bad`)

// measureImportAndBuilds writes the large site with probes and its 90 days
// of results, times `herald import` of the first importResults of them
// into a fresh store (importRuns times, keeping the last store), imports
// the rest, and times clean builds over that store and over a copy pruned
// to smallDays of raw results, alternating.
func measureImportAndBuilds(ctx context.Context, c config, x *historyResult, log io.Writer) error {
	hc := c.history
	sp := sitegen.Large.WithProbes()
	sp.ProbeDays = hc.days
	x.days = hc.days
	dir := filepath.Join(c.work, "history")
	big, small := filepath.Join(dir, "site-big"), filepath.Join(dir, "site-small")
	if _, err := sitegen.Generate(big, sp, c.seed); err != nil {
		return err
	}
	total := sitegen.ProbeResults(sp)
	x.importN = min(hc.importResults, total)
	first, rest := filepath.Join(dir, "results.jsonl"), filepath.Join(dir, "results-rest.jsonl")
	fmt.Fprintf(log, "   writing %d probe results (%d components × %d days × 1 a minute)\n", total, sp.Components, sp.ProbeDays)
	if err := writeProbeHistory(first, sp, c.seed, 0, x.importN); err != nil {
		return err
	}
	if err := writeProbeHistory(rest, sp, c.seed, x.importN, total-x.importN); err != nil {
		return err
	}
	if fi, err := os.Stat(first); err == nil {
		x.importBytes = fi.Size()
	}
	now := sitegen.Now.Format(time.RFC3339)
	imp := func(file string) (sample, int, error) {
		s, out, err := timeCmdOut(ctx, c.timeBin, dir, 0, c.herald, "import", "-site", big, "-now", now, file)
		if err != nil {
			return s, 0, err
		}
		m := importedRE.FindStringSubmatch(out)
		if m == nil || m[4] != "0" {
			return s, 0, fmt.Errorf("herald import said %q", strings.TrimSpace(out))
		}
		var n int
		fmt.Sscan(m[1], &n)
		return s, n, nil
	}
	for i := range hc.importRuns {
		if err := os.RemoveAll(filepath.Join(big, "data")); err != nil {
			return err
		}
		s, n, err := imp(first)
		if err != nil {
			return err
		}
		if n != x.importN {
			return fmt.Errorf("import run %d stored %d results, want %d", i+1, n, x.importN)
		}
		x.importRuns = append(x.importRuns, s)
		fmt.Fprintf(log, "   import run %d %7.2f s  cpu %7.2f s  rss %4d MB  %8.0f results/s\n", i+1, s.wall.Seconds(), s.cpu.Seconds(), s.rssKB/1024, float64(n)/s.wall.Seconds())
	}
	if total > x.importN {
		s, n, err := imp(rest)
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "   imported the other %d results in %.2f s\n", n, s.wall.Seconds())
	}
	os.Remove(first)
	os.Remove(rest)

	// The small store: a copy of the big one with raw results pruned to
	// the last smallDays days. Its roll-ups, and so its pages, are the
	// big one's; only the raw results differ.
	if err := os.RemoveAll(small); err != nil {
		return err
	}
	if err := os.CopyFS(small, os.DirFS(big)); err != nil {
		return err
	}
	x.smallDays = hc.smallDays
	if err := pruneStore(ctx, filepath.Join(small, "data", "history.db"), time.Duration(hc.smallDays)*24*time.Hour); err != nil {
		return err
	}
	var err error
	if x.rawBig, err = countResults(ctx, filepath.Join(big, "data", "history.db")); err != nil {
		return err
	}
	if x.rawSmall, err = countResults(ctx, filepath.Join(small, "data", "history.db")); err != nil {
		return err
	}
	fmt.Fprintf(log, "   builds over %d and %d stored results (the same roll-ups)\n", x.rawBig, x.rawSmall)

	build := func(site string) (sample, error) {
		if err := cleanHerald(site); err != nil {
			return sample{}, err
		}
		return timeCmd(ctx, c.timeBin, dir, c.herald, "build", "-site", site, "-now", now)
	}
	for _, site := range []string{big, small} { // warm-up, not counted
		if _, err := build(site); err != nil {
			return err
		}
	}
	for i := range c.runs {
		order := []string{big, small}
		if i%2 == 1 {
			order = []string{small, big}
		}
		round := map[string]sample{}
		for _, site := range order {
			s, err := build(site)
			if err != nil {
				return err
			}
			round[site] = s
			fmt.Fprintf(log, "   round %d %-10s %7.3f s  cpu %7.3f s  rss %4d MB\n", i+1, filepath.Base(site), s.wall.Seconds(), s.cpu.Seconds(), s.rssKB/1024)
		}
		x.buildBig, x.buildSmall = append(x.buildBig, round[big]), append(x.buildSmall, round[small])
		x.buildRatio = append(x.buildRatio, round[big].wall.Seconds()/round[small].wall.Seconds())
		x.buildCPURatio = append(x.buildCPURatio, round[big].cpu.Seconds()/round[small].cpu.Seconds())
	}
	// The last build of the big site left its output: weigh it.
	if _, err := build(big); err != nil {
		return err
	}
	pub := filepath.Join(big, "public")
	if x.files, x.pages, x.bytes, err = treeSize(pub); err != nil {
		return err
	}
	if x.indexRaw, x.indexGz, _, err = pageWeight(pub); err != nil {
		return err
	}
	fmt.Fprintln(log, "   timer-only rebuilds over the full history (in process)")
	x.timerRebuild, err = timerRebuilds(ctx, big, filepath.Join(dir, "timer-public"), max(c.runs, 5))
	return err
}

// pruneStore drops the raw results older than keep before the synthetic
// clock, as `herald import` or `herald probe` would with that retention,
// and vacuums the file, so that it is what a store with that retention
// holds.
func pruneStore(ctx context.Context, path string, keep time.Duration) error {
	st, err := history.Open(path, history.Options{Retention: keep})
	if err != nil {
		return err
	}
	if err := st.Prune(ctx, sitegen.Now); err != nil {
		st.Close()
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("vacuum %s: %w", path, err)
	}
	return nil
}

func countResults(ctx context.Context, path string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM results`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count results in %s: %w", path, err)
	}
	return n, nil
}

var lagRE = regexp.MustCompile(`msg=stopped runs=(\d+) lag_p50=(\S+) lag_p99=(\S+) lag_max=(\S+)`)

// measureProber runs `herald probe` with probeChecks http checks every
// probeInterval against a loopback server in this process, for probeFor,
// then interrupts it and reads the schedule lag from its last log line.
func measureProber(ctx context.Context, c config, p *probeResult, log io.Writer) error {
	hc := c.history
	p.checks, p.interval, p.duration = hc.probeChecks, hc.probeInterval, hc.probeFor
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var requests atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("ok\n"))
	}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	site := filepath.Join(c.work, "probe-site")
	if err := os.RemoveAll(site); err != nil {
		return err
	}
	if err := os.MkdirAll(site, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# Written by herald-bench for the prober's capacity; do not edit.\ntitle: Prober Bench\nbase_url: https://status.bench.example/\ncomponents:\n")
	for i := range p.checks {
		fmt.Fprintf(&b, "  - id: check-%d\n    name: Check %d\n    probe:\n      http: http://%s/c/%d\n      interval: %s\n",
			i, i, ln.Addr(), i, p.interval)
	}
	if err := os.WriteFile(filepath.Join(site, "herald.yaml"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "   %d http checks every %s against %s for %s\n", p.checks, p.interval, ln.Addr(), p.duration)
	s, out, err := timeCmdOut(ctx, c.timeBin, site, p.duration, c.herald, "probe", "-site", site, "-listen", "127.0.0.1:0")
	if err != nil {
		return err
	}
	p.s, p.requests = s, requests.Load()
	m := lagRE.FindStringSubmatch(out)
	if m == nil {
		return fmt.Errorf("no schedule lag in herald probe's log (want a line like `msg=stopped runs=… lag_p50=… lag_p99=… lag_max=…`):\n%s", tail(out, 1000))
	}
	fmt.Sscan(m[1], &p.runs)
	for i, d := range []*time.Duration{&p.p50, &p.p99, &p.max} {
		if *d, err = time.ParseDuration(m[i+2]); err != nil {
			return fmt.Errorf("lag %q: %w", m[i+2], err)
		}
	}
	fmt.Fprintf(log, "   %d runs (%d requests served)  cpu %.2f s  rss %d MB  lag p50 %s p99 %s max %s\n",
		p.runs, p.requests, s.cpu.Seconds(), s.rssKB/1024, p.p50, p.p99, p.max)
	return nil
}
