package watch

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWatcherDebounce runs a real fsnotify watcher with a one-second
// debounce: a save of one file is reported at once (long before the
// debounce), while a burst over several files, or of many writes to one,
// is reported once, and only after the debounce.
func TestWatcherDebounce(t *testing.T) {
	dir := t.TempDir()
	incidents := filepath.Join(dir, "incidents")
	if err := os.Mkdir(incidents, 0o755); err != nil {
		t.Fatal(err)
	}
	const debounce = time.Second
	w, err := NewWatcher(dir, func(string, bool) Kind { return Source }, debounce, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	write := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(incidents, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	quiet := func(d time.Duration) bool {
		select {
		case <-w.C:
			return false
		case <-time.After(d):
			return true
		}
	}

	start := time.Now()
	write("a.md")
	select {
	case <-w.C:
	case <-time.After(debounce / 2):
		t.Fatalf("a one-file save was not reported within %s (the quick settle is %s)", debounce/2, quickSettle)
	}
	t.Logf("one-file save reported after %s", time.Since(start))
	if got, complete := w.Changes(); !complete || len(got) != 1 || got[0] != "incidents/a.md" {
		t.Errorf("Changes after the save: %q, want [incidents/a.md]", got)
	}

	// As git checkout writes: one file after another, then nothing.
	for i := range 5 {
		write(fmt.Sprintf("b%d.md", i))
	}
	if !quiet(debounce / 2) {
		t.Fatal("a burst over five files was reported before its debounce")
	}
	select {
	case <-w.C:
	case <-time.After(5 * debounce):
		t.Fatal("the burst was never reported")
	}
	if !quiet(debounce + debounce/2) {
		t.Error("the burst was reported twice")
	}
	if got, complete := w.Changes(); !complete || len(got) != 5 {
		t.Errorf("Changes after the burst: %q, want 5 paths", got)
	}

	// A script rewriting one file in a loop is a burst too.
	for range 50 {
		write("a.md")
	}
	if !quiet(debounce / 2) {
		t.Fatal("50 writes to one file were reported before their debounce")
	}
	select {
	case <-w.C:
	case <-time.After(5 * debounce):
		t.Fatal("the 50 writes were never reported")
	}
}
