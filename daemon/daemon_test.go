package daemon

import (
	"io"
	"testing"
)

// TestNewNeedsAClock: the daemon's builds, its status and the publish
// command's results all read one clock, the command's (-now); none falls
// back to the system's.
func TestNewNeedsAClock(t *testing.T) {
	if _, err := New(Options{Site: t.TempDir(), Stdout: io.Discard, Stderr: io.Discard}); err == nil {
		t.Fatal("got a loop without a clock, want an error")
	}
}
