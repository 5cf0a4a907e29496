package publish_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/publish"
)

// TestReadersAlwaysSeeACompleteFile reads through the output path while
// versions flip under it: every read must succeed with one whole version.
// The one exception is a reader stalled across two commits (a loaded
// machine deschedules it mid-open): the version it resolved has been
// pruned by then, as the package's doc says, so its read may find nothing
// and is made again; any other failure fails the test.
func TestReadersAlwaysSeeACompleteFile(t *testing.T) {
	out := newOut(t)
	commitFiles(t, out, siteFiles(0))

	var (
		stop    atomic.Bool
		reads   atomic.Int64
		commits atomic.Int64 // commits made, counted once each is done
		stalled atomic.Int64
		wg      sync.WaitGroup
		errc    = make(chan error, 1)
	)
	wg.Go(func() {
		for !stop.Load() {
			before := commits.Load()
			b, err := os.ReadFile(filepath.Join(out, "index.html"))
			if errors.Is(err, os.ErrNotExist) && commits.Load()-before >= 2 {
				stalled.Add(1)
				continue
			}
			if err == nil {
				_, err = indexVersion(string(b))
			}
			if err != nil {
				errc <- err
				return
			}
			reads.Add(1)
		}
	})
	defer wg.Wait()
	defer stop.Store(true)

	for i := 1; i <= 200; i++ {
		commitFiles(t, out, siteFiles(i))
		commits.Add(1)
		select {
		case err := <-errc:
			t.Fatalf("reader, after %d commits: %v", i, err)
		default:
		}
	}
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-errc:
		t.Fatalf("reader: %v", err)
	default:
	}
	if reads.Load() == 0 {
		t.Fatal("reader never completed a read")
	}
	t.Logf("%d reads across 200 commits (%d made again after a stall across two commits)", reads.Load(), stalled.Load())
}

const helperEnv = "HERALD_PUBLISH_HELPER_OUT"

// TestHelperProcess is not a test: TestKilledPublisher runs the test binary
// again with it, as a publisher to kill.
func TestHelperProcess(t *testing.T) {
	out := os.Getenv(helperEnv)
	if out == "" {
		t.Skip("helper for TestKilledPublisher")
	}
	cur, err := publish.Current(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	b, err := os.ReadFile(filepath.Join(cur, "index.html"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	last, err := indexVersion(string(b))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("ready")
	// The parent kills us within milliseconds; the deadline only stops an
	// orphan.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		last++
		if _, err := publishFiles(out, siteFiles(last)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	os.Exit(3)
}

// TestKilledPublisher SIGKILLs a publishing process at random moments and
// checks each time that the output path holds one complete version.
func TestKilledPublisher(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 30 processes")
	}
	out := newOut(t)
	commitFiles(t, out, siteFiles(1))
	first := assertSite(t, out)

	last, midway := first, 0
	for kill := range 30 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+out)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan error, 1)
		go func() {
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err == nil && line != "ready\n" {
				err = fmt.Errorf("got %q, want %q", line, "ready\n")
			}
			ready <- err
		}()
		select {
		case err = <-ready:
		case <-time.After(time.Minute):
			err = errors.New("timed out")
		}
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("kill %d: helper not ready: %v; stderr:\n%s", kill, err, &stderr)
		}

		time.Sleep(time.Millisecond + rand.N(50*time.Millisecond))
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("kill %d: helper ended with %v, want killed by SIGKILL; stderr:\n%s", kill, err, &stderr)
		}

		cur, err := publish.Current(out)
		if err != nil || !strings.HasPrefix(filepath.Base(cur), "v") {
			t.Fatalf("kill %d: Current: got %q, %v; want a version folder", kill, cur, err)
		}
		if slices.ContainsFunc(names(t, filepath.Dir(cur)), func(name string) bool { return strings.HasPrefix(name, "tmp-") }) {
			midway++
		}
		n := assertSite(t, out)
		if n < last {
			t.Fatalf("kill %d: published version went back from %d to %d", kill, last, n)
		}
		last = n
	}
	if last == first {
		t.Errorf("no helper published anything before being killed: the kills tested nothing")
	}
	t.Logf("helpers published versions %d to %d; %d of 30 kills left a stage behind", first+1, last, midway)

	// Whatever the kills left behind, publishing still works and cleans up.
	commitFiles(t, out, siteFiles(last+1))
	if got := assertSite(t, out); got != last+1 {
		t.Errorf("after the kills: got version %d, want %d", got, last+1)
	}
	site := filepath.Dir(out)
	if got, want := names(t, site), []string{".public.herald", "public"}; !slices.Equal(got, want) {
		t.Errorf("site folder: got %v, want %v", got, want)
	}
	if got := names(t, filepath.Join(site, ".public.herald")); len(got) != 3 || got[0] != ".lock" {
		t.Errorf("versions folder: got %v, want .lock and two versions", got)
	}
}

// siteFiles is version i of a test site. Some files change in every
// version, some never, some now and then; feed.xml is large so that a kill
// can land in the middle of writing it.
