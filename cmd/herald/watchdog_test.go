package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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
	serve("/banana/api/v2/status.json", strings.Replace(freshStatus, `"none"`, `"banana"`, 1), 200)
	serve("/huge/api/v2/status.json", freshStatus+strings.Repeat(" ", 1<<20), 200)
	mux.HandleFunc("/auth/api/v2/status.json", func(w http.ResponseWriter, r *http.Request) {
		if user, pw, _ := r.BasicAuth(); user != "user" || pw != "PASSW0RD" || r.URL.Query().Get("token") != "QTOKEN" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		w.Write([]byte(freshStatus))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()

	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "api", "v2"), 0o755)
	os.WriteFile(filepath.Join(dir, "api", "v2", "status.json"), []byte(freshStatus), 0o644)

	authURL := strings.Replace(srv.URL, "http://", "http://user:PASSW0RD@", 1) + "/auth/?token=QTOKEN"
	secrets := []string{"user:", "PASSW0RD", "QTOKEN"}
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
		{"future", []string{"-dir", dir, "-now", "2026-11-28T10:00:00Z"}, exitInvalid, "stale: " + filepath.Join(dir, "api", "v2", "status.json") + " claims to be updated at 2026-11-28T14:55:00Z, 4h55m0s in the future"},
		{"credentials", []string{"-url", authURL}, exitOK, "ok: http://***@" + strings.TrimPrefix(srv.URL, "http://") + "/auth/api/v2/status.json updated"},
		{"credentials refused", []string{"-url", "http://user:PASSW0RD@" + deadURL[len("http://"):] + "/?token=QTOKEN"}, exitInvalid, "unreachable: http://***@" + deadURL[len("http://"):] + "/api/v2/status.json: Get"},
		{"credentials wrong", []string{"-url", strings.Replace(authURL, "QTOKEN", "QTOKENX", 1)}, exitInvalid, "401 Unauthorized"},
		{"bad indicator", []string{"-url", srv.URL + "/banana"}, exitInvalid, `invalid: ` + srv.URL + `/banana/api/v2/status.json: not a Statuspage status.json: status.indicator "banana" is not one of none, minor, major, critical, maintenance`},
		{"huge", []string{"-url", srv.URL + "/huge"}, exitInvalid, "invalid: " + srv.URL + "/huge/api/v2/status.json: over the 1 MiB limit"},
		{"path as url", []string{"-url", dir}, exitUsage, "-url " + dir + " is a path, not a URL (use -dir " + dir + ")"},
		{"relative path as url", []string{"-url", "./public"}, exitUsage, "-url ./public is a path, not a URL (use -dir ./public)"},
		{"no scheme", []string{"-url", "status.example.com"}, exitUsage, "-url wants an http(s) URL: did you mean https://status.example.com?"},
		{"no scheme with password", []string{"-url", "user:PASSW0RD@status.example.com"}, exitUsage, "-url wants an http(s) URL such as https://status.example.com"},
		{"ftp", []string{"-url", "ftp://user:PASSW0RD@status.example.com/"}, exitUsage, "-url wants an http(s) URL such as https://status.example.com"},
		{"negative max-age", []string{"-url", srv.URL + "/ok", "-max-age", "-10m"}, exitUsage, "-max-age must be positive, got -10m0s"},
		{"zero timeout", []string{"-url", srv.URL + "/ok", "-timeout", "0s"}, exitUsage, "-timeout must be positive, got 0s"},
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
			out := stdout.String() + stderr.String()
			if !strings.Contains(out, tt.output) {
				t.Errorf("got output %q, want it to contain %q", out, tt.output)
			}
			noSecrets(t, out, secrets...)
		})
	}
}

// TestWatchdogDirLimits gives herald check -dir a status.json that is not a
// small regular file, each of which once hung it or ate memory; each must
// be refused at once. A hang fails the test instead of stopping it.
func TestWatchdogDirLimits(t *testing.T) {
	tests := []struct {
		name   string
		make   func(t *testing.T, p string)
		output string
	}{
		{"fifo", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "is a named pipe, not a regular file"},
		{"symlink to /dev/zero", func(t *testing.T, p string) {
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
		}, "is a device, not a regular file"},
		{"folder", func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "is a folder, not a regular file"},
		{"over the limit", func(t *testing.T, p string) {
			// Sparse: 64 MiB on paper, nothing on disk.
			if err := os.WriteFile(p, []byte(freshStatus), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, 64<<20); err != nil {
				t.Fatal(err)
			}
		}, "is 67108864 bytes, over the 1 MiB limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "api", "v2", "status.json")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			tt.make(t, p)
			code, out := runWithin(t, 5*time.Second, context.Background(), "check", "-now", "2026-11-28T15:00:00Z", "-dir", dir)
			if want := "invalid: " + p + ": " + tt.output; code != exitInvalid || !strings.Contains(out, want) {
				t.Errorf("got exit %d, %q, want %d and %q", code, out, exitInvalid, want)
			}
		})
	}
	t.Run("interrupted", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "api", "v2", "status.json"), freshStatus)
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // as SIGTERM does through signal.NotifyContext
		if code, out := runWithin(t, 5*time.Second, ctx, "check", "-now", "2026-11-28T15:00:00Z", "-dir", dir); code != exitInvalid || !strings.Contains(out, "interrupted") {
			t.Errorf("got exit %d, %q, want %d and interrupted", code, out, exitInvalid)
		}
	})
}

// runWithin runs herald with args and fails the test if it takes longer
// than limit.
func runWithin(t *testing.T, limit time.Duration, ctx context.Context, args ...string) (int, string) {
	t.Helper()
	type result struct {
		code int
		out  string
	}
	done := make(chan result, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := run(ctx, args, &stdout, &stderr)
		done <- result{code, stdout.String() + stderr.String()}
	}()
	select {
	case r := <-done:
		return r.code, r.out
	case <-time.After(limit):
		t.Fatalf("herald %s still running after %s", strings.Join(args, " "), limit)
		return 0, ""
	}
}
