package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSiteHandlerStaysInside serves a real folder over a real HTTP server
// and tries the usual ways out of it.
func TestSiteHandlerStaysInside(t *testing.T) {
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
	srv := httptest.NewServer(siteHandler(out))
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
