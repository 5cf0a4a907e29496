package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/herald-status/herald/bench/sitegen"
)

// config is what `herald-bench run` measures and with what.
type config struct {
	herald, floor, hugo, timeBin string
	strace                       string // empty: herald's sync is not timed
	baseline, baselineName       string // an earlier herald; empty: none
	heraldName                   string // herald's `herald version`, beside a baseline
	layouts, work, doc, profile  string
	tmpfs                        string // a tmpfs for the tmpfs rows; empty skips them
	runs, hugeRuns               int
	// floorPairs is how many more builds of herald and the floor are
	// timed side by side after the rounds, on the tmpfs only (see
	// timePairs); 0 on the disk.
	floorPairs                   int
	seed                         uint64
	sizes, hugoSizes, tmpfsSizes []string
	command                      string // as shown in the doc
	history                      historyConfig
}

// toolRuns is one tool's runs at one size.
type toolRuns struct {
	name    string
	samples []sample
	files   int
	pages   int
	bytes   int64
}

// sizeResult is every measurement at one size.
type sizeResult struct {
	spec                sitegen.Spec
	runs                int
	herald, hugo, floor toolRuns
	// baseline is an earlier herald (-baseline), timed on the tmpfs only;
	// no samples when there is none.
	baseline toolRuns
	// Per-pair ratios, herald over the other tool in the same round (and,
	// for the floor, in each of the pairs timed after the rounds).
	hugoTime, hugoRSS, floorTime, floorRSS, baseTime, baseRSS []float64
	// CPU (user+sys) ratios: steadier than wall time on a busy machine.
	hugoCPU, floorCPU, baseCPU []float64
	// Page weight, gzip -9 bytes; 0 when not measured.
	indexGz, cssGz int
	indexRaw       int
	// Feed items found in the site-wide feeds (huge only).
	feedItems map[string]int
	// Seconds herald had a syncfs or fsync running, per traced build (on
	// disk only; see measureSync).
	sync []float64
	// pairs are the builds of herald and the floor timed after the
	// rounds (timePairs), {herald, floor}; their ratios are among the
	// floor's, but the tools' rows are the rounds' alone, as Hugo's and
	// the baseline's are.
	pairs [][2]sample
}

// pairRuns are herald's and the floor's builds in the pairs.
func (r *sizeResult) pairRuns() (herald, floor toolRuns) {
	for _, p := range r.pairs {
		herald.samples = append(herald.samples, p[0])
		floor.samples = append(floor.samples, p[1])
	}
	return herald, floor
}

// heraldBusy is busy over herald's builds in the rounds and the pairs.
func (r *sizeResult) heraldBusy() []float64 {
	h, _ := r.pairRuns()
	return append(r.herald.busy(), h.busy()...)
}

// baselineTool names the earlier herald of -baseline in a round.
const baselineTool = "herald before"

// addRound adds the ratios of one round, herald over each other tool
// that ran in it: the medians of these per-round ratios are the reported
// ratios, so that a slow spell of a shared machine, which slows every
// tool of its round, cancels out.
func (r *sizeResult) addRound(round map[string]sample) {
	h := round["herald"]
	if o, ok := round["Hugo"]; ok {
		r.hugoTime = append(r.hugoTime, h.wall.Seconds()/o.wall.Seconds())
		r.hugoRSS = append(r.hugoRSS, float64(h.rssKB)/float64(o.rssKB))
		r.hugoCPU = append(r.hugoCPU, h.cpu.Seconds()/o.cpu.Seconds())
	}
	if o, ok := round[baselineTool]; ok {
		r.baseTime = append(r.baseTime, h.wall.Seconds()/o.wall.Seconds())
		r.baseRSS = append(r.baseRSS, float64(h.rssKB)/float64(o.rssKB))
		r.baseCPU = append(r.baseCPU, h.cpu.Seconds()/o.cpu.Seconds())
	}
	r.addFloorPair(h, round["floor"])
}

// addFloorPair adds the ratios of herald's build h over the floor's o,
// timed one after the other.
func (r *sizeResult) addFloorPair(h, o sample) {
	r.floorTime = append(r.floorTime, h.wall.Seconds()/o.wall.Seconds())
	r.floorRSS = append(r.floorRSS, float64(h.rssKB)/float64(o.rssKB))
	r.floorCPU = append(r.floorCPU, h.cpu.Seconds()/o.cpu.Seconds())
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var c config
	fs.StringVar(&c.herald, "herald", "bin/herald", "the herald binary")
	fs.StringVar(&c.baseline, "baseline", "", "an earlier herald binary, timed beside herald in the same rounds of the tmpfs builds (herald over it is a change's before and after); empty skips it")
	fs.StringVar(&c.baselineName, "baseline-name", "", "what the report calls the -baseline binary (default: its `herald version`)")
	fs.StringVar(&c.floor, "floor", "bin/herald-floor", "the floor binary (bench/floor)")
	fs.StringVar(&c.hugo, "hugo", "hugo", "the Hugo binary; empty skips Hugo")
	fs.StringVar(&c.timeBin, "time", "/usr/bin/time", "GNU time, for peak RSS")
	fs.StringVar(&c.strace, "strace", "strace", "strace, to time herald's syncfs apart; empty skips that")
	fs.StringVar(&c.tmpfs, "tmpfs", "/dev/shm", "a tmpfs for the clean builds that no disk slows (a folder is made in it and removed after); empty skips them")
	fs.StringVar(&c.layouts, "layouts", "bench/hugo", "the Hugo config and layouts")
	fs.StringVar(&c.work, "work", filepath.Join(os.TempDir(), "herald-bench"), "scratch folder for the sites (emptied first)")
	fs.StringVar(&c.doc, "doc", "docs/benchmarks.md", "the document whose results section to rewrite; empty writes none")
	fs.StringVar(&c.profile, "profile", "", "also write CPU and memory profiles of the large build into this folder")
	fs.IntVar(&c.runs, "runs", 5, "runs per tool and size")
	fs.IntVar(&c.hugeRuns, "huge-runs", 3, "runs per tool at the huge size")
	fs.IntVar(&c.floorPairs, "floor-pairs", 15, "more builds of herald and the floor, side by side after the rounds, at each tmpfs size: the herald / floor and CPU / wall targets are judged on every round and pair")
	fs.Uint64Var(&c.seed, "seed", 1, "the synthetic sites' seed")
	sizes := fs.String("sizes", "small,large,huge", "the sizes to measure")
	hugoSizes := fs.String("hugo-sizes", "small,large", "the sizes at which Hugo runs too (its target is at large; huge takes minutes)")
	tmpfsSizes := fs.String("tmpfs-sizes", "medium,large", "the sizes to measure again on the tmpfs, Hugo included")
	fs.StringVar(&c.command, "command", "make bench", "the command to name in the doc")
	fs.BoolVar(&c.history.skip, "skip-history", false, "skip the history measurements (import, builds over 1 M and 13 M results, prober): they take a few minutes")
	fs.IntVar(&c.history.days, "history-days", sitegen.Large.ProbeDays, "days of 1-minute probe results for the large site's 100 components (90: 12.96 M)")
	fs.IntVar(&c.history.importResults, "import-results", 10_000_000, "results in the timed import")
	fs.IntVar(&c.history.importRuns, "import-runs", 3, "timed imports, each into a fresh store")
	fs.IntVar(&c.history.smallDays, "small-days", 7, "days of raw results in the small store (100 components × 1 a minute × 7 days ≈ 1 M)")
	fs.IntVar(&c.history.probeChecks, "probe-checks", 5000, "http checks the prober runs")
	fs.DurationVar(&c.history.probeInterval, "probe-interval", 30*time.Second, "their interval")
	fs.DurationVar(&c.history.probeFor, "probe-for", 2*time.Minute, "how long the prober runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.sizes, c.hugoSizes, c.tmpfsSizes = strings.Split(*sizes, ","), strings.Split(*hugoSizes, ","), strings.Split(*tmpfsSizes, ",")
	for _, p := range []*string{&c.herald, &c.floor, &c.layouts} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	if c.baseline != "" {
		abs, err := filepath.Abs(c.baseline)
		if err != nil {
			return err
		}
		c.baseline = abs
		if c.heraldName, err = versionOf(ctx, c.herald); err != nil {
			return err
		}
		if c.baselineName == "" {
			if c.baselineName, err = versionOf(ctx, c.baseline); err != nil {
				return err
			}
		}
	}
	for _, t := range []*string{&c.hugo, &c.strace} {
		if *t == "" {
			continue
		}
		if p, err := exec.LookPath(*t); err != nil {
			fmt.Fprintf(stderr, "herald-bench: %s not found; skipping it\n", *t)
			*t = ""
		} else {
			*t = p
		}
	}
	started := time.Now()
	if err := os.RemoveAll(c.work); err != nil {
		return err
	}
	m := describeMachine(ctx, c)
	fmt.Fprintf(stdout, "machine: %s\n\n", m.oneLine())

	var results []*sizeResult
	for _, name := range c.sizes {
		sp, err := spec(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "== %s: %d incidents, %d components\n", sp.Name, sp.Incidents, sp.Components)
		// The baseline runs where the targets are judged, on the tmpfs:
		// on the disk it would add minutes and measure the disk again.
		onDisk := c
		onDisk.baseline, onDisk.floorPairs = "", 0
		r, err := measureSize(ctx, onDisk, sp, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", sp.Name, err)
		}
		if c.strace != "" {
			fmt.Fprintf(stderr, "   herald's syncfs, %d builds under strace\n", syncRuns)
			if r.sync, err = measureSync(ctx, c, filepath.Join(c.work, sp.Name, "site")); err != nil {
				return fmt.Errorf("%s: %w", sp.Name, err)
			}
		}
		results = append(results, r)
	}
	tmpfs, err := measureTmpfs(ctx, c, stderr)
	if err != nil {
		return err
	}
	extra, err := measureExtras(ctx, c, results, stderr)
	if err != nil {
		return err
	}
	extra.tmpfs = tmpfs
	if c.profile != "" {
		if extra.profile, err = writeProfiles(ctx, c, stderr); err != nil {
			return err
		}
	}
	extra.elapsed = time.Since(started)
	report := formatReport(c, m, results, extra)
	fmt.Fprint(stdout, report)
	if c.doc != "" {
		if err := writeDoc(c.doc, report); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwrote the results into %s\n", c.doc)
	}
	return nil
}

// versionOf is what `bin version` prints, "herald 3ac1fa5".
func versionOf(ctx context.Context, bin string) (string, error) {
	out, err := exec.CommandContext(ctx, bin, "version").Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", bin, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// measureSize generates the site for sp and times herald, Hugo and the
// floor on it, round by round, alternating their order.
func measureSize(ctx context.Context, c config, sp sitegen.Spec, log io.Writer) (*sizeResult, error) {
	dir := filepath.Join(c.work, sp.Name)
	site := filepath.Join(dir, "site")
	ins, err := sitegen.Generate(site, sp, c.seed)
	if err != nil {
		return nil, err
	}
	hugoSrc, hugoOut, floorOut := filepath.Join(dir, "hugo"), filepath.Join(dir, "hugo-out"), filepath.Join(dir, "floor-out")
	if !slices.Contains(c.hugoSizes, sp.Name) {
		c.hugo = ""
	}
	if c.hugo != "" {
		if err := sitegen.WriteHugo(hugoSrc, ins); err != nil {
			return nil, err
		}
		if err := sitegen.CopyTree(hugoSrc, c.layouts); err != nil {
			return nil, err
		}
	}
	r := &sizeResult{spec: sp, runs: c.runs}
	if sp.Name == sitegen.Huge.Name {
		r.runs = c.hugeRuns
	}
	r.herald.name, r.hugo.name, r.floor.name, r.baseline.name = "herald", "Hugo", "floor", baselineTool
	now := sitegen.Now.Format(time.RFC3339)

	runHerald := func() (sample, error) {
		if err := cleanHerald(site); err != nil {
			return sample{}, err
		}
		return timeCmd(ctx, c.timeBin, dir, c.herald, "build", "-site", site, "-now", now)
	}
	runBaseline := func() (sample, error) {
		if err := cleanHerald(site); err != nil {
			return sample{}, err
		}
		return timeCmd(ctx, c.timeBin, dir, c.baseline, "build", "-site", site, "-now", now)
	}
	runHugo := func() (sample, error) {
		if err := os.RemoveAll(hugoOut); err != nil {
			return sample{}, err
		}
		return timeCmd(ctx, c.timeBin, dir, c.hugo, "--quiet", "--source", hugoSrc, "--destination", hugoOut)
	}
	runFloor := func() (sample, error) {
		if err := os.RemoveAll(floorOut); err != nil {
			return sample{}, err
		}
		return timeCmd(ctx, c.timeBin, dir, c.floor, "-site", site, "-out", floorOut,
			"-files", fmt.Sprint(r.herald.files), "-bytes", fmt.Sprint(r.herald.bytes))
	}

	// One warm-up run of each, not counted: it fills the page cache and
	// tells the floor how much herald writes.
	if _, err := runHerald(); err != nil {
		return nil, err
	}
	if r.herald.files, r.herald.pages, r.herald.bytes, err = treeSize(filepath.Join(site, "public")); err != nil {
		return nil, err
	}
	type tool struct {
		t   *toolRuns
		run func() (sample, error)
		out string
	}
	// herald sits between the floor and the baseline in every round,
	// whichever way round it goes, so that a slow spell of the machine
	// falls on a ratio's two builds alike; Hugo, whose ratio has the most
	// room, goes at an end.
	heraldTool := tool{&r.herald, runHerald, filepath.Join(site, "public")}
	var tools []tool
	if c.baseline != "" {
		tools = append(tools, tool{&r.baseline, runBaseline, filepath.Join(site, "public")})
	}
	tools = append(tools, heraldTool, tool{&r.floor, runFloor, floorOut})
	if c.hugo != "" {
		tools = append(tools, tool{&r.hugo, runHugo, hugoOut})
	}
	for _, t := range tools {
		if t.t == heraldTool.t {
			continue // warmed up above
		}
		if _, err := t.run(); err != nil {
			return nil, err
		}
		if t.t.files, t.t.pages, t.t.bytes, err = treeSize(t.out); err != nil {
			return nil, err
		}
	}
	for i := range r.runs {
		order := tools
		if i%2 == 1 {
			order = []tool{}
			for j := len(tools) - 1; j >= 0; j-- {
				order = append(order, tools[j])
			}
		}
		round := map[string]sample{}
		for _, t := range order {
			s, err := t.run()
			if err != nil {
				return nil, err
			}
			t.t.samples = append(t.t.samples, s)
			round[t.t.name] = s
			fmt.Fprintf(log, "   round %d %-13s %7.3f s  cpu %7.3f s  rss %4d MB\n", i+1, t.t.name, s.wall.Seconds(), s.cpu.Seconds(), s.rssKB/1024)
		}
		r.addRound(round)
	}
	pairs, err := timePairs(c.floorPairs, runHerald, runFloor, func(i int, h, f sample) {
		fmt.Fprintf(log, "   pair %2d herald %7.3f s  cpu %7.3f s | floor %7.3f s  cpu %7.3f s | cpu %.2f×\n", i+1, h.wall.Seconds(), h.cpu.Seconds(), f.wall.Seconds(), f.cpu.Seconds(), h.cpu.Seconds()/f.cpu.Seconds())
	})
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		r.addFloorPair(p[0], p[1])
	}
	r.pairs = pairs
	// The last herald run left a complete site: weigh it and count feeds.
	if err := cleanHerald(site); err != nil {
		return nil, err
	}
	if _, err := runHerald(); err != nil {
		return nil, err
	}
	pub := filepath.Join(site, "public")
	if sp.Name != sitegen.Huge.Name {
		if r.indexRaw, r.indexGz, r.cssGz, err = pageWeight(pub); err != nil {
			return nil, err
		}
	} else {
		if r.feedItems, err = countFeedItems(pub); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// timePairs times n more pairs of builds, herald's and the floor's, one
// right after the other, herald first in every other pair, and returns
// them as {herald, floor}; show is told of each as it is timed.
//
// Five rounds of four tools could not tell 1.45× from 1.55× apart on a
// shared machine: each round's herald and floor builds were seconds apart,
// with Hugo's between them, and one run's median moved by a tenth from
// the next (docs/benchmarks.md, round 14). Pairs cost about a second each
// on the large site, so many more of them fit.
func timePairs(n int, herald, floor func() (sample, error), show func(i int, h, f sample)) ([][2]sample, error) {
	var pairs [][2]sample
	for i := range n {
		first, second := herald, floor
		if i%2 == 1 {
			first, second = floor, herald
		}
		a, err := first()
		if err != nil {
			return nil, err
		}
		b, err := second()
		if err != nil {
			return nil, err
		}
		if i%2 == 1 {
			a, b = b, a
		}
		show(i, a, b)
		pairs = append(pairs, [2]sample{a, b})
	}
	return pairs, nil
}
