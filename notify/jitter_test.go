package notify

import (
	"testing"
	"time"
)

// TestJitter checks that retry delays are spread over [d/2, d], so that
// senders that failed together do not retry together.
func TestJitter(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
	}{
		{"first retry", time.Second},
		{"daemon round", 30 * time.Second},
		{"longest", 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 100 {
				got := jitter(tt.d)
				if got < tt.d/2 || got > tt.d {
					t.Fatalf("got %s, want between %s and %s", got, tt.d/2, tt.d)
				}
				seen[got] = true
			}
			if len(seen) < 50 {
				t.Errorf("got %d distinct delays in 100, want them spread", len(seen))
			}
		})
	}
}
