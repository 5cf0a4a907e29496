package devserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(tb testing.TB, p, s string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestServerStaysInside serves a real folder over a real HTTP server
// and tries the usual ways out of it.
func TestServerStaysInside(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "public")
	secretDir := filepath.Join(dir, "secret")
	for _, d := range []string{out, secretDir, filepath.Join(out, "incidents", "a")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		filepath.Join(out, "index.html"):                   "<p>home</p>",
		filepath.Join(out, "404.html"):                     "<p>lost</p>",
		filepath.Join(out, "incidents", "a", "index.html"): "<p>incident a</p>",
		filepath.Join(secretDir, "key.txt"):                "SECRET",
		filepath.Join(dir, "herald.yaml"):                  "SECRET config",
	}
	for p, s := range files {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(secretDir, filepath.Join(out, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(secretDir, "key.txt"), filepath.Join(out, "key.txt")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(func() string { return out }, nil))
	defer srv.Close()

	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/", 200, "home"},
		{"/incidents/a/", 200, "incident a"},
		{"/nope/", 404, "lost"},
		{"/../herald.yaml", 404, "lost"},
		{"/%2e%2e/herald.yaml", 404, "lost"},
		{"/..%2fherald.yaml", 404, "lost"},
		{"/incidents/..%2f..%2fherald.yaml", 404, "lost"},
		{"/escape/key.txt", 404, "lost"},
		{"/key.txt", 404, "lost"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			// A raw request line, so the client does not clean the path.
			req, err := http.NewRequest("GET", srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.URL.Opaque = tt.path
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.body) || strings.Contains(string(body), "SECRET") {
				t.Fatalf("got %d %q, want %d containing %q", resp.StatusCode, body, tt.status, tt.body)
			}
		})
	}
}

// TestServerRedirectsFileAsFolder: a file asked for as a folder
// (/index.html/) would be served with the wrong base, breaking every
// relative link on the page; it redirects to the file's own URL, or its
// folder's for an index.html.
func TestServerRedirectsFileAsFolder(t *testing.T) {
	out := t.TempDir()
	writeFile(t, filepath.Join(out, "index.html"), "<p>home</p>")
	writeFile(t, filepath.Join(out, "history.rss"), "<rss/>")
	writeFile(t, filepath.Join(out, "incidents", "a", "index.html"), "<p>incident a</p>")
	srv := httptest.NewServer(New(func() string { return out }, nil))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		path     string
		status   int
		location string
	}{
		{"/index.html/", 301, "/"},
		{"/index.html//", 301, "/"},
		{"/incidents/a/index.html/", 301, "/incidents/a/"},
		{"/history.rss/", 301, "/history.rss"},
		{"/incidents/a", 301, "/incidents/a/"},
		{"/index.html", 200, ""},
		{"/incidents/a/", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := client.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := ""
			if loc, err := resp.Location(); err == nil {
				got = loc.Path
			}
			if resp.StatusCode != tt.status || got != tt.location {
				t.Errorf("got %d to %q, want %d to %q", resp.StatusCode, got, tt.status, tt.location)
			}
		})
	}
}

// TestLiveReloadTellsThePinnedClock: with serve -now, pages load a script
// that moves their clock to the pinned one; on the real clock they do not,
// and the script is not served.
func TestLiveReloadTellsThePinnedClock(t *testing.T) {
	out := t.TempDir()
	writeFile(t, filepath.Join(out, "index.html"), "<!doctype html><title>x</title><body><p>home</p></body>")
	pinned := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		clock  func() time.Time
		script string // the clock script's body, "" for a 404
	}{
		{"pinned", func() time.Time { return pinned }, `Date.parse("2026-11-28T15:00:00Z")`},
		{"real clock", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(New(func() string { return out }, NewLiveReload(tt.clock)))
			defer srv.Close()
			page := get(t, srv.URL+"/", 200)
			if got := strings.Contains(page, `<script src="/_herald/clock.js"></script>`); got != (tt.script != "") {
				t.Errorf("clock script on the page: got %v, want %v:\n%s", got, tt.script != "", page)
			}
			if tt.script == "" {
				get(t, srv.URL+"/_herald/clock.js", 404)
				return
			}
			if js := get(t, srv.URL+"/_herald/clock.js", 200); !strings.Contains(js, tt.script) {
				t.Errorf("got clock.js %q, want it to set %s", js, tt.script)
			}
		})
	}
}

func get(tb testing.TB, url string, status int) string {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		tb.Fatalf("GET %s: got %d, want %d", url, resp.StatusCode, status)
	}
	return string(body)
}
