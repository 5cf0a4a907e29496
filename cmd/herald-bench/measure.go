package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// sample is one whole-process run.
type sample struct {
	wall, cpu time.Duration // cpu is user+sys
	rssKB     int64         // peak resident set size
}

// timeCmd runs argv and returns its wall time (measured here, with the
// monotonic clock), CPU time and peak RSS.
func timeCmd(ctx context.Context, dir string, argv ...string) (sample, error) {
	s, _, err := timeCmdOut(ctx, dir, 0, argv...)
	return s, err
}

// timeCmdOut is timeCmd that also returns argv's output (stdout and
// stderr). With stopAfter > 0, it sends SIGINT to argv after that long, as
// Ctrl-C would, for a command that runs until interrupted.
//
// CPU time and peak RSS are the kernel's, from the rusage wait4 returns
// for argv. They are what GNU time -v prints, less its cutting of user and
// system time to whole hundredths of a second each: on the medium site,
// whose floor takes 0.26 s of CPU, the cuts alone could move a herald /
// floor ratio by 8 %.
func timeCmdOut(ctx context.Context, dir string, stopAfter time.Duration, argv ...string) (sample, string, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	// Interrupted, stop the whole group: a child of argv's would
	// otherwise outlive it and hold the output pipe open.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, "", err
	}
	if stopAfter > 0 {
		t := time.AfterFunc(stopAfter, func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) })
		defer t.Stop()
	}
	err := cmd.Wait()
	wall := time.Since(start)
	if err != nil {
		return sample{}, out.String(), fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, tail(out.String(), 2000))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok || ru.Maxrss == 0 {
		return sample{}, out.String(), fmt.Errorf("%s: no resource usage from wait4", strings.Join(argv, " "))
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	// Linux counts ru_maxrss in kilobytes.
	return sample{wall: wall, cpu: cpu, rssKB: ru.Maxrss}, out.String(), nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// stats is the median, min and max of some values.
type stats struct{ med, min, max float64 }

func summarize(xs []float64) stats {
	if len(xs) == 0 {
		return stats{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stats{med: m, min: s[0], max: s[len(s)-1]}
}

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// treeSize counts the regular files under dir (following a symlink at
// dir itself), their bytes, and the .html files among them.
func treeSize(dir string) (files, pages int, bytes int64, err error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return 0, 0, 0, err
	}
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		bytes += info.Size()
		if strings.HasSuffix(p, ".html") {
			pages++
		}
		return nil
	})
	return files, pages, bytes, err
}

// cleanHerald removes a site's published output and its versions, so the
// next build is a clean one.
func cleanHerald(site string) error {
	for _, p := range []string{"public", ".public.herald"} {
		if err := os.RemoveAll(filepath.Join(site, p)); err != nil {
			return err
		}
	}
	return nil
}
