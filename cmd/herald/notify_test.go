package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestNotifyCommand(t *testing.T) {
	var got atomic.Int32
	fail := atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got.Add(1)
	}))
	defer srv.Close()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "incidents"), 0o755)
	os.WriteFile(filepath.Join(dir, "herald.yaml"), []byte("title: T\nbase_url: https://s.example/\ncomponents: [{id: api, name: API}]\nnotify:\n  webhooks: [{url: \""+srv.URL+"\", format: slack}]\n"), 0o644)
	notifyAt := func(now string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"notify", "-site", dir, "-now", now, "-timeout", "5s"}, &stdout, &stderr)
		return code, stdout.String() + stderr.String()
	}
	if code, out := notifyAt("2026-11-28T09:00:00Z"); code != exitOK || !strings.Contains(out, "baseline recorded") {
		t.Fatalf("first run: exit %d, %s", code, out)
	}
	// Written after the baseline: an incident may not start after the clock.
	os.WriteFile(filepath.Join(dir, "incidents", "a.md"), []byte("---\ntitle: Down\ncomponents: {api: major_outage}\nstarted: 2026-11-28T10:00:00Z\n---\n"), 0o644)
	fail.Store(true)
	if code, out := notifyAt("2026-11-28T11:00:00Z"); code != exitInvalid || !strings.Contains(out, "1 events still pending") {
		t.Fatalf("failing endpoint: exit %d, %s", code, out)
	}
	fail.Store(false)
	if code, out := notifyAt("2026-11-28T11:00:00Z"); code != exitOK || got.Load() != 1 {
		t.Fatalf("retry: exit %d, %d delivered, %s", code, got.Load(), out)
	}
	if code, _ := notifyAt("2026-11-28T11:00:00Z"); code != exitOK || got.Load() != 1 {
		t.Fatalf("third run sent again: %d delivered", got.Load())
	}
}

// TestNotifyKeepsWebhookSecret runs herald notify against webhooks that
// fail, and greps everything it wrote (stdout, stderr, the state file) for
// the secrets their URLs carry: a path token, a query token, a password.
func TestNotifyKeepsWebhookSecret(t *testing.T) {
	closed := freeAddr(t)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+closed+"/hooks/REDIRECTTOKEN?sig=REDIRECTSIG", http.StatusFound)
	}))
	t.Cleanup(redirect.Close) // the subtests run in parallel, after this function returns
	secrets := []string{"SECRETHOOKTOKEN", "QUERYTOKEN", "user:", "PASSW0RD", "REDIRECTTOKEN", "REDIRECTSIG", "/hooks/"}
	tests := []struct {
		name, url, host string
	}{
		{"refused", "http://" + closed + "/hooks/SECRETHOOKTOKEN?key=QUERYTOKEN", closed},
		{"password", "http://user:PASSW0RD@" + closed + "/hooks/SECRETHOOKTOKEN", closed},
		{"redirected", redirect.URL + "/hooks/SECRETHOOKTOKEN", closed}, // the error names where it was sent
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "herald.yaml"), "title: T\nbase_url: https://s.example/\ncomponents: [{id: api, name: API}]\nnotify:\n  webhooks: [{url: \""+tt.url+"\", format: slack}]\n")
			var out strings.Builder
			for _, now := range []string{"2026-11-28T09:00:00Z", "2026-11-28T11:00:00Z"} {
				if now != "2026-11-28T09:00:00Z" {
					writeFile(t, filepath.Join(dir, "incidents", "a.md"), "---\ntitle: Down\ncomponents: {api: major_outage}\nstarted: 2026-11-28T10:00:00Z\n---\n")
				}
				var stdout, stderr bytes.Buffer
				run(context.Background(), []string{"notify", "-site", dir, "-now", now, "-timeout", "1500ms"}, &stdout, &stderr)
				out.WriteString(stdout.String() + stderr.String())
			}
			if !strings.Contains(out.String(), "delivery failed") || !strings.Contains(out.String(), tt.host) {
				t.Fatalf("got output %q, want a delivery failure naming %s", out.String(), tt.host)
			}
			state, err := os.ReadFile(filepath.Join(dir, "data", "notify.json"))
			if err != nil {
				t.Fatal(err)
			}
			noSecrets(t, out.String()+string(state), secrets...)
		})
	}
}

// TestWatchKeepsWebhookSecret runs herald watch with a webhook that
// refuses, until it logs the failed delivery, and greps all it wrote for
// the secrets of the webhook's URL.
func TestWatchKeepsWebhookSecret(t *testing.T) {
	hook := "http://user:PASSW0RD@" + freeAddr(t) + "/hooks/SECRETHOOKTOKEN?key=QUERYTOKEN"
	site := newTestSite(t, testConfig+"notify:\n  webhooks:\n    - {url: '"+hook+"', format: discord}\n")
	p := start(t, site, "watch", "-every", "1h")
	waitFor(t, p, "the baseline", func() bool { return strings.Contains(p.stdout.String(), "notify: recorded a baseline") })
	writeFile(t, filepath.Join(site, "incidents", "b.md"), "---\ntitle: Outage\ncomponents: {web: major_outage}\nstarted: 2026-11-28 14:00\n---\nDown.\n")
	// A round tries 4 times, 1s, 2s and 4s apart, before it logs.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(p.stderr.String(), "delivery failed"); {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for the failed delivery to be logged\nstderr:\n%s", p.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.stop(t)
	state, err := os.ReadFile(filepath.Join(site, "data", "notify.json"))
	if err != nil {
		t.Fatal(err)
	}
	noSecrets(t, p.stdout.String()+p.stderr.String()+string(state), "SECRETHOOKTOKEN", "QUERYTOKEN", "user:", "PASSW0RD", "/hooks/")
}

// TestNotifyTwoProcesses runs two herald notify processes at once on one
// site, as a cron job and a second cron job (or a watch) would. The
// receiver answers slowly, so that the two runs overlap, and counts the
// Idempotency-Keys: each event must arrive exactly once.
func TestNotifyTwoProcesses(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.Header.Get("Idempotency-Key")]++
		mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}))
	defer srv.Close()
	site := t.TempDir()
	writeFile(t, filepath.Join(site, "herald.yaml"), "title: T\nbase_url: https://s.example/\ncomponents: [{id: api, name: API}]\nnotify:\n  webhooks: [{url: \""+srv.URL+"\", format: json}]\n")
	notify := func(now string) *exec.Cmd {
		cmd := exec.Command(heraldBinary(t), "notify", "-site", site, "-now", now, "-timeout", "30s")
		cmd.Stdout, cmd.Stderr = &lines{}, &lines{}
		return cmd
	}
	if base := notify("2026-11-28T09:00:00Z"); base.Run() != nil {
		t.Fatalf("baseline: %s%s", base.Stdout, base.Stderr)
	}
	for _, name := range []string{"a", "b", "c"} {
		writeFile(t, filepath.Join(site, "incidents", name+".md"), "---\ntitle: Down "+name+"\ncomponents: {api: major_outage}\nstarted: 2026-11-28T10:00:00Z\n---\n")
	}
	cmds := []*exec.Cmd{notify("2026-11-28T11:00:00Z"), notify("2026-11-28T11:00:00Z")}
	for _, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s%s", i, err, cmd.Stdout, cmd.Stderr)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 {
		t.Errorf("got %d distinct events, want 3: %v", len(got), got)
	}
	for key, n := range got {
		if n != 1 {
			t.Errorf("got event %s %d times, want once", key, n)
		}
	}
}

// keyLog is a webhook receiver that records the Idempotency-Key of every
// request, in order; its stall-th request gets no answer until the sender
// goes away.
type keyLog struct {
	mu      sync.Mutex
	keys    []string
	stall   int
	stalled chan struct{}
}

func (l *keyLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body) // the server sees the client go only after the body
	l.mu.Lock()
	l.keys = append(l.keys, r.Header.Get("Idempotency-Key"))
	n := len(l.keys)
	l.mu.Unlock()
	if n == l.stall {
		close(l.stalled)
		<-r.Context().Done()
	}
}

func (l *keyLog) got() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.keys)
}

// TestNotifySIGKILL kills a real herald notify with SIGKILL while one of
// its two webhooks holds a request unanswered, and runs it again: no event
// is lost to either webhook, and only the one in flight is sent again,
// with the same Idempotency-Key. The killed process's lock must not stop
// the second run.
func TestNotifySIGKILL(t *testing.T) {
	stalling := &keyLog{stall: 2, stalled: make(chan struct{})}
	healthy := &keyLog{}
	stallSrv, healthySrv := httptest.NewServer(stalling), httptest.NewServer(healthy)
	defer stallSrv.Close()
	defer healthySrv.Close()
	site := t.TempDir()
	writeFile(t, filepath.Join(site, "herald.yaml"), "title: T\nbase_url: https://s.example/\ncomponents: [{id: api, name: API}]\nnotify:\n  webhooks:\n    - {url: \""+stallSrv.URL+"\", format: json}\n    - {url: \""+healthySrv.URL+"\", format: discord}\n")
	notify := func(now string) *exec.Cmd {
		cmd := exec.Command(heraldBinary(t), "notify", "-site", site, "-now", now, "-timeout", "20s")
		cmd.Stdout, cmd.Stderr = &lines{}, &lines{}
		return cmd
	}
	if base := notify("2026-11-28T09:00:00Z"); base.Run() != nil {
		t.Fatalf("baseline: %s%s", base.Stdout, base.Stderr)
	}
	for _, name := range []string{"a", "b", "c", "d"} {
		writeFile(t, filepath.Join(site, "incidents", name+".md"), "---\ntitle: Down "+name+"\ncomponents: {api: major_outage}\nstarted: 2026-11-28T10:00:00Z\n---\n")
	}
	first := notify("2026-11-28T11:00:00Z")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stalling.stalled:
	case <-time.After(20 * time.Second):
		first.Process.Kill()
		first.Wait()
		t.Fatalf("the stalling webhook never got its second request\n%s%s", first.Stdout, first.Stderr)
	}
	for deadline := time.Now().Add(10 * time.Second); len(healthy.got()) < 4; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the healthy webhook got %d of 4 events while the other stalled", len(healthy.got()))
		}
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()

	again := notify("2026-11-28T11:00:00Z")
	start := time.Now()
	if err := again.Run(); err != nil {
		t.Fatalf("after the kill: %v\n%s%s", err, again.Stdout, again.Stderr)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the run after the kill took %s; the lock should have been free", d)
	}
	s, h := stalling.got(), healthy.got()
	if len(s) != 5 || s[1] != s[2] {
		t.Errorf("stalling webhook got %v; want 4 events, the second one twice in a row", s)
	}
	if u := slices.Compact(slices.Sorted(slices.Values(s))); len(u) != 4 {
		t.Errorf("stalling webhook got %d distinct events, want 4", len(u))
	}
	// The healthy webhook's last answer may have come back just before the
	// kill, too late for the state to record it: then that event was in
	// flight too, and is sent once more, first.
	if u := slices.Compact(slices.Sorted(slices.Values(h))); len(u) != 4 || len(h) > 5 || len(h) == 5 && h[4] != h[3] {
		t.Errorf("healthy webhook got %v; want 4 events once each, the last perhaps twice in a row", h)
	}
}

// TestNotifyLockHeld runs herald notify while another process holds the
// state's lock for longer than -timeout: it must stop at -timeout, send
// nothing and say why.
func TestNotifyLockHeld(t *testing.T) {
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer srv.Close()
	site := t.TempDir()
	writeFile(t, filepath.Join(site, "herald.yaml"), "title: T\nbase_url: https://s.example/\ncomponents: [{id: api, name: API}]\nnotify:\n  webhooks: [{url: \""+srv.URL+"\", format: json}]\n")
	notifyAt := func(now string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"notify", "-site", site, "-now", now, "-timeout", "300ms"}, &stdout, &stderr)
		return code, stdout.String() + stderr.String()
	}
	if code, out := notifyAt("2026-11-28T09:00:00Z"); code != exitOK {
		t.Fatalf("baseline: exit %d, %s", code, out)
	}
	writeFile(t, filepath.Join(site, "incidents", "a.md"), "---\ntitle: Down\ncomponents: {api: major_outage}\nstarted: 2026-11-28T10:00:00Z\n---\n")
	// Another process: a flock on its own open file, as herald takes it.
	lock, err := os.OpenFile(filepath.Join(site, "data", "notify.json.lock"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, out := notifyAt("2026-11-28T11:00:00Z")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s with -timeout 300ms", d)
	}
	want := "notify: nothing sent in -timeout 300ms; the events stay pending for the process that delivers or the next run: lock " + filepath.Join(site, "data", "notify.json.lock") + ": another herald process (watch, run or notify) holds it"
	if code != exitInvalid || !strings.Contains(out, want) || got.Load() != 0 {
		t.Errorf("got exit %d, %d sent, %q; want exit 1, nothing sent, %q", code, got.Load(), out, want)
	}
	lock.Close()
	if code, out := notifyAt("2026-11-28T11:00:00Z"); code != exitOK || got.Load() != 1 {
		t.Errorf("after the lock was released: exit %d, %d sent, %s; want the event sent", code, got.Load(), out)
	}
}
