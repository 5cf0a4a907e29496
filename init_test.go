package herald_test

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// built is herald as `make build` makes it, built once for the tests that
// read it (madeBinary), in dir, which TestMain removes.
var built struct {
	once             sync.Once
	dir, bin, recipe string
	err              error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// madeBinary returns the herald that the command `make build` runs makes,
// written into a temporary file, and that command.
func madeBinary(t *testing.T) (bin, recipe string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds cmd/herald")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	built.once.Do(func() { built.bin, built.recipe, built.err = makeBuild() })
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin, built.recipe
}

func makeBuild() (bin, line string, err error) {
	recipe, err := exec.Command("make", "-s", "-n", "build").Output()
	if err != nil {
		return "", "", fmt.Errorf("make -n build: %w", err)
	}
	line = strings.TrimSpace(string(recipe))
	if strings.Contains(line, "\n") || !strings.Contains(line, " -o bin/herald ") {
		return "", line, fmt.Errorf("make build's recipe is not one command writing bin/herald: %q", line)
	}
	if built.dir, err = os.MkdirTemp("", "herald-make-build-"); err != nil {
		return "", line, err
	}
	bin = filepath.Join(built.dir, "herald")
	line = strings.Replace(line, " -o bin/herald ", " -o "+bin+" ", 1)
	if out, err := exec.Command("sh", "-c", line).CombinedOutput(); err != nil {
		return "", line, fmt.Errorf("%s: %v\n%s", line, err, out)
	}
	return bin, line, nil
}

// TestMakeBuildIsStatic checks that the binary `make build` makes needs
// no dynamic loader or shared library: a static herald runs on any Linux
// (Alpine and distroless included), starts faster and keeps no libc
// arenas or pthread stacks (docs/benchmarks.md, round 11).
func TestMakeBuildIsStatic(t *testing.T) {
	bin, line := madeBinary(t)
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
// from the binary `make build` makes.
func TestInitsAreCheap(t *testing.T) {
	const maxAllocs, maxBytes = 64, 8 << 10
	bin, _ := madeBinary(t)
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
