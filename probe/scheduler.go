package probe

import (
	"container/heap"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-status/herald/history"
)

// Recorder keeps results; *history.Store is one. It is declared here, where
// it is used, so this package depends on the Result type and nothing else of
// the store.
type Recorder interface {
	Record(ctx context.Context, rs []history.Result) error
}

// Defaults for Options left zero.
const (
	DefaultConcurrency = 64
	DefaultRegion      = "default"
	DefaultFlushEvery  = time.Second
)

// maxPending bounds the results kept in memory while the recorder fails;
// past it the oldest are dropped (and counted), so a long store outage
// cannot exhaust memory.
const maxPending = 1 << 16

// finalFlushTimeout bounds the last write on shutdown.
const finalFlushTimeout = 30 * time.Second

// Options configure a Scheduler.
type Options struct {
	// Now is the clock results are stamped with and deadlines are planned
	// on. Required: herald's commands pass their -now/HERALD_NOW clock.
	Now func() time.Time
	// Getenv expands ${VAR} references at run time; nil means os.Getenv.
	Getenv func(string) string
	// Recorder receives results in batches; nil discards them.
	Recorder Recorder
	// Region is stamped on every Result and labels every metric.
	Region string
	// Concurrency bounds the checks in flight at once.
	Concurrency int
	// FlushEvery is how often buffered results are handed to Recorder.
	FlushEvery time.Duration
	// Logger receives state changes and recorder failures, naming
	// components, never targets; nil discards.
	Logger *slog.Logger
	// RootCAs, when set, replaces the system's roots for http and tls
	// checks: for tests and private CAs.
	RootCAs *x509.CertPool
}

// Scheduler runs checks on their intervals and records their results.
//
// Each check runs at a fixed phase of its interval, derived from a hash of
// its component id, so checks are spread evenly instead of all firing at
// once, and keep their phase across restarts. One goroutine holds every
// check in a heap ordered by next deadline; deadlines are absolute
// (next = planned + interval), so a slow run never shifts the schedule. Due
// checks are handed to a fixed pool of Concurrency workers; when all are
// busy, the dispatcher waits, and the delay shows up as schedule lag.
type Scheduler struct {
	opts    Options
	entries []*entry
	byID    map[string]*entry
	prober  *prober
	metrics *metrics
	lag     lagRing
	running atomic.Bool

	mu      sync.Mutex
	pending []history.Result
	dropped int
}

// entry is one check and what the scheduler knows about it.
type entry struct {
	check  *Check
	offset time.Duration
	next   time.Time // owned by the dispatcher goroutine
	index  int       // in the heap
	busy   atomic.Bool

	mu        sync.Mutex
	streak    int  // consecutive results equal to last
	last      bool // the last result's OK
	confirmed bool // the confirmed state: up or down
	known     bool // whether any result has been seen
	success   prometheus.Gauge
	duration  prometheus.Gauge
}

// New returns a scheduler for checks. It starts nothing; call Run or Once.
func New(checks []*Check, opts Options) (*Scheduler, error) {
	if opts.Now == nil {
		return nil, errors.New("probe: Options.Now is required")
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = DefaultFlushEvery
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{
		opts:    opts,
		byID:    make(map[string]*entry, len(checks)),
		prober:  newProber(opts.Now, opts.Getenv, opts.RootCAs, opts.Region, opts.Concurrency),
		metrics: newMetrics(opts.Region),
	}
	for _, c := range checks {
		if c.Interval <= 0 || c.Timeout <= 0 || c.Confirm < 1 {
			return nil, fmt.Errorf("probe: check of %q has no interval, timeout or confirm; make checks with Parse", c.Component)
		}
		if _, dup := s.byID[c.Component]; dup {
			return nil, fmt.Errorf("probe: two checks for component %q", c.Component)
		}
		e := &entry{check: c, offset: Offset(c.Component, c.Interval)}
		s.entries = append(s.entries, e)
		s.byID[c.Component] = e
	}
	return s, nil
}

// Offset is the phase at which the check of component runs within each
// interval: a hash of the id, so it is the same in every process and every
// region, and spread evenly over the interval.
func Offset(component string, interval time.Duration) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(component))
	return time.Duration(mix(h.Sum64()) % uint64(interval))
}

// mix is splitmix64's finalizer: FNV leaves similar ids ("api-1",
// "api-2") close in the low bits that the modulo keeps.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// firstDeadline is the first instant at or after now at phase offset of
// interval.
func firstDeadline(now time.Time, offset, interval time.Duration) time.Time {
	t := now.Truncate(interval).Add(offset)
	if t.Before(now) {
		t = t.Add(interval)
	}
	return t
}

// job is one planned run of one check.
type job struct {
	e       *entry
	planned time.Time
}

// Run runs every check on its schedule until ctx is done, then waits for
// the checks in flight, hands every buffered result to the recorder and
// returns. Runs cut short by the shutdown are not recorded: their failure
// says nothing about the target. Run returns an error only when the final
// write fails.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("probe: scheduler is already running")
	}
	defer s.running.Store(false)
	defer s.prober.close()

	jobs := make(chan job)
	var workers sync.WaitGroup
	s.startWorkers(ctx, jobs, &workers)

	var flusher sync.WaitGroup
	flusher.Go(func() { s.flushLoop(ctx) })

	s.dispatch(ctx, jobs)
	close(jobs)
	workers.Wait()
	flusher.Wait()
	return s.finalFlush(ctx)
}

// Once runs every check once, as soon as a worker is free, and records the
// results. It returns an error when they cannot be recorded, or ctx's error
// when it was interrupted (after recording what finished).
func (s *Scheduler) Once(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("probe: scheduler is already running")
	}
	defer s.running.Store(false)
	defer s.prober.close()

	jobs := make(chan job)
	var workers sync.WaitGroup
	s.startWorkers(ctx, jobs, &workers)
	now := s.opts.Now()
send:
	for _, e := range s.entries {
		e.busy.Store(true)
		select {
		case jobs <- job{e, now}:
		case <-ctx.Done():
			e.busy.Store(false)
			break send
		}
	}
	close(jobs)
	workers.Wait()
	if err := s.finalFlush(ctx); err != nil {
		return err
	}
	return ctx.Err()
}

func (s *Scheduler) startWorkers(ctx context.Context, jobs <-chan job, wg *sync.WaitGroup) {
	for range min(s.opts.Concurrency, max(len(s.entries), 1)) {
		wg.Go(func() {
			for j := range jobs {
				start := s.opts.Now()
				lag := start.Sub(j.planned)
				s.lag.observe(lag)
				s.metrics.lag.Observe(lag.Seconds())
				r := s.prober.run(ctx, j.e.check)
				j.e.busy.Store(false)
				if ctx.Err() != nil && !r.OK {
					continue // cut short by shutdown
				}
				s.observe(j.e, r)
			}
		})
	}
}

// dispatch hands each check to the workers when its deadline comes, until
// ctx is done.
func (s *Scheduler) dispatch(ctx context.Context, jobs chan<- job) {
	if len(s.entries) == 0 {
		<-ctx.Done()
		return
	}
	now := s.opts.Now()
	h := make(entryHeap, len(s.entries))
	for i, e := range s.entries {
		e.next = firstDeadline(now, e.offset, e.check.Interval)
		e.index = i
		h[i] = e
	}
	heap.Init(&h)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		now := s.opts.Now()
		for !h[0].next.After(now) {
			e := h[0]
			planned := e.next
			if e.busy.CompareAndSwap(false, true) {
				select {
				case jobs <- job{e, planned}:
				case <-ctx.Done():
					e.busy.Store(false)
					return
				}
			} else {
				// The previous run (timeout × retries) is still going: never
				// run one check twice at once.
				s.metrics.skipped.Inc()
			}
			e.next = planned.Add(e.check.Interval)
			if !e.next.After(now) {
				// A whole interval behind (a stall, a suspended host): skip the
				// missed runs rather than firing them in a burst.
				missed := now.Sub(e.next)/e.check.Interval + 1
				e.next = e.next.Add(missed * e.check.Interval)
				s.metrics.skipped.Add(float64(missed))
			}
			heap.Fix(&h, 0)
		}
		timer.Reset(h[0].next.Sub(s.opts.Now()))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
	}
}

// observe updates the component's confirmed state and metrics, and buffers
// the result for the recorder.
func (s *Scheduler) observe(e *entry, r history.Result) {
	e.mu.Lock()
	if r.OK == e.last {
		e.streak++
	} else {
		e.last, e.streak = r.OK, 1
	}
	changed, first := false, !e.known
	switch {
	case first:
		// The first result sets the state; only a change needs confirming.
		e.known, e.confirmed, changed = true, r.OK, true
		e.success = s.metrics.success.WithLabelValues(e.check.Component, s.opts.Region)
		e.duration = s.metrics.duration.WithLabelValues(e.check.Component, s.opts.Region)
	case e.confirmed != r.OK && e.streak >= e.check.Confirm:
		e.confirmed, changed = r.OK, true
	}
	up := e.confirmed
	e.success.Set(b2f(up))
	e.duration.Set(r.LatencyMS / 1000)
	e.mu.Unlock()

	if changed {
		switch {
		case up && first:
			// Thousands of components start up at once; say nothing.
		case up:
			s.opts.Logger.Info("component up", "component", e.check.Component)
		default:
			s.opts.Logger.Warn("component down", "component", e.check.Component, "error", r.Error)
		}
	}
	if s.opts.Recorder == nil {
		return
	}
	s.mu.Lock()
	s.pending = append(s.pending, r)
	s.mu.Unlock()
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Confirmed reports the confirmed state of component's check (whether it
// is up), and whether any result has been seen yet.
func (s *Scheduler) Confirmed(component string) (up, known bool) {
	e, ok := s.byID[component]
	if !ok {
		return false, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.confirmed, e.known
}

func (s *Scheduler) flushLoop(ctx context.Context) {
	t := time.NewTicker(s.opts.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.flush(ctx); err != nil && ctx.Err() == nil {
				s.opts.Logger.Error("recording results failed; will retry", "err", err)
			}
		}
	}
}

// finalFlush writes what is buffered, even though ctx may be done: a
// clean shutdown loses nothing that finished.
func (s *Scheduler) finalFlush(ctx context.Context) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalFlushTimeout)
	defer cancel()
	return s.flush(fctx)
}

// flush hands the buffered results to the recorder. On failure they are
// put back, to be tried again with the next batch.
func (s *Scheduler) flush(ctx context.Context) error {
	s.mu.Lock()
	batch := s.pending
	s.pending = nil
	s.mu.Unlock()
	batch = s.dropFuture(batch)
	if len(batch) == 0 {
		return nil
	}
	err := s.opts.Recorder.Record(ctx, batch)
	if err == nil {
		return nil
	}
	s.metrics.recordErrors.Inc()
	s.mu.Lock()
	s.pending = append(batch, s.pending...)
	if n := len(s.pending) - maxPending; n > 0 {
		s.pending = append(s.pending[:0], s.pending[n:]...)
		s.dropped += n
		s.metrics.dropped.Add(float64(n))
	}
	s.mu.Unlock()
	return fmt.Errorf("record results: %w", err)
}

// dropFuture drops the results stamped more than history.ClockSkew after
// the clock: it went back since they were stamped (a large NTP step, a
// host whose clock was set right). Stored, they would stand as the
// components' newest results until their time came.
func (s *Scheduler) dropFuture(batch []history.Result) []history.Result {
	now := s.opts.Now()
	kept := batch[:0]
	var component string
	var first error
	for _, r := range batch {
		err := history.CheckTime(r, now)
		if err == nil {
			kept = append(kept, r)
		} else if first == nil {
			component, first = r.Component, err
		}
	}
	if first != nil {
		// One line a flush, naming the first: after a step back of hours,
		// every component's results are dropped at once.
		s.opts.Logger.Warn("results dropped: the clock went back since they were stamped",
			"results", len(batch)-len(kept), "component", component, "err", first)
	}
	return kept
}

// entryHeap orders entries by next deadline.
type entryHeap []*entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h entryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *entryHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
