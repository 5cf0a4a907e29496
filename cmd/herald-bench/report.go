package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/herald-status/herald/bench/sitegen"
)

// machine describes where the numbers come from.
type machine struct {
	nproc, cpu, mem, goVersion, kernel, hugo string
	loadStart                                string // /proc/loadavg when the run began
}

// loadavg is the 1, 5 and 15 minute load averages: on a shared machine,
// how much else was running.
func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func describeMachine(ctx context.Context, c config) machine {
	m := machine{nproc: fmt.Sprint(runtime.NumCPU()), goVersion: runtime.Version(), loadStart: loadavg()}
	if out, err := exec.CommandContext(ctx, "nproc").Output(); err == nil {
		m.nproc = strings.TrimSpace(string(out))
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
				var kb int64
				fmt.Sscan(f[1], &kb)
				m.mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	if out, err := exec.CommandContext(ctx, "go", "version").Output(); err == nil {
		m.goVersion = strings.TrimPrefix(strings.TrimSpace(string(out)), "go version ")
	}
	if out, err := exec.CommandContext(ctx, "uname", "-r").Output(); err == nil {
		m.kernel = strings.TrimSpace(string(out))
	}
	m.hugo = "not installed"
	if c.hugo != "" {
		if out, err := exec.CommandContext(ctx, c.hugo, "version").Output(); err == nil {
			m.hugo = strings.TrimSpace(string(out))
		}
	}
	return m
}

func (m machine) oneLine() string {
	return fmt.Sprintf("%s cores (nproc), %s, %s RAM, Linux %s, %s; Hugo: %s", m.nproc, m.cpu, m.mem, m.kernel, m.goVersion, m.hugo)
}

// writeProfiles runs the large build as a Go benchmark with pprof on and
// returns the top of both profiles.
func writeProfiles(ctx context.Context, c config, log io.Writer) (string, error) {
	if err := os.MkdirAll(c.profile, 0o755); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "== profiling the large build → %s\n", c.profile)
	bin := filepath.Join(c.profile, "bench.test")
	cpu, mem := filepath.Join(c.profile, "cpu.pprof"), filepath.Join(c.profile, "mem.pprof")
	cmd := exec.CommandContext(ctx, "go", "test", "./bench", "-run", "^$", "-bench", "^BenchmarkBuild$/^large$",
		"-benchtime", "5x", "-benchmem", "-cpuprofile", cpu, "-memprofile", mem, "-o", bin)
	// The benchmark builds in TMPDIR: on the tmpfs, the profile shows
	// herald's own work rather than the disk's.
	where := "in " + os.TempDir()
	if c.tmpfs != "" && checkTmpfs(c.tmpfs, tmpfsNeed(sitegen.Large)) == nil {
		cmd.Env = append(os.Environ(), "TMPDIR="+c.tmpfs)
		where = "on the tmpfs " + c.tmpfs
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Built %s.\n", where)
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			fmt.Fprintf(&b, "%s\n", l)
		}
	}
	for _, p := range []struct {
		title string
		args  []string
	}{
		{"CPU, by cumulative time, herald's and goldmark's functions", []string{"-top", "-cum", "-nodecount=400", bin, cpu}},
		{"CPU, by own time", []string{"-top", "-nodecount=15", bin, cpu}},
		{"allocated bytes, by cumulative, herald's functions", []string{"-top", "-cum", "-sample_index=alloc_space", "-nodecount=400", bin, mem}},
	} {
		out, err := exec.CommandContext(ctx, "go", append([]string{"tool", "pprof"}, p.args...)...).Output()
		if err != nil {
			return "", fmt.Errorf("go tool pprof: %w", err)
		}
		fmt.Fprintf(&b, "\n%s:\n%s", p.title, pick(string(out), strings.Contains(p.title, "herald's")))
	}
	fmt.Fprintf(&b, "\n(go tool pprof -http=127.0.0.1:0 %s %s)\n", bin, cpu)
	return b.String(), nil
}

// pick keeps pprof's header and table head, and of the rows either the
// first 15 or the first 20 that name herald's or goldmark's code.
func pick(out string, ours bool) string {
	var b strings.Builder
	n := 0
	inRows := false
	for _, l := range strings.Split(out, "\n") {
		if !inRows {
			if strings.HasPrefix(l, "Showing nodes") || strings.Contains(l, "flat%") {
				b.WriteString(l + "\n")
			}
			if strings.Contains(l, "flat%") {
				inRows = true
			}
			continue
		}
		if ours && !strings.Contains(l, "herald-status/herald/generator") && !strings.Contains(l, "yuin/goldmark") {
			continue
		}
		if l == "" || n >= 20 {
			continue
		}
		b.WriteString(l + "\n")
		n++
	}
	return b.String()
}

func secs(xs []sample, f func(sample) float64) []float64 {
	out := make([]float64, len(xs))
	for i, s := range xs {
		out[i] = f(s)
	}
	return out
}

func fmtS(s stats) string {
	return fmt.Sprintf("%.2f s (%.2f–%.2f)", s.med, s.min, s.max)
}

func fmtMB(s stats) string {
	return fmt.Sprintf("%.0f MB (%.0f–%.0f)", s.med, s.min, s.max)
}

func fmtN(s stats) string {
	return fmt.Sprintf("%.2f (%.2f–%.2f)", s.med, s.min, s.max)
}

func fmtX(s stats) string {
	return fmt.Sprintf("%.2f× (%.2f–%.2f)", s.med, s.min, s.max)
}

// target is one PASS/MISS line.
type target struct {
	name       string
	got, limit float64
	unit       string
	measured   bool
	why        string // when not measured
	atLeast    bool   // the target is a floor (got ≥ limit), not a ceiling
}

func (t target) String() string {
	if !t.measured {
		return fmt.Sprintf("| SKIP | %s | %s |", t.name, t.why)
	}
	verdict, op := "PASS", "≤"
	if t.atLeast {
		op = "≥"
	}
	if t.got > t.limit && !t.atLeast || t.got < t.limit && t.atLeast {
		verdict = "MISS"
	}
	return fmt.Sprintf("| %s | %s | %.3g%s, target %s %.3g%s (%.2f of the limit) |", verdict, t.name, t.got, t.unit, op, t.limit, t.unit, t.got/t.limit)
}

// busy is each run's CPU time over its wall time: how many cores it kept
// busy on average.
func (t toolRuns) busy() []float64 {
	return secs(t.samples, func(s sample) float64 { return s.cpu.Seconds() / s.wall.Seconds() })
}

// tmpfsTargets are issue #17's targets, judged on the clean builds on
// tmpfs: herald against Hugo and the floor with no disk in the way, and
// both cores busy. The CPU / wall target is 1.8 on 2 cores, every core
// 90 % busy; on another count it scales to 0.9 × cores.
func tmpfsTargets(t tmpfsResult, cores int) []target {
	if t.skipped != "" {
		return []target{{name: "clean builds on tmpfs", why: t.skipped}}
	}
	var ts []target
	for _, r := range t.results {
		at := thousands(r.spec.Incidents) + " incidents, tmpfs"
		if len(r.hugoTime) > 0 {
			wall := summarize(r.hugoTime).med
			ts = append(ts,
				target{name: "herald / Hugo wall time at " + at, got: wall, limit: 0.3, unit: "×", measured: true},
				target{name: "herald / Hugo wall time at " + at + " (stretch)", got: wall, limit: 0.25, unit: "×", measured: true},
				target{name: "herald / Hugo peak RSS at " + at, got: summarize(r.hugoRSS).med, limit: 0.25, unit: "×", measured: true})
		} else {
			ts = append(ts, target{name: "herald / Hugo at " + at, why: "Hugo not installed"})
		}
		ts = append(ts,
			target{name: "herald / floor CPU time (user+sys) at " + at, got: summarize(r.floorCPU).med, limit: 1.5, unit: "×", measured: true},
			target{name: fmt.Sprintf("herald CPU time / wall time at %s, %d cores (every core busy: ≥ 0.9 × cores)", at, cores),
				got: summarize(r.heraldBusy()).med, limit: 0.9 * float64(cores), measured: true, atLeast: true})
	}
	if l := t.langs; l != nil {
		ts = append(ts, target{name: "a second language, herald en + de / en CPU time at " + thousands(sitegen.Large.Incidents) + " incidents, tmpfs", got: summarize(l.cpuRatio).med, limit: 2.0, unit: "×", measured: true})
	}
	return ts
}

// formatReport is the Markdown results section: the doc's and stdout's.
func formatReport(c config, m machine, results []*sizeResult, x extras) string {
	var b strings.Builder
	p := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	p("Measured on %s by `%s` (%s), %s.\n\n", time.Now().UTC().Format("2006-01-02"), c.command, "herald-bench run", m.oneLine())
	p("Load average (1, 5, 15 min) at the start: %s; at the end: %s. On a shared machine, other work inflates wall times; the per-round ratios cancel most of it.\n\n", m.loadStart, loadavg())
	p("Every figure is the median of N whole-process runs (min–max in brackets), each a clean build (output removed first), timed with `/usr/bin/time -v` (peak RSS) and `wait4`'s rusage (CPU time, in microseconds); ratios are the medians of per-round ratios, herald over the other tool in the same round (tools alternate order each round).\n\n")

	cleanHead := "| size | incidents | tool | runs | files | MB written | wall | CPU (user+sys) | peak RSS | pages/s |\n| --- | ---: | --- | ---: | ---: | ---: | --- | --- | --- | ---: |\n"
	row := func(size string, incidents int, t toolRuns) {
		wall := summarize(secs(t.samples, func(s sample) float64 { return s.wall.Seconds() }))
		cpu := summarize(secs(t.samples, func(s sample) float64 { return s.cpu.Seconds() }))
		rss := summarize(secs(t.samples, func(s sample) float64 { return float64(s.rssKB) / 1024 }))
		p("| %s | %d | %s | %d | %d | %.1f | %s | %s | %s | %.0f |\n", size, incidents, t.name, len(t.samples),
			t.files, float64(t.bytes)/1e6, fmtS(wall), fmtS(cpu), fmtMB(rss), float64(t.pages)/wall.med)
	}
	rows := func(rs []*sizeResult) {
		for _, r := range rs {
			for _, t := range []toolRuns{r.herald, r.baseline, r.hugo, r.floor} {
				if len(t.samples) > 0 {
					row(r.spec.Name, r.spec.Incidents, t)
				}
			}
		}
	}
	ratios := func(rs []*sizeResult) {
		p("| size | herald / Hugo, time | herald / Hugo, CPU | herald / Hugo, peak RSS | herald / floor, time | herald / floor, CPU | herald / floor, peak RSS | herald CPU / wall |\n")
		p("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
		for _, r := range rs {
			ht, hc, hr := "no Hugo", "no Hugo", "no Hugo"
			if len(r.hugoTime) > 0 {
				ht, hc, hr = fmtX(summarize(r.hugoTime)), fmtX(summarize(r.hugoCPU)), fmtX(summarize(r.hugoRSS))
			}
			p("| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.spec.Name, ht, hc, hr, fmtX(summarize(r.floorTime)), fmtX(summarize(r.floorCPU)), fmtX(summarize(r.floorRSS)), fmtN(summarize(r.heraldBusy())))
		}
	}

	p("### Clean full builds on disk (disk-bound)\n\n")
	p("%s", cleanHead)
	rows(results)
	h := x.history
	if len(h.buildBig) > 0 {
		row(fmt.Sprintf("large + %d days of probe results (%.2f M raw)", h.days, float64(h.rawBig)/1e6), sitegen.Large.Incidents,
			toolRuns{name: "herald", samples: h.buildBig, files: h.files, pages: h.pages, bytes: h.bytes})
		row(fmt.Sprintf("the same, raw results pruned to %d days (%.2f M raw)", h.smallDays, float64(h.rawSmall)/1e6), sitegen.Large.Incidents,
			toolRuns{name: "herald", samples: h.buildSmall, files: h.files, pages: h.pages, bytes: h.bytes})
	} else {
		p("| large + 90 days of probe results | %d | herald | | | | %s | | | |\n", sitegen.Large.Incidents, h.skipped)
	}

	p("\n### Ratios, pair by pair, on disk (disk-bound)\n\n")
	ratios(results)

	p("\n### herald's syncfs on disk\n\n")
	if c.strace == "" {
		p("Not measured: strace is not installed.\n")
	} else {
		p("How long herald had a `syncfs` or `fsync` running (what makes a published version durable before the symlink swap; overlapping calls count once), from `strace -f --seccomp-bpf -ttt -T -e trace=%s` of %d more clean builds per size (traced, so not among the timed ones). Hugo and the floor never sync.\n\n", syncCalls, syncRuns)
		p("| size | syncing | of herald's median wall |\n| --- | --- | ---: |\n")
		for _, r := range results {
			s := summarize(r.sync)
			wall := summarize(secs(r.herald.samples, func(s sample) float64 { return s.wall.Seconds() })).med
			p("| %s | %s | %.0f %% |\n", r.spec.Name, fmtS(s), 100*s.med/wall)
		}
	}

	p("\n### Clean full builds on tmpfs\n\n")
	if tm := x.tmpfs; tm.skipped != "" {
		p("Clean builds on tmpfs: %s.\n", tm.skipped)
	} else {
		p("The same, with each site, its Hugo copy and every tool's output in a fresh folder of the tmpfs %s, so that no tool pays for a disk. herald CPU / wall is CPU time (user+sys) over wall time, run by run: %d cores here.\n\n", tm.dir, runtime.NumCPU())
		if c.floorPairs > 0 {
			p("In each round herald runs right beside the floor. After the rounds, %d more pairs of herald and the floor are timed one right after the other, herald first in every other pair: the herald / floor ratios and herald's CPU / wall are medians over rounds and pairs alike, and the pairs' own figures follow the ratios. The tools' rows are the rounds'.\n\n", c.floorPairs)
		}
		p("%s", cleanHead)
		rows(tm.results)
		p("\n")
		ratios(tm.results)
		if c.floorPairs > 0 {
			p("\n| size | pairs | herald CPU | floor CPU | herald / floor, CPU | herald CPU / wall |\n| --- | ---: | --- | --- | --- | --- |\n")
			cpu := func(s sample) float64 { return s.cpu.Seconds() }
			for _, r := range tm.results {
				h, f := r.pairRuns()
				var ratio []float64
				for _, pr := range r.pairs {
					ratio = append(ratio, pr[0].cpu.Seconds()/pr[1].cpu.Seconds())
				}
				p("| %s | %d | %s | %s | %s | %s |\n", r.spec.Name, len(r.pairs), fmtS(summarize(secs(h.samples, cpu))), fmtS(summarize(secs(f.samples, cpu))), fmtX(summarize(ratio)), fmtN(summarize(h.busy())))
			}
		}
		if l := tm.langs; l != nil {
			p("\nA second language (issue #14): the large site as it is, in English, and a copy with `languages: [en, de]`, whose German pages go under `de/` while the API, report data and badges are written once; %d rounds, alternating. The target is that the second language costs at most one more build: en + de over en ≤ 2.0× in CPU time.\n\n", len(l.cpuRatio))
			p("%s", cleanHead)
			row(sitegen.Large.Name, sitegen.Large.Incidents, l.one)
			row(sitegen.Large.Name, sitegen.Large.Incidents, l.two)
			p("\n| size | en + de / en, time | en + de / en, CPU |\n| --- | --- | --- |\n| %s | %s | %s |\n", sitegen.Large.Name, fmtX(summarize(l.wallRatio)), fmtX(summarize(l.cpuRatio)))
		}
		if c.baseline != "" {
			p("\nBefore and after: *%s* is %s, timed in the same rounds as herald (%s), on the same site and output folder; the ratios are herald over it, round by round.\n\n", baselineTool, c.baselineName, c.heraldName)
			p("| size | herald / before, time | herald / before, CPU | herald / before, peak RSS |\n| --- | --- | --- | --- |\n")
			for _, r := range tm.results {
				p("| %s | %s | %s | %s |\n", r.spec.Name, fmtX(summarize(r.baseTime)), fmtX(summarize(r.baseCPU)), fmtX(summarize(r.baseRSS)))
			}
		}
	}

	p("\n### Page weight (gzip -9)\n\n| size | index.html | index.html gzip | CSS gzip |\n| --- | ---: | ---: | ---: |\n")
	for _, r := range results {
		if r.indexGz > 0 {
			p("| %s | %.1f KB | %.1f KB | %.1f KB |\n", r.spec.Name, float64(r.indexRaw)/1024, float64(r.indexGz)/1024, float64(r.cssGz)/1024)
		}
	}
	if h.indexGz > 0 {
		p("| large + %d days of probe results | %.1f KB | %.1f KB | |\n", h.days, float64(h.indexRaw)/1024, float64(h.indexGz)/1024)
		p("\nThe large site declares no probes, so its index has no uptime bars; the last row is the same site with a probe on every component and %d days of results: 100 components × 90 bars.\n", h.days)
	} else {
		p("\nThe large site declares no probes, so its index has no uptime bars; with them (100 components × 90 bars): %s.\n", h.skipped)
	}

	p("\n### Feeds\n\n")
	for _, r := range results {
		if r.feedItems != nil {
			keys := make([]string, 0, len(r.feedItems))
			for k := range r.feedItems {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			p("Items in the feeds of the %s site (%d incidents; `feeds.items` = 50): ", r.spec.Name, r.spec.Incidents)
			for i, k := range keys {
				if i > 0 {
					p(", ")
				}
				p("%s %d", k, r.feedItems[k])
			}
			p(".\n\n")
		}
	}
	if len(x.feedRatio) > 0 {
		p("Rendering every feed (site + 100 components × RSS, Atom, JSON) of a loaded snapshot, in process, %d rounds: 5,000 incidents %.0f ms, 20,000 incidents %.0f ms; ratio %s.\n",
			len(x.feedRatio), summarize(x.feedLarge).med*1000, summarize(x.feedHuge).med*1000, fmtX(summarize(x.feedRatio)))
	}

	p("\n### Rebuilds\n\n| measurement | median | p95 | min–max | n |\n| --- | ---: | ---: | --- | ---: |\n")
	if len(x.timerRebuild) > 0 {
		s := summarize(x.timerRebuild)
		p("| timer-only rebuild, large, in process (a `generator.Builder`, as `herald watch` uses, one minute later, no file changed) | %.0f ms | %.0f ms | %.0f–%.0f ms | %d |\n",
			s.med*1000, percentile(x.timerRebuild, .95)*1000, s.min*1000, s.max*1000, len(x.timerRebuild))
	}
	if x.watch.skipped != "" {
		p("| edit-to-published, `herald watch`, large | %s | | | |\n", x.watch.skipped)
		p("| timer-only rebuild, `herald watch`, large | %s | | | |\n", x.watch.skipped)
	} else {
		s := summarize(x.watch.edits)
		p("| edit-to-published, `herald watch`, large | %.0f ms | %.0f ms | %.0f–%.0f ms | %d |\n", s.med*1000, percentile(x.watch.edits, .95)*1000, s.min*1000, s.max*1000, len(x.watch.edits))
		if len(x.watch.timerRebuilds) > 0 {
			s := summarize(x.watch.timerRebuilds)
			p("| timer-only rebuild, `herald watch` log, large | %.0f ms | %.0f ms | %.0f–%.0f ms | %d |\n", s.med*1000, percentile(x.watch.timerRebuilds, .95)*1000, s.min*1000, s.max*1000, len(x.watch.timerRebuilds))
		} else {
			p("| timer-only rebuild, `herald watch` log, large | %s | | | |\n", x.watch.timerNote)
		}
	}

	p("\n### History\n\n")
	if len(h.importRuns) > 0 {
		rate := make([]float64, len(h.importRuns))
		for i, s := range h.importRuns {
			rate[i] = float64(h.importN) / s.wall.Seconds()
		}
		r := summarize(rate)
		wall := summarize(secs(h.importRuns, func(s sample) float64 { return s.wall.Seconds() }))
		cpu := summarize(secs(h.importRuns, func(s sample) float64 { return s.cpu.Seconds() }))
		rss := summarize(secs(h.importRuns, func(s sample) float64 { return float64(s.rssKB) / 1024 }))
		p("| measurement | runs | median (min–max) |\n| --- | ---: | --- |\n")
		p("| `herald import` of %s results (JSON Lines, %.0f MB) into a fresh store, whole process: results/s | %d | %s |\n",
			thousands(h.importN), float64(h.importBytes)/1e6, len(h.importRuns), fmt.Sprintf("%s (%s–%s)", thousands(int(r.med)), thousands(int(r.min)), thousands(int(r.max))))
		p("| … wall | | %s |\n| … CPU (user+sys) | | %s |\n| … peak RSS | | %s |\n", fmtS(wall), fmtS(cpu), fmtMB(rss))
		if len(h.buildRatio) > 0 {
			p("| clean build over %.2f M / over %.2f M raw results, wall, per round | %d | %s |\n", float64(h.rawBig)/1e6, float64(h.rawSmall)/1e6, len(h.buildRatio), fmtX(summarize(h.buildRatio)))
			p("| … CPU (user+sys), per round | %d | %s |\n", len(h.buildCPURatio), fmtX(summarize(h.buildCPURatio)))
		}
		if len(h.timerRebuild) > 0 {
			s := summarize(h.timerRebuild)
			p("| timer-only rebuild of that site (a `generator.Builder`, one minute later, no file changed), in process | %d | %.0f ms (%.0f–%.0f) |\n", len(h.timerRebuild), s.med*1000, s.min*1000, s.max*1000)
		}
		p("\n")
	} else {
		p("Import and builds over 1 M and 13 M results: %s.\n\n", h.skipped)
	}
	if pr := h.probe; pr.skipped == "" {
		p("| `herald probe`, %s http checks every %s against a loopback server, for %s | |\n| --- | --- |\n", thousands(pr.checks), pr.interval, pr.duration)
		p("| runs (checks started) | %s (%s requests served) |\n", thousands(pr.runs), thousands(int(pr.requests)))
		p("| CPU (user+sys), whole process | %.2f s (%.1f %% of a core) |\n", pr.s.cpu.Seconds(), 100*pr.s.cpu.Seconds()/pr.s.wall.Seconds())
		p("| peak RSS | %d MB |\n", pr.s.rssKB/1024)
		p("| schedule lag (start − planned start) p50 / p99 / max | %s / %s / %s |\n", pr.p50.Round(time.Microsecond), pr.p99.Round(time.Microsecond), pr.max.Round(time.Microsecond))
	} else {
		p("Prober capacity: %s.\n", pr.skipped)
	}

	p("\n### Targets\n\n| | target | result |\n| --- | --- | --- |\n")
	var large *sizeResult
	for _, r := range results {
		if r.spec.Name == "large" {
			large = r
		}
	}
	var ts []target
	if large != nil {
		wall := summarize(secs(large.herald.samples, func(s sample) float64 { return s.wall.Seconds() }))
		ts = append(ts, target{name: "clean build of the large site, on disk (disk-bound)", got: wall.med, limit: 1.5, unit: " s", measured: true})
		if len(large.hugoTime) > 0 {
			ts = append(ts,
				target{name: "herald / Hugo time at 5,000 incidents, on disk (disk-bound)", got: summarize(large.hugoTime).med, limit: 0.2, unit: "×", measured: true},
				target{name: "herald / Hugo peak RSS at 5,000 incidents, on disk", got: summarize(large.hugoRSS).med, limit: 0.25, unit: "×", measured: true})
		} else {
			ts = append(ts, target{name: "herald / Hugo at 5,000 incidents, on disk", why: "Hugo not installed"})
		}
		ts = append(ts, target{name: "herald / floor time, large, on disk (disk-bound)", got: summarize(large.floorTime).med, limit: 2, unit: "×", measured: true})
		if large.indexGz > 0 {
			ts = append(ts, target{name: "large index.html, gzip", got: float64(large.indexGz) / 1024, limit: 60, unit: " KB", measured: true})
		}
	}
	ts = append(ts, tmpfsTargets(x.tmpfs, runtime.NumCPU())...)
	if len(x.timerRebuild) > 0 {
		ts = append(ts, target{name: "timer-only rebuild, large (in process, as watch's timer)", got: summarize(x.timerRebuild).med * 1000, limit: 300, unit: " ms", measured: true})
	}
	if x.watch.skipped != "" {
		ts = append(ts, target{name: "edit-to-published median (watch)", why: x.watch.skipped})
	} else if len(x.watch.edits) > 0 {
		edit := summarize(x.watch.edits).med
		ts = append(ts, target{name: "edit-to-published median (watch)", got: edit * 1000, limit: 100, unit: " ms", measured: true})
		for _, r := range results {
			if r.spec.Name == "large" && len(r.herald.samples) > 0 && edit > 0 {
				full := summarize(secs(r.herald.samples, func(s sample) float64 { return s.wall.Seconds() })).med
				ts = append(ts, target{name: "clean large build / edit-to-published median (incremental ≥ 20× faster)", got: full / edit, limit: 20, unit: "×", measured: true, atLeast: true})
			}
		}
	}
	for _, r := range results {
		if r.feedItems != nil {
			worst := 0
			for _, n := range r.feedItems {
				worst = max(worst, n)
			}
			ts = append(ts, target{name: "feed items at 20,000 incidents (cap feeds.items = 50)", got: float64(worst), limit: 50, unit: "", measured: true})
		}
	}
	if len(x.feedRatio) > 0 {
		ts = append(ts, target{name: "feed rendering, 20,000 / 5,000 incidents (flat: ≤ 1.25×)", got: summarize(x.feedRatio).med, limit: 1.25, unit: "×", measured: true})
	}
	if len(h.importRuns) > 0 {
		rate := make([]float64, len(h.importRuns))
		for i, s := range h.importRuns {
			rate[i] = float64(h.importN) / s.wall.Seconds()
		}
		ts = append(ts, target{name: "history import, whole process", got: summarize(rate).med / 1000, limit: 500, unit: "k results/s", measured: true, atLeast: true})
	} else {
		ts = append(ts, target{name: "history import, results/s", why: h.skipped})
	}
	if len(h.buildRatio) > 0 {
		// CPU time: steadier than wall time on a busy machine; both are
		// in the History table.
		ts = append(ts, target{name: fmt.Sprintf("build over %.3g M / over %.3g M raw results, CPU time (about equal)", float64(h.rawBig)/1e6, float64(h.rawSmall)/1e6), got: summarize(h.buildCPURatio).med, limit: 1.2, unit: "×", measured: true})
		ts = append(ts, target{name: "large index.html with 100 × 90 bars, gzip", got: float64(h.indexGz) / 1024, limit: 60, unit: " KB", measured: true})
		if len(h.timerRebuild) > 0 {
			ts = append(ts, target{name: "timer-only rebuild, large + 90 days of probe results (in process)", got: summarize(h.timerRebuild).med * 1000, limit: 300, unit: " ms", measured: true})
		}
	} else {
		ts = append(ts, target{name: "build over 13 M / over 1 M raw results", why: h.skipped})
	}
	if pr := h.probe; pr.skipped == "" {
		ts = append(ts,
			target{name: fmt.Sprintf("prober p99 schedule lag, %s checks / %s", thousands(pr.checks), pr.interval), got: pr.p99.Seconds(), limit: 1, unit: " s", measured: true},
			target{name: "prober peak RSS", got: float64(pr.s.rssKB) / 1024, limit: 200, unit: " MB", measured: true})
	} else {
		ts = append(ts, target{name: "prober", why: pr.skipped})
	}
	for _, t := range ts {
		p("%s\n", t)
	}
	if x.profile != "" {
		p("\n### Profile of the large build (`go test ./bench -bench 'Build/large'`)\n\n```text\n%s```\n", x.profile)
	}
	p("\n`make bench` took %s in all.\n", x.elapsed.Round(time.Second))
	return b.String()
}

// thousands writes n with commas: 10,000,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

const (
	beginMark = "<!-- bench:results:begin (written by `make bench`; edit outside these marks) -->"
	endMark   = "<!-- bench:results:end -->"
)

// writeDoc replaces the results section of the doc, between the marks,
// and leaves the rest as it is.
func writeDoc(path, report string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	i, j := bytes.Index(data, []byte(beginMark)), bytes.Index(data, []byte(endMark))
	if i < 0 || j < i {
		return fmt.Errorf("%s: no results marks (%s … %s)", path, beginMark, endMark)
	}
	var b bytes.Buffer
	b.Write(data[:i+len(beginMark)])
	b.WriteString("\n")
	b.WriteString(report)
	b.Write(data[j:])
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
