package history

import "time"

// State is what the probes said about a component over a stretch of time.
type State uint8

const (
	// NoData means no result covers the time: the monitor was silent, so
	// nothing is known. It is never counted as up.
	NoData State = iota
	Up
	Down
	// Degraded means the probes passed but slower than the component's
	// degraded_over. The service answered, so uptime counts it as up; the
	// page says it was slow. Stored as 3: the values are the table's.
	Degraded
)

func (s State) String() string {
	switch s {
	case Up:
		return "up"
	case Down:
		return "down"
	case Degraded:
		return "degraded"
	}
	return "no_data"
}

// Interval is a half-open stretch [Start, End) of one confirmed state of a
// component. Merged intervals are the roll-up that uptime is computed from:
// any window, in any time zone, can be measured exactly from them after the
// raw results have expired.
type Interval struct {
	Start, End time.Time
	State      State
}

// LatencyBuckets are the upper bounds, in milliseconds, of the fixed
// buckets of the per-hour latency histograms; a last, open bucket holds the
// rest. Fixed buckets let hours be merged into days by adding counts.
var LatencyBuckets = []float64{5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000}

// LatencyHour is one hour's histogram of one component's successful
// results: Counts[i] results took at most LatencyBuckets[i] ms (and more
// than the bucket before); Counts[len(LatencyBuckets)] took longer.
type LatencyHour struct {
	Hour   time.Time // start of the hour, UTC
	Counts []uint64
}
