package probe

import (
	"slices"
	"sync"
	"time"
)

// lagSamples is how many recent schedule lags are kept for percentiles:
// at 5,000 checks every 30s, the last six and a half minutes.
const lagSamples = 1 << 16

// LagStats summarises schedule lag, the delay between when a run was
// planned and when a worker started it, over the most recent runs.
type LagStats struct {
	Count              int // runs observed in all, not only those summarised
	P50, P90, P99, Max time.Duration
}

// lagRing keeps the most recent lags.
type lagRing struct {
	mu    sync.Mutex
	buf   []time.Duration
	next  int
	count int
}

func (l *lagRing) observe(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf == nil {
		l.buf = make([]time.Duration, 0, 1024)
	}
	if len(l.buf) < lagSamples {
		l.buf = append(l.buf, d)
	} else {
		l.buf[l.next] = d
		l.next = (l.next + 1) % lagSamples
	}
	l.count++
}

func (l *lagRing) stats() LagStats {
	l.mu.Lock()
	s := slices.Clone(l.buf)
	count := l.count
	l.mu.Unlock()
	if len(s) == 0 {
		return LagStats{}
	}
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return LagStats{Count: count, P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: s[len(s)-1]}
}

// Lag returns percentiles of the schedule lag of recent runs, for
// benchmarks and the log; the same figure is exported to Prometheus as the
// herald_probe_schedule_lag_seconds histogram.
func (s *Scheduler) Lag() LagStats { return s.lag.stats() }
