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
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sample is one whole-process run.
type sample struct {
	wall, cpu time.Duration // cpu is user+sys
	rssKB     int64         // peak resident set size
}

// timeCmd runs argv under GNU time and returns its wall time (measured
// here, with the monotonic clock), CPU time and peak RSS.
func timeCmd(ctx context.Context, timeBin, dir string, argv ...string) (sample, error) {
	s, _, err := timeCmdOut(ctx, timeBin, dir, 0, argv...)
	return s, err
}

// timeCmdOut is timeCmd that also returns argv's output (stdout and
// stderr). With stopAfter > 0, it sends SIGINT to argv after that long, as
// Ctrl-C would, for a command that runs until interrupted; GNU time ignores
// the signal and reports on argv when it exits.
//
// The peak RSS is time -v's, which reads it from the rusage of argv, a
// child of its own. The CPU time is the kernel's, from the rusage wait4
// returns here for time and the child it waited for, in microseconds:
// time -v cuts user and system time to whole hundredths of a second each,
// which on the medium site, whose floor takes 0.26 s of CPU, could move a
// herald / floor ratio by 8 %. It includes time's own, under a
// millisecond. Nor is argv run without time, timed from here alone:
// forked from this process, its peak RSS would start from this one's
// (Linux counts the memory of the process that execs it), 94 MB for every
// tool in the first run that tried.
func timeCmdOut(ctx context.Context, timeBin, dir string, stopAfter time.Duration, argv ...string) (sample, string, error) {
	report, err := os.CreateTemp("", "herald-bench-time-")
	if err != nil {
		return sample{}, "", err
	}
	report.Close()
	defer os.Remove(report.Name())
	cmd := exec.CommandContext(ctx, timeBin, append([]string{"-v", "-o", report.Name()}, argv...)...)
	cmd.Dir = dir
	// Interrupted, stop the whole group: time's child would otherwise
	// outlive it and hold the output pipe open.
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
	err = cmd.Wait()
	wall := time.Since(start)
	if err != nil {
		return sample{}, out.String(), fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, tail(out.String(), 2000))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return sample{}, out.String(), fmt.Errorf("%s: no resource usage from wait4", strings.Join(argv, " "))
	}
	s := sample{wall: wall, cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	data, err := os.ReadFile(report.Name())
	if err != nil {
		return sample{}, out.String(), err
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Maximum resident set size (kbytes): "); ok {
			s.rssKB, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	if s.rssKB == 0 {
		return sample{}, out.String(), fmt.Errorf("no peak RSS in %s's report:\n%s", timeBin, data)
	}
	return s, out.String(), nil
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
