package report

import (
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/history"
)

// Cache keeps the closed months of one Builder between its builds, so
// that an edit or a timer tick computes only the month to date and the
// months whose inputs changed: measuring every month of a long history at
// each rebuild cost more than the rest of the rebuild. A closed month
// depends on its inputs alone, never on the clock (see OpenAtEnd), so a
// month whose inputs hash the same is the same month. A nil *Cache keeps
// nothing.
type Cache struct {
	// months are by their start in Unix seconds: a time.Time key would
	// compare the *time.Location too, and each build loads the config,
	// and with it the site timezone, anew.
	months map[int64]cachedMonth
}

type cachedMonth struct {
	in [sha256.Size]byte
	m  *Month
}

// inputSum hashes everything month reads for a closed month: the
// settings, the components, and the intervals and incidents that touch
// it (an incident by its Sum, which covers its file, slug and content).
func inputSum(in Input, loc *time.Location, start time.Time, ins []*incident.Incident, ivs map[string][]history.Interval) [sha256.Size]byte {
	h := sha256.New()
	var scratch [8]byte
	u64 := func(n uint64) { h.Write(binary.BigEndian.AppendUint64(scratch[:0], n)) }
	str := func(s string) { u64(uint64(len(s))); io.WriteString(h, s) }
	u64(uint64(start.UnixNano()))
	str(loc.String())
	u64(math.Float64bits(in.PartialWeight))
	u64(math.Float64bits(in.MinCoverage))
	u64(uint64(len(in.Components)))
	for _, c := range in.Components {
		str(c.ID)
		str(c.Name)
		u64(uint64(boolBit(c.Probed)))
		u64(math.Float64bits(c.Target))
		u64(uint64(len(ivs[c.ID])))
		for _, iv := range ivs[c.ID] {
			u64(uint64(iv.Start.UnixNano()))
			u64(uint64(iv.End.UnixNano()))
			u64(uint64(iv.State))
		}
	}
	u64(uint64(len(ins)))
	for _, inc := range ins {
		h.Write(inc.Sum[:])
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
