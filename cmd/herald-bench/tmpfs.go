package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/herald-status/herald/bench/sitegen"
)

// tmpfsResult is the clean builds of issue #17, with every tool's input
// and output on a tmpfs, so that neither herald nor Hugo pays for a disk.
type tmpfsResult struct {
	dir     string // the tmpfs the folder was made in
	skipped string // why not measured
	results []*sizeResult
	// langs is the large site built in one language and in two, round by
	// round (issue #14: a second language costs no more than one more
	// build of its pages); nil when the large size was not measured.
	langs *langResult
}

// langResult is the large site's clean build in English alone and with
// languages: [en, de], alternating.
type langResult struct {
	one, two            toolRuns
	cpuRatio, wallRatio []float64 // two over one, per round
}

// secondLanguage is what the two-language copy adds to herald.yaml: the
// site's own language first, then German, whose catalog is complete.
const secondLanguage = "\nlanguages: [en, de]\n"

// measureLanguages times herald on the site at dir (already built and
// measured) against a copy of it that declares a second language, in c.runs
// rounds alternating their order. The copy's German pages are the same
// pages again in another catalog; the API, reports data and badges are
// written once, at the root, so the second language should cost less than
// a second whole build: the target is two over one ≤ 2.0 in CPU time.
func measureLanguages(ctx context.Context, c config, dir string, log io.Writer) (*langResult, error) {
	one, two := filepath.Join(dir, "site"), filepath.Join(dir, "site-en-de")
	if err := cleanHerald(one); err != nil {
		return nil, err
	}
	if err := sitegen.CopyTree(two, one); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(two, "herald.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(secondLanguage); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	r := &langResult{one: toolRuns{name: "herald, en"}, two: toolRuns{name: "herald, en + de"}}
	now := sitegen.Now.Format(time.RFC3339)
	build := func(site string) (sample, error) {
		if err := cleanHerald(site); err != nil {
			return sample{}, err
		}
		return timeCmd(ctx, c.timeBin, dir, c.herald, "build", "-site", site, "-now", now)
	}
	// A warm-up of the copy, untimed, as for every tool; it also counts
	// what the second language writes.
	if _, err := build(two); err != nil {
		return nil, err
	}
	if r.two.files, r.two.pages, r.two.bytes, err = treeSize(filepath.Join(two, "public")); err != nil {
		return nil, err
	}
	if _, err := build(one); err != nil {
		return nil, err
	}
	if r.one.files, r.one.pages, r.one.bytes, err = treeSize(filepath.Join(one, "public")); err != nil {
		return nil, err
	}
	for i := range c.runs {
		sites := []string{one, two}
		if i%2 == 1 {
			sites = []string{two, one}
		}
		got := map[string]sample{}
		for _, site := range sites {
			s, err := build(site)
			if err != nil {
				return nil, err
			}
			got[site] = s
			fmt.Fprintf(log, "   round %d %-15s %7.3f s  cpu %7.3f s  rss %4d MB\n", i+1, filepath.Base(site), s.wall.Seconds(), s.cpu.Seconds(), s.rssKB/1024)
		}
		r.one.samples = append(r.one.samples, got[one])
		r.two.samples = append(r.two.samples, got[two])
		r.cpuRatio = append(r.cpuRatio, got[two].cpu.Seconds()/got[one].cpu.Seconds())
		r.wallRatio = append(r.wallRatio, got[two].wall.Seconds()/got[one].wall.Seconds())
	}
	return r, os.RemoveAll(two)
}

// tmpfsNeed is a generous bound on what the measurements at sp write at
// once: the site, its Hugo copy and the three tools' output (herald's is
// about 16 KB an incident, the floor's as much).
func tmpfsNeed(sp sitegen.Spec) uint64 {
	return uint64(sp.Incidents)*64<<10 + 64<<20
}

// checkTmpfs says why dir cannot hold need bytes of measurements in
// memory: it is missing, not a tmpfs (a disk would measure the disk
// again), or too small.
func checkTmpfs(dir string, need uint64) error {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return fmt.Errorf("statfs %s: %w", dir, err)
	}
	if st.Type != unix.TMPFS_MAGIC {
		return fmt.Errorf("%s is not a tmpfs (statfs type %#x); pass -tmpfs with a tmpfs folder", dir, st.Type)
	}
	if free := st.Bavail * uint64(st.Bsize); free < need {
		return fmt.Errorf("%s has %d MB free, the tmpfs sizes need %d MB; free some or pass -tmpfs-sizes with fewer", dir, free>>20, need>>20)
	}
	return nil
}

// measureTmpfs runs the clean builds of c.tmpfsSizes in a fresh folder of
// the tmpfs c.tmpfs, Hugo at every size, and removes the folder after.
func measureTmpfs(ctx context.Context, c config, log io.Writer) (tmpfsResult, error) {
	t := tmpfsResult{dir: c.tmpfs}
	var need uint64
	var specs []sitegen.Spec
	for _, name := range c.tmpfsSizes {
		sp, err := spec(name)
		if err != nil {
			return t, err
		}
		specs = append(specs, sp)
		need = max(need, tmpfsNeed(sp))
	}
	if c.tmpfs == "" {
		t.skipped = "not measured (-tmpfs is empty)"
		return t, nil
	}
	if err := checkTmpfs(c.tmpfs, need); err != nil {
		t.skipped = "not measured: " + err.Error()
		fmt.Fprintf(log, "herald-bench: %s\n", t.skipped)
		return t, nil
	}
	work, err := os.MkdirTemp(c.tmpfs, "herald-bench-")
	if err != nil {
		return t, err
	}
	defer os.RemoveAll(work)
	c.work, c.hugoSizes = work, c.tmpfsSizes
	for _, sp := range specs {
		fmt.Fprintf(log, "== %s on tmpfs (%s): %d incidents, %d components\n", sp.Name, c.tmpfs, sp.Incidents, sp.Components)
		r, err := measureSize(ctx, c, sp, log)
		if err != nil {
			return t, fmt.Errorf("%s on tmpfs: %w", sp.Name, err)
		}
		if sp.Name == sitegen.Large.Name {
			fmt.Fprintf(log, "== large on tmpfs, one language and two\n")
			if t.langs, err = measureLanguages(ctx, c, filepath.Join(work, sp.Name), log); err != nil {
				return t, fmt.Errorf("a second language: %w", err)
			}
		}
		// Each size's folder goes as soon as it is measured: the next
		// needs the room.
		if err := os.RemoveAll(filepath.Join(work, sp.Name)); err != nil {
			return t, err
		}
		t.results = append(t.results, r)
	}
	return t, nil
}

// syncRuns is how many builds measureSync traces at a size.
const syncRuns = 3

// syncCalls are the system calls with which herald makes a build durable.
const syncCalls = "syncfs,fsync,fdatasync"

// measureSync times herald's own durability at the end of a clean build
// of site: strace -T reports how long each syncfs (and fsync) call took,
// in the real build, with no switch in herald to turn them off. The
// builds under strace are not the timed ones: tracing slows them.
func measureSync(ctx context.Context, c config, site string) ([]float64, error) {
	trace, err := os.CreateTemp("", "herald-bench-strace-")
	if err != nil {
		return nil, err
	}
	trace.Close()
	defer os.Remove(trace.Name())
	var out []float64
	for range syncRuns {
		if err := cleanHerald(site); err != nil {
			return nil, err
		}
		// --seccomp-bpf stops the build only at the traced calls.
		cmd := exec.CommandContext(ctx, c.strace, "-f", "--seccomp-bpf", "-ttt", "-T", "-e", "trace="+syncCalls, "-e", "signal=none", "-o", trace.Name(),
			c.herald, "build", "-site", site, "-now", sitegen.Now.Format(time.RFC3339))
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("strace herald build: %w\n%s", err, tail(string(msg), 2000))
		}
		data, err := os.ReadFile(trace.Name())
		if err != nil {
			return nil, err
		}
		d, _ := syncTime(string(data))
		out = append(out, d.Seconds())
	}
	return out, nil
}

// syncCall is a finished call in strace -ttt -T output: the time of the
// line and the call's duration. A call another thread interrupted is
// finished on its "resumed" line, stamped at its end; any other line is
// stamped at its start.
var syncCall = regexp.MustCompile(`(?m)^[0-9]+\s+([0-9]+\.[0-9]+)\s+(.*)<([0-9]+\.[0-9]+)>\s*$`)

// syncTime is how long at least one of the calls in strace -ttt -T output
// was running: herald fsyncs a few files at once, so the durations' sum
// would overstate what they cost the build.
func syncTime(trace string) (time.Duration, int) {
	type span struct{ from, to float64 }
	var spans []span
	for _, m := range syncCall.FindAllStringSubmatch(trace, -1) {
		at, err1 := strconv.ParseFloat(m[1], 64)
		d, err2 := strconv.ParseFloat(m[3], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		if strings.Contains(m[2], "resumed>") {
			at -= d
		}
		spans = append(spans, span{at, at + d})
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	var sum float64
	end := math.Inf(-1)
	for _, s := range spans {
		if s.to <= end {
			continue
		}
		sum += s.to - max(s.from, end)
		end = s.to
	}
	return time.Duration(sum * float64(time.Second)), len(spans)
}
