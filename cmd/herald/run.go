package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/daemon"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/probe"
)

const runUsage = `
Usage: herald run [-site DIR] [-listen HOST:PORT] [-every DURATION] [-now TIME] [-debug]

The production daemon: the prober (herald probe) writing into the history
store, everything herald watch does (rebuild on change, on new probe
results and on a timer, publish atomically, run publish.command), a health
endpoint and Prometheus metrics. It resumes from what is on disk, so it can be killed at any moment
and started again; run it under a supervisor that restarts it (systemd
Restart=always, see docs/deploy.md). SIGTERM or Ctrl-C stops it cleanly:
a build in progress is abandoned (the published site stays whole) and it
exits 0.

GET /metrics on -listen serves the probes' metrics (see docs/probes.md).
GET /healthz answers JSON: the last successful build, the last
publish command result and how fresh the probe history is. It answers 503
when the site has not been rebuilt for more than three rebuild intervals.

Examples:
  herald run -site /srv/status
  herald run -listen 127.0.0.1:9190 -every 30s
`

func runRun(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("run")
	lf := loopFlags(fs)
	listen := fs.String("listen", "127.0.0.1:9190", "the address of /healthz and /metrics")
	if err := parse(e, fs, runUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("run takes no arguments, got %q", fs.Args())}
	}
	opts, _, err := lf.options(e)
	if err != nil {
		return err
	}
	opts.Daemon = true
	l, err := daemon.New(opts)
	if err != nil {
		return err
	}
	prober, err := startProber(e, lf.site, opts.Clock)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", healthHandler(l, lf.site, opts.Clock))
	if prober != nil {
		mux.Handle("GET /metrics", prober.sched.Handler())
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(opts.Stdout, "health on %shealthz\n", browserURL(*listen, ln))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if prober != nil {
		// Stopped after the build loop and the listener: its Run flushes
		// every pending result before it returns.
		defer prober.stop()
		prober.start(ctx)
	}
	loopErr := make(chan error, 1)
	go func() { loopErr <- l.Run(ctx) }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var runErr error
	select {
	case err := <-errc:
		cancel()
		<-loopErr
		return fmt.Errorf("run: %w", err)
	case runErr = <-loopErr:
	}
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShutdown()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("run: %w", err)
	}
	if runErr == nil {
		fmt.Fprintln(opts.Stdout, "stopped")
	}
	return runErr
}

// prober is the probe scheduler of herald run, writing into the same
// history store the build reads.
type prober struct {
	sched    *probe.Scheduler
	store    *history.Store
	now      func() time.Time
	pruneLog *slog.Logger
	wg       sync.WaitGroup
	err      error
}

// startProber prepares the site's checks, or returns nil when no
// component has a probe.
func startProber(e *env, site string, now func() time.Time) (*prober, error) {
	cfg, err := config.Load(site)
	if err != nil {
		return nil, report(e, site, err)
	}
	if err := cfg.CheckEnv(e.getenv); err != nil {
		return nil, report(e, site, err)
	}
	checks := probe.Checks(cfg)
	if len(checks) == 0 {
		return nil, nil
	}
	store, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	sched, err := probe.New(checks, probe.Options{Now: now, Getenv: e.getenv, Recorder: store, Region: probe.DefaultRegion, Logger: log})
	if err != nil {
		store.Close()
		return nil, err
	}
	p := &prober{sched: sched, store: store}
	p.pruneLog = log
	p.now = now
	return p, nil
}

func (p *prober) start(ctx context.Context) {
	p.wg.Go(func() { p.err = p.sched.Run(ctx) })
	p.wg.Go(func() { prune(ctx, p.store, p.now, p.pruneLog) })
}

// stop waits for the scheduler to flush, then closes the store.
func (p *prober) stop() {
	p.wg.Wait()
	p.store.Close()
}

// health is the body of /healthz.
type health struct {
	OK     bool          `json:"ok"`
	Reason string        `json:"reason,omitempty"`
	Now    time.Time     `json:"now"`
	Build  daemon.Status `json:"build"`
	// HistoryUpdated is when the probe history store last changed (its
	// file or -wal), or absent when there is no store.
	HistoryUpdated *time.Time `json:"history_updated,omitempty"`
}

func healthHandler(l *daemon.Loop, site string, clock func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := clock()
		h := health{Now: now, Build: l.Status(), OK: true}
		if err := h.Build.Healthy(now); err != nil {
			h.OK, h.Reason = false, err.Error()
		}
		if cfg, err := config.Load(site); err == nil {
			var latest time.Time
			for _, p := range []string{cfg.HistoryPath(), cfg.HistoryPath() + "-wal"} {
				if fi, err := os.Stat(p); err == nil && fi.ModTime().After(latest) {
					latest = fi.ModTime()
				}
			}
			if !latest.IsZero() {
				h.HistoryUpdated = &latest
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if !h.OK {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(h)
	})
}
