//go:build linux

package incident

import (
	"bytes"
	"os"
	"path/filepath"
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
