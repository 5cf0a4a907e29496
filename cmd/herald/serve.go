package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/daemon"
)

const serveUsage = `
Usage: herald serve [-site DIR] [-addr HOST:PORT] [-every DURATION] [-reload=false] [-now TIME]

Does what herald watch does (rebuild and publish on every change) and
serves the output folder over HTTP for authors. Open pages reload in the
browser after each rebuild, and while the last build failed every page shows
its errors on top. The reload script is added to pages as they are served;
it is never in the built files; -reload=false leaves pages exactly as
published, for browser tests. It serves only files inside the output
folder: a path or symlink that leads outside it is a 404, and a file asked
for as a folder (/index.html/) is redirected to its own URL. Stop it with
Ctrl-C.

It is not a production server: it listens on 127.0.0.1 by default, and
warns on stderr when -addr lets other machines reach it. For 0.0.0.0 or
:: it prints the loopback address to open.

Examples:
  herald serve                          # http://127.0.0.1:8080
  herald serve -addr 127.0.0.1:9000 -now 2026-11-28T15:00:00Z
`

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("serve")
	site := siteFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "the address to listen on")
	every := fs.Duration("every", 0, "rebuild at least this often (default watch.every from herald.yaml, else 1m)")
	reload := fs.Bool("reload", true, "reload open pages after each rebuild; -reload=false serves pages exactly as published")
	nowText := nowFlag(fs)
	if err := parse(e, fs, serveUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Args())}
	}
	opts, err := loopOptions(e, *site, *nowText, *every)
	if err != nil {
		return err
	}
	var live *liveReload
	if *reload {
		live = newLiveReload()
		report := opts.Report
		opts.Report = func(err error) {
			report(err)
			var b bytes.Buffer
			if rerr := reportTo(&b, e, *site, err); rerr != nil {
				fmt.Fprintln(&b, err)
			}
			live.setError(b.String())
		}
		opts.OnBuild = func(st daemon.Status) {
			if st.Err == nil {
				live.setError("")
			}
			live.built()
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
	defaultOut := filepath.Join(*site, config.DefaultPublishDir)
	out := func() string {
		if o := l.Status().Out; o != "" {
			return o
		}
		return defaultOut
	}
	srv := &http.Server{Handler: newSiteServer(out, live), ReadHeaderTimeout: 10 * time.Second}
	how := "pages as published"
	if live != nil {
		srv.RegisterOnShutdown(live.close)
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

// Cache lifetimes, as docs/deploy.md recommends: pages, feeds and the API
// change with every rebuild and must not outlive an outage's first
// minute in a cache; assets are named by their hash and never change.
const (
	cacheShort     = "public, max-age=60"
	cacheImmutable = "public, max-age=31536000, immutable"
	// contentSecurityPolicy allows no inline script or style: the reload
	// script and the error overlay's style are files under /_herald/.
	contentSecurityPolicy = "default-src 'self'"
)

// siteHandler serves the folder out resolves to, without live reload.
func siteHandler(out string) http.Handler {
	return newSiteServer(func() string { return out }, nil)
}

// siteServer serves the folder the output path points at. The output path
// is reopened per request, so a rebuild's atomic swap is picked up at once,
// and it is opened as an os.Root, which refuses any path, `..` or symlink
// that would leave it. With live set, HTML responses get the reload script
// (and the errors of a failed build) injected, and /_herald/ serves them.
type siteServer struct {
	out  func() string
	live *liveReload
}

func newSiteServer(out func() string, live *liveReload) *siteServer {
	return &siteServer{out: out, live: live}
}

func (s *siteServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if s.live != nil && strings.HasPrefix(r.URL.Path, liveReloadPrefix) {
		s.live.ServeHTTP(w, r)
		return
	}
	root, err := os.OpenRoot(s.out())
	if err != nil {
		body := []byte("<!doctype html><title>Not built yet</title><p>The site has not been built yet.</p>\n")
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write(s.inject(body))
		return
	}
	defer root.Close()

	// net/http has decoded the path; path.Clean from "/" cannot climb
	// above the root, and os.Root refuses symlinks out of it.
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if hidden(name) {
		s.notFound(w, r, root)
		return
	}
	if name == "" {
		name = "."
	}
	fi, err := root.Stat(name)
	if err == nil && fi.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			// Pages link relative to their folder: /incidents/x must
			// become /incidents/x/ before those links resolve.
			http.Redirect(w, r, path.Base(r.URL.Path)+"/", http.StatusMovedPermanently)
			return
		}
		name = path.Join(name, "index.html")
		fi, err = root.Stat(name)
	} else if err == nil && strings.HasSuffix(r.URL.Path, "/") {
		// A file read as a folder (/index.html/) gets the wrong base URL
		// and every relative link on it breaks: send it to its own URL,
		// or to its folder's for an index page. http.Redirect resolves
		// the target against the request path.
		target := "../" + path.Base(name)
		if path.Base(name) == "index.html" {
			target = "../"
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	}
	if err != nil || !fi.Mode().IsRegular() {
		s.notFound(w, r, root)
		return
	}
	f, err := root.Open(name)
	if err != nil {
		s.notFound(w, r, root)
		return
	}
	defer f.Close()
	ctype := contentType(name)
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cacheControl(name))
	etag := fmt.Sprintf("%x-%x", fi.Size(), fi.ModTime().UnixNano())
	if s.live != nil && strings.HasPrefix(ctype, "text/html") {
		data, err := io.ReadAll(f)
		if err != nil {
			http.Error(w, "read error", http.StatusInternalServerError)
			return
		}
		// The injected part changes with the build state, not the file.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", `"`+etag+"-"+s.live.tag()+`"`)
		http.ServeContent(w, r, "", fi.ModTime(), bytes.NewReader(s.inject(data)))
		return
	}
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// hidden reports paths with a dot segment: the manifest, and anything else
// not meant to be a page.
func hidden(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

func (s *siteServer) notFound(w http.ResponseWriter, r *http.Request, root *os.Root) {
	page, err := root.ReadFile("404.html")
	if err != nil {
		page = []byte("404 page not found\n")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cacheShort)
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		w.Write(s.inject(page))
	}
}

func (s *siteServer) inject(page []byte) []byte {
	if s.live == nil {
		return page
	}
	return s.live.inject(page)
}

// contentType names the media types of the site's files, the feeds'
// among them, which the system's table may not know.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".rss":
		return "application/rss+xml; charset=utf-8"
	case ".atom":
		return "application/atom+xml; charset=utf-8"
	case ".json":
		if path.Base(name) == "history.json" {
			return "application/feed+json; charset=utf-8"
		}
		return "application/json; charset=utf-8"
	case ".ics":
		return "text/calendar; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// cacheControl is the lifetime docs/deploy.md recommends for a file.
func cacheControl(name string) string {
	if strings.HasPrefix(name, "assets/") {
		return cacheImmutable
	}
	return cacheShort
}

// liveReloadPrefix is where serve's own files live. The built site has no
// folder of that name (its folders are incidents/, history/, components/,
// assets/ and api/).
const liveReloadPrefix = "/_herald/"

const reloadScript = `// herald serve: reload the page after each rebuild. Not part of the site.
(function () {
  var seen = null;
  var es = new EventSource("/_herald/events");
  es.addEventListener("build", function (ev) {
    if (seen !== null && ev.data !== seen) { location.reload(); }
    seen = ev.data;
  });
})();
`

const overlayStyle = `#herald-build-errors{position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;z-index:2147483647;margin:0;padding:1rem 1.5rem;background:#5c0011;color:#fff;font:14px/1.5 ui-monospace,monospace;box-shadow:0 2px 12px rgba(0,0,0,.5)}
#herald-build-errors h2{font-size:1rem;margin:0 0 .5rem}
#herald-build-errors pre{white-space:pre-wrap;margin:0 0 .5rem}
`

// liveReload tells browsers about rebuilds with Server-Sent Events.
type liveReload struct {
	mu     sync.Mutex
	gen    int
	errMsg string
	subs   map[chan struct{}]struct{}
	done   chan struct{}
	closed bool
}

func newLiveReload() *liveReload {
	return &liveReload{subs: map[chan struct{}]struct{}{}, done: make(chan struct{})}
}

func (l *liveReload) setError(msg string) {
	l.mu.Lock()
	l.errMsg = msg
	l.mu.Unlock()
}

// built tells every open page that a build finished.
func (l *liveReload) built() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gen++
	for c := range l.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// close ends every event stream, so the server can shut down.
func (l *liveReload) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.done)
	}
}

func (l *liveReload) tag() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.errMsg == "" {
		return "ok"
	}
	return "err" + strconv.Itoa(l.gen)
}

// inject adds the reload script, and the errors of a failed build, before
// the page's closing body tag.
func (l *liveReload) inject(page []byte) []byte {
	l.mu.Lock()
	msg := l.errMsg
	l.mu.Unlock()
	var add bytes.Buffer
	if msg != "" {
		add.WriteString(`<link rel="stylesheet" href="/_herald/overlay.css"><div id="herald-build-errors" role="alert"><h2>The last build failed; this is the last good site</h2><pre>`)
		add.WriteString(html.EscapeString(msg))
		add.WriteString(`</pre><p>Fix the files above and save: the page reloads.</p></div>`)
	}
	add.WriteString(`<script src="/_herald/reload.js"></script>`)
	i := bytes.LastIndex(page, []byte("</body>"))
	if i < 0 {
		i = len(page)
	}
	out := make([]byte, 0, len(page)+add.Len())
	out = append(out, page[:i]...)
	out = append(out, add.Bytes()...)
	return append(out, page[i:]...)
}

func (l *liveReload) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	switch r.URL.Path {
	case liveReloadPrefix + "reload.js":
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		io.WriteString(w, reloadScript)
	case liveReloadPrefix + "overlay.css":
		h.Set("Content-Type", "text/css; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		io.WriteString(w, overlayStyle)
	case liveReloadPrefix + "events":
		l.events(w, r)
	default:
		http.NotFound(w, r)
	}
}

// events streams one "build" event with the build count now and after
// every build, until the client leaves or the server shuts down. A page
// reloads when the count it sees changes, which also covers a restarted
// server.
func (l *liveReload) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan struct{}, 1)
	l.mu.Lock()
	l.subs[c] = struct{}{}
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.subs, c)
		l.mu.Unlock()
	}()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	heartbeat := time.NewTicker(15 * time.Second)
	defer heartbeat.Stop()
	send := func() {
		l.mu.Lock()
		gen := l.gen
		l.mu.Unlock()
		// The server's start time keeps counts of two runs apart.
		fmt.Fprintf(w, "event: build\ndata: %d-%d\n\n", serverEpoch, gen)
		flusher.Flush()
	}
	send()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-l.done:
			return
		case <-c:
			send()
		case <-heartbeat.C:
			io.WriteString(w, ": keep-alive\n\n")
			flusher.Flush()
		}
	}
}

// serverEpoch tells this process's build counts from a previous one's.
var serverEpoch = time.Now().UnixNano()
