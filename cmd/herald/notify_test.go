package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
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
