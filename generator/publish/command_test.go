package publish

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// span is one run of a command, as the command itself recorded it.
type span struct {
	dir        string
	start, end float64
}

// readSpans parses "start <t> <dir>" and "end <t> <dir>" lines.
func readSpans(tb testing.TB, file string) []span {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	var spans []span
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			tb.Fatalf("bad line %q", line)
		}
		t, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			tb.Fatal(err)
		}
		switch f[0] {
		case "start":
			spans = append(spans, span{dir: f[2], start: t})
		case "end":
			if len(spans) == 0 || spans[len(spans)-1].end != 0 {
				tb.Fatalf("end without start: %s", data)
			}
			spans[len(spans)-1].end = t
		}
	}
	return spans
}

// TestCommandRetriesAndNeverOverlaps runs a command that fails and takes a
// while, requests many runs while it runs, and checks from the command's
// own records that runs never overlapped, failures were retried, requests
// never blocked and the newest version was the last one published.
func TestCommandRetriesAndNeverOverlaps(t *testing.T) {
	dir := t.TempDir()
	record := filepath.Join(dir, "runs")
	// Fails until the folder named "v9" is asked for, then succeeds.
	script := `echo "start $(date +%s.%N) $HERALD_PUBLIC_DIR" >> runs; sleep 0.1; echo "end $(date +%s.%N) $HERALD_PUBLIC_DIR" >> runs; echo synced; [ "$HERALD_PUBLIC_DIR" = v9 ]`
	var log lockedBuffer
	pinned := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	c := &Command{Dir: dir, Log: &log, MinBackoff: 20 * time.Millisecond, MaxBackoff: 80 * time.Millisecond, Clock: func() time.Time { return pinned }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	defer func() { cancel(); <-done }()

	c.Request(script, "v0")
	// Let v0 fail and be retried a few times.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(log.String(), "command failed") < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("no retries after 10 s; log:\n%s", log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := 1; i <= 9; i++ {
		start := time.Now()
		c.Request(script, "v"+strconv.Itoa(i))
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("Request blocked for %s", d)
		}
		time.Sleep(15 * time.Millisecond)
	}
	for c.Last().Version != "v9" || !c.Last().OK {
		if time.Now().After(deadline) {
			t.Fatalf("v9 never published; last %+v; log:\n%s", c.Last(), log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := c.Last().Finished; !got.Equal(pinned) {
		t.Errorf("got Finished %s, want the caller's clock, %s", got, pinned)
	}
	spans := readSpans(t, record)
	for i := 1; i < len(spans); i++ {
		if spans[i].start < spans[i-1].end {
			t.Errorf("run %d (%s) started at %f, before run %d ended at %f", i, spans[i].dir, spans[i].start, i-1, spans[i-1].end)
		}
	}
	var v0 int
	for _, s := range spans {
		if s.dir == "v0" {
			v0++
		}
	}
	if v0 < 3 {
		t.Errorf("v0 ran %d times, want at least 3 (retries)", v0)
	}
	// Nine requests during runs coalesce: far fewer runs than requests.
	if n := len(spans) - v0; n >= 9 || n < 1 {
		t.Errorf("got %d runs for 9 requests, want them coalesced", n)
	}
	if last := spans[len(spans)-1]; last.dir != "v9" {
		t.Errorf("last run published %s, want v9", last.dir)
	}
	if !strings.Contains(log.String(), "publish: synced\n") {
		t.Errorf("command output not logged with its prefix:\n%s", log.String())
	}
}

// TestCommandOutputRedacted: a command that prints a URL with credentials
// or a signed query (git, curl, an upload tool) has them redacted in
// herald's log; the rest of its output is kept as it is.
func TestCommandOutputRedacted(t *testing.T) {
	var log lockedBuffer
	c := &Command{Dir: t.TempDir(), Log: &log}
	script := `echo "To https://x-access-token:GHTOKEN@github.com/o/r.git"; echo "purged https://cdn.example/x?sig=QSIG ok"`
	if err := c.runOnce(context.Background(), &CommandRequest{Command: script, Version: "v1"}); err != nil {
		t.Fatal(err)
	}
	want := "publish: To https://***@github.com/o/r.git\npublish: purged https://cdn.example/x ok\n"
	if got := log.String(); got != want {
		t.Errorf("got log %q, want %q", got, want)
	}
}
