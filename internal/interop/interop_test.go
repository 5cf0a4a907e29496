package interop_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/herald-status/herald/internal/interop"
)

// TestPath runs TestPathChild in a child process, since a skip or a
// failure ends the test that calls Path, and checks how each ends.
func TestPath(t *testing.T) {
	tests := []struct {
		name, rel, ci string
		fail          bool
		want          string
	}{
		{"missing, not CI: skips", "no-such-sample", "", false, "--- SKIP: TestPathChild"},
		{"missing, CI: fails", "no-such-sample", "true", true, "--- FAIL: TestPathChild"},
		{"missing names the variable under CI", "no-such-sample", "true", true, "CI must have it"},
		{"present, CI: passes", "README.md", "true", false, "--- PASS: TestPathChild"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rel == "README.md" {
				// The real folder is needed for this case, under the
				// same rule as every sample test.
				interop.Path(t, tt.rel)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestPathChild$", "-test.v")
			cmd.Env = append(os.Environ(), "INTEROP_CHILD="+tt.rel, "CI="+tt.ci)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if failed := errors.As(err, &exit); failed != tt.fail || (err != nil && !failed) {
				t.Errorf("got error %v, want failure %v; output:\n%s", err, tt.fail, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("got output:\n%s\nwant it to hold %q", out, tt.want)
			}
		})
	}
}

// TestPathChild is TestPath's child: it calls Path only when run by it.
func TestPathChild(t *testing.T) {
	rel := os.Getenv("INTEROP_CHILD")
	if rel == "" {
		t.Skip("run by TestPath")
	}
	if p := interop.Path(t, rel); !strings.HasSuffix(p, rel) {
		t.Errorf("got %q, want a path ending in %q", p, rel)
	}
}
