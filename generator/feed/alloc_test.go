package feed

import (
	"testing"
	"time"

	"github.com/herald-status/herald/generator/sitetest"
)

// TestItemContentAllocations: an item's content is grown once to about
// its size, and its dates are written without strings of their own
// beyond the words the locale fills in. The bound is the allocations of
// the locale's words: a few for the item, two for each update's date
// (its words appended in place, then escaped: some seven each before,
// through T's boxed values, and one more for the label's key) and five
// for each component it affects.
func TestItemContentAllocations(t *testing.T) {
	snap := sitetest.Example(t, time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC))
	for _, in := range snap.Incidents {
		t.Run(in.Slug, func(t *testing.T) {
			got := testing.AllocsPerRun(20, func() { itemContent(snap, in) })
			if want := float64(2 + 2*len(in.Updates) + 5*len(in.Affected)); got > want {
				t.Errorf("got %v allocations, want at most %v (%d updates, %d components)", got, want, len(in.Updates), len(in.Affected))
			}
		})
	}
}
