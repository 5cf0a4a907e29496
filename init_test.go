package herald_test

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMakeBuildIsStatic runs the command `make build` runs, into a
// temporary file, and checks that the binary it makes needs no dynamic
// loader or shared library: a static herald runs on any Linux (Alpine
// and distroless included), starts faster and keeps no libc arenas or
// pthread stacks (docs/benchmarks.md, round 11).
func TestMakeBuildIsStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/herald")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	recipe, err := exec.Command("make", "-s", "-n", "build").Output()
	if err != nil {
		t.Fatalf("make -n build: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "herald")
	line := strings.TrimSpace(string(recipe))
	if strings.Contains(line, "\n") || !strings.Contains(line, " -o bin/herald ") {
		t.Fatalf("make build's recipe is not one command writing bin/herald: %q", line)
	}
	line = strings.Replace(line, " -o bin/herald ", " -o "+bin+" ", 1)
	if out, err := exec.Command("sh", "-c", line).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s: the binary asks for a dynamic loader (PT_INTERP); build it with CGO_ENABLED=0", line)
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("%s: the binary needs shared libraries %v (%v); build it with CGO_ENABLED=0", line, libs, err)
	}
	if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil {
		t.Errorf("herald version: %v\n%s", err, out)
	}
}

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
