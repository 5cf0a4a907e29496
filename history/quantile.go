package history

import "math"

// Quantile is Percentile of one histogram already summed: counts[i]
// latencies in bucket i of LatencyBuckets, and the last in the open
// bucket after them. A chart sums each day's hours once and takes both
// its p50 and p95 from the sum, instead of summing them again for each.
func Quantile(counts []uint64, p float64) float64 {
	var total uint64
	for _, n := range counts {
		total += n
	}
	if total == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	p = min(max(p, 0), 1)
	rank := p * float64(total)
	var seen float64
	for i, n := range counts {
		if n == 0 {
			continue
		}
		if seen+float64(n) >= rank {
			if i == len(LatencyBuckets) {
				return LatencyBuckets[i-1]
			}
			lo := 0.0
			if i > 0 {
				lo = LatencyBuckets[i-1]
			}
			return lo + (LatencyBuckets[i]-lo)*(rank-seen)/float64(n)
		}
		seen += float64(n)
	}
	return LatencyBuckets[len(LatencyBuckets)-1]
}
