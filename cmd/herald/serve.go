package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/daemon"
	"github.com/herald-status/herald/devserver"
)

const serveUsage = `
Usage: herald serve [-site DIR] [-addr HOST:PORT] [-every DURATION] [-reload=false] [-now TIME] [-debug]

Does what herald watch does (rebuild and publish on every change) and
serves the output folder over HTTP for authors. Open pages reload in the
browser after each rebuild, and while the last build failed every page shows
its errors on top. The reload script is added to pages as they are served;
it is never in the built files; -reload=false leaves pages exactly as
published, for browser tests. It serves only files inside the output
folder: a path or symlink that leads outside it is a 404, and a file asked
for as a folder (/index.html/) is redirected to its own URL. Stop it with
Ctrl-C.

With -now (or $HERALD_NOW), as make run pins the example's date, pages as
served are told that clock, so their stale-page warning does not fire in a
browser whose clock is later; published pages always use the reader's.

It is not a production server: it listens on 127.0.0.1 by default, and
warns on stderr when -addr lets other machines reach it. For 0.0.0.0 or
:: it prints the loopback address to open.

Examples:
  herald serve                          # http://127.0.0.1:8080
  herald serve -addr 127.0.0.1:9000 -now 2026-11-28T15:00:00Z
`

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("serve")
	lf := loopFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "the address to listen on")
	reload := fs.Bool("reload", true, "reload open pages after each rebuild; -reload=false serves pages exactly as published")
	if err := parse(e, fs, serveUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Args())}
	}
	opts, pinned, err := lf.options(e)
	if err != nil {
		return err
	}
	var live *devserver.LiveReload
	if *reload {
		var pageClock func() time.Time
		if pinned {
			pageClock = opts.Clock
		}
		live = devserver.NewLiveReload(pageClock)
		report := opts.Report
		opts.Report = func(err error) {
			report(err)
			var b bytes.Buffer
			if rerr := reportTo(&b, e, lf.site, err); rerr != nil {
				fmt.Fprintln(&b, err)
			}
			live.SetError(b.String())
		}
		opts.OnBuild = func(st daemon.Status) {
			if st.Err == nil {
				live.SetError("")
			}
			live.Built()
		}
	}
	l, err := daemon.New(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defaultOut := filepath.Join(lf.site, config.DefaultPublishDir)
	out := func() string {
		if o := l.Status().Out; o != "" {
			return o
		}
		return defaultOut
	}
	srv := &http.Server{Handler: devserver.New(out, live), ReadHeaderTimeout: 10 * time.Second}
	how := "pages as published"
	if live != nil {
		srv.RegisterOnShutdown(live.Close)
		how = "pages reload after each rebuild"
	}
	fmt.Fprintf(opts.Stdout, "serving on %s (%s)\n", browserURL(*addr, ln), how)
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		fmt.Fprintf(opts.Stderr, "warning: -addr %s is reachable from other machines: serve is a preview for authors, with live reload and build errors on every page, not a production server (keep it on 127.0.0.1, and publish the output folder with a web server)\n", *addr)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	loopErr := make(chan error, 1)
	go func() { loopErr <- l.Run(ctx) }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var runErr error
	select {
	case err := <-errc:
		runErr = fmt.Errorf("serve: %w", err)
		cancel()
		<-loopErr
		return runErr
	case runErr = <-loopErr:
	case <-ctx.Done():
		runErr = <-loopErr
	}
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShutdown()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return runErr
}

// browserURL is the URL to open for a server listening on ln, asked for as
// addr. Listening on every address shows as [::] even for 0.0.0.0 (Go
// opens one socket for both families), which is no address to browse to:
// print the loopback address of the family the user named instead.
func browserURL(addr string, ln net.Listener) string {
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return "http://" + ln.Addr().String() + "/"
	}
	host := "127.0.0.1"
	if h, _, err := net.SplitHostPort(addr); err == nil && strings.Contains(h, ":") {
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port)) + "/"
}

// reportTo prints a site's errors as report does, into w.
func reportTo(w io.Writer, e *env, site string, err error) error {
	if rerr := report(&env{stdout: io.Discard, stderr: w, getenv: e.getenv}, site, err); rerr != errReported {
		return rerr
	}
	return nil
}
