//go:build unix

package incident

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestReadFile checks readFile where its Stat is out of date: a file that
// grew since is read whole, up to one byte past the limit, and a FIFO put
// in a file's place does not block the scan.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	grown := filepath.Join(dir, "grown.md")
	text := bytes.Repeat([]byte("0123456789"), 1000)
	if err := os.WriteFile(grown, text, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	for _, tt := range []struct {
		name  string
		p     string
		size  int64
		limit int
		want  []byte
	}{
		{"as stat'ed", grown, int64(len(text)), 1 << 20, text},
		{"grown since", grown, 10, 1 << 20, text},
		{"grown over the limit", grown, 10, 4000, text[:4001]},
		{"a FIFO", fifo, 0, 1 << 20, []byte{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var (
				got []byte
				err error
			)
			go func() {
				defer close(done)
				got, err = readFile(tt.p, tt.size, tt.limit)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("readFile blocks")
			}
			if err != nil {
				t.Fatalf("readFile: %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got %d bytes, want %d", len(got), len(tt.want))
			}
		})
	}
}
