package history

import (
	"math"
	"sort"
	"time"
)

// point is one raw result as interval building sees it.
type point struct {
	t  int64 // Unix ms
	st State // Up, Degraded or Down
}

// msInterval is an Interval in Unix milliseconds, as stored.
type msInterval struct {
	start, end int64
	state      State
}

// buildIntervals turns one series' results, sorted by time, into merged
// Up, Degraded and Down intervals (gaps are NoData and not stored).
//
// Time weighting: a result covers the time until the next one, at most
// maxGap (twice the probe interval); after that nothing is known. until is
// the time of the result after ps, if any, which caps the last one.
//
// Confirmation: results are grouped into runs of equal states. A run of
// at least confirm results sets the state from its first result; a
// shorter run is a blip and keeps the state before it. enter is the state
// confirmed before ps; while none is confirmed, short runs are NoData.
func buildIntervals(ps []point, enter State, maxGap int64, confirm int, until int64) []msInterval {
	var out []msInterval
	add := func(start, end int64, st State) {
		if end <= start || st == NoData {
			return
		}
		if n := len(out); n > 0 && out[n-1].end == start && out[n-1].state == st {
			out[n-1].end = end
			return
		}
		out = append(out, msInterval{start, end, st})
	}
	confirmed := enter
	for i := 0; i < len(ps); {
		j := i
		for j < len(ps) && ps[j].st == ps[i].st {
			j++
		}
		if j-i >= confirm {
			confirmed = ps[i].st
		}
		for k := i; k < j; k++ {
			next := until
			if k+1 < len(ps) {
				next = ps[k+1].t
			}
			end := ps[k].t + maxGap
			if maxGap > math.MaxInt64-ps[k].t {
				end = math.MaxInt64
			}
			add(ps[k].t, min(end, next), confirmed)
		}
		i = j
	}
	return out
}

// combine merges the regions' intervals of one component over [from, to)
// into one tiling of that range. At each moment the regions that have data
// vote: the component is Down when more of them say down than otherwise
// (so with one region, that region decides; with two that disagree, it is
// not Down), else Degraded when more say degraded or down than up, else Up
// when any has data, and NoData when none has.
func combine(regions [][]msInterval, from, to int64) []msInterval {
	type edge struct {
		t                int64
		dUp, dDeg, dDown int
	}
	var edges []edge
	for _, ivs := range regions {
		for _, iv := range ivs {
			s, e := max(iv.start, from), min(iv.end, to)
			if s >= e {
				continue
			}
			switch iv.state {
			case Up:
				edges = append(edges, edge{s, 1, 0, 0}, edge{e, -1, 0, 0})
			case Degraded:
				edges = append(edges, edge{s, 0, 1, 0}, edge{e, 0, -1, 0})
			case Down:
				edges = append(edges, edge{s, 0, 0, 1}, edge{e, 0, 0, -1})
			}
		}
	}
	sort.Slice(edges, func(i, j int) bool { return edges[i].t < edges[j].t })
	var out []msInterval
	add := func(start, end int64, st State) {
		if end <= start {
			return
		}
		if n := len(out); n > 0 && out[n-1].state == st {
			out[n-1].end = end
			return
		}
		out = append(out, msInterval{start, end, st})
	}
	up, deg, down, at := 0, 0, 0, from
	for i := 0; i < len(edges); {
		t := edges[i].t
		add(at, t, vote(up, deg, down))
		for ; i < len(edges) && edges[i].t == t; i++ {
			up += edges[i].dUp
			deg += edges[i].dDeg
			down += edges[i].dDown
		}
		at = t
	}
	add(at, to, vote(up, deg, down))
	return out
}

func vote(up, deg, down int) State {
	switch {
	case down > up+deg:
		return Down
	case deg+down > up:
		return Degraded
	case up+deg+down > 0:
		return Up
	}
	return NoData
}

func toIntervals(ms []msInterval) []Interval {
	out := make([]Interval, len(ms))
	for i, iv := range ms {
		out[i] = Interval{Start: time.UnixMilli(iv.start).UTC(), End: time.UnixMilli(iv.end).UTC(), State: iv.state}
	}
	return out
}

// bucketOf is the index in LatencyBuckets (or the open last bucket) that
// holds a latency.
func bucketOf(ms float64) int {
	return sort.SearchFloat64s(LatencyBuckets, ms)
}

// Percentile estimates the p-quantile (p a fraction: 0.5 for p50, 0.95 for
// p95) in milliseconds of the latencies counted in hours, interpolating
// linearly within the bucket it falls in, as Prometheus's
// histogram_quantile does. The open last bucket answers its lower bound.
// It is NaN when hours count nothing: no data is not a fast service.
func Percentile(hours []LatencyHour, p float64) float64 {
	counts := make([]uint64, len(LatencyBuckets)+1)
	for _, h := range hours {
		for i, n := range h.Counts {
			if i < len(counts) {
				counts[i] += n
			}
		}
	}
	return Quantile(counts, p)
}
