package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/notify"
)

var (
	before = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) // baseline: nothing has happened
	after  = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
)

// writeSite makes a site whose webhooks point at urls (format:url).
func writeSite(tb testing.TB, hooks ...string) string {
	tb.Helper()
	var y strings.Builder
	y.WriteString("title: Test Status\nbase_url: https://status.example.com/\ncomponents:\n  - {id: api, name: API}\n  - {id: web, name: Website}\n")
	if len(hooks) > 0 {
		y.WriteString("notify:\n  webhooks:\n")
		for _, h := range hooks {
			format, url, _ := strings.Cut(h, ":")
			fmt.Fprintf(&y, "    - {format: %s, url: %q}\n", format, strings.TrimPrefix(url, ""))
		}
	}
	files := map[string]string{
		"herald.yaml": y.String(),
		"incidents/a.md": `---
title: API errors
components: {api: major_outage}
started: 2026-11-28T10:00:00Z
---
## 2026-11-28T11:00:00Z — Identified
We found it: **the cache**. @everyone

## 2026-11-28T10:05:00Z — Investigating
Looking.
`,
		"incidents/m.md": `---
title: Web maintenance
type: maintenance
components: [web]
scheduled_start: 2026-11-28T12:00:00Z
scheduled_end: 2026-11-28T13:00:00Z
---
## 2026-11-27T09:00:00Z — Scheduled
We will restart the web servers.
`,
	}
	return sitetest.Write(tb, files)
}

// publish runs one Observe and Deliver, as herald notify does.
func publish(tb testing.TB, dir string, now time.Time, opts ...notify.Option) (notify.Result, error) {
	tb.Helper()
	cfg, ins := sitetest.Load(tb, dir)
	snap := status.New(cfg, ins, now)
	n, err := notify.New(cfg, append([]notify.Option{notify.WithRetry(2, time.Millisecond, time.Millisecond)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := n.Observe(ctx, snap)
	if err != nil {
		tb.Fatal(err)
	}
	return res, n.Deliver(ctx)
}

// receiver records every request and dedupes by Idempotency-Key.
type receiver struct {
	mu       sync.Mutex
	keys     []string // every request, in order
	bodies   map[string][]byte
	types    map[string]string
	block    int           // when > 0, the block-th request never gets an answer
	blocked  chan struct{} // closed when it arrives
	failWith int           // status to answer with, when not 0
}

func newReceiver() *receiver {
	return &receiver{bodies: map[string][]byte{}, types: map[string]string{}, blocked: make(chan struct{})}
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	key := req.Header.Get("Idempotency-Key")
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.bodies[key] = body
	r.bodies[req.URL.Path+" "+key] = body
	r.types[key] = req.Header.Get("X-Herald-Event")
	n, block, fail := len(r.keys), r.block, r.failWith
	r.mu.Unlock()
	if block > 0 && n == block {
		close(r.blocked)
		<-req.Context().Done() // the sender dies waiting
		return
	}
	if fail != 0 {
		w.WriteHeader(fail)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) unique() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	u := slices.Clone(r.keys)
	slices.Sort(u)
	return slices.Compact(u)
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.keys)
}

func TestBaselineThenEvents(t *testing.T) {
	rec := newReceiver()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := writeSite(t, "json:"+srv.URL)
	res, err := publish(t, dir, after)
	if err != nil || !res.Baseline || len(res.Events) != 0 || rec.count() != 0 {
		t.Fatalf("first run: got %+v, %v, %d requests; want a silent baseline", res, err, rec.count())
	}
	if res, err := publish(t, dir, after); err != nil || len(res.Events) != 0 {
		t.Fatalf("second run at the same clock: got %+v, %v; want nothing new", res, err)
	}
	// A new update and a new incident appear.
	os.WriteFile(filepath.Join(dir, "incidents", "b.md"), []byte("---\ntitle: Web slow\ncomponents: {web: degraded_performance}\nstarted: 2026-11-28T14:00:00Z\n---\n## 2026-11-28T14:10:00Z — Investigating\nSlow.\n"), 0o644)
	a, _ := os.ReadFile(filepath.Join(dir, "incidents", "a.md"))
	a = []byte(strings.Replace(string(a), "## 2026-11-28T11:00:00Z", "## 2026-11-28T14:30:00Z — Resolved\nFixed & done <now>.\n\n## 2026-11-28T11:00:00Z", 1))
	os.WriteFile(filepath.Join(dir, "incidents", "a.md"), a, 0o644)
	res, err = publish(t, dir, after)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range res.Events {
		types = append(types, string(ev.Type))
	}
	if got, want := strings.Join(types, ","), "incident.created,incident.updated"; got != want {
		t.Errorf("got events %s, want %s", got, want)
	}
	if rec.count() != 2 {
		t.Fatalf("got %d requests, want 2", rec.count())
	}
	var ev notify.Event
	key := rec.keys[1]
	if err := json.Unmarshal(rec.bodies[key], &ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID != key || ev.Type != notify.IncidentUpdated || ev.Update == nil || ev.Update.Body != "Fixed & done <now>." || ev.Incident.URL != "https://status.example.com/incidents/a/" || ev.Incident.Status != "resolved" {
		t.Errorf("got event %+v", ev)
	}
}

func TestDeadEndpoint(t *testing.T) {
	rec := newReceiver()
	rec.failWith = http.StatusServiceUnavailable
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := writeSite(t, "json:"+srv.URL)
	publish(t, dir, before)
	_, err := publish(t, dir, after)
	if !errors.Is(err, notify.ErrDelivery) {
		t.Fatalf("got %v, want ErrDelivery", err)
	}
	if rec.count() != 2 { // the first event, tried twice; the rest wait their turn
		t.Errorf("got %d requests, want 2 (retries of the first event only)", rec.count())
	}
	// The endpoint comes back: everything pending is sent, in order.
	rec.mu.Lock()
	rec.failWith = 0
	rec.mu.Unlock()
	if _, err := publish(t, dir, after); err != nil {
		t.Fatal(err)
	}
	if got := len(rec.unique()); got != 4 {
		t.Errorf("got %d distinct events, want 4", got)
	}
	// A 4xx is not retried within a round.
	rec.mu.Lock()
	rec.failWith, rec.keys = http.StatusNotFound, nil
	rec.mu.Unlock()
	os.WriteFile(filepath.Join(dir, "incidents", "c.md"), []byte("---\ntitle: New\ncomponents: [api]\nimpact: minor\nstarted: 2026-11-28T14:00:00Z\n---\n"), 0o644)
	if _, err := publish(t, dir, after); !errors.Is(err, notify.ErrDelivery) || rec.count() != 1 {
		t.Errorf("got %v after %d requests, want one failed request", err, rec.count())
	}
}

// TestRun checks the background deliverer: Queue returns at once, Run
// observes and sends, and Run stops when its context ends.
func TestRun(t *testing.T) {
	rec := newReceiver()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := writeSite(t, "json:"+srv.URL)
	publish(t, dir, before)
	cfg, ins := sitetest.Load(t, dir)
	snap := status.New(cfg, ins, after)
	n, err := notify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()
	n.Queue(snap)
	deadline := time.Now().Add(10 * time.Second)
	for (len(rec.unique()) < 4 || n.Pending() > 0) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if n.Pending() != 0 || len(rec.unique()) != 4 {
		t.Errorf("got %d pending, %d delivered; want 0 and 4", n.Pending(), len(rec.unique()))
	}
}

func TestBadState(t *testing.T) {
	dir := writeSite(t)
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	os.WriteFile(filepath.Join(dir, "data", "notify.json"), []byte("{"), 0o644)
	cfg, _ := sitetest.Load(t, dir)
	if _, err := notify.New(cfg); !errors.Is(err, notify.ErrState) {
		t.Errorf("got %v, want ErrState", err)
	}
}

// TestHelperProcess is the child of TestKillMidDelivery: one herald notify
// run, in its own process so that it can be killed.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("HERALD_NOTIFY_HELPER")
	if dir == "" {
		t.Skip("helper process only")
	}
	if _, err := publish(t, dir, after); err != nil {
		t.Fatal(err)
	}
}

// TestKillMidDelivery kills a delivering process while the receiver holds
// the second request, runs again, and checks that the receiver, deduping
// by Idempotency-Key, has every event exactly once.
func TestKillMidDelivery(t *testing.T) {
	rec := newReceiver()
	rec.block = 2
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := writeSite(t, "json:"+srv.URL)
	if res, err := publish(t, dir, before); err != nil || !res.Baseline {
		t.Fatalf("baseline: %+v, %v", res, err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "HERALD_NOTIFY_HELPER="+dir)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rec.blocked:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child never reached the second event:\n%s", out)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("the child exited cleanly; want it killed")
	}
	if got := rec.count(); got != 2 {
		t.Fatalf("got %d requests before the kill, want 2", got)
	}

	// Start again: the pending events (the unacknowledged one included)
	// are sent; nothing is recorded twice, nothing is lost.
	res, err := publish(t, dir, after)
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if len(res.Events) != 0 {
		t.Errorf("the restart found %d new events; they were recorded before the kill", len(res.Events))
	}
	keys := rec.unique()
	if len(keys) != 4 {
		t.Fatalf("receiver has %d distinct events, want 4: %v", len(keys), rec.keys)
	}
	if rec.count() != 5 || rec.keys[1] != rec.keys[2] {
		t.Errorf("got requests %v; want the unacknowledged second event sent again, then the rest", rec.keys)
	}
	var types []string
	for _, k := range keys {
		types = append(types, rec.types[k])
	}
	slices.Sort(types)
	if got, want := strings.Join(types, ","), "incident.created,maintenance.completed,maintenance.started,maintenance.updated"; got != want {
		t.Errorf("got event types %s, want %s", got, want)
	}
	// And a third run sends nothing.
	if _, err := publish(t, dir, after); err != nil || rec.count() != 5 {
		t.Errorf("third run: %v, %d requests; want no more", err, rec.count())
	}
}

// holdLock takes the state's lock as another process would, until the
// returned function is called.
func holdLock(tb testing.TB, dir string) (release func()) {
	tb.Helper()
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	f, err := os.OpenFile(filepath.Join(dir, "data", "notify.json.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		tb.Fatal(err)
	}
	return func() { f.Close() }
}

// TestLockedState checks what a process does while another holds the
// state's lock: Observe and Deliver wait until their context ends and
// send nothing, Queue returns at once, and Run delivers once the lock is
// released.
func TestLockedState(t *testing.T) {
	rec := newReceiver()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := writeSite(t, "json:"+srv.URL)
	publish(t, dir, before)
	cfg, ins := sitetest.Load(t, dir)
	snap := status.New(cfg, ins, after)
	n, err := notify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	release := holdLock(t, dir)
	for _, tt := range []struct {
		name string
		step func(context.Context) error
	}{
		{"observe", func(ctx context.Context) error { _, err := n.Observe(ctx, snap); return err }},
		{"deliver", n.Deliver},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if err := tt.step(ctx); !errors.Is(err, notify.ErrBusy) {
				t.Errorf("got %v, want ErrBusy", err)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()
	start := time.Now()
	n.Queue(snap)
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Queue took %s with the lock held elsewhere, want no wait", d)
	}
	time.Sleep(200 * time.Millisecond)
	if rec.count() != 0 {
		t.Errorf("got %d requests while another process held the lock, want 0", rec.count())
	}
	release()
	for deadline := time.Now().Add(10 * time.Second); len(rec.unique()) < 4 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if got := len(rec.unique()); got != 4 {
		t.Errorf("got %d events after the lock was released, want 4", got)
	}
}

// TestDeadChannelDelaysNoOther gives a site two webhooks, the first one
// dead, with the default retry schedule (4 tries, 1s, 2s, 4s apart, 10s
// per request): the healthy one must have every event within 2 seconds,
// far below what the dead one's retries take, and the dead one's events
// must stay pending for the next run.
func TestDeadChannelDelaysNoOther(t *testing.T) {
	tests := []struct {
		name string
		dead http.HandlerFunc
	}{
		// The server notices that the client gave up only once the body
		// is read.
		{"hangs", func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body); <-r.Context().Done() }},
		{"answers 500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dead := httptest.NewServer(tt.dead)
			defer dead.Close()
			rec := newReceiver()
			healthy := httptest.NewServer(rec)
			defer healthy.Close()
			dir := writeSite(t, "json:"+dead.URL, "slack:"+healthy.URL)
			publish(t, dir, before)
			cfg, ins := sitetest.Load(t, dir)
			n, err := notify.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if _, err := n.Observe(ctx, status.New(cfg, ins, after)); err != nil {
				t.Fatal(err)
			}
			delivered := make(chan error, 1)
			go func() { delivered <- n.Deliver(ctx) }()
			const bound = 2 * time.Second
			for deadline := time.Now().Add(bound); len(rec.unique()) < 4; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the healthy webhook got %d of 4 events in %s, want all", len(rec.unique()), bound)
				}
			}
			cancel()
			if err := <-delivered; !errors.Is(err, notify.ErrDelivery) {
				t.Errorf("got %v, want ErrDelivery for the dead webhook", err)
			}
			again, err := notify.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := again.Pending(); got != 4 {
				t.Errorf("got %d events pending for the next run, want the dead webhook's 4", got)
			}
		})
	}
}

// TestFilters gives a site an unfiltered webhook and a filtered one and
// checks which events each receives: the filter is per webhook.
func TestFilters(t *testing.T) {
	tests := []struct {
		name, filter string // filter: keys of the second webhook's mapping
		want         string // event types the filtered webhook receives, sorted
	}{
		{"components", "components: [api]", "incident.created"},
		{"events", "events: [maintenance.started, maintenance.completed]", "maintenance.completed,maintenance.started"},
		{"min_impact keeps maintenance", "min_impact: critical", "incident.created,maintenance.completed,maintenance.started,maintenance.updated"},
		{"events leave maintenance out", "min_impact: critical, events: [incident.created, incident.updated, incident.resolved]", "incident.created"},
		{"nothing matches", "components: [web], events: [incident.created]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newReceiver()
			srv := httptest.NewServer(rec)
			defer srv.Close()
			dir := writeSite(t, "json:"+srv.URL+"/all", "json:"+srv.URL+"/filtered")
			y, _ := os.ReadFile(filepath.Join(dir, "herald.yaml"))
			y = []byte(strings.Replace(string(y), `/filtered"}`, `/filtered", `+tt.filter+`}`, 1))
			os.WriteFile(filepath.Join(dir, "herald.yaml"), y, 0o644)
			publish(t, dir, before)
			if _, err := publish(t, dir, after); err != nil {
				t.Fatal(err)
			}
			var all, filtered []string
			rec.mu.Lock()
			for k := range rec.bodies {
				path, key, ok := strings.Cut(k, " ")
				switch {
				case !ok:
				case path == "/all":
					all = append(all, rec.types[key])
				case path == "/filtered":
					filtered = append(filtered, rec.types[key])
				}
			}
			rec.mu.Unlock()
			slices.Sort(filtered)
			if len(all) != 4 {
				t.Errorf("the unfiltered webhook got %d events, want 4", len(all))
			}
			if got := strings.Join(filtered, ","); got != tt.want {
				t.Errorf("the filtered webhook got %q, want %q", got, tt.want)
			}
		})
	}
}
