// Package memtest measures what a piece of code allocates, for tests that
// hold it to a limit.
package memtest

import (
	"math"
	"runtime"
	"testing"
)

// SkipUnderRace skips a test that counts allocations when the race
// detector is on ([Race]): `go test -race` then checks everything else,
// and `make test`, which runs without it, keeps every count.
func SkipUnderRace(t testing.TB) {
	t.Helper()
	if Race {
		t.Skip("allocation counts mean nothing under the race detector")
	}
}

// LeastBytes runs f runs times and returns the fewest bytes one run
// allocated. The least of a few runs, not their mean: a collection in one
// run empties the pools (sync.Pool) that the run after it fills again.
func LeastBytes(runs int, f func()) uint64 {
	least := uint64(math.MaxUint64)
	for range runs {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}
