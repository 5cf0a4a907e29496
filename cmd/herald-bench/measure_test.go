package main

import (
	"context"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestTimeCmd(t *testing.T) {
	timeBin, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		t.Skip("GNU time is not installed (apt-get install time)")
	}
	ctx := context.Background()
	// This process holds 256 MB while a shell that does next to nothing
	// is timed: the shell's peak RSS must be its own, not this one's,
	// and its CPU time more than the none of time -v's hundredths.
	hold := make([]byte, 256<<20)
	for i := range hold {
		hold[i] = 1
	}
	s, err := timeCmd(ctx, timeBin, t.TempDir(), "sh", "-c", "exit 0")
	runtime.KeepAlive(hold)
	if err != nil {
		t.Fatal(err)
	}
	if s.rssKB <= 0 || s.rssKB > 64<<10 {
		t.Errorf("got a peak RSS of %d kB for sh, want more than none and less than 64 MB", s.rssKB)
	}
	if s.cpu <= 0 || s.cpu >= time.Second || s.wall <= 0 {
		t.Errorf("got %+v, want some CPU time under a second and a wall time", s)
	}

	if _, err := timeCmd(ctx, timeBin, t.TempDir(), "sh", "-c", "echo no such site >&2; exit 3"); err == nil || !strings.Contains(err.Error(), "no such site") {
		t.Errorf("got %v, want the failure with its output", err)
	}

	// Stopped after a while, as the prober is, a command that exits on
	// SIGINT is measured like any other.
	s, out, err := timeCmdOut(ctx, timeBin, t.TempDir(), 200*time.Millisecond, "sh", "-c", `trap 'echo stopped; exit 0' INT; while :; do sleep 0.05; done`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "stopped") || s.wall < 200*time.Millisecond || s.wall > 10*time.Second {
		t.Errorf("got %q after %v, want it stopped by SIGINT after 200 ms", out, s.wall)
	}
}
