package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// fullDiskEnv tells the test binary, run again as a child, to mount a
// small tmpfs at the folder it names and build into it; fullDiskCmd is the
// command that builds.
const (
	fullDiskEnv = "HERALD_TEST_FULL_DISK"
	fullDiskCmd = "HERALD_TEST_FULL_DISK_COMMAND"
)

// TestFullDiskHelper is the child of TestFullDisk: in its own user and
// mount namespaces it mounts a 64 KiB tmpfs, which a build fills, and runs
// build or watch on the site in the current folder with its output there.
// watch is stopped after its first failed build.
func TestFullDiskHelper(t *testing.T) {
	dir := os.Getenv(fullDiskEnv)
	if dir == "" {
		t.Skip("run by TestFullDisk")
	}
	// Private, so that the mount can never reach the parent's namespace.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		fmt.Fprintf(os.Stderr, "make mounts private: %v\n", err)
		os.Exit(3)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		fmt.Fprintf(os.Stderr, "mount tmpfs: %v\n", err)
		os.Exit(3)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &stopOn{w: os.Stderr, text: "build failed", stop: cancel}
	args := []string{os.Getenv(fullDiskCmd)}
	if args[0] == "build" {
		args = append(args, "-out", filepath.Join(dir, "public"))
	} else {
		writeFile(t, "herald.yaml", testConfig+"publish:\n  dir: disk/public\n")
		if err := os.Symlink(dir, "disk"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		args = append(args, "-every", "1h")
	}
	os.Exit(run(ctx, args, os.Stdout, stderr))
}

// stopOn writes to w and calls stop once text has been written.
type stopOn struct {
	w    io.Writer
	text string
	stop func()
	seen bytes.Buffer
}

func (s *stopOn) Write(p []byte) (int, error) {
	s.seen.Write(p)
	if strings.Contains(s.seen.String(), s.text) {
		s.stop()
	}
	return s.w.Write(p)
}

// TestFullDisk builds onto a real file system that fills up (a tmpfs,
// mounted in a namespace of the child's own so that no root is needed)
// and checks that the error names the file once, and that watch, with
// nothing published yet, does not claim that a site stays published.
func TestFullDisk(t *testing.T) {
	tests := []struct {
		command string
		// versions is the versions folder, beside the output path.
		versions func(site, disk string) string
		tail     string // the last line of stderr
	}{
		{"build", func(_, disk string) string { return disk + "/.public.herald" }, ""},
		{"watch", func(site, _ string) string { return site + "/disk/.public.herald" }, "build failed (start); nothing is published yet"},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			site := newTestSite(t, testConfig)
			disk := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestFullDiskHelper$")
			cmd.Dir = site
			cmd.Env = append(os.Environ(), fullDiskEnv+"="+disk, fullDiskCmd+"="+tt.command, "HERALD_NOW=2026-11-28T15:00:00Z")
			cmd.SysProcAttr = &syscall.SysProcAttr{
				Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
				UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
				GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			switch {
			case err != nil && !errors.As(err, &exit):
				// Unprivileged user namespaces are off on this host.
				t.Skipf("cannot start a child in its own namespaces: %v", err)
			case exit != nil && exit.ExitCode() == 3:
				t.Skipf("cannot mount a tmpfs in a namespace here: %s", &stderr)
			case err == nil && tt.command == "build":
				t.Fatalf("build onto a full disk succeeded:\n%s", &stdout)
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			msg := lines[0]
			want := "herald: build: write " + tt.versions(site, disk) + "/tmp-"
			if !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, ": no space left on device") {
				t.Fatalf("got %q, want %s…: no space left on device", msg, want)
			}
			file := filepath.Base(strings.TrimSuffix(msg, ": no space left on device"))
			if n := strings.Count(msg, file); n != 1 {
				t.Errorf("got %s %d times in %q, want once", file, n, msg)
			}
			if got := lines[len(lines)-1]; tt.tail != "" && got != tt.tail {
				t.Errorf("got last line %q, want %q", got, tt.tail)
			}
		})
	}
}

// TestWatchSaysWhatStaysPublished breaks a site before watch starts:
// with a published version it says that version stays, and without one
// it says nothing is published.
func TestWatchSaysWhatStaysPublished(t *testing.T) {
	tests := []struct {
		name      string
		published bool
		want      string
	}{
		{"a site published before", true, "build failed (start); the last good site stays published"},
		{"a new site", false, "build failed (start); nothing is published yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newTestSite(t, testConfig)
			if tt.published {
				var stdout, stderr bytes.Buffer
				if code := run(context.Background(), []string{"build", "-site", site}, &stdout, &stderr); code != exitOK {
					t.Fatalf("build: exit %d: %s", code, &stderr)
				}
			}
			writeFile(t, filepath.Join(site, "incidents", "a.md"), "---\ntitle: Broken\ncomponents: {nope: major_outage}\nstarted: 2026-11-01 10:00\n---\n")
			p := start(t, site, "watch", "-every", "1h")
			waitFor(t, p, "the failed build", func() bool { return strings.Contains(p.stderr.String(), "build failed") })
			p.stop(t)
			if !strings.Contains(p.stderr.String(), tt.want+"\n") {
				t.Errorf("got stderr %q, want %q", p.stderr.String(), tt.want)
			}
		})
	}
}
