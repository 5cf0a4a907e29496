//go:build linux

package incident

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadFile checks readFile on what a walk's listing may have become
// since: a file over the limit is not read, a FIFO put in a file's place
// does not block the scan, and a symlink is not followed.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	grown := filepath.Join(dir, "grown.md")
	text := bytes.Repeat([]byte("0123456789"), 1000)
	if err := os.WriteFile(grown, text, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.md")
	if err := os.Symlink(grown, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	for _, tt := range []struct {
		name    string
		p       string
		limit   int
		want    []byte
		wantErr error
	}{
		{"within the limit", grown, 1 << 20, text, nil},
		{"over the limit", grown, 4000, nil, nil},
		{"a FIFO", fifo, 1 << 20, nil, errNotRegular},
		{"a symlink", link, 1 << 20, nil, syscall.ELOOP},
	} {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var (
				id  fileID
				got []byte
				err error
			)
			go func() {
				defer close(done)
				id, got, err = readFile(tt.p, tt.limit)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("readFile blocks")
			}
			if err != tt.wantErr {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err == nil && id.size != int64(len(text)) {
				t.Errorf("got size %d, want %d", id.size, len(text))
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got %d bytes, want %d", len(got), len(tt.want))
			}
		})
	}
}

// TestReadFileReadsOnce holds readFile to one read(2) for a file that
// does not change while it is read, as /proc/self/io counts them: a
// second read only saw the end that fstat(2) had already given.
func TestReadFileReadsOnce(t *testing.T) {
	const files = 100
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		size int
	}{
		{"a small file", 100},
		{"a larger file", 200_000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "x.md")
			if err := os.WriteFile(p, bytes.Repeat([]byte("x"), tt.size), 0o644); err != nil {
				t.Fatal(err)
			}
			before := readCalls(t)
			for range files {
				if _, data, err := readFile(p, 1<<20); err != nil || len(data) != tt.size {
					t.Fatalf("readFile: got %d bytes, %v; want %d", len(data), err, tt.size)
				}
			}
			// Another goroutine of the test may read now and then.
			if got := readCalls(t) - before; got > files+files/10 {
				t.Errorf("got %d reads for %d files, want at most %d", got, files, files+files/10)
			}
		})
	}
}

// readCalls is how many read(2)s the process made so far.
func readCalls(t *testing.T) int {
	t.Helper()
	io, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Skipf("no /proc/self/io: %v", err)
	}
	for line := range strings.Lines(string(io)) {
		if v, ok := strings.CutPrefix(line, "syscr: "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Skip("no syscr in /proc/self/io")
	return 0
}
