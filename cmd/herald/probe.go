package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/probe"
)

const probeUsage = `
Usage: herald probe [-site DIR] [-once] [-region NAME] [-listen ADDR] [-concurrency N] [-now TIME]

Runs the health checks declared under each component's probe: in
herald.yaml and records every result in the history store
(history.path, default data/history.db).

With -once, it runs every check once and exits, for cron or CI: it exits 0
even when checks fail (failing checks are data), and 1 when the config is
invalid or the store cannot be written. Without -once, it runs each check on
its interval until interrupted (SIGINT or SIGTERM), then records what is
pending and exits 0, serving Prometheus metrics at /metrics and a health
check at /healthz on -listen meanwhile.

Logs name components, never probe targets or headers. See docs/probes.md.

Examples:
  herald probe -once && herald build       # from cron, every minute
  herald probe -region eu-west -listen 127.0.0.1:9190
`

// regionRE keeps region names usable as Prometheus label values and in
// file names alike.
var regionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`) })

// pruneEvery is how often a long-running prober drops raw results past
// history.retention.
const pruneEvery = time.Hour

func runProbe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("probe")
	site := siteFlag(fs)
	once := fs.Bool("once", false, "run every check once and exit")
	region := fs.String("region", probe.DefaultRegion, "the region stamped on every result and metric")
	listen := fs.String("listen", "127.0.0.1:9190", "the address serving /metrics and /healthz (not with -once)")
	concurrency := fs.Int("concurrency", probe.DefaultConcurrency, "the most checks run at once")
	nowText := nowFlag(fs)
	if err := parse(e, fs, probeUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("probe takes no arguments, got %q", fs.Args())}
	}
	if !regionRE().MatchString(*region) {
		return usageError{fmt.Sprintf("-region %q: use letters, digits, '.', '_' and '-', e.g. eu-west", *region)}
	}
	if *concurrency < 1 {
		return usageError{fmt.Sprintf("-concurrency %d: want at least 1", *concurrency)}
	}
	start, err := clock(e, *nowText)
	if err != nil {
		return err
	}
	// The clock starts at -now and advances in real time.
	processStart := time.Now()
	now := func() time.Time { return start.Add(time.Since(processStart)) }

	cfg, err := config.Load(*site)
	if err != nil {
		return report(e, *site, err)
	}
	if err := cfg.CheckEnv(e.getenv); err != nil {
		return report(e, *site, err)
	}
	checks := probe.Checks(cfg)
	if len(checks) == 0 {
		fmt.Fprintln(e.stderr, "herald probe: no component in herald.yaml has a probe: (see docs/probes.md)")
		if *once {
			return nil
		}
		return errReported
	}

	store, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer store.Close()

	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	var rec probe.Recorder = store
	var out *printer
	if *once {
		// Each result is printed, so the state-change log would repeat it.
		out = &printer{Recorder: store, e: e}
		rec, log = out, slog.New(slog.DiscardHandler)
	}
	sched, err := probe.New(checks, probe.Options{
		Now:         now,
		Getenv:      e.getenv,
		Recorder:    rec,
		Region:      *region,
		Concurrency: *concurrency,
		Logger:      log,
	})
	if err != nil {
		return err
	}

	if *once {
		if err := sched.Once(ctx); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "probed %d components: %d up, %d down\n", len(checks), out.up, out.down)
		return store.Prune(ctx, now())
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen for metrics: %w", err)
	}
	srv := &http.Server{Handler: sched.Handler(), ReadHeaderTimeout: 10 * time.Second}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener failed", "err", err)
		}
	})
	wg.Go(func() { prune(ctx, store, now, log) })
	log.Info("probing", "components", len(checks), "region", *region, "metrics", "http://"+ln.Addr().String()+"/metrics")

	runErr := sched.Run(ctx)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	srvErr := srv.Shutdown(shutdownCtx)
	wg.Wait()
	if runErr != nil {
		return runErr
	}
	if srvErr != nil {
		return fmt.Errorf("stop metrics listener: %w", srvErr)
	}
	// The schedule lag of the recent runs: how late checks started, which
	// says whether this machine keeps up with the checks (make bench reads it).
	lag := sched.Lag()
	log.Info("stopped", "runs", lag.Count, "lag_p50", lag.P50, "lag_p99", lag.P99, "lag_max", lag.Max)
	return nil
}

// openStore opens the history store with the interval and confirm count
// of each probe, which it builds states from.
func openStore(cfg *config.Config) (*history.Store, error) {
	return history.Open(cfg.HistoryPath(), history.OptionsFor(cfg))
}

// prune drops raw results past retention at start and then every
// pruneEvery, until ctx is done.
func prune(ctx context.Context, store *history.Store, now func() time.Time, log *slog.Logger) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		if err := store.Prune(ctx, now()); err != nil && ctx.Err() == nil {
			log.Error("pruning history failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// printer lists each result of a -once run on stdout, by component id,
// before it is recorded: cron mails and CI logs show what failed without
// showing any target.
type printer struct {
	probe.Recorder
	e        *env
	mu       sync.Mutex
	up, down int
}

func (p *printer) Record(ctx context.Context, rs []history.Result) error {
	p.mu.Lock()
	for _, r := range slices.SortedFunc(slices.Values(rs), func(a, b history.Result) int { return strings.Compare(a.Component, b.Component) }) {
		if r.OK {
			p.up++
			fmt.Fprintf(p.e.stdout, "%s\tup\t%.0fms\n", r.Component, r.LatencyMS)
		} else {
			p.down++
			fmt.Fprintf(p.e.stdout, "%s\tdown\t%s\n", r.Component, r.Error)
		}
	}
	p.mu.Unlock()
	return p.Recorder.Record(ctx, rs)
}
