package probe

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/history"
)

// collector is a Recorder that keeps what it is given. The history store
// has its own tests against a real SQLite file; here only what the
// scheduler hands over matters, so this is the one place a fake is fine.
type collector struct {
	mu      sync.Mutex
	results []history.Result
	calls   int
}

func (c *collector) Record(_ context.Context, rs []history.Result) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	c.results = append(c.results, rs...)
	return nil
}

func (c *collector) byComponent() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := map[string]int{}
	for _, r := range c.results {
		n[r.Component]++
	}
	return n
}

func (c *collector) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.results)
}

func newScheduler(tb testing.TB, checks []*Check, opts Options) *Scheduler {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	s, err := New(checks, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// httpChecks makes n http checks, c-0 … c-n-1, of base/c-i.
func httpChecks(n int, base string, interval time.Duration) []*Check {
	checks := make([]*Check, n)
	for i := range checks {
		c := newCheck(HTTP, fmt.Sprintf("%s/c-%d", base, i))
		c.Component = fmt.Sprintf("c-%d", i)
		c.Interval, c.Timeout = interval, min(5*time.Second, interval/2)
		checks[i] = c
	}
	return checks
}

func TestOffsetsSpreadOverTheInterval(t *testing.T) {
	const n, buckets = 5000, 10
	interval := 30 * time.Second
	counts := make([]int, buckets)
	for i := range n {
		id := fmt.Sprintf("api-%d", i)
		off := Offset(id, interval)
		if off < 0 || off >= interval {
			t.Fatalf("Offset(%q) = %v, want within [0, %v)", id, off, interval)
		}
		if again := Offset(id, interval); again != off {
			t.Fatalf("Offset(%q) = %v then %v, want the same", id, off, again)
		}
		counts[off*buckets/interval]++
	}
	for i, got := range counts {
		// n/buckets = 500 each if perfectly even; allow ±20%.
		if got < 400 || got > 600 {
			t.Errorf("bucket %d of %d holds %d offsets, want about %d: %v", i, buckets, got, n/buckets, counts)
		}
	}
	now := time.Date(2026, 11, 28, 15, 0, 0, 123, time.UTC)
	for i := range 100 {
		off := Offset(fmt.Sprint(i), interval)
		first := firstDeadline(now, off, interval)
		if first.Before(now) || !first.Before(now.Add(interval)) {
			t.Errorf("first deadline %v, want within [%v, %v)", first, now, now.Add(interval))
		}
		if d := first.Sub(now.Truncate(interval)) % interval; d != off {
			t.Errorf("first deadline at phase %v, want %v", d, off)
		}
	}
}

// inflight is a server that counts requests per path and the most served
// at once.
type inflight struct {
	delay    time.Duration
	now, max atomic.Int32
	mu       sync.Mutex
	hits     map[string]int
}

func (s *inflight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.now.Add(1)
	defer s.now.Add(-1)
	for {
		m := s.max.Load()
		if n <= m || s.max.CompareAndSwap(m, n) {
			break
		}
	}
	s.mu.Lock()
	if s.hits == nil {
		s.hits = map[string]int{}
	}
	s.hits[r.URL.Path]++
	s.mu.Unlock()
	time.Sleep(s.delay)
}

func (s *inflight) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func TestConcurrencyIsBounded(t *testing.T) {
	h := &inflight{delay: 50 * time.Millisecond}
	srv := httptest.NewServer(h)
	defer srv.Close()
	rec := &collector{}
	s := newScheduler(t, httpChecks(40, srv.URL, time.Minute), Options{Concurrency: 4, Recorder: rec})
	if err := s.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := h.max.Load(); got > 4 || got < 2 {
		t.Errorf("got %d requests in flight at most, want 2 to 4 (the bound)", got)
	}
	if got := rec.len(); got != 40 {
		t.Errorf("got %d results, want 40", got)
	}
}

func TestOnceRunsEachCheckOnce(t *testing.T) {
	h := &inflight{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	rec := &collector{}
	s := newScheduler(t, httpChecks(25, srv.URL, time.Minute), Options{Concurrency: 8, Recorder: rec, Region: "eu"})
	if err := s.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		if got := h.count(fmt.Sprintf("/c-%d", i)); got != 1 {
			t.Errorf("c-%d: got %d requests, want 1", i, got)
		}
	}
	for id, n := range rec.byComponent() {
		if n != 1 {
			t.Errorf("%s: got %d results, want 1", id, n)
		}
	}
	for _, r := range rec.results {
		if r.Region != "eu" || !r.OK {
			t.Errorf("got %+v, want ok in region eu", r)
		}
	}
	if rec.calls != 1 {
		t.Errorf("got %d writes, want the results in one batch", rec.calls)
	}
}

// TestShutdownFlushes: results buffered when the context is cancelled are
// all written before Run returns.
func TestShutdownFlushes(t *testing.T) {
	h := &inflight{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	rec := &collector{}
	checks := httpChecks(3, srv.URL, time.Second)
	s := newScheduler(t, checks, Options{Recorder: rec, FlushEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(2500 * time.Millisecond) // each check's phase is under 1s, so each runs at least twice
	if n := rec.len(); n != 0 {
		t.Fatalf("got %d results written before shutdown with FlushEvery 1h, want 0", n)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	got := rec.byComponent()
	for _, c := range checks {
		if got[c.Component] < 1 {
			t.Errorf("%s: got %d results after shutdown, want at least 1", c.Component, got[c.Component])
		}
	}
	if served := h.count("/c-0") + h.count("/c-1") + h.count("/c-2"); served != rec.len() {
		t.Errorf("server answered %d requests but %d results were written, want all", served, rec.len())
	}
}

// TestDeadlinesAreAbsolute: a check taking 700ms every 1s still runs every
// second, where sleep-after-run would run it every 1.7s.
func TestDeadlinesAreAbsolute(t *testing.T) {
	h := &inflight{delay: 700 * time.Millisecond}
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := httpChecks(1, srv.URL, time.Second)[0]
	c.Timeout = 900 * time.Millisecond
	s := newScheduler(t, []*Check{c}, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5500*time.Millisecond)
	defer cancel()
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// Starts at phase p < 1s: p, p+1, … p+4 all fall before 5.5s (sleep-
	// after-run would manage p, p+1.7, p+3.4 and perhaps p+5.1).
	if got := h.count("/c-0"); got < 5 {
		t.Errorf("got %d runs in 5.5s at 1s intervals, want at least 5", got)
	}
	if lag := s.Lag(); lag.Count < 5 || lag.P99 > time.Second {
		t.Errorf("got lag %+v, want at least 5 runs with p99 under 1s", lag)
	}
}

// TestConfirm: with confirm 3, a one- or two-result blip leaves the state
// alone, and three agreeing results change it.
func TestConfirm(t *testing.T) {
	var status atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	c := newCheck(HTTP, srv.URL)
	c.Confirm = 3
	rec := &collector{}
	s := newScheduler(t, []*Check{c}, Options{Recorder: rec})
	steps := []struct {
		status int
		wantUp bool
	}{
		{200, true}, // the first result sets the state
		{503, true}, // a blip
		{200, true},
		{503, true},
		{503, true},  // two is still a blip
		{503, false}, // three is an outage
		{200, false},
		{200, false},
		{503, false},
		{200, false},
		{200, false},
		{200, true},
	}
	for i, st := range steps {
		status.Store(int32(st.status))
		s.observe(s.byID["api"], s.prober.run(context.Background(), c))
		up, known := s.Confirmed("api")
		if !known || up != st.wantUp {
			t.Fatalf("after result %d (status %d): got up=%v known=%v, want up=%v", i+1, st.status, up, known, st.wantUp)
		}
	}
	if err := s.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rec.len(); got != len(steps) {
		t.Errorf("got %d results recorded, want every one of the %d: confirm is for the state, not the data", got, len(steps))
	}
}

// TestClockStepBack: the clock steps back while a check runs (an NTP
// step), so its result is stamped ahead of the clock it is recorded at.
// More than history.ClockSkew ahead, it is dropped, and the log names the
// component but not the target; less far, it is kept.
func TestClockStepBack(t *testing.T) {
	tests := []struct {
		name string
		step time.Duration
		kept bool
	}{
		{"no step", 0, true},
		{"a step back of a minute", -time.Minute, true},
		{"a step back of an hour", -time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var offset atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				offset.Store(int64(tt.step))
			}))
			defer srv.Close()
			c := newCheck(HTTP, srv.URL+"/secret-path")
			var log strings.Builder
			rec := &collector{}
			s := newScheduler(t, []*Check{c}, Options{
				Recorder: rec,
				Now:      func() time.Time { return time.Now().Add(time.Duration(offset.Load())) },
				Logger:   slog.New(slog.NewTextHandler(&log, nil)),
			})
			if err := s.Once(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got, want := rec.len() == 1, tt.kept; got != want {
				t.Errorf("got %d results recorded, want kept %t", rec.len(), want)
			}
			if logged := strings.Contains(log.String(), "results dropped"); logged == tt.kept {
				t.Errorf("got log %q, want a drop logged: %t", log.String(), !tt.kept)
			}
			if !tt.kept && (!strings.Contains(log.String(), "component=api") || strings.Contains(log.String(), "secret-path")) {
				t.Errorf("got log %q, want it to name component api and not the target", log.String())
			}
		})
	}
}

func TestMetricsAndHealth(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down" {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	x, y := newCheck(HTTP, srv.URL+"/up?token=s3cret"), newCheck(HTTP, srv.URL+"/down")
	x.Component, y.Component = "x", "y"
	x.Interval, y.Interval = time.Second, time.Second
	x.Timeout, y.Timeout = 500*time.Millisecond, 500*time.Millisecond
	s := newScheduler(t, []*Check{x, y}, Options{Region: "r"})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsSrv := &http.Server{Handler: s.Handler()}
	go metricsSrv.Serve(ln)
	defer metricsSrv.Close()
	base := "http://" + ln.Addr().String()

	if code, _ := get(t, base+"/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("healthz before Run: got %d, want 503", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, xk := s.Confirmed("x")
		_, yk := s.Confirmed("y")
		if xk && yk {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no result for x and y within 20s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("healthz while running: got %d %q, want 200 ok", code, body)
	}
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("metrics: got %d", code)
	}
	for _, want := range []string{
		`herald_probe_success{component="x",region="r"} 1`,
		`herald_probe_success{component="y",region="r"} 0`,
		`herald_probe_duration_seconds{component="x",region="r"} `,
		`herald_probe_schedule_lag_seconds_count{region="r"} `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "s3cret") || strings.Contains(body, ln.Addr().String()) || strings.Contains(body, srv.Listener.Addr().String()) {
		t.Errorf("metrics show a probe target:\n%s", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("healthz after Run: got %d, want 503", code)
	}
}

func get(tb testing.TB, url string) (int, string) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestNewRefuses(t *testing.T) {
	c := newCheck(TCP, "127.0.0.1:1")
	if _, err := New([]*Check{c}, Options{}); err == nil {
		t.Error("got no error without a clock, want one")
	}
	if _, err := New([]*Check{c, c}, Options{Now: time.Now}); err == nil {
		t.Error("got no error for two checks of one component, want one")
	}
	if _, err := New([]*Check{{Component: "x", Probe: config.Probe{Kind: TCP}}}, Options{Now: time.Now}); err == nil {
		t.Error("got no error for a check without an interval, want one")
	}
}
