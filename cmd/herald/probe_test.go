package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-status/herald/history"
)

// probeSite writes a site whose api component is probed over HTTP with a
// token from $HERALD_TEST_TOKEN, and whose db component is a closed port.
func probeSite(tb testing.TB, serverURL, closed, extra string) string {
	tb.Helper()
	dir := tb.TempDir()
	yaml := fmt.Sprintf(`title: Probe Test
base_url: https://status.example.com/
components:
  - id: api
    name: API
    probe:
      http: %s/health
      headers: {Authorization: "Bearer ${HERALD_TEST_TOKEN}"}
      interval: 1s
      expect: {status: [200], body_contains: healthy}
  - id: db
    name: Database
    probe: {tcp: "%s", interval: 1s}
  - id: docs
    name: Docs
%s`, serverURL, closed, extra)
	if err := os.WriteFile(filepath.Join(dir, "herald.yaml"), []byte(yaml), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// tokenServer answers 200 "healthy" to the right bearer token only.
func tokenServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-123" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "healthy\n")
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func openTestStore(tb testing.TB, dir string) *history.Store {
	tb.Helper()
	store, err := history.Open(filepath.Join(dir, "data", "history.db"), history.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

// noSecrets fails if any output shows a probe target or the token.
func noSecrets(tb testing.TB, out string, secrets ...string) {
	tb.Helper()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			tb.Errorf("output shows %q:\n%s", s, out)
		}
	}
}

// TestProbeOnce runs `herald probe -once` against a real server and reads
// the results back from the SQLite file it wrote.
func TestProbeOnce(t *testing.T) {
	srv := tokenServer(t)
	closed := freeAddr(t)
	dir := probeSite(t, srv.URL, closed, "")
	t.Setenv("HERALD_TEST_TOKEN", "tok-123")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"probe", "-once", "-site", dir, "-region", "ci", "-now", "2026-11-28T15:00:00Z"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("got exit %d, want 0 even though db is down\nstdout: %s\nstderr: %s", code, &stdout, &stderr)
	}
	for _, want := range []string{"api\tup\t", "db\tdown\tconnection refused\n", "probed 2 components: 1 up, 1 down\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, &stdout)
		}
	}
	noSecrets(t, stdout.String()+stderr.String(), srv.Listener.Addr().String(), closed, "tok-123", "/health")

	store := openTestStore(t, dir)
	start := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		component string
		ok        bool
		err       string
	}{{"api", true, ""}, {"db", false, "connection refused"}} {
		r, found, err := store.Latest(context.Background(), tt.component, start.Add(time.Minute))
		if err != nil || !found {
			t.Fatalf("%s: got found=%v err=%v, want a stored result", tt.component, found, err)
		}
		if r.OK != tt.ok || r.Error != tt.err || r.Region != "ci" {
			t.Errorf("%s: got %+v, want ok=%v error=%q region=ci", tt.component, r, tt.ok, tt.err)
		}
		if r.Time.Before(start) || r.Time.After(start.Add(time.Minute)) {
			t.Errorf("%s: got time %v, want the -now clock, %v, plus the run's few seconds", tt.component, r.Time, start)
		}
	}
}

func TestProbeOnceFailures(t *testing.T) {
	srv := tokenServer(t)
	tests := []struct {
		name   string
		env    string
		setup  func(dir string)
		stderr string
	}{
		{"unset variable", "", nil, "herald.yaml:8:32: environment variable HERALD_TEST_TOKEN is not set"},
		{"store cannot be written", "tok-123", func(dir string) {
			// history.path's folder is a file, so the store cannot be created.
			os.WriteFile(filepath.Join(dir, "data"), nil, 0o644)
		}, "history"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := probeSite(t, srv.URL, freeAddr(t), "")
			t.Setenv("HERALD_TEST_TOKEN", tt.env)
			if tt.setup != nil {
				tt.setup(dir)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"probe", "-once", "-site", dir}, &stdout, &stderr)
			if code != exitInvalid {
				t.Fatalf("got exit %d, want 1\nstderr: %s", code, &stderr)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("got stderr %q, want it to contain %q", &stderr, tt.stderr)
			}
			noSecrets(t, stdout.String()+stderr.String(), srv.Listener.Addr().String(), "tok-123")
		})
	}
}

// syncBuffer is a bytes.Buffer safe to read while the daemon writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProbeDaemon runs `herald probe` on its schedule, scrapes its metrics,
// stops it as SIGTERM would, and finds the results in the store.
func TestProbeDaemon(t *testing.T) {
	srv := tokenServer(t)
	closed := freeAddr(t)
	dir := probeSite(t, srv.URL, closed, "")
	t.Setenv("HERALD_TEST_TOKEN", "tok-123")
	listen := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"probe", "-site", dir, "-region", "eu", "-listen", listen}, &stdout, &stderr)
	}()

	want := []string{
		`herald_probe_success{component="api",region="eu"} 1`,
		`herald_probe_success{component="db",region="eu"} 0`,
	}
	var body string
	deadline := time.Now().Add(30 * time.Second)
	for {
		body = scrape(listen)
		if strings.Contains(body, want[0]) && strings.Contains(body, want[1]) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never showed %q within 30s:\n%s\nstderr: %s", want, body, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if resp, err := http.Get("http://" + listen + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: got %v %v, want 200", resp, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("got exit %d after interrupt, want 0\nstderr: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("herald probe did not stop within 30s of the interrupt")
	}
	noSecrets(t, stdout.String()+stderr.String()+body, srv.Listener.Addr().String(), closed, "tok-123", "/health")
	if !strings.Contains(stderr.String(), "component=db") {
		t.Errorf("stderr does not log db going down by its id:\n%s", stderr.String())
	}
	r, found, err := openTestStore(t, dir).Latest(context.Background(), "api", time.Now())
	if err != nil || !found || !r.OK || r.Region != "eu" {
		t.Errorf("got %+v found=%v err=%v, want an ok result from eu in the store", r, found, err)
	}
}

func scrape(addr string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
