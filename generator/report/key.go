package report

import (
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/uptime"
)

// Key stands for everything a month's report shows (see render.File.Key):
// its figures, each day's, and the content of its incidents and
// maintenance, with the clock where the clock shows (a month to date, as
// End). A closed month's Key changes only when its inputs do, so an
// incremental build reuses its files: its page shows nothing that moves
// with the clock (see OpenAtEnd).
func (m *Month) Key() string { return m.key }

// sum works out Key once, when the month is computed: its pages, its
// data and the index of months all read it.
func (m *Month) sum() string {
	// Streamed into the hash: a month of a hundred components is
	// thousands of days.
	h := sha256.New()
	var scratch [8]byte
	u64 := func(n uint64) { h.Write(binary.BigEndian.AppendUint64(scratch[:0], n)) }
	str := func(s string) { u64(uint64(len(s))); io.WriteString(h, s) }
	at := func(t time.Time) { u64(uint64(t.UnixNano())) }
	ns := func(n int64) { u64(uint64(n)) }
	sum := func(s uptime.Summary) {
		at(s.From)
		at(s.To)
		for _, d := range []time.Duration{s.Known, s.Measured, s.Down, s.Partial, s.Excluded, s.NoData} {
			u64(uint64(d))
		}
		u64(math.Float64bits(s.Uptime))
		u64(math.Float64bits(s.Coverage))
		u64(uint64(boolBit(s.HasValue) | boolBit(s.Sparse)<<1))
	}
	str(m.Name())
	at(m.End)
	u64(math.Float64bits(m.PartialWeight))
	u64(math.Float64bits(m.minCoverage))
	str(m.Start.Location().String())
	for _, f := range m.Components {
		str(f.ID)
		u64(uint64(boolBit(f.Probed)))
		u64(math.Float64bits(f.Target)) // the verdict follows from it and Summary
		sum(f.Summary)
		u64(uint64(f.ProbeDown))
		u64(uint64(f.DeclaredDown))
		// The days follow from the month's inputs (Figures.Days), so the
		// key holds those instead: the intervals, cut to the month, as
		// the incidents are below.
		for _, iv := range f.base.Intervals {
			ns(max(iv.Start.UnixNano(), m.Start.UnixNano()))
			ns(min(iv.End.UnixNano(), m.End.UnixNano()))
			u64(uint64(iv.State))
		}
	}
	sum(m.Site.Summary)
	u64(uint64(m.Site.ProbeDown))
	u64(uint64(m.Site.DeclaredDown))
	for _, d := range m.Site.Days {
		sum(d)
	}
	for _, list := range [][]*incident.Incident{m.Incidents, m.Maintenance} {
		u64(uint64(len(list)))
		for _, in := range list {
			h.Write(in.Sum[:])
		}
	}
	fig := func(f PublishedFigure) {
		str(f.ID)
		str(f.Uptime)
		u64(uint64(f.DownMinutes))
		u64(uint64(f.ObservedMinutes))
		u64(uint64(f.MaintenanceMinutes))
	}
	for _, r := range m.Revisions {
		at(r.At)
		u64(uint64(len(r.From)))
		for _, f := range r.From {
			fig(f)
		}
		u64(uint64(boolBit(r.Site != nil)))
		if r.Site != nil {
			fig(*r.Site)
		}
	}
	return string(h.Sum(nil))
}

func boolBit(v bool) int {
	if v {
		return 1
	}
	return 0
}
