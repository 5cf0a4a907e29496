package main

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeLiveReload runs herald serve as a process and checks the
// headers, the injected reload script and error overlay, the event stream,
// traversal, and that herald build output never holds the script.
func TestServeLiveReload(t *testing.T) {
	site := newTestSite(t, testConfig)
	p := start(t, site, "serve", "-addr", "127.0.0.1:0", "-every", "1h")
	addrRE := regexp.MustCompile(`serving on (http://[^/]+)/`)
	waitFor(t, p, "the address", func() bool { return addrRE.MatchString(p.stdout.String()) })
	base := addrRE.FindStringSubmatch(p.stdout.String())[1]
	waitFor(t, p, "the first build", func() bool { return p.stdout.count(rebuiltLine) >= 1 })

	get := func(path string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest("GET", base, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Opaque = path
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp, readAll(t, resp.Body)
	}
	resp, body := get("/incidents/a/")
	if resp.StatusCode != 200 || !strings.Contains(body, `<script src="/_herald/reload.js"></script></body>`) {
		t.Fatalf("got %d, want the page with the reload script before </body>:\n%s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Content-Security-Policy"); got != "default-src 'self'" {
		t.Errorf("CSP %q", got)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Cache-Control") == "" || resp.Header.Get("Last-Modified") == "" {
		t.Errorf("missing validators or Cache-Control: %v", resp.Header)
	}
	if resp, _ := get("/incidents/a/", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: got %d, want 304", resp.StatusCode)
	}
	real, _ := filepath.EvalSymlinks(filepath.Join(site, "public"))
	css, _ := filepath.Glob(filepath.Join(real, "assets", "style.*.css"))
	if len(css) != 1 {
		t.Fatalf("no stylesheet in %s", real)
	}
	resp, _ = get("/assets/" + filepath.Base(css[0]))
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("stylesheet: Cache-Control %q, Content-Type %q", cc, resp.Header.Get("Content-Type"))
	}
	resp, _ = get("/history.rss")
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=60" {
		t.Errorf("feed: Cache-Control %q", cc)
	}
	for _, path := range []string{"/../herald.yaml", "/%2e%2e/herald.yaml", "/..%2fherald.yaml", "/incidents/..%2f..%2fherald.yaml", "/.herald-manifest"} {
		if resp, body := get(path); resp.StatusCode != 404 || strings.Contains(body, "Watch Test\ncomponents") {
			t.Errorf("%s: got %d, want 404", path, resp.StatusCode)
		}
	}
	resp, js := get("/_herald/reload.js")
	if resp.StatusCode != 200 || !strings.Contains(js, "EventSource") {
		t.Errorf("reload.js: %d %q", resp.StatusCode, js)
	}

	// The event stream announces each build.
	req, _ := http.NewRequest("GET", base+"/_herald/events", nil)
	ev, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Body.Close()
	events := bufio.NewReader(ev.Body)
	readEvent := func() string {
		t.Helper()
		for {
			line, err := events.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(line, "data: ") {
				return strings.TrimSpace(line)
			}
		}
	}
	first := readEvent()
	writeFile(t, filepath.Join(site, "incidents", "a.md"), "---\ntitle: x\ncomponents: {nope: major_outage}\nstarted: 2026-11-01 10:00\n---\n")
	if next := readEvent(); next == first {
		t.Errorf("no new build event after an edit")
	}
	// While the build is failing, pages carry the errors; the files do not.
	_, body = get("/incidents/a/")
	if !strings.Contains(body, `id="herald-build-errors"`) || !strings.Contains(body, "incidents/a.md:3:") {
		t.Errorf("no error overlay with the file's place:\n%s", body)
	}
	if data := published(site, "incidents/a/index.html"); strings.Contains(data, "herald-build-errors") || strings.Contains(data, "_herald") {
		t.Errorf("the published file holds serve's additions")
	}
	writeFile(t, filepath.Join(site, "incidents", "a.md"), testIncident("Incident A", "Fixed."))
	readEvent()
	if _, body := get("/incidents/a/"); strings.Contains(body, "herald-build-errors") || !strings.Contains(body, "Fixed.") {
		t.Errorf("after the fix: the overlay stayed or the page is old")
	}

	// herald build writes no trace of serve.
	b := exec.Command(heraldBinary(t), "build", "-out", "built")
	b.Dir = site
	if out, err := b.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	filepath.WalkDir(filepath.Join(site, "built"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			if bytes.Contains(data, []byte("_herald")) || bytes.Contains(data, []byte("<script")) {
				t.Errorf("%s holds a script", p)
			}
		}
		return nil
	})
}

// TestServeWithoutReload checks that -reload=false serves pages byte for
// byte as published, with no live-reload script or endpoint.
func TestServeWithoutReload(t *testing.T) {
	site := newTestSite(t, testConfig)
	p := start(t, site, "serve", "-reload=false", "-addr", "127.0.0.1:0", "-every", "1h")
	addrRE := regexp.MustCompile(`serving on (http://[^/]+)/ \(pages as published\)`)
	waitFor(t, p, "the address", func() bool { return addrRE.MatchString(p.stdout.String()) })
	base := addrRE.FindStringSubmatch(p.stdout.String())[1]
	waitFor(t, p, "the first build", func() bool { return p.stdout.count(rebuiltLine) >= 1 })
	resp, err := http.Get(base + "/incidents/a/")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp.Body)
	resp.Body.Close()
	if want := published(site, "incidents/a/index.html"); resp.StatusCode != 200 || body != want {
		t.Errorf("got %d and a page that differs from the published one:\n%s", resp.StatusCode, body)
	}
	if resp, err := http.Get(base + "/_herald/reload.js"); err != nil || resp.StatusCode != 404 {
		t.Errorf("got %v %v for the reload script, want 404", resp.StatusCode, err)
	}
}

// TestServeAddress runs herald serve on several -addr values: it prints an
// address a browser can open (not [::] for 0.0.0.0), and warns on stderr
// when other machines can reach it.
func TestServeAddress(t *testing.T) {
	tests := []struct {
		addr, host string
		warn       bool
	}{
		{"127.0.0.1:0", "127.0.0.1", false},
		{"localhost:0", "127.0.0.1", false},
		{"0.0.0.0:0", "127.0.0.1", true},
		{":0", "127.0.0.1", true},
		{"[::]:0", "[::1]", true},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			site := newTestSite(t, testConfig)
			p := start(t, site, "serve", "-addr", tt.addr, "-every", "1h")
			addrRE := regexp.MustCompile(`serving on (http://([^/]+):\d+)/`)
			waitFor(t, p, "the address", func() bool { return addrRE.MatchString(p.stdout.String()) })
			m := addrRE.FindStringSubmatch(p.stdout.String())
			if m[2] != tt.host {
				t.Errorf("got %s, want host %s", m[0], tt.host)
			}
			waitFor(t, p, "the first build", func() bool { return p.stdout.count(rebuiltLine) >= 1 })
			resp, err := http.Get(m[1] + "/")
			if err != nil {
				t.Fatalf("the printed address: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("got %d from the printed address, want 200", resp.StatusCode)
			}
			p.stop(t)
			warned := strings.Contains(p.stderr.String(), "reachable from other machines")
			if warned != tt.warn {
				t.Errorf("got warning %v, want %v; stderr:\n%s", warned, tt.warn, p.stderr.String())
			}
		})
	}
}
