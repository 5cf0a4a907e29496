// Package parallel runs the loops of a build on several goroutines: the
// parsing of incident files and the rendering and writing of pages.
package parallel

import (
	"context"
	"sync"
	"sync/atomic"
)

// For calls do for 0 ≤ i < n on up to workers goroutines, the caller's
// among them, and stops handing out work at the first error, which it
// returns, or when ctx ends, whose cause it returns. Every call of do has
// returned by then.
//
// Each worker takes the next index itself: handing them out through a
// channel cost a switch to the goroutine that sent them for every index,
// thousands in a build, and left the caller waiting on the channel
// instead of working.
func For(ctx context.Context, n, workers int, do func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	work := func() {
		for ctx.Err() == nil {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			if err := do(i); err != nil {
				cancel(err)
			}
		}
	}
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	return context.Cause(ctx)
}
