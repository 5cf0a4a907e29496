package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const freshStatus = `{"page":{"id":"abc","name":"T","url":"https://s.example/","time_zone":"Etc/UTC","updated_at":"2026-11-28T14:55:00Z"},"status":{"indicator":"none","description":"All Systems Operational"}}`

// TestWatchdog runs every branch of herald check -url/-dir against a real
// HTTP server and a folder.
func TestWatchdog(t *testing.T) {
	mux := http.NewServeMux()
	serve := func(path, body string, code int) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			w.Write([]byte(body))
		})
	}
	serve("/ok/api/v2/status.json", freshStatus, 200)
	serve("/error/api/v2/status.json", "oops", 503)
	serve("/html/api/v2/status.json", "<html>not json</html>", 200)
	serve("/nofield/api/v2/status.json", `{"page":{"name":"T"},"status":{"indicator":"none"}}`, 200)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()

	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "api", "v2"), 0o755)
	os.WriteFile(filepath.Join(dir, "api", "v2", "status.json"), []byte(freshStatus), 0o644)

	tests := []struct {
		name   string
		args   []string
		want   int
		output string
	}{
		{"fresh url", []string{"-url", srv.URL + "/ok/", "-max-age", "10m"}, exitOK, "ok: " + srv.URL + "/ok/api/v2/status.json updated 5m0s ago (none: All Systems Operational)"},
		{"fresh dir", []string{"-dir", dir}, exitOK, "ok: "},
		{"stale", []string{"-url", srv.URL + "/ok", "-max-age", "2m"}, exitInvalid, "stale: " + srv.URL + "/ok/api/v2/status.json was last updated at 2026-11-28T14:55:00Z, 5m0s ago (more than -max-age 2m0s)"},
		{"stale dir", []string{"-dir", dir, "-now", "2026-11-29T00:00:00Z"}, exitInvalid, "stale: "},
		{"future", []string{"-dir", dir, "-now", "2026-11-28T10:00:00Z"}, exitInvalid, "in the future"},
		{"http error", []string{"-url", srv.URL + "/error"}, exitInvalid, "unreachable: " + srv.URL + "/error/api/v2/status.json: HTTP error: 503 Service Unavailable"},
		{"not found", []string{"-url", srv.URL + "/missing"}, exitInvalid, "404 Not Found"},
		{"refused", []string{"-url", deadURL}, exitInvalid, "unreachable: "},
		{"bad json", []string{"-url", srv.URL + "/html"}, exitInvalid, "invalid: " + srv.URL + "/html/api/v2/status.json: not a Statuspage status.json"},
		{"missing field", []string{"-url", srv.URL + "/nofield"}, exitInvalid, "no page.updated_at"},
		{"missing dir", []string{"-dir", filepath.Join(dir, "nope")}, exitInvalid, "unreachable: "},
		{"both", []string{"-url", srv.URL, "-dir", dir}, exitUsage, "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"check", "-now", "2026-11-28T15:00:00Z"}, tt.args...)
			if tt.name == "stale dir" || tt.name == "future" {
				args = append([]string{"check"}, tt.args...)
			}
			got := run(context.Background(), args, &stdout, &stderr)
			if got != tt.want {
				t.Fatalf("got exit %d, want %d\nstdout: %s\nstderr: %s", got, tt.want, &stdout, &stderr)
			}
			if out := stdout.String() + stderr.String(); !strings.Contains(out, tt.output) {
				t.Errorf("got output %q, want it to contain %q", out, tt.output)
			}
		})
	}
}
