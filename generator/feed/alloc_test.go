package feed

import (
	"testing"
	"time"

	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/sitetest"
)

// TestItemContentAllocations: an item's content is grown once to about
// its size, and its dates are written without strings of their own
// beyond the words the locale fills in. The bound is the allocations of
// the locale's words: a few for the item, none for an update's date (its
// words appended in place into one buffer for all of them, and written
// escaped from it: two for each before, a buffer and a string to escape,
// and some seven before that, through T's boxed values) and five for each
// component it affects.
func TestItemContentAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	snap := sitetest.Example(t, time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC))
	for _, in := range snap.Incidents {
		t.Run(in.Slug, func(t *testing.T) {
			got := testing.AllocsPerRun(20, func() { itemContent(snap, in) })
			if want := float64(4 + 5*len(in.Affected)); got > want {
				t.Errorf("got %v allocations, want at most %v (%d updates, %d components)", got, want, len(in.Updates), len(in.Affected))
			}
		})
	}
}
