package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/herald-status/herald/bench/sitegen"
	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/feed"
	"github.com/herald-status/herald/generator/status"
)

// extras are the measurements beyond clean builds.
type extras struct {
	// Feed rendering, in process: every feed of a loaded snapshot at the
	// large and huge sizes, and the per-pair ratio huge/large.
	feedLarge, feedHuge, feedRatio []float64
	// Timer-only rebuild, in process: generator.Build of a loaded large
	// site over its existing output at a later clock.
	timerRebuild []float64 // seconds
	watch        watchResult
	history      historyResult
	tmpfs        tmpfsResult
	profile      string // pprof top text, when profiled
	elapsed      time.Duration
}

type watchResult struct {
	skipped       string    // why, when not measured
	edits         []float64 // edit-to-published, seconds
	timerRebuilds []float64 // from watch's own log, seconds
	timerNote     string
}

func pageWeight(pub string) (raw, indexGz, cssGz int, err error) {
	index, err := os.ReadFile(filepath.Join(pub, "index.html"))
	if err != nil {
		return 0, 0, 0, err
	}
	css, err := filepath.Glob(filepath.Join(pub, "assets", "style.*.css"))
	if err != nil || len(css) != 1 {
		return 0, 0, 0, fmt.Errorf("want one assets/style.*.css in %s, found %d", pub, len(css))
	}
	cssData, err := os.ReadFile(css[0])
	if err != nil {
		return 0, 0, 0, err
	}
	return len(index), gzSize(index), gzSize(cssData), nil
}

// gzSize is the size of data compressed as gzip -9 would.
func gzSize(data []byte) int {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	w.Write(data)
	w.Close()
	return b.Len()
}

// countFeedItems counts the items of the site-wide feeds and the largest
// per-component feed.
func countFeedItems(pub string) (map[string]int, error) {
	out := map[string]int{}
	for name, tag := range map[string]string{"history.rss": "<item>", "history.atom": "<entry>"} {
		data, err := os.ReadFile(filepath.Join(pub, name))
		if err != nil {
			return nil, err
		}
		out[name] = bytes.Count(data, []byte(tag))
	}
	data, err := os.ReadFile(filepath.Join(pub, "history.json"))
	if err != nil {
		return nil, err
	}
	var jf struct{ Items []json.RawMessage }
	if err := json.Unmarshal(data, &jf); err != nil {
		return nil, fmt.Errorf("history.json: %w", err)
	}
	out["history.json"] = len(jf.Items)
	comps, _ := filepath.Glob(filepath.Join(pub, "components", "*", "history.rss"))
	for _, p := range comps {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out["components/*/history.rss (max)"] = max(out["components/*/history.rss (max)"], bytes.Count(data, []byte("<item>")))
	}
	return out, nil
}

func measureExtras(ctx context.Context, c config, results []*sizeResult, log io.Writer) (extras, error) {
	x := extras{watch: watchResult{skipped: "not measured (the large size was not run)"}}
	has := map[string]bool{}
	for _, r := range results {
		has[r.spec.Name] = true
	}
	site := func(name string) string { return filepath.Join(c.work, name, "site") }
	if has["large"] && has["huge"] {
		fmt.Fprintln(log, "== feeds: rendering time at 5,000 and 20,000 incidents")
		if err := measureFeeds(ctx, c, site("large"), site("huge"), &x); err != nil {
			return x, err
		}
	}
	if has["large"] {
		fmt.Fprintln(log, "== timer-only rebuild (in process)")
		if err := measureTimerRebuild(ctx, c, site("large"), &x); err != nil {
			return x, err
		}
		fmt.Fprintln(log, "== watch")
		x.watch = measureWatch(ctx, c, site("large"), log)
	}
	fmt.Fprintln(log, "== history: import, builds over 1 M and 13 M stored results, prober")
	x.history = measureHistory(ctx, c, log)
	return x, nil
}

func measureFeeds(ctx context.Context, c config, large, huge string, x *extras) error {
	load := func(dir string) (*status.Snapshot, error) {
		s, err := generator.Load(ctx, dir, sitegen.Now)
		if err != nil {
			return nil, err
		}
		return status.New(s.Config, s.Incidents, sitegen.Now), nil
	}
	l, err := load(large)
	if err != nil {
		return err
	}
	h, err := load(huge)
	if err != nil {
		return err
	}
	render := func(snap *status.Snapshot) (float64, error) {
		start := time.Now()
		for _, f := range feed.Files(snap) {
			if err := f.Render(io.Discard); err != nil {
				return 0, err
			}
		}
		return time.Since(start).Seconds(), nil
	}
	if _, err := render(l); err != nil { // warm-up
		return err
	}
	for range max(c.runs, 5) {
		a, err := render(l)
		if err != nil {
			return err
		}
		b, err := render(h)
		if err != nil {
			return err
		}
		x.feedLarge, x.feedHuge = append(x.feedLarge, a), append(x.feedHuge, b)
		x.feedRatio = append(x.feedRatio, b/a)
	}
	return nil
}

// measureTimerRebuild times a timer tick of herald watch, in process: a
// generator.Builder that has built the site, and built it again once (so
// that it recycles versions, as a running watch does), builds it one
// minute later each time with no file changed.
func measureTimerRebuild(ctx context.Context, c config, dir string, x *extras) error {
	var err error
	x.timerRebuild, err = timerRebuilds(ctx, dir, filepath.Join(c.work, "timer-public"), max(c.runs, 5))
	return err
}

// timerRebuilds returns the seconds of n timer-only rebuilds of the site
// dir, published to out, which it removes after.
func timerRebuilds(ctx context.Context, dir, out string, n int) ([]float64, error) {
	defer os.RemoveAll(out)
	defer os.RemoveAll(filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".herald"))
	b := generator.NewBuilder(dir, out)
	defer b.Close()
	now := sitegen.Now
	for range 2 {
		if _, err := b.Build(ctx, now); err != nil {
			return nil, err
		}
	}
	var secs []float64
	for range n {
		now = now.Add(time.Minute)
		start := time.Now()
		if _, err := b.Build(ctx, now); err != nil {
			return nil, err
		}
		secs = append(secs, time.Since(start).Seconds())
	}
	return secs, nil
}

// commands lists the subcommands `herald help` names.
func commands(ctx context.Context, herald string) map[string]bool {
	out, _ := exec.CommandContext(ctx, herald, "help").CombinedOutput()
	cmds := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(line, "  ") {
			cmds[f[0]] = true
		}
	}
	return cmds
}

// measureWatch starts `herald watch` on a copy of the large site, edits an
// incident 100 times and times each edit until the published page shows
// it; then reads watch's log for timer-only rebuilds.
func measureWatch(ctx context.Context, c config, src string, log io.Writer) watchResult {
	if !commands(ctx, c.herald)["watch"] {
		return watchResult{skipped: "watch not available (`herald help` does not list it)"}
	}
	res, err := runWatch(ctx, c, src, log)
	if err != nil {
		return watchResult{skipped: "watch failed: " + err.Error()}
	}
	return res
}

// builtIn finds a build duration in watch's log: "rebuilt 12 files in
// 12 ms: …", or Go's "in 120ms".
var builtIn = regexp.MustCompile(`\bin ([0-9.]+) ?(µs|us|ms|s)\b`)

func runWatch(ctx context.Context, c config, src string, log io.Writer) (watchResult, error) {
	var res watchResult
	dir := filepath.Join(c.work, "watch-site")
	if err := os.RemoveAll(dir); err != nil {
		return res, err
	}
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		return res, err
	}
	_ = cleanHerald(dir)
	// A short timer, so that timer-only rebuilds show up in the log.
	cfg := filepath.Join(dir, "herald.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		return res, err
	}
	if err := os.WriteFile(cfg, append(data, "watch:\n  every: 2s\n"...), 0o644); err != nil {
		return res, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.herald, "watch", "-site", dir)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return res, err
	}
	defer func() { cancel(); cmd.Wait(); pw.Close() }()
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()

	// The incident to edit: the newest ongoing one, whose page exists.
	files, _ := filepath.Glob(filepath.Join(dir, "incidents", "*", "*.md"))
	if len(files) == 0 {
		return res, errors.New("no incident files")
	}
	target := files[len(files)-1]
	slug := strings.TrimSuffix(filepath.Base(target), ".md")
	orig, err := os.ReadFile(target)
	if err != nil {
		return res, err
	}
	page := filepath.Join(dir, "public", "incidents", slug, "index.html")
	waitFor := func(marker []byte, limit time.Duration) error {
		deadline := time.Now().Add(limit)
		for time.Now().Before(deadline) {
			if real, err := filepath.EvalSymlinks(page); err == nil {
				if b, err := os.ReadFile(real); err == nil && (marker == nil || bytes.Contains(b, marker)) {
					return nil
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
		return fmt.Errorf("%s did not show the edit within %s", page, limit)
	}
	if err := waitFor(nil, 60*time.Second); err != nil {
		return res, err
	}
	// The summary follows the front matter's closing line.
	fmEnd := bytes.Index(orig[4:], []byte("\n---\n")) + 4 + 5
	for i := range 100 {
		marker := fmt.Sprintf("bench-edit-%d-%d", os.Getpid(), i)
		edited := append(append(append([]byte{}, orig[:fmEnd]...), marker+"\n\n"...), orig[fmEnd:]...)
		start := time.Now()
		if err := os.WriteFile(target, edited, 0o644); err != nil {
			return res, err
		}
		if err := waitFor([]byte(marker), 10*time.Second); err != nil {
			return res, err
		}
		res.edits = append(res.edits, time.Since(start).Seconds())
	}
	fmt.Fprintf(log, "   %d edits published\n", len(res.edits))
	// Timer-only rebuilds: nothing changes for a while; watch's log says
	// how long each rebuild took, if it says so.
	drain := func() {
		for {
			select {
			case <-lines:
			default:
				return
			}
		}
	}
	drain()
	deadline := time.After(9 * time.Second)
	for {
		select {
		case l := <-lines:
			if m := builtIn.FindStringSubmatch(l); m != nil {
				if d, err := time.ParseDuration(m[1] + strings.Replace(m[2], "us", "µs", 1)); err == nil {
					res.timerRebuilds = append(res.timerRebuilds, d.Seconds())
				}
			}
			continue
		case <-deadline:
		}
		break
	}
	if len(res.timerRebuilds) == 0 {
		res.timerNote = "watch's log shows no build durations (expected a line like `rebuilt … in 12 ms` or `in 120ms`)"
	}
	return res, nil
}
