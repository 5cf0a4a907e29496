//go:build unix

package incident

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestScanNonRegular: an incident file that is a named pipe is reported
// with its file and fix, and does not block the scan.
func TestScanNonRegular(t *testing.T) {
	site := t.TempDir()
	if err := os.MkdirAll(filepath.Join(site, Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(site, Dir, "pipe.md"), 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	var err error
	within(t, func() { _, err = Scan(site) })
	if got, want := errText(err), "incidents/pipe.md:1:1: not a regular file"; !strings.HasPrefix(got, want) {
		t.Errorf("got %q, want prefix %q", got, want)
	}
}

// TestScanSwapped: a file the walk found regular and that is something
// else by the time it is read, a named pipe or a symlink out of the
// site, is refused, and the scan neither blocks nor reads through the
// link.
func TestScanSwapped(t *testing.T) {
	site := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.md")
	if err := os.WriteFile(outside, []byte("---\ntitle: secret\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(site, Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		swap    func(p string) error
		wantErr string
	}{
		{"a named pipe", func(p string) error { return unix.Mkfifo(p, 0o644) }, "not a regular file"},
		{"a symlink out of the site", func(p string) error { return os.Symlink(outside, p) }, "cannot read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rel := Dir + "/" + strings.ReplaceAll(tt.name, " ", "-") + ".md"
			p := filepath.Join(site, filepath.FromSlash(rel))
			if err := tt.swap(p); err != nil {
				t.Skipf("cannot swap: %v", err)
			}
			sc := NewScanner(site)
			sc.realSite = site
			var got scanned
			within(t, func() { got = sc.visit(p, rel, 0, scanned{}) })
			if got.data != nil {
				t.Errorf("got %q read, want nothing", got.data)
			}
			if want := rel + ":1:1: " + tt.wantErr; got.err == nil || !strings.HasPrefix(got.err.Error(), want) {
				t.Errorf("got error %v, want prefix %q", got.err, want)
			}
		})
	}
}

// within runs f, failing the test if it takes more than ten seconds.
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("blocks")
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
