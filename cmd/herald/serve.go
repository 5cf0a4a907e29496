package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/herald-status/herald/generator"
)

const serveUsage = `
Usage: herald serve [-site DIR] [-addr HOST:PORT] [-now TIME]

Builds the site once, then serves the output folder over HTTP for a look
in the browser. It serves only files inside the output folder: a path or
symlink that leads outside it is a 404. Stop it with Ctrl-C.

Examples:
  herald serve                          # http://127.0.0.1:8080
  herald serve -addr 127.0.0.1:9000 -now 2026-11-28T15:00:00Z
`

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("serve")
	site := siteFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "the address to listen on")
	nowText := nowFlag(fs)
	if err := parse(e, fs, serveUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Args())}
	}
	now, err := clock(e, *nowText)
	if err != nil {
		return err
	}
	s, err := generator.Load(ctx, *site)
	if err != nil {
		return report(e, *site, err)
	}
	res, err := generator.Build(ctx, s, generator.Options{Now: now})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{Handler: siteHandler(res.Out), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(e.stdout, "built %d pages; serving %s on http://%s/\n", res.Pages, res.Out, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// siteHandler serves the folder the output path points at. The output path
// is reopened per request, so a rebuild's atomic swap is picked up at once,
// and it is opened as an os.Root, which refuses any path, `..` or symlink
// that would leave it.
func siteHandler(out string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		root, err := os.OpenRoot(out)
		if err != nil {
			http.Error(w, "the site has not been built yet", http.StatusServiceUnavailable)
			return
		}
		defer root.Close()
		nf := &notFound{ResponseWriter: w}
		http.FileServerFS(insideFS{root.FS()}).ServeHTTP(nf, r)
		if nf.status == http.StatusNotFound {
			page, err := root.ReadFile("404.html")
			if err != nil {
				page = []byte("404 page not found\n")
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = bytes.NewReader(page).WriteTo(w)
		}
	})
}

// insideFS reports a path that os.Root refuses (a symlink out of the
// folder) as missing: to a reader it is, and a 500 would invite probing.
type insideFS struct{ fsys fs.FS }

func (f insideFS) Open(name string) (fs.File, error) {
	file, err := f.fsys.Open(name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return file, err
}

// notFound holds back a 404 from the file server so the site's own 404
// page can be sent instead.
type notFound struct {
	http.ResponseWriter
	status int
}

func (n *notFound) WriteHeader(code int) {
	n.status = code
	if code != http.StatusNotFound {
		n.ResponseWriter.WriteHeader(code)
	}
}

func (n *notFound) Write(b []byte) (int, error) {
	if n.status == http.StatusNotFound {
		return len(b), nil
	}
	return n.ResponseWriter.Write(b)
}
