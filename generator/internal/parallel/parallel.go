// Package parallel runs the loops of a build on several goroutines: the
// parsing of incident files and the rendering and writing of pages.
package parallel

import (
	"context"
	"sync"
)

// For calls do for 0 ≤ i < n on up to workers goroutines, and stops
// handing out work at the first error, which it returns, or when ctx
// ends, whose cause it returns. Every call of do has returned by then.
func For(ctx context.Context, n, workers int, do func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Go(func() {
			for i := range jobs {
				if err := do(i); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return context.Cause(ctx)
}
