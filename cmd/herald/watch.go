package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/herald-status/herald/daemon"
)

const watchUsage = `
Usage: herald watch [-site DIR] [-every DURATION] [-now TIME] [-debug]

Builds and publishes the site, then rebuilds it whenever herald.yaml, a
file in incidents/ or templates/, or the probe history changes, and when
an interval (watch.every, default 1m) passes without a rebuild, so that
what depends on the clock stays current. Rebuilds are incremental and each is published atomically. A
change that makes the site invalid prints its errors and keeps the last good
site published; fixing the file republishes it. It prints a "rebuilt" line
per build. Stop it with Ctrl-C or SIGTERM.

-now (or HERALD_NOW) sets the clock at start; it then runs in real time.
-debug prints, after each "rebuilt" line, where that rebuild's time went.

Examples:
  herald watch
  herald watch -site status -every 30s
`

func runWatch(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("watch")
	lf := loopFlags(fs)
	if err := parse(e, fs, watchUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("watch takes no arguments, got %q", fs.Args())}
	}
	opts, _, err := lf.options(e)
	if err != nil {
		return err
	}
	l, err := daemon.New(opts)
	if err != nil {
		return err
	}
	return l.Run(ctx)
}

// loopFlagValues are the flags of the commands that run the daemon's loop:
// watch, serve and run.
type loopFlagValues struct {
	site, now string
	every     time.Duration
	debug     bool
}

// loopFlags declares -site, -every, -now and -debug on fs.
func loopFlags(fs *flag.FlagSet) *loopFlagValues {
	var v loopFlagValues
	fs.StringVar(&v.site, "site", ".", siteUsage)
	fs.DurationVar(&v.every, "every", 0, "rebuild at least this often (default watch.every from herald.yaml, else 1m)")
	fs.StringVar(&v.now, "now", "", nowUsage)
	fs.BoolVar(&v.debug, "debug", false, "after each rebuild, print where its time went: loading, the snapshot and keys, rendering, writing, and the commit and swap")
	return &v
}

// options wires the shared part of watch, serve and run: the clock, the
// output and the error report. pinned says whether the clock was set by
// -now or $HERALD_NOW rather than read from the system.
func (v *loopFlagValues) options(e *env) (opts daemon.Options, pinned bool, err error) {
	if v.every < 0 {
		return daemon.Options{}, false, usageError{"-every must be positive"}
	}
	start, err := clock(e, v.now)
	if err != nil {
		return daemon.Options{}, false, err
	}
	pinned = v.now != "" || e.getenv("HERALD_NOW") != ""
	// The clock starts at -now and then runs in real time, so a pinned
	// example still sees time pass between rebuilds.
	began := time.Now()
	stdout, stderr := &syncWriter{w: e.stdout}, &syncWriter{w: e.stderr}
	errEnv := &env{stdout: stdout, stderr: stderr, getenv: e.getenv}
	site := v.site
	return daemon.Options{
		Site:   site,
		Clock:  func() time.Time { return start.Add(time.Since(began)) },
		Every:  v.every,
		Debug:  v.debug,
		Stdout: stdout,
		Stderr: stderr,
		Report: func(err error) {
			if rerr := report(errEnv, site, err); rerr != errReported {
				fmt.Fprintf(stderr, "herald: %v\n", err)
			}
		},
	}, pinned, nil
}

// syncWriter serialises writes from the build loop and the publish
// command's output.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
