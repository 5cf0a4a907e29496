// Package bench holds herald's Go benchmarks on synthetic sites (see
// bench/sitegen and docs/benchmarks.md). They are for profiling and
// benchstat comparisons; `make bench` runs the whole-process measurements.
//
//	go test ./bench -run '^$' -bench BuildLarge -benchtime 5x -cpuprofile cpu.pprof -memprofile mem.pprof
//	go test ./bench -run '^$' -bench Feeds -count 6 | benchstat -
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/herald-status/herald/bench/sitegen"
	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/feed"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/history"
)

const seed = 1

var (
	sitesMu sync.Mutex
	sites   = map[string]string{}
)

// site writes the synthetic site spec once per test binary.
func site(tb testing.TB, spec sitegen.Spec) string {
	tb.Helper()
	sitesMu.Lock()
	defer sitesMu.Unlock()
	if dir, ok := sites[spec.Name]; ok {
		return dir
	}
	dir := filepath.Join(tempRoot(tb), spec.Name)
	if _, err := sitegen.Generate(dir, spec, seed); err != nil {
		tb.Fatal(err)
	}
	sites[spec.Name] = dir
	return dir
}

var root string

// tempRoot is one folder for the whole test binary; b.TempDir would be
// removed after the first benchmark that made it.
func tempRoot(tb testing.TB) string {
	if root == "" {
		var err error
		root, err = osMkdirTemp()
		if err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

// BenchmarkBuild is one clean build, as `herald build` does it: load the
// site and render and publish every file into a fresh output folder.
// Besides ns/op it reports cpu-ns/op, the process's user and system time,
// and cpu/wall, how many cores the build kept busy: on a shared machine
// wall time is noise, while CPU time moves only with the code.
func BenchmarkBuild(b *testing.B) {
	for _, spec := range []sitegen.Spec{sitegen.Small, sitegen.Large} {
		b.Run(spec.Name, func(b *testing.B) {
			dir := site(b, spec)
			ctx := context.Background()
			b.ReportAllocs()
			done := meterCPU(b)
			for b.Loop() {
				s, err := generator.Load(ctx, dir, sitegen.Now)
				if err != nil {
					b.Fatal(err)
				}
				out := b.TempDir()
				if _, err := generator.Build(ctx, s, generator.Options{Out: filepath.Join(out, "public"), Now: sitegen.Now}); err != nil {
					b.Fatal(err)
				}
			}
			done()
		})
	}
}

// meterCPU starts measuring the process's CPU time; the func it returns,
// called after the benchmark's loop, reports cpu-ns/op and cpu/wall.
func meterCPU(b *testing.B) func() {
	cpu0, wall0 := cpuTime(b), time.Now()
	return func() {
		cpu, wall := cpuTime(b)-cpu0, time.Since(wall0)
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(cpu.Seconds()/wall.Seconds(), "cpu/wall")
	}
}

// cpuTime is the user and system time the process has used so far.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLoad is generator.Load alone: reading and parsing every file.
func BenchmarkLoad(b *testing.B) {
	dir := site(b, sitegen.Large)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := generator.Load(context.Background(), dir, sitegen.Now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender renders every page and feed of the large site to
// io.Discard: the build without loading and without the file system.
func BenchmarkRender(b *testing.B) {
	s, err := generator.Load(context.Background(), site(b, sitegen.Large), sitegen.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		files, err := s.Files(context.Background(), sitegen.Now)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			if err := f.Render(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkFeeds renders every feed (site-wide and per component) of a
// loaded snapshot. Feeds are capped at feeds.items, so ns/op should not grow
// from 5,000 to 20,000 incidents.
func BenchmarkFeeds(b *testing.B) {
	for _, spec := range []sitegen.Spec{sitegen.Large, sitegen.Huge} {
		b.Run(spec.Name, func(b *testing.B) {
			s, err := generator.Load(context.Background(), site(b, spec), sitegen.Now)
			if err != nil {
				b.Fatal(err)
			}
			snap := status.New(s.Config, s.Incidents, sitegen.Now)
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range feed.Files(snap) {
					if err := f.Render(io.Discard); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkRebuild is what herald watch does on the large site, through
// one Builder that has built it once: "edit" after an author saves one
// incident (and the watcher says which), "timer" at a timer tick, a minute
// later with no file changed. Each reports cpu-ns/op and cpu/wall, as
// BenchmarkBuild does.
func BenchmarkRebuild(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "large")
	if err := os.CopyFS(dir, os.DirFS(site(b, sitegen.Large))); err != nil {
		b.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "incidents", "*", "*.md"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no incident files in %s (%v)", dir, err)
	}
	target := files[len(files)-1]
	orig, err := os.ReadFile(target)
	if err != nil {
		b.Fatal(err)
	}
	rel, err := filepath.Rel(dir, target)
	if err != nil {
		b.Fatal(err)
	}
	rel = filepath.ToSlash(rel)
	ctx := context.Background()
	builder := generator.NewBuilder(dir, filepath.Join(dir, "public"))
	now := sitegen.Now
	for range 2 { // the second build recycles no version yet: not a rebuild's cost
		if _, err := builder.Build(ctx, now); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("edit", func(b *testing.B) {
		i := 0
		done := meterCPU(b)
		for b.Loop() {
			i++
			edited := append(bytes.Clone(orig), fmt.Sprintf("\nEdit %d.\n", i)...)
			if err := os.WriteFile(target, edited, 0o644); err != nil {
				b.Fatal(err)
			}
			builder.Changed([]string{rel}) // as herald watch's watcher reports it
			rebuild(b, builder, "edit", now)
		}
		done()
	})
	b.Run("timer", func(b *testing.B) {
		done := meterCPU(b)
		for b.Loop() {
			now = now.Add(time.Minute)
			rebuild(b, builder, "timer", now)
		}
		done()
	})
}

// rebuild is one Build of builder at now, its CPU samples labelled
// rebuild=kind, which the goroutines it starts inherit: the profile's
// -tagfocus then shows a rebuild's own work apart from the site's first
// build and from the benchmark's setup.
func rebuild(b *testing.B, builder *generator.Builder, kind string, now time.Time) {
	b.Helper()
	pprof.Do(context.Background(), pprof.Labels("rebuild", kind), func(ctx context.Context) {
		if _, err := builder.Build(ctx, now); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkHistoryRebuild is BenchmarkRebuild's timer tick on the large
// site with a probe on every component and 90 days of results (12.96 M,
// imported as `herald import` does: about a minute before the first
// tick), the site of make bench's "timer-only rebuild, large + 90 days of
// probe results".
func BenchmarkHistoryRebuild(b *testing.B) {
	spec := sitegen.Large.WithProbes()
	dir := filepath.Join(tempRoot(b), spec.Name)
	if _, err := sitegen.Generate(dir, spec, seed); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := importProbeHistory(ctx, dir, spec); err != nil {
		b.Fatal(err)
	}
	builder := generator.NewBuilder(dir, filepath.Join(dir, "public"))
	now := sitegen.Now
	for range 2 { // as make bench: the second build recycles no version yet
		if _, err := builder.Build(ctx, now); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("timer", func(b *testing.B) {
		done := meterCPU(b)
		for b.Loop() {
			now = now.Add(time.Minute)
			rebuild(b, builder, "history-timer", now)
		}
		done()
	})
}

// importProbeHistory imports spec's whole probe history into the store
// of the site dir, streamed from sitegen as a file would be.
func importProbeHistory(ctx context.Context, dir string, spec sitegen.Spec) error {
	cfg, err := config.Load(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.HistoryPath()), 0o755); err != nil {
		return err
	}
	st, err := history.Open(cfg.HistoryPath(), history.ImportOptions(cfg))
	if err != nil {
		return err
	}
	defer st.Close()
	r, w := io.Pipe()
	go func() { w.CloseWithError(sitegen.WriteProbeHistory(w, spec, seed, 0, sitegen.ProbeResults(spec))) }()
	_, err = st.Import(ctx, r, "results.jsonl", sitegen.Now, nil)
	r.CloseWithError(err) // stops the writer if the import gave up
	return err
}
