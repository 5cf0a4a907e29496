package watch

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	reports := burst(t, w, debounce, func() {
		for i := range 5 {
			write(fmt.Sprintf("b%d.md", i))
		}
	})
	if got, complete := w.Changes(); !complete || len(got) != 5 {
		t.Errorf("Changes after the burst: %q (%d reports), want 5 paths", got, reports)
	}

	// A script rewriting one file in a loop is a burst too.
	burst(t, w, debounce, func() {
		for range 50 {
			write("a.md")
		}
	})
}

// burst runs writes, a burst of events, and returns how many times w
// reported it. The burst must end with one report, no sooner than half a
// debounce after the last write. At most two come before it: a writer
// that the machine leaves waiting for longer than the quick settle makes
// its first writes look like an editor's save, which is reported at once,
// and that must not fail this test on a loaded machine; one report per
// write would.
func burst(t *testing.T, w *Watcher, debounce time.Duration, writes func()) int {
	t.Helper()
	writes()
	last := time.Now()
	var at []time.Duration
	for {
		select {
		case <-w.C:
			at = append(at, time.Since(last))
			continue
		case <-time.After(2 * debounce):
		}
		break
	}
	switch {
	case len(at) == 0:
		t.Fatal("the burst was never reported")
	case len(at) > 3:
		t.Errorf("the burst was reported %d times, at %v after its last write; want it once, after its debounce", len(at), at)
	case at[len(at)-1] < debounce/2:
		t.Errorf("the burst was last reported %s after its last write, before its debounce (%s)", at[len(at)-1], debounce)
	}
	return len(at)
}

// TestWatcherFollowsFolderLinks: a folder the filter admits through a
// link (incidents -> content/incidents) is watched, and its changes are
// reported under the link's path; links that loop end.
func TestWatcherFollowsFolderLinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "content", "incidents")
	if err := os.MkdirAll(filepath.Join(target, "2026"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("content", "incidents"), filepath.Join(dir, "incidents")); err != nil {
		t.Fatal(err)
	}
	// A loop back to the top of the tree.
	if err := os.Symlink("..", filepath.Join(target, "2026", "up")); err != nil {
		t.Fatal(err)
	}
	admit := func(p string, isDir bool) Kind {
		if rel, _ := filepath.Rel(dir, p); rel == "incidents" || strings.HasPrefix(rel, "incidents/") {
			return Source
		}
		return Ignore
	}
	w, err := NewWatcher(dir, admit, 50*time.Millisecond, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	for _, name := range []string{"a.md", filepath.Join("2026", "b.md")} {
		if err := os.WriteFile(filepath.Join(target, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		select {
		case <-w.C:
		case <-time.After(5 * time.Second):
			t.Fatalf("a write to content/incidents/%s through the incidents link was never reported", name)
		}
		want := "incidents/" + filepath.ToSlash(name)
		if got, _ := w.Changes(); !slices.Contains(got, want) {
			t.Errorf("got changes %q, want %s", got, want)
		}
	}
}
