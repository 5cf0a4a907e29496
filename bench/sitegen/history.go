package sitegen

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// ProbeInterval is the synthetic probes' interval: one result a minute
// per component.
const ProbeInterval = time.Minute

// ProbeResults is how many results spec's probe history holds: one a
// minute for ProbeDays, per component.
func ProbeResults(spec Spec) int {
	return spec.Components * spec.ProbeDays * int(24*time.Hour/ProbeInterval)
}

// ProbeStart is the time of the first result of spec's probe history; the
// last is one interval before Now.
func ProbeStart(spec Spec) time.Time {
	return Now.Add(-time.Duration(spec.ProbeDays) * 24 * time.Hour)
}

// WriteProbeHistory writes results [first, first+n) of spec's probe
// history to w, as JSON Lines in the format `herald import` reads, with
// every field:
//
//	{"component":"api-1","time":"2026-08-30T15:00:00Z","ok":true,"latency_ms":84.2,"status":200,"error":"","region":"default"}
//
// Result i is of minute i / spec.Components and component i %
// spec.Components: the history is in time order, every component's result
// of a minute together, as a prober leaves it. Each result is a function
// of the seed and its index alone, so any range is the same bytes
// whichever call writes it, and a file can be split in two.
//
// Each component has its own latency (20–300 ms, with jitter and rare
// spikes), up to four outages over the history (3 minutes to 2 hours; half
// answer 503, half time out), and about one failed check in 2,000 outside
// them: blips, which confirm hides.
func WriteProbeHistory(w io.Writer, spec Spec, seed uint64, first, n int) error {
	total := ProbeResults(spec)
	first = min(max(first, 0), total)
	n = min(max(n, 0), total-first)
	g := newGen(spec, seed)
	comps := make([]probeComponent, spec.Components)
	for c := range comps {
		r := rand.New(rand.NewPCG(seed^0x70726f6265, uint64(c)))
		pc := probeComponent{id: g.ids[c], base: 20 + r.Float64()*280}
		minutes := total / spec.Components
		for range r.IntN(5) {
			start := r.IntN(minutes)
			pc.outages = append(pc.outages, outage{start, start + 3 + r.IntN(118), r.IntN(2) == 0})
		}
		comps[c] = pc
	}
	start := ProbeStart(spec)
	bw := bufio.NewWriterSize(w, 1<<16)
	var line, stamp []byte
	minute := -1
	for i := first; i < first+n; i++ {
		m, c := i/spec.Components, i%spec.Components
		if m != minute {
			minute = m
			stamp = start.Add(time.Duration(m)*ProbeInterval).AppendFormat(stamp[:0], time.RFC3339)
		}
		pc := &comps[c]
		h := splitmix(seed ^ uint64(i)*0x9e3779b97f4a7c15)
		ok, timeout := true, false
		for _, o := range pc.outages {
			if m >= o.from && m < o.to {
				ok, timeout = false, o.timeout
			}
		}
		if h%2000 == 0 {
			ok = false
		}
		line = append(line[:0], `{"component":"`...)
		line = append(line, pc.id...)
		line = append(line, `","time":"`...)
		line = append(line, stamp...)
		line = append(line, `","ok":`...)
		line = strconv.AppendBool(line, ok)
		line = append(line, `,"latency_ms":`...)
		switch {
		case timeout && !ok:
			line = append(line, `10000,"status":0,"error":"timeout after 10s"`...)
		default:
			u := float64(h>>11) / (1 << 53)
			lat := pc.base * (0.7 + 0.6*u)
			if h>>3%200 == 0 {
				lat *= 5
			}
			line = strconv.AppendFloat(line, float64(int(lat*10))/10, 'f', -1, 64)
			if ok {
				line = append(line, `,"status":200,"error":""`...)
			} else {
				line = append(line, `,"status":503,"error":"status 503, want 2xx"`...)
			}
		}
		line = append(line, `,"region":"default"}`+"\n"...)
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

type probeComponent struct {
	id      string
	base    float64 // typical latency, ms
	outages []outage
}

// outage is a stretch of failed checks, in minutes from the start.
type outage struct {
	from, to int
	timeout  bool
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
