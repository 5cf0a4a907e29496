package parallel_test

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/herald-status/herald/generator/internal/parallel"
)

func TestFor(t *testing.T) {
	errStop := errors.New("stop")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name       string
		ctx        context.Context
		n, workers int
		failAt     int // -1: never
		wantErr    error
		wantAll    bool // every i done exactly once
	}{
		{"every index once", context.Background(), 1000, 4, -1, nil, true},
		{"no work", context.Background(), 0, 4, -1, nil, true},
		{"no workers asked for still works", context.Background(), 10, 0, -1, nil, true},
		{"the first error stops the loop", context.Background(), 1000, 1, 3, errStop, false},
		{"an ended context stops the loop", canceled, 1000, 2, -1, context.Canceled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make([]atomic.Int32, tt.n)
			var calls atomic.Int32
			err := parallel.For(tt.ctx, tt.n, tt.workers, func(i int) error {
				calls.Add(1)
				done[i].Add(1)
				if i == tt.failAt {
					return errStop
				}
				return nil
			})
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("got error %v, want %v", err, tt.wantErr)
			}
			if tt.wantAll {
				for i := range done {
					if got := done[i].Load(); got != 1 {
						t.Fatalf("index %d: got %d calls, want 1", i, got)
					}
				}
			} else if got := calls.Load(); got > int32(tt.n)/2 {
				t.Errorf("got %d calls of %d after the loop should have stopped", got, tt.n)
			}
		})
	}
}

// TestForGoroutines holds For to workers goroutines in all, the caller's
// counted: a goroutine of its own to hand out the indices switched with a
// worker for each one.
func TestForGoroutines(t *testing.T) {
	tests := []struct {
		name       string
		n, workers int
		want       int // goroutines started besides the caller
	}{
		{"two workers", 100, 2, 1},
		{"one worker", 100, 1, 0},
		{"fewer indices than workers", 3, 8, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			var most atomic.Int64
			err := parallel.For(context.Background(), tt.n, tt.workers, func(int) error {
				n := int64(runtime.NumGoroutine() - before)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := int(most.Load()); got > tt.want {
				t.Errorf("got %d goroutines besides the caller's, want at most %d", got, tt.want)
			}
		})
	}
}
