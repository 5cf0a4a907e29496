package publish

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/herald-status/herald/redact"
)

// Command runs publish.command, a user's shell command that copies a
// published version somewhere else (rsync, aws s3 sync, a git push), after
// each successful build.
//
// Requests never block: [Command.Request] records the newest version and
// returns. One goroutine, [Command.Run], runs the command with `sh -c`, so
// two runs never overlap; requests made during a run coalesce into one more
// run, with the newest folder. A failed run is retried with exponential
// backoff (MinBackoff, doubling up to MaxBackoff) until it succeeds or a
// newer request supersedes it.
type Command struct {
	// Dir is the command's working folder: the site folder.
	Dir string
	// Log receives the command's output, each line prefixed with
	// "publish: ", and a line for each failure.
	Log io.Writer
	// MinBackoff and MaxBackoff bound the wait between retries of a failed
	// run; zero means 1s and 1 min.
	MinBackoff, MaxBackoff time.Duration
	// Clock stamps each finished run (CommandResult.Finished): the
	// caller's clock, so that a daemon run with -now reports its own time.
	// Required.
	Clock func() time.Time

	mu      sync.Mutex
	pending *CommandRequest
	wake    chan struct{}
	last    CommandResult
}

// CommandRequest is one requested run.
type CommandRequest struct {
	Command string // run with sh -c
	Version string // the version folder, passed as HERALD_PUBLIC_DIR
}

// CommandResult is the outcome of the last finished run.
type CommandResult struct {
	Version  string    `json:"version,omitempty"`
	Finished time.Time `json:"finished"`
	OK       bool      `json:"ok"`
	Error    string    `json:"error,omitempty"`
	Attempt  int       `json:"attempt"`
}

// Request asks for a run of command with dir as HERALD_PUBLIC_DIR. It
// replaces a request not yet started and never waits.
func (c *Command) Request(command, dir string) {
	c.mu.Lock()
	c.pending = &CommandRequest{Command: command, Version: dir}
	wake := c.wakeChan()
	c.mu.Unlock()
	select {
	case wake <- struct{}{}:
	default:
	}
}

func (c *Command) wakeChan() chan struct{} {
	if c.wake == nil {
		c.wake = make(chan struct{}, 1)
	}
	return c.wake
}

// Last returns the outcome of the last finished run; its zero value means
// none has finished.
func (c *Command) Last() CommandResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

func (c *Command) take() *CommandRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.pending
	c.pending = nil
	return r
}

// Run serves requests until ctx is done. A run in progress when ctx ends is
// sent SIGTERM (its whole process group), and SIGKILL 5 s later.
func (c *Command) Run(ctx context.Context) {
	if c.Clock == nil {
		panic("publish: Command.Clock is nil")
	}
	c.mu.Lock()
	wake := c.wakeChan()
	c.mu.Unlock()
	minB, maxB := c.MinBackoff, c.MaxBackoff
	if minB <= 0 {
		minB = time.Second
	}
	if maxB <= 0 {
		maxB = time.Minute
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
		req := c.take()
		backoff := minB
		for attempt := 1; req != nil; attempt++ {
			err := c.runOnce(ctx, req)
			res := CommandResult{Version: req.Version, Finished: c.Clock(), OK: err == nil, Attempt: attempt}
			if err != nil {
				res.Error = err.Error()
			}
			c.mu.Lock()
			c.last = res
			c.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				break
			}
			fmt.Fprintf(c.Log, "publish: command failed (attempt %d): %v; retrying in %s\n", attempt, err, backoff)
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			case <-wake:
				// A newer version supersedes the failed one: run it now.
				t.Stop()
			}
			if newer := c.take(); newer != nil {
				req, backoff, attempt = newer, minB, 0
				continue
			}
			backoff = min(2*backoff, maxB)
		}
	}
}

func (c *Command) runOnce(ctx context.Context, req *CommandRequest) error {
	cmd := exec.CommandContext(ctx, "sh", "-c", req.Command)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "HERALD_PUBLIC_DIR="+req.Version)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			// Push and upload tools print their URLs, credentials and all.
			fmt.Fprintf(c.Log, "publish: %s\n", redact.Text(sc.Text(), redact.URL))
		}
		io.Copy(io.Discard, pr) // a line over 1 MiB: drop the rest, do not block the command
	}()
	err := cmd.Run()
	pw.Close()
	<-done
	return err
}
