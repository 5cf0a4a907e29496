package main

// Tests of herald watch, serve and run as real processes: the binary built
// once, real files, real fsnotify, SIGKILL.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// heraldBinary builds the real binary once per test run, into the
// repository's tmp/ folder. (TestMain belongs to the testscript tests in
// main_test.go, so the build happens on first use instead.)
func heraldBinary(tb testing.TB) string {
	tb.Helper()
	binOnce.Do(func() {
		binPath, binErr = filepath.Abs(filepath.Join("..", "..", "tmp", "herald"))
		if binErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return binPath
}

// lines collects a process's output, safe for concurrent use.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *lines) count(re *regexp.Regexp) int { return len(re.FindAllStringIndex(l.String(), -1)) }

var rebuiltLine = regexp.MustCompile(`(?m)^rebuilt \d+ files in \d+ ms`)

type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *lines
	done           chan struct{}
}

// start runs herald with args in dir; the test's cleanup kills it.
func start(tb testing.TB, dir string, args ...string) *proc {
	tb.Helper()
	p := &proc{stdout: &lines{}, stderr: &lines{}, done: make(chan struct{})}
	p.cmd = exec.Command(heraldBinary(tb), args...)
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), "HERALD_NOW=2026-11-28T15:00:00Z")
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	tb.Cleanup(func() { p.kill() })
	return p
}

// stop sends SIGTERM and checks that herald stops cleanly, with exit 0,
// within 10 s.
func (p *proc) stop(tb testing.TB) {
	tb.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		tb.Fatalf("%s did not stop on SIGTERM", p.cmd.Args[1])
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		tb.Errorf("exit %d after SIGTERM, want 0; stderr:\n%s", code, p.stderr.String())
	}
}

func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// waitFor polls cond for up to 10 s.
func waitFor(tb testing.TB, p *proc, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waited 10 s for %s\nstdout:\n%s\nstderr:\n%s", what, tail(p.stdout.String()), tail(p.stderr.String()))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return "…" + s[len(s)-3000:]
	}
	return s
}

// settle waits until no rebuild has been logged for quiet, and returns
// the count.
func settle(p *proc, quiet time.Duration) int {
	n := p.stdout.count(rebuiltLine)
	for since := time.Now(); time.Since(since) < quiet; {
		time.Sleep(20 * time.Millisecond)
		if m := p.stdout.count(rebuiltLine); m != n {
			n, since = m, time.Now()
		}
	}
	return n
}

const testConfig = `title: Watch Test
base_url: https://status.example.com/
timezone: UTC
components:
  - {id: api, name: API}
  - {id: web, name: Website}
watch:
  debounce: 100ms
`

func testIncident(title, body string) string {
	return "---\ntitle: " + title + "\ncomponents: {api: major_outage}\nstarted: 2026-11-01 10:00\nresolved: 2026-11-01 11:00\n---\n" + body + "\n"
}

func writeFile(tb testing.TB, p, data string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func newTestSite(tb testing.TB, config string) string {
	tb.Helper()
	site := tb.TempDir()
	writeFile(tb, filepath.Join(site, "herald.yaml"), config)
	writeFile(tb, filepath.Join(site, "incidents", "a.md"), testIncident("Incident A", "First text."))
	return site
}

func published(site, rel string) string {
	data, _ := os.ReadFile(filepath.Join(site, "public", filepath.FromSlash(rel)))
	return string(data)
}

// TestWatchFollowsEdits runs herald watch and edits the site the ways
// authors and tools do; after each, the published site shows the final
// state, with one rebuild per change (a burst of 1,000 edits: a few).
func TestWatchFollowsEdits(t *testing.T) {
	site := newTestSite(t, testConfig)
	p := start(t, site, "watch", "-every", "1h")
	waitFor(t, p, "the first build", func() bool { return strings.Contains(published(site, "incidents/a/index.html"), "First text.") })
	n := settle(p, 300*time.Millisecond)

	step := func(name string, edit func(), done func() bool) {
		t.Helper()
		edit()
		waitFor(t, p, name, done)
		m := settle(p, 400*time.Millisecond)
		if m != n+1 {
			t.Errorf("%s: %d rebuilds, want 1", name, m-n)
		}
		n = m
	}
	a := filepath.Join(site, "incidents", "a.md")
	step("edit in place", func() { writeFile(t, a, testIncident("Incident A", "Second text.")) },
		func() bool { return strings.Contains(published(site, "incidents/a/index.html"), "Second text.") })
	step("save by rename", func() {
		tmp := filepath.Join(site, "incidents", ".a.md.tmp123")
		writeFile(t, tmp, testIncident("Incident A", "Third text."))
		if err := os.Rename(tmp, a); err != nil {
			t.Fatal(err)
		}
	}, func() bool { return strings.Contains(published(site, "incidents/a/index.html"), "Third text.") })
	step("new folder with an incident", func() {
		writeFile(t, filepath.Join(site, "incidents", "2027", "b.md"), testIncident("Incident B", "In a new folder."))
	}, func() bool { return strings.Contains(published(site, "incidents/b/index.html"), "In a new folder.") })
	step("edit in the new folder", func() {
		writeFile(t, filepath.Join(site, "incidents", "2027", "b.md"), testIncident("Incident B", "Edited in the new folder."))
	}, func() bool {
		return strings.Contains(published(site, "incidents/b/index.html"), "Edited in the new folder.")
	})
	step("delete", func() { os.Remove(a) },
		func() bool {
			_, err := os.Stat(filepath.Join(site, "public", "incidents", "a"))
			return os.IsNotExist(err)
		})

	// Swap files, dotfiles and files outside the inputs never rebuild.
	writeFile(t, filepath.Join(site, "incidents", ".b.md.swp"), "x")
	writeFile(t, filepath.Join(site, "incidents", "b.md~"), "x")
	writeFile(t, filepath.Join(site, "incidents", "4913"), "x")
	writeFile(t, filepath.Join(site, "notes.txt"), "x")
	if m := settle(p, 500*time.Millisecond); m != n {
		t.Errorf("editor leftovers caused %d rebuilds, want 0", m-n)
	}

	// A burst of 1,000 rapid edits: the final one is published, in a few
	// rebuilds.
	b := filepath.Join(site, "incidents", "2027", "b.md")
	for i := range 1000 {
		writeFile(t, b, testIncident("Incident B", fmt.Sprintf("Burst edit %d.", i)))
	}
	waitFor(t, p, "the last of 1,000 edits", func() bool {
		return strings.Contains(published(site, "incidents/b/index.html"), "Burst edit 999.")
	})
	m := settle(p, 500*time.Millisecond)
	if m-n < 1 || m-n > 10 {
		t.Errorf("1,000 edits: %d rebuilds, want 1 to 10", m-n)
	}
	n = m

	// A broken file is reported with its place, keeps the last good site,
	// and fixing it republishes.
	writeFile(t, b, "---\ntitle: Incident B\ncomponents: {nope: major_outage}\nstarted: 2026-11-01 10:00\n---\n")
	waitFor(t, p, "the error", func() bool { return strings.Contains(p.stderr.String(), "incidents/2027/b.md:3:") })
	if !strings.Contains(published(site, "incidents/b/index.html"), "Burst edit 999.") {
		t.Errorf("a broken file unpublished the last good site")
	}
	writeFile(t, b, testIncident("Incident B", "Fixed."))
	waitFor(t, p, "the fix", func() bool { return strings.Contains(published(site, "incidents/b/index.html"), "Fixed.") })
	select {
	case <-p.done:
		t.Fatalf("watch exited")
	default:
	}

	// SIGTERM stops it cleanly, with exit status 0.
	p.stop(t)
}

var hrefRE = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// checkComplete checks that the output folder is one complete version:
// every file the manifest lists is there, and every internal link of every
// page resolves.
func checkComplete(tb testing.TB, out string) int {
	tb.Helper()
	real, err := filepath.EvalSymlinks(out)
	if err != nil {
		tb.Fatalf("output path: %v", err)
	}
	man, err := os.ReadFile(filepath.Join(real, ".herald-manifest"))
	if err != nil {
		tb.Fatalf("no manifest: the version is incomplete: %v", err)
	}
	paths := strings.Split(strings.TrimSpace(string(man)), "\n")
	for _, rel := range paths {
		if _, err := os.Stat(filepath.Join(real, rel)); err != nil {
			tb.Fatalf("listed in the manifest but missing: %s", rel)
		}
	}
	for _, rel := range paths {
		if !strings.HasSuffix(rel, ".html") || rel == "404.html" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(real, rel))
		if err != nil {
			tb.Fatal(err)
		}
		for _, m := range hrefRE.FindAllSubmatch(data, -1) {
			link := string(m[1])
			if strings.Contains(link, "://") || strings.HasPrefix(link, "#") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			link, _, _ = strings.Cut(link, "#")
			target := path.Join(path.Dir(rel), link)
			if strings.HasSuffix(link, "/") || link == "" || link == "./" {
				target = path.Join(target, "index.html")
			}
			if _, err := os.Stat(filepath.Join(real, filepath.FromSlash(target))); err != nil {
				tb.Fatalf("%s links to %s, which is missing", rel, link)
			}
		}
	}
	return len(paths)
}

// TestWatchSurvivesSIGKILL kills herald watch at random moments of its
// rebuilds and checks after each kill that the output is a complete site
// (every file of the manifest, every internal link), then that a restart
// publishes the current state at once. By default: 300 incidents and about
// 25 rebuilds; HERALD_TEST_HEAVY=1 runs the full size, 2,000 incidents and
// about 200 rebuilds (minutes: each rebuild publishes a whole new version
// tree, see generator/publish).
func TestWatchSurvivesSIGKILL(t *testing.T) {
	incidents, cycles, perCycle := 300, 4, 5
	if os.Getenv("HERALD_TEST_HEAVY") != "" {
		incidents, cycles, perCycle = 2000, 20, 10
	} else if testing.Short() {
		incidents, cycles, perCycle = 100, 3, 3
	}
	site := newTestSite(t, testConfig)
	for i := range incidents {
		writeFile(t, filepath.Join(site, "incidents", fmt.Sprintf("gen-%04d.md", i)),
			testIncident(fmt.Sprintf("Generated %d", i), fmt.Sprintf("Generated body %d.", i)))
	}
	r := rand.New(rand.NewPCG(7, 0))
	rebuilds, edit := 0, 0
	out := filepath.Join(site, "public")
	for cycle := range cycles {
		p := start(t, site, "watch", "-every", "1h")
		waitFor(t, p, "the first build", func() bool { return p.stdout.count(rebuiltLine) >= 1 })
		var last time.Duration
		for range perCycle {
			n := p.stdout.count(rebuiltLine)
			edit++
			writeFile(t, filepath.Join(site, "incidents", fmt.Sprintf("gen-%04d.md", r.IntN(incidents))),
				testIncident("Edited", fmt.Sprintf("Edit %d.", edit)))
			began := time.Now()
			waitFor(t, p, "a rebuild", func() bool {
				return p.stdout.count(rebuiltLine) > n || strings.Contains(p.stderr.String(), "build failed")
			})
			last = time.Since(began)
		}
		// Kill at a random moment of the next rebuild.
		edit++
		writeFile(t, filepath.Join(site, "incidents", "a.md"), testIncident("Incident A", fmt.Sprintf("Edit %d.", edit)))
		time.Sleep(time.Duration(r.Int64N(int64(last) + 1)))
		p.kill()
		rebuilds += p.stdout.count(rebuiltLine)
		if n := checkComplete(t, out); n < incidents {
			t.Fatalf("cycle %d: %d files in the manifest, want over %d", cycle, n, incidents)
		}
	}
	t.Logf("%d rebuilds in %d kill cycles", rebuilds, cycles)
	// Edited while down; a restart publishes it at once.
	writeFile(t, filepath.Join(site, "incidents", "a.md"), testIncident("Incident A", "Written while down."))
	p := start(t, site, "watch", "-every", "1h")
	waitFor(t, p, "the restart to publish", func() bool {
		return strings.Contains(published(site, "incidents/a/index.html"), "Written while down.")
	})
	checkComplete(t, out)
}

// TestWatchPublishCommand runs a publish command that fails and takes its
// time, and checks that it is retried, never overlaps itself (it records
// its own start and end), and does not hold up rebuilds.
func TestWatchPublishCommand(t *testing.T) {
	cmd := `echo "start $(date +%s.%N) $HERALD_PUBLIC_DIR" >> runs.log; sleep 0.5; echo "end $(date +%s.%N) $HERALD_PUBLIC_DIR" >> runs.log; echo failing on purpose; exit 3`
	site := newTestSite(t, testConfig+"publish:\n  command: '"+cmd+"'\n")
	p := start(t, site, "watch", "-every", "1h")
	waitFor(t, p, "the first run", func() bool {
		data, _ := os.ReadFile(filepath.Join(site, "runs.log"))
		return bytes.Contains(data, []byte("start"))
	})
	// Rebuilds go on while the command runs and fails.
	for i := range 5 {
		writeFile(t, filepath.Join(site, "incidents", "a.md"), testIncident("Incident A", fmt.Sprintf("Edit %d.", i)))
		want := fmt.Sprintf("Edit %d.", i)
		waitFor(t, p, "a rebuild during the command", func() bool {
			return strings.Contains(published(site, "incidents/a/index.html"), want)
		})
	}
	waitFor(t, p, "retries", func() bool { return strings.Count(p.stdout.String(), "publish: command failed") >= 3 })
	if !strings.Contains(p.stdout.String(), "publish: failing on purpose") {
		t.Errorf("the command's output is not logged with its prefix")
	}
	p.kill()
	data, err := os.ReadFile(filepath.Join(site, "runs.log"))
	if err != nil {
		t.Fatal(err)
	}
	var lastEnd string
	open := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case f[0] == "start" && open:
			t.Fatalf("a run started before the previous one ended:\n%s", data)
		case f[0] == "start":
			if lastEnd != "" && f[1] < lastEnd {
				t.Fatalf("a run started at %s, before the previous end %s", f[1], lastEnd)
			}
			open = true
		case f[0] == "end":
			open, lastEnd = false, f[1]
		}
	}
	if !strings.Contains(string(data), "/.public.herald/v") {
		t.Errorf("HERALD_PUBLIC_DIR is not the version folder:\n%s", data)
	}
}

// readAll reads an HTTP body for the serve tests.
func readAll(tb testing.TB, r io.Reader) string {
	tb.Helper()
	data, err := io.ReadAll(r)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// TestWatchNotifies runs herald watch with a webhook pointing at a real
// loopback receiver: the first build records a baseline and sends
// nothing, a new incident is sent once, and a restart sends nothing again.
func TestWatchNotifies(t *testing.T) {
	var mu sync.Mutex
	var got []string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(body))
		mu.Unlock()
	}))
	defer recv.Close()
	received := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
	site := newTestSite(t, testConfig+"notify:\n  webhooks:\n    - {url: '"+recv.URL+"', format: json}\n")
	p := start(t, site, "watch", "-every", "1h")
	waitFor(t, p, "the baseline", func() bool { return strings.Contains(p.stdout.String(), "notify: recorded a baseline") })

	writeFile(t, filepath.Join(site, "incidents", "b.md"), "---\ntitle: Webhook-worthy outage\ncomponents: {web: major_outage}\nstarted: 2026-11-28 14:00\n---\nDown.\n")
	waitFor(t, p, "the event to arrive", func() bool {
		r := received()
		return len(r) > 0 && strings.Contains(r[len(r)-1], "Webhook-worthy outage")
	})
	waitFor(t, p, "the delivery to be recorded", func() bool {
		state, _ := os.ReadFile(filepath.Join(site, "data", "notify.json"))
		return strings.Contains(string(state), `"pending": []`) || strings.Contains(string(state), `"pending":[]`) || strings.Contains(string(state), `"pending": null`) || strings.Contains(string(state), `"pending":null`)
	})
	sent := len(received())
	// A clean stop; a kill in the middle of a delivery is the notify
	// package's test (the receiver then dedupes by Idempotency-Key).
	p.stop(t)

	p = start(t, site, "watch", "-every", "1h")
	waitFor(t, p, "the first build after the restart", func() bool { return p.stdout.count(rebuiltLine) >= 1 })
	time.Sleep(500 * time.Millisecond) // room for a wrong resend to arrive
	if n := len(received()); n != sent {
		t.Errorf("got %d webhook calls after a restart, want still %d: %q", n, sent, received())
	}
	for _, body := range received() {
		if strings.Contains(body, "Incident A") {
			t.Errorf("the baseline's incident was sent: %s", body)
		}
	}
}

// TestWatchTimerWaitsAfterABuild edits the site more often than the timer
// interval: every rebuild makes the site current, so the timer counts
// from the last rebuild and never fires between edits. A timer rebuild
// there did no good, and an edit that arrived during it waited for it.
func TestWatchTimerWaitsAfterABuild(t *testing.T) {
	site := newTestSite(t, testConfig)
	p := start(t, site, "watch", "-every", "1s")
	waitFor(t, p, "the first build", func() bool { return strings.Contains(published(site, "incidents/a/index.html"), "First text.") })
	a := filepath.Join(site, "incidents", "a.md")
	timer := regexp.MustCompile(`(?m)^rebuilt .*\(timer\)$`)
	before := p.stdout.count(timer)
	for i := range 12 { // 12 × (300 ms + a rebuild): about 4 timer intervals
		text := fmt.Sprintf("Edit %d.", i)
		writeFile(t, a, testIncident("Incident A", text))
		waitFor(t, p, text, func() bool { return strings.Contains(published(site, "incidents/a/index.html"), text) })
		time.Sleep(300 * time.Millisecond)
	}
	if got := p.stdout.count(timer) - before; got != 0 {
		t.Errorf("got %d timer rebuilds between edits, want 0\nstdout:\n%s", got, tail(p.stdout.String()))
	}
	// Once the edits stop, the timer fires again.
	waitFor(t, p, "a timer rebuild after the edits", func() bool { return p.stdout.count(timer) > before })
	p.stop(t)
}

// TestWatchDebugTimings runs herald watch -debug: after each "rebuilt"
// line, one line says where that rebuild's time went, and its parts add up
// to no more than the rebuild's whole time.
func TestWatchDebugTimings(t *testing.T) {
	site := newTestSite(t, testConfig)
	p := start(t, site, "watch", "-every", "1h", "-debug")
	waitFor(t, p, "the first build", func() bool { return strings.Contains(published(site, "incidents/a/index.html"), "First text.") })
	writeFile(t, filepath.Join(site, "incidents", "a.md"), testIncident("Incident A", "Second text."))
	re := regexp.MustCompile(`(?m)^rebuilt \d+ files in (\d+) ms.*\ndebug: load (\S+), snapshot and keys (\S+), render (\S+), write (\S+), commit and swap (\S+)$`)
	// The lines follow the swap that publishes the edit.
	waitFor(t, p, "the edit's lines", func() bool { return p.stdout.count(re) == 2 })
	p.stop(t)
	got := re.FindAllStringSubmatch(p.stdout.String(), -1)
	if len(got) != 2 {
		t.Fatalf("got %d rebuilds with a debug line, want 2\nstdout:\n%s", len(got), p.stdout.String())
	}
	for _, m := range got {
		var sum time.Duration
		for _, s := range m[2:] {
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				t.Fatalf("got %q in %q, want a duration", s, m[0])
			}
			sum += d
		}
		var total int64
		fmt.Sscan(m[1], &total)
		// The total is truncated to the millisecond, and each of the five
		// parts rounded to 0.1 ms: up to 1 ms + 5 × 0.05 ms apart.
		if sum > time.Duration(total+1)*time.Millisecond+250*time.Microsecond {
			t.Errorf("got parts adding up to %v in a rebuild of %d ms, want no more", sum, total)
		}
	}
}
