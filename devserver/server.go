// Package devserver is herald serve's HTTP server for authors: it serves
// the published folder with the cache headers docs/deploy.md recommends,
// never a file outside it, and, with live reload, reloads open pages after
// each rebuild and shows a failed build's errors on top of every page.
// What it adds to pages is added as they are served and is never part of
// the built site. It is a preview, not a production server.
package devserver

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
)

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

// New returns the server of the folder that out names: the output path,
// which it resolves again for every request, so that a rebuild's atomic
// swap is picked up at once. The folder is opened as an os.Root, which
// refuses any path, `..` or symlink that would leave it. With live set,
// HTML responses get the reload script (and the errors of a failed build)
// injected, and /_herald/ serves them; with live nil, every file is served
// exactly as published.
func New(out func() string, live *LiveReload) http.Handler {
	return &siteServer{out: out, live: live}
}

type siteServer struct {
	out  func() string
	live *LiveReload
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
