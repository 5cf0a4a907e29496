package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/herald-status/herald/generator"
)

// TestLoadReadsIncidentsBesideConfig holds Load to reading the incident
// files while herald.yaml is still being read, not after: the scan needs
// no config, and a core waited for it. herald.yaml is a named pipe that
// the test writes only once it has seen incidents/ opened, through
// inotify's IN_OPEN, which fsnotify does not report.
func TestLoadReadsIncidentsBesideConfig(t *testing.T) {
	dir := copySite(t)
	conf := filepath.Join(dir, "herald.yaml")
	yaml, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(conf); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(conf, 0o644); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, filepath.Join(dir, "incidents"), unix.IN_OPEN); err != nil {
		t.Fatal(err)
	}

	type loaded struct {
		site *generator.Site
		err  error
	}
	done := make(chan loaded, 1)
	go func() {
		s, err := generator.Load(context.Background(), dir, exampleNow)
		done <- loaded{s, err}
	}()
	opened := waitForEvent(t, fd, 5*time.Second)

	// Unblock config.Load whatever happened, so that Load returns.
	w, err := os.OpenFile(conf, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(yaml); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("Load: %v", res.err)
	}
	if len(res.site.Incidents) == 0 {
		t.Fatal("got no incidents, want the example site's")
	}
	if !opened {
		t.Error("got incidents/ read only after herald.yaml, want it read while herald.yaml loads")
	}
}

// waitForEvent reports whether the non-blocking inotify descriptor fd
// has an event within limit.
func waitForEvent(tb testing.TB, fd int, limit time.Duration) bool {
	tb.Helper()
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for end := time.Now().Add(limit); time.Now().Before(end); {
		n, err := unix.Poll(fds, int(time.Until(end).Milliseconds())+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		return n > 0
	}
	return false
}
