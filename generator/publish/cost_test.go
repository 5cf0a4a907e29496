package publish_test

import (
	"fmt"
	"testing"

	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/publish"
)

// TestWriteFileAllocs holds WriteFile to two allocations, the file's path
// in the stage and its copy for the system call. A build writes thousands
// of files; an *os.File per file, the two more allocations this test
// catches, came with four fcntl(2)s and an epoll_ctl(2) that a regular
// file does not need (strace -c -f of a build shows them).
func TestWriteFileAllocs(t *testing.T) {
	memtest.SkipUnderRace(t)
	for _, tt := range []struct {
		name string
		path func(i int) string
		max  float64
	}{
		{"file in the stage's root", func(i int) string { return fmt.Sprintf("f%d.html", i) }, 2},
		{"file in a folder made before", func(i int) string { return fmt.Sprintf("incidents/f%d.html", i) }, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := publish.Begin(newOut(t))
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			defer st.Abort()
			paths := make([]string, 1000)
			for i := range paths {
				paths[i] = tt.path(i)
			}
			if err := st.WriteFile(tt.path(-1), []byte("x")); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			i := 0
			got := testing.AllocsPerRun(len(paths)-1, func() {
				if err := st.WriteFile(paths[i], []byte("<p>hello</p>")); err != nil {
					t.Fatalf("WriteFile: %v", err)
				}
				i++
			})
			if got > tt.max {
				t.Errorf("got %v allocations per WriteFile, want at most %v", got, tt.max)
			}
		})
	}
}
