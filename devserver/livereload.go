package devserver

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

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

// clockScript moves the page's clock (Date.now) to the pinned clock of
// serve -now, so that stale.js, which compares the page's time with
// Date.now, does not call a preview pinned to its own date stale. Only
// pages as serve shows them load it; a built site never does.
const clockScript = `// herald serve -now: the page's clock is the server's. Not part of the site.
(function () {
  var skew = Date.parse(%q) - Date.now();
  var now = Date.now;
  Date.now = function () { return now() + skew; };
})();
`

const overlayStyle = `#herald-build-errors{position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;z-index:2147483647;margin:0;padding:1rem 1.5rem;background:#5c0011;color:#fff;font:14px/1.5 ui-monospace,monospace;box-shadow:0 2px 12px rgba(0,0,0,.5)}
#herald-build-errors h2{font-size:1rem;margin:0 0 .5rem}
#herald-build-errors pre{white-space:pre-wrap;margin:0 0 .5rem}
`

// LiveReload tells browsers about rebuilds with Server-Sent Events.
type LiveReload struct {
	// epoch tells this server's build counts from a previous one's, so a
	// page reloads when the server was restarted too.
	epoch uint64
	// clock, when not nil, is the pinned clock of serve -now, which pages
	// are told so that their stale warning reads it, not the browser's.
	clock func() time.Time

	mu     sync.Mutex
	gen    int
	errMsg string
	subs   map[chan struct{}]struct{}
	done   chan struct{}
	closed bool
}

// NewLiveReload returns the live reload of one server. clock is nil when
// the server runs on the real clock; with -now it is the pinned one, and
// every page is told it (see clockScript), so that the example, pinned to
// its own date, does not warn that it is out of date.
func NewLiveReload(clock func() time.Time) *LiveReload {
	var b [8]byte
	rand.Read(b[:]) // never fails; see its documentation
	return &LiveReload{epoch: binary.BigEndian.Uint64(b[:]), clock: clock, subs: map[chan struct{}]struct{}{}, done: make(chan struct{})}
}

// SetError sets the errors of the last build that every page shows, or
// clears them with "".
func (l *LiveReload) SetError(msg string) {
	l.mu.Lock()
	l.errMsg = msg
	l.mu.Unlock()
}

// Built tells every open page that a build finished.
func (l *LiveReload) Built() {
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

// Close ends every event stream, so the server can shut down.
func (l *LiveReload) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.done)
	}
}

func (l *LiveReload) tag() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.errMsg == "" {
		return "ok"
	}
	return "err" + strconv.Itoa(l.gen)
}

// inject adds the reload script, and the errors of a failed build, before
// the page's closing body tag.
func (l *LiveReload) inject(page []byte) []byte {
	l.mu.Lock()
	msg := l.errMsg
	l.mu.Unlock()
	var add bytes.Buffer
	if msg != "" {
		add.WriteString(`<link rel="stylesheet" href="/_herald/overlay.css"><div id="herald-build-errors" role="alert"><h2>The last build failed; this is the last good site</h2><pre>`)
		add.WriteString(html.EscapeString(msg))
		add.WriteString(`</pre><p>Fix the files above and save: the page reloads.</p></div>`)
	}
	if l.clock != nil {
		// A classic script, so it runs before the page's deferred ones.
		add.WriteString(`<script src="/_herald/clock.js"></script>`)
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

func (l *LiveReload) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	switch r.URL.Path {
	case liveReloadPrefix + "reload.js":
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		io.WriteString(w, reloadScript)
	case liveReloadPrefix + "clock.js":
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		if l.clock == nil {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, clockScript, l.clock().UTC().Format(time.RFC3339))
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
func (l *LiveReload) events(w http.ResponseWriter, r *http.Request) {
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
		fmt.Fprintf(w, "event: build\ndata: %d-%d\n\n", l.epoch, gen)
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
