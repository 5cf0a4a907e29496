package herald_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestInitsAreCheap holds every herald package's start-up work, which
// every process pays for (`herald version` as much as a build), to a few
// small values: a regexp, a template or a table that only some commands
// use is made on its first use (sync.OnceValue), not at init. It reads
// the runtime's own account of each package's init (GODEBUG=inittrace=1)
// from a real herald binary.
func TestInitsAreCheap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/herald")
	}
	const maxAllocs, maxBytes = 64, 8 << 10
	bin := filepath.Join(t.TempDir(), "herald")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/herald").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var trace bytes.Buffer
	cmd.Stderr = &trace
	if err := cmd.Run(); err != nil {
		t.Fatalf("herald version: %v\n%s", err, trace.Bytes())
	}
	line := regexp.MustCompile(`(?m)^init (github\.com/herald-status/herald\S*) @.* (\d+) bytes, (\d+) allocs$`)
	inits := line.FindAllSubmatch(trace.Bytes(), -1)
	if len(inits) == 0 {
		t.Fatalf("no init of herald's packages in the trace:\n%s", trace.Bytes())
	}
	for _, m := range inits {
		bytes, _ := strconv.Atoi(string(m[2]))
		allocs, _ := strconv.Atoi(string(m[3]))
		if allocs > maxAllocs || bytes > maxBytes {
			t.Errorf("init %s: got %d allocs, %d bytes, want at most %d allocs, %d bytes (make what only some commands need on first use)", m[1], allocs, bytes, maxAllocs, maxBytes)
		}
	}
}
