package generator

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/herald-status/herald/generator/internal/parallel"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/history"
)

// openSource opens the configured history source, or returns nil when
// there is none yet: no embedded store has been written, so every
// monitored component has no data, which the page says.
func (s *Site) openSource(opts history.Options) (history.Source, func() error, error) {
	cfg := s.Config
	if cfg.History.Source == "prometheus" {
		selectors := map[string]string{}
		for _, c := range cfg.Components {
			switch {
			case c.Prometheus != "":
				selectors[c.ID] = c.Prometheus
			case c.HasProbe():
				// herald probe's own metric, scraped by that Prometheus.
				selectors[c.ID] = fmt.Sprintf("herald_probe_success{component=%q}", c.ID)
			}
		}
		client := &http.Client{Timeout: 30 * time.Second}
		return history.NewPrometheus(cfg.History.Prometheus.URL, selectors, opts, client), func() error { return nil }, nil
	}
	if s.store != nil {
		st, err := s.store.open(cfg.HistoryPath(), opts)
		if err != nil || st == nil {
			return nil, nil, err
		}
		return st, func() error { return nil }, nil
	}
	if _, err := os.Stat(cfg.HistoryPath()); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	st, err := history.OpenReadOnly(cfg.HistoryPath(), opts)
	if err != nil {
		return nil, nil, err
	}
	return st, st.Close, nil
}

// keptStore keeps a Builder's history store open from one build to the
// next: opening it, and above all closing it, which frees every page
// SQLite cached, cost a timer tick over 90 days of probe history more
// than reading the intervals, and the statements a store prepares
// (history.Store.read) are kept with it. The store is opened again when
// its file is another (replaced by a restore, or removed and created
// anew by an import), since the open one would go on reading the old
// file; and when the config changes (see Builder.load), which sets its
// options.
type keptStore struct {
	path string
	file os.FileInfo
	st   *history.Store
}

// open returns the store at path, or nil when there is none yet.
func (k *keptStore) open(path string, opts history.Options) (*history.Store, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, k.close()
	}
	if err != nil {
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	if k.st != nil && k.path == path && os.SameFile(k.file, fi) {
		return k.st, nil
	}
	if err := k.close(); err != nil {
		return nil, err
	}
	// A file replaced between the Stat and the open is another than fi,
	// and opened again at the next build.
	st, err := history.OpenReadOnly(path, opts)
	if err != nil {
		return nil, err
	}
	k.path, k.file, k.st = path, fi, st
	return st, nil
}

// close closes the kept store, if any.
func (k *keptStore) close() error {
	if k.st == nil {
		return nil
	}
	err := k.st.Close()
	k.st = nil
	return err
}

// readProbes reads, for every monitored component, what a page shows of
// its history: the states and latency of the history window and the time
// of the newest result. A build reads roll-ups only, so its cost does not
// grow with the number of raw results.
func (s *Site) readProbes(ctx context.Context, now time.Time) (map[string]*status.Probe, error) {
	opts := history.OptionsFor(s.Config)
	src, closeSrc, err := s.openSource(opts)
	if err != nil || src == nil {
		return nil, err
	}
	defer closeSrc()
	loc := s.Config.Location
	y, m, d := now.In(loc).Date()
	from := time.Date(y, m, d-s.Config.History.Days, 0, 0, 0, 0, loc)
	var ids []string
	for i := range s.Config.Components {
		if c := &s.Config.Components[i]; s.Config.Monitored(c) {
			ids = append(ids, c.ID)
		}
	}
	// Each component is its own queries, and a timer rebuild over a long
	// history waits on them before anything else: on every core.
	read := make([]*status.Probe, len(ids))
	err = parallel.For(ctx, len(ids), runtime.GOMAXPROCS(0), func(i int) error {
		id := ids[i]
		o, ok := opts.Components[id]
		if !ok {
			o.Interval = history.DefaultInterval
		}
		p := &status.Probe{Interval: o.Interval}
		var err error
		if p.Intervals, err = src.Intervals(ctx, id, intervalsFrom(src, from), now); err != nil {
			return fmt.Errorf("read history of %s: %w", id, err)
		}
		if p.Latency, err = s.latency.read(ctx, src, id, from, now); err != nil {
			return fmt.Errorf("read latency of %s: %w", id, err)
		}
		// A result up to ClockSkew ahead is a prober whose clock runs
		// fast, and counts as taken now; one further ahead is ignored.
		latest, ok, err := src.Latest(ctx, id, now.Add(history.ClockSkew))
		if err != nil {
			return fmt.Errorf("read latest result of %s: %w", id, err)
		}
		if ok {
			p.Latest = latest.Time
			if p.Latest.After(now) {
				p.Latest = now
			}
		}
		read[i] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	probes := make(map[string]*status.Probe, len(ids))
	for i, id := range ids {
		probes[id] = read[i]
	}
	return probes, nil
}

// intervalsFrom is where a build reads a component's intervals from: the
// whole store, for the monthly reports (merged states are few, even over
// years), but only the history window of Prometheus, whose range queries
// cost by the step.
func intervalsFrom(src history.Source, window time.Time) time.Time {
	if _, ok := src.(*history.Store); ok {
		return time.UnixMilli(0)
	}
	return window
}

// latencyCache keeps, across the builds of a Builder, each component's
// latency histograms of the hours before the last one: 90 days of them
// are hundreds of thousands of rows, and reading them was most of a timer
// rebuild's time. A cached range is used only while the store's summary
// of it (history.Store.LatencySummary) is unchanged, so a late or
// imported result in an old hour is read like any other; while the
// store counts no late write (history.Store.LatencyMark), only the hours
// from the newest on are summarized, not 90 days of rows at each tick. As the clock
// moves, the range moves with it: the hours that settled since are read
// and added, and those that left the history window dropped, instead of
// reading all of them again every hour. A nil cache reads everything.
type latencyCache struct {
	mu      sync.Mutex
	entries map[string]latencyEntry // by component
}

type latencyEntry struct {
	from, to      time.Time // the hours cached: [from, to), from on the hour
	rows, results int64     // the store's summary of them
	mark          history.LatencyMark
	hours         []history.LatencyHour
}

func (c *latencyCache) read(ctx context.Context, src history.Source, id string, from, now time.Time) ([]history.LatencyHour, error) {
	st, ok := src.(*history.Store)
	if c == nil || !ok {
		return src.Latency(ctx, id, from, now)
	}
	// The last hour still fills up; the hours before it rarely change.
	settled := now.Truncate(time.Hour).Add(-time.Hour)
	if !settled.After(from) {
		return src.Latency(ctx, id, from, now)
	}
	// The store reads from the start of from's hour (history.Latency).
	from = from.Truncate(time.Hour)
	// Read before the hours are checked or read, so that a late write
	// after it changes the next build's mark (see check).
	mark, err := st.LatencyMark(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	e, hit := c.entries[id]
	c.mu.Unlock()
	if hit {
		hit, err = e.check(ctx, st, id, mark)
		if err != nil {
			return nil, err
		}
	}
	if hit && !e.from.After(from) && !from.After(e.to) && !e.to.After(settled) {
		e, err = e.move(ctx, st, id, from, settled)
	} else {
		e, err = readLatency(ctx, st, id, from, settled)
	}
	if err != nil {
		return nil, err
	}
	e.mark = mark
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]latencyEntry{}
	}
	c.entries[id] = e
	c.mu.Unlock()
	recent, err := src.Latency(ctx, id, settled, now)
	if err != nil {
		return nil, err
	}
	return append(e.hours[:len(e.hours):len(e.hours)], recent...), nil
}

// check says whether the store still holds what e cached, given m, the
// store's mark read before anything of this build: while no late write
// was counted since e's mark, only the hours from its newest on can
// differ, and those are few; otherwise all of them are summarized again.
func (e latencyEntry) check(ctx context.Context, st *history.Store, id string, m history.LatencyMark) (bool, error) {
	if m.Late != e.mark.Late || m.Newest < e.mark.Newest {
		rows, results, err := st.LatencySummary(ctx, id, e.from, e.to)
		return rows == e.rows && results == e.results, err
	}
	from := e.from
	if n := time.UnixMilli(e.mark.Newest); e.mark.Newest != math.MinInt64 && n.After(from) {
		from = n
	}
	if !e.to.After(from) {
		return true, nil
	}
	// Writes only add, so a summary equal to the kept hours' is theirs.
	var rows, results int64
	for _, h := range e.hours {
		if h.Hour.Before(from) {
			continue
		}
		for _, n := range h.Counts {
			if n > 0 {
				rows++
				results += int64(n)
			}
		}
	}
	r, n, err := st.LatencySummary(ctx, id, from, e.to)
	return r == rows && n == results, err
}

// readLatency reads the hours of [from, to) and their summary. Summarized
// first: a write between the two makes the next summary differ, and the
// hours are read again then.
func readLatency(ctx context.Context, st *history.Store, id string, from, to time.Time) (latencyEntry, error) {
	e := latencyEntry{from: from, to: to}
	var err error
	if e.rows, e.results, err = st.LatencySummary(ctx, id, from, to); err != nil {
		return e, err
	}
	e.hours, err = st.Latency(ctx, id, from, to)
	return e, err
}

// move turns the checked entry e into one of [from, to), which overlaps
// it and ends no sooner: it drops the hours before from and reads those
// after e.to, with the summaries of both to keep e's exact.
func (e latencyEntry) move(ctx context.Context, st *history.Store, id string, from, to time.Time) (latencyEntry, error) {
	if from.After(e.from) {
		rows, results, err := st.LatencySummary(ctx, id, e.from, from)
		if err != nil {
			return e, err
		}
		i := 0
		for i < len(e.hours) && e.hours[i].Hour.Before(from) {
			i++
		}
		e.from, e.hours, e.rows, e.results = from, e.hours[i:], e.rows-rows, e.results-results
	}
	if to.After(e.to) {
		next, err := readLatency(ctx, st, id, e.to, to)
		if err != nil {
			return e, err
		}
		// A new array: the builds before share the old one.
		e.hours = append(e.hours[:len(e.hours):len(e.hours)], next.hours...)
		e.to, e.rows, e.results = to, e.rows+next.rows, e.results+next.results
	}
	return e, nil
}
