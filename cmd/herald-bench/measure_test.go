package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestTimeCmd(t *testing.T) {
	ctx := context.Background()
	// A shell that does next to nothing takes a millisecond or two of
	// CPU: more than none, which is what time -v's hundredths said.
	s, err := timeCmd(ctx, t.TempDir(), "sh", "-c", "exit 0")
	if err != nil {
		t.Fatal(err)
	}
	if s.cpu <= 0 || s.cpu >= time.Second || s.rssKB <= 0 || s.wall <= 0 {
		t.Errorf("got %+v, want some CPU time under a second, a peak RSS and a wall time", s)
	}

	if _, err := timeCmd(ctx, t.TempDir(), "sh", "-c", "echo no such site >&2; exit 3"); err == nil || !strings.Contains(err.Error(), "no such site") {
		t.Errorf("got %v, want the failure with its output", err)
	}

	// Stopped after a while, as the prober is, a command that exits on
	// SIGINT is measured like any other.
	s, out, err := timeCmdOut(ctx, t.TempDir(), 200*time.Millisecond, "sh", "-c", `trap 'echo stopped; exit 0' INT; while :; do sleep 0.05; done`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "stopped") || s.wall < 200*time.Millisecond || s.wall > 10*time.Second {
		t.Errorf("got %q after %v, want it stopped by SIGINT after 200 ms", out, s.wall)
	}
}
