package uptime

import (
	"slices"
	"time"
)

// Site returns the uptime of the whole site over each consecutive pair of
// cuts, from the inputs of its components (which share PartialWeight,
// MinCoverage, Loc and Now). Each component's instants are classified as
// for its own figures; the site's instant is then, the first that applies:
//
//  1. down when any component is down;
//  2. partial when any component is partial (and none is down), weighted
//     with PartialWeight like a component's;
//  3. up when any component is up (known, and none down or partial);
//  4. excluded when any component is under maintenance (and none of the
//     others is known): maintenance on one component leaves the site's
//     minute to the others;
//  5. no data otherwise.
//
// So the site's known time is when at least one component is known, two
// components down at once count once, and its coverage is that known time
// over the window less its excluded time. The MinCoverage threshold
// applies when any component is probed. cuts must be ascending and end at
// most at Now; without components every window is no data.
func Site(ins []Input, cuts []time.Time) []Summary {
	windows, _ := SiteTotal(ins, cuts)
	return windows
}

// SiteTotal is Site, and the whole site's Summary of [cuts[0],
// cuts[last]) from the same sweep: the time by class of the whole is the
// sum of its windows'. A report gives the month's and each day's.
func SiteTotal(ins []Input, cuts []time.Time) (windows []Summary, total Summary) {
	from, to := cuts[0], cuts[len(cuts)-1]
	buf := edgeBufs.Get().(*[]edge)
	defer edgeBufs.Put(buf)
	edges := (*buf)[:0]
	probed := false
	for i, in := range ins {
		edges = in.appendEdges(edges, from, to, i)
		probed = probed || in.Probed
	}
	*buf = edges
	slices.SortFunc(edges, byTime)

	// Each component's counts, and how many components are in each class
	// and measured: an edge reclassifies its own component only, so the
	// sweep costs the edges, not the edges times the components.
	counts := make([][nKinds]int, len(ins))
	var classes [nClasses]int
	classes[cNoData] = len(ins)
	measured := 0
	apply := func(e edge) {
		c := &counts[e.c]
		was, wasMeasured := classify(c)
		c[e.k] += int(e.d)
		now, isMeasured := classify(c)
		classes[was]--
		classes[now]++
		measured += boolInt(isMeasured) - boolInt(wasMeasured)
	}
	state := func() (class, bool) {
		for _, c := range []class{cFull, cPartial, cUp, cExcluded} {
			if classes[c] > 0 {
				return c, measured > 0
			}
		}
		return cNoData, false
	}
	var w, minCoverage float64
	if len(ins) > 0 {
		w, minCoverage = ins[0].PartialWeight, ins[0].MinCoverage
	}
	accs := sweep(cuts, edges, apply, state)
	out := make([]Summary, len(accs))
	var sum acc
	for i, a := range accs {
		out[i] = summarize(cuts[i], cuts[i+1], a, w, probed, minCoverage)
		for c, d := range a.class {
			sum.class[c] += d
		}
		sum.measured += a.measured
	}
	return out, summarize(from, to, sum, w, probed, minCoverage)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
